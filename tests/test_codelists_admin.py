"""Code-list management by the superbeheerder (/beheer/keuzelijsten)."""

import html
import json
import re

import pytest
from helpers import LISTS, add_client, client_form
from sqlalchemy import func, select
from support import audit_rows, login

from app.db import session
from app.models import AuditEvent, Client, CodeList, CodeOption

BASE = "/beheer/keuzelijsten"


def text(r) -> str:
    return r.get_data(as_text=True)


@pytest.fixture
def super_client(app, make_admin):
    c = app.test_client()
    assert login(c, make_admin(None)).status_code == 302
    return c


def option(app, list_name: str, code: str) -> CodeOption:
    with app.app_context():
        return session.scalar(select(CodeOption).join(CodeList).where(
            CodeList.name == list_name, CodeOption.code == code))


def option_url(app, list_name: str, code: str, action: str) -> str:
    return f"{BASE}/{list_name}/{option(app, list_name, code).id}/{action}"


def options_of(app, list_name: str) -> list[tuple[str, str, bool]]:
    """(code, label, retired) in stored order."""
    with app.app_context():
        rows = session.execute(select(CodeOption.code, CodeOption.label, CodeOption.retired)
                               .join(CodeList).where(CodeList.name == list_name)
                               .order_by(CodeOption.position, CodeOption.id)).all()
        return [tuple(r) for r in rows]


