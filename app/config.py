"""Default settings. No secrets here: environment variables and instance/config.py override."""

from datetime import timedelta

SETTING_NAMES = (
    "SECRET_KEY",
    "DATABASE_URL",
    "MASTER_KEY",
    "BASE_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "RATELIMIT_STORAGE_URI",
    "RETENTION_YEARS",
    "TRUSTED_PROXIES",
    "TRUSTED_HOSTS",
    "LOGIN_CHANGE_DELAY_HOURS",
    "SESSION_IDLE_MINUTES",
    "REQUIRE_2FA_BEHEER",
    "SESSION_ABSOLUTE_HOURS",
    "LOGIN_LIMIT_PER_IP",
    "LOGIN_LIMIT_PER_ACCOUNT",
    "HOST",
    "PORT",
)


class Defaults:
    SECRET_KEY = None  # generated into instance/secret.key on first start when unset
    DATABASE_URL = None  # None: SQLite file instance/arbeidszorg.sqlite
    MASTER_KEY = None  # None: instance/master.key, created 0600
    HOST = "127.0.0.1"  # where `serve` (and `make run`) listens
    PORT = 8000
    BASE_URL = None  # None: http://HOST:PORT (so `make run PORT=8101` mails links to port 8101)
    MAIL_SERVER = None  # None: mails are written to instance/mail/*.eml
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Registratiesysteem Arbeidszorg <noreply@arbeidszorg.be>"
    MAIL_TIMEOUT = 5  # seconds for connecting to / talking with the SMTP server
    MAIL_SUPPRESS_SEND = False
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_IP = "20 per minute;200 per hour"
    LOGIN_LIMIT_PER_ACCOUNT = "10 per minute;50 per hour"
    PASSWORD_CHANGE_LIMIT = "5 per minute;20 per hour"  # attempts that changed nothing
    INVITE_LIMIT = "20 per hour;50 per day"  # colleague invitations sent by one organisation
    LOCKOUT_AFTER_FAILURES = 5  # wrong passwords (per device cookie, or per account from
    LOCKOUT_WINDOW_HOURS = 24  # browsers without one) within this window refuse that browser
    LOCKOUT_MINUTES = 15  # (or all untrusted browsers) for this long; see app/auth/lockout.py
    DEVICE_COOKIE_DAYS = 180  # a browser stays trusted this long after its last login
    RESET_TOKEN_HOURS = 2
    INVITE_TOKEN_DAYS = 7
    # a beheerder's change of a login address waits this long (and for the new address's
    # confirmation, which stays possible for INVITE_TOKEN_DAYS days after the wait); SPEC §11
    LOGIN_CHANGE_DELAY_HOURS = 72
    # beheerders and the superbeheerder must use two-step verification (SPEC §11): without it,
    # they are sent to /account/tweestapsverificatie and can open nothing under /beheer
    REQUIRE_2FA_BEHEER = True
    SECOND_FACTOR_MINUTES = 10  # time to type the code at /login/code after the password
    SESSION_IDLE_MINUTES = 30  # fractions allowed (tests)
    SESSION_WARNING_SECONDS = 120  # the page offers *Aangemeld blijven* this long before
    FORM_DRAFT_MINUTES = 10  # a form posted after the session expired waits this long (§12)
    SESSION_ABSOLUTE_HOURS = 12
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # the cookie is re-signed only when it changes (login, the idle-time touch), not on every
    # response: it then still outlives the server-side limits above, which decide
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_NAME = "arbeidszorg_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    RETENTION_YEARS = 10
    TRUSTED_PROXIES = 0  # number of reverse proxies in front (ProxyFix)
    # Host names the app answers to (comma-separated); None: BASE_URL's host plus localhost and
    # 127.0.0.1; "*": any. Other Host headers get a 400, so no URL is ever built from them.
    TRUSTED_HOSTS = None
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
