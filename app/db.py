"""Engine and per-request session; SQLite pragmas and non-deadlocking write transactions.

Who commits: service functions change objects and flush; the caller (a view or a CLI command)
commits, once, when the whole request succeeded. Two deliberate exceptions, each documented
at the function:
- a service that sends a mail commits first (`accounts._finish`, `auth.services.send_invitation`,
  `request_reset`, `use_token`), so a link in a mail never points at a row that could still be
  rolled back;
- `auth.services.authenticate` commits the failed-login count, lockout and audit record itself:
  the request answers with a refusal, and what happened must be stored whatever the view does next.
"""

import json
import time
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from operator import itemgetter

from flask import current_app, g, has_app_context
from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    LargeBinary,
    Select,
    String,
    case,
    create_engine,
    event,
    exc,
    func,
    null,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.local import LocalProxy

from . import files

# Whether the next SQLite transaction must take the write lock at BEGIN (BEGIN IMMEDIATE).
# Write requests and commands set it, read requests do not, so readers never block each other
# and a writer never upgrades a read lock half-way (which is what deadlocks in SQLite).
_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=True)


def set_write_intent(value: bool) -> None:
    """Mark whether transactions in this context will write (SQLite: BEGIN IMMEDIATE)."""
    _immediate.set(value)


def write_intent(value: bool):
    """Like set_write_intent(), returning a token for reset_write_intent() (a short write inside
    a read request: app/beheer/tally_store.py)."""
    return _immediate.set(value)


def reset_write_intent(token) -> None:
    _immediate.reset(token)


def make_engine(url: str) -> Engine:
    """Create the engine for a database URL with the pragmas and pool settings we rely on."""
    if url.startswith("postgresql"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        engine = create_engine(url, pool_size=10, max_overflow=10, connect_args={"connect_timeout": 5})
        _ping_idle_connections(engine)
        return engine
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                           pool_size=10, max_overflow=20)
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        files.private_sqlite(database)  # 0600, and so its -wal/-shm files too

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")

    return engine


# A pooled PostgreSQL connection is tested (SELECT 1) before use only when it lay idle longer than
# this: a server restart or a dropped connection shows up after a pause, and a busy server reuses
# its connections within milliseconds, where a ping on every checkout (SQLAlchemy's pool_pre_ping)
# cost a round trip per request. A connection that dies while in use invalidates the pool anyway.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):
        since = record.info.get("checked_in")
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as error:  # the pool drops this connection and checks out another
            raise exc.DisconnectionError("an idle pooled connection was dead") from error


def init_app(app) -> None:
    """Create the engine and session factory for this app and close sessions after requests."""
    engine = make_engine(app.config["SQLALCHEMY_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close_session(exc):
        sess = g.pop("db_session", None)
        if sess is not None:
            if exc is not None:
                sess.rollback()
            sess.close()


def get_engine() -> Engine:
    return current_app.extensions["db_engine"]


def _get_session() -> Session:
    if not has_app_context():
        raise RuntimeError("database session used outside an application context")
    sess = g.get("db_session")
    if sess is None:
        sess = current_app.extensions["db_sessionmaker"]()
        g.db_session = sess
    return sess


session: Session = LocalProxy(_get_session)  # type: ignore[assignment]


# --- many rows in one step (SQLite) ------------------------------------------------------------

ROW_POSITION = "row_position"


def row_position(*order_by):
    """The last column of a statement for all_rows(): the row's place in the wanted order."""
    return func.row_number().over(order_by=order_by).label(ROW_POSITION)


def all_rows(connection, statement: Select, params: dict) -> list[tuple]:
    """The rows of a Core select whose last column is row_position(...), in that order, without
    that column.

    On SQLite the rows come packed in one JSON value: one step of the database engine instead of
    one a row. Python's sqlite3 lets go of the GIL at every step, and with waitress's threads
    waiting for it each of those is a hand-off between threads that costs more than the row
    (`python -m bench.per_request --server`: a dashboard page of 50 rows took a third less CPU
    under 8 connections). PostgreSQL sends all rows at once anyway: plain execution there."""
    if connection.dialect.name != "sqlite":
        rows = sorted(connection.execute(statement, params), key=itemgetter(-1))
        return [tuple(row[:-1]) for row in rows]
    packed, decoders = _packed(statement)
    rows = json.loads(connection.execute(packed, params).scalar_one())
    rows.sort(key=itemgetter(-1))
    return [tuple(None if value is None else decode(value)
                  for decode, value in zip(decoders, row[:-1], strict=True)) for row in rows]


def _same(value):
    return value


@lru_cache(maxsize=256)
def _packed(statement: Select):
    """json_group_array over the statement's rows, and a decoder per column (before the
    position). Binary values travel as hex (NULL stays null); dates as their ISO text."""
    rows = statement.subquery()
    *columns, position = rows.c
    if position.name != ROW_POSITION:
        raise ValueError("the last column must be row_position(...)")
    values, decoders = [], []
    for column in columns:
        kind = column.type
        if isinstance(kind, LargeBinary):
            values.append(case((column.is_(None), null()), else_=func.hex(column)))
            decoders.append(bytes.fromhex)
        elif isinstance(kind, Date):
            values.append(column)
            decoders.append(date.fromisoformat)
        elif isinstance(kind, Boolean):
            values.append(column)
            decoders.append(bool)
        elif isinstance(kind, Integer | String):
            values.append(column)
            decoders.append(_same)
        else:
            raise TypeError(f"all_rows cannot carry a {kind!r} column ({column.name})")
    packed = select(func.coalesce(func.json_group_array(func.json_array(*values, position)), "[]"))
    return packed.select_from(rows), tuple(decoders)
