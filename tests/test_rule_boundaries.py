"""Every copy of the "active" rule at its boundary dates, through every place a user sees it.

The rule is written once in Python (`rules.is_active`: the client page, the message after saving
a period) and once in SQL (`rules.client_active_on`: the dashboard tabs and the counts on the
beheer organisation list; `rules.period_overlaps`: the statistics and the export's year filter).
Data is created through the services, so the client's copy of its latest period is right.

Year-based definitions (docstring of app/beheer/statistics.py): a period is active in Y when it
overlaps 1/1/Y–31/12/Y; a client started in Y when a period starts in Y, stopped when one ends
in Y, each counted once per client; "ended periods" counts periods.
"""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from helpers import client_values
from support import logged_in_client

from app.clients import rules, services
from app.db import session
from app.models import Organisation

Y = 2023
HEADLINE = ("Organisaties met activiteit", "Actieve cliënten", "Gestarte cliënten",
            "Gestopte cliënten", "Beëindigde begeleidingsperiodes")


def _create(app, org_id, name, periods):
    """A client with these (start, end) periods, through the services; returns its volgnummer."""
    with app.app_context():
        org = session.get(Organisation, org_id)
        client = services.create_client(org, client_values(birth_date=date(1980, 5, 5)), name)
        for start, end in periods:
            services.add_period(client, {
                "hours": Decimal(16), "start_date": start, "end_date": end,
                "reden_stopzetting": "pensioen" if end else None,
                "perspectief": "pensioen" if end else None})
        session.commit()
        return client.nr


# --- today: the dashboard, the client page, the beheer organisation list ----------------------

def _today_cases(today):
    day = timedelta(days=1)
    return {  # name: (periods, active today)
        "QQ eindigt vandaag": ([(today - 300 * day, today)], True),
        "QQ eindigde gisteren": ([(today - 300 * day, today - day)], False),
        "QQ eindigt morgen": ([(today - 300 * day, today + day)], True),
        "QQ lopend": ([(today - 300 * day, None)], True),
        "QQ zonder periode": ([], True),
        "QQ start vandaag": ([(today, None)], True),
        "QQ start morgen": ([(today + day, None)], True),
        "QQ herstart gisteren": ([(today - 90 * day, today - 30 * day), (today - day, None)], True),
        "QQ herstart en weer gestopt": ([(today - 90 * day, today - 30 * day),
                                         (today - 20 * day, today - day)], False),
        "QQ tweede periode eindigt vandaag": ([(today - 90 * day, today - 30 * day),
                                               (today - 20 * day, today)], True),
    }


def _names_on_tab(c, tab) -> set[str]:
    page = c.get(f"/dashboard?tab={tab}").get_data(as_text=True)
    return set(re.findall(r"<td[^>]*>(QQ [^<]+)</td>", page))


def test_active_today_on_the_dashboard_client_page_and_beheer_counts(app, make_org, make_admin):
    today = date.today()
    org_id, email = make_org(name="Grensgevallen")
    cases = _today_cases(today)
    numbers = {name: _create(app, org_id, name, periods) for name, (periods, _) in cases.items()}
    expected_active = {name for name, (_, active) in cases.items() if active}

    c = logged_in_client(app, email)
    assert _names_on_tab(c, "actief") == expected_active
    assert _names_on_tab(c, "inactief") == set(cases) - expected_active
    for name, (_, active) in cases.items():  # the Python copy of the rule
        page = c.get(f"/clienten/{numbers[name]}").get_data(as_text=True)
        shown = "Actieve cliënten" if active else "Niet-actieve cliënten"
        assert f"Deze cliënt staat bij <strong>{shown}</strong>" in page, name

    admin = logged_in_client(app, make_admin(None))
    page = admin.get("/beheer/organisaties").get_data(as_text=True)
    row = re.search(rf'organisaties/{org_id}".*?</tr>', page, re.S).group(0)
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', row)[-1] == str(len(expected_active))


def test_saving_a_period_that_ends_today_or_yesterday_tells_where_the_client_went(app, make_org):
    """The message after saving a period (Python rule) and the tab it redirects to (a fresh
    login: with a list remembered, the user goes back to that list instead, tests/test_list_state.py)."""
    today = date.today()
    org_id, email = make_org()
    for end, tab, label in ((today, "actief", "Actieve cliënten"),
                            (today - timedelta(days=1), "inactief", "Niet-actieve cliënten")):
        c = logged_in_client(app, email)
        nr = _create(app, org_id, "QQ", [])
        r = c.post(f"/clienten/{nr}/periodes/nieuw", data={
            "uren": "16", "startdatum": (today - timedelta(days=100)).isoformat(),
            "einddatum": end.isoformat(), "reden_stopzetting": "pensioen", "perspectief": "pensioen"})
        assert r.status_code == 302 and r.location.endswith(f"tab={tab}"), end
        assert f"De cliënt staat bij {label}" in c.get(r.location).get_data(as_text=True)


# --- a year: the statistics page and the export's year filter ---------------------------------

def d(year, month, day):
    return date(year, month, day)