def select_options(page: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of the <select name=...> on a page, without the empty choice."""
    block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert block, f"no select {name}"
    result = []
    for attrs, label in re.findall(r"<option([^>]*)>([^<]*)</option>", block.group(1)):
        value = html.unescape(re.search(r'value="([^"]*)"', attrs).group(1))
        if value:
            result.append((value, html.unescape(label), "selected" in attrs))
    return result


def codelist_events(app) -> list[dict]:
    return [json.loads(e.details) for e in audit_rows(app) if e.kind == "codelist_changed"]


def codelist_event_count(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.kind == "codelist_changed"))


# --- overview and list page -------------------------------------------------------------------

def test_overview_lists_every_code_list_with_counts(super_client):
    r = super_client.get(BASE)
    assert r.status_code == 200
    page = text(r)
    assert "<h1>Keuzelijsten</h1>" in page
    for name, spec in LISTS.items():
        assert f'href="{BASE}/{name}"' in page
        assert html.escape(spec["title"]) in page
    row = re.search(rf'href="{BASE}/geslacht".*?</tr>', page, re.S).group(0)
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', row) == ["3", "0"]


def test_list_page_shows_options_in_order_with_code_status_and_ladder(app, super_client):
    page = text(super_client.get(f"{BASE}/perspectief"))
    assert "Trede participatieladder" in page
    labels = re.findall(r'<span class="option-label">([^<]*)</span>', page)
    assert [html.unescape(x) for x in labels] == [o["label"] for o in LISTS["perspectief"]["options"]]
    first = LISTS["perspectief"]["options"][0]
    assert f"<code>{first['code']}</code>" in page
    assert re.search(rf'<td class="num"[^>]*>{first["ladder"]}</td>', page)
    assert page.count(">actief<") == len(LISTS["perspectief"]["options"])
    # every input has a label; every action button names its option for screen readers
    assert 'for="label-' in page and 'for="label"' in page and 'for="code"' in page
    assert 'for="ladder"' in page
    assert f'Omlaag<span class="visually-hidden">: {html.escape(first["label"])}</span>' in page
    geslacht = text(super_client.get(f"{BASE}/geslacht"))
    assert "Trede participatieladder" not in geslacht and 'for="ladder"' not in geslacht


def test_unknown_list_or_option_is_404(app, super_client):
    assert super_client.get(f"{BASE}/bestaat_niet").status_code == 404
    assert super_client.post(f"{BASE}/bestaat_niet/nieuw", data={"label": "x"}).status_code == 404
    man_id = option(app, "geslacht", "man").id
    assert super_client.post(f"{BASE}/geslacht/999999/uitfaseren").status_code == 404
    # an option of another list is not found through this list
    assert super_client.post(f"{BASE}/perspectief/{man_id}/uitfaseren").status_code == 404
    assert super_client.post(f"{BASE}/perspectief/{man_id}/label",
                             data={"label": "Iets"}).status_code == 404
    assert options_of(app, "geslacht")[0] == ("man", "Man", False)


# --- add ----------------------------------------------------------------------------------------

def test_added_option_is_offered_to_organisations(app, super_client, org_client):
    r = super_client.post(f"{BASE}/geslacht/nieuw", data={"label": "  Niet-binair ", "code": ""})
    assert r.status_code == 302
    new = option(app, "geslacht", "niet_binair")
    assert new is not None and new.label == "Niet-binair" and not new.retired
    assert r.location.endswith(f"{BASE}/geslacht#optie-{new.id}")
    page = text(super_client.get(r.location))
    assert "werd toegevoegd" in page and "Niet-binair" in page

    choices = select_options(text(org_client.get("/clienten/nieuw")), "geslacht")
    assert choices[-1] == ("niet_binair", "Niet-binair", False)
    nr = add_client(org_client, geslacht="niet_binair")
    assert "Niet-binair" in text(org_client.get(f"/clienten/{nr}"))

    assert codelist_events(app) == [{"list": "geslacht", "action": "add", "code": "niet_binair",
                                     "old_label": None, "new_label": "Niet-binair"}]
    event = next(e for e in audit_rows(app) if e.kind == "codelist_changed")
    assert event.account_id is not None and event.actor.startswith("admin-")


def test_add_with_explicit_code_and_generated_codes_are_unique_ascii(app, super_client):
    assert super_client.post(f"{BASE}/verwijzer/nieuw",
                             data={"label": "Één café & co", "code": ""}).status_code == 302
    assert super_client.post(f"{BASE}/verwijzer/nieuw",
                             data={"label": "Een cafe co!", "code": ""}).status_code == 302
    assert super_client.post(f"{BASE}/verwijzer/nieuw",
                             data={"label": "Zelf gekozen", "code": "eigen_code_7"}).status_code == 302
    long_label = "Een heel lange omschrijving " * 5
    assert super_client.post(f"{BASE}/verwijzer/nieuw",
                             data={"label": long_label, "code": ""}).status_code == 302
    codes = [code for code, _, _ in options_of(app, "verwijzer")]
    assert codes[-4:-1] == ["een_cafe_co", "een_cafe_co_2", "eigen_code_7"]
    assert re.fullmatch(r"[a-z0-9_]{1,64}", codes[-1]) and codes[-1].startswith("een_heel_lange")
    assert option(app, "verwijzer", "een_cafe_co").label == "Één café & co"


def test_add_to_a_ladder_list_stores_the_ladder_step(app, super_client):
    r = super_client.post(f"{BASE}/perspectief/nieuw",
                          data={"label": "Vrijwilligerswerk", "code": "", "ladder": "3"})
    assert r.status_code == 302
    assert option(app, "perspectief", "vrijwilligerswerk").ladder == 3
    r = super_client.post(f"{BASE}/perspectief/nieuw", data={"label": "Zonder trede", "ladder": ""})
    assert r.status_code == 302 and option(app, "perspectief", "zonder_trede").ladder is None


# --- validation ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "field", "message"), [
    ({"label": "   ", "code": ""}, "label", "Dit veld is verplicht."),
    ({"label": "MAN", "code": ""}, "label", "Er bestaat al een optie met deze omschrijving"),
    ({"label": "x" * 301, "code": ""}, "label", "Gebruik 1 tot 300 tekens."),
    ({"label": "Nieuw", "code": "Hoofd Letters"}, "code", "kleine letters (a–z)"),
    ({"label": "Nieuw", "code": "café"}, "code", "kleine letters (a–z)"),
    ({"label": "Nieuw", "code": "a" * 65}, "code", "kleine letters (a–z)"),
    ({"label": "Nieuw", "code": "vrouw"}, "code", "Deze code bestaat al in deze lijst."),
])
def test_invalid_new_option_shows_dutch_message_and_saves_nothing(app, super_client, data, field,
                                                                  message):
    before = options_of(app, "geslacht")
    r = super_client.post(f"{BASE}/geslacht/nieuw", data=data)
    assert r.status_code == 200
    page = text(r)
    assert "Er werd niets opgeslagen" in page and 'role="alert"' in page
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in html.unescape(error.group(1))
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error"', page)
    assert 'aria-invalid="true"' in page
    assert options_of(app, "geslacht") == before
    assert codelist_event_count(app) == 0


def test_invalid_ladder_step_is_refused(app, super_client):
    for bad in ("9", "0", "twee", "-1"):
        r = super_client.post(f"{BASE}/perspectief/nieuw", data={"label": "Iets", "ladder": bad})
        assert r.status_code == 200 and "Geef een geheel getal van 1 tot 6 in" in text(r)
    assert option(app, "perspectief", "iets") is None


def test_label_of_a_retired_option_cannot_be_reused(app, super_client):
    super_client.post(option_url(app, "geslacht", "x", "uitfaseren"))
    r = super_client.post(f"{BASE}/geslacht/nieuw", data={"label": "X", "code": "x2"})
    assert r.status_code == 200 and "Herstel die optie" in text(r)
    assert option(app, "geslacht", "x2") is None


def test_invalid_rename_shows_message_next_to_the_field_and_changes_nothing(app, super_client):
    man = option(app, "geslacht", "man")
    for bad, message in (("  ", "Dit veld is verplicht."),
                         ("vrouw", "Er bestaat al een optie met deze omschrijving"),
                         ("y" * 301, "Gebruik 1 tot 300 tekens.")):
        r = super_client.post(f"{BASE}/geslacht/{man.id}/label", data={"label": bad})
        assert r.status_code == 200
        page = text(r)
        error = re.search(rf'<p class="error" id="label-{man.id}-error">([^<]*)</p>', page)
        assert error and message in error.group(1)
        assert f'aria-describedby="label-{man.id}-error"' in page
        assert '<details class="rename" open>' in page
        assert f'value="{html.escape(bad.strip())}"' in page  # what was typed is kept
    assert options_of(app, "geslacht")[0] == ("man", "Man", False)
    assert codelist_event_count(app) == 0


# --- rename -------------------------------------------------------------------------------------

def test_rename_changes_label_everywhere_but_never_the_code(app, super_client, org_client):
    nr = add_client(org_client, geslacht="vrouw")
    url = option_url(app, "geslacht", "vrouw", "label")
    r = super_client.post(url, data={"label": " Vrouwelijk "})
    assert r.status_code == 302 and "#optie-" in r.location
    assert "werd gewijzigd in" in text(super_client.get(r.location))
    assert option(app, "geslacht", "vrouw").label == "Vrouwelijk"
    with app.app_context():
        assert session.scalar(select(Client.geslacht)) == "vrouw"

    page = text(org_client.get(f"/clienten/{nr}"))
    assert "Vrouwelijk" in page
    assert ("vrouw", "Vrouwelijk", True) in select_options(
        text(org_client.get(f"/clienten/{nr}/bewerken")), "geslacht")

    # a change of case only, of the option's own label, is allowed; the same label is a no-op
    assert super_client.post(url, data={"label": "VROUWELIJK"}).status_code == 302
    r = super_client.post(url, data={"label": "VROUWELIJK"})
    assert "bleef ongewijzigd" in text(super_client.get(r.location))
    assert codelist_events(app) == [
        {"list": "geslacht", "action": "rename", "code": "vrouw",
         "old_label": "Vrouw", "new_label": "Vrouwelijk"},
        {"list": "geslacht", "action": "rename", "code": "vrouw",
         "old_label": "Vrouwelijk", "new_label": "VROUWELIJK"},
    ]


def test_a_client_page_seen_before_a_rename_shows_the_new_label(app, super_client, org_client):
    """The client page keeps the code lists between requests (per data version): a second visit
    reads no code list, and a rename by the superbeheerder shows at once."""
    from support import recorded_statements
    nr = add_client(org_client, geslacht="vrouw")
    assert "<dd>Vrouw</dd>" in text(org_client.get(f"/clienten/{nr}"))
    with recorded_statements(app) as statements:
        assert "<dd>Vrouw</dd>" in text(org_client.get(f"/clienten/{nr}"))
    assert not [s for s in statements if "code_option" in s]
    url = option_url(app, "geslacht", "vrouw", "label")
    assert super_client.post(url, data={"label": "Vrouwelijk"}).status_code == 302
    assert "<dd>Vrouwelijk</dd>" in text(org_client.get(f"/clienten/{nr}"))


# --- reorder ------------------------------------------------------------------------------------

def test_reorder_changes_the_order_on_the_organisation_form(app, super_client, org_client):
    def form_order():
        return [v for v, _, _ in select_options(text(org_client.get("/clienten/nieuw")), "geslacht")]

    assert form_order() == ["man", "vrouw", "x"]
    r = super_client.post(option_url(app, "geslacht", "x", "omhoog"))
    assert r.status_code == 302
    assert "een plaats omhoog geschoven" in text(super_client.get(r.location))
    assert form_order() == ["man", "x", "vrouw"]
    assert super_client.post(option_url(app, "geslacht", "man", "omlaag")).status_code == 302
    assert form_order() == ["x", "man", "vrouw"]

    # at the edges nothing moves and nothing is recorded
    r = super_client.post(option_url(app, "geslacht", "x", "omhoog"))
    assert "staat al bovenaan" in text(super_client.get(r.location))
    r = super_client.post(option_url(app, "geslacht", "vrouw", "omlaag"))
    assert "staat al onderaan" in text(super_client.get(r.location))
    assert form_order() == ["x", "man", "vrouw"]

    # the beheer page shows the new order too
    page = text(super_client.get(f"{BASE}/geslacht"))
    assert re.findall(r'<span class="option-label">([^<]*)</span>', page) == ["X", "Man", "Vrouw"]
    assert [(e["action"], e["code"]) for e in codelist_events(app)] == [
        ("move_up", "x"), ("move_down", "man")]


# --- retire and restore -------------------------------------------------------------------------

def test_retired_option_is_not_offered_but_existing_clients_keep_it(app, super_client, org_client):
    nr = add_client(org_client, geslacht="x")
    r = super_client.post(option_url(app, "geslacht", "x", "uitfaseren"))
    assert r.status_code == 302
    assert "wordt niet meer aangeboden" in text(super_client.get(r.location))
    assert options_of(app, "geslacht")[-1] == ("x", "X", True)
    assert "niet meer aangeboden</span>" in text(super_client.get(f"{BASE}/geslacht"))
    row = re.search(rf'href="{BASE}/geslacht".*?</tr>', text(super_client.get(BASE)), re.S).group(0)
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', row) == ["2", "1"]

    # no longer offered on a new client, and refused when posted anyway
    assert [v for v, _, _ in select_options(text(org_client.get("/clienten/nieuw")), "geslacht")] \
        == ["man", "vrouw"]
    r = org_client.post("/clienten/nieuw", data=client_form(geslacht="x", geboortedatum="1990-01-01"))
    assert r.status_code == 200
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(Client)) == 1

    # the existing client still shows it, its edit form offers and keeps it, and saving keeps it
    assert "<dd>X</dd>" in text(org_client.get(f"/clienten/{nr}"))
    edit = select_options(text(org_client.get(f"/clienten/{nr}/bewerken")), "geslacht")
    assert ("x", "X", True) in edit
    with app.app_context():
        birth = session.scalar(select(Client.birth_date)).isoformat()
    r = org_client.post(f"/clienten/{nr}/bewerken",
                        data=client_form(geslacht="x", geboortedatum=birth, oud_volgnummer="9"))
    assert r.status_code == 302
    with app.app_context():
        assert session.execute(select(Client.geslacht, Client.old_nr)).one() == ("x", "9")

    # restoring offers it again, in its old place
    r = super_client.post(option_url(app, "geslacht", "x", "herstellen"))
    assert r.status_code == 302
    assert "wordt opnieuw aangeboden" in text(super_client.get(r.location))
    assert [v for v, _, _ in select_options(text(org_client.get("/clienten/nieuw")), "geslacht")] \
        == ["man", "vrouw", "x"]
    assert [(e["action"], e["code"], e["old_label"], e["new_label"]) for e in codelist_events(app)] \
        == [("retire", "x", "X", "X"), ("restore", "x", "X", "X")]


def test_retire_and_restore_twice_change_nothing_more(app, super_client):
    retire = option_url(app, "geslacht", "x", "uitfaseren")
    restore = option_url(app, "geslacht", "x", "herstellen")
    assert "wordt al aangeboden" in text(super_client.get(super_client.post(restore).location))
    super_client.post(retire)
    assert "wordt al niet meer aangeboden" in text(super_client.get(super_client.post(retire).location))
    assert [e["action"] for e in codelist_events(app)] == ["retire"]


def test_the_last_offered_option_cannot_be_retired(app, super_client):
    super_client.post(option_url(app, "geslacht", "man", "uitfaseren"))
    super_client.post(option_url(app, "geslacht", "vrouw", "uitfaseren"))
    r = super_client.post(option_url(app, "geslacht", "x", "uitfaseren"))
    assert r.status_code == 302
    assert "laatste optie die nog aangeboden wordt" in text(super_client.get(r.location))
    assert [retired for _, _, retired in options_of(app, "geslacht")] == [True, True, False]


# --- who may ------------------------------------------------------------------------------------

def _every_route(app) -> list[tuple[str, str, dict]]:
    man = option(app, "geslacht", "man").id
    routes = [("GET", BASE, {}), ("GET", f"{BASE}/geslacht", {}),
              ("POST", f"{BASE}/geslacht/nieuw", {"label": "Nieuw", "code": ""}),
              ("POST", f"{BASE}/geslacht/{man}/label", {"label": "Anders"})]
    routes += [("POST", f"{BASE}/geslacht/{man}/{action}", {})
               for action in ("omhoog", "omlaag", "uitfaseren", "herstellen")]
    return routes


def test_provinciebeheerder_gets_403_on_every_codelist_route(app, make_admin):
    c = app.test_client()
    assert login(c, make_admin("limburg")).status_code == 302
    before = options_of(app, "geslacht")
    for method, url, data in _every_route(app):
        r = c.open(url, method=method, data=data)
        assert r.status_code == 403, (method, url)
    assert options_of(app, "geslacht") == before and codelist_event_count(app) == 0


def test_organisation_gets_403_and_visitor_is_sent_to_login(app, org_client):
    before = options_of(app, "geslacht")
    for method, url, data in _every_route(app):
        assert org_client.open(url, method=method, data=data).status_code == 403, (method, url)
    visitor = app.test_client()
    r = visitor.get(f"{BASE}/geslacht")
    assert r.status_code == 302 and "/login" in r.location
    assert options_of(app, "geslacht") == before and codelist_event_count(app) == 0


def test_post_without_csrf_token_is_refused(app, super_client):
    r = super_client.post(option_url(app, "geslacht", "man", "uitfaseren"), data={}, csrf=False)
    assert r.status_code == 400
    assert options_of(app, "geslacht")[0] == ("man", "Man", False)
