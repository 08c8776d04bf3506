"""Clients and periods of one organisation. Every lookup is scoped here: clients_of, or a
prebuilt statement with the organisation bound (`org`)."""

import functools
from collections import namedtuple
from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import Date, Integer, Select, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import selectinload

from .. import pagination
from ..db import all_rows, row_position, session
from ..models import CLIENT_CODE_FIELDS, Client, Organisation, Period
from ..pagination import Page
from ..params import ascii_int
from . import names, rules

SORTS = {
    "nr_asc": "volgnummer (laag naar hoog)",
    "nr_desc": "volgnummer (hoog naar laag)",
    "oud_asc": "oud volgnummer (laag naar hoog)",
    "oud_desc": "oud volgnummer (hoog naar laag)",
}
TABS = {"actief": "Actieve cliënten", "inactief": "Niet-actieve cliënten"}


_client = Client.__table__.c  # plain table columns, for the prebuilt Core statements below
_period = Period.__table__.c


def clients_of(org: Organisation) -> Select:
    """The only way to query clients: always filtered on the organisation."""
    return select(Client).where(Client.organisation_id == org.id)


def get_client(org: Organisation, nr: int, with_periods: bool = False) -> Client:
    """The organisation's client with this volgnummer, or 404."""
    query = clients_of(org).where(Client.nr == nr)
    if with_periods:
        query = query.options(selectinload(Client.periods))
    client = session.scalar(query)
    if client is None:
        abort(404)
    return client


class ClientView:
    """A client and its periods as the client page shows them: read-only, from one Core statement
    of the shown columns (see client_page). `client[name]` reads a column, as on the model."""

    def __init__(self, values: dict, periods: list):
        self.__dict__.update(values)
        self.periods = periods  # PeriodRow, oldest first

    def __getitem__(self, name: str):
        return self.__dict__[name]


_PAGE_COLUMNS = ("organisation_id", "nr", "old_nr", "name_enc", "birth_date", "postcode_woonplaats",
                 "postcode_tewerkstelling", *CLIENT_CODE_FIELDS, "last_period_id", "last_end")
_PERIOD_COLUMNS = ("id", "start_date", "end_date", "hours", "reden_stopzetting", "perspectief")
PeriodRow = namedtuple("PeriodRow", _PERIOD_COLUMNS)
_CLIENT_PAGE = (
    select(*(_client[name] for name in _PAGE_COLUMNS),
           *(_period[name].label(f"period_{name}") for name in _PERIOD_COLUMNS))
    .select_from(Client.__table__.outerjoin(Period.__table__, _period.client_id == _client.id))
    .where(_client.organisation_id == bindparam("org"), _client.nr == bindparam("nr"))
    .order_by(_period.start_date, _period.id))


def client_page(org: Organisation, nr: int) -> ClientView:
    """The organisation's client with this volgnummer and its periods, for reading (the client
    page), or 404: one prebuilt statement on the connection, no ORM objects."""
    rows = session.connection().execute(_CLIENT_PAGE, {"org": org.id, "nr": nr}).all()
    if not rows:
        abort(404)
    first = rows[0]._mapping
    periods = [PeriodRow(*(row._mapping[f"period_{name}"] for name in _PERIOD_COLUMNS))
               for row in rows if row._mapping["period_id"] is not None]
    return ClientView({name: first[name] for name in _PAGE_COLUMNS}, periods)


def get_period(org: Organisation, nr: int, period_id: int) -> tuple[Client, Period]:
    """A period of the organisation's client, or 404 (also when it belongs to another client)."""
    client = get_client(org, nr, with_periods=True)
    period = next((p for p in client.periods if p.id == period_id), None)
    if period is None:
        abort(404)
    return client, period


def next_number(org: Organisation) -> int:
    """Hand out the next volgnummer: one atomic UPDATE … RETURNING, rolled back with its transaction."""
    return session.execute(
        update(Organisation).where(Organisation.id == org.id)
        .values(last_client_nr=Organisation.last_client_nr + 1)
        .returning(Organisation.last_client_nr)).scalar_one()


def create_client(org: Organisation, fields: dict, name: str | None) -> Client:
    """A new client with the next volgnummer and its name sealed; the caller commits."""
    nr = next_number(org)
    client = Client(organisation_id=org.id, nr=nr, name_enc=names.seal(org, nr, name), **fields)
    session.add(client)
    session.flush()
    return client


def update_client(org: Organisation, client: Client, fields: dict, name: str | None) -> None:
    for key, value in fields.items():
        setattr(client, key, value)
    client.name_enc = names.seal(org, client.nr, name)


def possible_duplicates(org: Organisation, birth: date, geslacht: str, postcode: str,
                        exclude_id: int | None = None) -> list[int]:
    """Volgnummers of clients with the same birth date, gender and home postcode."""
    query = (select(Client.nr).where(Client.organisation_id == org.id, Client.birth_date == birth,
                                     Client.geslacht == geslacht,
                                     Client.postcode_woonplaats == postcode).order_by(Client.nr))
    if exclude_id is not None:
        query = query.where(Client.id != exclude_id)
    return list(session.scalars(query))


def spans(client: Client, without: int | None = None) -> list[rules.Span]:
    return [rules.Span(p.id, p.start_date, p.end_date) for p in client.periods if p.id != without]


def add_period(client: Client, values: dict) -> Period:
    """Add a period to a client (the caller commits)."""
    period = Period(client_id=client.id, **values)
    client.periods.append(period)
    session.flush()
    note_last_period(client)
    return period


