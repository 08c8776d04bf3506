"""Extension singletons, bound to the app in create_app()."""

import smtplib

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Connection, Mail
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Every limit of this app throttles POSTs (logins, codes, resets, invitations, password changes):
# a page view skips the limiter's per-request bookkeeping. tests/test_throttle.py fails if a limit
# ever counts GET or HEAD, which this filter would silently turn off.
READ_METHODS = ("GET", "HEAD", "OPTIONS")


@limiter.request_filter
def _reads_are_not_limited() -> bool:
    return request.method in READ_METHODS


class _TimeoutConnection(Connection):
    """Flask-Mail connection with a socket timeout, so a hanging SMTP server cannot hang us."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT", 5)
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class TimeoutMail(Mail):
    def connect(self):
        return _TimeoutConnection(current_app.extensions["mail"])


mail = TimeoutMail()
