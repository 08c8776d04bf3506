"""Retention: purge-names wipes the names of clients whose guidance ended > RETENTION_YEARS ago."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from helpers import client_values, first_code
from sqlalchemy import select

from app import retention
from app.clients import names, services
from app.db import session
from app.models import AuditEvent, Client, Organisation, Period

# The cases below are dated when this module is imported, which may be long before a test runs:
# the purge sees the same day (a run that crosses midnight would otherwise move every boundary).
TODAY = date.today()


class _Today(date):
    @classmethod
    def today(cls):
        return TODAY


@pytest.fixture(autouse=True)
def _same_day(monkeypatch):
    monkeypatch.setattr(retention, "date", _Today)


def years_ago(years: int, today: date | None = None) -> date:
    return retention.cutoff_date(today or TODAY, years)


def period(start: date, end: date | None) -> dict:
    closed = end is not None
    return {"hours": Decimal("16"), "start_date": start, "end_date": end,
            "reden_stopzetting": first_code("reden_stopzetting") if closed else None,
            "perspectief": first_code("perspectief") if closed else None}


CASES = {
    # old number: (periods, name wiped?)
    "ended-11y": ([(years_ago(15), years_ago(11))], True),
    "two-ended-long-ago": ([(years_ago(20), years_ago(18)),
                            (years_ago(14), years_ago(10) - timedelta(days=1))], True),
    "ended-9y": ([(years_ago(12), years_ago(9))], False),
    "ended-exactly-10y": ([(years_ago(12), years_ago(10))], False),
    "old-and-recent": ([(years_ago(20), years_ago(15)), (years_ago(3), years_ago(2))], False),
    "old-and-open": ([(years_ago(20), years_ago(15)), (years_ago(3), None)], False),
    "open": ([(years_ago(20), None)], False),
    "no-period": ([], False),
}


@pytest.fixture
def world(app, make_org):
    """Clients with a name in two organisations, for every case; returns {old_nr: client id}."""
    ids = {}
    for region in ("limburg", "antwerpen"):
        org_id, _ = make_org(name=f"Org {region}", region=region)
        with app.app_context():
            org = session.get(Organisation, org_id)
            for i, (old_nr, (spans, _)) in enumerate(CASES.items()):
                client = services.create_client(
                    org, client_values(old_nr=old_nr, birth_date=date(1950, 1, 1) + timedelta(days=i)),
                    f"Naam {old_nr} {region}")
                for start, end in spans:
                    services.add_period(client, period(start, end))
                session.flush()
                ids[(region, old_nr)] = client.id
            session.commit()
    return ids


def snapshot(app) -> dict:
    """Per client: its name (decrypted), its anonymous columns and its periods."""
    out = {}
    with app.app_context():
        for client in session.scalars(select(Client).order_by(Client.id)):
            org = session.get(Organisation, client.organisation_id)
            anonymous = {c.name: getattr(client, c.name) for c in Client.__table__.c
                         if c.name not in ("name_enc", "updated_at")}
            periods = [(p.start_date, p.end_date, p.hours, p.reden_stopzetting, p.perspectief)
                       for p in client.periods]
            out[client.id] = (names.of_client(org, client), anonymous, periods)
    return out


def expected_wiped(world) -> set[int]:
    return {cid for (region, old_nr), cid in world.items() if CASES[old_nr][1]}


def test_purge_wipes_exactly_the_expired_names_and_keeps_the_anonymous_data(app, world):
    before = snapshot(app)
    result = app.test_cli_runner().invoke(args=["purge-names"])
    assert result.exit_code == 0, result.output
    wiped = expected_wiped(world)
    assert len(wiped) == 4
    assert f"{len(wiped)} naam/namen gewist" in result.output
    assert "Naam " not in result.output
    after = snapshot(app)
    for cid, (name, anonymous, periods) in before.items():
        assert after[cid][1] == anonymous and after[cid][2] == periods  # anonymous data kept
        if cid in wiped:
            assert after[cid][0] == ""
        else:
            assert after[cid][0] == name and name.startswith("Naam ")
    with app.app_context():
        assert session.scalar(select(Client.name_enc).where(Client.id == next(iter(wiped)))) is None
        events = session.scalars(select(AuditEvent).where(AuditEvent.kind == "names_purged")).all()
        assert len(events) == 1
        details = json.loads(events[0].details)
        assert details["count"] == len(wiped) and details["retention_years"] == 10
        assert "Naam" not in events[0].details
        assert events[0].actor == "cli"
    # a second run finds nothing more
    again = app.test_cli_runner().invoke(args=["purge-names"])
    assert again.exit_code == 0 and "0 naam/namen gewist" in again.output


def test_dry_run_counts_without_wiping(app, world):
    before = snapshot(app)
    result = app.test_cli_runner().invoke(args=["purge-names", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "4 naam/namen zouden gewist worden" in result.output
    assert snapshot(app) == before
    with app.app_context():
        assert session.scalars(select(AuditEvent).where(AuditEvent.kind == "names_purged")).all() == []


def test_retention_years_setting_is_used(make_app, world):
    app = make_app(RETENTION_YEARS=8)
    result = app.test_cli_runner().invoke(args=["purge-names"])
    assert result.exit_code == 0
    # now the ones that ended 9 and exactly 10 years ago go as well (2 organisations)
    assert "8 naam/namen gewist" in result.output


def test_purge_function_with_a_given_day(app, world):
    with app.app_context():
        # seen from 3 years ago, only the clients whose last period ended > 13 years ago qualify
        day = TODAY - timedelta(days=3 * 366)
        assert retention.purge_names(today=day, dry_run=True) == 0
        assert retention.purge_names(today=TODAY + timedelta(days=2 * 366), dry_run=True) == 8


def test_cutoff_on_29_february():
    assert retention.cutoff_date(date(2028, 2, 29), 10) == date(2018, 2, 28)
    assert retention.cutoff_date(date(2026, 3, 1), 10) == date(2016, 3, 1)


def test_periods_survive_the_purge(app, world):
    with app.app_context():
        count_before = len(session.scalars(select(Period.id)).all())
    app.test_cli_runner().invoke(args=["purge-names"])
    with app.app_context():
        assert len(session.scalars(select(Period.id)).all()) == count_before
