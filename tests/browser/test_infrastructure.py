"""The browser fixtures themselves: they must see CSP violations and accessibility faults."""

import pytest

from browser.support import axe_check


def test_page_is_served_with_the_real_csp_and_violations_are_recorded(page, live_server, console_errors):
    response = page.goto(f"{live_server.url}/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # an inline script and an inline style, as a template mistake would add them
    page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.__inlineRan = true";
        document.head.append(s);
        const st = document.createElement("style");
        st.textContent = "body { background: red }";
        document.head.append(st);
    }""")
    page.wait_for_function("() => true")  # let the console events arrive
    assert page.evaluate("window.__inlineRan === undefined")
    seen = " ".join(console_errors.messages)
    assert "script-src" in seen and "style-src" in seen, console_errors.messages
    console_errors.allow(r"Content Security Policy|CSP violation")


def test_axe_runs_on_the_csp_protected_page_and_reports_violations(page, live_server):
    page.goto(f"{live_server.url}/login")
    page.evaluate("document.querySelector('label[for=email]').remove()")
    with pytest.raises(pytest.fail.Exception) as failed:
        axe_check(page)
    report = str(failed.value)
    assert "label (critical)" in report and "#email" in report, report

