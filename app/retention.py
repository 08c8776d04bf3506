"""Retention of client names: wipe the name of a client whose guidance ended long ago.

A client's name is wiped (name_enc set to NULL) when all its periods are closed and the last one
ended more than RETENTION_YEARS (setting, default 10) before today. Clients with an open period
or without any period keep their name. Everything else about the client (the anonymous data
the statistics use, its periods) stays.
"""

from datetime import date

from flask import current_app
from sqlalchemy import Select, func, select, update

from . import audit
from .db import session
from .models import Client, Period


def cutoff_date(today: date, years: int) -> date:
    """today minus `years` years (29 February becomes 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 2, 28)


def expired_clients(cutoff: date) -> Select:
    """Ids of clients that still have a name, no open period, and a last end date before cutoff."""
    return (select(Client.id).join(Period, Period.client_id == Client.id)
            .where(Client.name_enc.is_not(None))
            .group_by(Client.id)
            .having(func.count(Period.end_date) == func.count(Period.id),  # no open period
                    func.max(Period.end_date) < cutoff))


def purge_names(*, today: date | None = None, years: int | None = None, dry_run: bool = False,
                actor: str | None = None) -> int:
    """Wipe the expired names; return how many (a dry run only counts). The caller commits."""
    today = today or date.today()
    years = current_app.config["RETENTION_YEARS"] if years is None else years
    cutoff = cutoff_date(today, years)
    if dry_run:
        return session.scalar(select(func.count()).select_from(expired_clients(cutoff).subquery()))
    ids = list(session.scalars(expired_clients(cutoff)))
    for start in range(0, len(ids), 500):  # stay far below the bound-parameter limits
        session.execute(update(Client).where(Client.id.in_(ids[start:start + 500]))
                        .values(name_enc=None).execution_options(synchronize_session=False))
    extra = {"actor": actor} if actor else {}
    audit.record("names_purged", count=len(ids), retention_years=years,
                 ended_before=cutoff.isoformat(), **extra)
    return len(ids)
