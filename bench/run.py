"""The benchmark (`make bench`): seed a large database, serve it with waitress, measure.

Figures are reported as p50/p95 latency and throughput, each also as a ratio to /healthz (the
framework floor) measured in the same run, and written to bench/RESULTS.md.

    python -m bench.run [--database-url URL] [--organisations 1000] [--clients 100000]
                        [--duration 10] [--connections 8]
"""

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
MASTER_KEY = "YmVuY2gtbWFzdGVyLWtleS0zMi1ieXRlcy1sb25nISE="
PASSWORD = "demo-wachtwoord-2026"
LARGE_ORG = "organisatie1@demo.arbeidszorg.be"
SUPER = "super@demo.arbeidszorg.be"
REGION_ADMIN = "beheer-antwerpen@demo.arbeidszorg.be"  # the large organisation is in Antwerpen

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50": %f, "p95": %f, "errors": %d, "non2xx": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(instance: Path, database_url: str | None) -> dict:
    env = dict(os.environ, INSTANCE_PATH=str(instance), MASTER_KEY=MASTER_KEY,
               SECRET_KEY="bench-secret", BASE_URL="http://127.0.0.1",
               REQUIRE_2FA_BEHEER="0")  # the benchmark's beheerders log in with a password
    env.pop("MAIL_SERVER", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def flask(env: dict, *args: str) -> str:
    out = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True)
    return out.stdout


def prepare(instance: Path, database_url: str | None, n_orgs: int, n_clients: int) -> float | None:
    """Seed the database once; return the seconds it took (None when it was already there)."""
    marker = instance / f"seeded-{n_orgs}-{n_clients}"
    if marker.exists():
        return None
    if database_url:  # start from an empty PostgreSQL database
        import psycopg
        from sqlalchemy.engine import make_url
        u = make_url(database_url)
        with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{u.database}"')
    elif instance.exists():
        shutil.rmtree(instance)
    instance.mkdir(parents=True, exist_ok=True)
    env = env_for(instance, database_url)
    flask(env, "upgrade-db")
    t0 = time.perf_counter()
    flask(env, "seed-demo", "--organisations", str(n_orgs), "--clients", str(n_clients))
    seconds = time.perf_counter() - t0
    marker.write_text(f"{seconds:.1f}\n")
    return seconds


