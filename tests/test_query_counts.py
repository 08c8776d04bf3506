"""List and detail pages run a fixed number of SQL statements and URL builds, whatever the
number of rows; their row links stay right under a URL prefix."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from helpers import client_values
from support import logged_in_client, recorded_statements
from werkzeug.routing import MapAdapter

from app.clients import services
from app.db import get_engine, session
from app.models import Organisation


def _count_queries(app, client, url):
    with recorded_statements(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _add(app, org_id, n, periods_each=1):
    with app.app_context():
        org = session.get(Organisation, org_id)
        for _ in range(n):
            c = services.create_client(org, client_values(birth_date=date(1980, 1, 1)), f"N{_}")
            start = date(2010, 1, 1)
            for p in range(periods_each):
                end = start + timedelta(days=100) if p < periods_each - 1 else None
                services.add_period(c, {"hours": Decimal(10), "start_date": start, "end_date": end,
                                        "reden_stopzetting": "x" if end else None,
                                        "perspectief": "y" if end else None})
                start = start + timedelta(days=200)
        session.commit()


# explicit parameters: plain /dashboard shows the list as last left (a search after the third view)
DASHBOARD_VIEWS = ("/dashboard?tab=actief", "/dashboard?tab=inactief", "/dashboard?q=1&sort=oud_desc")


def test_dashboard_query_count_does_not_grow_with_rows(app, org_client):
    _add(app, org_client.org_id, 3)
    small = [_count_queries(app, org_client, url) for url in DASHBOARD_VIEWS]
    _add(app, org_client.org_id, 45, periods_each=3)
    large = [_count_queries(app, org_client, url) for url in DASHBOARD_VIEWS]
    assert small == large
    assert max(large) <= 6  # 5, plus the look-up of the region's registration round


def test_dashboard_with_a_registration_round_query_count_does_not_grow_with_rows(
        app, org_client, make_admin):
    """With an open round the dashboard shows its checklist: one more statement, whatever the
    number of clients and items (and none of it for the htmx list swap)."""
    from datetime import date as day

    from support import logged_in_client
    beheerder = logged_in_client(app, make_admin("limburg"))
    assert beheerder.post("/beheer/registratierondes", data={
        "jaar": str(day.today().year - 1),
        "deadline": (day.today() + timedelta(days=30)).isoformat()}).status_code == 302
    _add(app, org_client.org_id, 3)
    small = [_count_queries(app, org_client, url) for url in DASHBOARD_VIEWS]
    _add(app, org_client.org_id, 45, periods_each=3)
    _add(app, org_client.org_id, 30, periods_each=0)  # 30 clients without a period: an item
    large = [_count_queries(app, org_client, url) for url in DASHBOARD_VIEWS]
    assert small == large
    assert max(large) <= 7
    assert 'class="checklist"' in org_client.get("/dashboard").get_data(as_text=True)


def test_client_page_query_count_does_not_grow_with_periods(app, org_client):
    _add(app, org_client.org_id, 1, periods_each=1)
    _add(app, org_client.org_id, 1, periods_each=8)
    _count_queries(app, org_client, "/clienten/1")  # the first visit also reads the code lists
    assert _count_queries(app, org_client, "/clienten/1") == _count_queries(app, org_client, "/clienten/2")


def _statements(app, client, url):
    with recorded_statements(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return statements, response


def test_a_login_cookie_costs_healthz_and_static_files_no_lookup(app, client, org_client):
    """Responses whose view does not need the user (the health check, a stylesheet) do not look
    the login session up, and are still never stored by a cache when they carry a login cookie."""
    for url in ("/healthz", "/static/css/app.css"):
        plain, _ = _statements(app, client, url)
        logged_in, response = _statements(app, org_client, url)
        assert logged_in == plain, url
        assert "no-store" in response.headers["Cache-Control"], url
        assert "Cookie" in response.headers.get("Vary", ""), url


def test_a_logged_in_page_checks_its_login_session_once(app, org_client):
    _add(app, org_client.org_id, 3)
    with recorded_statements(app) as statements:
        assert org_client.get("/dashboard").status_code == 200
    assert sum("login_session" in s for s in statements) == 1


def _count_url_builds(monkeypatch, client, url):
    builds = []
    build = MapAdapter.build

    def counting(adapter, endpoint, *args, **kwargs):
        builds.append(endpoint)
        return build(adapter, endpoint, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(MapAdapter, "build", counting)
        assert client.get(url).status_code == 200
    return len(builds)


def test_dashboard_builds_a_fixed_number_of_urls_whatever_the_number_of_rows(app, org_client,
                                                                             monkeypatch):
    _add(app, org_client.org_id, 2)
    for url in DASHBOARD_VIEWS:  # the menu's and footer's links are built at the first view only
        org_client.get(url)
    small = [_count_url_builds(monkeypatch, org_client, url) for url in DASHBOARD_VIEWS]
    _add(app, org_client.org_id, 40, periods_each=2)
    large = [_count_url_builds(monkeypatch, org_client, url) for url in DASHBOARD_VIEWS]
    assert small == large


def test_links_without_parameters_are_built_once_and_follow_the_url_prefix(app, org_client,
                                                                         monkeypatch):
    """The templates' url_for keeps parameterless links (menu, footer, stylesheets) per URL
    prefix (app/urls.py page_links): a second view builds fewer URLs, and the same page behind
    a proxy's prefix (SCRIPT_NAME) links under that prefix, without mixing the two."""
    first = _count_url_builds(monkeypatch, org_client, "/dashboard")
    again = _count_url_builds(monkeypatch, org_client, "/dashboard")
    assert again < first
    prefixed = org_client.get("/dashboard", base_url="http://localhost/az").get_data(
        as_text=True)
    plain = org_client.get("/dashboard").get_data(as_text=True)
    for page, prefix in ((prefixed, "/az"), (plain, "")):
        assert f'href="{prefix}/static/css/app.css"' in page
        assert f'href="{prefix}/cijfers"' in page  # the menu
        assert f'href="{prefix}/toegankelijkheid"' in page  # the footer
    assert 'href="/cijfers"' not in prefixed and 'href="/az/' not in plain


