"""Registration rounds, the beheerder's side (SPEC §12): open a round for a year with a deadline,
follow per organisation who confirmed, send one reminder mail to those that did not.

A provinciebeheerder opens a round for its own region; a superbeheerder for one region or for
all of them. A region has at most one round per year (registration_round_region is unique per
year and region). Every organisation query starts from the Scope: a beheerder sees only the
organisations of its own region, also in an all-regions round, and gets 404 for a round that does
not cover its region. Only active organisations take part. Counts are GROUP BY statements: the
number of statements does not grow with the number of organisations.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from flask import abort, current_app, url_for
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError

from .. import audit, mailer
from ..clients.rounds import item_conditions
from ..db import session
from ..formatting import date_nl, datetime_nl
from ..models import (
    Account,
    Client,
    Organisation,
    Region,
    RegistrationConfirmation,
    RegistrationReminder,
    RegistrationRound,
    RegistrationRoundRegion,
    colleague_label,
)
from .scope import Scope

ALL = "alle"  # the region choice of an all-regions round


class RoundError(ValueError):
    """A Dutch message about why a round cannot be opened or a reminder not be sent."""


def confirmer_label(account_id: int | None, is_main: bool | None) -> str:
    """How a beheerder reads the login that confirmed: never its address."""
    if account_id is None:
        return "onbekende login"
    return "hoofdlogin" if is_main else colleague_label(account_id)


def _covered_organisations(scope: Scope, round_id: int):
    """The active organisations in scope whose region the round covers (a select of Organisation)."""
    return (scope.organisations()
            .join(RegistrationRoundRegion, and_(
                RegistrationRoundRegion.region_id == Organisation.region_id,
                RegistrationRoundRegion.round_id == round_id))
            .where(Organisation.active.is_(True)))


def _visible_rounds(scope: Scope):
    """Rounds that cover (one of) the scope's regions."""
    query = select(RegistrationRound)
    if not scope.is_super:
        query = query.where(RegistrationRound.id.in_(
            select(RegistrationRoundRegion.round_id)
            .where(RegistrationRoundRegion.region_id == scope.region_id)))
    return query


@dataclass
class RoundRow:
    round: RegistrationRound
    organisations: int
    confirmed: int
    reminder_at: datetime | None


def list_rounds(scope: Scope) -> list[RoundRow]:
    """Every round the beheerder may see, newest year first, with the number of organisations
    (in its scope) and how many confirmed: two statements."""
    counts = dict(((r, (n, c)) for r, n, c in session.execute(
        select(RegistrationRoundRegion.round_id, func.count(Organisation.id),
               func.count(RegistrationConfirmation.id))
        .join(Organisation, Organisation.region_id == RegistrationRoundRegion.region_id)
        .outerjoin(RegistrationConfirmation, and_(
            RegistrationConfirmation.round_id == RegistrationRoundRegion.round_id,
            RegistrationConfirmation.organisation_id == Organisation.id))
        .where(Organisation.active.is_(True), Organisation.id.in_(scope.organisation_ids()))
        .group_by(RegistrationRoundRegion.round_id))))
    rows = session.execute(
        _visible_rounds(scope).add_columns(RegistrationReminder.sent_at)
        .outerjoin(RegistrationReminder, RegistrationReminder.round_id == RegistrationRound.id)
        .order_by(RegistrationRound.year.desc(), RegistrationRound.id.desc()))
    return [RoundRow(round_, *counts.get(round_.id, (0, 0)), sent_at) for round_, sent_at in rows]


def get_round(scope: Scope, round_id: int) -> RegistrationRound:
    """A round that covers the beheerder's region (any round for a superbeheerder), or 404."""
    round_ = session.scalar(_visible_rounds(scope).where(RegistrationRound.id == round_id))
    if round_ is None:
        abort(404)
    return round_


