"""SPEC §11 "No way in for a beheerder", end to end over HTTP: a real waitress server, a real SMTP
server, the database shared with the test (SQLite file or PostgreSQL).

The attack of issue 10 point 1: a beheerder sets an address it controls as the organisation's
login, resends the invitation, sets a password through the link and opens the dashboard with
the names. Now the change is pending (mail to the old address with a cancel link), the
invitation is refused, and the beheerder never reaches /dashboard as the organisation.
"""

import re
from datetime import timedelta

import pytest
from helpers import add_client
from live import AppProcess, Session
from sqlalchemy import select
from support import PASSWORD, html_part, login, text_part

from app.auth.services import issue_token
from app.db import session
from app.models import Account, AuditEvent, LoginChange

CANARY = "ZZGEHEIMENAAM"
ATTACKER_MAILBOX = "prive.beheerder@example.be"  # an address the beheerder reads; not a login
CHANGE_LINK = re.compile(r"http://arbeidszorg\.test(/login-wijziging/(bevestigen|annuleren)/[A-Za-z0-9_\-]+)")
PASSWORD_LINK = re.compile(r"http://arbeidszorg\.test(/password/edit/[A-Za-z0-9_\-]+)")


@pytest.fixture
def server(app, db_url, smtp, tmp_path):
    proc = AppProcess(tmp_path / "live-instance", db_url, threads=4,
                      MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    yield proc
    proc.stop()


@pytest.fixture
def victim(app, make_org):
    """A Limburg organisation with a password and a client whose name is the canary."""
    org_id, email = make_org(name="Atelier De Veilige Haven", region="limburg")
    c = app.test_client()
    assert login(c, email).status_code == 302
    add_client(c, naam=CANARY)
    return org_id, email


def mails_to(smtp, address: str) -> list:
    return [m for m in list(smtp.messages) if m["To"] == address]


def change_link(msg, kind: str) -> str:
    for path, found in CHANGE_LINK.findall(text_part(msg)):
        if found == kind:
            return path
    raise AssertionError(f"no {kind} link in the mail")


def travel(app, org_email: str, hours: float) -> None:
    """Move the organisation's login changes `hours` into the past (the waiting time passes)."""
    with app.app_context():
        account_id = session.scalar(select(Account.id).where(Account.email == org_email))
        for change in session.scalars(select(LoginChange).where(LoginChange.account_id == account_id)):
            change.requested_at -= timedelta(hours=hours)
        session.commit()


class Attacker:
    """Every HTTP session the beheerder uses, with every answer it got."""

    def __init__(self, server, email: str):
        self.server = server
        self.beheer = Session(server)
        assert self.beheer.login(email, PASSWORD)[0] == 302
        self.sessions = [self.beheer]
        self.answers: list[tuple[str, str, int, str]] = []

    def new_session(self) -> Session:
        s = Session(self.server)
        self.sessions.append(s)
        return s

    def get(self, s: Session, path: str):
        status, headers, body = s.get(path)
        self.answers.append(("GET", path, status, body))
        return status, headers, body

    def post(self, s: Session, path: str, data: dict):
        status, headers, body = s.post(path, data)
        self.answers.append(("POST", path, status, body))
        return status, headers, body

    def tries_the_dashboard(self) -> None:
        for s in self.sessions:
            self.get(s, "/dashboard")

    def check_never_got_in(self) -> None:
        for method, path, status, body in self.answers:
            assert CANARY not in body, f"{method} {path} showed a client name"
            if path.startswith("/dashboard") or path.startswith("/clienten"):
                assert status != 200, f"{method} {path} answered 200 to the beheerder"


@pytest.mark.parametrize("attacker_region", ["limburg", None], ids=["provinciebeheerder", "superbeheerder"])
def test_a_beheerder_cannot_take_over_an_organisation_login(app, server, smtp, victim, make_admin,
                                                            attacker_region):
    org_id, org_email = victim
    admin_email = make_admin(attacker_region)
    organisation = Session(server)
    assert organisation.login(org_email, PASSWORD)[0] == 302
    assert CANARY in organisation.get("/dashboard")[2]

    attacker = Attacker(server, admin_email)
    edit = f"/beheer/organisaties/{org_id}/bewerken"
    form = {"name": "Atelier De Veilige Haven", "region": "limburg"}
    # the beheerder's own login address is taken
    status, _, body = attacker.post(attacker.beheer, edit, dict(form, email=admin_email))
    assert status == 200 and "al een login" in body
    # an address the beheerder reads: saved, but only as a pending change
    status, headers, _ = attacker.post(attacker.beheer, edit, dict(form, email=ATTACKER_MAILBOX))
    assert status == 302
    status, _, page = attacker.get(attacker.beheer, headers["Location"])
    assert "aangevraagd, maar nog niet actief" in page and "ten vroegste actief op" in page
    assert re.search(r"Login</dt><dd>" + re.escape(org_email), page)  # the login is unchanged
    assert ATTACKER_MAILBOX in page

    # the organisation is told at its current address, with a link that cancels the change
    smtp.wait_for(2)
    to_org = mails_to(smtp, org_email)
    to_attacker = mails_to(smtp, ATTACKER_MAILBOX)
    assert len(to_org) == 1 and len(to_attacker) == 1
    assert ATTACKER_MAILBOX in text_part(to_org[0]) and "Annuleer" in html_part(to_org[0])
    cancel = change_link(to_org[0], "annuleren")
    confirm = change_link(to_attacker[0], "bevestigen")

    # the invitation is refused and nothing usable is mailed
    status, headers, _ = attacker.post(attacker.beheer, f"/beheer/organisaties/{org_id}/uitnodiging", {})
    assert status == 302
    assert "al een wachtwoord ingesteld" in attacker.get(attacker.beheer, headers["Location"])[2]
    # an invitation link obtained any other way (as before the fix) does not work either
    with app.app_context():
        account = session.scalar(select(Account).where(Account.email == org_email))
        old_style_invite = issue_token(account, "invite")
        session.commit()
    outsider = attacker.new_session()
    status, _, _ = attacker.get(outsider, f"/password/edit/{old_style_invite}")
    assert status == 410
    status, _, _ = attacker.post(outsider, f"/password/edit/{old_style_invite}",
                                 {"password": "Overname-Wachtwoord-2026!",
                                  "password_confirm": "Overname-Wachtwoord-2026!"})
    assert status == 410

    # the confirm link does nothing before the waiting time
    status, _, page = attacker.get(outsider, confirm)
    assert status == 200 and "kan pas bevestigd worden vanaf" in page
    status, _, page = attacker.post(outsider, confirm, {})
    assert status == 200 and "kan pas bevestigd worden vanaf" in page
    travel(app, org_email, 71)  # one hour short of LOGIN_CHANGE_DELAY_HOURS (72)
    status, _, page = attacker.post(outsider, confirm, {})
    assert status == 200 and "kan pas bevestigd worden vanaf" in page

    # the new address is no login; a reset for it mails nothing; the old one's reset goes to the old
    for who in (ATTACKER_MAILBOX, org_email):
        thief = attacker.new_session()
        status, _, _ = attacker.post(thief, "/login", {"email": ATTACKER_MAILBOX, "password": PASSWORD})
        assert status == 200
        assert attacker.post(thief, "/password/new", {"email": who})[0] == 200
    attacker.tries_the_dashboard()

    # the organisation sees the pending change on its dashboard, keeps working, and cancels it
    status, _, dashboard = organisation.get("/dashboard")
    assert status == 200 and CANARY in dashboard
    assert "Een beheerder heeft" in dashboard and ATTACKER_MAILBOX in dashboard
    assert re.search(r"ten vroegste actief op \d\d/\d\d/\d{4}", dashboard)
    status, _, page = Session(server).get(cancel)
    assert status == 200 and "Wijziging annuleren" in page
    cancelling = Session(server)
    status, _, page = cancelling.post(cancel, {})
    assert status == 200 and "werd geannuleerd" in page

    # after the waiting time the confirm link is dead, and nothing ever let the beheerder in
    travel(app, org_email, 2)
    assert attacker.post(outsider, confirm, {})[0] == 410
    thief = attacker.new_session()
    assert attacker.post(thief, "/login", {"email": ATTACKER_MAILBOX, "password": PASSWORD})[0] == 200
    attacker.tries_the_dashboard()
    attacker.check_never_got_in()
    assert organisation.login(org_email, PASSWORD)[0] == 302  # the old address still works

    # no mail ever gave the beheerder a password link
    smtp_to_attacker = mails_to(smtp, ATTACKER_MAILBOX)
    assert not any(PASSWORD_LINK.search(text_part(m)) for m in smtp_to_attacker)
    assert CANARY not in server.log_text()
    with app.app_context():
        kinds = list(session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))
        assert kinds.count("login_change_requested") == 1 and "login_change_cancelled" in kinds
        assert "login_change_applied" not in kinds
        assert session.scalar(select(Account.email).where(Account.organisation_id == org_id)) == org_email