def test_client_page_builds_a_fixed_number_of_urls_whatever_the_number_of_periods(
        app, org_client, monkeypatch):
    _add(app, org_client.org_id, 1, periods_each=1)
    _add(app, org_client.org_id, 1, periods_each=8)
    org_client.get("/clienten/1")  # the menu's and footer's links are built at the first view only
    assert (_count_url_builds(monkeypatch, org_client, "/clienten/1")
            == _count_url_builds(monkeypatch, org_client, "/clienten/2"))


@pytest.mark.parametrize("prefix", ["/registratie", "/regi%20stratie"])
def test_row_links_work_under_a_url_prefix(app, org_client, prefix):
    """Behind a proxy that mounts the app under a prefix (SCRIPT_NAME), every row link of the
    dashboard and of a client page carries the prefix and opens the right page, also after the
    same pages were served without it (the links are kept per prefix: app/urls.py)."""
    _add(app, org_client.org_id, 1, periods_each=1)  # active: its period can be edited
    _add(app, org_client.org_id, 1, periods_each=2)
    _add(app, org_client.org_id, 1, periods_each=0)  # no period yet: one can be added
    at = {"SCRIPT_NAME": prefix}
    # first without the prefix: the row links' templates kept for "" must not serve the prefix
    plain = set()
    for url in ("/dashboard", "/clienten/2"):
        page = org_client.get(url).get_data(as_text=True)
        plain |= set(re.findall(r'href="([^"]*/clienten/\d+[^"]*)"', page))
    assert {"/clienten/1", "/clienten/2/periodes/3/bewerken"} <= plain
    assert all(link.startswith("/clienten/") for link in plain), plain
    links = set()
    for url in ("/dashboard", "/dashboard?tab=inactief", "/clienten/1", "/clienten/2"):
        page = org_client.get(url, environ_overrides=at).get_data(as_text=True)
        links |= set(re.findall(r'href="([^"]*/clienten/\d+[^"]*)"', page))
    expected = {"/clienten/1", "/clienten/1/periodes/1/bewerken", "/clienten/2",
                "/clienten/2/periodes/2/bewerken",
                "/clienten/2/periodes/3/bewerken", "/clienten/3", "/clienten/3/periodes/nieuw"}
    assert links >= {prefix + path for path in expected}
    for link in links:
        assert link.startswith(prefix + "/clienten/"), link
        response = org_client.get(link[len(prefix):], environ_overrides=at)
        assert response.status_code == 200, link


