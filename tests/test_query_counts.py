"""List and detail pages run a fixed number of SQL statements, whatever the number of rows."""

from datetime import date, timedelta
from decimal import Decimal

from conftest import recorded_statements
from helpers import client_values

from app.clients import services
from app.db import session
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


def test_dashboard_query_count_does_not_grow_with_rows(app, org_client):
    _add(app, org_client.org_id, 3)
    small = _count_queries(app, org_client, "/dashboard")
    _add(app, org_client.org_id, 45, periods_each=3)
    large = _count_queries(app, org_client, "/dashboard")
    assert small == large
    assert large <= 5


def test_client_page_query_count_does_not_grow_with_periods(app, org_client):
    _add(app, org_client.org_id, 1, periods_each=1)
    _add(app, org_client.org_id, 1, periods_each=8)
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
