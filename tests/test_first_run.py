"""First run (issue 12 point 8): `make run PORT=8101` mails links to port 8101 (BASE_URL follows
HOST and PORT unless it is set), a second seed-demo tells what is true of the existing demo
data, and the browser finds a favicon."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from support import TEST_MASTER_KEY, login, text_part

from app import create_app
from app.accounts import create_organisation
from app.codelists import region_by_code
from app.db import session
from app.models import Account, Client, Organisation

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_address_settings(monkeypatch):
    for name in ("BASE_URL", "HOST", "PORT", "TRUSTED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _bare_app(tmp_path, db_url, **settings):
    """An app configured like a first run: no BASE_URL unless given."""
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"),
                       "DATABASE_URL": db_url, "MASTER_KEY": TEST_MASTER_KEY,
                       "SECRET_KEY": "first-run", "REQUIRE_2FA_BEHEER": False, **settings})


def test_base_url_follows_host_and_port_unless_set(no_address_settings, tmp_path, db_url):
    assert _bare_app(tmp_path, db_url).config["BASE_URL"] == "http://127.0.0.1:8000"
    no_address_settings.setenv("PORT", "8101")
    app = _bare_app(tmp_path, db_url)
    assert app.config["BASE_URL"] == "http://127.0.0.1:8101"
    assert app.config["PORT"] == 8101
    no_address_settings.setenv("HOST", "0.0.0.0")  # every address: the links use loopback
    assert _bare_app(tmp_path, db_url).config["BASE_URL"] == "http://127.0.0.1:8101"
    no_address_settings.setenv("HOST", "::1")
    assert _bare_app(tmp_path, db_url).config["BASE_URL"] == "http://[::1]:8101"
    no_address_settings.setenv("HOST", "localhost")
    no_address_settings.setenv("BASE_URL", "https://arbeidszorg.example.be/")
    app = _bare_app(tmp_path, db_url)
    assert app.config["BASE_URL"] == "https://arbeidszorg.example.be"  # set: it wins
    assert app.config["SESSION_COOKIE_SECURE"]


def test_mailed_links_point_to_the_port_served(no_address_settings, tmp_path, db_url, smtp):
    no_address_settings.setenv("PORT", "8101")
    app = _bare_app(tmp_path, db_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
    with app.app_context():
        create_organisation("Poort 8101 vzw", "poort@example.be", region_by_code("limburg"), None)
    mail = text_part(smtp.wait_for(1)[-1])
    link = re.search(r"http://\S+/password/edit/[A-Za-z0-9_\-]+", mail).group(0)
    assert link.startswith("http://127.0.0.1:8101/password/edit/"), link
    # and the app answers on that host (it is a trusted host)
    assert app.test_client().get(link.removeprefix("http://127.0.0.1:8101"),
                                 base_url="http://127.0.0.1:8101").status_code == 200


@pytest.mark.skipif(shutil.which("make") is None, reason="make is missing")
def test_make_run_gives_host_and_port_to_the_app(tmp_path, no_address_settings):
    """`make run PORT=8101`: the commands it runs see HOST and PORT, so the app's BASE_URL is
    http://127.0.0.1:8101. FLASK is replaced by a probe that prints the app's BASE_URL (the
    real recipe would start a server); VENV points at a stand-in that is up to date."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "activate").touch()
    for marker in (".runtime", ".dev"):
        (venv / marker).touch()
    future = (ROOT / "requirements-dev.txt").stat().st_mtime + 10
    for marker in (".runtime", ".dev"):
        os.utime(venv / marker, (future, future))
    probe = (f"{sys.executable} -c \"from app import create_app; "
             "print('BASE_URL', create_app().config['BASE_URL'])\"")
    env = dict(os.environ, INSTANCE_PATH=str(tmp_path / "instance"),
               DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite'}", MASTER_KEY=TEST_MASTER_KEY)
    result = subprocess.run(["make", "-s", "run", "PORT=8101", f"VENV={venv}", f"FLASK={probe}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("BASE_URL http://127.0.0.1:8101") == 3, result.stdout
    assert "Serving on http://127.0.0.1:8101" in result.stdout


def test_a_second_seed_demo_tells_what_is_true(app):
    runner = app.test_cli_runner()
    args = ["seed-demo", "--organisations", "2", "--clients", "6"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "Demo-gegevens aangemaakt (2 organisaties)" in first.output
    assert re.search(r"organisatie1@demo\.arbeidszorg\.be +organisatie De Werkplaats vzw "
                     r"\(3 cliënten\)\n", first.output), first.output
    # meanwhile, in the app: organisation 1 changes its password and deletes a client,
    # organisation 2 is deactivated
    with app.app_context():
        org1 = session.scalar(select(Account).where(Account.email == "organisatie1@demo.arbeidszorg.be"))
        from app.auth.passwords import hash_password
        org1.password_hash = hash_password("een-ander-wachtwoord-2026")
        session.execute(delete(Client).where(Client.organisation_id == org1.organisation_id,
                                             Client.nr == 1))
        session.execute(update(Organisation).where(Organisation.name == "Groene Handen")
                        .values(active=False))
        session.commit()
    second = runner.invoke(args=args)
    assert second.exit_code == 0, second.output
    out = second.output
    assert "Demo-gegevens bestonden al" in out and "niets aangemaakt" in out
    assert "aangemaakt (" not in out
    assert re.search(r"organisatie1@demo\.arbeidszorg\.be +organisatie De Werkplaats vzw "
                     r"\(2 cliënten\) — wachtwoord gewijzigd: het demo-wachtwoord werkt niet meer",
                     out), out
    assert re.search(r"organisatie2@demo\.arbeidszorg\.be +organisatie Groene Handen "
                     r"\(3 cliënten\) — gedeactiveerd", out), out
    # what it prints as working, works: the demo password opens those logins
    demo_password = re.search(r"wachtwoord: (\S+)\)", out).group(1)
    for email in ("super@demo.arbeidszorg.be", "beheer-limburg@demo.arbeidszorg.be"):
        assert re.search(re.escape(email) + r" +\S.*\n", out)
        assert f"{email} " in out and login(app.test_client(), email, demo_password).status_code == 302
    assert login(app.test_client(), "organisatie1@demo.arbeidszorg.be",
                 demo_password).status_code == 200  # refused, as printed


def test_favicon_is_served_and_linked(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r.location.endswith("/static/favicon.svg")
    icon = client.get(r.location)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert "<title>Aanmelden – Registratiesysteem Arbeidszorg</title>" in page
