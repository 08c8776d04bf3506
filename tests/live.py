"""Real servers for tests: waitress in a subprocess, and a small cookie-keeping HTTP session."""

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from support import TEST_MASTER_KEY, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def app_env(instance: Path, database_url: str, master_key: str | None = TEST_MASTER_KEY,
            **settings) -> dict:
    """The environment of an app process (server or command) on this instance and database.
    master_key=None: no MASTER_KEY, the key is read from instance/master.key."""
    env = dict(os.environ, INSTANCE_PATH=str(instance), DATABASE_URL=database_url,
               SECRET_KEY="shared-test-secret", BASE_URL="http://arbeidszorg.test",
               REQUIRE_2FA_BEHEER="0")  # as in tests/conftest.py; a setting can switch it on
    env.pop("MAIL_SERVER", None)
    env.pop("MASTER_KEY", None)
    if master_key is not None:
        env["MASTER_KEY"] = master_key
    env.update({k: str(v) for k, v in settings.items()})
    return env


def flask_command(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run `flask --app wsgi ARGS` in its own process, as an operator would."""
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


class AppProcess:
    """`flask --app wsgi serve` (waitress) on a free loopback port, with the given settings as env,
    started exactly as `make run` and the README's production command start it."""

    def __init__(self, instance: Path, database_url: str, threads: int = 8,
                 master_key: str | None = TEST_MASTER_KEY, **settings):
        instance.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = app_env(instance, database_url, master_key, **settings)
        self.log = open(instance / f"server-{self.port}.log", "wb")
        self.proc = subprocess.Popen(
            [str(BIN / "flask"), "--app", "wsgi", "serve", f"--listen=127.0.0.1:{self.port}",
             f"--threads={threads}"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited: " + (instance / f"server-{self.port}.log").read_text())
            try:
                if Session(self).get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Session:
    """A browser-like HTTP session against one server: keeps the cookies, fills in CSRF tokens.

    `cookie` is the session cookie ("arbeidszorg_session=…"); other cookies (the device cookie)
    are kept in `cookies` and sent along, as a browser would."""

    def __init__(self, server, cookie: str | None = None):
        self.server = server
        self.cookie = cookie
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        headers = dict(headers or {})
        sent = ([self.cookie] if self.cookie else []) + [f"{k}={v}" for k, v in self.cookies.items()]
        if sent:
            headers["Cookie"] = "; ".join(sent)
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        for set_cookie in resp.headers.get_all("Set-Cookie") or []:
            value = set_cookie.split(";")[0]
            name, _, content = value.partition("=")
            if name == "arbeidszorg_session":
                self.cookie = None if not content else value
            elif content:
                self.cookies[name] = content
            else:
                self.cookies.pop(name, None)
        return resp.status, resp.headers, data.decode("utf-8", errors="replace")

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers=headers)

    def csrf(self) -> str:
        page = self.get("/login" if not self.cookie else "/__csrf__")[2]
        return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)

    def post(self, path: str, data: dict, csrf: bool = True, headers: dict | None = None):
        data = dict(data)
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf()
        return self.request("POST", path, urlencode(data).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    def login(self, email: str, password: str):
        self.cookie = None
        return self.post("/login", {"email": email, "password": password})