# name: (periods, {year: (active, started, stopped, ended periods, export rows)})
YEAR_CASES = {
    "ends on 1 January": ([(d(Y - 1, 6, 1), d(Y, 1, 1))],
                          {Y - 1: (1, 1, 0, 0, 1), Y: (1, 0, 1, 1, 1), Y + 1: (0, 0, 0, 0, 0)}),
    "ends on 31 December": ([(d(Y - 1, 6, 1), d(Y, 12, 31))],
                            {Y - 1: (1, 1, 0, 0, 1), Y: (1, 0, 1, 1, 1), Y + 1: (0, 0, 0, 0, 0)}),
    "starts on 1 January": ([(d(Y, 1, 1), None)],
                            {Y - 1: (0, 0, 0, 0, 0), Y: (1, 1, 0, 0, 1), Y + 1: (1, 0, 0, 0, 1)}),
    "starts on 31 December": ([(d(Y, 12, 31), d(Y + 1, 2, 10))],
                              {Y - 1: (0, 0, 0, 0, 0), Y: (1, 1, 0, 0, 1), Y + 1: (1, 0, 1, 1, 1)}),
    "ends on 31 December of the year before": (
        [(d(Y - 1, 3, 1), d(Y - 1, 12, 31))],
        {Y - 1: (1, 1, 1, 1, 1), Y: (0, 0, 0, 0, 0), Y + 1: (0, 0, 0, 0, 0)}),
    "starts on 1 January of the year after": (
        [(d(Y + 1, 1, 1), None)],
        {Y - 1: (0, 0, 0, 0, 0), Y: (0, 0, 0, 0, 0), Y + 1: (1, 1, 0, 0, 1)}),
    "one day, 1 January": ([(d(Y, 1, 1), d(Y, 1, 1))],
                           {Y - 1: (0, 0, 0, 0, 0), Y: (1, 1, 1, 1, 1), Y + 1: (0, 0, 0, 0, 0)}),
    "one day, 31 December": ([(d(Y, 12, 31), d(Y, 12, 31))],
                             {Y - 1: (0, 0, 0, 0, 0), Y: (1, 1, 1, 1, 1), Y + 1: (0, 0, 0, 0, 0)}),
    "stops and restarts within the year": (
        [(d(Y - 1, 5, 1), d(Y, 3, 31)), (d(Y, 6, 1), None)],
        {Y - 1: (1, 1, 0, 0, 1), Y: (1, 1, 1, 1, 2), Y + 1: (1, 0, 0, 0, 1)}),
    "two periods inside the year": (
        [(d(Y, 2, 1), d(Y, 4, 30)), (d(Y, 7, 1), d(Y, 9, 30))],
        {Y - 1: (0, 0, 0, 0, 0), Y: (1, 1, 1, 2, 2), Y + 1: (0, 0, 0, 0, 0)}),
}


def _headline(page: str, column: int) -> tuple[int, ...]:
    """The numbers of one column (0: previous year, 1: chosen year) of the key-figures table."""
    values = []
    for label in HEADLINE:
        row = re.search(rf'<th scope="row">{label}</th><td class="num">([^<]+)</td>'
                        rf'<td class="num">([^<]+)</td>', page)
        assert row, f"no row {label!r} on the statistics page"
        values.append(int(row.group(1 + column).replace(".", "")))
    return tuple(values)


def _export_rows(c, year) -> list[dict]:
    body = c.get(f"/beheer/export.csv?jaar={year}").get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("case", list(YEAR_CASES))
def test_year_boundaries_in_statistics_and_export(app, make_org, make_admin, case):
    periods, expected = YEAR_CASES[case]
    org_id, _ = make_org(name="Grensgevallen")
    nr = _create(app, org_id, None, periods)
    c = logged_in_client(app, make_admin("limburg"))
    pages = {year: c.get(f"/beheer/statistieken?jaar={year}").get_data(as_text=True)
             for year in (Y, Y + 1)}
    shown = {Y - 1: _headline(pages[Y], 0), Y: _headline(pages[Y], 1),
             Y + 1: _headline(pages[Y + 1], 1)}
    assert _headline(pages[Y + 1], 0) == shown[Y]  # the same year seen from the next one
    for year, (active, started, stopped, ended, export_rows) in expected.items():
        assert shown[year] == (active, active, started, stopped, ended), (case, year)
        rows = _export_rows(c, year)
        assert len(rows) == export_rows, (case, year)
        assert all(row["Nr"] == str(nr) for row in rows)


# --- the pure rules at boundaries the mutation run found unguarded ----------------------------

def test_a_birth_date_of_today_is_not_in_the_future_but_too_young():
    today = date(2026, 3, 15)
    assert "minstens 15 jaar" in rules.birth_date_error(today, today, today)
    assert "toekomst" in rules.birth_date_error(today + timedelta(days=1), today, today)


def test_one_year_after_29_february_is_28_february():
    assert rules.one_year_after(date(2024, 2, 29)) == date(2025, 2, 28)
    today = date(2024, 2, 29)  # a period may start at most one year ahead
    assert rules.period_errors([], date(2025, 2, 28), None, False, False, today, True) == {}
    assert "startdatum" in rules.period_errors([], date(2025, 3, 1), None, False, False, today, True)


def test_a_new_period_starting_on_the_last_end_date_gets_the_start_after_message():
    others = [rules.Span(1, date(2020, 1, 1), date(2020, 12, 31))]
    errors = rules.period_errors(others, date(2020, 12, 31), None, False, False, date(2026, 1, 1), True)
    assert errors["startdatum"].startswith("Een nieuwe periode kan pas starten na het einde")
    assert rules.period_errors(others, date(2021, 1, 1), None, False, False, date(2026, 1, 1),
                               True) == {}


def test_an_edited_period_starting_on_the_last_day_of_another_overlaps_it():
    others = [rules.Span(1, date(2020, 1, 1), date(2020, 12, 31))]
    errors = rules.period_errors(others, date(2020, 12, 31), date(2021, 2, 1), True, True,
                                 date(2026, 1, 1), False)
    assert "overlapt" in errors["startdatum"]
