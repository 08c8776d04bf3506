"""Fixtures and the collection hook of the browser tests; helpers are in tests/browser/support.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_LISTENER,
    DEFAULT_TIMEOUT_MS,
    HERE,
    NAVIGATION_TIMEOUT_MS,
    ConsoleErrors,
    LiveServer,
)


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

