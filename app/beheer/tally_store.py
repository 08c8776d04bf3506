"""Each organisation's counts of a year, stored in the database (table statistics_tally), so that a
new process (a restart, every worker of a multi-process server) does not count every
organisation again for its first view of the yearly report.

A stored row is used only when it can not be stale:
- its `data_version` equals the version of the organisation the report reads (the version is
  renewed in every transaction that writes one of its clients or periods, app/dataversion.py);
- its `layout` equals `LAYOUT`: a fingerprint of how the counts are made (a code change that
  counts differently changes it, and every stored row is ignored);
- it is for the same year (the trend years follow from the year).
The counts are by code (labels, the ladder's rungs and the order of the options are applied when
the report is built), so a change of a code list needs no recount. No name is ever stored: the
payload holds codes and numbers only.

`save()` writes in its own short transaction, on its own connection, after the counting (never
in the reader's transaction) and only for organisations whose committed version is still the one
counted: a write that committed in between makes the row simply not stored, a reader that counted
its own uncommitted writes stores nothing. When the database is busy (SQLite: another writer holds
the lock) the rows are skipped after a short wait; the next view stores them.
"""

import json
import logging
import threading
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import astuple, fields
from datetime import date

from sqlalchemy import Integer, Text, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from .. import db
from ..db import get_engine, session
from ..models import CLIENT_CODE_FIELDS, Organisation, StatisticsTally
from . import statistics as stats

log = logging.getLogger(__name__)

LAYOUT_REVISION = 1  # raise when tally_organisations() counts differently
LAYOUT = zlib.crc32(repr((LAYOUT_REVISION, stats.TREND_YEARS, stats.AGE_LIMITS, stats.AGE_CODES,
                          stats.HOURS_LIMITS, stats.HOURS_CODES, tuple(CLIENT_CODE_FIELDS),
                          tuple(f.name for f in fields(stats.Headline)))).encode()) & 0x7FFFFFFF
IN_LIST_LIMIT = 500  # up to this many organisations, their rows are asked for by id
BUSY_MS = 250  # how long a save waits for a busy database before it gives up


# --- payload -------------------------------------------------------------------------------

def _pairs(counter: Counter) -> list:
    return sorted(([k, n] for k, n in counter.items() if n), key=lambda kv: (kv[0] is None, kv[0]))


def dumps(tally: stats.Tally) -> str:
    """The counts as compact JSON (codes, numbers and three dates; never a name)."""
    return json.dumps({
        "h": {str(y): list(astuple(h)) for y, h in tally.headlines.items()},
        "f": {name: _pairs(counter) for name, counter in tally.fields.items()},
        "a": _pairs(tally.age), "u": _pairs(tally.hours), "r": _pairs(tally.reasons),
        "p": _pairs(tally.perspectives), "d": _pairs(tally.days),
        "s": [d.isoformat() if d is not None else None for d in tally.span],
    }, separators=(",", ":"))


def loads(year: int, text: str) -> stats.Tally:
    data = json.loads(text)
    headlines = {int(y): stats.Headline(*values) for y, values in data["h"].items()}
    fields = {name: Counter() for name in CLIENT_CODE_FIELDS}
    for name, pairs in data["f"].items():
        fields[name] = Counter(dict(pairs))  # dict() of [key, n] pairs: at C speed
    return stats.Tally(year, headlines, fields, *(Counter(dict(data[key])) for key in "aurpd"),
                       tuple(date.fromisoformat(d) if d else None for d in data["s"]))


# --- reading and writing -------------------------------------------------------------------

