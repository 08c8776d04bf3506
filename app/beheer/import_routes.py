"""GET/POST /beheer/organisaties/<id>/import: a legacy CSV import, checked first, then confirmed.

Step 1 (upload) runs the import as a dry run and shows the report. Step 2 (confirm) must import
exactly the file that was checked. Two ways were possible: let the beheerder upload the file
again, or keep the checked bytes on the server and post only a token. Keeping them is the safer
one: a second upload can be another file (or another version of it) than the one whose report was
read, and browsers do not keep a chosen file, so the beheerder would have to pick it again. The
kept copy is protected like the names in the database:

- instance/imports/<random token>.csv, mode 0600, in a 0700 folder; the token (32 random bytes)
  is the only thing posted back, and it must match [A-Za-z0-9_-] (no path tricks);
- the content is sealed with AES-GCM under the organisation's data key, the associated data
  binding it to the organisation, the beheerder's account and the token: the file on disk holds
  no readable name, and a token is useless on another organisation or for another beheerder;
- the confirm step claims the file with an atomic rename, so a double submit imports once, and
  deletes it whatever happens; files older than one hour are refused and swept away on every
  visit of the import page.
"""

import os
import secrets
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import NotFound
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

from .. import crypto, errors, files, keys, legacy_import
from ..db import session
from ..forms_common import Form
from ..models import Organisation
from . import _beheerders_only, bp
from .scope import current_scope

PENDING_MAX_AGE = 3600  # seconds a checked file waits for its confirmation
TOKEN_PATTERN = r"[A-Za-z0-9_-]{32,64}"


class ImportUploadForm(Form):
    bestand = FileField("CSV-bestand uit het oude systeem", validators=[
        FileRequired("Kies het CSV-bestand dat je wil importeren.")])


class ImportConfirmForm(Form):
    token = HiddenField(validators=[DataRequired(), Regexp(f"^{TOKEN_PATTERN}$")])


# --- the checked file, kept between the two steps -------------------------------------------

def _folder() -> Path:
    return files.private_dir(Path(current_app.instance_path) / "imports")


def _aad(org: Organisation, token: str) -> bytes:
    return f"legacy-import:{org.id}:{current_scope().account_id}:{token}".encode()


def _sweep(folder: Path) -> None:
    """Delete kept files (and claimed leftovers) older than PENDING_MAX_AGE."""
    limit = time.time() - PENDING_MAX_AGE
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass


def _keep(org: Organisation, data: bytes) -> str:
    """Store the checked bytes sealed; return the token that names them."""
    token = secrets.token_urlsafe(32)
    blob = crypto.seal(keys.data_key(org), data, _aad(org, token))
    path = _folder() / f"{token}.csv"
    files.write_private(path, blob)
    return token


def _claim(org: Organisation, token: str) -> bytes | None:
    """The kept bytes of this token (then gone), or None: unknown, used, expired or not ours."""
    path = _folder() / f"{token}.csv"
    claimed = path.with_name(f"{token}.claimed")
    try:
        os.replace(path, claimed)  # atomic: of two confirmations only one gets the file
    except FileNotFoundError:
        return None
    try:
        if time.time() - claimed.stat().st_mtime > PENDING_MAX_AGE:
            return None
        blob = claimed.read_bytes()
        return crypto.unseal(keys.data_key(org), blob, _aad(org, token))
    except (InvalidTag, ValueError):
        return None
    finally:
        claimed.unlink(missing_ok=True)


# --- the page -------------------------------------------------------------------------------

@bp.route("/organisaties/<int:org_id>/import", methods=["GET", "POST"])
def import_legacy(org_id: int):
    org = current_scope().get_organisation(org_id)
    _sweep(_folder())
    upload = ImportUploadForm()
    if request.method == "POST" and "token" in request.form:
        return _confirm(org, upload)
    report = confirm = None
    if upload.validate_on_submit():
        data = upload.bestand.data.read()
        refused = legacy_import.size_error(data)
        if refused:
            upload.bestand.errors.append(refused)
            return _page(org, upload, None, None)
        report = legacy_import.run(org, data, dry_run=True)
        session.commit()  # the audit event of the check
        if report.ok and report.clients:
            confirm = ImportConfirmForm(formdata=None, token=_keep(org, data))
    return _page(org, upload, report, confirm)


@bp.errorhandler(413)
def _too_large(exc):
    """A request over MAX_CONTENT_LENGTH: on the import page, the message on the upload field.

    The limit is hit while the form is read, which can be before the blueprint's own checks
    ran (the CSRF check reads the form first): they are made here again.
    """
    if request.endpoint != "beheer.import_legacy":
        return errors.error_page(413)
    refused = _beheerders_only()
    if refused is not None:
        return refused
    try:
        org = current_scope().get_organisation(request.view_args["org_id"])
    except NotFound:
        return errors.error_page(404)
    upload = ImportUploadForm(formdata=None)
    upload.bestand.errors = [legacy_import.TOO_LARGE]
    return _page(org, upload, None, None), 413


def _confirm(org: Organisation, upload: ImportUploadForm):
    form = ImportConfirmForm()
    data = _claim(org, form.token.data) if form.validate_on_submit() else None
    if data is None:
        flash("Deze controle is verlopen of werd al gebruikt. Laad het bestand opnieuw op; "
              "er werd niets geïmporteerd.", "error")
        return redirect(url_for("beheer.import_legacy", org_id=org.id))
    try:
        report = legacy_import.run(org, data, dry_run=False)
        session.commit()
    except Exception:
        session.rollback()
        raise
    if not report.ok:  # the data changed since the check (e.g. the date moved on)
        return _page(org, upload, report, None)
    flash(f"Import voltooid: {report.clients} cliënt(en) en {report.periods} "
          f"begeleidingsperiode(s) geïmporteerd; {report.skipped} overgeslagen "
          "(al geïmporteerd).", "success")
    return redirect(url_for("beheer.organisation", org_id=org.id))


def _page(org, upload, report, confirm):
    return render_template("beheer/import.html", org=org, form=upload, report=report,
                           confirm=confirm, columns=legacy_import.COLUMNS,
                           max_age_minutes=PENDING_MAX_AGE // 60, limits=legacy_import.LIMITS,
                           listed=legacy_import.MAX_LISTED, thousands=legacy_import.thousands)
