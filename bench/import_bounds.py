"""Measure the beheer import's answer to a large file of bad lines (README, "Import").

    python -m bench.import_bounds [--lines 100000 20000 ...]

For each line count it writes a CSV whose every data line is wrong in ~20 columns (about 49
bytes a line: 100,000 lines are 4.9 MB, just under the upload limit), starts a fresh waitress
server on a fresh SQLite database, uploads the file as a logged-in superbeheerder and prints the
response time, the size of the page, the number of problems listed (or the refusal on the upload
field), and the server process's resident memory before the upload and its peak during it.
"""

import argparse
import http.client
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app import legacy_import
from bench.run import BIN, MASTER_KEY, ROOT, free_port

PASSWORD = "meting-wachtwoord-2026"
ADMIN = "meting-super@arbeidszorg.be"


def bad_file(lines: int) -> bytes:
    """A header and `lines` lines with a fresh oud_volgnummer and 'x' in every other column."""
    columns = legacy_import.COLUMNS
    out = [";".join(columns)]
    filler = ";".join("x" for _ in columns[1:])
    out += [f"X{i};{filler}" for i in range(lines)]
    return ("\n".join(out) + "\n").encode()


def memory_kb(pid: int, field: str) -> int:
    """VmRSS (resident now) or VmHWM (peak resident) of a process, in kB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1))


def reset_peak(pid: int) -> None:
    """Start VmHWM over from the current resident size (Linux: clear_refs 5), so the peak is the
    upload's, not the login's (argon2 alone takes ~100 MB for a moment)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class Server:
    def __init__(self, instance: Path):
        self.env = dict(os.environ, INSTANCE_PATH=str(instance), MASTER_KEY=MASTER_KEY,
                        SECRET_KEY=secrets.token_hex(16), BASE_URL="http://127.0.0.1")
        self.env.pop("MAIL_SERVER", None)
        self.env.pop("DATABASE_URL", None)
        for args in (["upgrade-db"], ["create-admin", ADMIN, "--all", "--password", PASSWORD],
                     ["create-org", "Meetorganisatie", "--email", "meting-org@arbeidszorg.be",
                      "--region", "limburg", "--password", PASSWORD]):
            subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=self.env,
                           check=True, capture_output=True)
        self.port = free_port()
        self.log = open(instance / "server.log", "wb")
        self.proc = subprocess.Popen(
            [str(BIN / "waitress-serve"), f"--listen=127.0.0.1:{self.port}", "--threads=4",
             "wsgi:app"], cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.cookie = None
        deadline = time.time() + 30
        while True:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        cookie = resp.getheader("Set-Cookie")
        if cookie and "arbeidszorg_session=" in cookie:
            self.cookie = cookie.split(";")[0]
        return resp.status, data

    def csrf(self, path) -> str:
        page = self.request("GET", path)[1].decode()
        return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)

    def login(self):
        from urllib.parse import urlencode
        body = urlencode({"email": ADMIN, "password": PASSWORD,
                          "csrf_token": self.csrf("/login")}).encode()
        status, _ = self.request("POST", "/login", body,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, status

    def upload(self, path, data: bytes):
        boundary = secrets.token_hex(16)
        token = self.csrf(path)
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
                f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"bestand\"; "
                f"filename=\"oud.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + data + \
            f"\r\n--{boundary}--\r\n".encode()
        started = time.perf_counter()
        status, page = self.request("POST", path, body,
                                    {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return status, page, time.perf_counter() - started

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000, 20_000])
    args = parser.parse_args()
    for lines in args.lines:
        data = bad_file(lines)
        with tempfile.TemporaryDirectory() as tmp:
            server = Server(Path(tmp))  # a fresh process each time: its own peak memory
            try:
                server.login()
                server.request("GET", "/beheer/organisaties/1/import")  # warm up the page
                reset_peak(server.proc.pid)
                before = memory_kb(server.proc.pid, "VmRSS")
                status, page, seconds = server.upload("/beheer/organisaties/1/import", data)
                after = memory_kb(server.proc.pid, "VmHWM")
            finally:
                server.stop()
        listed = page.count(b'<td class="num">')
        more = re.search(rb"en ([\d.]+) meer", page)
        refused = re.search(rb'id="bestand-error">([^<]*)<', page)
        print(f"{lines:>7} bad lines, {len(data) / 1e6:.1f} MB: HTTP {status} in {seconds:.2f} s, "
              f"page {len(page) / 1e3:,.0f} kB, "
              + (f"refused: {refused.group(1).decode()!r}" if refused else
                 f"{listed} problems listed" + (f" (… en {more.group(1).decode()} meer)" if more else ""))
              + f", server memory {before / 1024:.0f} MB before, peak {after / 1024:.0f} MB")

if __name__ == "__main__":
    sys.exit(main())
