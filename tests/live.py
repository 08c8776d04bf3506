"""Real servers for tests: waitress in a subprocess, and a small cookie-keeping HTTP session."""

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from conftest import TEST_MASTER_KEY, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class AppProcess:
    """`waitress-serve wsgi:app` on a free loopback port, with the given settings as env."""

    def __init__(self, instance: Path, database_url: str, threads: int = 8, **settings):
        instance.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, INSTANCE_PATH=str(instance), DATABASE_URL=database_url,
                   MASTER_KEY=TEST_MASTER_KEY, SECRET_KEY="shared-test-secret",
                   BASE_URL="http://arbeidszorg.test")
        env.pop("MAIL_SERVER", None)
        env.update({k: str(v) for k, v in settings.items()})
        self.log = open(instance / f"server-{self.port}.log", "wb")
        self.proc = subprocess.Popen(
            [str(BIN / "waitress-serve"), f"--listen=127.0.0.1:{self.port}", f"--threads={threads}",
             "wsgi:app"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
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

    def post(self, path: str, data: dict, csrf: bool = True):
        data = dict(data)
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf()
        return self.request("POST", path, urlencode(data).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def login(self, email: str, password: str):
        self.cookie = None
        return self.post("/login", {"email": email, "password": password})
