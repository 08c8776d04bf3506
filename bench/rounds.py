"""Registration rounds on the benchmark data: time and statements of the pages that read them.

    INSTANCE_PATH=… [DATABASE_URL=…] python -m bench.rounds

Needs a database seeded with `seed-demo --organisations 1000 --clients 100000` (one organisation
of 2,000 clients). Opens an all-regions round for last year (once), then measures over HTTP with
the test client (median of 7 after one warm-up): the largest organisation's dashboard with the
checklist, the round page for the superbeheerder (every organisation) and for one
provinciebeheerder, the list of rounds, and `confirmed_count` alone.
"""

import re
import statistics
import time
from datetime import date, timedelta

from sqlalchemy import event, func, select

from app import create_app
from app.beheer import rounds
from app.beheer.scope import Scope
from app.db import get_engine, session
from app.demo import DEMO_PASSWORD
from app.models import Account, Client, RegistrationRound

RUNS = 7


def _login(app, email):
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    r = c.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1)})
    assert r.status_code == 302, r.status_code
    return c


def _measure(app, fn):
    statements = []

    def count(*args):
        statements.append(1)

    fn()
    with app.app_context():
        engine = get_engine()
    times = []
    for _ in range(RUNS):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times) * 1000, len(statements)


def main():
    app = create_app({"RATELIMIT_ENABLED": False, "REQUIRE_2FA_BEHEER": False})
    with app.app_context():
        year = date.today().year - 1
        super_admin = session.scalar(select(Account).where(Account.is_super.is_(True)).limit(1))
        scope = Scope.of(super_admin)
        round_ = session.scalar(select(RegistrationRound).where(RegistrationRound.year == year,
                                                                RegistrationRound.region_id.is_(None)))
        if round_ is None:
            with app.test_request_context():
                round_ = rounds.open_round(scope, year, date.today() + timedelta(days=30), None)
                session.commit()
        round_id = round_.id
        big_org = session.execute(select(Client.organisation_id, func.count()).group_by(
            Client.organisation_id).order_by(func.count().desc()).limit(1)).first()
        org_login = session.scalar(select(Account.email).where(
            Account.organisation_id == big_org[0], Account.is_main.is_(True)))
        prov = session.scalar(select(Account.email).where(Account.kind == "admin",
                                                          Account.is_super.is_(False)).limit(1))
        super_email = super_admin.email
    org, superb, province = _login(app, org_login), _login(app, super_email), _login(app, prov)
    cases = [
        (f"dashboard, largest organisation ({big_org[1]} clients), checklist shown",
         lambda: org.get("/dashboard")),
        ("dashboard list swap (htmx), no round look-up", lambda: org.get(
            "/dashboard", headers={"HX-Request": "true"})),
        ("round page, superbeheerder (every organisation)",
         lambda: superb.get(f"/beheer/registratierondes/{round_id}")),
        ("round page, provinciebeheerder", lambda: province.get(f"/beheer/registratierondes/{round_id}")),
        ("list of rounds, superbeheerder", lambda: superb.get("/beheer/registratierondes")),
    ]
    print(f"database: {app.config.get('DATABASE_URL') or 'SQLite (instance)'}")
    print("| what | median ms | statements |\n|---|---|---|")
    for label, fn in cases:
        assert fn().status_code == 200, label
        ms, n = _measure(app, fn)
        print(f"| {label} | {ms:.0f} | {n} |")
    with app.app_context():
        ms, n = _measure(app, lambda: rounds.confirmed_count(scope, None, year))
        print(f"| confirmed_count, all regions | {ms:.1f} | {n} |")


if __name__ == "__main__":
    main()
