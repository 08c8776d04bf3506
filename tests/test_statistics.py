"""Statistics (/beheer/statistieken) on a small hand-built data set whose answers are known."""

import re
from datetime import date

import pytest
from helpers import add_client, add_period, client_values
from sqlalchemy import select
from support import logged_in_client, login, recorded_statements
from world import CANARY, add_period_values, build_world

from app.beheer import charts
from app.beheer import statistics as stats
from app.beheer.scope import Scope
from app.clients import services
from app.db import session
from app.formatting import decimal_nl, percent_nl
from app.models import Account, CodeList, CodeOption, Organisation, Region


@pytest.fixture
def world(app, make_org, make_admin):
    return build_world(app, make_org, make_admin)


def scope_of(email) -> Scope:
    """The explicit scope of the beheerder with this address (as the beheer guard builds it)."""
    return Scope.of(session.scalar(select(Account).where(Account.email == email)))


def compute_as(app, email, year, region_code=None):
    """stats.compute() with the scope of the given beheerder: no request, no login needed."""
    with app.app_context():
        region_id = None
        if region_code:
            region_id = session.scalar(select(Region.id).where(Region.code == region_code))
        return stats.compute(scope_of(email), year, region_id)


def _counts(table):
    return {row.key: row.count for row in table.rows}


def test_headline_counts_limburg(app, world):
    data = compute_as(app, world["admins"]["limburg"], 2025, "limburg")
    assert (data.current.organisations, data.current.active, data.current.started,
            data.current.stopped, data.current.periods_ended) == (1, 4, 2, 3, 3)
    assert (data.previous.organisations, data.previous.active, data.previous.started,
            data.previous.stopped, data.previous.periods_ended) == (1, 4, 1, 1, 1)
    rows = {c.key: (c.previous, c.current, c.difference) for c in data.comparison}
    assert rows["started"] == (1, 2, 1) and rows["stopped"] == (1, 3, 2)


def test_headline_counts_all_regions(app, world):
    data = compute_as(app, world["admins"]["super"], 2025)
    assert (data.current.organisations, data.current.active, data.current.started,
            data.current.stopped, data.current.periods_ended) == (2, 6, 3, 4, 4)
    # the provinciebeheerder of Limburg cannot widen its scope, even in the service
    data = compute_as(app, world["admins"]["limburg"], 2025)
    assert data.current.active == 4


def test_age_gender_hours(app, world):
    data = compute_as(app, world["admins"]["limburg"], 2025, "limburg")
    assert _counts(data.age) == {"a1": 1, "a2": 0, "a3": 1, "a4": 1, "a5": 0, "a6": 1}
    assert _counts(data.hours) == {"h1": 1, "h2": 1, "h3": 1, "h4": 0, "h5": 1}
    assert _counts(data.gender) == {"man": 2, "vrouw": 2, "x": 0}
    data = compute_as(app, world["admins"]["super"], 2025)
    gender = {row.key: (row.count, percent_nl(row.pct)) for row in data.gender.rows}
    assert gender == {"man": (3, "50,0%"), "vrouw": (2, "33,3%"), "x": (1, "16,7%")}
    # the 65+ group: born 1960 (65 on 31/12/2025) and born 1958 (67)
    assert _counts(data.age)["a6"] == 2


def test_profile_fields_in_code_list_order_with_retired_options(app, world):
    data = compute_as(app, world["admins"]["limburg"], 2025, "limburg")
    assert [t.key for t in data.profile] == list(stats.CLIENT_CODE_FIELDS)
    problem = next(t for t in data.profile if t.key == "hoofdproblematiek")
    assert problem.total == 4
    assert [r.key for r in problem.rows][:4] == ["psychische_problematiek", "verstandelijke_beperking",
                                                 "autismespectrumstoornis", "fysieke_beperking"]
    rows = {r.key: (r.label, r.count, percent_nl(r.pct)) for r in problem.rows}
    assert rows["psychische_problematiek"] == ("Psychische/psychiatrische problematiek", 2, "50,0%")
    assert rows["verstandelijke_beperking"][1:] == (1, "25,0%")
    assert rows["justitiaal"][1:] == (0, "0,0%")
    methodiek = next(t for t in data.profile if t.key == "methodiek")
    retired = {r.key: r.retired for r in methodiek.rows}
    assert retired["combinatie_van_werkvormen"] is True  # retired but in use: shown
    assert "andere" not in retired  # retired and unused: left out
    assert _counts(methodiek)["combinatie_van_werkvormen"] == 1
    for table in data.profile:
        assert sum(r.count for r in table.rows) == 4


