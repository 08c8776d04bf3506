"""GET /beheer/statistieken?jaar=&regio= — the yearly report of one year and region."""

import re
from datetime import date

from flask import abort, render_template, request

from .. import codelists
from ..params import ascii_int
from . import bp, report
from . import statistics as stats
from .scope import current_scope

MIN_YEAR, MAX_YEAR = 1900, 2100
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


def year_param(default: int | None) -> int | None:
    """?jaar= as an int; absent or empty gives `default`; anything else not a year is a 404."""
    raw = (request.args.get("jaar") or "").strip()
    if not raw:
        return default
    year = ascii_int(raw, min=MIN_YEAR, max=MAX_YEAR)
    if year is None:
        abort(404)
    return year


def report_page(source, region_id: int | None, side_by_side: bool = False):
    """(statistics, years offered, chosen year) for a source (a beheer Scope or an
    OrganisationScope), from the per-organisation cache."""
    today = date.today()
    versions = stats.organisation_versions(source, region_id)
    years = stats.available_years(source, region_id, today, cache=True, versions=versions)
    year = year_param(stats.default_year(today))
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    data = stats.compute(source, year, region_id, cache=True, side_by_side=side_by_side,
                         versions=versions)
    return data, years, year


def report_context(data: stats.Statistics) -> dict:
    """What beheer/_report.html needs besides the statistics."""
    return {"data": data, "year": data.year, "charts": report.report_charts(data),
            "region_grids": report.region_grids(data), "headline_rows": stats.HEADLINE_ROWS,
            "ladder_label": codelists.book().label(stats.LADDER_LIST, stats.ARBEIDSZORG_CODE)}


@bp.route("/statistieken")
def statistics():
    scope = current_scope()
    region = region_param()
    region_id = region.id if region else None
    data, years, year = report_page(scope, region_id, side_by_side=scope.is_super and region is None)
    return render_template(
        "beheer/statistics.html", years=years, region=region,
        region_name=region.name if region else "alle regio's",
        region_choices=scope.regions(), is_super=scope.is_super, **report_context(data))
