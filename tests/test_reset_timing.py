"""/password/new takes the same time for known and unknown addresses (SPEC §11, issue 10 point 4)."""

import statistics
import time

from live import AppProcess, Session
from support import without_tokens

PAIRS = 50
BEST_OF = 3
WARM_UP = 10
PAUSE = 0.02  # after each request (and after its mail, see settle())


def test_forgotten_password_answers_as_fast_for_known_as_for_unknown_addresses(
        make_org, db_url, tmp_path):
    """50 known and 50 unknown addresses, interleaved over real HTTP after a warm-up; the
    medians must differ by less than 2 ms.

    A fair measurement on a small shared machine: the two kinds alternate request by request
    (which one goes first alternates too), and each of the 50 values per kind is the best of 3
    such alternations. A request that the operating system happened to preempt takes 10-200 ms
    instead of 5; the best of 3 drops those, while extra work done before the answer (the lookup,
    the token, the audit record, the mail) is in every one of the 3 and so stays visible. The
    next request waits until the background work of the previous one has ended (settle()).
    """
    _, known = make_org()
    instance = tmp_path / "instance-timing"
    instance.mkdir()
    (instance / "config.py").write_text("RATELIMIT_ENABLED = False\n")  # 360 requests a minute
    server = AppProcess(instance, db_url)
    try:
        browser = Session(server)
        token = browser.csrf()
        page = {}
        mails = instance / "mail"
        sent = [0]

        def settle(address: str) -> None:
            """Let the background work of this request end before the next one is timed, so that
            it cannot slow down whichever request comes next (the mail file is its last step)."""
            if address == known:
                sent[0] += 1
                deadline = time.time() + 10
                while time.time() < deadline and len(list(mails.glob("*.eml"))) < sent[0]:
                    time.sleep(0.002)
            time.sleep(PAUSE)

        def timed(address: str) -> float:
            started = time.perf_counter()
            status, _, body = browser.post("/password/new", {"email": address, "csrf_token": token})
            elapsed = time.perf_counter() - started
            assert status == 200 and "Controleer je mailbox" in body
            page.setdefault(address == known, body)
            settle(address)
            return elapsed

        for i in range(WARM_UP):
            timed(known)
            timed(f"warm-up-{i}@example.be")
        best = {True: [], False: []}
        raw = {True: [], False: []}
        for i in range(PAIRS):
            unknown = f"niemand-{i}@example.be"
            order = (known, unknown) if i % 2 == 0 else (unknown, known)
            runs = {True: [], False: []}
            for _ in range(BEST_OF):
                for address in order:
                    runs[address == known].append(timed(address))
            for kind in (True, False):
                best[kind].append(min(runs[kind]))
                raw[kind].extend(runs[kind])
        ms = {kind: statistics.median(best[kind]) * 1000 for kind in best}
        raw_ms = {kind: statistics.median(raw[kind]) * 1000 for kind in raw}
        report = (f"medians (best of {BEST_OF}): known {ms[True]:.2f} ms, unknown {ms[False]:.2f} ms;"
                  f" all requests: known {raw_ms[True]:.2f} ms, unknown {raw_ms[False]:.2f} ms")
        print(report)
        assert abs(ms[True] - ms[False]) < 2, report
        assert without_tokens(page[True]) == without_tokens(page[False])

        # the work for the known address did happen (after the answer): one mail per request
        time.sleep(0.5)  # a stray mail to an unknown address would have arrived by now
        messages = [p.read_bytes() for p in mails.glob("*.eml")]
        assert len(messages) == WARM_UP + PAIRS * BEST_OF
        assert all(known.encode() in m for m in messages)
        assert "Traceback" not in server.log_text()
    finally:
        server.stop()
