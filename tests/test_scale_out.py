"""Several app processes behind one database (and Redis): sessions, logout, throttle, numbering."""

import threading
import uuid

import pytest
from helpers import client_form
from live import AppProcess, Session
from sqlalchemy import select
from support import PASSWORD, PG_URL

from app.db import session
from app.models import Client

pytestmark = pytest.mark.slow


def _redis_or_skip() -> str:
    try:
        import redis
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: not available
        pytest.skip(f"Redis on 127.0.0.1:6379 is unreachable: {type(exc).__name__}")
    return "redis://127.0.0.1:6379"


@pytest.fixture
def two_servers(app, db_url, tmp_path):
    if not PG_URL:
        pytest.skip("multi-instance deployment is tested on PostgreSQL (set TEST_DATABASE_URL)")
    storage = _redis_or_skip()
    prefix = f"aztest-{uuid.uuid4().hex[:8]}"
    servers = []
    for name in ("a", "b"):
        instance = tmp_path / f"instance-{name}"
        instance.mkdir()
        # one prefix for both processes: they share the counters in Redis
        (instance / "config.py").write_text(
            f'RATELIMIT_KEY_PREFIX = "{prefix}"\nLOGIN_LIMIT_PER_ACCOUNT = "6 per minute"\n'
            'LOGIN_LIMIT_PER_IP = "1000 per minute"\nLOCKOUT_AFTER_FAILURES = 100\n')
        servers.append(AppProcess(instance, db_url, RATELIMIT_STORAGE_URI=storage))
    yield servers
    for server in servers:
        server.stop()
    import redis
    r = redis.Redis(host="127.0.0.1", port=6379)
    for key in r.scan_iter(f"{prefix}*"):
        r.delete(key)


def test_session_and_logout_are_shared(two_servers, make_org):
    a, b = two_servers
    _, email = make_org(name="Gedeeld")
    on_a = Session(a)
    assert on_a.login(email, PASSWORD)[0] == 302
    on_b = Session(b, cookie=on_a.cookie)
    status, _, page = on_b.get("/dashboard")
    assert status == 200 and "Gedeeld" in page
    assert on_a.post("/logout", {})[0] == 302
    assert on_b.get("/dashboard")[0] == 302  # the copied cookie is dead on the other process too


def test_login_throttle_counts_across_processes(two_servers, make_org):
    a, b = two_servers
    _, email = make_org()
    statuses = []
    for i in range(8):
        server = a if i % 2 == 0 else b
        statuses.append(Session(server).login(email, "verkeerd-wachtwoord-1")[0])
    assert statuses[:6] == [200] * 6
    assert statuses[6:] == [429, 429]  # the 7th attempt, whichever process gets it


def test_numbers_stay_unique_when_both_create_at_once(app, two_servers, make_org):
    a, b = two_servers
    org_id, email = make_org()
    sessions = []
    for server in (a, b):
        s = Session(server)
        assert s.login(email, PASSWORD)[0] == 302
        sessions.append(s)
    errors = []

    def create(s, n):
        token = s.csrf()
        for _ in range(n):
            status, headers, _ = s.post("/clienten/nieuw", client_form(dubbel_bevestigd="y",
                                                                     csrf_token=token))
            if status != 302:
                errors.append(status)

    threads = [threading.Thread(target=create, args=(s, 15)) for s in sessions for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    with app.app_context():
        nrs = sorted(session.scalars(select(Client.nr).where(Client.organisation_id == org_id)))
    assert nrs == list(range(1, 61))
