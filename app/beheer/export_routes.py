"""GET /beheer/export.csv and /beheer/export.xlsx (?jaar=&regio=): the anonymous period export."""

import tempfile

from flask import Response, send_file, stream_with_context

from .. import audit
from ..db import set_write_intent
from . import bp, export
from .scope import current_scope
from .statistics_routes import region_param, year_param


def record_export(fmt: str, year: int | None, region, **counts) -> None:
    """The export's audit event (format, year, region, counts), committed at once."""
    audit.record_committed("export", format=fmt, jaar=year if year is not None else "alle",
                           regio=region.code if region else "alle", **counts)


def _attachment(response: Response, name: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/export.csv")
def export_csv():
    scope = current_scope()
    region = region_param()
    year = year_param(None)
    region_id = region.id if region else None
    record_export("csv", year, region, rows=export.count_rows(scope, year, region_id))

    def generate():
        set_write_intent(False)
        yield from export.csv_chunks(scope, year, region_id)

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return _attachment(response, export.filename(year, region.code if region else None, "csv"))


@bp.route("/export.xlsx")
def export_xlsx():
    region = region_param()
    year = year_param(None)
    region_id = region.id if region else None
    # an anonymous temporary file (already unlinked on POSIX): the workbook never sits in memory
    tmp = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        rows = export.write_xlsx(tmp, current_scope(), year, region_id)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    record_export("xlsx", year, region, rows=rows)
    return send_file(tmp, mimetype=export.XLSX_MIMETYPE, as_attachment=True,
                     download_name=export.filename(year, region.code if region else None, "xlsx"))
