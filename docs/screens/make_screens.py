"""Screenshots of the main pages at phone (390×844) and desktop (1280×800) width, for the README.

    make screens        # or: .venv/bin/python docs/screens/make_screens.py

Builds a temporary demo database (seed-demo), serves it with waitress on a free loopback port,
and photographs each page with Debian's Chromium (/usr/bin/chromium) through Playwright into
docs/screens/<name>-phone.png and <name>-desktop.png. Nothing outside docs/screens/ is touched.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

CHROMIUM = "/usr/bin/chromium"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
ORG = "organisatie1@demo.arbeidszorg.be"
SUPER = "super@demo.arbeidszorg.be"
# (file name, who, path, element to scroll to) — who logs in first ("" = nobody); the client
# form is shown at its long choices, one of them chosen (not saved)
PAGES = [
    ("login", "", "/login", None),
    ("dashboard", ORG, "/dashboard", None),
    ("client", ORG, "/clienten/1", None),
    ("client-form", ORG, "/clienten/1/bewerken", "#hoofdinkomen"),
    ("beheer-organisations", SUPER, "/beheer/organisaties", None),
    ("beheer-organisation", SUPER, "/beheer/organisaties/1", "#nr"),
    ("statistics", SUPER, "/beheer/statistieken", None),
    ("audit", SUPER, "/beheer/audit", None),
]


def demo_app(instance: Path):
    from app import create_app, migrate
    from app.demo import DEMO_PASSWORD, seed_demo

    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "screens",
                      "DATABASE_URL": f"sqlite:///{instance / 'demo.sqlite'}",
                      "REQUIRE_2FA_BEHEER": False, "RATELIMIT_ENABLED": False,
                      "TRUSTED_HOSTS": "*"})
    with app.app_context():
        migrate.prepare()
        seed_demo(3, 180)
    return app, DEMO_PASSWORD


def main() -> None:
    import waitress
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        app, password = demo_app(Path(tmp))
        server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        url = f"http://127.0.0.1:{server.effective_port}"
        threading.Thread(target=server.run, daemon=True).start()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, locale="nl-BE",
                                              timezone_id="Europe/Brussels",
                                              is_mobile=size == "phone")
                page = context.new_page()
                who = None
                for name, account, path, field in PAGES:
                    if account != who:
                        context.clear_cookies()
                        if account:
                            page.goto(url + "/login")
                            page.get_by_label("E-mailadres").fill(account)
                            page.get_by_label("Wachtwoord").fill(password)
                            with page.expect_navigation():
                                page.get_by_role("button", name="Aanmelden").click()
                        who = account
                    page.goto(url + path)
                    if field == "#hoofdinkomen":
                        page.select_option(field, label="Inkomensvervangende tegemoetkoming")
                    if field:
                        page.locator(field).evaluate(
                            "e => (e.closest('fieldset') || e.closest('form')).scrollIntoView()")
                    target = HERE / f"{name}-{size}.png"
                    page.screenshot(path=str(target))
                    print(f"{target.relative_to(HERE.parent.parent)}  {target.stat().st_size // 1024} kB")
                context.close()
            browser.close()
        server.close()


if __name__ == "__main__":
    main()
