"""CPU a request costs, on the benchmark database (seed it first with `make bench`).

In the process (Flask test client, no HTTP; medians):

    python -m bench.per_request [--database-url URL] [--requests 500] [--only dashboard]

In a waitress process under load (its CPU time from /proc over a wrk run, ÷ requests):

    python -m bench.per_request --server [--threads 8] [--database-url URL]
"""

import argparse
import os
import re
import statistics
import sys
import time

from . import run as bench

TARGETS = [  # label, who is logged in (None: nobody), path, htmx
    ("/healthz", None, "/healthz", False),
    ("/healthz met login-cookie", bench.LARGE_ORG, "/healthz", False),
    ("dashboard", bench.LARGE_ORG, "/dashboard?tab=actief", False),
    ("dashboard, pagina 11", bench.LARGE_ORG, "/dashboard?tab=actief&page=11", False),
    ("zoeken (htmx)", bench.LARGE_ORG, "/dashboard?tab=actief&q=1234", True),
    ("cliëntinformatie", bench.LARGE_ORG, "/clienten/1500", False),
    ("statistieken, superbeheerder", bench.SUPER, "/beheer/statistieken?jaar={year}", False),
    ("statistieken, provinciebeheerder", bench.REGION_ADMIN, "/beheer/statistieken?jaar={year}", False),
    ("cijfers", bench.LARGE_ORG, "/cijfers?jaar={year}", False),
]


def _environment(database_url: str | None) -> None:
    kind = "postgresql" if database_url else "sqlite"
    env = bench.env_for(bench.OUT / f"instance-{kind}", database_url)
    env["LOGIN_LIMIT_PER_IP"] = env["LOGIN_LIMIT_PER_ACCOUNT"] = "1000 per minute"
    os.environ.update(env)


def logged_in(app, email: str | None):
    """A test client of `app`, logged in as `email` (None: a visitor without a cookie)."""
    c = app.test_client()
    if email:
        page = c.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        answer = c.post("/login", data={"email": email, "password": bench.PASSWORD,
                                        "csrf_token": token})
        assert answer.status_code == 302, f"login of {email}: {answer.status_code}"
    return c


def in_process(args) -> None:
    from app import create_app
    app = create_app()
    year = time.localtime().tm_year - 1
    clients = {}

    def client(email):
        if email not in clients:
            clients[email] = logged_in(app, email)
        return clients[email]

    for label, who, path, htmx in TARGETS:
        if args.only and args.only not in label:
            continue
        c, path = client(who), path.format(year=year)
        headers = {"HX-Request": "true"} if htmx else {}
        for _ in range(20):  # caches warm
            assert c.get(path, headers=headers).status_code == 200, path
        times = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            c.get(path, headers=headers)
            times.append(time.perf_counter() - t0)
        print(f"{label:36} {statistics.median(times) * 1000:6.2f} ms (median of {args.requests})",
              flush=True)


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_server(args) -> None:
    server = bench.Server(dict(os.environ), threads=args.threads)
    year = time.localtime().tm_year - 1
    try:
        cookies = {}
        for label, who, path, htmx in TARGETS:
            if args.only and args.only not in label:
                continue
            if who and who not in cookies:
                cookies[who] = server.login(who)
            headers = {"Cookie": cookies[who]} if who else {}
            if htmx:
                headers["HX-Request"] = "true"
            path = path.format(year=year)
            if who:  # what the first view sets (the dashboard's remembered list), as a browser
                headers["Cookie"] = server.kept(headers["Cookie"],
                                                server.request("GET", path, headers=headers)[1])
            bench.run_wrk(server.port, path, headers, 2, args.connections)  # warm-up
            before = _cpu_seconds(server.proc.pid)
            result = bench.run_wrk(server.port, path, headers, args.duration, args.connections)
            spent = _cpu_seconds(server.proc.pid) - before
            requests = result["rps"] * args.duration
            print(f"{label:36} {result['rps']:7.0f} req/s  {spent / requests * 1000:5.2f} ms CPU a "
                  f"request (waitress, {args.threads} threads)", flush=True)
    finally:
        server.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--only", help="only the targets whose label contains this")
    parser.add_argument("--server", action="store_true", help="measure in a waitress process")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=5)
    args = parser.parse_args(argv)
    _environment(args.database_url)
    (in_server if args.server else in_process)(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