def test_period_lengths_average_and_median(app, world):
    # 2025 Limburg: 731, 1268 and 31 days (end - start + 1)
    data = compute_as(app, world["admins"]["limburg"], 2025, "limburg")
    assert data.lengths.count == 3
    assert data.lengths.average_days == pytest.approx((731 + 1268 + 31) / 3)
    assert data.lengths.median_days == 731
    assert decimal_nl(data.lengths.average_days) == "676,7"
    assert decimal_nl(data.lengths.median_months) == "24,0"
    # all regions add Antwerpen's 717 days: an even count, the median is the mean of the middle two
    data = compute_as(app, world["admins"]["super"], 2025)
    assert data.lengths.count == 4
    assert data.lengths.median_days == pytest.approx((717 + 731) / 2)
    assert data.lengths.average_days == pytest.approx((731 + 1268 + 31 + 717) / 4)


def test_reasons_perspectives_and_ladder(app, world):
    data = compute_as(app, world["admins"]["limburg"], 2025, "limburg")
    reasons = {r.key: (r.count, percent_nl(r.pct)) for r in data.reasons.rows if r.count}
    assert reasons == {"doorstroom_betaald_werk": (1, "33,3%"), "eigen_keuze_motivatie": (1, "33,3%"),
                       "gezondheid_fysiek": (1, "33,3%")}
    assert data.ladder.baseline == 3  # the rung of "arbeidszorg_elders"
    assert (data.ladder.up, data.ladder.same, data.ladder.down, data.ladder.not_applicable) == (1, 1, 1, 0)
    data = compute_as(app, world["admins"]["super"], 2025)
    assert (data.ladder.up, data.ladder.same, data.ladder.down, data.ladder.not_applicable) == (1, 1, 1, 1)
    assert _counts(data.perspectives)["pensioen"] == 1
    # 2024 in Limburg: only nr 4 stopped, towards isolation
    data = compute_as(app, world["admins"]["limburg"], 2024, "limburg")
    assert (data.ladder.up, data.ladder.same, data.ladder.down) == (0, 0, 1)


def test_years_offered_and_default(app, world):
    with app.app_context():
        years = stats.available_years(scope_of(world["admins"]["limburg"]), None, date(2025, 7, 1))
    assert years[0] == 2026 and years[-1] == 2020 and 2024 in years
    assert stats.default_year(date(2026, 3, 5)) == 2025


def _headline_row(page, label):
    match = re.search(r"<th scope=\"row\">" + re.escape(label)
                      + r"</th><td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td>"
                      r"<td class=\"num\">([^<]*)</td>", page)
    assert match, label
    return match.groups()


def test_page_for_provinciebeheerder_shows_its_region_only(app, world):
    c = logged_in_client(app, world["admins"]["limburg"])
    r = c.get("/beheer/statistieken?jaar=2025")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Statistieken 2025 – Limburg" in page
    assert _headline_row(page, "Actieve cliënten") == ("4", "4", "0")
    assert _headline_row(page, "Gestarte cliënten") == ("1", "2", "+1")
    assert "Alle regio&#39;s</option>" not in page and "Antwerpen</option>" not in page
    assert "676,7" in page and "33,3%" in page
    assert c.get("/beheer/statistieken?jaar=2025&regio=antwerpen").status_code == 404
    assert c.get("/beheer/statistieken?regio=onbestaand").status_code == 404
    assert c.get("/beheer/statistieken?jaar=twintig").status_code == 404
    assert c.get("/beheer/statistieken?jaar=2025&regio=limburg").status_code == 200


def test_page_for_superbeheerder(app, world):
    c = logged_in_client(app, world["admins"]["super"])
    page = c.get("/beheer/statistieken?jaar=2025").get_data(as_text=True)
    assert "Statistieken 2025 – alle regio&#39;s" in page
    assert _headline_row(page, "Actieve cliënten") == ("5", "6", "+1")
    assert _headline_row(page, "Organisaties met activiteit") == ("2", "2", "0")
    page = c.get("/beheer/statistieken?jaar=2025&regio=antwerpen").get_data(as_text=True)
    assert _headline_row(page, "Actieve cliënten") == ("1", "2", "+1")
    assert "/beheer/export.csv?jaar=2025&amp;regio=antwerpen" in page
    assert "/beheer/export.xlsx?jaar=2025&amp;regio=antwerpen" in page


