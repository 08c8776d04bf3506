"""GET /beheer/statistieken?jaar=&regio= — the yearly report of one year and region."""

import re

from flask import abort, request

from ..templating import render_around
from . import bp, rounds
from .report import report_page, report_year, year_param  # noqa: F401 (year_param: export_routes)
from .scope import current_scope

REGION_CODE = re.compile(r"[a-z-]{1,32}")


def region_param():
    """The region of ?regio= within scope; None means every region in scope.

    Empty or absent: a provinciebeheerder gets its own region, a superbeheerder every region.
    An unknown code, or another region for a provinciebeheerder, is a 404 (scope helper).
    """
    code = (request.args.get("regio") or "").strip().lower()
    if code and not REGION_CODE.fullmatch(code):
        abort(404)  # never send junk (a NUL byte, a megabyte) to the database
    return current_scope().region_from_param(code or None)


@bp.route("/statistieken")
def statistics():
    scope = current_scope()
    region = region_param()
    region_id = region.id if region else None
    # the rest of the page is read before the report: right after a write, views that wait for
    # the one computation of the report (single flight) then have nothing left to ask the database
    region_choices = scope.regions()
    round_counts = rounds.confirmed_count(scope, region_id, report_year())
    page = report_page(scope, region_id, side_by_side=scope.is_super and region is None)
    return render_around(
        "beheer/statistics.html", "report_html", page.html, data=page.data, year=page.data.year,
        years=page.years, region=region, region_name=region.name if region else "alle regio's",
        region_choices=region_choices, is_super=scope.is_super, round_counts=round_counts)