def test_url_template_fills_in_like_url_for(app):
    from flask import url_for

    from app.urls import url_template
    with app.test_request_context(environ_overrides={"SCRIPT_NAME": "/a%b"}):
        template = url_template("clients.edit_period", "nr", "period_id")
        assert template % (12, 3456) == url_for("clients.edit_period", nr=12, period_id=3456)
        with pytest.raises(ValueError):  # the parameters must be given in the URL's order
            url_template("clients.edit_period", "period_id", "nr")


SHOWN_COLUMNS = ["client.nr", "client.old_nr", "client.name_enc", "client.last_start",
                 "client.last_end", "client.last_period_id"]


@pytest.mark.parametrize("url", DASHBOARD_VIEWS + ("/dashboard?sort=oud_asc&page=2",
                                                    "/dashboard?q=1&page=1", "/dashboard?q=1&page=7"))
def test_the_dashboard_list_reads_only_the_columns_it_shows(app, org_client, url):
    """The page's rows are read as the six shown columns (no ORM object with the client's other
    data); the count reads no column at all. A search reads its rows with the number of matches
    in one statement, and counts apart only for a page past the end (which shows the last page)."""
    _add(app, org_client.org_id, 3)
    statements, response = _statements(app, org_client, url)
    listing = [s for s in statements if re.search(r"\bFROM client\b", s)]
    counts = [s for s in listing if re.match(r"SELECT count\(\*\) AS \w+\s+FROM client\s+WHERE", s)]
    rows = [s for s in listing if s not in counts]
    search, past_the_end = "q=" in url, "page=7" in url
    assert (len(counts), len(rows)) == ((0, 1) if search and not past_the_end
                                        else (1, 2) if past_the_end else (1, 1)), listing
    for statement in rows:
        # the select of the client table (on SQLite inside the one that packs the rows into one
        # JSON value, app.db.all_rows), then each row's place in the order
        selected = re.search(r"SELECT ((?:(?!SELECT).)*?)\s+FROM client\b", statement, re.S).group(1)
        selected, position = re.fullmatch(r"(.*), (row_number\(\) OVER \(.*\)) AS row_position",
                                          selected, re.S).groups()
        assert [re.sub(r"\s+AS \w+$", "", c.strip()) for c in selected.split(",")] == (
            SHOWN_COLUMNS + (["page.total"] if search else []))
    if search:
        assert "Pagina 1 van 1" not in response.get_data(as_text=True)  # one page: no pager
        assert re.search(r'<tr><td[^>]*>1</td>', response.get_data(as_text=True))  # client 1 matches


def test_the_dashboard_looks_for_login_change_notices_only_after_a_change(app, make_org,
                                                                         make_admin):
    """Without a beheerder's change of one of its logins the dashboard runs no login-change query
    at all; after one it shows the notice (and runs that one query)."""
    org_id, email = make_org()
    org = logged_in_client(app, email)
    statements, page = _statements(app, org, "/dashboard")
    assert not [s for s in statements if "FROM login_change" in s]
    assert "Een beheerder heeft" not in page.get_data(as_text=True)

    beheer = logged_in_client(app, make_admin("limburg"))
    assert beheer.post(f"/beheer/organisaties/{org_id}/bewerken", data={
        "name": "Testorganisatie", "region": "limburg", "email": "opvolger@example.be"}).status_code == 302
    statements, page = _statements(app, org, "/dashboard")
    assert len([s for s in statements if "FROM login_change" in s]) == 1
    assert "Een beheerder heeft" in page.get_data(as_text=True)
    # the swapped list (search, tabs, pager) shows no notice and does not look for one
    with recorded_statements(app) as statements:
        assert org.get("/dashboard?q=1", headers={"HX-Request": "true"}).status_code == 200
    assert not [s for s in statements if "FROM login_change" in s]


def test_a_login_change_is_looked_for_until_it_can_no_longer_be_shown(app):
    """may_have_notices: from the request until NOTICE_DAYS after the links expire (the latest a
    change can take effect), and not before any change."""
    from app.auth import login_change
    from app.models import utcnow
    with app.app_context():
        cfg = app.config
        org = Organisation(name="x", region_id=1)
        assert not login_change.may_have_notices(org)
        lapse = (timedelta(hours=cfg["LOGIN_CHANGE_DELAY_HOURS"])
                 + timedelta(days=cfg["INVITE_TOKEN_DAYS"] + login_change.NOTICE_DAYS))
        org.last_login_change_at = utcnow() - lapse + timedelta(hours=1)
        assert login_change.may_have_notices(org)
        org.last_login_change_at = utcnow() - lapse - timedelta(days=2)
        assert not login_change.may_have_notices(org)


