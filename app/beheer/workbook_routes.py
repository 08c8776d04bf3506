"""GET /beheer/statistieken.xlsx?jaar=&regio= — the yearly statistics as a workbook."""

import io
from datetime import date

from flask import send_file

from .. import dataversion
from ..spreadsheet import XLSX_MIMETYPE
from . import bp, workbook
from . import statistics as stats
from .export_routes import record_export
from .scope import current_scope
from .statistics_routes import region_param, year_param


@bp.route("/statistieken.xlsx")
def statistics_xlsx():
    """The same figures as /beheer/statistieken (same parameters, scope and cache entry), one
    sheet per table; small, so built in memory. Audited as an export."""
    scope = current_scope()
    region = region_param()
    region_id = region.id if region else None
    today = date.today()
    year = year_param(stats.default_year(today))
    # the page's cache entry (statistics_routes.statistics): same name and key
    data = dataversion.cached("statistics", (scope.own_region_id, region_id, today, year),
                              lambda: stats.compute(scope, year, region_id), region_id)
    buffer = io.BytesIO()
    sheets = workbook.write(buffer, data, region.name if region else "Alle regio's")
    record_export("statistieken-xlsx", year, region, bladen=sheets)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=workbook.filename(year, region.code if region else None))
