"""Two-step verification (SPEC §11): set-up from the page, /login/code, recovery codes, turning it
off, REQUIRE_2FA_BEHEER, the sealed secret (also after rotate-keys), the superbeheerder's reset."""

import base64
import re

import pyotp
import pytest
from sqlalchemy import text
from support import PASSWORD, TEST_MASTER_KEY, audit_rows, get_account, login

from app import crypto
from app.auth import twofactor
from app.db import session

SETUP = "/account/tweestapsverificatie"
OFF = "/account/tweestapsverificatie/uitzetten"


class Clock:
    """The time two-step verification checks codes against (moved by the tests)."""

    def __init__(self, start: float):
        self.now = start

    def code(self, secret: str, steps: int = 0) -> str:
        """The app's code for the step `steps` away from now."""
        return pyotp.TOTP(secret).at(self.now + 30 * steps)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    # the middle of a 30-second step, so ±1 step means exactly the neighbouring steps
    c = Clock(1_800_000_015.0)
    monkeypatch.setattr(twofactor, "clock", lambda: c.now)
    return c


def read_setup_page(client) -> tuple[str, str, str]:
    """(secret, signed set-up token, page) from the set-up page, as a user would read it."""
    r = client.get(SETUP)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([^<]+)</code>', page).group(1).replace(" ", "")
    token = re.search(r'name="setup" type="hidden" value="([^"]+)"', page).group(1)
    return secret, token, page


def turn_on(client, clock) -> tuple[str, list[str]]:
    """Set up 2FA through the page; returns the secret and the recovery codes shown."""
    secret, token, _ = read_setup_page(client)
    r = client.post(SETUP, data={"setup": token, "code": clock.code(secret)})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page)
    assert len(codes) == 10, page
    return secret, codes


def login_with_code(client, email, code, password=PASSWORD):
    r = login(client, email, password)
    assert r.status_code == 302 and r.headers["Location"] == "/login/code", r.headers.get("Location")
    return client.post("/login/code", data={"code": code})


def test_set_up_from_the_page_then_the_login_asks_for_the_code(app, org_client, clock):
    secret, token, page = read_setup_page(org_client)
    assert 'src="data:image/svg+xml' in page  # the QR code, made on the server
    assert "style=" not in page  # nothing the CSP (style-src 'self') would block
    assert len(secret) >= 32 and pyotp.TOTP(secret).provisioning_uri()  # a real base32 secret
    # a wrong first code: refused on the field, nothing switched on
    wrong = str((int(clock.code(secret)) + 1) % 1_000_000).zfill(6)
    r = org_client.post(SETUP, data={"setup": token, "code": wrong})
    assert r.status_code == 200 and "Deze code klopt niet" in r.get_data(as_text=True)
    assert not get_account(app, org_client.email).has_2fa
    # the right code switches it on and shows 10 recovery codes, once
    r = org_client.post(SETUP, data={"setup": token, "code": clock.code(secret)})
    page = r.get_data(as_text=True)
    assert "Herstelcodes" in page and len(re.findall(r"<li><code>", page)) == 10
    assert get_account(app, org_client.email).has_2fa
    assert "staat <strong>aan</strong>" in org_client.get(SETUP).get_data(as_text=True)
    assert "2fa_enabled" in [e.kind for e in audit_rows(app)]
    org_client.post("/logout")

    # a new browser: the password alone gives no session and no device cookie; the code does
    browser = app.test_client()
    r = login(browser, org_client.email)
    assert r.headers["Location"] == "/login/code"
    assert browser.get_cookie("az_device") is None
    assert browser.get("/dashboard").status_code == 302
    page = browser.get("/login/code").get_data(as_text=True)
    assert "Voer de zescijferige code uit je authenticator-app in" in page
    clock.advance(30)
    r = browser.post("/login/code", data={"code": clock.code(secret)})
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"
    assert browser.get("/dashboard").status_code == 200
    assert browser.get_cookie("az_device") is not None
    logins = [e for e in audit_rows(app) if e.kind == "login"]
    assert logins and '"second_factor": "totp"' in logins[-1].details