def open_round(scope: Scope, year: int, deadline: date, region: Region | None) -> RegistrationRound:
    """Open a round for `region` (None: every region, superbeheerder only). Refused with a Dutch
    message when a covered region already has a round for the year. Flushes; the caller commits."""
    if region is None and not scope.is_super:
        abort(403)
    if region is not None and not scope.is_super and region.id != scope.region_id:
        abort(404)
    region_ids = ([region.id] if region is not None
                  else list(session.scalars(select(Region.id).order_by(Region.position))))
    clash = session.execute(
        select(Region.name, RegistrationRound.region_id)
        .join(RegistrationRoundRegion, RegistrationRoundRegion.region_id == Region.id)
        .join(RegistrationRound, RegistrationRound.id == RegistrationRoundRegion.round_id)
        .where(RegistrationRoundRegion.year == year, RegistrationRoundRegion.region_id.in_(region_ids))
        .order_by(Region.position)).first()
    if clash is not None:
        raise RoundError(_clash_message(year, clash[0], clash[1] is None))
    round_ = RegistrationRound(year=year, deadline=deadline,
                               region_id=region.id if region else None, opened_by=scope.account_id)
    session.add(round_)
    try:
        session.flush()
        session.add_all(RegistrationRoundRegion(round_id=round_.id, region_id=region_id, year=year)
                        for region_id in region_ids)
        session.flush()
    except IntegrityError as exc:  # another beheerder opened one at the same moment
        session.rollback()
        raise RoundError(f"Er werd net een registratieronde voor {year} geopend voor deze regio. "
                         "Herlaad de lijst.") from exc
    audit.record("round_opened", jaar=year, deadline=date_nl(deadline), ronde=round_.id,
                 regio=region.code if region else ALL)
    return round_


def _clash_message(year: int, region_name: str, all_regions: bool) -> str:
    if all_regions:
        return (f"Er is al een registratieronde voor {year} voor alle regio's (dus ook voor "
                f"{region_name}). Per jaar kan er voor een regio maar één ronde zijn.")
    return (f"Er is al een registratieronde voor {year} voor {region_name}. Per jaar kan er voor "
            "een regio maar één ronde zijn.")


@dataclass
class OrganisationStatus:
    org_id: int
    name: str
    region: str
    confirmed_at: datetime | None
    confirmed_by: str | None
    open_items: int


def round_status(scope: Scope, round_: RegistrationRound) -> list[OrganisationStatus]:
    """Per organisation in scope: confirmed (when, by which login: "hoofdlogin" or
    "collega-login #id", never an address), the number of open checklist items. One statement:
    the items are counted per organisation with GROUP BY."""
    org_ids = _covered_organisations(scope, round_.id).with_only_columns(Organisation.id)
    # one pass over the clients: per organisation the number of (client, item) pairs
    per_client = sum((case((condition, 1), else_=0)
                      for condition in item_conditions(round_.deadline).values()), start=0)
    counted = (select(Client.organisation_id.label("org_id"), func.sum(per_client).label("n"))
               .where(Client.organisation_id.in_(org_ids))
               .group_by(Client.organisation_id).subquery("items"))
    query = (_covered_organisations(scope, round_.id)
             .with_only_columns(Organisation.id, Organisation.name, Region.name,
                                RegistrationConfirmation.confirmed_at,
                                RegistrationConfirmation.account_id, Account.is_main,
                                func.coalesce(counted.c.n, 0).label("open_items"))
             .join(Region, Region.id == Organisation.region_id)
             .outerjoin(RegistrationConfirmation, and_(
                 RegistrationConfirmation.round_id == round_.id,
                 RegistrationConfirmation.organisation_id == Organisation.id))
             .outerjoin(Account, Account.id == RegistrationConfirmation.account_id)
             .outerjoin(counted, counted.c.org_id == Organisation.id))
    query = query.order_by(Region.position, Organisation.name, Organisation.id)
    return [OrganisationStatus(org_id, name, region, at,
                               confirmer_label(account_id, is_main) if at else None, int(n or 0))
            for org_id, name, region, at, account_id, is_main, n in session.execute(query)]


def reminder_of(round_id: int) -> RegistrationReminder | None:
    return session.scalar(select(RegistrationReminder).where(RegistrationReminder.round_id == round_id))


def reminder_refusal(scope: Scope, round_: RegistrationRound,
                     reminder: RegistrationReminder | None) -> str | None:
    """Why this beheerder cannot send the round's reminder (Dutch), or None when it can."""
    if reminder is not None:
        return (f"De herinnering voor deze ronde werd al verstuurd op {datetime_nl(reminder.sent_at)}. "
                "Per ronde kan er één herinnering verstuurd worden.")
    if round_.region_id is None and not scope.is_super:
        return ("Deze ronde werd voor alle regio's geopend: de superbeheerder verstuurt de "
                "herinnering.")
    return None


