"""Application factory."""

import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as default_config
from . import files


def _load_settings(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then environment variables, then the test mapping."""
    app.config.from_object(default_config.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for name in default_config.SETTING_NAMES:
        if os.environ.get(name) not in (None, ""):
            app.config[name] = os.environ[name]
    if test_config:
        app.config.update(test_config)
    for name in ("MAIL_PORT", "RETENTION_YEARS", "TRUSTED_PROXIES", "LOGIN_CHANGE_DELAY_HOURS", "PORT"):
        app.config[name] = int(app.config[name])
    for name in ("SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS"):
        app.config[name] = _number(name, app.config[name])
    for name in ("MAIL_USE_TLS", "REQUIRE_2FA_BEHEER"):
        app.config[name] = str(app.config[name]).strip().lower() in ("1", "true", "yes", "on")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret.key")
    url = app.config.get("DATABASE_URL") or (
        "sqlite:///" + os.path.join(app.instance_path, "arbeidszorg.sqlite"))
    app.config["SQLALCHEMY_URL"] = url
    if not app.config.get("BASE_URL"):
        app.config["BASE_URL"] = default_base_url(app.config["HOST"], app.config["PORT"])
    app.config["SESSION_COOKIE_SECURE"] = app.config["BASE_URL"].startswith("https://")
    app.config["BASE_URL"] = app.config["BASE_URL"].rstrip("/")
    app.config["TRUSTED_HOSTS"] = _trusted_hosts(app.config["TRUSTED_HOSTS"], app.config["BASE_URL"])


def _number(name: str, value) -> int | float:
    """A positive number of minutes or hours (a fraction is allowed: tests use 0.05 minutes)."""
    number = float(value)
    if not number > 0 or number == float("inf"):  # NaN > 0 is False too
        raise ValueError(f"{name} must be a positive number, not {value!r}")
    return int(number) if number.is_integer() else number


LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
ANY_ADDRESS = ("", "0.0.0.0", "::", "[::]")


def default_base_url(host: str, port: int) -> str:
    """BASE_URL when it is not set: the address the app serves on (HOST, PORT). Listening on
    every address (0.0.0.0) gives no name to mail, so the links then use 127.0.0.1: set
    BASE_URL to the name users reach the server by."""
    host = str(host).strip()
    if host in ANY_ADDRESS:
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{port}"



def _trusted_hosts(setting, base_url: str) -> list[str] | None:
    """The Host headers to answer (Flask's TRUSTED_HOSTS); None means any host."""
    if isinstance(setting, str):
        setting = [h.strip() for h in setting.split(",") if h.strip()]
    if setting:
        return None if "*" in setting else list(setting)
    host = urlsplit(base_url).hostname
    return list(dict.fromkeys([host, *LOOPBACK_HOSTS] if host else LOOPBACK_HOSTS))


def _instance_secret(path: Path) -> str:
    """A random SECRET_KEY kept in the instance folder (mode 0600), made on first start."""
    if not path.exists():
        files.write_private(path, secrets.token_urlsafe(48).encode())
    return path.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, database, extensions, blueprints, error pages, commands."""
    instance_path = os.environ.get("INSTANCE_PATH") or None
    if test_config and test_config.get("INSTANCE_PATH"):
        instance_path = test_config["INSTANCE_PATH"]
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.path.abspath(instance_path) if instance_path else None)
    files.private_dir(app.instance_path)  # 0700: database, keys and mails live here
    _load_settings(app, test_config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)

    from .urls import BoundedIntConverter
    app.url_map.converters["int"] = BoundedIntConverter

    from . import db, keys
    db.init_app(app)
    keys.init_app(app)

    from .extensions import csrf, limiter, login_manager, mail
    app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URI"] or "memory://"
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from . import dataversion, security, templating  # noqa: F401 (dataversion: flush listener)
    security.init_app(app)
    templating.init_app(app)

    from .auth import bp as auth_bp
    from .beheer import bp as beheer_bp
    from .clients import bp as clients_bp
    from .public import bp as public_bp
    app.register_blueprint(auth_bp)
    app.register_blueprint(clients_bp)
    app.register_blueprint(beheer_bp)
    app.register_blueprint(public_bp)

    from . import cli, errors
    errors.init_app(app)
    cli.init_app(app)
    return app