def test_a_wrong_code_is_refused(app, org_client, clock):
    secret, _ = turn_on(org_client, clock)
    org_client.post("/logout")
    clock.advance(60)
    r = login_with_code(org_client, org_client.email, "000000" if clock.code(secret) != "000000"
                        else "111111")
    assert r.status_code == 200 and "Deze code klopt niet" in r.get_data(as_text=True)
    assert org_client.get("/dashboard").status_code == 302
    assert [e.kind for e in audit_rows(app)][-1] == "2fa_failed"
    # still waiting for the code: the right one gets in
    r = org_client.post("/login/code", data={"code": clock.code(secret)})
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"


def test_a_code_is_accepted_once(app, org_client, clock):
    secret, _ = turn_on(org_client, clock)
    org_client.post("/logout")
    clock.advance(60)
    code = clock.code(secret)
    assert login_with_code(org_client, org_client.email, code).status_code == 302
    org_client.post("/logout")
    # the same code again, in the same 30 seconds: refused
    r = login_with_code(org_client, org_client.email, code)
    assert r.status_code == 200 and "Deze code klopt niet" in r.get_data(as_text=True)
    assert org_client.get("/dashboard").status_code == 302
    # an older code (previous step, within the drift) is refused too, the next step works
    assert org_client.post("/login/code", data={"code": clock.code(secret, -1)}).status_code == 200
    r = org_client.post("/login/code", data={"code": clock.code(secret, +1)})
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"


def test_one_step_of_clock_drift_either_way_is_accepted_two_are_not(app, org_client, clock):
    secret, _ = turn_on(org_client, clock)
    org_client.post("/logout")
    clock.advance(300)
    for steps in (-2, +2):
        r = login_with_code(org_client, org_client.email, clock.code(secret, steps))
        assert r.status_code == 200, steps
    assert org_client.post("/login/code", data={"code": clock.code(secret, -1)}).status_code == 302
    org_client.post("/logout")
    r = login_with_code(org_client, org_client.email, clock.code(secret, +1))
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"


def test_a_recovery_code_works_once(app, org_client, clock):
    _, codes = turn_on(org_client, clock)
    org_client.post("/logout")
    typed = codes[3].upper().replace("-", " ")  # as someone copies it from paper
    r = login_with_code(org_client, org_client.email, typed)
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"
    assert "2fa_recovery_used" in [e.kind for e in audit_rows(app)]
    assert "Ongebruikte herstelcodes: 9 van de 10" in org_client.get(SETUP).get_data(as_text=True)
    org_client.post("/logout")
    r = login_with_code(org_client, org_client.email, codes[3])
    assert r.status_code == 200 and "Deze code klopt niet" in r.get_data(as_text=True)
    assert org_client.get("/dashboard").status_code == 302
    assert login_with_code(org_client, org_client.email, codes[4]).status_code == 302


def test_turning_off_needs_the_password_and_a_code(app, org_client, clock):
    secret, _ = turn_on(org_client, clock)
    clock.advance(30)
    r = org_client.post(OFF, data={"password": "niet-mijn-wachtwoord", "code": clock.code(secret)})
    assert r.status_code == 200 and "Dit wachtwoord klopt niet" in r.get_data(as_text=True)
    assert get_account(app, org_client.email).has_2fa
    r = org_client.post(OFF, data={"password": PASSWORD, "code": "123-abc"})
    assert r.status_code == 200 and "Deze code klopt niet" in r.get_data(as_text=True)
    r = org_client.post(OFF, data={"password": PASSWORD, "code": ""})
    assert r.status_code == 200 and get_account(app, org_client.email).has_2fa
    r = org_client.post(OFF, data={"password": PASSWORD, "code": clock.code(secret)})
    assert r.status_code == 302
    assert not get_account(app, org_client.email).has_2fa
    assert "2fa_disabled" in [e.kind for e in audit_rows(app)]
    org_client.post("/logout")
    r = login(org_client, org_client.email)  # the password alone again
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"


