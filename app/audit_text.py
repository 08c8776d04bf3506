"""The audit log in words (SPEC §12: "the audit log is readable by a beheerder"): one Dutch
sentence per event, built from its details, instead of the event name and raw JSON.

DESCRIPTIONS maps every event kind that app code records (audit.record) to a function of the
details; tests/test_audit_text.py fails when a kind is recorded without one. An event of an
unknown kind (an older or newer release) still gets a readable generic line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from .codelists import REGIONS

REGION_NAMES = dict(REGIONS)

PROFILE_FIELDS = {
    "public_name": "publieke naam", "street": "straat", "postcode": "postcode",
    "municipality": "gemeente", "phone": "telefoon", "email": "e-mailadres",
    "website": "website", "doeners_url": "pagina op doeners.be", "werkvormen": "werkvormen",
    "description": "beschrijving", "show_public": "tonen op de publieke pagina",
}
FAILED_LOGIN = {
    "unknown": "onbekend e-mailadres",
    "password": "fout wachtwoord",
    "locked": "aanmelden was tijdelijk geblokkeerd",
    "deactivated": "de login is gedeactiveerd",
}
FAILED_2FA = {
    "setup": "foute code bij het instellen",
    "turn_off": "foute code bij het uitzetten",
    "turn_off_password": "fout wachtwoord bij het uitzetten",
    "code": "foute code bij het aanmelden",
    "locked": "aanmelden was tijdelijk geblokkeerd",
}
CODELIST_ACTIONS = {
    "add": "optie “{new_label}” toegevoegd",
    "rename": "omschrijving “{old_label}” gewijzigd in “{new_label}”",
    "move_up": "optie “{new_label}” een plaats hoger gezet",
    "move_down": "optie “{new_label}” een plaats lager gezet",
    "retire": "optie “{new_label}” uitgefaseerd (niet meer aangeboden)",
    "restore": "optie “{new_label}” opnieuw aangeboden",
}


def _region(code) -> str:
    if code in (None, "", "alle"):
        return "alle regio's"
    return REGION_NAMES.get(code, str(code))


def _yes(value) -> bool:
    return value in (True, "true", "True", 1, "1")


def _plural(n, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _date(value) -> str:
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _lockout_scope(d: dict) -> str:
    return (" (voor dit toestel)" if d.get("scope") == "device" else
            " (voor onbekende toestellen)" if d.get("scope") == "untrusted" else "")


def _login(d: dict) -> str:
    how = {"totp": " met een code van de authenticator-app",
           "recovery": " met een herstelcode"}.get(d.get("second_factor"), "")
    where = "vanaf een vertrouwd toestel" if d.get("device") == "trusted" else "vanaf een nieuw toestel"
    return f"Aangemeld {where}{how}."


def _password_reset_requested(d: dict) -> str:
    reason = d.get("reason")
    if reason == "unknown":
        return "Link ‘wachtwoord vergeten’ gevraagd voor een onbekend adres; er werd geen e-mail verstuurd."
    if reason == "deactivated":
        return ("Link ‘wachtwoord vergeten’ gevraagd voor een gedeactiveerde login; er werd geen "
                "e-mail verstuurd.")
    return "Link ‘wachtwoord vergeten’ gevraagd en per e-mail verstuurd."


def _organisation_created(d: dict) -> str:
    if "organisations" in d:
        return f"{_plural(d['organisations'], 'demo-organisatie', 'demo-organisaties')} aangemaakt."
    return (f"Organisatie {d.get('name', '')} aangemaakt in regio {_region(d.get('region'))}, "
            f"met hoofdlogin {d.get('email', '')}.")


def _organisation_changed(d: dict) -> str:
    parts = []
    if "name" in d and isinstance(d["name"], list | tuple) and len(d["name"]) == 2:
        parts.append(f"naam gewijzigd van {d['name'][0]} naar {d['name'][1]}")
    if "region" in d and isinstance(d["region"], list | tuple) and len(d["region"]) == 2:
        parts.append(f"regio gewijzigd van {_region(d['region'][0])} naar {_region(d['region'][1])}")
    if d.get("status") == "gedeactiveerd":
        parts.append("gedeactiveerd: de organisatie kan niet meer aanmelden")
    elif d.get("status") == "geactiveerd":
        parts.append("opnieuw geactiveerd")
    if d.get("profile"):
        fields = d["profile"] if isinstance(d["profile"], list) else [d["profile"]]
        parts.append("publiek profiel gewijzigd ("
                     + ", ".join(PROFILE_FIELDS.get(f, str(f)) for f in fields) + ")")
    if not parts:
        return "Organisatie gewijzigd."
    text = "; ".join(parts)
    return f"Organisatie: {text}."


def _login_change_requested(d: dict) -> str:
    text = f"Wijziging van het login-adres van {d.get('van', '')} naar {d.get('naar', '')} aangevraagd"
    if d.get("ten_vroegste_actief"):
        text += f"; ten vroegste actief op {d['ten_vroegste_actief']}"
    return text + "."


def _login_change_cancelled(d: dict) -> str:
    via = {"e-mail": " via de link in de e-mail", "dashboard": " op het dashboard"}.get(d.get("via"), "")
    return (f"Wijziging van het login-adres van {d.get('van', '')} naar {d.get('naar', '')} "
            f"geannuleerd{via}.")


def _login_change_applied(d: dict) -> str:
    text = f"Login-adres gewijzigd van {d.get('van', '')} naar {d.get('naar', '')}"
    if d.get("meteen"):
        text += " (meteen: de login had nog geen wachtwoord)"
    return text + "."


def _admin_created(d: dict) -> str:
    return f"Beheerder {d.get('email', '')} aangemaakt voor {_region(d.get('region'))}."


def _admin_changed(d: dict) -> str:
    state = "actief" if _yes(d.get("active", True)) else "gedeactiveerd"
    return f"Beheerder {d.get('changed', '')} gewijzigd: {_region(d.get('region'))}, {state}."


def _client_deleted(d: dict) -> str:
    text = (f"Cliënt {d.get('volgnummer', '?')} verwijderd, met "
            f"{_plural(d.get('periodes', 0), 'begeleidingsperiode', 'begeleidingsperiodes')}")
    if d.get("reden"):
        text += f". Reden: {d['reden']}"
    return text + "."


def _export(d: dict) -> str:
    fmt = str(d.get("format", "")).upper()
    what = f"Export ({fmt})" if fmt else "Export"
    parts = []
    if "jaar" in d:
        parts.append("alle jaren" if d["jaar"] == "alle" else f"jaar {d['jaar']}")
    if "regio" in d:
        parts.append(_region(d["regio"]))
    if "rows" in d:
        parts.append(_plural(d["rows"], "rij", "rijen"))
    return f"{what}: {', '.join(parts)}." if parts else f"{what}."


def _codelist_changed(d: dict) -> str:
    template = CODELIST_ACTIONS.get(d.get("action"), "gewijzigd")
    text = template.format(old_label=d.get("old_label") or "", new_label=d.get("new_label") or "")
    return f"Keuzelijst {d.get('list', '')}: {text}."


def _import(d: dict) -> str:
    test = "Proefimport (niets opgeslagen)" if _yes(d.get("dry_run")) else "Import uit het oude systeem"
    return (f"{test}: {_plural(d.get('clients', 0), 'cliënt', 'cliënten')}, "
            f"{_plural(d.get('periods', 0), 'periode', 'periodes')}, "
            f"{d.get('skipped', 0)} al eerder geïmporteerd, "
            f"{_plural(d.get('errors', 0), 'fout', 'fouten')}.")


def _names_purged(d: dict) -> str:
    text = (f"Namen van {_plural(d.get('count', 0), 'cliënt', 'cliënten')} gewist: laatste periode "
            f"beëindigd vóór {_date(d.get('ended_before', ''))}")
    if d.get("retention_years"):
        text += f" (bewaartermijn {d['retention_years']} jaar)"
    return text + "."


DESCRIPTIONS: dict[str, Callable[[dict], str]] = {
    "login": _login,
    "login_failed": lambda d: f"Aanmelden mislukt: {FAILED_LOGIN.get(d.get('reason'), 'reden onbekend')}.",
    "lockout": lambda d: (f"Aanmelden {_plural(d.get('minutes', '?'), 'minuut', 'minuten')} geblokkeerd "
                          f"na te veel foute pogingen{_lockout_scope(d)}."),
    "logout": lambda d: "Afgemeld.",
    "password_reset_requested": _password_reset_requested,
    "password_reset": lambda d: "Nieuw wachtwoord gekozen via de link ‘wachtwoord vergeten’.",
    "password_set": lambda d: "Wachtwoord gekozen via de uitnodiging.",
    "password_changed": lambda d: "Eigen wachtwoord gewijzigd.",
    "password_change_failed": lambda d: "Wachtwoord wijzigen mislukt: het huidige wachtwoord klopte niet.",
    "2fa_enabled": lambda d: "Tweestapsverificatie aangezet.",
    "2fa_disabled": lambda d: "Tweestapsverificatie uitgezet.",
    "2fa_reset": lambda d: (f"Tweestapsverificatie van {d.get('reset', '')} gewist door de "
                            "superbeheerder; bij de volgende aanmelding stelt die ze opnieuw in."),
    "2fa_recovery_used": lambda d: (f"Herstelcode gebruikt; nog "
                                    f"{_plural(d.get('left', '?'), 'herstelcode', 'herstelcodes')} over."),
    "2fa_failed": lambda d: f"Tweestapsverificatie mislukt: {FAILED_2FA.get(d.get('reason'), 'foute code')}.",
    "invitation": lambda d: f"Uitnodiging om een wachtwoord te kiezen gestuurd naar {d.get('invited', '')}.",
    "mail_failed": lambda d: "Een e-mail kon niet verstuurd worden.",
    "organisation_created": _organisation_created,
    "organisation_changed": _organisation_changed,
    "login_change_requested": _login_change_requested,
    "login_change_cancelled": _login_change_cancelled,
    "login_change_applied": _login_change_applied,
    "login_added": lambda d: f"Collega-login {d.get('login', '')} toegevoegd (uitnodiging verstuurd).",
    "login_removed": lambda d: f"Login {d.get('login', '')} verwijderd.",
    "admin_created": _admin_created,
    "admin_changed": _admin_changed,
    "client_created": lambda d: f"Cliënt {d.get('volgnummer', '?')} aangemaakt.",
    "client_changed": lambda d: f"Gegevens van cliënt {d.get('volgnummer', '?')} gewijzigd.",
    "period_added": lambda d: f"Begeleidingsperiode toegevoegd voor cliënt {d.get('volgnummer', '?')}.",
    "period_changed": lambda d: f"Begeleidingsperiode van cliënt {d.get('volgnummer', '?')} gewijzigd.",
    "client_deleted": _client_deleted,
    "export": _export,
    "codelist_changed": _codelist_changed,
    "key_rotation": lambda d: (f"Hoofdsleutel vernieuwd: de sleutels van "
                               f"{_plural(d.get('organisations', 0), 'organisatie', 'organisaties')} "
                               "werden opnieuw versleuteld."),
    "import": _import,
    "names_purged": _names_purged,
    "round_opened": lambda d: (f"Registratieronde {d.get('jaar', '?')} geopend voor "
                               f"{_region(d.get('regio'))}, "
                               f"deadline {d.get('deadline', '?')}."),
    "round_confirmed": lambda d: f"Registraties voor {d.get('jaar', '?')} bevestigd als volledig.",
    "round_reminder": lambda d: (f"Herinnering voor registratieronde {d.get('jaar', '?')} verstuurd naar "
                                 f"{_plural(d.get('organisaties', 0), 'organisatie', 'organisaties')} "
                                 f"({_plural(d.get('mails', 0), 'e-mail', 'e-mails')}"
                                 + (f", {d.get('mislukt')} mislukt" if d.get('mislukt') else "") + ")."),
}


def describe(kind: str, details: dict, label: str | None = None) -> str:
    """One Dutch sentence for an audit event; a readable generic line for an unknown kind or
    details that do not fit (never an error: the log must always show)."""
    describer = DESCRIPTIONS.get(kind)
    if describer is not None:
        try:
            return describer(details)
        except (AttributeError, KeyError, TypeError, ValueError, IndexError):
            pass
    what = label or kind.replace("_", " ").capitalize()
    if not details:
        return f"{what}."
    shown = "; ".join(f"{str(k).replace('_', ' ')}: {_value(v)}" for k, v in details.items())
    return f"{what} ({shown})."


def _value(value) -> str:
    if isinstance(value, list | tuple):
        return " → ".join(str(v) for v in value) if len(value) == 2 else ", ".join(map(str, value))
    if value is True:
        return "ja"
    if value is False:
        return "nee"
    return str(value)
