"""New passwords must be hard to guess (reset, invitation, CLI, /account/wachtwoord), and a
logged-in user changes the own password at /account/wachtwoord: other sessions end, this one stays."""

import pytest
from support import PASSWORD, SESSION_COOKIE, audit_rows, get_account, link_in, logged_in_client, login

ORG_NAME = "Maatwerkbedrijf De Linde"
STRONG = "paars konijn fietst traag"
TOO_EASY = "Dit wachtwoord is te makkelijk te raden"

# (password, the Dutch reason the page must give)
WEAK = [
    ("aaaaaaaaaaaa", "herhalingen"),
    ("wachtwoord123", "veelgebruikt wachtwoord"),
    # strong enough for a stranger, but it is the organisation's own name plus a year
    ("maatwerkbedrijf-2024", "de naam van je organisatie"),
]


def request_link(app, email: str, count: int = 1) -> str:
    r = app.test_client().post("/password/new", data={"email": email})
    assert r.status_code == 200
    return link_in(app.smtp.wait_for(count)[count - 1])


def choose(client, link: str, password: str):
    return client.post(link, data={"password": password, "password_confirm": password})


def change(client, current: str, new: str, confirm: str | None = None):
    return client.post("/account/wachtwoord", data={
        "current_password": current, "password": new,
        "password_confirm": new if confirm is None else confirm})


def assert_refused_in_dutch(r, reason: str):
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert TOO_EASY in page and reason in page
    assert "Er werd niets opgeslagen" in page and 'aria-invalid="true"' in page


def test_strength_check_knows_the_organisation_name():
    """The organisation-name case above is only weak because of the context."""
    from app.auth import strength
    assert strength.problem("maatwerkbedrijf-2024") is None
    assert strength.problem("maatwerkbedrijf-2024", "info@linde.be", ORG_NAME) is not None
    assert strength.problem(PASSWORD, "super@demo.arbeidszorg.be", "Steunpunt Limburg") is None


# --- the reset page and the invitation page -------------------------------------------------

@pytest.mark.parametrize("password, reason", WEAK)
def test_reset_page_refuses_a_guessable_password(mail_app, make_org, password, reason):
    _, email = make_org(name=ORG_NAME)
    link = request_link(mail_app, email)
    c = mail_app.test_client()
    assert_refused_in_dutch(choose(c, link, password), reason)
    # nothing changed: the old password still works, the weak one does not, the link still works
    assert login(mail_app.test_client(), email, password).status_code == 200
    assert login(mail_app.test_client(), email).status_code == 302
    assert mail_app.test_client().get(link).status_code == 200


@pytest.mark.parametrize("password, reason", WEAK)
def test_invitation_page_refuses_a_guessable_password(mail_app, password, reason):
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["create-org", ORG_NAME, "--email", "info@linde.be",
                                 "--region", "limburg"])
    assert result.exit_code == 0, result.output
    link = link_in(mail_app.smtp.wait_for(1)[0])
    c = mail_app.test_client()
    assert "Wachtwoord instellen" in c.get(link).get_data(as_text=True)
    assert_refused_in_dutch(choose(c, link, password), reason)
    assert get_account(mail_app, "info@linde.be").password_hash is None
    r = choose(c, link, STRONG)
    assert r.status_code == 302
    assert login(mail_app.test_client(), "info@linde.be", STRONG).status_code == 302


def test_reset_page_refuses_a_password_made_of_the_own_address(mail_app, make_org):
    _, email = make_org(email="jan.peeters@example.be")
    link = request_link(mail_app, email)
    assert_refused_in_dutch(choose(mail_app.test_client(), link, "jan.peeters1975"),
                            "je e-mailadres")


def test_reset_page_accepts_a_strong_password(mail_app, make_org):
    _, email = make_org(name=ORG_NAME)
    link = request_link(mail_app, email)
    assert choose(mail_app.test_client(), link, STRONG).status_code == 302
    assert login(mail_app.test_client(), email, STRONG).status_code == 302


# --- the command line -------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "maatwerkbedrijf-2024"])
def test_create_org_refuses_a_guessable_password(app, password):
    result = app.test_cli_runner().invoke(args=[
        "create-org", ORG_NAME, "--email", "info@linde.be", "--region", "limburg",
        "--password", password])
    assert result.exit_code != 0 and TOO_EASY in result.output
    assert get_account(app, "info@linde.be") is None