class Server:
    """waitress serving wsgi:app in its own process."""

    def __init__(self, env: dict, threads: int = 8):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(BIN / "waitress-serve"), f"--listen=127.0.0.1:{self.port}", f"--threads={threads}",
             "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, resp.headers, data

    def login(self, email: str) -> str:
        status, headers, page = self.request("GET", "/login")
        cookie = self.cookies(headers)
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        body = urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
        status, headers, _ = self.request("POST", "/login", body, {
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"login failed for {email}: {status}"
        return self.cookies(headers)

    @staticmethod
    def cookies(headers) -> str:
        """A Cookie header with every cookie the response sets (after a login: the session and
        the device cookie, in either order)."""
        return "; ".join(value.split(";")[0] for value in headers.get_all("Set-Cookie") or [])

    @staticmethod
    def kept(cookie: str, headers) -> str:
        """The Cookie header a browser sends next: `cookie` with what the response set."""
        jar = dict(c.split("=", 1) for c in cookie.split("; "))
        jar.update(c.split(";")[0].split("=", 1) for c in headers.get_all("Set-Cookie") or ())
        return "; ".join(f"{k}={v}" for k, v in jar.items())

    def reset_peak(self) -> None:
        """Forget the peak so far (Linux: writing 5 to clear_refs resets VmHWM), e.g. after the
        login, whose Argon2 hash alone takes 64 MiB."""
        try:
            Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")
        except OSError:
            pass

    def peak_rss_mb(self) -> float:
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", text).group(1)) / 1024

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def run_wrk(port: int, path: str, headers: dict, duration: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT)
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", fh.name]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(cmd + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         check=True).stdout
    os.unlink(fh.name)
    data = json.loads(out.strip().splitlines()[-1])
    seconds = data["duration_us"] / 1e6
    return {"p50_ms": data["p50"] / 1000, "p95_ms": data["p95"] / 1000,
            "rps": data["requests"] / seconds, "errors": data["errors"] + data["non2xx"]}


def run_python(port: int, path: str, headers: dict, duration: int, connections: int) -> dict:
    """A keep-alive load generator in threads, used when wrk is not installed."""
    latencies, errors = [], [0]
    stop_at = time.perf_counter() + duration
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local = []
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            local.append(time.perf_counter() - t0)
            if resp.status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    q = statistics.quantiles(latencies, n=100)
    return {"p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000, "rps": len(latencies) / elapsed,
            "errors": errors[0]}


def measure(server: Server, path: str, headers: dict, args) -> dict:
    tool = run_wrk if shutil.which("wrk") else run_python
    tool(server.port, path, headers, max(2, args.duration // 4), args.connections)  # warm-up
    return tool(server.port, path, headers, args.duration, args.connections)


def export_run(env: dict, query: str) -> dict:
    """One export in a fresh server process: rows, rows/s and the process's peak memory."""
    server = Server(env, threads=2)
    try:
        cookie = server.login(SUPER)
        server.request("GET", "/beheer", headers={"Cookie": cookie})  # imports and caches warm
        server.reset_peak()
        base = server.peak_rss_mb()
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=3600)
        conn.request("GET", "/beheer/export.csv" + query, headers={"Cookie": cookie})
        resp = conn.getresponse()
        lines = 0
        while chunk := resp.read(1 << 16):
            lines += chunk.count(b"\n")
        seconds = time.perf_counter() - t0
        assert resp.status == 200, resp.status
        return {"rows": lines - 1, "seconds": seconds, "rows_per_s": (lines - 1) / seconds,
                "peak_mb": server.peak_rss_mb(), "idle_peak_mb": base}
    finally:
        server.stop()


def write_a_client(server: Server, cookie: str) -> None:
    """A write through the form, as the organisation: a new client of the large organisation (its
    data version changes, so its counts must be recounted)."""
    status, headers, page = server.request("GET", "/clienten/nieuw", headers={"Cookie": cookie})
    cookie = server.kept(cookie, headers)
    text = page.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    form = {"csrf_token": token, "naam": "", "oud_volgnummer": "", "geboortedatum": "1984-02-29",
            "postcode_woonplaats": "3500", "postcode_tewerkstelling": "3500", "dubbel_bevestigd": "y"}
    for name, options in re.findall(r'<select[^>]*name="([a-z_]+)"[^>]*>(.*?)</select>', text, re.S):
        form[name] = next(v for v in re.findall(r'<option value="([^"]*)"', options) if v)
    status, headers, body = server.request("POST", "/clienten/nieuw", urlencode(form), {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302, f"the write failed: {status} {body[:3000]!r}"


def timed_get(server: Server, path: str, cookie: str, conn=None) -> float:
    """Milliseconds from sending the request to the last byte of a 200 answer (on `conn`, a
    kept-alive connection, when given; otherwise a new one)."""
    t0 = time.perf_counter()
    if conn is None:
        status = server.request("GET", path, headers={"Cookie": cookie})[0]
    else:
        conn.request("GET", path, headers={"Cookie": cookie})
        answer = conn.getresponse()
        answer.read()
        status = answer.status
    assert status == 200, f"{path}: {status}"
    return (time.perf_counter() - t0) * 1000


AFTER_WRITE_ROUNDS = 9  # the 8-at-once wall time moves by ±20% from one write to the next


def statistics_after_write(server: Server, path: str, viewer: str,
                           rounds: int = AFTER_WRITE_ROUNDS) -> dict:
    """The yearly report right after a write (cold: the written organisation is recounted),
    warm (nothing changed), and 8 viewers at once right after a write (single flight: one
    computation, the others wait for it). Milliseconds; medians over `rounds` writes.

    Every view goes over a kept-alive connection, as a browser's does, opened before the write:
    a view is timed from sending its request to the last byte of the answer, and "8 at once"
    from the moment the eight requests are let go (together) to the last answer of the eight,
    so that neither includes the load generator's own thread and connection start-up."""
    cookies = [server.login(viewer)] * 8  # one session (the per-account login limit)
    org_cookie = cookies[0] if viewer == LARGE_ORG else server.login(LARGE_ORG)
    connections = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
                   for _ in range(8)]
    try:
        timed_get(server, path, cookies[0], connections[0])  # the first view: everything counted
        cold, warm, together, slowest = [], [], [], []
        for _ in range(rounds):
            write_a_client(server, org_cookie)
            cold.append(timed_get(server, path, cookies[0], connections[0]))
            warm += [timed_get(server, path, cookies[0], connections[0]) for _ in range(3)]
            for i in range(1, 8):  # every connection open and used before the write
                timed_get(server, path, cookies[i], connections[i])
            write_a_client(server, org_cookie)
            barrier = threading.Barrier(8)
            spans = [(0.0, 0.0)] * 8

            def view(i, barrier=barrier, spans=spans):
                barrier.wait()
                start = time.perf_counter()
                spans[i] = (start, start + timed_get(server, path, cookies[i], connections[i]) / 1000)

            threads = [threading.Thread(target=view, args=(i,)) for i in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            first_sent = min(start for start, _ in spans)
            together.append((max(end for _, end in spans) - first_sent) * 1000)
            slowest.append(max(end - start for start, end in spans) * 1000)
    finally:
        for conn in connections:
            conn.close()
    result = {"cold_ms": statistics.median(cold), "warm_ms": statistics.median(warm),
              "eight_wall_ms": statistics.median(together), "eight_slowest_ms": statistics.median(slowest)}
    result["ratio"] = result["eight_wall_ms"] / result["cold_ms"]
    return result


def forget_stored_counts(instance: Path, database_url: str | None) -> None:
    """Empty statistics_tally: the next process counts every organisation (as before the counts
    were stored; that process then stores them)."""
    from sqlalchemy import create_engine, text
    url = database_url or f"sqlite:///{instance / 'arbeidszorg.sqlite'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM statistics_tally"))
    engine.dispose()


def first_view_after_restart(env: dict, path: str, viewer: str, write: bool) -> float:
    """A new server process (nothing cached in it), optionally a write (a new client of the large
    organisation), then the first view of `path`: milliseconds."""
    server = Server(env)
    try:
        cookie = server.login(viewer)
        if write:
            write_a_client(server, cookie if viewer == LARGE_ORG else server.login(LARGE_ORG))
        return timed_get(server, path, cookie)
    finally:
        server.stop()


def statistics_after_restart(env: dict, instance: Path, database_url: str | None, year: int,
                             rounds: int = 3) -> list:
    """The report's first view in a new process: without stored counts (every organisation
    counted, as before statistics_tally), and with them, after a write and without one."""
    found = []
    for label, path, viewer in ((f"statistieken {year}, alle regio's (superbeheerder)",
                                 f"/beheer/statistieken?jaar={year}", SUPER),
                                (f"statistieken {year}, Antwerpen (provinciebeheerder)",
                                 f"/beheer/statistieken?jaar={year}", REGION_ADMIN)):
        forget_stored_counts(instance, database_url)
        nothing_stored = first_view_after_restart(env, path, viewer, write=True)
        after_write = [first_view_after_restart(env, path, viewer, write=True) for _ in range(rounds)]
        no_write = [first_view_after_restart(env, path, viewer, write=False) for _ in range(rounds)]
        result = {"nothing_stored_ms": nothing_stored, "after_write_ms": statistics.median(after_write),
                  "after_write_max_ms": max(after_write), "no_write_ms": statistics.median(no_write)}
        found.append((label, path, result))
        print(f"{label:<50} first view in a new process after a write: nothing stored "
              f"{nothing_stored:7.0f} ms, stored {result['after_write_ms']:6.0f} ms "
              f"(max {result['after_write_max_ms']:.0f}); no write {result['no_write_ms']:6.0f} ms",
              flush=True)
    return found


def restart_lines(after_restart) -> list[str]:
    lines = ["| yearly report: first view in a new server process (restart) | after a write, "
             "nothing stored (every organisation counted) ms | after a write, stored counts ms "
             "(median, max of 3) | no write, stored counts ms |", "|---|---:|---:|---:|"]
    lines += [f"| {label} (`{path}`) | {r['nothing_stored_ms']:.0f} | {r['after_write_ms']:.0f} "
              f"({r['after_write_max_ms']:.0f}) | {r['no_write_ms']:.0f} |"
              for label, path, r in after_restart]
    return lines + ["", "Each figure: a new waitress process, the viewer's login, a new client "
                    "of the large organisation through the form (not in the last column), then "
                    "the first view of the report.", ""]


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    parser.add_argument("--only-restart", action="store_true",
                        help="only the report's first view in a new process (restart)")
    args = parser.parse_args(argv)
    kind = "postgresql" if args.database_url else "sqlite"
    instance = OUT / f"instance-{kind}"
    seed_seconds = prepare(instance, args.database_url, args.organisations, args.clients)
    env = env_for(instance, args.database_url)
    flask(env, "upgrade-db")  # a database seeded by an older commit gets the newer migrations
    if args.database_url:  # the planner's statistics, as autovacuum keeps them (it may be off here)
        import psycopg
        from sqlalchemy.engine import make_url
        u = make_url(args.database_url)
        with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname=u.database,
                             autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    env["LOGIN_LIMIT_PER_IP"] = env["LOGIN_LIMIT_PER_ACCOUNT"] = "1000 per minute"
    year = time.localtime().tm_year - 1
    if args.only_restart:
        after_restart = statistics_after_restart(env, instance, args.database_url, year)
        write_results(args, kind, seed_seconds, None, None, None, after_restart=after_restart)
        return 0

    server = Server(env)
    rows = []
    try:
        org_cookie = server.login(LARGE_ORG)
        status, _, page = server.request("GET", "/dashboard", headers={"Cookie": org_cookie})
        pages = int(re.search(rb"Pagina 1 van (\d+)", page).group(1)) if b"Pagina 1 van" in page else 1
        year = time.localtime().tm_year - 1
        targets = [  # label, path, who is logged in (None: no cookie)
            ("/healthz (floor)", "/healthz", None),
            ("/healthz met login-cookie", "/healthz", LARGE_ORG),
            ("dashboard, actief, pagina 1", "/dashboard?tab=actief", LARGE_ORG),
            (f"dashboard, actief, pagina {max(1, pages // 2)}",
             f"/dashboard?tab=actief&page={max(1, pages // 2)}", LARGE_ORG),
            ("zoeken op nummer (htmx)", "/dashboard?tab=actief&q=1234", LARGE_ORG),
            ("cliëntinformatie", "/clienten/1500", LARGE_ORG),
            (f"statistieken {year}, alle regio's", f"/beheer/statistieken?jaar={year}", SUPER),
        ]
        for label, path, who in targets:
            # a fresh login for each target: a browser keeps the cookie the server refreshes (the
            # idle-time touch, every 30 s), a load generator replays one cookie for the whole run
            cookie = server.login(who) if who else None
            headers = {"Cookie": cookie} if cookie else {}
            if "htmx" in label:
                headers["HX-Request"] = "true"
            t0 = time.perf_counter()
            status, answer, _ = server.request("GET", path, headers=headers)
            first_ms = (time.perf_counter() - t0) * 1000  # cold: before any cache is warm
            if status != 200 or answer.get("HX-Redirect"):  # not the page (e.g. sent to /login)
                rows.append((label, path, None))
                continue
            if cookie:  # what the first view set (the dashboard's remembered list), as a browser
                headers["Cookie"] = server.kept(cookie, answer)
            result = measure(server, path, headers, args)
            result["first_ms"] = first_ms
            rows.append((label, path, result))
            floor = rows[0][2]
            print(f"{label:<40} p50 {result['p50_ms']:8.2f} ms  p95 {result['p95_ms']:8.2f} ms  "
                  f"{result['rps']:8.1f} req/s  errors {result['errors']}  "
                  f"p50 {result['p50_ms'] / floor['p50_ms']:.2f}× floor, "
                  f"req/s {result['rps'] / floor['rps']:.0%} of floor", flush=True)
        after_write = []
        for label, path, viewer in ((f"statistieken {year}, alle regio's (superbeheerder)",
                                     f"/beheer/statistieken?jaar={year}", SUPER),
                                    (f"statistieken {year}, Antwerpen (provinciebeheerder)",
                                     f"/beheer/statistieken?jaar={year}", REGION_ADMIN),
                                    (f"eigen cijfers {year} (/cijfers, grote organisatie)",
                                     f"/cijfers?jaar={year}", LARGE_ORG)):
            result = statistics_after_write(server, path, viewer)
            after_write.append((label, path, result))
            print(f"{label:<50} after a write {result['cold_ms']:7.0f} ms, warm {result['warm_ms']:6.0f} ms, "
                  f"8 at once after a write {result['eight_wall_ms']:7.0f} ms "
                  f"({result['ratio']:.2f}× one)", flush=True)
    finally:
        server.stop()

    after_restart = statistics_after_restart(env, instance, args.database_url, year)
    small = export_run(env, "?regio=brussel&jaar=2016")
    full = export_run(env, "")
    print(f"export small: {small}\nexport full: {full}")
    write_results(args, kind, seed_seconds, rows, small, full, after_write, after_restart)
    return 0


def write_results(args, kind, seed_seconds, rows, small, full, after_write=(),
                  after_restart=()) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [f"## {kind} — {time.strftime('%Y-%m-%d %H:%M')} — commit {git_commit()}", "",
             f"Machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
             f"{platform.platform()}; load average at the end {load}. "
             f"Load: {'wrk' if shutil.which('wrk') else 'Python threads'}, "
             f"{args.connections} connections, {args.duration} s after warm-up; server: waitress, 8 threads.",
             f"Data: {args.organisations} organisations, {args.clients} clients"
             + (f" (seeded in {seed_seconds:.0f} s)" if seed_seconds else " (seeded earlier)") + ".", ""]
    if rows is None:  # --only-restart
        lines += restart_lines(after_restart) + [""]
        _prepend(args, lines)
        return
    floor = rows[0][2]
    lines += ["| what | first request ms | p50 ms | p95 ms | req/s | p50 ÷ floor | req/s ÷ floor | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, path, r in rows:
        if r is None:
            lines.append(f"| {label} (`{path}`) | — | — | — | — | — | — | not available |")
            continue
        lines.append(f"| {label} (`{path}`) | {r['first_ms']:.0f} | {r['p50_ms']:.2f} | {r['p95_ms']:.2f} | "
                     f"{r['rps']:.0f} | "
                     f"{r['p50_ms'] / floor['p50_ms']:.2f}× | {r['rps'] / floor['rps']:.0%} | "
                     f"{r['errors']} |")
    lines += ["", "| export (CSV, fresh server each, peak reset after login) | rows | seconds | rows/s | "
              "RSS before MB | peak RSS MB |", "|---|---:|---:|---:|---:|---:|",
              f"| small (`?regio=brussel&jaar=2016`) | {small['rows']} | {small['seconds']:.1f} | "
              f"{small['rows_per_s']:.0f} | {small['idle_peak_mb']:.0f} | {small['peak_mb']:.0f} |",
              f"| full (all periods) | {full['rows']} | {full['seconds']:.1f} | {full['rows_per_s']:.0f} | "
              f"{full['idle_peak_mb']:.0f} | {full['peak_mb']:.0f} |", "",
              f"Export peak memory ratio full ÷ small: {full['peak_mb'] / small['peak_mb']:.2f}×", ""]
    if after_write:
        lines += ["| yearly report after a write (a new client of the large organisation) | "
                  "first view after the write ms | warm view ms | 8 at once after a write: wall ms | "
                  "slowest of the 8 ms | wall ÷ one |", "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {label} (`{path}`) | {r['cold_ms']:.0f} | {r['warm_ms']:.0f} | "
                  f"{r['eight_wall_ms']:.0f} | {r['eight_slowest_ms']:.0f} | {r['ratio']:.2f}× |"
                  for label, path, r in after_write]
        lines += ["", f"Medians over {AFTER_WRITE_ROUNDS} writes; each write is a new client through "
                  "the form (`/clienten/nieuw`) as the organisation. Every view over a kept-alive "
                  "connection, timed from sending the request(s) to the last byte of the (last) "
                  "answer.", ""]
    if after_restart:
        lines += restart_lines(after_restart)
    lines += [""]
    _prepend(args, lines)


def _prepend(args, lines) -> None:
    path = Path(args.results)
    previous = path.read_text() if path.exists() else "# Benchmark results\n\n"
    header, _, rest = previous.partition("\n\n")
    path.write_text(header + "\n\n" + "\n".join(lines) + rest)
    print(f"written to {path}")


if __name__ == "__main__":
    sys.exit(main())
