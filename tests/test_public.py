"""Public pages (/arbeidszorginitiatieven, /contact, /help, /toegankelijkheid) and /profiel."""

import re

import pytest
from helpers import add_client, add_period
from sqlalchemy import select, update
from support import PASSWORD, audit_rows, login, recorded_statements

from app.db import session
from app.models import Account, CodeList, CodeOption, Organisation

PUBLIC_PAGES = ("/login", "/password/new", "/arbeidszorginitiatieven", "/contact", "/help",
                "/toegankelijkheid")
HTMX = {"HX-Request": "true"}


def profile_form(**overrides) -> dict:
    data = {"publieke_naam": "De Werkplaats vzw", "straat": "Kerkstraat 1", "postcode": "3500",
            "gemeente": "Hasselt", "website": "https://www.werkplaats.be",
            "doeners_url": "", "werkvormen": ["atelierwerk"],
            "beschrijving": "Wij bieden arbeidszorg in een houtatelier.", "publiek_tonen": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def org_row(app, org_id) -> Organisation:
    with app.app_context():
        org = session.get(Organisation, org_id)
        session.expunge(org)
        return org


def set_org(app, org_id, **values) -> None:
    with app.app_context():
        session.execute(update(Organisation).where(Organisation.id == org_id).values(**values))
        session.commit()


def public_org(app, make_org, name, region="limburg", **values) -> int:
    """An organisation shown on the public page (profile set directly in the database)."""
    org_id, _ = make_org(name=name, region=region)
    values.setdefault("show_public", True)
    set_org(app, org_id, **values)
    return org_id


def vary(response) -> set[str]:
    return {v.strip() for line in response.headers.get_all("Vary") for v in line.split(",")}


def tile_names(html: str) -> list[str]:
    return re.findall(r'<li class="tile">\s*<h2>([^<]*)</h2>', html)


# --- reachable without login, no client data -------------------------------------------------

@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_need_no_login(client, url):
    r = client.get(url)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert '<html lang="nl-BE">' in html
    assert html.count("<h1") == 1


def test_footer_links_to_accessibility_help_and_contact(client):
    html = client.get("/login").get_data(as_text=True)
    footer = html.split('<footer class="site-footer">')[1]
    for href in ("/toegankelijkheid", "/help", "/contact"):
        assert f'href="{href}"' in footer


def test_login_page_explains_how_to_get_a_login(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<a href="/contact">Hoe kan ik als organisatie een login krijgen?</a>' in html


def test_no_client_data_on_any_public_page(app, org_client, client):
    assert org_client.post("/profiel", data=profile_form()).status_code == 302
    nr = add_client(org_client, naam="ZZCANARY", oud_volgnummer="OUDNR-CANARY")
    assert add_period(org_client, nr).status_code == 302
    assert b"ZZCANARY" in org_client.get(f"/clienten/{nr}").data  # the canary is really there
    urls = PUBLIC_PAGES + ("/arbeidszorginitiatieven?regio=limburg&werkvorm=atelierwerk",
                           "/contact#limburg")
    for c in (client, org_client):  # anonymous, and the organisation itself
        for url in urls:
            if c is org_client and url in ("/login", "/password/new"):
                continue  # a logged-in visitor is sent on to its dashboard
            for headers in ({}, HTMX):
                r = c.get(url, headers=headers)
                assert r.status_code == 200, url
                assert b"ZZCANARY" not in r.data, url
                assert b"OUDNR-CANARY" not in r.data, url
    assert "De Werkplaats vzw" in tile_names(client.get("/arbeidszorginitiatieven").get_data(as_text=True))


# --- /profiel --------------------------------------------------------------------------------

def test_profile_needs_an_organisation_login(app, client, make_admin):
    r = client.get("/profiel")
    assert r.status_code == 302 and "/login" in r.location
    admin = app.test_client()
    login(admin, make_admin())
    assert admin.get("/profiel").status_code == 403


def test_profile_shows_region_read_only_and_the_werkvorm_list(org_client):
    html = org_client.get("/profiel").get_data(as_text=True)
    assert "<dt>Regio</dt>" in html and "Limburg" in html
    assert 'name="region"' not in html and 'name="regio"' not in html
    assert 'type="checkbox" value="atelierwerk"' in html
    assert "Toon mijn organisatie op de publieke pagina" in html
    assert 'href="/profiel"' in html  # in the menu (NAV_ORG)


def test_profile_saves_and_redirects(app, org_client):
    data = profile_form(werkvormen=["horeca_en_keuken", "atelierwerk"],
                        doeners_url="https://www.doeners.be/organisaties/werkplaats",
                        beschrijving="Eerste regel\r\nTweede regel  ")
    r = org_client.post("/profiel", data=data)
    assert r.status_code == 302 and r.location.endswith("/profiel")
    page = org_client.get("/profiel").get_data(as_text=True)
    assert "Je publieke profiel werd opgeslagen." in page
    org = org_row(app, org_client.org_id)
    assert (org.public_name, org.street, org.postcode, org.municipality) == (
        "De Werkplaats vzw", "Kerkstraat 1", "3500", "Hasselt")
    assert org.website == "https://www.werkplaats.be"
    assert org.doeners_url == "https://www.doeners.be/organisaties/werkplaats"
    assert org.werkvormen == "atelierwerk,horeca_en_keuken"  # code-list order
    assert org.description == "Eerste regel\nTweede regel"
    assert org.show_public is True
    assert any(e.kind == "organisation_changed" and e.organisation_id == org_client.org_id
               for e in audit_rows(app))
    # blanks become NULL; unticking hides the organisation again
    r = org_client.post("/profiel", data=profile_form(
        publieke_naam="", straat="", postcode="", gemeente="", website="", werkvormen=[],
        beschrijving="", publiek_tonen=None))
    assert r.status_code == 302
    org = org_row(app, org_client.org_id)
    assert (org.public_name, org.street, org.postcode, org.municipality, org.website,
            org.werkvormen, org.description, org.show_public) == (
        None, None, None, None, None, None, None, False)


@pytest.mark.parametrize("field,value,message", [
    ("website", "javascript:alert(1)", "begint met http:// of https://"),
    ("website", "ftp://x", "begint met http:// of https://"),
    ("website", "www.werkplaats.be", "begint met http:// of https://"),
    ("website", "https://", "begint met http:// of https://"),
    ("website", "https://werk plaats.be", "geen spaties"),
    ("website", "data:text/html,<b>x</b>", "begint met http:// of https://"),
    ("website", "https://user:pw@werkplaats.be", "gebruikersnaam of wachtwoord"),
    ("website", "https://www.werkplaats.be/" + "a" * 300, "maximaal 300 tekens"),
    ("doeners_url", "javascript:alert(1)", "begint met http:// of https://"),
    ("doeners_url", "https://www.werkplaats.be/doeners.be", "op doeners.be"),
    ("doeners_url", "https://doeners.be.example.com/x", "op doeners.be"),
    ("doeners_url", "https://notdoeners.be/x", "op doeners.be"),
    ("doeners_url", "https://doeners.be@evil.example/x", "gebruikersnaam of wachtwoord"),
    ("postcode", "999", "postcode van 4 cijfers"),
    ("postcode", "0999", "postcode van 4 cijfers"),
    ("postcode", "35000", "postcode van 4 cijfers"),
    ("postcode", "buitenland", "postcode van 4 cijfers"),
    ("beschrijving", "x" * 601, "Maximaal 600 tekens"),
    ("publieke_naam", "n" * 201, "Maximaal 200 tekens"),
    ("gemeente", "Has\x07selt", "ongeldige tekens"),
    ("werkvormen", ["atelierwerk", "bestaat_niet"], "Kies enkel werkvormen uit de lijst."),
])
def test_profile_validation_saves_nothing(app, org_client, field, value, message):
    before = org_row(app, org_client.org_id)
    # every other field is valid and different from what is stored
    r = org_client.post("/profiel", data=profile_form(**{field: value}))
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Er werd niets opgeslagen" in html
    assert message in html
    assert 'aria-invalid="true"' in html or 'id="werkvormen-error"' in html
    after = org_row(app, org_client.org_id)
    for column in ("public_name", "street", "postcode", "municipality", "website", "doeners_url",
                   "description", "werkvormen", "show_public"):
        assert getattr(after, column) == getattr(before, column), column


def test_nul_byte_in_the_profile_is_refused_and_saves_nothing(app, org_client):
    before = org_row(app, org_client.org_id)
    r = org_client.post("/profiel", data=profile_form(gemeente="Has\x00selt"))
    assert r.status_code == 400 and "Ongeldige aanvraag" in r.get_data(as_text=True)
    assert org_row(app, org_client.org_id).municipality == before.municipality


@pytest.mark.parametrize("url", ["https://doeners.be/org/12", "http://www.doeners.be/org/12",
                                 "https://app.doeners.be/organisaties/werkplaats?tab=info"])
def test_doeners_url_on_doeners_be_or_a_subdomain_is_accepted(app, org_client, url):
    assert org_client.post("/profiel", data=profile_form(doeners_url=url)).status_code == 302
    assert org_row(app, org_client.org_id).doeners_url == url


def test_description_of_600_characters_is_accepted(app, org_client):
    text = "é" * 600
    assert org_client.post("/profiel", data=profile_form(beschrijving=text)).status_code == 302
    assert org_row(app, org_client.org_id).description == text


def test_html_in_the_description_is_shown_escaped(app, org_client, client):
    data = profile_form(beschrijving="<script>alert(1)</script>\nTweede <b>regel</b>")
    assert org_client.post("/profiel", data=data).status_code == 302
    html = client.get("/arbeidszorginitiatieven").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Tweede &lt;b&gt;regel&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html and "<b>regel" not in html
    # also on the form itself
    form_html = org_client.get("/profiel").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in form_html and "<script>alert" not in form_html


def test_retired_werkvorm_is_kept_when_already_chosen(app, org_client, make_org):
    assert org_client.post("/profiel", data=profile_form(
        werkvormen=["atelierwerk", "andere"])).status_code == 302
    with app.app_context():
        list_id = session.scalar(select(CodeList.id).where(CodeList.name == "werkvorm"))
        session.execute(update(CodeOption).where(CodeOption.list_id == list_id,
                                                 CodeOption.code == "andere").values(retired=True))
        session.commit()
    html = org_client.get("/profiel").get_data(as_text=True)
    assert re.search(r'checked id="werkvormen-\d+" name="werkvormen" type="checkbox" value="andere"', html)
    # saving again keeps it; it still shows on the public tile
    assert org_client.post("/profiel", data=profile_form(
        werkvormen=["atelierwerk", "andere"])).status_code == 302
    assert org_row(app, org_client.org_id).werkvormen == "atelierwerk,andere"
    assert "Atelierwerk, Andere" in app.test_client().get("/arbeidszorginitiatieven").get_data(as_text=True)
    # another organisation is not offered the retired option and cannot post it
    _, email = make_org(name="Andere organisatie")
    other = app.test_client()
    login(other, email)
    assert 'value="andere"' not in other.get("/profiel").get_data(as_text=True)
    r = other.post("/profiel", data=profile_form(werkvormen=["andere"]))
    assert r.status_code == 200 and "Kies enkel werkvormen uit de lijst." in r.get_data(as_text=True)


# --- /arbeidszorginitiatieven -----------------------------------------------------------------

@pytest.fixture
def three_orgs(app, make_org):
    public_org(app, make_org, "Atelier Limburg", "limburg", werkvormen="atelierwerk",
               municipality="Genk")
    public_org(app, make_org, "Groen Antwerpen", "antwerpen",
               werkvormen="atelierwerk,groen_en_tuinwerk", municipality="Mortsel")
    public_org(app, make_org, "Keuken Limburg", "limburg", werkvormen="horeca_en_keuken")


@pytest.mark.parametrize("query,expected", [
    ("", ["Atelier Limburg", "Groen Antwerpen", "Keuken Limburg"]),
    ("?regio=limburg", ["Atelier Limburg", "Keuken Limburg"]),
    ("?werkvorm=atelierwerk", ["Atelier Limburg", "Groen Antwerpen"]),
    ("?regio=limburg&werkvorm=atelierwerk", ["Atelier Limburg"]),
    ("?regio=brussel", []),
    ("?werkvorm=groen_en_tuinwerk", ["Groen Antwerpen"]),
    ("?regio=onbekend&werkvorm=%25", ["Atelier Limburg", "Groen Antwerpen", "Keuken Limburg"]),
])
def test_filter_by_region_and_werkvorm(client, three_orgs, query, expected):
    r = client.get("/arbeidszorginitiatieven" + query)
    html = r.get_data(as_text=True)
    assert tile_names(html) == expected
    assert f"{len(expected)} arbeidszorginitiatie" in html
    if not expected:
        assert "Er zijn geen arbeidszorginitiatieven die aan deze keuze voldoen." in html


def test_werkvorm_filter_matches_whole_codes_only(app, client, make_org):
    public_org(app, make_org, "Lookalike", werkvormen="groenXenXtuinwerk,atelierwerkplaats")
    assert tile_names(client.get("/arbeidszorginitiatieven?werkvorm=groen_en_tuinwerk")
                      .get_data(as_text=True)) == []
    assert tile_names(client.get("/arbeidszorginitiatieven?werkvorm=atelierwerk")
                      .get_data(as_text=True)) == []


def test_tile_shows_public_profile(client, app, make_org):
    public_org(app, make_org, "Officiële Naam vzw", "west-vlaanderen", public_name="Het Atelier",
               street="Markt 3", postcode="8000", municipality="Brugge",
               werkvormen="groen_en_tuinwerk,atelierwerk")
    public_org(app, make_org, "Zonder Publieke Naam", "brussel", public_name=None)
    html = client.get("/arbeidszorginitiatieven").get_data(as_text=True)
    assert tile_names(html) == ["Het Atelier", "Zonder Publieke Naam"]
    assert "Officiële Naam vzw" not in html
    tile = html.split("<h2>Het Atelier</h2>")[1].split("</li>")[0]
    assert "West-Vlaanderen" in tile and "Markt 3<br>8000 Brugge" in tile
    assert "Groen- en tuinwerk, Atelierwerk" in tile


def test_filter_form_works_without_and_with_htmx(client, three_orgs):
    html = client.get("/arbeidszorginitiatieven?regio=limburg").get_data(as_text=True)
    form = html.split('<form method="get" action="/arbeidszorginitiatieven"')[1].split("</form>")[0]
    assert 'data-hx-get="/arbeidszorginitiatieven"' in form and 'data-hx-target="#tiles"' in form
    assert 'data-hx-push-url="true"' in form and "change" in form
    assert '<option value="limburg" selected>Limburg</option>' in form
    assert '<button type="submit"' in form
    assert '<label for="regio">Regio</label>' in form and '<label for="werkvorm">Werkvorm</label>' in form
    assert '<div id="tiles">' in html


def test_htmx_request_gets_only_the_tiles(client, three_orgs):
    r = client.get("/arbeidszorginitiatieven?werkvorm=atelierwerk", headers=HTMX)
    assert r.status_code == 200
    assert "HX-Request" in vary(r)
    html = r.get_data(as_text=True)
    assert "<html" not in html and "<form" not in html and "<h1" not in html
    assert html.lstrip().startswith('<p class="result-count" role="status">')
    assert tile_names(html) == ["Atelier Limburg", "Groen Antwerpen"]
    full = client.get("/arbeidszorginitiatieven?werkvorm=atelierwerk")
    assert "HX-Request" in vary(full)
    assert "<html" in full.get_data(as_text=True)


def test_only_organisations_that_chose_to_be_shown(app, client, make_org):
    public_org(app, make_org, "Zichtbaar")
    public_org(app, make_org, "Onzichtbaar", show_public=False)
    make_org(name="Nooit ingevuld")  # default: not shown
    assert tile_names(client.get("/arbeidszorginitiatieven").get_data(as_text=True)) == ["Zichtbaar"]


def test_unticking_show_public_hides_the_organisation(app, org_client, client):
    assert org_client.post("/profiel", data=profile_form()).status_code == 302
    assert tile_names(client.get("/arbeidszorginitiatieven").get_data(as_text=True)) == ["De Werkplaats vzw"]
    assert org_client.post("/profiel", data=profile_form(publiek_tonen=None)).status_code == 302
    assert tile_names(client.get("/arbeidszorginitiatieven").get_data(as_text=True)) == []


def test_deactivated_organisation_is_hidden(app, client, make_org):
    org_id = public_org(app, make_org, "Gestopt vzw")
    public_org(app, make_org, "Actief vzw")
    set_org(app, org_id, active=False)
    assert tile_names(client.get("/arbeidszorginitiatieven").get_data(as_text=True)) == ["Actief vzw"]


def test_tile_links_to_doeners_else_website_else_nothing(app, client, make_org):
    public_org(app, make_org, "A Beide", website="https://www.beide.be",
               doeners_url="https://www.doeners.be/org/beide")
    public_org(app, make_org, "B Website", website="https://www.website.be")
    public_org(app, make_org, "C Geen")
    public_org(app, make_org, "D Onveilig", website="javascript:alert(1)",
               doeners_url="https://evil.example/doeners")  # not via the form: never linked
    html = client.get("/arbeidszorginitiatieven").get_data(as_text=True)
    tiles = {name: html.split(f"<h2>{name}</h2>")[1].split("</li>")[0]
             for name in tile_names(html)}
    assert re.search(r'<a href="https://www\.doeners\.be/org/beide" rel="noopener noreferrer">'
                     r"Bekijk op doeners\.be", tiles["A Beide"])
    assert "www.beide.be" not in tiles["A Beide"]
    assert re.search(r'<a href="https://www\.website\.be" rel="noopener noreferrer">Naar de website',
                     tiles["B Website"])
    assert "<a " not in tiles["C Geen"]
    assert "<a " not in tiles["D Onveilig"] and "javascript" not in html


def test_initiatives_query_count_does_not_grow_with_organisations(app, client, make_org):
    def count():
        with recorded_statements(app) as recorded:
            assert client.get("/arbeidszorginitiatieven?werkvorm=atelierwerk").status_code == 200
        statements = [s for s in recorded if s.lstrip().upper().startswith("SELECT")]
        STATEMENTS[:] = statements
        return len(statements)

    STATEMENTS = []
    public_org(app, make_org, "Eerste", werkvormen="atelierwerk")
    small = count()
    for i in range(6):
        public_org(app, make_org, f"Org {i}", region=("antwerpen", "limburg", "brussel")[i % 3],
                   werkvormen="atelierwerk,andere")
    assert count() == small, STATEMENTS
    assert small <= 4, STATEMENTS  # code lists (2), regions, organisations


# --- /contact --------------------------------------------------------------------------------

def set_contact(app, email, **values) -> None:
    with app.app_context():
        session.execute(update(Account).where(Account.email == email).values(**values))
        session.commit()


def test_contact_page_lists_the_beheerders_per_region(app, client, make_admin):
    limburg = make_admin(region="limburg")
    set_contact(app, limburg, contact_organisation="Provinciaal Steunpunt Arbeidszorg Limburg",
                contact_name="Dirk Michiels", contact_phone="011/67.21.72",
                contact_email="arbeidszorg@limburg.example.be")
    antwerpen = make_admin(region="antwerpen")
    set_contact(app, antwerpen, contact_name="Jo Bellens")
    no_details = make_admin(region="brussel")  # no contact details: not listed
    inactive = make_admin(region="antwerpen")
    set_contact(app, inactive, contact_name="Oud Beheerder", active=False)
    superadmin = make_admin(region=None)
    set_contact(app, superadmin, contact_name="Super Beheerder")

    html = client.get("/contact").get_data(as_text=True)
    assert "Bij wie kan ik terecht met vragen of problemen?" in html
    limburg_part = html.split('id="regio-limburg"')[1].split("</section>")[0]
    assert "Provinciaal Steunpunt Arbeidszorg Limburg" in limburg_part
    assert "Dirk Michiels" in limburg_part and "011/67.21.72" in limburg_part
    assert ('<a href="mailto:arbeidszorg@limburg.example.be">arbeidszorg@limburg.example.be</a>'
            in limburg_part)
    antwerpen_part = html.split('id="regio-antwerpen"')[1].split("</section>")[0]
    assert "Jo Bellens" in antwerpen_part and "mailto:" not in antwerpen_part  # no contact e-mail
    for absent in ("Oud Beheerder", "Super Beheerder", limburg, antwerpen, no_details, inactive,
                   superadmin):
        assert absent not in html
    brussel_part = html.split('id="regio-brussel"')[1].split("</section>")[0]
    assert "momenteel geen beheerder bekend" in brussel_part
    order = [html.index(f'id="regio-{code}"') for code in (
        "antwerpen", "limburg", "oost-vlaanderen", "vlaams-brabant", "west-vlaanderen", "brussel")]
    assert order == sorted(order)


def test_contact_page_never_shows_a_login_address(app, client, make_admin, runner):
    """SPEC §11: /contact shows the separate contact e-mail, or none; never the login address,
    whichever way the beheerder was made (beheer form, create-admin, or details filled later)."""
    only_name = make_admin(region="limburg")
    set_contact(app, only_name, contact_name="An Peeters")
    only_org = make_admin(region="antwerpen")
    set_contact(app, only_org, contact_organisation="Steunpunt Antwerpen", contact_email="  ")
    with_email = make_admin(region="brussel")
    set_contact(app, with_email, contact_name="Jo", contact_email="info@steunpunt.example.be")
    result = runner.invoke(args=["create-admin", "cli.beheerder@example.be", "--region",
                                 "west-vlaanderen", "--name", "Kim", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    html = client.get("/contact").get_data(as_text=True)
    for name in ("An Peeters", "Steunpunt Antwerpen", "Jo", "Kim"):
        assert name in html
    assert "info@steunpunt.example.be" in html
    for login_address in (only_name, only_org, with_email, "cli.beheerder@example.be"):
        assert login_address not in html
    assert html.count("mailto:") == 1


def test_html_in_contact_details_is_escaped(app, client, make_admin):
    email = make_admin(region="limburg")
    set_contact(app, email, contact_name="<script>alert(1)</script>")
    html = client.get("/contact").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


# --- /help and /toegankelijkheid ---------------------------------------------------------------

def test_help_answers_the_manual_questions(client):
    html = client.get("/help").get_data(as_text=True)
    for heading in ("Aanmelden", "Wat als ik mijn wachtwoord vergeten ben?",
                    "Hoe kan ik als organisatie een login krijgen?", "Cliënten beheren",
                    "Hoe voeg ik een cliënt toe?", "Hoe registreer ik de startdatum van arbeidszorg?",
                    "Hoe kan ik cliëntgegevens raadplegen?", "Hoe kan ik cliëntgegevens bewerken?",
                    "Hoe sluit ik een begeleidingsperiode af?",
                    "Hoe start ik een nieuwe begeleidingsperiode op?",
                    "Wat betekent het volgnummer?", "Kan ik een cliënt verwijderen?",
                    "Privacy: wie ziet welke gegevens?", "Contact bij vragen of problemen",
                    "Kunnen mijn collega's een eigen login krijgen?",
                    "Wat is tweestapsverificatie?", "Wat als ik een tijd niets doe?",
                    "Kan ik een lijst van al mijn cliënten downloaden?", "Kan ik de lijst afdrukken?",
                    "Waar vind ik de cijfers van mijn organisatie?", "Wat is een registratieronde?"):
        assert re.search(r"<h[23][^>]*>" + re.escape(heading), html), heading
    assert 'href="/contact"' in html and 'href="/password/new"' in html
    assert "+ Voeg een nieuwe cliënt toe" in html and "Niet-actieve cliënten" in html
    assert "versleuteld" in html and "anoniem" in html
    assert "Elke organisatie heeft één login" not in html  # no longer true (colleague logins)


def test_accessibility_statement(client):
    html = client.get("/toegankelijkheid").get_data(as_text=True)
    assert "<h1>Toegankelijkheidsverklaring</h1>" in html
    assert "gedeeltelijk conform" in html and "WCAG" in html and "2.1" in html
    assert "axe-core" in html and "toetsenbord" in html
    assert "Vlaamse Ombudsdienst" in html
    assert 'href="/contact"' in html
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}">', html)