def test_a_confirmed_change_takes_effect_after_the_wait(app, server, smtp, victim, make_admin):
    """The legitimate path: the new address confirms after the wait; the password stays, the old
    sessions and the links mailed to the old address die."""
    org_id, org_email = victim
    new_email = "nieuwe.coordinator@example.be"
    beheer = Session(server)
    assert beheer.login(make_admin("limburg"), PASSWORD)[0] == 302
    old_session = Session(server)
    assert old_session.login(org_email, PASSWORD)[0] == 302
    assert Session(server).post("/password/new", {"email": org_email})[0] == 200
    reset_to_old = PASSWORD_LINK.search(text_part(smtp.wait_for(1)[0])).group(1)

    assert beheer.post(f"/beheer/organisaties/{org_id}/bewerken", {
        "name": "Atelier De Veilige Haven", "region": "limburg", "email": new_email})[0] == 302
    smtp.wait_for(3)
    confirm = change_link(mails_to(smtp, new_email)[0], "bevestigen")
    cancel = change_link([m for m in mails_to(smtp, org_email) if "annuleren" in text_part(m)][0],
                         "annuleren")
    travel(app, org_email, 72.1)

    status, _, page = Session(server).get(confirm)
    assert status == 200 and "Wijziging bevestigen" in page
    status, headers, _ = Session(server).post(confirm, {})
    assert status == 302 and headers["Location"].endswith("/login")

    assert old_session.get("/dashboard")[0] == 302  # its session ended
    assert Session(server).get(reset_to_old)[0] == 410  # the link mailed to the old address died
    assert Session(server).get(cancel)[0] == 410
    assert Session(server).post(confirm, {})[0] == 410  # single use
    assert Session(server).login(org_email, PASSWORD)[0] == 200
    fresh = Session(server)
    assert fresh.login(new_email, PASSWORD)[0] == 302  # the password did not change
    status, _, dashboard = fresh.get("/dashboard")
    assert status == 200 and CANARY in dashboard
    assert "werd het login-e-mailadres van je organisatie op vraag van een beheerder gewijzigd" in dashboard
    smtp.wait_for(4)
    done = [m for m in mails_to(smtp, org_email) if "werd gewijzigd" in m["Subject"]]
    assert len(done) == 1 and new_email in text_part(done[0])
    page = beheer.get(f"/beheer/organisaties/{org_id}")[2]
    assert re.search(r"Login</dt><dd>" + re.escape(new_email), page)
    assert "Aangevraagde wijziging" not in page
    with app.app_context():
        applied = session.scalars(select(AuditEvent).where(AuditEvent.kind == "login_change_applied")).all()
        assert len(applied) == 1 and applied[0].organisation_id == org_id
