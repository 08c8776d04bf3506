"""Statistics (/beheer/statistieken) on a small hand-built data set whose answers are known."""

import re
from datetime import date
from decimal import Decimal

import pytest
from helpers import add_client, add_period, client_values, first_code
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
    data = compute_as(app, world["admins"]["limburg"], 2024)
    years = stats.years_offered(data.data_years, date(2025, 7, 1))
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
    # the report and its counts (12), the stored counts read (1), and the recount of the written
    # organisation stored in a short transaction of its own (BEGIN IMMEDIATE, one INSERT)
    assert large <= 15


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


# --- the report: inflow/outflow, trend, sections, regions side by side, grids ----------------

HEADLINE_KEYS = ("organisations", "active", "inflow", "outflow", "started", "stopped", "periods_ended")


def _headline(h):
    return tuple(getattr(h, key) for key in HEADLINE_KEYS)


def test_inflow_and_outflow(app, world):
    # Limburg 2025: inflow = nr 7 only (nr 1 first started in 2023, nr 6 starts in 2026);
    # outflow = nr 3 and nr 7 (nr 1 stopped in February but runs again from September)
    data = compute_as(app, world["admins"]["limburg"], 2025, "limburg")
    assert (data.current.inflow, data.current.outflow) == (1, 2)
    # 2024: nr 2 came in; nr 4 left on 31/12/2024 (the last day still counts as in 2024)
    assert (data.previous.inflow, data.previous.outflow) == (1, 1)
    # Antwerpen 2025: nr 2 came in, nr 1 left on 31/12/2025
    data = compute_as(app, world["admins"]["super"], 2025, "antwerpen")
    assert (data.current.inflow, data.current.outflow) == (1, 1)


def test_trend_of_the_main_counts_over_five_years(app, world):
    data = compute_as(app, world["admins"]["super"], 2025)
    # (organisations, active, inflow, outflow, started, stopped, periods ended), by hand:
    # 2021 nr 4 only; 2022 + nr 3; 2023 + nr 1; 2024 + nr 2 and Antwerpen nr 1, nr 4 stops
    assert [(y, _headline(h)) for y, h in data.trend] == [
        (2021, (1, 1, 0, 0, 0, 0, 0)),
        (2022, (1, 2, 1, 0, 1, 0, 0)),
        (2023, (1, 3, 1, 0, 1, 0, 0)),
        (2024, (2, 5, 2, 1, 2, 1, 1)),
        (2025, (2, 6, 2, 3, 3, 4, 4)),
    ]
    limburg = compute_as(app, world["admins"]["limburg"], 2025)
    assert [_headline(h) for _, h in limburg.trend][-2:] == [(1, 4, 1, 1, 1, 1, 1),
                                                             (1, 4, 1, 2, 2, 3, 3)]


def test_who_and_how_tables(app, world):
    """Every profile field, over the 4 active Limburg clients of 2025 (nr 1, 2, 3, 7): the
    fixture gives each the first option of each list, except where it says otherwise."""
    data = compute_as(app, world["admins"]["limburg"], 2025, "limburg")
    assert [t.key for t in data.who] == [k for k in stats.WHO_FIELDS if k != "geslacht"]
    assert [t.key for t in data.how] == ["overeenkomst", "methodiek"]
    special = {"hoofdproblematiek": {"psychische_problematiek": 2, "verstandelijke_beperking": 1,
                                     "autismespectrumstoornis": 1},
               "methodiek": {first_code("methodiek"): 3, "combinatie_van_werkvormen": 1}}
    for table in data.profile:
        if table.key == "geslacht":
            continue
        nonzero = {row.key: row.count for row in table.rows if row.count}
        assert nonzero == special.get(table.key, {first_code(table.key): 4}), table.key
        assert table.total == 4