def test_default_year_is_last_complete_year(app, world):
    c = logged_in_client(app, world["admins"]["super"])
    page = c.get("/beheer/statistieken").get_data(as_text=True)
    last = date.today().year - 1
    assert f"Statistieken {last} – alle regio&#39;s" in page
    assert f'<option value="{last}" selected>' in page


def test_charts_are_accessible_svg_without_inline_styles(app, world):
    c = logged_in_client(app, world["admins"]["super"])
    r = c.get("/beheer/statistieken?jaar=2025")
    page = r.get_data(as_text=True)
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert len(svgs) >= 12 + 6 + 1
    for svg in svgs:
        opening = svg[:svg.index(">")]
        assert 'role="img"' in opening
        ids = re.search(r'aria-labelledby="([^"]+)"', opening).group(1).split()
        for ident in ids:
            assert f'id="{ident}"' in svg
        assert "<title" in svg and "<desc" in svg
    assert "style=" not in page and "<style" not in page
    assert "'unsafe-inline'" not in r.headers["Content-Security-Policy"]


def test_chart_escapes_labels():
    svg = charts.bar_chart("t", "Titel <b>", "Beschrijving & meer", [("<script>", 3, "3")])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Titel &lt;b&gt;" in svg
    empty = charts.bar_chart("leeg", "Leeg", "Geen gegevens", [("Niets", 0, "0")])
    assert 'width="0.0"' in empty


def test_canary_and_name_column_never_reach_statistics(app, world):
    org_client = app.test_client()
    login(org_client, world["limburg_email"])
    nr = add_client(org_client, naam=f"{CANARY} via formulier", geboortedatum="1991-11-11")
    assert add_period(org_client, nr, startdatum="2025-01-06").status_code == 302
    c = logged_in_client(app, world["admins"]["super"])
    with recorded_statements(app) as statements:
        bodies = [c.get(url).get_data() for url in (
            "/beheer/statistieken?jaar=2025", "/beheer/statistieken?jaar=2024&regio=limburg",
            "/beheer/statistieken")]
    for body in bodies:
        assert CANARY.encode() not in body
    assert statements and not any("name_enc" in s for s in statements)


def _count_statements(app, client, url):
    with recorded_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_page_runs_a_fixed_number_of_queries(app, world):
    c = logged_in_client(app, world["admins"]["super"])
    small = _count_statements(app, c, "/beheer/statistieken?jaar=2025")
    with app.app_context():
        org = session.get(Organisation, world["antwerpen"])
        codes = [o.code for o in session.scalars(
            select(CodeOption).join(CodeList).where(CodeList.name == "hoofdproblematiek"))]
        for i, code in enumerate(codes * 3):
            client = services.create_client(org, client_values(
                hoofdproblematiek=code, birth_date=date(1950 + i, 1, 1)), None)
            add_period_values(client.id, date(2024, 1, 1), date(2025, 1 + i % 12, 1), 8 + i % 30,
                    "andere", "activeringstraject")
        session.commit()
    large = _count_statements(app, c, "/beheer/statistieken?jaar=2025")
    assert small == large
    assert large <= 12


def test_page_without_any_data(app, make_admin):
    c = logged_in_client(app, make_admin(None))
    r = c.get("/beheer/statistieken?jaar=2025")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert _headline_row(page, "Actieve cliënten") == ("0", "0", "0")
    assert "Gemiddelde duur</th><td class=\"num\">–</td>" in page


def test_junk_parameters_are_404_not_500(app, world):
    c = logged_in_client(app, world["admins"]["super"])
    for query in ("regio=" + "x" * 5000, "jaar=99999999999999999999", "jaar=1850", "jaar=-1"):
        assert c.get(f"/beheer/statistieken?{query}").status_code == 404, query
    for query in ("regio=%00", "jaar=%00"):  # a NUL byte anywhere is refused before the view
        assert c.get(f"/beheer/statistieken?{query}").status_code == 400, query
