"""Races: two simultaneous claims of one single-use link, on SQLite and on PostgreSQL.

Both claimants first see a valid, unused link; only then do they claim it, at the same moment
(a barrier). On PostgreSQL the two UPDATEs really run side by side (the second waits for the
first one's row lock and then re-checks its WHERE clause); on SQLite writes are serialised.
Exactly one may set a password. Client numbering under concurrency is covered by
tests/test_numbering.py (threads) and tests/test_concurrency_http.py (real HTTP); both run on
PostgreSQL as well when TEST_DATABASE_URL is set.
"""

import secrets
import threading

import pytest
from sqlalchemy import select
from support import audit_rows, get_account, login

from app.auth import services
from app.db import session
from app.models import AccountToken

CLAIM_KINDS = {"reset": "password_reset", "invite": "password_set"}


def _issue(app, email, purpose) -> str:
    with app.app_context():
        token = services.issue_token(services.find_account(email), purpose)
        session.commit()
        return token


def _account_for(make_org, purpose):
    """An invitation only works for an account without a password (one invited, not yet set)."""
    return make_org(password=None) if purpose == "invite" else make_org()


def _passwords():
    return [f"wachtwoord-{i}-{secrets.token_urlsafe(12)}" for i in range(2)]


def _assert_one_winner(app, email, purpose, won: list[bool], passwords: list[str]):
    assert sorted(won) == [False, True], f"claims that set a password: {won}"
    winner = passwords[won.index(True)]
    loser = passwords[won.index(False)]
    assert login(app.test_client(), email, winner).status_code == 302
    assert login(app.test_client(), email, loser).status_code == 200
    events = [e for e in audit_rows(app) if e.kind == CLAIM_KINDS[purpose]]
    assert len(events) == 1
    account = get_account(app, email)
    with app.app_context():
        tokens = session.scalars(select(AccountToken).where(
            AccountToken.account_id == account.id)).all()
        assert all(t.used_at is not None for t in tokens)


@pytest.mark.parametrize("purpose", ["reset", "invite"])
def test_two_simultaneous_claims_of_one_link_in_the_service_one_wins(app, make_org, purpose):
    _, email = _account_for(make_org, purpose)
    token = _issue(app, email, purpose)
    passwords = _passwords()
    barrier = threading.Barrier(2)
    won: list = [None, None]
    errors: list[str] = []

    def claim(i):
        try:
            with app.app_context():
                row = services.valid_token(token)
                assert row is not None
                session.commit()  # the link was checked (a GET of the form, say) ...
                barrier.wait(timeout=30)  # ... and both submit at the same moment
                won[i] = services.use_token(row, passwords[i]) is not None
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    _assert_one_winner(app, email, purpose, won, passwords)


@pytest.mark.parametrize("purpose", ["reset", "invite"])
def test_two_simultaneous_submissions_of_one_link_over_http_one_wins(app, make_org, monkeypatch,
                                                                     purpose):
    """Two browsers submit the same link: both requests have found the link valid before either
    claims it (the barrier sits just before the claim). On SQLite the first request holds the
    write lock from its first statement, so the barrier times out and the requests run one
    after the other; on PostgreSQL they really claim at the same time."""
    _, email = _account_for(make_org, purpose)
    token = _issue(app, email, purpose)
    passwords = _passwords()
    barrier = threading.Barrier(2)
    real_use_token = services.use_token

    def use_token_together(row, password):
        try:
            barrier.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass  # SQLite: the other request waits for our write lock
        return real_use_token(row, password)

    monkeypatch.setattr(services, "use_token", use_token_together)
    clients = [app.test_client() for _ in range(2)]
    csrf = [c.csrf_token() for c in clients]
    statuses: list = [None, None]

    def submit(i):
        r = clients[i].post(f"/password/edit/{token}", csrf=False, data={
            "csrf_token": csrf[i], "password": passwords[i], "password_confirm": passwords[i]})
        statuses[i] = r.status_code

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [302, 410], statuses
    _assert_one_winner(app, email, purpose, [s == 302 for s in statuses], passwords)