def test_sqlite_counts_and_picks_the_page_from_the_index_alone(app, org_client):
    """The count and the subquery that picks the page's numbers are answered by the index
    ix_client_organisation_id_nr_last_end_old_nr without reading the client rows, on every tab,
    sort and search (PostgreSQL's planner decides by its statistics, so only SQLite is checked)."""
    _add(app, org_client.org_id, 3)
    with app.app_context():
        if get_engine().dialect.name != "sqlite":
            pytest.skip("SQLite's query plan")
        for tab in services.TABS:
            for sort in services.SORTS:
                for search in ("", "old", "nr"):
                    count, rows = services._listing_statements(tab, sort, search)
                    for statement in (count, rows):
                        compiled = statement.compile(session.get_bind())
                        params = {"org": 1, "day": date.today(), "nr": 1, "prefix": "1%",
                                  "limit": 50, "offset": 0}
                        plan = session.connection().exec_driver_sql(
                            "EXPLAIN QUERY PLAN " + str(compiled),
                            tuple(params[name] for name in compiled.positiontup)).all()
                        scans = [row[3] for row in plan if "client" in row[3]]
                        assert any("COVERING INDEX ix_client_organisation_id_nr_last_end_old_nr"
                                   in s for s in scans), (tab, sort, search, scans)
                        assert not [s for s in scans if s.startswith("SCAN client")], scans


def test_search_pages_and_totals_match_a_count_of_the_clients(app, org_client):
    """The search's window count gives the same pages and totals as counting by hand, also for a
    page past the end (the last page) and a search that finds nothing."""
    with app.app_context():
        org = session.get(Organisation, org_client.org_id)
        for i in range(1, 121):
            services.create_client(org, client_values(old_nr=f"A-{i}" if i % 3 else f"b{i}"), None)
        session.commit()
        today = date.today()
        olds = {nr: (f"A-{nr}" if nr % 3 else f"b{nr}") for nr in range(1, 121)}
        for q, expected in (("a-", [n for n, o in olds.items() if o.lower().startswith("a-")]),
                            ("12", [n for n, o in olds.items()
                                    if n == 12 or o.lower().startswith("12")]),
                            ("b1", [n for n, o in olds.items() if o.startswith("b1")]),
                            ("zz", [])):
            for page in (1, 2, 9):
                listing = services.list_clients(org, "actief", q, "nr_asc", page, today, 20)
                pages = max(1, -(-len(expected) // 20))
                shown = min(page, pages)
                assert listing.page.total == len(expected), (q, page)
                assert listing.page.number == shown, (q, page)
                assert [r.nr for r in listing.rows] == expected[(shown - 1) * 20:shown * 20], (q, page)


def test_the_report_fingerprint_reads_the_organisation_versions_index_alone(app, org_client):
    """Every view of the report reads the fingerprint of its organisations' data versions. Every
    write renews a version, so on PostgreSQL the organisation table holds dead row versions until
    vacuum (93 MB for 1,000 organisations on the benchmark data: 12 ms a scan); the index
    ix_organisation_region_id_id_data_version (migration 0013) answers it alone, for every scope.
    PostgreSQL is asked after a vacuum, with table scans discouraged (its planner reads a test's
    handful of rows from the table otherwise): an index that does not cover the query shows as a
    table or bitmap heap scan."""
    from app.beheer.scope import Scope
    from app.beheer.statistics import _fingerprint_statement
    with app.app_context():
        dialect = get_engine().dialect.name
        if dialect == "postgresql":  # as autovacuum leaves it: the visibility map set
            with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE organisation")
        connection = session.connection()
        if dialect == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
        cases = [(Scope(1, None, True), None), (Scope(1, None, True), 2), (Scope(2, 2, False), None),
                 (Scope(2, 2, False), 2)]
        for scope, region_id in cases:
            sql = str(_fingerprint_statement(scope, region_id).compile(
                session.get_bind(), compile_kwargs={"literal_binds": True}))
            if dialect == "sqlite":
                plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
                assert any("COVERING INDEX ix_organisation_region_id_id_data_version" in step
                           for step in plan), (scope, region_id, plan)
            else:
                plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + sql))
                assert "Index Only Scan using ix_organisation_region_id_id_data_version" in plan, plan
                assert "Seq Scan" not in plan and "Heap Scan" not in plan, plan
        session.rollback()
