"""Registration rounds, the organisation's side (SPEC §12 "Registration round"): the checklist of
the year on the dashboard and the confirmation *Mijn registraties voor JJJJ zijn volledig*.

The checklist items are defined here, once, as SQL conditions on a client; the beheer side
(app/beheer/rounds.py) counts the same items per organisation with GROUP BY. For a round of
year JJJJ with deadline D an item is a client:

- `zonder_periode`: the client has no begeleidingsperiode at all;
- `lang_open`: the client has an open period (no end date) that started more than a year before
  the deadline (start date before D minus one year; 29 February counts from 28 February);
- `einde_laat`: the client has a period ending (or starting) after 31 December of the deadline's
  year (a date that cannot have happened yet when the round closes: usually a typing error or a
  planned end date).

Each item counts clients (not periods) and lists at most ITEM_LIMIT of them by volgnummer.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from flask import abort
from sqlalchemy import and_, bindparam, func, literal, or_, select, union_all
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..db import session
from ..models import (
    Account,
    Client,
    Organisation,
    RegistrationConfirmation,
    RegistrationRound,
    RegistrationRoundRegion,
)

ITEM_LIMIT = 20  # clients listed per item; the rest is "en N meer"


def one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return date(day.year - 1, 2, 28)


def end_limit(deadline: date) -> date:
    """Periods ending after this day are an item (31 December of the deadline's year)."""
    return date(deadline.year, 12, 31)


def item_conditions(deadline: date) -> dict[str, object]:
    """item key -> SQL condition on Client (the one definition of the checklist).

    They read the client's copy of its latest period (Client.last_*), like the SQL definition of
    "active" (rules.client_active_on): periods never overlap, a client has at most one open
    period and a new period starts after the last one ended. So an open period is the latest
    one; and a client has a period starting or ending after a day exactly when its latest
    period starts after it or ends after it (an earlier period ending after the day means the
    latest one starts after it).
    """
    started_before = one_year_before(deadline)
    limit = end_limit(deadline)
    return {
        "zonder_periode": Client.last_period_id.is_(None),
        "lang_open": and_(Client.last_period_id.is_not(None), Client.last_end.is_(None),
                          Client.last_start < started_before),
        "einde_laat": or_(Client.last_end > limit, Client.last_start > limit),
    }


def item_titles(deadline: date) -> dict[str, str]:
    """item key -> what the organisation reads (Dutch)."""
    from ..formatting import date_nl
    return {
        "zonder_periode": "Cliënten zonder begeleidingsperiode",
        "lang_open": (f"Cliënten met een lopende periode (zonder einddatum) die begon vóór "
                      f"{date_nl(one_year_before(deadline))}, meer dan een jaar voor de deadline: "
                      "is de begeleiding nog bezig?"),
        "einde_laat": (f"Cliënten met een periode die begint of eindigt na "
                       f"{date_nl(end_limit(deadline))}: een datum die nog niet voorbij kan zijn"),
    }


@dataclass
class Item:
    key: str
    title: str
    total: int = 0
    nrs: list[int] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.total - len(self.nrs)


class RoundRef(NamedTuple):
    """What the organisation's pages use of a RegistrationRound."""
    id: int
    year: int
    deadline: date


@dataclass
class DashboardRound:
    """What the dashboard shows of the latest round covering the organisation's region."""
    round: RoundRef
    confirmed_at: datetime | None
    confirmed_by: str | None  # the organisation's own login address (its own page)
    items: list[Item]

    @property
    def open_items(self) -> int:
        return sum(item.total for item in self.items)


def _round_statement(by_id: bool):
    # the round's three columns, not the entity (with its eagerly joined region): the dashboard
    # runs this on every full view, through the Core connection
    query = (select(RegistrationRound.id, RegistrationRound.year, RegistrationRound.deadline,
                    RegistrationConfirmation.confirmed_at, Account.email)
             .join(RegistrationRoundRegion, RegistrationRoundRegion.round_id == RegistrationRound.id)
             .outerjoin(RegistrationConfirmation, and_(
                 RegistrationConfirmation.round_id == RegistrationRound.id,
                 RegistrationConfirmation.organisation_id == bindparam("org_id")))
             .outerjoin(Account, Account.id == RegistrationConfirmation.account_id)
             .where(RegistrationRoundRegion.region_id == bindparam("region_id")))
    if by_id:
        query = query.where(RegistrationRound.id == bindparam("round_id"))
    return query.order_by(RegistrationRound.year.desc()).limit(1)


# built once: the dashboard asks on every full view (most of the year there is no round)
_LATEST_ROUND = _round_statement(by_id=False)
_ROUND_BY_ID = _round_statement(by_id=True)


def _round_for(org: Organisation, round_id: int | None = None):
    """(round (id, year, deadline), confirmation, confirming login's address) of the latest round
    (or this one) covering the organisation's region, in one statement; None when there is none."""
    params = {"org_id": org.id, "region_id": org.region_id}
    connection = session.connection()
    if round_id is None:
        row = connection.execute(_LATEST_ROUND, params).first()
    else:
        row = connection.execute(_ROUND_BY_ID, {**params, "round_id": round_id}).first()
    if row is None:
        return None
    return RoundRef(row.id, row.year, row.deadline), row.confirmed_at, row.email


def checklist(org: Organisation, deadline: date) -> list[Item]:
    """The items with their counts and first volgnummers, in one statement (UNION ALL of one
    ranked select per item), whatever the number of clients."""
    parts = []
    for key, condition in item_conditions(deadline).items():
        parts.append(select(
            literal(key).label("item"), Client.nr.label("nr"),
            func.count().over().label("total"),
            func.row_number().over(order_by=Client.nr).label("rank"))
            .where(Client.organisation_id == org.id, condition))
    ranked = union_all(*parts).subquery()
    rows = session.execute(select(ranked.c.item, ranked.c.nr, ranked.c.total)
                           .where(ranked.c.rank <= ITEM_LIMIT)
                           .order_by(ranked.c.item, ranked.c.nr))
    titles = item_titles(deadline)
    items = {key: Item(key, title) for key, title in titles.items()}
    for key, nr, total in rows:
        items[key].total = total
        items[key].nrs.append(nr)
    return list(items.values())


def dashboard_round(org: Organisation) -> DashboardRound | None:
    """The latest round of the organisation's region: its checklist while unconfirmed (two
    statements), or who confirmed it and when (one statement); None without a round."""
    found = _round_for(org)
    if found is None:
        return None
    round_, confirmed_at, email = found
    items = [] if confirmed_at is not None else checklist(org, round_.deadline)
    return DashboardRound(round_, confirmed_at, email if confirmed_at is not None else None, items)


def confirm(org: Organisation, account: Account, round_id: int) -> bool:
    """Record that the organisation's registrations of the round's year are complete (audited
    with the login's id, no names). False when it was confirmed before; 404 for a round that
    does not cover the organisation's region. Flushes; the caller commits."""
    found = _round_for(org, round_id)
    if found is None:
        abort(404)
    round_, confirmed_at, _ = found
    if confirmed_at is not None:
        return False
    session.add(RegistrationConfirmation(round_id=round_.id, organisation_id=org.id,
                                         account_id=account.id))
    try:
        session.flush()
    except IntegrityError:  # a colleague confirmed at the same moment
        session.rollback()
        return False
    audit.record("round_confirmed", account=account, organisation_id=org.id, jaar=round_.year,
                 ronde=round_.id, login=account.id)
    return True
