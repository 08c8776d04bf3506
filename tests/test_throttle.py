"""Login throttling: per client address, per account across addresses, and with Redis storage."""

import uuid

import pytest
from support import PASSWORD, login

from app.extensions import limiter


def _post_login(client, email, password="verkeerd-wachtwoord-123", ip="127.0.0.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def _assert_throttled(response):
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Te veel pogingen" in page
    assert "Wacht even en probeer het opnieuw" in page
    assert 'lang="nl-BE"' in page


def test_fourth_login_attempt_from_one_address_gets_a_dutch_429(make_app, make_org):
    app = make_app(LOGIN_LIMIT_PER_IP="3 per minute")
    _, email = make_org()
    c = app.test_client()
    # three different (unknown) accounts, so only the per-address limit can trigger
    for i in range(3):
        r = _post_login(c, f"onbekend{i}@example.be", ip="10.1.1.1")
        assert r.status_code == 200 and "Aanmelden mislukt" in r.get_data(as_text=True)
    # even the right password is refused from this address now
    _assert_throttled(_post_login(c, email, PASSWORD, ip="10.1.1.1"))
    assert c.get("/dashboard").status_code == 302
    # another address is not affected
    other = app.test_client()
    r = _post_login(other, email, PASSWORD, ip="10.1.1.2")
    assert r.status_code == 302 and r.location.endswith("/dashboard")


def test_login_page_itself_is_not_throttled(make_app):
    app = make_app(LOGIN_LIMIT_PER_IP="3 per minute")
    c = app.test_client()
    for _ in range(6):
        assert c.get("/login").status_code == 200


def test_account_throttle_counts_attempts_from_different_addresses(make_app, make_org):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="3 per minute")
    _, email = make_org()
    _, other_email = make_org()
    c = app.test_client()
    # the address is normalised: upper case and spaces count for the same account
    variants = [email, email.upper(), f"  {email}  "]
    for i, variant in enumerate(variants):
        r = _post_login(c, variant, ip=f"10.2.0.{i + 1}")
        assert r.status_code == 200, f"attempt {i + 1} was throttled too early"
    _assert_throttled(_post_login(c, email, PASSWORD, ip="10.2.0.9"))
    # a different account from that same fresh address still gets in
    r = _post_login(app.test_client(), other_email, PASSWORD, ip="10.2.0.9")
    assert r.status_code == 302


def test_throttle_happens_before_the_lockout_counter(make_app, make_org):
    """Throttled attempts are not checked at all, so they do not lock the account."""
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    _, email = make_org()
    c = app.test_client()
    for i in range(2):
        assert _post_login(c, email, ip=f"10.3.0.{i}").status_code == 200
    for i in range(5):
        _assert_throttled(_post_login(c, email, ip=f"10.3.1.{i}"))
    from support import get_account
    assert get_account(app, email).locked_until is None


def _redis_or_skip():
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis on 127.0.0.1:6379 is unreachable ({type(exc).__name__}); "
                    "the Redis-backed limiter is not tested")
    return client


@pytest.mark.redis
def test_redis_storage_throttles_the_same_way_and_is_shared_between_workers(
        make_app, make_org, monkeypatch):
    redis_client = _redis_or_skip()
    prefix = f"aztest-{uuid.uuid4().hex[:12]}"
    # Flask-Limiter keeps the first key prefix it sees on its singleton; restore it afterwards
    monkeypatch.setattr(limiter, "_key_prefix", limiter._key_prefix)
    settings = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": prefix,
                "LOGIN_LIMIT_PER_IP": "3 per minute"}
    try:
        worker1 = make_app(**settings)
        _, email = make_org()
        c = worker1.test_client()
        for i in range(3):
            assert _post_login(c, f"onbekend{i}@example.be", ip="10.4.0.1").status_code == 200
        keys = list(redis_client.scan_iter(match=f"*{prefix}*"))
        assert keys, "the limiter did not write its counters to Redis"
        # a second worker process (a new app on the same Redis) sees the same counters
        worker2 = make_app(**settings)
        _assert_throttled(_post_login(worker2.test_client(), email, PASSWORD, ip="10.4.0.1"))
        r = _post_login(worker2.test_client(), email, PASSWORD, ip="10.4.0.2")
        assert r.status_code == 302 and r.location.endswith("/dashboard")
    finally:
        keys = list(redis_client.scan_iter(match=f"*{prefix}*"))
        if keys:
            redis_client.delete(*keys)
        redis_client.close()


def test_a_few_mistakes_are_not_throttled_with_the_default_limits(app, make_org):
    """Sanity check of the default limits: a normal user's few mistakes are never throttled."""
    _, email = make_org()
    c = app.test_client()
    for _ in range(3):
        assert login(c, email, "verkeerd-wachtwoord-123").status_code == 200
    assert login(c, email).status_code == 302


def test_every_limit_throttles_posts_only(app):
    """Page views skip the limiter (app/extensions.py `_reads_are_not_limited`): that is only
    right while no limit counts a GET or HEAD. A new limit on a read must change that filter."""
    from app.extensions import READ_METHODS
    limits = [limit for group in limiter.limit_manager._decorated_limits.values() for limit in group]
    assert len(limits) >= 10  # logins, codes, resets, invitations, password changes
    for limit in limits:
        assert limit.methods, f"{limit} counts every method, reads too"
        assert not {m.lower() for m in READ_METHODS} & set(limit.methods), limit


def test_a_read_is_not_counted_but_the_post_after_it_is(make_app):
    app = make_app(LOGIN_LIMIT_PER_IP="2 per minute")
    c = app.test_client()
    for _ in range(5):
        assert c.get("/login", environ_base={"REMOTE_ADDR": "10.9.0.1"}).status_code == 200
    for i in range(2):
        assert _post_login(c, f"x{i}@example.be", ip="10.9.0.1").status_code == 200
    _assert_throttled(_post_login(c, "x9@example.be", ip="10.9.0.1"))
