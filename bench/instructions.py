"""Instructions a request costs, counted by valgrind (callgrind): a figure that does not move
with the machine's load, for before/after comparisons where timings vary by ±30% between runs.

    python -m bench.instructions [--database-url URL] [--only dashboard] [--requests 40]

On the benchmark database (seed it first with `make bench`). For each target, two fresh
processes run under callgrind: both log in and warm the caches with 5 views, one then makes N
more views; the difference of their totals ÷ N is what one view costs in the process (Flask's
test client, no HTTP: the same targets as `python -m bench.per_request`). Start-up, imports and
the login's Argon2 hash are in both totals and cancel out. Valgrind runs code ~50× slower: a
target takes one to two minutes (the two processes run side by side). Needs valgrind (Debian:
`apt-get install valgrind`).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from . import per_request

WARM = 5


def _child(args) -> None:
    """In the process under valgrind: log in, WARM views, then args.count more."""
    from app import create_app
    label, who, path, htmx = next(t for t in per_request.TARGETS if t[0] == args.child)
    path = path.format(year=time.localtime().tm_year - 1)
    headers = {"HX-Request": "true"} if htmx else {}
    client = per_request.logged_in(create_app(), who)
    for _ in range(WARM):
        assert client.get(path, headers=headers).status_code == 200, path
    for _ in range(args.count):
        client.get(path, headers=headers)


def _total(label: str, count: int, database_url: str | None) -> int:
    """Instructions of a whole process that makes WARM + count views of the target."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
               "-m", "bench.instructions", "--child", label, "--count", str(count)]
    if database_url:
        command += ["--database-url", database_url]
    done = subprocess.run(command, capture_output=True, text=True, cwd=per_request.bench.ROOT)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"{label}: valgrind run failed\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--only", help="only the targets whose label contains this")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    per_request._environment(args.database_url)
    if args.child:
        _child(args)
        return 0
    if not shutil.which("valgrind"):
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    floor = None
    for label, *_ in per_request.TARGETS:
        if args.only and args.only not in label and label != "/healthz":
            continue
        with ThreadPoolExecutor(2) as pool:
            short, long = pool.map(_total, (label, label), (0, args.requests),
                                   (args.database_url, args.database_url))
        each = (long - short) / args.requests
        floor = floor or each  # /healthz comes first: the floor
        print(f"{label:36} {each / 1e6:7.2f} M instructions a request "
              f"({each / floor:.2f}× /healthz)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
