"""The rules of clients and begeleidingsperiodes, as plain functions (SPEC §2–§3).

"Active" has one definition, written once in Python (`is_active`, one client in memory) and once
in SQL (`client_active_on`, `period_overlaps`: every query that lists, counts or exports by
activity uses these two expressions).
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, or_

from ..formatting import date_nl
from ..models import Client, Period

MIN_AGE, MAX_AGE = 15, 100
MIN_HOURS, MAX_HOURS = Decimal("0.5"), Decimal("38")
ABROAD = "buitenland"


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birth_date_error(birth: date, registered: date, today: date) -> str | None:
    """Geboortedatum: not in the future; age at registration between 15 and 100."""
    if birth > today:
        return "De geboortedatum kan niet in de toekomst liggen."
    age = age_on(birth, registered)
    if age < MIN_AGE:
        return f"De cliënt moet bij de registratie minstens {MIN_AGE} jaar oud zijn."
    if age > MAX_AGE:
        return f"De cliënt kan bij de registratie niet ouder zijn dan {MAX_AGE} jaar."
    return None


def normalize_postcode(value: str) -> str | None:
    """A Belgian postcode (1000–9999) or 'buitenland'; None when invalid."""
    value = (value or "").strip().lower()
    if value == ABROAD:
        return ABROAD
    if re.fullmatch(r"[1-9][0-9]{3}", value):  # ASCII digits: \d also matches '١٢٣٤'
        return value
    return None


def hours_error(hours: Decimal) -> str | None:
    if hours < MIN_HOURS or hours > MAX_HOURS:
        return "Geef een aantal uren per week tussen 0,5 en 38."
    if (hours * 2) % 1 != 0:
        return "Geef het aantal uren in stappen van 0,5 (bv. 12 of 12,5)."
    return None


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return date(day.year + 1, 2, 28)


@dataclass(frozen=True)
class Span:
    """An existing period of the client, reduced to what the rules need."""
    id: int | None
    start: date
    end: date | None


def period_errors(others: list[Span], start: date, end: date | None, has_reason: bool,
                  has_perspective: bool, today: date, is_new: bool) -> dict[str, str]:
    """Field → Dutch message for every rule a period breaks (empty when it may be saved).

    `others` are the client's other periods (for an edit: without the period being edited).
    """
    errors: dict[str, str] = {}
    if start > one_year_after(today):
        errors["startdatum"] = "De startdatum kan niet meer dan een jaar in de toekomst liggen."
    if end is not None and end < start:
        errors["einddatum"] = "De einddatum kan niet voor de startdatum liggen."
    if end is not None:
        if not has_reason:
            errors["reden_stopzetting"] = "Kies de reden van stopzetting (verplicht bij een einddatum)."
        if not has_perspective:
            errors["perspectief"] = "Kies het perspectief na stopzetting (verplicht bij een einddatum)."
    else:
        if has_reason:
            errors["reden_stopzetting"] = "Vul de reden van stopzetting pas in als er een einddatum is."
        if has_perspective:
            errors["perspectief"] = "Vul het perspectief na stopzetting pas in als er een einddatum is."
    if "einddatum" in errors:
        return errors
    if end is None and any(o.end is None for o in others):
        errors["einddatum"] = ("Deze cliënt heeft al een lopende periode. Sluit die eerst af "
                               "(met een einddatum) voor je een nieuwe periode start.")
        return errors
    if is_new and others:
        last_end = max((o.end for o in others if o.end is not None), default=None)
        if last_end is not None and start <= last_end:
            errors["startdatum"] = (f"Een nieuwe periode kan pas starten na het einde van de vorige "
                                    f"periode ({date_nl(last_end)}).")
            return errors
    far = date.max
    for o in others:
        if start <= (o.end or far) and o.start <= (end or far):
            span = f"{date_nl(o.start)} – {date_nl(o.end) if o.end else 'lopend'}"
            errors["startdatum"] = f"Deze periode overlapt met een andere periode ({span})."
            break
    return errors


def is_active(last_end: date | None, has_period: bool, today: date) -> bool:
    """Actief: no period yet, an open last period, or one that ends today or later."""
    return (not has_period) or last_end is None or last_end >= today


def client_active_on(day: date):
    """SQL: the client is actief on `day` (the same rule as is_active, on the client's copy of its
    latest period: no period, an open one, or one that ends on `day` or later).

    Periods never overlap and a new one starts after the last one ended, so "some period has not
    ended on `day`" is the same as "the latest period has not ended on `day`".
    """
    return or_(Client.last_end.is_(None), Client.last_end >= day)


def period_overlaps(first: date, last: date):
    """SQL: the period is active on some day of [first, last] (start <= last, no end or end >= first)."""
    return and_(Period.start_date <= last, or_(Period.end_date.is_(None), Period.end_date >= first))


def overlaps(start: date, end: date | None, first: date, last: date) -> bool:
    """period_overlaps() for one period in Python (the statistics count rows they fetched)."""
    return start <= last and (end is None or end >= first)
