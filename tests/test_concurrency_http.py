"""20 threads × 50 client creations through real HTTP against waitress: exactly 1..1000."""

import threading

import pytest
from helpers import client_form
from live import AppProcess, Session
from sqlalchemy import func, select
from support import PASSWORD

from app.db import session
from app.models import Client

THREADS, PER_THREAD = 20, 50

pytestmark = pytest.mark.slow


def test_thousand_concurrent_creations_get_numbers_1_to_1000(app, db_url, make_org, tmp_path):
    org_id, email = make_org()
    server = AppProcess(tmp_path / "instance-http", db_url, threads=8)
    try:
        login = Session(server)
        assert login.login(email, PASSWORD)[0] == 302
        token = login.csrf()
        errors: list[str] = []
        barrier = threading.Barrier(THREADS)

        def create():
            s = Session(server, cookie=login.cookie)
            barrier.wait()
            for _ in range(PER_THREAD):
                status, _, body = s.post("/clienten/nieuw", client_form(dubbel_bevestigd="y",
                                                                         csrf_token=token))
                if status != 302:
                    errors.append(f"{status}: {body[:200]}")

        threads = [threading.Thread(target=create) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert errors == []
        assert "Traceback" not in server.log_text()
    finally:
        server.stop()
    with app.app_context():
        nrs = list(session.scalars(select(Client.nr).where(Client.organisation_id == org_id)
                                   .order_by(Client.nr)))
        assert session.scalar(select(func.count()).select_from(Client)) == THREADS * PER_THREAD
    assert nrs == list(range(1, THREADS * PER_THREAD + 1))
