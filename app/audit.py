"""The audit log: record(kind, **details). Never pass a client name, a password or a token."""

import json

from flask import has_request_context, request
from flask_login import current_user

from .db import session, set_write_intent
from .models import AuditEvent

KINDS = {
    "login": "Aangemeld",
    "login_failed": "Mislukte aanmelding",
    "lockout": "Aanmelden tijdelijk geblokkeerd",
    "logout": "Afgemeld",
    "password_reset_requested": "Wachtwoord vergeten aangevraagd",
    "password_reset": "Wachtwoord opnieuw ingesteld",
    "password_set": "Wachtwoord ingesteld (uitnodiging)",
    "password_changed": "Wachtwoord gewijzigd",
    "password_change_failed": "Wachtwoord wijzigen mislukt (huidig wachtwoord fout)",
    "2fa_enabled": "Tweestapsverificatie aangezet",
    "2fa_disabled": "Tweestapsverificatie uitgezet",
    "2fa_reset": "Tweestapsverificatie gewist door superbeheerder",
    "2fa_recovery_used": "Herstelcode gebruikt",
    "2fa_failed": "Tweestapsverificatie mislukt (foute code)",
    "invitation": "Uitnodiging verstuurd",
    "mail_failed": "E-mail niet verstuurd",
    "organisation_created": "Organisatie aangemaakt",
    "organisation_changed": "Organisatie gewijzigd",
    "login_change_requested": "Wijziging login-e-mailadres aangevraagd",
    "login_change_cancelled": "Wijziging login-e-mailadres geannuleerd",
    "login_change_applied": "Login-e-mailadres gewijzigd",
    "login_added": "Collega-login toegevoegd",
    "login_removed": "Login verwijderd",
    "admin_created": "Beheerder aangemaakt",
    "admin_changed": "Beheerder gewijzigd",
    "client_created": "Cliënt aangemaakt",
    "client_changed": "Cliënt gewijzigd",
    "period_added": "Begeleidingsperiode toegevoegd",
    "period_changed": "Begeleidingsperiode gewijzigd",
    "client_deleted": "Cliënt verwijderd",
    "export": "Export",
    "codelist_changed": "Keuzelijst gewijzigd",
    "key_rotation": "Sleutels vernieuwd",
    "import": "Import",
    "names_purged": "Namen gewist (bewaartermijn)",
    "round_opened": "Registratieronde geopend",
    "round_confirmed": "Registraties bevestigd als volledig (registratieronde)",
    "round_reminder": "Herinnering registratieronde verstuurd",
}


def record(kind: str, *, account=None, organisation_id: int | None = None, ip: str | None = None,
           **details) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits). `ip` defaults to the
    current request's address (background jobs pass the address of the request they serve)."""
    actor = details.pop("actor", None)
    if account is None and has_request_context() and current_user and current_user.is_authenticated:
        account = current_user
    event = AuditEvent(
        kind=kind,
        account_id=getattr(account, "id", None),
        actor=getattr(account, "email", None) or actor,
        organisation_id=organisation_id,
        ip=ip or (request.remote_addr if has_request_context() else None),
        details=json.dumps(details, ensure_ascii=False, default=str) if details else None,
    )
    session.add(event)
    return event


def record_committed(kind: str, **details) -> None:
    """Record an event from a read-only request (an export) in its own write transaction and
    commit it: what was read so far is committed first (on SQLite the request reads in a
    deferred transaction), the audit row is written in a transaction that takes the write lock
    at BEGIN (app/db.py), then reading resumes without it, so a long download never blocks
    writers."""
    session.commit()
    set_write_intent(True)
    try:
        record(kind, **details)
        session.commit()
    finally:
        set_write_intent(False)
