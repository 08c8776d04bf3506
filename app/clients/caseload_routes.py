"""The organisation's own caseload: GET /clienten/export.csv, /clienten/export.xlsx (every client
with its name and periods; audited as an export, counts only) and the dashboard's print view
(/dashboard?print=1: every row of the chosen tab, no navigation)."""

import tempfile
from datetime import date

from flask import Response, render_template, send_file, stream_with_context
from flask_login import current_user

from .. import audit
from ..db import set_write_intent
from ..spreadsheet import XLSX_MIMETYPE
from . import bp, caseload, services

# the print view lists every row of the tab in one page (two statements, as any dashboard page)
PRINT_ALL = 1_000_000


def _org():
    return current_user.organisation


def _record(fmt: str, clients: int, rows: int) -> None:
    """Audited without a name: the format and the counts only."""
    audit.record_committed("export", organisation_id=_org().id, format=fmt,
                           soort="eigen cliënten", clienten=clients, rows=rows)


@bp.route("/clienten/export.csv")
def caseload_csv():
    org, today = _org(), date.today()
    _record("csv", *caseload.counts(org))

    def generate():
        set_write_intent(False)
        yield from caseload.csv_chunks(org, today)

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = \
        f'attachment; filename="{caseload.filename("csv", today)}"'
    return response


@bp.route("/clienten/export.xlsx")
def caseload_xlsx():
    org, today = _org(), date.today()
    # an anonymous temporary file (already unlinked on POSIX): the workbook never sits in memory
    tmp = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        clients, rows = caseload.write_xlsx(tmp, org, today)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    _record("xlsx", clients, rows)
    return send_file(tmp, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=caseload.filename("xlsx", today))


def print_view(tab: str, q: str, sort: str):
    """Every client of the tab (with the search and sort of the dashboard), without pager,
    navigation, menus or buttons: the page to print."""
    today = date.today()
    listing = services.list_clients(_org(), tab, q, sort, 1, today, per_page=PRINT_ALL)
    return render_template("clients/dashboard_print.html", organisation=_org(), listing=listing,
                           tabs=services.TABS, sorts=services.SORTS, today=today)
