"""Sending e-mail: through Flask-Mail to MAIL_SERVER, or as .eml files in instance/mail/."""

import logging
import threading
import time
from pathlib import Path

from flask import after_this_request, current_app, render_template
from flask_mail import Message

from . import files
from .extensions import mail

log = logging.getLogger(__name__)

ANSWER_WAIT_SECONDS = 0.2  # at most, for a job that runs after the answer (run_in_background)


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
        _start(app, _deliver, (app, msg, purpose), f"mail-{purpose}")
        return None
    return _deliver(app, msg, purpose)


def run_in_background(job, *args, name: str, after_answer: bool = False) -> None:
    """Run job(*args) in a thread with its own application context (and database session);
    failures are logged by type only.

    With after_answer the job waits until the server has sent this request's answer (the WSGI
    server closes the response after writing it), so it neither delays nor competes with it;
    a server that never closes the response (the test client) releases it after a moment.
    """
    app = current_app._get_current_object()
    answered = threading.Event()
    if after_answer:
        @after_this_request
        def _release_on_close(response):
            response.call_on_close(answered.set)
            return response
    else:
        answered.set()

    def target():
        answered.wait(ANSWER_WAIT_SECONDS)
        with app.app_context():
            try:
                job(*args)
            except Exception as exc:  # noqa: BLE001 - a background job must only be logged
                log.error("background job '%s' failed: %s", name, type(exc).__name__)

    _start(app, target, (), name)


_threads_lock = threading.Lock()


def _start(app, target, args: tuple, name: str) -> None:
    thread = threading.Thread(target=target, args=args, daemon=False, name=name)
    with _threads_lock:
        threads = app.extensions.setdefault("mail_threads", [])
        threads[:] = [t for t in threads if t.is_alive()]  # finished ones are forgotten
        threads.append(thread)
    thread.start()


def wait_for_background(timeout: float = 10) -> None:
    """Wait for background mail threads and jobs (tests and commands)."""
    with _threads_lock:
        threads = list(current_app.extensions.get("mail_threads", []))
    for thread in threads:
        thread.join(timeout)
    with _threads_lock:
        remaining = current_app.extensions.get("mail_threads", [])
        remaining[:] = [t for t in remaining if t.is_alive()]
