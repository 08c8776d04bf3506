"""Infrastructure faults: the database goes away and comes back, the SMTP server hangs or is
down, the SQLite database is read-only or its disk is full.

Each fault must give a Dutch error page (never a traceback, a driver name or a connection
string), must not leave half-written data behind, and the application must recover on its own
once the fault is gone.
"""

import logging
import re
import socket
import threading
import time

import pytest
from helpers import client_form
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from support import PASSWORD, SESSION_COOKIE, free_port, login

from app.db import get_engine, session

LEAKS = ("Traceback", "psycopg", "postgresql://", "postgresql+psycopg", "sqlite3",
         "OperationalError", 'File "/')


def assert_clean_error_page(body: str) -> None:
    for leak in LEAKS:
        assert leak not in body, f"{leak!r} leaked into the error page"


# --- a TCP proxy that can pull the plug ---------------------------------------------------------

class TcpProxy:
    """Forwards a loopback port to a target address. stop() closes the listener and every
    forwarded connection (as a crashed or restarted database would); start() listens on the
    same port again."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        deadline = time.time() + 10
        while True:
            try:
                listener.bind(("127.0.0.1", self.port))
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        listener.listen(64)
        listener.settimeout(0.1)
        self._listener = listener
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, args=(listener, self._stopping),
                                        daemon=True, name="tcp-proxy-accept")
        self._thread.start()

    def _accept_loop(self, listener: socket.socket, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                downstream, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                downstream.close()
                continue
            downstream.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                if stopping.is_set():
                    downstream.close()
                    upstream.close()
                    return
                self._sockets.update((downstream, upstream))
            for src, dst in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True,
                                 name="tcp-proxy-pump").start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._close(src)
            self._close(dst)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            open_sockets = list(self._sockets)
        for sock in open_sockets:
            self._close(sock)


@pytest.fixture
def db_proxy(database, db_url):
    if database.kind != "postgresql":
        pytest.skip("the database-goes-away test needs PostgreSQL (TEST_DATABASE_URL); "
                    "a SQLite file cannot go away over the network")
    url = make_url(db_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    proxy.url = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    yield proxy
    proxy.stop()


@pytest.fixture
def live_through_proxy(db_proxy, make_org, tmp_path):
    from live import AppProcess, Session
    _, email = make_org(name="Proxy Organisatie")
    server = AppProcess(tmp_path / "live-instance", db_proxy.url, threads=4)
    try:
        browser = Session(server)
        status, _, _ = browser.login(email, PASSWORD)
        assert status == 302
        yield server, browser
    finally:
        server.stop()


def _count_clients(app) -> int:
    from app.models import Client
    with app.app_context():
        return session.scalar(select(func.count()).select_from(Client))


def test_database_goes_away_and_comes_back(live_through_proxy, db_proxy, app):
    """Proxy up: 200. Proxy down: /healthz 503 and a Dutch 503 page, also for a form post, with
    nothing leaked and nothing written. Proxy up again: the same process serves 200 again
    (the dead pooled connections are replaced)."""
    server, browser = live_through_proxy
    assert browser.get("/healthz")[0] == 200
    status, _, body = browser.get("/dashboard")
    assert status == 200 and "Actieve cliënten" in body
    token = browser.csrf()  # the form token lives in the signed cookie, not in the database

    db_proxy.stop()
    started = time.monotonic()
    status, _, body = browser.get("/healthz")
    assert status == 503 and body == "database unavailable"
    status, headers, body = browser.get("/dashboard")
    assert status == 503, body[:500]
    assert "Tijdelijk niet beschikbaar" in body and headers["Content-Type"].startswith("text/html")
    assert_clean_error_page(body)
    status, _, body = browser.post("/clienten/nieuw", {**client_form(), "csrf_token": token})
    assert status == 503 and "Tijdelijk niet beschikbaar" in body
    assert_clean_error_page(body)
    assert time.monotonic() - started < 20, "answers while the database is away must be quick"

    db_proxy.start()
    deadline, status = time.monotonic() + 10, None
    while time.monotonic() < deadline:
        status, _, body = browser.get("/dashboard")
        if status == 200:
            break
        time.sleep(0.2)
    assert status == 200, f"/dashboard still answers {status} 10 s after the database came back"
    assert "Actieve cliënten" in body  # still logged in: the session survived the outage
    assert browser.get("/healthz")[0] == 200
    assert server.proc.poll() is None  # the same process, not restarted
    assert _count_clients(app) == 0  # the post during the outage wrote nothing

    log = server.log_text()
    assert db_proxy.url not in log and "postgresql" not in log
    assert "Traceback" not in log


@pytest.mark.parametrize("idle_ping", [True, False], ids=["ping-after-idle", "no-ping"])
def test_a_pooled_connection_that_died_while_idle_is_replaced_before_use(
        db_proxy, make_app, make_org, monkeypatch, idle_ping):
    """A pooled PostgreSQL connection is pinged before use only after lying idle
    (app/db.py PING_AFTER_IDLE_SECONDS; no round trip per request under load). One that the
    server dropped meanwhile (a restart) is then replaced and the page answers 200. The
    'no-ping' case shows what the ping prevents: the same request gets the Dutch 503 page."""
    import app.db as db
    _, email = make_org(name="Idle Organisatie")
    application = make_app(DATABASE_URL=db_proxy.url)
    browser = application.test_client()
    assert login(browser, email).status_code == 302
    assert browser.get("/dashboard").status_code == 200  # the pool now holds a connection
    db_proxy.stop()  # the server drops every connection (as a restart does) ...
    db_proxy.start()  # ... and is back before the next request
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0 if idle_ping else 3600.0)
    time.sleep(0.05)
    response = browser.get("/dashboard")
    if idle_ping:
        assert response.status_code == 200
        assert "Actieve cliënten" in response.get_data(as_text=True)
    else:
        assert response.status_code == 503
        assert "Tijdelijk niet beschikbaar" in response.get_data(as_text=True)
        assert browser.get("/dashboard").status_code == 200  # the pool was renewed after it


# --- SMTP server hanging or down ------------------------------------------------------------------

class SilentSmtp:
    """Accepts TCP connections and never says a word (no 220 greeting)."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="silent-smtp")
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent_smtp():
    server = SilentSmtp()
    yield server
    server.close()


