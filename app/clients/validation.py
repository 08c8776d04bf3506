"""Turning a valid form into model values, adding the rule errors that need more than one field."""

from datetime import date

from ..models import CLIENT_CODE_FIELDS
from . import rules


def client_values(form) -> dict:
    """Model values from a validated client form."""
    values = {name: getattr(form, name).data for name in CLIENT_CODE_FIELDS}
    for name in ("postcode_woonplaats", "postcode_tewerkstelling"):
        values[name] = rules.normalize_postcode(getattr(form, name).data)
    values["birth_date"] = form.geboortedatum.data
    values["old_nr"] = (form.oud_volgnummer.data or "").strip() or None
    return values


def period_values(form, others: list[rules.Span], is_new: bool) -> dict | None:
    """Model values for a period, or None after putting Dutch errors on the fields."""
    error = rules.hours_error(form.uren.data)
    if error:
        form.uren.errors.append(error)
    errors = rules.period_errors(
        others, form.startdatum.data, form.einddatum.data,
        bool(form.reden_stopzetting.data), bool(form.perspectief.data), date.today(), is_new)
    for field, message in errors.items():
        getattr(form, field).errors.append(message)
    if error or errors:
        return None
    return {"hours": form.uren.data, "start_date": form.startdatum.data,
            "end_date": form.einddatum.data,
            "reden_stopzetting": form.reden_stopzetting.data or None,
            "perspectief": form.perspectief.data or None}
