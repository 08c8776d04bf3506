"""Every service that takes an organisation, with two organisations holding look-alike data.

Organisation A and B both have clients with the same birth date, gender, home postcode and old
number; A has more clients, so that its look-alike carries a volgnummer (3) that B does not
have. Nothing of A may ever reach B: not in a duplicate warning, a lookup by number, a search, a
count, a name, an import or a profile.
"""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from helpers import client_form, client_values
from sqlalchemy import func, select
from support import logged_in_client
from werkzeug.exceptions import NotFound

from app import legacy_import
from app.clients import names, services
from app.db import session
from app.models import Client, Organisation, Period

BIRTH, GENDER, POSTCODE, OLD = date(1985, 6, 13), "man", "3500", "OUD-7"
SECRET_A = "Geheim van A"
NAME_B = "Naam bij B"


def _look_alike(**overrides):
    return client_values(birth_date=BIRTH, geslacht=GENDER, postcode_woonplaats=POSTCODE,
                         old_nr=OLD, **overrides)


@pytest.fixture
def twins(app, make_org):
    """A: clients 1, 2 (other people) and 3 (the look-alike, named SECRET_A, a period);
    B: client 1 (another person with the same old number) and nothing else yet."""
    a_id, a_email = make_org(name="Organisatie A")
    b_id, b_email = make_org(name="Organisatie B")
    with app.app_context():
        a = session.get(Organisation, a_id)
        for i in range(2):
            services.create_client(a, client_values(birth_date=date(1970, 1, 1 + i), old_nr=f"A-{i}"),
                                   "Iemand anders")
        look_alike = services.create_client(a, _look_alike(), SECRET_A)
        period = services.add_period(look_alike, {"hours": Decimal(16), "start_date": date(2024, 1, 1),
                                                  "end_date": None, "reden_stopzetting": None,
                                                  "perspectief": None})
        b = session.get(Organisation, b_id)
        services.create_client(b, client_values(birth_date=date(1999, 9, 9), old_nr=OLD,
                                                postcode_woonplaats="9000"), NAME_B)
        session.commit()
        a_period = period.id
    return {"a": a_id, "b": b_id, "a_email": a_email, "b_email": b_email, "a_period": a_period}


def _org(org_id):
    return session.get(Organisation, org_id)


def test_duplicate_check_never_looks_in_another_organisation(app, twins):
    with app.app_context():
        assert services.possible_duplicates(_org(twins["a"]), BIRTH, GENDER, POSTCODE) == [3]
        assert services.possible_duplicates(_org(twins["b"]), BIRTH, GENDER, POSTCODE) == []


def _warned_numbers(page: str) -> str:
    """The volgnummers named in the duplicate warning ("nr 2, 5")."""
    warning = re.search(r"Mogelijk dubbele registratie.*?: nr ([^.<]*)\.", page, re.S)
    assert warning, "no duplicate warning"
    return warning.group(1)


