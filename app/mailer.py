"""Sending e-mail: through Flask-Mail to MAIL_SERVER, or as .eml files in instance/mail/."""

import logging
import threading
import time
from pathlib import Path

from flask import current_app, render_template
from flask_mail import Message

from . import files
from .extensions import mail

log = logging.getLogger(__name__)


def build(to: str, subject: str, template: str, **ctx) -> Message:
    """A Dutch text + HTML message from templates/email/<template>.txt/.html."""
    msg = Message(subject=subject, recipients=[to],
                  sender=current_app.config["MAIL_DEFAULT_SENDER"])
    msg.body = render_template(f"email/{template}.txt", **ctx)
    msg.html = render_template(f"email/{template}.html", **ctx)
    return msg


def _deliver(app, msg: Message, purpose: str) -> bool:
    with app.app_context():
        try:
            if app.config.get("MAIL_SERVER"):
                mail.send(msg)
                log.info("mail '%s' sent to %s", purpose, msg.recipients[0])
            else:
                folder = files.private_dir(Path(app.instance_path) / "mail")
                path = folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{time.monotonic_ns()}-{purpose}.eml"
                files.write_private(path, msg.as_bytes())  # 0600: it may hold a live link
                log.info("no MAIL_SERVER: mail '%s' to %s written to %s", purpose,
                         msg.recipients[0], path)
            return True
        except Exception as exc:  # noqa: BLE001 - any SMTP/OS failure must only be logged
            # never log the message itself: it holds the link token
            log.error("mail '%s' to %s could not be sent: %s", purpose, msg.recipients[0],
                      type(exc).__name__)
            return False


def send(msg: Message, purpose: str, background: bool = False) -> bool | None:
    """Send now (returns success) or in a background thread (returns None at once).

    Pages that must answer the same way whatever happens (forgotten password) send in the
    background, so neither a slow SMTP server nor the existence of an address shows in the
    response time.
    """
    app = current_app._get_current_object()
    if background:
        thread = threading.Thread(target=_deliver, args=(app, msg, purpose), daemon=False,
                                  name=f"mail-{purpose}")
        thread.start()
        app.extensions.setdefault("mail_threads", []).append(thread)
        return None
    return _deliver(app, msg, purpose)


def wait_for_background(timeout: float = 10) -> None:
    """Wait for background mail threads (tests and commands)."""
    threads = current_app.extensions.get("mail_threads", [])
    for thread in list(threads):
        thread.join(timeout)
        if not thread.is_alive():
            threads.remove(thread)