def test_regions_side_by_side(app, world):
    c_super = Scope(account_id=0, region_id=None, is_super=True)
    with app.test_request_context():
        data = stats.compute(c_super, 2025, None, side_by_side=True)
        assert [c.name for c in data.regions][-1] == "Vlaanderen"
        assert len(data.regions) == 7  # six regions and Vlaanderen
        columns = {c.code or "vlaanderen": c.stats for c in data.regions}
        assert _headline(columns["limburg"].current) == (1, 4, 1, 2, 2, 3, 3)
        assert _headline(columns["antwerpen"].current) == (1, 2, 1, 1, 1, 1, 1)
        assert _headline(columns["brussel"].current) == (0,) * 7
        assert _headline(columns["vlaanderen"].current) == _headline(data.current)
        assert columns["antwerpen"].lengths.count == 1
        assert columns["antwerpen"].lengths.median_days == 717
        grids = {g.key: g for g in stats.region_grids(data)}
        names = [c.name for c in data.regions]
        kern = grids["regio-kerncijfers"]
        assert kern.headers == ["Kerncijfer", *names]
        active = next(r for r in kern.rows if r[0] == "Actieve cliënten")
        assert dict(zip(names, active[1:], strict=True)) == {
            "Antwerpen": 2, "Limburg": 4, "Oost-Vlaanderen": 0, "Vlaams-Brabant": 0,
            "West-Vlaanderen": 0, "Brussel": 0, "Vlaanderen": 6}
        gender = {r[0]: dict(zip(names, r[1:], strict=True)) for r in grids["regio-geslacht"].rows}
        assert (gender["Man"]["Limburg"], gender["Man"]["Antwerpen"], gender["Man"]["Vlaanderen"]) \
            == (2, 1, 3)
        assert gender["X"]["Antwerpen"] == 1 and gender["X"]["Limburg"] == 0
        assert gender["Totaal"]["Vlaanderen"] == 6
        hours = {r[0]: r[1:] for r in grids["regio-uren"].rows}
        assert hours["Meer dan 32 uur"] == [1, 1, 0, 0, 0, 0, 2]
        ladder = {r[0]: r[1:] for r in grids["regio-ladder"].rows}
        assert ladder["Niet van toepassing (geen trede)"] == [1, 0, 0, 0, 0, 0, 1]


def test_every_table_is_a_grid_in_report_order(app, world):
    data = compute_as(app, world["admins"]["limburg"], 2025, "limburg")
    grids = data.grids()
    keys = [g.key for g in grids]
    assert keys[:5] == ["kerncijfers", "trend", "leeftijd", "geslacht", "burgerlijke_staat"]
    assert keys.index("uren") < keys.index("overeenkomst") < keys.index("methodiek") \
        < keys.index("duur") < keys.index("reden") < keys.index("perspectief") < keys.index("ladder")
    assert len(keys) == len(set(keys)) == 2 + 1 + 12 + 1 + 1 + 3  # + age, profile, hours, length
    for grid in grids:
        assert len(grid.kinds) == len(grid.headers)
        assert all(len(row) == len(grid.headers) for row in grid.rows), grid.key
    trend = grids[1]
    assert trend.chart == "line" and trend.headers == ["Kerncijfer", "2021", "2022", "2023", "2024", "2025"]
    assert trend.rows[1] == ["Actieve cliënten", 1, 2, 3, 4, 4]
    age = next(g for g in grids if g.key == "leeftijd")
    assert age.rows[0][:2] == ["Jonger dan 25", 1] and age.rows[0][2] == pytest.approx(25.0)
    assert age.rows[-1] == ["Totaal", 4, 100.0]
    duur = next(g for g in grids if g.key == "duur")
    assert duur.rows[1] == ["Mediaan", 731, pytest.approx(731 / stats.DAYS_PER_MONTH)]


def _ids(page):
    return re.findall(r'\bid="([^"]+)"', page)


def test_report_page_sections_toc_and_unique_ids(app, world):
    c = logged_in_client(app, world["admins"]["super"])
    page = c.get("/beheer/statistieken?jaar=2025").get_data(as_text=True)
    ids = _ids(page)
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates
    toc = page[page.index('class="stat-toc"'):page.index("</nav>", page.index('class="stat-toc"'))]
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert anchors and all(a in ids for a in anchors)
    # the sections in the report's order
    order = [page.index(f'id="{i}"') for i in ("kerncijfers", "evolutie", "wie", "stat-leeftijd",
                                                 "stat-geslacht", "hoe", "stat-uren",
                                                 "stat-overeenkomst", "stat-methodiek", "stroom",
                                                 "stat-stroom", "stat-duur", "stat-reden",
                                                 "stat-perspectief", "stat-ladder")]
    assert order == sorted(order)
    assert page.count('id="stat-geslacht"') == 1
    # the trend: a table with the five years and a line chart
    trend = page[page.index('id="evolutie"'):page.index('id="wie"')]
    assert "<polyline" in trend and trend.count("<polyline") >= len(stats.HEADLINE_ROWS)
    row = re.search(r'<th scope="row">Actieve cliënten</th>((?:<td class="num">[^<]*</td>)+)', trend)
    assert re.findall(r">([^<]*)</td>", row.group(1)) == ["1", "2", "3", "5", "6"]
    # regions side by side: a column per region plus Vlaanderen, under each figure
    assert page.count("per regio") >= 15
    kern = page[page.index("Kerncijfers 2025 per regio"):]
    kern = kern[:kern.index("</table>")]
    assert re.findall(r'<th scope="col" class="num">([^<]*)</th>', kern) == [
        "Antwerpen", "Limburg", "Oost-Vlaanderen", "Vlaams-Brabant", "West-Vlaanderen", "Brussel",
        "Vlaanderen"]
    row = re.search(r'<th scope="row">Actieve cliënten</th>((?:<td class="num">[^<]*</td>)+)', kern)
    assert re.findall(r">([^<]*)</td>", row.group(1)) == ["2", "4", "0", "0", "0", "0", "6"]
    # a provinciebeheerder, or one region chosen: no regions side by side
    for who, url in (("limburg", "/beheer/statistieken?jaar=2025"),
                     ("super", "/beheer/statistieken?jaar=2025&regio=limburg")):
        other = logged_in_client(app, world["admins"][who]).get(url).get_data(as_text=True)
        assert "per regio" not in other and "Vlaanderen</th>" not in other