def load(year: int, versions: dict[int, int], region_id: int | None = None) -> dict[int, stats.Tally]:
    """{organisation: its stored counts of `year`} for those of `versions` ({organisation: data
    version}) whose stored row has exactly that version and the current layout; one statement."""
    if not versions:
        return {}
    query = select(StatisticsTally.organisation_id, StatisticsTally.data_version,
                   StatisticsTally.payload).where(StatisticsTally.year == year,
                                                  StatisticsTally.layout == LAYOUT)
    if len(versions) <= IN_LIST_LIMIT:
        query = query.where(StatisticsTally.organisation_id.in_(list(versions)))
    else:  # many: every current row of the year (of the region), checked below
        query = query.join(Organisation, (Organisation.id == StatisticsTally.organisation_id)
                           & (Organisation.data_version == StatisticsTally.data_version))
        if region_id is not None:
            query = query.where(Organisation.region_id == region_id)
    return {org_id: loads(year, payload)
            for org_id, version, payload in session.execute(query)
            if versions.get(org_id) == version}


@contextmanager
def _short_write(engine):
    """A connection in a write transaction of its own that waits at most BUSY_MS for a lock."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.connection.driver_connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        token = db.write_intent(True)  # SQLite: BEGIN IMMEDIATE (the lock up front)
        try:
            with conn.begin():
                if not sqlite:
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{BUSY_MS}ms'")
                yield conn
        finally:
            db.reset_write_intent(token)
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA busy_timeout=30000")


def save(year: int, counted: dict[int, tuple[int, stats.Tally]]) -> None:
    """Store {organisation: (the data version counted, its counts)} of `year`, for the
    organisations whose committed version is still the one counted (one INSERT … SELECT that
    checks it, in a transaction of its own). When the database is busy nothing is stored:
    storing is an optimisation, never an error."""
    if not counted:
        return
    columns = ("organisation_id", "year", "data_version", "layout", "payload")
    still_current = select(Organisation.id, bindparam("year", type_=Integer),
                           bindparam("data_version", type_=Integer),
                           bindparam("layout", type_=Integer), bindparam("payload", type_=Text)) \
        .where(Organisation.id == bindparam("org", type_=Integer),
               Organisation.data_version == bindparam("data_version", type_=Integer))
    rows = [{"org": org_id, "year": year, "data_version": version, "layout": LAYOUT,
             "payload": dumps(tally)} for org_id, (version, tally) in counted.items()]
    try:
        with _short_write(get_engine()) as conn:
            insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            stmt = insert(StatisticsTally).from_select(columns, still_current)
            stmt = stmt.on_conflict_do_update(
                index_elements=[StatisticsTally.organisation_id, StatisticsTally.year],
                set_={name: stmt.excluded[name] for name in columns[2:]})
            conn.execute(stmt, rows)
    except DBAPIError as error:  # busy or locked: the next view stores them
        log.warning("statistics counts not stored (%s): %s", type(error.orig).__name__, error.orig)


# --- warming a new process ----------------------------------------------------------------

def warm_up(app) -> None:
    """Read the stored counts of the default year (the last complete one) of every organisation
    into this process's cache, counting and storing those missing, and compile the report's
    templates: the first view of the report in a new process then recounts only what was
    written since, and decodes nothing."""
    from datetime import date as _date

    from .scope import Scope
    with app.app_context():
        db.set_write_intent(False)  # a reader: SQLite BEGIN, not BEGIN IMMEDIATE
        everything = Scope(account_id=0, region_id=None, is_super=True)
        stats.region_tallies(everything, stats.default_year(_date.today()), None, cache=True)
        for name in ("beheer/statistics.html", "beheer/_report.html"):
            app.jinja_env.get_template(name)


def warm_on_first_request(app) -> None:
    """Start warm_up() in a background thread at the server's first request (a server, not a
    command: wsgi.py and `flask serve` call this). A failure is logged, never shown."""
    if "statistics_warm_up" in app.extensions:
        return  # registered already (`flask --app wsgi serve`)
    threads = app.extensions["statistics_warm_up"] = []  # the thread, once started
    started = threading.Lock()

    def run():
        try:
            warm_up(app)
        except Exception:  # noqa: BLE001 — warming is an optimisation
            log.exception("warming the statistics cache failed")

    @app.before_request
    def _start_warm_up():
        if started.acquire(blocking=False):
            threads.append(threading.Thread(target=run, name="statistics-warm-up", daemon=True))
            threads[0].start()