def reminder_recipients(scope: Scope, round_: RegistrationRound) -> list[tuple[int, str]]:
    """(organisation id, address) of every live login (main and colleague logins) of the active
    organisations in scope that did not confirm the round: one statement."""
    return [tuple(row) for row in session.execute(
        _covered_organisations(scope, round_.id)
        .with_only_columns(Organisation.id, Account.email)
        .join(Account, and_(Account.organisation_id == Organisation.id, Account.kind == "org",
                            Account.active.is_(True), Account.removed_at.is_(None)))
        .outerjoin(RegistrationConfirmation, and_(
            RegistrationConfirmation.round_id == round_.id,
            RegistrationConfirmation.organisation_id == Organisation.id))
        .where(RegistrationConfirmation.id.is_(None))
        .order_by(Organisation.id, Account.id))]


@dataclass
class Sent:
    organisations: int
    mails: int
    failed: int


def send_reminder(scope: Scope, round_: RegistrationRound) -> Sent:
    """Send the round's one reminder: a mail to every login of every organisation in scope that
    did not confirm. The reminder row is committed first, so a second attempt (also one at the
    same moment) is refused; then the mails go out over SMTP, one per login, and the counts and
    the audit event are committed. It commits itself (twice) for that reason."""
    refusal = reminder_refusal(scope, round_, reminder_of(round_.id))
    if refusal:
        raise RoundError(refusal)
    recipients = reminder_recipients(scope, round_)
    reminder = RegistrationReminder(round_id=round_.id, sent_by=scope.account_id,
                                    organisations=len({org_id for org_id, _ in recipients}))
    session.add(reminder)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise RoundError(reminder_refusal(scope, round_, reminder_of(round_.id))
                         or "De herinnering werd al verstuurd.") from exc
    link = current_app.config["BASE_URL"] + url_for("clients.dashboard")
    subject = (f"Herinnering: bevestig je registraties voor {round_.year} "
               f"(uiterlijk {date_nl(round_.deadline)})")
    sent = 0
    for _, address in recipients:
        msg = mailer.build(address, subject, "round_reminder", year=round_.year,
                           deadline=date_nl(round_.deadline), link=link)
        sent += bool(mailer.send(msg, "round-reminder"))
    reminder.mails = sent
    audit.record("round_reminder", jaar=round_.year, ronde=round_.id,
                 organisaties=reminder.organisations, mails=sent, mislukt=len(recipients) - sent)
    session.commit()
    return Sent(reminder.organisations, sent, len(recipients) - sent)


@lru_cache(maxsize=256)
def _confirmed_statement(scope: Scope, region_id: int | None, year: int):
    """confirmed_count's statement, built once per scope, region and year (the report page
    reads it on every view; building it cost more than running it)."""
    query = (select(func.count(Organisation.id), func.count(RegistrationConfirmation.id))
             .select_from(Organisation)
             .join(RegistrationRoundRegion, and_(
                 RegistrationRoundRegion.region_id == Organisation.region_id,
                 RegistrationRoundRegion.year == year))
             .outerjoin(RegistrationConfirmation, and_(
                 RegistrationConfirmation.round_id == RegistrationRoundRegion.round_id,
                 RegistrationConfirmation.organisation_id == Organisation.id))
             .where(Organisation.active.is_(True), Organisation.id.in_(scope.organisation_ids())))
    if region_id is not None:
        query = query.where(Organisation.region_id == region_id)
    rounds = (select(func.count()).select_from(RegistrationRoundRegion)
              .where(RegistrationRoundRegion.year == year))
    if region_id is not None:
        rounds = rounds.where(RegistrationRoundRegion.region_id == region_id)
    elif not scope.is_super:
        rounds = rounds.where(RegistrationRoundRegion.region_id == scope.region_id)
    return query.add_columns(rounds.scalar_subquery())


def confirmed_count(scope: Scope, region_id: int | None, year: int) -> tuple[int, int] | None:
    """(confirmed, total) over the active organisations in scope (and in `region_id` when given)
    whose region has a round for `year`; None when no such region has a round. One statement."""
    statement = _confirmed_statement(scope, region_id, year)
    total, confirmed, covered = session.connection().execute(statement).one()
    if not covered:
        return None
    return confirmed, total