def test_duplicate_warning_of_b_never_shows_a_number_of_a(app, twins):
    b = logged_in_client(app, twins["b_email"])
    form = client_form(geboortedatum=BIRTH.isoformat(), geslacht=GENDER, postcode_woonplaats=POSTCODE,
                       oud_volgnummer=OLD)
    r = b.post("/clienten/nieuw", data=form)
    assert r.status_code == 302, "B got a duplicate warning because of a client of A"
    assert r.location.startswith("/clienten/2/")  # B's own next number
    # now B has a look-alike of its own (nr 2): the warning names B's number only
    r = b.post("/clienten/nieuw", data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Mogelijk dubbele registratie" in page
    assert _warned_numbers(page) == "2"
    # and editing B's other client to the same identity warns about B's 2 only
    form_edit = dict(form, oud_volgnummer="")
    page = b.post("/clienten/1/bewerken", data=form_edit).get_data(as_text=True)
    assert _warned_numbers(page) == "2"
    with app.app_context():
        assert services.possible_duplicates(_org(twins["b"]), BIRTH, GENDER, POSTCODE) == [2]
        assert services.possible_duplicates(_org(twins["a"]), BIRTH, GENDER, POSTCODE) == [3]


def test_lookups_by_number_stay_in_the_organisation(app, twins):
    with app.app_context():
        b = _org(twins["b"])
        with pytest.raises(NotFound):
            services.get_client(b, 3)  # A's look-alike
        assert names.of_client(b, services.get_client(b, 1)) == NAME_B
        with pytest.raises(NotFound):
            services.get_period(b, 1, twins["a_period"])  # B's nr 1 with A's period
        client, period = services.get_period(_org(twins["a"]), 3, twins["a_period"])
        assert (client.nr, period.id) == (3, twins["a_period"])
    b_client = logged_in_client(app, twins["b_email"])
    for url in ("/clienten/3", "/clienten/3/bewerken", f"/clienten/1/periodes/{twins['a_period']}/bewerken",
                f"/clienten/3/periodes/{twins['a_period']}/bewerken"):
        r = b_client.get(url)
        assert r.status_code == 404 and SECRET_A not in r.get_data(as_text=True), url


def test_search_on_the_old_number_and_the_counts_stay_in_the_organisation(app, twins):
    today = date.today()
    with app.app_context():
        b = _org(twins["b"])
        for q in (OLD, "oud-", "3", "1"):
            listing = services.list_clients(b, "actief", q, "oud_asc", 1, today, 50)
            assert [(row.nr, row.name) for row in listing.rows] == (
                [(1, NAME_B)] if q != "3" else []), q
            assert listing.page.total == len(listing.rows)
        assert services.list_clients(b, "actief", "", "nr_asc", 1, today, 50).page.total == 1
        assert services.list_clients(b, "inactief", "", "nr_asc", 1, today, 50).page.total == 0
        assert services.list_clients(_org(twins["a"]), "actief", OLD, "nr_asc", 1, today, 50).page.total == 1
    page = logged_in_client(app, twins["b_email"]).get(f"/dashboard?q={OLD}").get_data(as_text=True)
    assert NAME_B in page and SECRET_A not in page


def test_own_caseload_exports_and_print_view_stay_in_the_organisation(app, twins):
    """B's export (CSV, XLSX) and print view hold B's one client; A's hold A's three, never B's."""
    import openpyxl

    from app.clients import caseload
    with app.app_context():
        assert [(row[0], row[2]) for row in caseload.rows(_org(twins["b"]), date.today())] == [(1, NAME_B)]
        assert caseload.counts(_org(twins["b"])) == (1, 1)
        assert caseload.counts(_org(twins["a"])) == (3, 3)
    for email, own, other in ((twins["b_email"], [NAME_B], (SECRET_A, "Iemand anders")),
                              (twins["a_email"], ["Iemand anders", "Iemand anders", SECRET_A], (NAME_B,))):
        c = logged_in_client(app, email)
        rows = list(csv.reader(io.StringIO(c.get("/clienten/export.csv").get_data(as_text=True)
                                           .lstrip("\ufeff"), newline=""), delimiter=";"))
        assert [row[2] for row in rows[1:]] == own
        sheet = openpyxl.load_workbook(io.BytesIO(c.get("/clienten/export.xlsx").get_data())).active
        assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == own
        for tab in ("actief", "inactief"):
            page = c.get(f"/dashboard?tab={tab}&print=1").get_data(as_text=True)
            assert not any(name in page for name in other), (email, tab)


def test_numbers_are_handed_out_per_organisation(app, twins):
    with app.app_context():
        b = services.create_client(_org(twins["b"]), _look_alike(), None)
        a = services.create_client(_org(twins["a"]), _look_alike(), None)
        session.commit()
        assert (b.nr, a.nr) == (2, 4)


def test_a_name_sealed_for_one_organisation_cannot_be_read_by_another(app, twins):
    with app.app_context():
        a, b = _org(twins["a"]), _org(twins["b"])
        blob = session.scalar(select(Client.name_enc).where(Client.organisation_id == a.id,
                                                            Client.nr == 3))
        assert names.reveal(a, 3, blob) == SECRET_A
        assert names.reveal(b, 3, blob) == names.UNREADABLE
        with pytest.raises(AssertionError):
            names.of_client(b, services.get_client(a, 3))
        # an update by B seals with B's key: A still reads its own client
        client = services.get_client(b, 1)
        services.update_client(b, client, {}, "Nieuwe naam bij B")
        session.commit()
        assert names.of_client(b, services.get_client(b, 1)) == "Nieuwe naam bij B"
        assert names.of_client(a, services.get_client(a, 3)) == SECRET_A


def _import_file(old_numbers) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(legacy_import.COLUMNS)
    for old in old_numbers:
        row = {name: "" for name in legacy_import.COLUMNS}
        row.update(client_form(), oud_volgnummer=old, naam="Geïmporteerd", geboortedatum="13/06/1985",
                   uren="16", startdatum="01/02/2024")
        writer.writerow([row[name] for name in legacy_import.COLUMNS])
    return out.getvalue().encode()


def test_import_is_idempotent_per_organisation(app, twins):
    data = _import_file([OLD, "NIEUW-1"])
    with app.app_context():
        a, b = _org(twins["a"]), _org(twins["b"])
        assert legacy_import.existing_old_numbers(b) == {OLD}
        assert legacy_import.existing_old_numbers(a) == {OLD, "A-0", "A-1"}
        report = legacy_import.run(a, data, dry_run=False)  # A has OLD already: skipped
        session.commit()
        assert (report.clients, report.skipped) == (1, 1)
        report = legacy_import.run(b, data, dry_run=False)  # B has OLD, not NIEUW-1 (A has)
        session.commit()
        assert (report.clients, report.skipped) == (1, 1)
        imported = session.scalar(select(Client).where(Client.organisation_id == b.id,
                                                       Client.old_nr == "NIEUW-1"))
        assert imported.nr == 2 and names.of_client(b, imported) == "Geïmporteerd"
        report = legacy_import.run(b, data, dry_run=False)
        session.commit()
        assert (report.clients, report.skipped) == (0, 2)
        per_org = dict(session.execute(select(Client.organisation_id, func.count())
                                       .group_by(Client.organisation_id)).all())
        assert per_org == {a.id: 4, b.id: 2}
        periods = session.scalar(select(func.count()).select_from(Period).join(Client)
                                 .where(Client.organisation_id == b.id))
        assert periods == 1


def test_profile_changes_only_the_own_organisation(app, twins):
    b = logged_in_client(app, twins["b_email"])
    r = b.post("/profiel", data={"publieke_naam": "Publieke naam B", "postcode": "9000",
                                 "gemeente": "Gent"})
    assert r.status_code == 302
    with app.app_context():
        a, b_org = _org(twins["a"]), _org(twins["b"])
        assert (b_org.public_name, b_org.municipality) == ("Publieke naam B", "Gent")
        assert (a.public_name, a.municipality) == ("Organisatie A", None)
    a = logged_in_client(app, twins["a_email"])
    assert "Publieke naam B" not in a.get("/profiel").get_data(as_text=True)
