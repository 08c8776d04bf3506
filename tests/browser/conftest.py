"""Browser fixtures: the app served by waitress, Debian's chromium through Playwright, axe-core.

Fixtures (all function-scoped unless said otherwise):

- ``live_server`` -> LiveServer: the ``app`` fixture (this test's database) served by waitress
  on 127.0.0.1 in a background thread. ``.url`` is "http://127.0.0.1:PORT", ``.app`` the app.
- ``make_live_server(application)`` -> LiveServer: serve another app, e.g. ``mail_app``.
- ``browser`` (package-scoped): one headless chromium for all browser tests.
- ``page``: a fresh context (nl-BE, Europe/Brussels) and page. Console errors, uncaught
  JavaScript errors and CSP violations fail the test at teardown; the CSP is *not* bypassed.
- ``console_errors``: the collector behind ``page``; ``console_errors.allow(regex)`` for a test
  that expects an error (e.g. it opens a 404 page on purpose). Chromium's own /favicon.ico
  probe (404, the app has no favicon) is allowed by default.

Helpers (import with ``from browser.conftest import axe_check, login_in_browser``):

- ``axe_check(page, context=None)``: axe-core, WCAG 2.1 A/AA rules, fails on any violation.
- ``login_in_browser(page, live_server, email, password=PASSWORD)``: log in through the form.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
import waitress
from conftest import PASSWORD
from waitress import wasyncore

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HERE = Path(__file__).parent
DEFAULT_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 10_000
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Injected by Playwright over the DevTools protocol, so the page's CSP does not apply to it.
# Chromium already logs a console error for every violation; this adds where it came from.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "(inline)"}`
                + ` in ${e.sourceFile || "?"}:${e.lineNumber}`);
});
"""


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder as a browser test; skip them all without chromium."""
    skip = None
    if not os.access(CHROMIUM, os.X_OK):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium); "
                                       "browser tests need Debian's chromium")
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
            if skip is not None:
                item.add_marker(skip)


# --- the app over real HTTP ---------------------------------------------------------------

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


@pytest.fixture
def make_live_server(make_app):
    """Serve an app over HTTP; stopped before the apps' engines are disposed."""
    servers: list[LiveServer] = []

    def _make(application) -> LiveServer:
        server = LiveServer(application)
        servers.append(server)
        return server

    yield _make
    for server in servers:
        server.stop()


@pytest.fixture
def live_server(app, make_live_server) -> LiveServer:
    return make_live_server(app)


# --- chromium ------------------------------------------------------------------------------

@pytest.fixture(scope="package")
def browser():
    """One headless chromium for the whole folder.

    Package scope, not session scope: while sync Playwright runs, its asyncio loop counts as
    the main thread's running loop, so asyncio.run() elsewhere would fail. The browser is shut
    down as soon as the last test in this folder has run.
    """
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
    except BaseException:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


class ConsoleErrors:
    """Console errors, uncaught page errors and CSP violations seen during one test."""

    # Chromium asks every origin for /favicon.ico on its own; the app has no favicon (yet), and
    # that 404 is not the page's doing.
    DEFAULT_ALLOWED = [r"status of 404 .*\[https?://[^/\]]+/favicon\.ico\]$"]

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


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def page(browser, console_errors, make_live_server):
    """A page in a fresh context; fails the test at teardown on any console/CSP error.

    It depends on make_live_server so that it is closed *before* any live server stops;
    otherwise a request still in flight (a deferred script) fails with connection refused.
    """
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    context.add_init_script(CSP_LISTENER)
    context.on("console", console_errors.on_console)
    context.on("weberror", console_errors.on_weberror)
    yield context.new_page()
    context.close()  # also delivers events still in flight
    errors = console_errors.unexpected()
    if errors:
        pytest.fail("errors in the browser console (CSP violation, failed resource or script "
                    "error):\n  " + "\n  ".join(errors), pytrace=False)


# --- helpers -------------------------------------------------------------------------------

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