@pytest.mark.parametrize("kind", ["hanging", "closed"])
def test_forgotten_password_answers_at_once_when_smtp_hangs_or_is_down(
        make_app, kind, request, caplog):
    from app import codelists, mailer
    from app.accounts import create_organisation
    if kind == "hanging":
        port = request.getfixturevalue("silent_smtp").port
    else:
        port = free_port()  # nothing listens there: connection refused
    application = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    with application.app_context():
        create_organisation("Mailloos", "mailloos@example.be", codelists.region_by_code("limburg"),
                            PASSWORD)
        session.commit()
    client = application.test_client()
    token = client.csrf_token()

    caplog.set_level(logging.INFO)
    started = time.monotonic()
    r = client.post("/password/new", data={"email": "mailloos@example.be", "csrf_token": token})
    elapsed = time.monotonic() - started
    assert r.status_code == 200 and "Controleer je mailbox" in r.get_data(as_text=True)
    assert elapsed < 2, f"the page waited {elapsed:.1f} s for the SMTP server"

    waited = time.monotonic()
    with application.app_context():
        mailer.wait_for_background()
        assert not application.extensions.get("mail_threads"), "the mail thread still hangs"
    assert time.monotonic() - waited < 8, "MAIL_TIMEOUT was not applied to the SMTP connection"
    if kind == "hanging":
        assert request.getfixturevalue("silent_smtp").accepted, "the mail thread never connected"

    errors = [rec for rec in caplog.records
              if rec.name == "app.mailer" and rec.levelno >= logging.ERROR]
    assert errors, "the failed delivery was not logged as an error"
    assert "could not be sent" in errors[0].getMessage()
    assert "/password/edit/" not in caplog.text, "the reset link (token) ended up in the log"


# --- SQLite: read-only database, full disk --------------------------------------------------------

@pytest.fixture
def sqlite_path(database, db_url):
    if database.kind != "sqlite":
        pytest.skip("read-only file and full disk are SQLite faults; PostgreSQL reports "
                    "its own (server-side) errors")
    return make_url(db_url).database


