"""Many views of the yearly report right after a write compute it once (single flight per cache
key): the others wait for that one computation; an error reaches every waiter and is not cached."""

import threading
import time

import pytest
from helpers import add_client, add_period
from support import logged_in_client
from world import build_world

from app import dataversion
from app.beheer import statistics as stats

VIEWERS = 8


@pytest.fixture
def world(app, make_org, make_admin):
    return build_world(app, make_org, make_admin)


def _count_calls(monkeypatch, module, name, delay=0.0):
    """Wrap module.name so that its calls are counted (and slowed down, so that every thread
    arrives while the first one is still computing)."""
    calls = []
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(args)
        time.sleep(delay)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def _views_at_once(clients, url):
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def view(i):
        barrier.wait()
        r = clients[i].get(url)
        results[i] = (r.status_code, r.get_data(as_text=True))

    threads = [threading.Thread(target=view, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.parametrize("who, url", [("super", "/beheer/statistieken?jaar=2025"),
                                      ("org", "/cijfers?jaar=2025")])
def test_eight_views_after_a_write_compute_once(app, world, monkeypatch, who, url):
    email = world["limburg_email"] if who == "org" else world["admins"]["super"]
    clients = [logged_in_client(app, email) for _ in range(VIEWERS)]
    assert clients[0].get(url).status_code == 200  # everything counted and cached once
    org = logged_in_client(app, world["limburg_email"])
    nr = add_client(org, geboortedatum="1991-01-01")
    assert add_period(org, nr, startdatum="2025-05-01").status_code == 302  # the write

    counted = _count_calls(monkeypatch, stats, "tally_organisations", delay=0.5)
    reports = _count_calls(monkeypatch, stats, "compute")
    results = _views_at_once(clients, url)
    assert [status for status, _ in results] == [200] * VIEWERS
    assert len(counted) == 1, f"the organisations were counted {len(counted)} times"
    assert len(reports) == 1, f"the report was built {len(reports)} times"
    # every viewer sees the new client: 2024 and 2025 active clients of the organisation (4, 5)
    # or of all regions (5, 7)
    previous, current = ("4", "5") if who == "org" else ("5", "7")
    for _, page in results:
        assert (f'Actieve cliënten</th><td class="num">{previous}</td>'
                f'<td class="num">{current}</td>') in page
    # and only the written organisation was counted again (not Antwerpen's; for /cijfers the
    # source holds that one organisation only, so no id list is needed)
    _source, year, org_ids, *_ = counted[0]
    assert (year, org_ids) == (2025, [world["limburg"]] if who == "super" else None)


def test_an_error_reaches_every_waiter_and_is_not_cached(app):
    calls, started = [], threading.Event()

    def failing():
        calls.append(1)
        started.set()
        time.sleep(0.5)
        raise RuntimeError("database away")

    outcomes = [None] * VIEWERS
    barrier = threading.Barrier(VIEWERS)

    def ask(i):
        with app.app_context():
            barrier.wait()
            try:
                outcomes[i] = dataversion.cached("test", (1,), failing, version=b"v1")
            except RuntimeError as error:
                outcomes[i] = str(error)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(VIEWERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert calls == [1]
    assert outcomes == ["database away"] * VIEWERS
    with app.app_context():  # nothing cached: the next call computes again, and is cached
        assert dataversion.cached("test", (1,), lambda: 42, version=b"v1") == 42
        assert dataversion.cached("test", (1,), lambda: 43, version=b"v1") == 42
        assert dataversion.cached("test", (1,), lambda: 44, version=b"v2") == 44


def test_many_keys_at_once_share_the_computations_in_progress(app):
    """cached_many: keys another thread is computing are waited for, not computed again."""
    computed = []
    barrier = threading.Barrier(2)

    def compute(keys):
        computed.append(sorted(keys))
        time.sleep(0.3)
        return {k: k * 10 for k in keys}

    results = [None, None]

    def ask(i, items):
        with app.app_context():
            barrier.wait()
            if i:
                time.sleep(0.1)  # the second arrives while the first computes keys 1 and 2
            results[i] = dataversion.cached_many("many", items, compute)

    threads = [threading.Thread(target=ask, args=(0, {1: "a", 2: "a"})),
               threading.Thread(target=ask, args=(1, {1: "a", 2: "a", 3: "a"}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert computed == [[1, 2], [3]]
    assert results == [{1: 10, 2: 20}, {1: 10, 2: 20, 3: 30}]
