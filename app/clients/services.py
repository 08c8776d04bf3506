"""Clients and periods of one organisation. Every lookup is scoped here (clients_of)."""

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import selectinload

from .. import pagination
from ..db import session
from ..models import Client, Organisation, Period
from ..pagination import Page, page_of
from ..params import ascii_int
from . import names, rules

SORTS = {
    "nr_asc": "volgnummer (laag naar hoog)",
    "nr_desc": "volgnummer (hoog naar laag)",
    "oud_asc": "oud volgnummer (laag naar hoog)",
    "oud_desc": "oud volgnummer (hoog naar laag)",
}
TABS = {"actief": "Actieve cliënten", "inactief": "Niet-actieve cliënten"}


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


@dataclass
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


def list_clients(org: Organisation, tab: str, q: str, sort: str, page: int, today: date,
                 per_page: int | None = None) -> Listing:
    """One page of the dashboard in two indexed queries (count, rows); names of that page only."""
    active = rules.client_active_on(today)
    where = [Client.organisation_id == org.id, active if tab == "actief" else ~active]
    q = q.strip()[:50]
    if q:
        cond = func.lower(Client.old_nr).like(q.lower().replace("%", "").replace("_", "") + "%")
        nr = ascii_int(q, min=1)
        if nr is not None:
            cond = or_(Client.nr == nr, cond)
        where.append(cond)
    old_len = func.length(Client.old_nr)
    order = {
        "nr_asc": [Client.nr.asc()],
        "nr_desc": [Client.nr.desc()],
        "oud_asc": [Client.old_nr.is_(None), old_len.asc(), Client.old_nr.asc(), Client.nr.asc()],
        "oud_desc": [Client.old_nr.is_(None), old_len.desc(), Client.old_nr.desc(), Client.nr.asc()],
    }[sort]
    shown = page_of(select(Client.id).where(*where), page, per_page or pagination.CLIENTS_PER_PAGE)
    result = session.execute(shown.slice(
        select(Client.nr, Client.old_nr, Client.name_enc, Client.last_start, Client.last_end,
               Client.last_period_id).where(*where).order_by(*order)))
    rows = [Row(nr, old_nr, names.reveal(org, nr, blob), start, end, pid, tab == "actief")
            for nr, old_nr, blob, start, end, pid in result]
    return Listing(rows, shown, tab, q, sort)
