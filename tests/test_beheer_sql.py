"""Every /beheer page, generated from app.url_map: at the SQL level no statement ever reads the
client name column, and a provinciebeheerder's pages (forms, drop-downs, counts and exports
included) show nothing of another region.

Two look-alike organisations are planted, one in Limburg and one in Antwerpen, with distinctive
names, login addresses and old numbers; the Antwerpen one has more clients, so that a count over
the wrong region shows a different number.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from generated import build_world, methods, urls
from helpers import client_values
from sqlalchemy import select, update
from support import PASSWORD, logged_in_client, recorded_statements

from app.clients import services
from app.db import session
from app.models import Client, Organisation

LIMBURG_NAME, ANTWERPEN_NAME = "Werkplaats Zonnebloem QQLIMBURG", "Werkplaats Zonnebloem QQANTWERPEN"
LIMBURG_OLD, ANTWERPEN_OLD = "OUD-QQLIMB-1", "OUD-QQANTW-1"
NAME_COLUMN = "name_enc"


@pytest.fixture
def world(app, make_org, make_admin):
    world = build_world(app, make_org, make_admin)
    with app.app_context():
        for region, name, old in (("limburg", LIMBURG_NAME, LIMBURG_OLD),
                                  ("antwerpen", ANTWERPEN_NAME, ANTWERPEN_OLD)):
            side = world.orgs[region]
            session.execute(update(Organisation).where(Organisation.id == side.org_id)
                            .values(name=name, public_name=name))
            session.execute(update(Client).where(Client.id == side.client_id).values(old_nr=old))
        antwerpen = session.get(Organisation, world.orgs["antwerpen"].org_id)
        for i in range(2):  # Antwerpen: 3 clients (3 active), Limburg: 1
            client = services.create_client(antwerpen, client_values(old_nr=f"{ANTWERPEN_OLD}-{i}"),
                                            "Geheime naam Antwerpen")
            services.add_period(client, {"hours": Decimal(8), "start_date": date(2024, 3, 1),
                                         "end_date": None, "reden_stopzetting": None,
                                         "perspectief": None})
        session.commit()
    return world


def _get_urls(app, world, side):
    """Every beheer GET page, its URL arguments filled with the objects of `side`, plus the
    query variants that change what a region-scoped page shows."""
    values = dict(world.values, org_id=side.org_id, client_id=side.client_id)
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/beheer") and "GET" in methods(rule):
            found += urls(rule, values)
    found += [f"/beheer/audit?organisatie={side.org_id}", "/beheer/organisaties?status=actief",
              "/beheer/organisaties?q=zonnebloem", "/beheer/statistieken?jaar=2024",
              "/beheer/export.csv?jaar=2024", "/beheer/export.xlsx?jaar=2024",
              "/beheer/statistieken.xlsx?jaar=2024"]
    return sorted(found)


def _body(response) -> str:
    if response.mimetype.endswith("sheet"):  # the XLSX: its shared strings
        import io
        import zipfile
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as xlsx:
            return "".join(xlsx.read(n).decode() for n in xlsx.namelist() if n.endswith(".xml"))
    return response.get_data(as_text=True)


def test_the_generated_pages_cover_every_beheer_page(app, world):
    pages = _get_urls(app, world, world.orgs["limburg"])
    org, client = world.orgs["limburg"].org_id, world.orgs["limburg"].client_id
    assert {"/beheer", "/beheer/organisaties", f"/beheer/organisaties/{org}",
            f"/beheer/organisaties/{org}/bewerken", f"/beheer/organisaties/{org}/import",
            f"/beheer/clienten/{client}/verwijderen", "/beheer/audit", "/beheer/statistieken",
            "/beheer/export.csv", "/beheer/export.xlsx", "/beheer/statistieken.xlsx",
            "/beheer/keuzelijsten/geslacht",
            "/beheer/registratierondes", f"/beheer/registratierondes/{world.values['round_id']}",
            f"/beheer/registratierondes/{world.values['round_id']}/herinnering"} <= set(pages)


@pytest.mark.parametrize("who", ["super", "limburg"])
def test_no_beheer_page_selects_the_name_column(app, world, who):
    c = logged_in_client(app, world.admins[who])
    failures, rendered = [], 0
    for url in _get_urls(app, world, world.orgs["limburg"]):
        with recorded_statements(app) as statements:
            r = c.get(url)
            r.get_data()  # a streamed export runs its queries while it is read
        if r.status_code == 200:
            rendered += 1
        elif not (who != "super" and r.status_code == 403):
            failures.append(f"{url}: status {r.status_code}")
        failures += [f"{url}: {s}" for s in statements if NAME_COLUMN in s]
    # the deletion itself (its confirmation reads the client anonymously too)
    client_id = world.orgs["limburg"].client_id
    with recorded_statements(app) as statements:
        r = c.post(f"/beheer/clienten/{client_id}/verwijderen",
                   data={"reden": "Vraag van de organisatie", "password": PASSWORD,
                         "bevestig": "y"})
    assert r.status_code == 302
    failures += [f"delete: {s}" for s in statements if NAME_COLUMN in s]
    assert rendered >= (16 if who == "super" else 11)
    assert not failures, "\n".join(failures)


def _traces_of(world, region) -> list[tuple[str, str]]:
    """(what, pattern) for everything of the organisation in `region` a page could show."""
    side = world.orgs[region]
    name = {"limburg": LIMBURG_NAME, "antwerpen": ANTWERPEN_NAME}[region]
    old = {"limburg": LIMBURG_OLD, "antwerpen": ANTWERPEN_OLD}[region]
    region_name = {"limburg": "Limburg", "antwerpen": "Antwerpen"}[region]
    return [("organisation name", re.escape(name.split()[-1])), ("login", re.escape(side.email)),
            ("old number", re.escape(old)), ("region name", rf"\b{region_name}\b"),
            ("region code", rf"[\"'=]{region}[\"'&]"),
            ("organisation id", rf"(organisaties/|organisatie=|value=\"){side.org_id}\b"),
            ("client id", rf"clienten/{side.client_id}/")]


def test_provinciebeheerder_sees_nothing_of_another_region_on_any_page(app, world):
    failures, pages = [], 0
    limburg = logged_in_client(app, world.admins["limburg"])
    for url in _get_urls(app, world, world.orgs["limburg"]):
        r = limburg.get(url)
        if r.status_code == 403:
            continue  # the superbeheerder's pages
        pages += 1
        body = _body(r)
        failures += [f"{url}: {what} of Antwerpen" for what, pattern in _traces_of(world, "antwerpen")
                     if re.search(pattern, body)]
    assert pages >= 11
    assert not failures, "\n".join(failures)


def test_superbeheerder_sees_both_regions_on_the_lists_and_drop_downs(app, world):
    """The other side of the test above: the same pages do show every region to a superbeheerder
    (so the absence above is the scope at work, not a page that shows nothing)."""
    c = logged_in_client(app, world.admins["super"])
    pages = {url: _body(c.get(url)) for url in (
        "/beheer/organisaties", "/beheer/audit", "/beheer/statistieken", "/beheer/organisaties/nieuw",
        "/beheer/export.csv?jaar=2024")}
    for region in ("limburg", "antwerpen"):
        traces = dict(_traces_of(world, region))
        for url in ("/beheer/organisaties", "/beheer/audit", "/beheer/export.csv?jaar=2024"):
            assert re.search(traces["organisation name"], pages[url]), (url, region)
        assert re.search(traces["organisation id"], pages["/beheer/audit"])  # the drop-down
        for url in ("/beheer/statistieken", "/beheer/organisaties/nieuw"):
            assert re.search(traces["region code"], pages[url]), (url, region)


def _overview_counts(page: str) -> tuple[int, int]:
    orgs = re.search(r"Organisaties</a> \((\d+)\)", page)
    clients = re.search(r"\((\d+) cliënten\)", page)
    assert orgs and clients, "the overview no longer shows its two counts"
    return int(orgs.group(1)), int(clients.group(1))


def test_overview_counts_are_those_of_the_region(app, world):
    assert _overview_counts(logged_in_client(app, world.admins["limburg"]).get("/beheer")
                            .get_data(as_text=True)) == (1, 1)
    assert _overview_counts(logged_in_client(app, world.admins["antwerpen"]).get("/beheer")
                            .get_data(as_text=True)) == (1, 3)
    assert _overview_counts(logged_in_client(app, world.admins["super"]).get("/beheer")
                            .get_data(as_text=True)) == (2, 4)


def test_organisation_list_counts_active_clients_per_organisation(app, world):
    def count_cell(page, org_id):
        row = re.search(rf'organisaties/{org_id}".*?</tr>', page, re.S)
        assert row, org_id
        return int(re.findall(r'<td class="num"[^>]*>(\d+)</td>', row.group(0))[-1])

    page = logged_in_client(app, world.admins["super"]).get("/beheer/organisaties").get_data(as_text=True)
    assert count_cell(page, world.orgs["limburg"].org_id) == 1
    assert count_cell(page, world.orgs["antwerpen"].org_id) == 3
    page = logged_in_client(app, world.admins["limburg"]).get("/beheer/organisaties").get_data(as_text=True)
    assert count_cell(page, world.orgs["limburg"].org_id) == 1


def test_exports_of_a_provinciebeheerder_hold_its_region_only(app, world):
    c = logged_in_client(app, world.admins["limburg"])
    for url in ("/beheer/export.csv", "/beheer/export.csv?jaar=2024"):
        lines = c.get(url).get_data(as_text=True).strip().splitlines()
        assert len(lines) == 2, url  # the header and the one Limburg period
        assert LIMBURG_OLD in lines[1] or "QQLIMBURG" in lines[1]
    with app.app_context():
        assert session.scalar(select(Client.id).where(Client.old_nr == ANTWERPEN_OLD)) is not None


def test_organisation_page_lists_that_organisation_only(app, world):
    """The clients listed (by their delete links) are exactly that organisation's; the old
    numbers of neither organisation are shown to a beheerder."""
    c = logged_in_client(app, world.admins["super"])
    with app.app_context():
        ids = {region: set(session.scalars(select(Client.id).where(
            Client.organisation_id == side.org_id))) for region, side in world.orgs.items()}
    for region, side in world.orgs.items():
        page = c.get(f"/beheer/organisaties/{side.org_id}").get_data(as_text=True)
        listed = {int(i) for i in re.findall(r"/beheer/clienten/(\d+)/verwijderen", page)}
        assert listed == ids[region], region
        assert LIMBURG_OLD not in page and ANTWERPEN_OLD not in page
