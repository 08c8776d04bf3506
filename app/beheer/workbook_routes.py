"""GET /beheer/statistieken.xlsx?jaar=&regio= — the yearly statistics as a workbook."""

import io

from flask import send_file

from ..spreadsheet import XLSX_MIMETYPE
from . import bp, workbook
from .export_routes import record_export
from .report import report_page
from .scope import current_scope
from .statistics_routes import region_param


@bp.route("/statistieken.xlsx")
def statistics_xlsx():
    """The same figures as /beheer/statistieken (same parameters, scope and cache entry), one
    sheet per table; small, so built in memory. Audited as an export."""
    scope = current_scope()
    region = region_param()
    region_id = region.id if region else None
    # the page's cached report (statistics_routes.statistics): same parameters, same figures
    data = report_page(scope, region_id, side_by_side=scope.is_super and region is None).data
    year = data.year
    buffer = io.BytesIO()
    sheets = workbook.write(buffer, data, region.name if region else "Alle regio's")
    record_export("statistieken-xlsx", year, region, bladen=sheets)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=workbook.filename(year, region.code if region else None))
