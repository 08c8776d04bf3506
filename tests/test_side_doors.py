"""Names through side doors (issue 10 point 9): Nr (oud) under /beheer, the reason of a deletion,
what was typed in a failed login, the browser's memory of the name field."""

import json
import re

import pytest
from helpers import add_client
from sqlalchemy import select
from support import logged_in_client, login, recorded_statements

from app.db import session
from app.models import AuditEvent

OLD_NR = "JP-Peeters"  # free text an organisation may have chosen: initials, a surname


def text(r) -> str:
    return r.get_data(as_text=True)


@pytest.fixture
def world(app, make_org, make_admin):
    org_id, email = make_org(name="Atelier Oud")
    org = logged_in_client(app, email)
    nrs = [add_client(org, oud_volgnummer=OLD_NR if i == 1 else f"ZZOUD{i}") for i in range(3)]
    beheer = logged_in_client(app, make_admin(None))
    return org_id, nrs, beheer


def _beheer_get_urls(app, org_id: int, client_id: int) -> list[str]:
    urls = [r.rule for r in app.url_map.iter_rules()
            if r.rule.startswith("/beheer") and "GET" in r.methods and not r.arguments]
    return urls + [f"/beheer/organisaties/{org_id}", f"/beheer/organisaties/{org_id}?nr=2",
                   f"/beheer/organisaties/{org_id}/bewerken",
                   f"/beheer/clienten/{client_id}/verwijderen",
                   "/beheer/export.csv?jaar=2026", "/beheer/export.xlsx", "/beheer/statistieken.xlsx"]


def test_no_beheer_page_or_export_shows_or_reads_the_old_number(app, world):
    org_id, _, beheer = world
    page = text(beheer.get(f"/beheer/organisaties/{org_id}"))
    assert "Nr (oud)" not in page and OLD_NR not in page and "ZZOUD2" not in page
    client_id = int(re.search(r"/beheer/clienten/(\d+)/verwijderen", page).group(1))
    with recorded_statements(app) as statements:
        for url in _beheer_get_urls(app, org_id, client_id):
            r = beheer.get(url)
            assert r.status_code in (200, 403, 404), url
            assert OLD_NR.encode() not in r.get_data(), url
            assert b"Nr (oud)" not in r.get_data(), url
    assert statements and not any("old_nr" in s for s in statements)


def test_a_beheerder_finds_a_client_by_nr(app, world):
    org_id, nrs, beheer = world
    url = f"/beheer/organisaties/{org_id}"
    page = text(beheer.get(f"{url}?nr={nrs[1]}"))
    assert re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>", page) == [str(nrs[1])]
    assert "Toon alle cliënten" in page
    page = text(beheer.get(f"{url}?nr=999"))
    assert "geen cliënt met Nr 999" in page
    for junk in ("abc", "1e3", "-1", "٣", "²", "9" * 40, "1 OR 1=1", "%00"):
        r = beheer.get(url, query_string={"nr": junk})
        assert r.status_code == 200, junk
        page = text(r)
        assert re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>", page) == [str(n) for n in nrs], junk
        assert "Een Nr bestaat enkel uit cijfers" in page, junk


def test_the_deletion_reason_warns_not_to_type_a_name(app, world):
    org_id, _, beheer = world
    page = text(beheer.get(f"/beheer/organisaties/{org_id}"))
    delete_url = re.search(r"/beheer/clienten/\d+/verwijderen", page).group(0)
    form = text(beheer.get(delete_url))
    hint = re.search(r'<p class="hint" id="reden-hint">([^<]*)</p>', form)
    assert hint and hint.group(1) == "Typ hier geen naam: de reden wordt bewaard in het auditlogboek."
    assert re.search(r'<textarea[^>]*aria-describedby="reden-hint"', form)


def test_a_failed_login_with_an_unknown_address_keeps_nothing_that_was_typed(app, make_org):
    _, email = make_org()
    typed = ["MijnGeheimWachtwoord2026", "jan.peeters@example.be", email + "x"]
    for value in typed:
        assert login(app.test_client(), value, "wat dan ook").status_code == 200
    with app.app_context():
        rows = session.scalars(select(AuditEvent).where(AuditEvent.kind == "login_failed")).all()
    assert len(rows) == 3
    for row in rows:
        assert row.account_id is None and row.actor is None
        assert json.loads(row.details) == {"reason": "unknown"}
        stored = " ".join(str(v) for v in (row.actor, row.details))
        assert not any(value.lower() in stored.lower() for value in typed)


def test_the_name_field_is_not_remembered_by_the_browser(org_client):
    for url in ("/clienten/nieuw", f"/clienten/{add_client(org_client)}/bewerken"):
        field = re.search(r'<input[^>]*name="naam"[^>]*>', text(org_client.get(url))).group(0)
        assert 'autocomplete="off"' in field, url