# --- /cijfers: the organisation's own figures ------------------------------------------------

def test_own_figures_show_the_organisation_only(app, world, make_org):
    # a second Limburg organisation with one active client in 2025: in the region's figures,
    # never in the first organisation's own figures
    other_id, other_email = make_org(name="Andere Werkplaats QQANDERE", region="limburg")
    with app.app_context():
        other = session.get(Organisation, other_id)
        client = services.create_client(other, client_values(geslacht="x", birth_date=date(1950, 1, 1)),
                                        "QQANDERE naam")
        add_period_values(client.id, date(2025, 2, 1), None, 38)
        session.commit()
    admin = logged_in_client(app, world["admins"]["limburg"])
    region_page = admin.get("/beheer/statistieken?jaar=2025").get_data(as_text=True)
    assert _headline_row(region_page, "Actieve cliënten") == ("4", "5", "+1")

    org = logged_in_client(app, world["limburg_email"])
    menu = org.get("/dashboard").get_data(as_text=True)
    assert 'href="/cijfers"' in menu and ">Cijfers</a>" in menu
    with recorded_statements(app) as statements:
        r = org.get("/cijfers?jaar=2025")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Cijfers 2025 – Atelier Hasselt" in page
    assert _headline_row(page, "Actieve cliënten") == ("4", "4", "0")
    assert _headline_row(page, "Instroom (eerste periode gestart)") == ("1", "1", "0")
    assert _headline_row(page, "Uitstroom (laatste periode beëindigd)") == ("1", "2", "+1")
    assert _headline_row(page, "Organisaties met activiteit") == ("1", "1", "0")
    assert "QQANDERE" not in page and "Werkhuis Antwerpen" not in page and CANARY not in page
    assert "per regio" not in page
    assert not any("name_enc" in s for s in statements)
    # the same figures as the beheer code computes for the organisation alone
    with app.test_request_context():
        from app.beheer.scope import OrganisationScope
        own = stats.compute(OrganisationScope(world["limburg"], session.get(
            Organisation, world["limburg"]).region_id), 2025)
        assert _counts(own.gender) == {"man": 2, "vrouw": 2, "x": 0}
        assert _counts(own.hours) == {"h1": 1, "h2": 1, "h3": 1, "h4": 0, "h5": 1}
        assert own.lengths.count == 3 and own.lengths.median_days == 731
        assert (own.ladder.up, own.ladder.same, own.ladder.down) == (1, 1, 1)
    assert "676,7" in page  # the average length in days
    ids = _ids(page)
    assert len(ids) == len(set(ids))

    # the other organisation sees its own single client
    page = logged_in_client(app, other_email).get("/cijfers?jaar=2025").get_data(as_text=True)
    assert _headline_row(page, "Actieve cliënten") == ("0", "1", "+1")
    assert "Atelier Hasselt" not in page


def test_own_figures_access_and_junk_years(app, world):
    anonymous = app.test_client().get("/cijfers")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    assert logged_in_client(app, world["admins"]["super"]).get("/cijfers").status_code == 403
    org = logged_in_client(app, world["limburg_email"])
    page = org.get("/cijfers").get_data(as_text=True)
    assert f"Cijfers {date.today().year - 1} – Atelier Hasselt" in page
    for query in ("jaar=twintig", "jaar=99999999999999999999", "jaar=1850", "jaar=-1", "jaar=２０２５"):
        assert org.get(f"/cijfers?{query}").status_code == 404, query
    assert org.get("/cijfers?jaar=%00").status_code == 400


