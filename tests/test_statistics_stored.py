"""The yearly report's counts are stored per organisation (table statistics_tally) under the
organisation's data version: a new process (a restart, another worker) serves the report from them
and recounts only the organisations written since; a stored row whose version (or counting
layout) is not the current one is never used."""

import json
import re
import threading
import time
from datetime import date

import pytest
from helpers import add_client, add_period
from sqlalchemy import delete, select, update
from support import PASSWORD, logged_in_client
from world import CANARY, build_world

from app.beheer import statistics as stats
from app.beheer import tally_store
from app.db import get_engine, session
from app.models import Client, Organisation, Region, StatisticsTally

URL = "/beheer/statistieken?jaar=2025"


@pytest.fixture
def world(app, make_org, make_admin):
    return build_world(app, make_org, make_admin)


def _recounts(monkeypatch):
    """Record every call of tally_organisations (the real one runs): (year, organisation ids)."""
    calls = []
    original = stats.tally_organisations

    def spy(source, year, org_ids, *args, **kwargs):
        calls.append((year, None if org_ids is None else sorted(org_ids)))
        return original(source, year, org_ids, *args, **kwargs)

    monkeypatch.setattr(stats, "tally_organisations", spy)
    return calls


def _headline(page: str, label: str) -> tuple[str, str]:
    cells = re.search(rf"{re.escape(label)}</th><td class=\"num\">([^<]*)</td>"
                      rf"<td class=\"num\">([^<]*)</td>", page)
    return cells.groups()


def _stored(app) -> dict[int, tuple[int, int, str]]:
    with app.app_context():
        return {r.organisation_id: (r.year, r.data_version, r.payload)
                for r in session.scalars(select(StatisticsTally))}


def _version(app, org_id) -> int:
    with app.app_context():
        return session.get(Organisation, org_id).data_version


def _report(app, world, region=None):
    c = logged_in_client(app, world["admins"]["super"])
    r = c.get(URL + (f"&regio={region}" if region else ""))
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_a_new_process_recounts_only_the_written_organisation(app, make_app, world, monkeypatch):
    first = _report(app, world)
    assert _headline(first, "Actieve cliënten") == ("5", "6")
    stored = _stored(app)
    assert set(stored) == {world["limburg"], world["antwerpen"]}
    assert {year for year, _, _ in stored.values()} == {2025}

    org = logged_in_client(app, world["limburg_email"])  # a write: one new active client
    nr = add_client(org, geboortedatum="1991-01-01")
    assert add_period(org, nr, startdatum="2025-05-01").status_code == 302

    restarted = make_app()  # a new process: nothing cached in it
    calls = _recounts(monkeypatch)
    page = _report(restarted, world)
    assert calls == [(2025, [world["limburg"]])]  # Antwerpen came from its stored row
    assert _headline(page, "Actieve cliënten") == ("5", "7")
    assert _headline(page, "Gestarte cliënten") == ("2", "4")
    assert _headline(page, "Instroom (eerste periode gestart)") == ("2", "3")
    assert _stored(restarted)[world["limburg"]][1] == _version(app, world["limburg"])

    # the same figures as a full recount (nothing stored, nothing cached)
    with restarted.app_context():
        session.execute(delete(StatisticsTally))
        session.commit()
    recounted = _report(make_app(), world)
    assert len(calls) == 2 and calls[1] == (2025, None)  # every organisation, in one pass
    body = re.compile(r'<main.*</main>', re.S)
    assert body.search(recounted).group() == body.search(page).group()

    # and a third process counts nothing at all
    _report(make_app(), world)
    _report(make_app(), world, "limburg")
    assert len(calls) == 2


def test_a_stored_row_is_used_only_under_its_own_version(app, make_app, world, monkeypatch):
    _report(app, world)
    limburg = world["limburg"]
    with app.app_context():  # make the stored row recognisable: 40 active clients in 2025
        row = session.get(StatisticsTally, (limburg, 2025))
        payload = json.loads(row.payload)
        payload["h"]["2025"][1] = 40
        row.payload = json.dumps(payload)
        session.commit()
    assert _headline(_report(make_app(), world), "Actieve cliënten") == ("5", "42")  # it is read

    calls = _recounts(monkeypatch)
    with app.app_context():  # a stale version (the organisation's data changed since)
        session.execute(update(Organisation).where(Organisation.id == limburg)
                        .values(data_version=Organisation.data_version + 1))
        session.commit()
    assert _headline(_report(make_app(), world), "Actieve cliënten") == ("5", "6")
    assert calls == [(2025, [limburg])]
    assert _stored(app)[limburg][1] == _version(app, limburg)  # stored again, under the new one

    with app.app_context():  # another counting layout (the code counts differently now)
        session.execute(update(StatisticsTally).values(layout=tally_store.LAYOUT + 1))
        session.commit()
    assert _headline(_report(make_app(), world), "Actieve cliënten") == ("5", "6")
    assert calls[1] == (2025, None)