def update_period(client: Client, period: Period, values: dict) -> None:
    for key, value in values.items():
        setattr(period, key, value)
    session.flush()
    note_last_period(client)


def note_last_period(client: Client) -> None:
    """Keep the client's copy of its latest period (what the dashboard lists and filters on)."""
    last = max(client.periods, key=lambda p: p.start_date, default=None)
    client.last_period_id = last.id if last else None
    client.last_start = last.start_date if last else None
    client.last_end = last.end_date if last else None


def refresh_last_periods(organisation_id: int) -> None:
    """Recompute the latest-period copy of every client of an organisation (after bulk inserts)."""
    latest = (select(Period).where(Period.client_id == Client.id)
              .order_by(Period.start_date.desc()).limit(1))
    session.execute(update(Client).where(Client.organisation_id == organisation_id).values(
        last_period_id=latest.with_only_columns(Period.id).scalar_subquery(),
        last_start=latest.with_only_columns(Period.start_date).scalar_subquery(),
        last_end=latest.with_only_columns(Period.end_date).scalar_subquery()))


def is_active(client: Client, today: date) -> bool:
    return rules.is_active(client.last_end, client.last_period_id is not None, today)


@dataclass(slots=True)
class Row:
    nr: int
    old_nr: str | None
    name: str
    start: date | None
    end: date | None
    period_id: int | None
    active: bool


@dataclass
class Listing:
    rows: list[Row]
    page: Page
    tab: str
    q: str
    sort: str


_ORDER = {
    "nr_asc": (_client.nr.asc(),),
    "nr_desc": (_client.nr.desc(),),
    "oud_asc": (_client.old_nr.is_(None), func.length(_client.old_nr).asc(), _client.old_nr.asc(),
                _client.nr.asc()),
    "oud_desc": (_client.old_nr.is_(None), func.length(_client.old_nr).desc(),
                 _client.old_nr.desc(), _client.nr.asc()),
}


@functools.cache
def _listing_statements(tab: str, sort: str, search: str) -> tuple[Select, Select]:
    """The count and the rows statement of one kind of dashboard list (tab, sort, and the kind of
    search: "" none, "old" an old number's beginning, "nr" also a number), built once per process
    so a request neither builds SQL expressions nor their cache key. The values are bound when
    executed: org, day, prefix, nr, limit, offset. Plain table columns, executed on the
    connection (Core): the rows are tuples of the six shown columns, no ORM objects.

    The rows statement picks the page's numbers first, in a subquery that the index
    ix_client_organisation_id_nr_last_end_old_nr answers alone, and reads the shown columns of
    those 50 clients only: a middle page skips the other rows in the index instead of reading
    them from the table. A search has to test every client of the tab in that index, so it does
    so once: its rows carry the number of matches as a seventh column (a window count) and the
    count statement is only needed for a page past the end."""
    active = rules.client_active_on(bindparam("day", type_=Date))
    where = [_client.organisation_id == bindparam("org"), active if tab == "actief" else ~active]
    if search:
        cond = func.lower(_client.old_nr).like(bindparam("prefix"))
        if search == "nr":
            cond = or_(_client.nr == bindparam("nr"), cond)
        where.append(cond)
    order = _ORDER[sort]
    count = select(func.count()).select_from(Client.__table__).where(*where)
    shown = (_client.nr, _client.old_nr, _client.name_enc, _client.last_start, _client.last_end,
             _client.last_period_id)
    limit, offset = bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)
    if search:
        page = (select(_client.nr, func.count().over().label("total")).where(*where)
                .order_by(*order).limit(limit).offset(offset).subquery("page"))
        rows = (select(*shown, page.c.total, row_position(*order))
                .select_from(Client.__table__.join(page, and_(
                    _client.organisation_id == bindparam("org"), _client.nr == page.c.nr)))
                .order_by(*order))
    else:
        page_nrs = (select(_client.nr).where(*where).order_by(*order).limit(limit).offset(offset)
                    .correlate(None))
        rows = (select(*shown, row_position(*order)).where(_client.organisation_id == bindparam("org"),
                                     _client.nr.in_(page_nrs))
                .order_by(*order))
    return count, rows


def list_clients(org: Organisation, tab: str, q: str, sort: str, page: int, today: date,
                 per_page: int | None = None) -> Listing:
    """One page of the dashboard in two indexed statements (count, rows), a search in one; names
    of that page only."""
    q = q.strip()[:50]
    nr = ascii_int(q, min=1) if q else None
    search = "" if not q else "nr" if nr is not None else "old"
    count, rows = _listing_statements(tab, sort, search)
    per_page = per_page or pagination.CLIENTS_PER_PAGE
    values = {"org": org.id, "day": today, "nr": nr, "limit": per_page,
              "prefix": q.lower().replace("%", "").replace("_", "") + "%"}
    connection = session.connection()
    result = None
    if search:  # the rows first: they carry the total
        requested = max(page, 1)
        found = all_rows(connection, rows, {**values, "offset": (requested - 1) * per_page})
        if found or requested == 1:
            shown, result = Page.of(requested, found[0][6] if found else 0, per_page), found
    if result is None:  # a list, or a search's page past the end: count, then that page
        shown = Page.of(page, connection.execute(count, values).scalar_one(), per_page)
        result = all_rows(connection, rows, {**values, "offset": shown.offset})
    name = names.revealer(org)
    active = tab == "actief"
    return Listing([Row(row[0], row[1], name(row[0], row[2]), row[3], row[4], row[5], active)
                    for row in result], shown, tab, q, sort)