def test_a_write_renews_the_own_figures(app, world):
    org = logged_in_client(app, world["limburg_email"])
    page = org.get("/cijfers?jaar=2025").get_data(as_text=True)
    assert _headline_row(page, "Actieve cliënten") == ("4", "4", "0")
    nr = add_client(org, geboortedatum="1992-02-02")
    assert add_period(org, nr, startdatum="2025-04-01").status_code == 302
    page = org.get("/cijfers?jaar=2025").get_data(as_text=True)
    assert _headline_row(page, "Actieve cliënten") == ("4", "5", "+1")
    assert _headline_row(page, "Instroom (eerste periode gestart)") == ("1", "2", "+1")


def test_a_renamed_option_shows_at_once_in_the_cached_report(app, world):
    c = logged_in_client(app, world["admins"]["super"])
    org = logged_in_client(app, world["limburg_email"])
    for client, url in ((c, "/beheer/statistieken?jaar=2025"), (org, "/cijfers?jaar=2025")):
        assert "Psychische/psychiatrische problematiek" in client.get(url).get_data(as_text=True)
    with app.app_context():
        option = session.scalar(select(CodeOption).where(CodeOption.code == "psychische_problematiek"))
        option.label = "Psychische problemen QQNIEUW"
        session.commit()
    for client, url in ((c, "/beheer/statistieken?jaar=2025"), (org, "/cijfers?jaar=2025")):
        assert "Psychische problemen QQNIEUW" in client.get(url).get_data(as_text=True)


def test_age_and_hours_group_boundaries():
    assert [stats.age_group(a) for a in (15, 24, 25, 34, 35, 44, 45, 54, 55, 64, 65, 100)] == [
        "a1", "a1", "a2", "a2", "a3", "a3", "a4", "a4", "a5", "a5", "a6", "a6"]
    assert [stats.hours_group(Decimal(h)) for h in ("0.5", "8", "8.5", "16", "16.5", "24", "24.5",
                                                     "32", "32.5", "38")] == [
        "h1", "h1", "h2", "h2", "h3", "h3", "h4", "h4", "h5", "h5"]


def test_year_choices_come_from_the_counted_periods(app, world):
    # periods from 2020 (nr 4) to a start in 2026 (nr 6): every year in between is offered
    page = logged_in_client(app, world["admins"]["super"]).get("/beheer/statistieken?jaar=2025")
    options = re.findall(r'<option value="(\d{4})"', page.get_data(as_text=True))
    assert options == [str(y) for y in range(max(2026, date.today().year - 1), 2019, -1)]
    page = logged_in_client(app, world["admins"]["super"]).get("/beheer/statistieken?jaar=2012")
    options = re.findall(r'<option value="(\d{4})"', page.get_data(as_text=True))
    assert options[-1] == "2012" and "2016" in options  # the chosen year, and the years between


def test_own_figures_of_an_organisation_without_clients(app, make_org):
    _, email = make_org(name="Lege Werkplaats", region="brussel")
    r = logged_in_client(app, email).get("/cijfers?jaar=2025")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert _headline_row(page, "Actieve cliënten") == ("0", "0", "0")
    assert "Gemiddelde duur</th><td class=\"num\">–</td>" in page
    assert re.findall(r'<option value="(\d{4})"', page) == [str(y) for y in range(
        max(2025, date.today().year - 1), 2024, -1)]


def test_report_pages_are_whole_pages_with_the_cached_report_once(app, world):
    """The report's bytes are encoded once and put into each page (app/templating.py
    render_around): the answer is still one whole page with its headers, the report exactly once,
    the same on a cached view, and nothing of the stand-in left."""
    from app.templating import _PLACE
    for who, path, title in ((world["admins"]["super"], "/beheer/statistieken?jaar=2025",
                              "Statistieken"),
                             (world["limburg_email"], "/cijfers?jaar=2025",
                              "Cijfers 2025 – Atelier Hasselt")):
        c = logged_in_client(app, who)
        first, again = c.get(path), c.get(path)
        for r in (first, again):
            assert r.status_code == 200 and r.mimetype == "text/html"
            assert r.headers["Content-Type"] == "text/html; charset=utf-8"
            assert "Content-Security-Policy" in r.headers
            page = r.get_data(as_text=True)
            assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
            assert str(_PLACE) not in page and "<!--" not in page
            assert page.count('class="stat-toc"') == 1 and page.count('id="kerncijfers"') == 1
            assert title in page and ">Afmelden</button>" in page
            assert "Actieve cliënten" in page  # the accented letters survive the byte joining
            assert int(r.headers["Content-Length"]) == len(r.get_data())
        report = first.get_data()[first.get_data().index(b'class="stat-toc"'):]
        assert report[:2000] in again.get_data()
