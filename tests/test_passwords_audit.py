"""Password hashing (argon2id, rehash on login) and the audit trail of account events."""

import json

from argon2 import PasswordHasher
from support import PASSWORD, audit_rows, get_account, link_in, login

from app.db import session
from app.models import Account

WEAK = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


def test_passwords_are_stored_as_argon2id_with_production_parameters(
        app, make_org, real_password_hashing):
    _, email = make_org()
    stored = get_account(app, email).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert not real_password_hashing.check_needs_rehash(stored)
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2  # at least OWASP's minimum


def test_two_accounts_with_the_same_password_get_different_hashes(app, make_org):
    a = get_account(app, make_org()[1]).password_hash
    b = get_account(app, make_org()[1]).password_hash
    assert a != b


def test_weak_hash_is_upgraded_on_successful_login(app, make_org, real_password_hashing):
    _, email = make_org()
    weak = WEAK.hash(PASSWORD)
    with app.app_context():
        session.get(Account, get_account(app, email).id).password_hash = weak
        session.commit()
    assert real_password_hashing.check_needs_rehash(weak)

    # a failed login leaves the old hash alone
    assert login(app.test_client(), email, "verkeerd wachtwoord").status_code == 200
    assert get_account(app, email).password_hash == weak

    r = login(app.test_client(), email)
    assert r.status_code == 302
    upgraded = get_account(app, email).password_hash
    assert upgraded != weak and upgraded.startswith("$argon2id$")
    assert not real_password_hashing.check_needs_rehash(upgraded)
    # and the password still works afterwards
    assert login(app.test_client(), email).status_code == 302


def test_account_events_are_audited_without_passwords_or_tokens(mail_app):
    smtp = mail_app.smtp
    email = "audit@example.be"
    first, wrong, second = "eerste wachtwoord 1", "fout wachtwoord 99", "tweede wachtwoord 2"

    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["create-org", "Audit vzw", "--email", email, "--region", "limburg"])
    assert result.exit_code == 0, result.output
    invite_link = link_in(smtp.wait_for(1)[0])
    c = mail_app.test_client()
    assert c.post(invite_link, data={"password": first, "password_confirm": first}).status_code == 302

    assert login(mail_app.test_client(), email, first).status_code == 302
    for _ in range(5):
        login(mail_app.test_client(), email, wrong)
    login(mail_app.test_client(), "onbekend@example.be", wrong)

    assert mail_app.test_client().post("/password/new", data={"email": email}).status_code == 200
    reset_link = link_in(smtp.wait_for(2)[1])
    assert c.post(reset_link, data={"password": second, "password_confirm": second}).status_code == 302
    assert login(mail_app.test_client(), email, second).status_code == 302

    rows = audit_rows(mail_app)
    kinds = [row.kind for row in rows]
    for kind in ("invitation", "password_set", "login", "login_failed", "lockout",
                 "password_reset_requested", "password_reset"):
        assert kind in kinds, f"no audit event '{kind}' in {kinds}"
    assert kinds.count("login") == 2 and kinds.count("login_failed") == 6

    account = get_account(mail_app, email)
    by_kind = {row.kind: row for row in rows}
    assert by_kind["lockout"].account_id == account.id and by_kind["lockout"].actor == email
    assert by_kind["password_reset"].account_id == account.id
    assert by_kind["invitation"].organisation_id == account.organisation_id
    unknown = [r for r in rows if r.kind == "login_failed" and r.account_id is None]
    assert len(unknown) == 1 and json.loads(unknown[0].details) == {"reason": "unknown"}
    assert unknown[0].actor is None  # what was typed is not kept: it may be a password
    assert all(row.at is not None for row in rows)

    secrets = [first, wrong, second, invite_link.rsplit("/", 1)[1], reset_link.rsplit("/", 1)[1]]
    for row in rows:
        stored = " ".join(str(v) for v in (row.kind, row.actor, row.details, row.ip))
        for secret in secrets:
            assert secret not in stored, f"audit event '{row.kind}' contains a secret"