def test_a_deletion_on_request_is_not_served_from_stored_counts(app, make_app, world):
    assert _headline(_report(app, world), "Actieve cliënten") == ("5", "6")
    with app.app_context():
        client_id = session.scalar(select(Client.id).where(Client.organisation_id == world["limburg"],
                                                           Client.nr == 7))
    c = logged_in_client(app, world["admins"]["super"])
    r = c.post(f"/beheer/clienten/{client_id}/verwijderen",
               data={"reden": "Op vraag van de cliënt", "password": PASSWORD, "bevestig": "y"})
    assert r.status_code == 302
    assert _headline(_report(make_app(), world), "Actieve cliënten") == ("5", "5")


def test_counts_are_not_stored_when_the_organisation_changed_meanwhile(app, world):
    limburg = world["limburg"]
    with app.app_context():
        session.execute(delete(StatisticsTally))
        session.commit()
        version = session.get(Organisation, limburg).data_version
        counted = stats.tally_organisations(stats_source(), 2025, [limburg])[limburg]
        session.execute(update(Organisation).where(Organisation.id == limburg)
                        .values(data_version=Organisation.data_version + 1))  # not committed
        tally_store.save(2025, {limburg: (version + 1, counted)})  # a version not committed
        session.commit()  # now it is, by "another writer"
        tally_store.save(2025, {limburg: (version, counted)})  # the version counted is outdated
        assert session.scalars(select(StatisticsTally)).all() == []
        session.rollback()  # (SQLite: this context's transactions take the write lock at BEGIN)
        tally_store.save(2025, {limburg: (version + 1, counted)})
        stored = session.get(StatisticsTally, (limburg, 2025))
        assert stored.data_version == version + 1
        assert tally_store.loads(2025, stored.payload) == counted


def stats_source():
    from app.beheer.scope import Scope
    return Scope(account_id=0, region_id=None, is_super=True)


def test_no_name_in_the_stored_counts(app, world):
    org = logged_in_client(app, world["limburg_email"])
    nr = add_client(org, naam=f"{CANARY} Janssens", geboortedatum="1993-03-03")
    assert add_period(org, nr, startdatum="2025-02-03").status_code == 302
    _report(app, world)
    stored = _stored(app)
    assert stored and not any(CANARY in payload or "Janssens" in payload
                              for _, _, payload in stored.values())


def test_a_busy_database_does_not_hold_the_report(app, make_app, world, monkeypatch):
    """SQLite: another writer holds the lock; the view answers without storing, and the next
    view stores."""
    with app.app_context():
        if get_engine().dialect.name != "sqlite":
            pytest.skip("SQLite's single writer lock")
    admin = logged_in_client(app, world["admins"]["super"])
    holding, release = threading.Event(), threading.Event()

    def writer():
        with app.app_context():
            with get_engine().connect() as conn:
                transaction = conn.begin()  # BEGIN IMMEDIATE: the write lock, as an import holds it
                holding.set()
                release.wait(30)
                transaction.rollback()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        t0 = time.perf_counter()
        r = admin.get(URL)
        seconds = time.perf_counter() - t0
    finally:
        release.set()
        thread.join(30)
    assert r.status_code == 200 and _headline(r.get_data(as_text=True), "Actieve cliënten") == ("5", "6")
    assert seconds < 5  # not the 30 s busy timeout
    assert _stored(app) == {}
    _report(make_app(), world)
    assert set(_stored(app)) == {world["limburg"], world["antwerpen"]}


def test_a_server_reads_the_counts_in_the_background_at_its_first_request(app, make_app, world,
                                                                           monkeypatch):
    admin = logged_in_client(app, world["admins"]["super"])
    assert admin.get("/beheer/statistieken").status_code == 200  # the default year: stored
    org = logged_in_client(app, world["limburg_email"])  # then a write
    nr = add_client(org, geboortedatum="1991-01-01")
    assert add_period(org, nr, startdatum="2025-05-01").status_code == 302

    server = make_app()
    tally_store.warm_on_first_request(server)  # as wsgi.py and `flask serve` do
    tally_store.warm_on_first_request(server)  # once only
    calls = _recounts(monkeypatch)
    loads = []
    original_load = tally_store.load
    monkeypatch.setattr(tally_store, "load", lambda *a, **k: loads.append(a) or original_load(*a, **k))
    admin = logged_in_client(server, world["admins"]["super"])  # the first request starts it
    warmers = server.extensions["statistics_warm_up"]
    assert len(warmers) == 1
    warmers[0].join(30)
    year = stats.default_year(date.today())
    assert calls == [(year, [world["limburg"]])] and len(loads) == 1  # the written one recounted

    r = admin.get("/beheer/statistieken")  # the default year: nothing read or counted any more
    assert r.status_code == 200
    assert calls == [(year, [world["limburg"]])] and len(loads) == 1


def test_an_organisation_moved_to_another_region_is_counted_again(app, make_app, world,
                                                                   monkeypatch):
    assert _headline(_report(app, world, "antwerpen"), "Actieve cliënten") == ("1", "2")
    before = _version(app, world["limburg"])
    with app.app_context():
        org = session.get(Organisation, world["limburg"])
        org.region_id = session.scalar(select(Region.id).where(Region.code == "antwerpen"))
        session.commit()
    assert _version(app, world["limburg"]) == before + 1
    calls = _recounts(monkeypatch)
    assert _headline(_report(make_app(), world, "antwerpen"), "Actieve cliënten") == ("5", "6")
    assert calls == [(2025, [world["limburg"]])]
