"""Browser test support: constants and helpers shared by the browser tests (conftest.py holds the
fixtures and the collection hook only).

Browser fixtures: the app served by waitress, Debian's chromium through Playwright, axe-core.

Fixtures (all function-scoped unless said otherwise):

- ``live_server`` -> LiveServer: the ``app`` fixture (this test's database) served by waitress
  on 127.0.0.1 in a background thread. ``.url`` is "http://127.0.0.1:PORT", ``.app`` the app.
- ``make_live_server(application)`` -> LiveServer: serve another app, e.g. ``mail_app``.
- ``browser`` (package-scoped): one headless chromium for all browser tests.
- ``page``: a fresh context (nl-BE, Europe/Brussels) and page. Console errors, uncaught
  JavaScript errors and CSP violations fail the test at teardown; the CSP is *not* bypassed.
- ``console_errors``: the collector behind ``page``; ``console_errors.allow(regex)`` for a test
  that expects an error (e.g. it opens a 404 page on purpose). The app has a favicon, so a
  failed icon request is an error like any other.

Helpers (import with ``from browser.support import axe_check, login_in_browser``):

- ``axe_check(page, context=None)``: axe-core, WCAG 2.1 A/AA rules, fails on any violation.
- ``login_in_browser(page, live_server, email, password=PASSWORD)``: log in through the form.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
import waitress
from support import PASSWORD
from waitress import wasyncore

CHROMIUM = "/usr/bin/chromium"


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


HERE = Path(__file__).parent


DEFAULT_TIMEOUT_MS = 5_000


NAVIGATION_TIMEOUT_MS = 10_000


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "(inline)"}`
                + ` in ${e.sourceFile || "?"}:${e.lineNumber}`);
});
"""


class LiveServer:
    """A waitress server for one app on a free loopback port, in a background thread."""

    def __init__(self, app):
        self.app = app
        self._server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        self.port = self._server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.run, name=f"live-server-{self.port}",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        server = self._server
        # Close every socket (listener, keep-alive connections, trigger) from inside the
        # server's own loop; an empty socket map ends the loop at once.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map, ignore_all=True))
        self._thread.join(5)
        server.task_dispatcher.shutdown(timeout=5)
        assert not self._thread.is_alive(), "the live server did not stop"

    def __repr__(self) -> str:
        return f"<LiveServer {self.url}>"


class ConsoleErrors:
    """Console errors, uncaught page errors and CSP violations seen during one test."""

    DEFAULT_ALLOWED: list[str] = []

    def __init__(self):
        self.messages: list[str] = []
        self._allowed: list[re.Pattern] = [re.compile(p) for p in self.DEFAULT_ALLOWED]

    def allow(self, pattern: str) -> None:
        """Accept errors matching this regex (for a test that provokes one on purpose)."""
        self._allowed.append(re.compile(pattern))

    def on_console(self, msg) -> None:
        if msg.type == "error":
            where = msg.location or {}
            self.messages.append(f"console.error: {msg.text} [{where.get('url', '?')}]")

    def on_weberror(self, web_error) -> None:
        self.messages.append(f"uncaught error: {web_error.error}")

    def unexpected(self) -> list[str]:
        return [m for m in self.messages if not any(p.search(m) for p in self._allowed)]


_axe = None


def _format_violations(violations: list[dict]) -> str:
    lines = [f"{len(violations)} WCAG 2.1 A/AA violation(s) found by axe-core:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact') or 'n/a'}): {v['help']}")
        lines.append(f"  {v['helpUrl']}")
        for node in v["nodes"][:10]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def axe_check(page, context: str | list | dict | None = None) -> None:
    """Run axe-core on the page as it is now (WCAG 2.0/2.1 A and AA rules) and fail on any
    violation, listing rule id, impact, target selectors and help text.

    axe is injected with page.evaluate(), which goes over the DevTools protocol and is not
    subject to the page's Content-Security-Policy, so it runs on the real, CSP-protected page.
    """
    global _axe
    from axe_playwright_python.sync_playwright import Axe

    if _axe is None:
        _axe = Axe()
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = _axe.run(page, context=context, options=options)
    violations = results.response["violations"]
    if violations:
        pytest.fail(f"{page.url}\n" + _format_violations(violations), pytrace=False)


def login_in_browser(page, live_server, email: str, password: str = PASSWORD) -> None:
    """Log in through the real /login form and wait until the browser has left /login."""
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelden").click()
    if "/login" in page.url:
        alert = page.locator(".error-summary")
        reason = alert.inner_text() if alert.count() else "(no message)"
        pytest.fail(f"login as {email} failed: {reason}", pytrace=False)

