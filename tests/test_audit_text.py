"""The audit log is readable by a beheerder (SPEC §12, issue 12 point 6): every event is one
Dutch sentence built from its details — no event names, no JSON — in Europe/Brussels time.

Every event kind the code records (each `audit.record("…")` call in app/, found by reading the
source) must have a Dutch description, so a new event without one fails here."""

import ast
import json
from datetime import datetime
from pathlib import Path

import pytest
from support import logged_in_client

from app import audit
from app.audit_text import DESCRIPTIONS, describe
from app.db import session
from app.models import AuditEvent

APP = Path(__file__).resolve().parent.parent / "app"


def _literal_kinds(node) -> list[str]:
    """The kinds a first argument can be: a string, or either branch of `a if … else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literal_kinds(node.body) + _literal_kinds(node.orelse)
    return []


def recorded_kinds() -> dict[str, str]:
    """kind -> where it is recorded, for every audit.record(...) and audit.record_committed(...)
    call in app/."""
    found, dynamic = {}, []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("record", "record_committed")
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "audit" and node.args):
                continue
            where = f"{path.relative_to(APP.parent)}:{node.lineno}"
            strings = _literal_kinds(node.args[0])
            if not strings:
                dynamic.append(where)
            for kind in strings:
                found.setdefault(kind, where)
    assert not dynamic, f"audit.record with a computed kind (write the kind literally): {dynamic}"
    return found


def test_every_recorded_event_has_a_dutch_description_and_name():
    kinds = recorded_kinds()
    assert {"login", "login_failed", "export", "client_deleted", "organisation_changed",
            "codelist_changed", "import", "names_purged"} <= set(kinds)  # the scan works
    missing = {k: w for k, w in kinds.items() if k not in DESCRIPTIONS}
    assert not missing, f"audit events without a Dutch description in app/audit_text.py: {missing}"
    unnamed = {k: w for k, w in kinds.items() if k not in audit.KINDS}
    assert not unnamed, f"audit events without a Dutch name in app/audit.KINDS: {unnamed}"


@pytest.mark.parametrize(("kind", "details", "expected"), [
    ("login", {"device": "new", "second_factor": "totp"},
     "Aangemeld vanaf een nieuw toestel met een code van de authenticator-app."),
    ("login_failed", {"reason": "password", "scope": "untrusted"}, "Aanmelden mislukt: fout wachtwoord."),
    ("round_opened", {"jaar": 2025, "deadline": "31/01/2026", "ronde": 3, "regio": "limburg"},
     "Registratieronde 2025 geopend voor Limburg, deadline 31/01/2026."),
    ("round_opened", {"jaar": 2025, "deadline": "31/01/2026", "ronde": 3, "regio": "alle"},
     "Registratieronde 2025 geopend voor alle regio's, deadline 31/01/2026."),
    ("round_reminder", {"jaar": 2025, "ronde": 3, "organisaties": 2, "mails": 3, "mislukt": 1},
     "Herinnering voor registratieronde 2025 verstuurd naar 2 organisaties (3 e-mails, 1 mislukt)."),
    ("lockout", {"minutes": 15, "scope": "device"},
     "Aanmelden 15 minuten geblokkeerd na te veel foute pogingen (voor dit toestel)."),
    ("organisation_changed", {"name": ["Oud vzw", "Nieuw vzw"], "region": ["limburg", "antwerpen"]},
     "Organisatie: naam gewijzigd van Oud vzw naar Nieuw vzw; regio gewijzigd van Limburg naar "
     "Antwerpen."),
    ("organisation_changed", {"status": "gedeactiveerd"},
     "Organisatie: gedeactiveerd: de organisatie kan niet meer aanmelden."),
    ("organisation_changed", {"profile": ["website", "municipality"]},
     "Organisatie: publiek profiel gewijzigd (website, gemeente)."),
    ("client_deleted", {"volgnummer": 12, "periodes": 1, "reden": "Dubbel ingevoerd"},
     "Cliënt 12 verwijderd, met 1 begeleidingsperiode. Reden: Dubbel ingevoerd."),
    ("export", {"format": "csv", "jaar": 2025, "regio": "alle", "rows": 1520},
     "Export (CSV): jaar 2025, alle regio's, 1520 rijen."),
    ("codelist_changed", {"list": "geslacht", "action": "rename", "code": "x", "old_label": "X",
                          "new_label": "Andere"},
     "Keuzelijst geslacht: omschrijving “X” gewijzigd in “Andere”."),
    ("import", {"clients": 3, "periods": 5, "skipped": 0, "dry_run": True, "errors": 1},
     "Proefimport (niets opgeslagen): 3 cliënten, 5 periodes, 0 al eerder geïmporteerd, 1 fout."),
    ("names_purged", {"count": 2, "retention_years": 10, "ended_before": "2016-01-01"},
     "Namen van 2 cliënten gewist: laatste periode beëindigd vóór 01/01/2016 (bewaartermijn 10 jaar)."),
    ("login_change_cancelled", {"van": "a@x.be", "naar": "b@x.be", "via": "e-mail"},
     "Wijziging van het login-adres van a@x.be naar b@x.be geannuleerd via de link in de e-mail."),
])
def test_descriptions_are_dutch_sentences(kind, details, expected):
    assert describe(kind, details) == expected


def test_an_unknown_event_still_reads_as_a_line():
    line = describe("round_reminder_sent", {"jaar": 2026, "organisations": [3, 4]})
    assert line == "Round reminder sent (jaar: 2026; organisations: 3 → 4)."
    assert describe("something_new", {}, "Iets nieuws") == "Iets nieuws."
    # details that do not fit a known description fall back instead of failing the page
    assert describe("organisation_changed", {"name": "zonder lijst"}) == "Organisatie gewijzigd."
    assert describe("lockout", {"minutes": None}).startswith("Aanmelden")


def test_the_audit_page_shows_sentences_and_brussels_times(app, make_org, make_admin):
    org_id, email = make_org(name="Atelier Leesbaar")
    admin = logged_in_client(app, make_admin(None))
    with app.app_context():
        session.add(AuditEvent(kind="organisation_changed", organisation_id=org_id,
                               actor="super@example.be", at=datetime(2026, 7, 1, 22, 30),
                               details=json.dumps({"status": "gedeactiveerd"})))
        session.add(AuditEvent(kind="login_failed", actor=email, at=datetime(2026, 1, 15, 10, 0),
                               details=json.dumps({"reason": "password", "scope": "untrusted"})))
        session.commit()
    page = admin.get("/beheer/audit").get_data(as_text=True)
    assert "<th scope=\"col\">Omschrijving</th>" in page
    assert "Organisatie: gedeactiveerd: de organisatie kan niet meer aanmelden." in page
    assert "02/07/2026 00:30" in page  # 22:30 UTC on 1 July is half past midnight in Brussels
    assert "Aanmelden mislukt: fout wachtwoord." in page
    assert "15/01/2026 11:00" in page
    for raw in ("reason", "untrusted", "{", "&#34;status&#34;", "status:"):
        assert raw not in page.split("<main")[1], raw