def test_create_admin_refuses_a_guessable_password_and_takes_the_demo_one(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "beheer@example.be", "--all",
                                 "--password", "wachtwoord123"])
    assert result.exit_code != 0 and TOO_EASY in result.output
    assert get_account(app, "beheer@example.be") is None
    result = runner.invoke(args=["create-admin", "beheer@example.be", "--all",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output


# --- /account/wachtwoord ----------------------------------------------------------------------

def test_change_password_page_needs_a_login(client):
    r = client.get("/account/wachtwoord")
    assert r.status_code == 302 and "/login?next=/account/wachtwoord" in r.location


def test_change_password_page_is_linked_for_organisations_and_beheerders(app, org_client,
                                                                         make_admin):
    admin = logged_in_client(app, make_admin())
    for c, home in ((org_client, "/dashboard"), (admin, "/beheer")):
        assert 'href="/account/wachtwoord">Wachtwoord wijzigen</a>' in c.get(home).get_data(as_text=True)
        page = c.get("/account/wachtwoord").get_data(as_text=True)
        for name in ("current_password", "password", "password_confirm"):
            assert f'name="{name}"' in page


@pytest.mark.parametrize("password, reason", WEAK)
def test_change_password_refuses_a_guessable_password(app, make_org, password, reason):
    _, email = make_org(name=ORG_NAME)
    c = logged_in_client(app, email)
    assert_refused_in_dutch(change(c, PASSWORD, password), reason)
    assert login(app.test_client(), email, password).status_code == 200
    assert login(app.test_client(), email).status_code == 302
    assert c.get("/dashboard").status_code == 200


def test_change_password_with_a_wrong_current_password_changes_nothing(app, make_org):
    _, email = make_org()
    c = logged_in_client(app, email)
    other = logged_in_client(app, email)
    r = change(c, "niet mijn wachtwoord", STRONG)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Dit is niet je huidige wachtwoord" in page and 'aria-invalid="true"' in page
    assert login(app.test_client(), email, STRONG).status_code == 200
    assert login(app.test_client(), email).status_code == 302
    assert c.get("/dashboard").status_code == 200
    assert other.get("/dashboard").status_code == 200
    assert [e.kind for e in audit_rows(app)].count("password_change_failed") == 1


def test_change_password_ends_the_other_sessions_and_keeps_this_one(app, make_org):
    _, email = make_org()
    c = logged_in_client(app, email)
    other = logged_in_client(app, email)
    old_cookie = c.get_cookie(SESSION_COOKIE).value
    r = change(c, PASSWORD, STRONG)
    assert r.status_code == 302 and r.location.endswith("/dashboard")
    page = c.get("/dashboard")
    assert page.status_code == 200
    assert "Je wachtwoord is gewijzigd" in page.get_data(as_text=True)
    # the other browser is logged out, and so is a copy of this browser's old cookie
    r = other.get("/dashboard")
    assert r.status_code == 302 and "/login" in r.location
    replay = app.test_client()
    replay.set_cookie(SESSION_COOKIE, old_cookie)
    assert replay.get("/dashboard").status_code == 302
    assert login(app.test_client(), email).status_code == 200
    assert login(app.test_client(), email, STRONG).status_code == 302
    events = [e for e in audit_rows(app) if e.kind == "password_changed"]
    assert len(events) == 1 and events[0].actor == email
    assert STRONG not in (events[0].details or "") and PASSWORD not in (events[0].details or "")


def test_beheerder_changes_the_own_password(app, make_admin):
    email = make_admin()
    c = logged_in_client(app, email)
    r = change(c, PASSWORD, STRONG)
    assert r.status_code == 302 and r.location.endswith("/beheer")
    assert c.get("/beheer").status_code == 200
    assert login(app.test_client(), email, STRONG).status_code == 302


def test_wrong_current_password_attempts_are_throttled(make_app, make_org):
    app = make_app(PASSWORD_CHANGE_LIMIT="3 per minute")
    _, email = make_org()
    c = logged_in_client(app, email)
    for _ in range(3):
        assert change(c, "niet mijn wachtwoord", STRONG).status_code == 200
    r = change(c, PASSWORD, STRONG)  # even the right one waits now
    assert r.status_code == 429 and "Te veel pogingen" in r.get_data(as_text=True)
    assert login(app.test_client(), email).status_code == 302
    # another account is not held back by this one's attempts
    _, other_email = make_org()
    assert change(logged_in_client(app, other_email), PASSWORD, STRONG).status_code == 302