def test_read_only_sqlite_database_gives_a_dutch_error_page(make_app, sqlite_path):
    """The database file opened read-only (an SQLite URI with mode=ro; as root, file
    permissions would not stop writes; app/db.py passes the URL to SQLAlchemy unchanged, whose
    pysqlite dialect understands `uri=true`). Pages that only read keep working for a user who
    is logged in; the login (which writes its audit event and login session) and a form post
    give a Dutch error page without a traceback, and nothing is written."""
    from app import codelists
    from app.accounts import create_organisation
    writable = make_app()
    with writable.app_context():
        create_organisation("Alleen Lezen", "ro@example.be", codelists.region_by_code("limburg"),
                            PASSWORD)
        session.commit()
    logged_in = writable.test_client()
    assert login(logged_in, "ro@example.be").status_code == 302
    with writable.app_context():
        get_engine().dispose()

    read_only = make_app(DATABASE_URL=f"sqlite:///file:{sqlite_path}?mode=ro&uri=true",
                         TESTING_QUIET_ERRORS=True)
    with read_only.app_context():
        assert str(get_engine().url).endswith("mode=ro&uri=true")
        with pytest.raises(Exception, match="readonly"):
            with get_engine().begin() as conn:
                conn.execute(text("UPDATE organisation SET name = name"))
    client = read_only.test_client()
    assert client.get("/healthz").status_code == 200  # the database answers (reads)
    assert client.get("/arbeidszorginitiatieven").status_code == 200

    r = login(client, "ro@example.be")
    body = r.get_data(as_text=True)
    assert r.status_code in (500, 503), r.status_code
    assert "Tijdelijk niet beschikbaar" in body or "Er ging iets mis" in body
    assert_clean_error_page(body)
    assert 'lang="nl' in body
    assert client.get("/dashboard").status_code == 302  # not logged in

    # the same (signed) session cookie on the read-only app: reading works, writing does not
    reader = read_only.test_client()
    reader.set_cookie(SESSION_COOKIE, logged_in.get_cookie(SESSION_COOKIE).value)
    assert reader.get("/dashboard").status_code == 200
    r = reader.post("/clienten/nieuw", data=client_form())
    body = r.get_data(as_text=True)
    assert r.status_code in (500, 503), r.status_code
    assert "Tijdelijk niet beschikbaar" in body or "Er ging iets mis" in body
    assert_clean_error_page(body)
    assert _count_clients(writable) == 0


def test_full_disk_refuses_the_write_cleanly_and_recovers(app, org_client, sqlite_path):
    """max_page_count just above the current size: clients are added until the database is
    full; the failing post gets a Dutch error page, every redirect is exactly one stored
    client (no half-written one), and once there is room again the app works on."""
    from app.models import Client
    limit = {"pages": None}

    def _cap(dbapi_conn, _record):
        if limit["pages"] is not None:
            dbapi_conn.execute(f"PRAGMA max_page_count = {int(limit['pages'])}")

    with app.app_context():
        engine = get_engine()
        engine.dispose()
        event.listen(engine, "connect", _cap)
        with engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        limit["pages"] = pages + 2
        engine.dispose()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA max_page_count").scalar() == pages + 2

    successes, failure = 0, None
    for i in range(300):
        data = client_form(oud_volgnummer=f"OUD-{i:04d}-" + "x" * 40,
                           naam=("Naam " + "y" * 190)[:200],
                           geboortedatum=f"19{60 + i % 30}-0{1 + i % 9}-1{i % 9}")
        r = org_client.post("/clienten/nieuw", data={**data, "dubbel_bevestigd": "y"})
        if r.status_code == 302:
            successes += 1
            continue
        failure = r
        break
    assert failure is not None, "the database never got full"
    assert successes >= 1, "not even one client fitted: the limit was too tight to test"
    body = failure.get_data(as_text=True)
    assert failure.status_code in (500, 503), failure.status_code
    assert "Tijdelijk niet beschikbaar" in body or "Er ging iets mis" in body
    assert_clean_error_page(body)
    assert "database or disk is full" not in body

    limit["pages"] = None
    with app.app_context():
        get_engine().dispose()  # new connections without the cap
        assert session.scalar(select(func.count()).select_from(Client)
                              .where(Client.organisation_id == org_client.org_id)) == successes
        numbers = sorted(session.scalars(select(Client.nr)
                                         .where(Client.organisation_id == org_client.org_id)))
    assert numbers == list(range(1, successes + 1))

    page = org_client.get("/dashboard")
    assert page.status_code == 200
    r = org_client.post("/clienten/nieuw", data=client_form(geboortedatum="1975-03-03"))
    assert r.status_code == 302 and re.search(rf"/clienten/{successes + 1}/", r.location)