def test_beheerder_without_2fa_is_sent_to_the_set_up_when_required(make_app, make_admin, clock):
    app = make_app(REQUIRE_2FA_BEHEER=True)
    email = make_admin()
    client = app.test_client()
    r = login(client, email)
    assert r.status_code == 302 and r.headers["Location"] == SETUP
    for path in ("/beheer", "/beheer/organisaties", "/beheer/audit", "/beheer/statistieken"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"] == SETUP, path
    r = client.get("/beheer/organisaties", headers={"HX-Request": "true"})
    assert r.headers.get("HX-Redirect") == SETUP
    assert "niets openen onder Beheer" in client.get(SETUP).get_data(as_text=True)
    turn_on(client, clock)
    assert client.get("/beheer/organisaties").status_code == 200


def test_beheerder_without_2fa_gets_in_when_not_required(make_app, make_admin):
    app = make_app(REQUIRE_2FA_BEHEER=False)
    email = make_admin()
    client = app.test_client()
    r = login(client, email)
    assert r.status_code == 302 and r.headers["Location"] == "/beheer"
    assert client.get("/beheer/organisaties").status_code == 200


def test_the_setting_comes_from_the_environment_default_on(db_url, tmp_path, monkeypatch):
    from support import _base_config

    from app import create_app
    config = _base_config(str(tmp_path / "instance"), db_url)
    del config["REQUIRE_2FA_BEHEER"]
    monkeypatch.delenv("REQUIRE_2FA_BEHEER", raising=False)
    assert create_app(config).config["REQUIRE_2FA_BEHEER"] is True
    for value, expected in (("0", False), ("false", False), ("1", True), ("yes", True)):
        monkeypatch.setenv("REQUIRE_2FA_BEHEER", value)
        assert create_app(config).config["REQUIRE_2FA_BEHEER"] is expected, value


def test_while_the_code_is_pending_nothing_else_opens(make_app, make_admin, make_org, clock):
    app = make_app(REQUIRE_2FA_BEHEER=True)
    admin = make_admin()
    client = app.test_client()
    login(client, admin)
    turn_on(client, clock)
    client.post("/logout")
    assert login(client, admin).headers["Location"] == "/login/code"
    for path in ("/beheer", "/beheer/organisaties", "/dashboard", SETUP, "/account/wachtwoord"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/login"), path
    # the login page itself starts over; /login/code still waits
    assert client.get("/login/code").status_code == 200
    _, email = make_org()
    org = app.test_client()
    login(org, email)
    secret, _ = turn_on(org, clock)
    org.post("/logout")
    assert login(org, email).headers["Location"] == "/login/code"
    assert org.get("/dashboard").status_code == 302
    assert org.get("/clienten/nieuw").status_code == 302


def test_the_pending_code_step_expires(make_app, make_org, clock):
    app = make_app(SECOND_FACTOR_MINUTES=0)
    _, email = make_org()
    client = app.test_client()
    login(client, email)
    secret, _ = turn_on(client, clock)
    client.post("/logout")
    clock.advance(30)
    r = login_with_code(client, email, clock.code(secret))
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert client.get("/dashboard").status_code == 302


def test_a_next_target_is_followed_after_the_code(app, org_client, clock):
    secret, _ = turn_on(org_client, clock)
    org_client.post("/logout")
    clock.advance(30)
    r = org_client.post("/login?next=/clienten/nieuw", data={"email": org_client.email,
                                                             "password": PASSWORD})
    assert r.headers["Location"] == "/login/code"
    r = org_client.post("/login/code", data={"code": clock.code(secret)})
    assert r.headers["Location"] == "/clienten/nieuw"


def test_wrong_codes_count_toward_the_lockout(app, org_client, clock):
    """Someone who has the password but not the phone, from a browser of their own."""
    secret, _ = turn_on(org_client, clock)
    clock.advance(300)
    stranger = app.test_client()
    assert login(stranger, org_client.email).headers["Location"] == "/login/code"
    for _ in range(4):
        assert stranger.post("/login/code", data={"code": "abcd-efgh-jkmn"}).status_code == 200
    # the password again does not clear the wrong codes
    assert login(stranger, org_client.email).headers["Location"] == "/login/code"
    r = stranger.post("/login/code", data={"code": "abcd-efgh-jkmn"})
    assert r.status_code == 429 and "Te veel mislukte pogingen" in r.get_data(as_text=True)
    assert "lockout" in [e.kind for e in audit_rows(app)]
    # locked: the right password from that browser is refused for now, even with the code
    assert login(stranger, org_client.email).status_code == 429
    r = stranger.post("/login/code", data={"code": clock.code(secret)})
    assert r.status_code == 302 and r.headers["Location"] == "/login"  # no code step to finish
    assert stranger.get("/dashboard").status_code == 302
    # the rightful user's browser (device cookie) still gets in
    org_client.post("/logout")
    r = login_with_code(org_client, org_client.email, clock.code(secret))
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"


def test_codes_are_throttled_per_account(make_app, make_org, clock):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOCKOUT_AFTER_FAILURES=100)
    _, email = make_org()
    client = app.test_client()
    login(client, email)
    turn_on(client, clock)
    client.post("/logout")
    login(client, email)
    statuses = [client.post("/login/code", data={"code": "999999"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Te veel pogingen" in client.post("/login/code", data={"code": "1"}).get_data(as_text=True)


def test_the_secret_is_sealed_in_the_database_and_survives_rotate_keys(make_app, make_org, clock):
    app = make_app()
    _, email = make_org()
    client = app.test_client()
    login(client, email)
    secret, _ = turn_on(client, clock)
    account_id = get_account(app, email).id

    def stored() -> bytes:
        with app.app_context():
            return bytes(session.execute(text("SELECT totp_secret_enc FROM account WHERE id = :i"),
                                         {"i": account_id}).scalar())

    blob = stored()
    raw = base64.b32decode(secret)
    assert secret.encode() not in blob and raw not in blob and len(blob) > len(raw)
    assert not any(secret in (e.details or "") for e in audit_rows(app))
    old_key = crypto.decode_key(TEST_MASTER_KEY)
    assert crypto.unwrap_totp_secret(old_key, blob, account_id) == secret
    new_key = crypto.AESGCM.generate_key(bit_length=256)
    result = app.test_cli_runner().invoke(args=["rotate-keys", "--new-key",
                                                crypto.encode_key(new_key)])
    assert result.exit_code == 0, result.output
    rewrapped = stored()
    assert rewrapped != blob
    with pytest.raises(crypto.MasterKeyError):
        crypto.unwrap_totp_secret(old_key, rewrapped, account_id)
    # an app started with the new key: the same authenticator app still logs in
    restarted = make_app(MASTER_KEY=crypto.encode_key(new_key))
    other = restarted.test_client()
    clock.advance(30)
    r = login_with_code(other, email, clock.code(secret))
    assert r.status_code == 302 and r.headers["Location"] == "/dashboard"


def test_superbeheerder_resets_a_beheerders_2fa(make_app, make_admin, clock):
    app = make_app(REQUIRE_2FA_BEHEER=True)
    super_email, admin_email = make_admin(region=None), make_admin()
    boss = app.test_client()
    login(boss, super_email)
    boss_secret, _ = turn_on(boss, clock)
    admin = app.test_client()
    login(admin, admin_email)
    turn_on(admin, clock)
    assert admin.get("/beheer/organisaties").status_code == 200
    admin_id = get_account(app, admin_email).id
    url = f"/beheer/beheerders/{admin_id}/tweestapsverificatie-wissen"
    # a provinciebeheerder cannot
    assert admin.post(url).status_code in (403, 404)
    page = boss.get(f"/beheer/beheerders/{admin_id}/bewerken").get_data(as_text=True)
    assert "Tweestapsverificatie wissen" in page
    listing = boss.get("/beheer/beheerders").get_data(as_text=True)
    assert re.search(re.escape(admin_email) + r"</td>(?:(?!</tr>).)*<td[^>]*>Aan</td>", listing, re.S)
    assert boss.post(url, csrf=False).status_code == 400  # CSRF token required
    assert get_account(app, admin_email).has_2fa
    r = boss.post(url)
    assert r.status_code == 302
    assert not get_account(app, admin_email).has_2fa
    assert "2fa_reset" in [e.kind for e in audit_rows(app)]
    listing = boss.get("/beheer/beheerders").get_data(as_text=True)
    assert re.search(re.escape(admin_email) + r"</td>(?:(?!</tr>).)*<td[^>]*>Uit</td>", listing, re.S)
    # the beheerder's session ended; at the next login it sets 2FA up again
    assert admin.get("/beheer/organisaties").status_code == 302
    r = login(admin, admin_email)
    assert r.headers["Location"] == SETUP
    assert admin.get("/beheer/organisaties").headers["Location"] == SETUP


def test_no_reset_of_an_organisation_login_through_beheer(make_app, make_admin, make_org, clock):
    app = make_app()
    boss = app.test_client()
    login(boss, make_admin(region=None))
    _, email = make_org()
    org = app.test_client()
    login(org, email)
    turn_on(org, clock)
    org_id = get_account(app, email).id
    assert boss.post(f"/beheer/beheerders/{org_id}/tweestapsverificatie-wissen").status_code == 404
    assert get_account(app, email).has_2fa


def test_reset_second_factor_gives_a_login_without_2fa(app, org_client, clock):
    """What a fresh invitation of a login calls (colleague logins): the 2FA and its recovery
    codes are gone, the password alone logs in."""
    _, codes = turn_on(org_client, clock)
    from app.models import Account
    with app.app_context():
        account = session.get(Account, get_account(app, org_client.email).id)
        twofactor.reset_second_factor(account)
        session.commit()
    assert not get_account(app, org_client.email).has_2fa
    org_client.post("/logout")
    r = login(org_client, org_client.email)
    assert r.headers["Location"] == "/dashboard"


def test_set_up_page_refuses_a_forged_or_foreign_setup_token(app, make_org, clock):
    _, first = make_org()
    _, second = make_org()
    a, b = app.test_client(), app.test_client()
    login(a, first)
    login(b, second)
    secret, token, _ = read_setup_page(a)
    r = b.post(SETUP, data={"setup": token, "code": clock.code(secret)})
    assert r.status_code == 200 and "verlopen" in r.get_data(as_text=True)
    assert not get_account(app, second).has_2fa


def test_seed_demo_says_when_2fa_for_beheerders_is_off(make_app):
    app = make_app(REQUIRE_2FA_BEHEER=False)
    result = app.test_cli_runner().invoke(args=["seed-demo", "--organisations", "1",
                                                "--clients", "0"])
    assert result.exit_code == 0, result.output
    assert ("Tweestapsverificatie voor beheerders staat uit in deze demo (REQUIRE_2FA_BEHEER=0)"
            in result.output)
    on = make_app(REQUIRE_2FA_BEHEER=True).test_cli_runner().invoke(
        args=["seed-demo", "--organisations", "1", "--clients", "0"])
    assert "staat uit" not in on.output and "tweestapsverificatie in" in on.output


def test_create_admin_with_password_still_works_for_scripts(make_app, clock):
    app = make_app(REQUIRE_2FA_BEHEER=True)
    result = app.test_cli_runner().invoke(args=[
        "create-admin", "script@example.be", "--all", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    r = login(client, "script@example.be")
    assert r.status_code == 302 and r.headers["Location"] == SETUP
    turn_on(client, clock)
    assert client.get("/beheer/beheerders").status_code == 200
