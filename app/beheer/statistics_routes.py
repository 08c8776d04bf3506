"""GET /beheer/statistieken?jaar=&regio= — tables and SVG charts of one year and region."""

import re
from datetime import date

from flask import abort, render_template, request

from .. import codelists, dataversion
from ..formatting import decimal_nl, integer_nl, percent_nl
from ..params import ascii_int
from . import bp, charts
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


def _table_chart(table: stats.Table, chart_id: str, what: str) -> str:
    bars = [(row.label, row.count, f"{integer_nl(row.count)} ({percent_nl(row.pct)})")
            for row in table.rows]
    desc = f"Staafdiagram: aantal {what} per categorie. " + "; ".join(
        f"{row.label}: {row.count}" for row in table.rows) + "."
    return charts.bar_chart(chart_id, table.title, desc, bars)


@bp.route("/statistieken")
def statistics():
    scope = current_scope()
    region = region_param()
    region_id = region.id if region else None
    today = date.today()
    scope_key = (scope.own_region_id, region_id, today)
    years = dataversion.cached("years", scope_key,
                               lambda: stats.available_years(scope, region_id, today), region_id)
    year = year_param(stats.default_year(today))
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    data = dataversion.cached("statistics", (*scope_key, year),
                              lambda: stats.compute(scope, year, region_id), region_id)

    comparison = data.comparison
    headline_chart = charts.paired_chart(
        "grafiek-vergelijking", f"Kerncijfers {year - 1} en {year}",
        "Staafdiagram met per kerncijfer het aantal in het vorige en in het gekozen jaar. "
        + "; ".join(f"{c.label}: {c.previous} in {year - 1}, {c.current} in {year}"
                    for c in comparison) + ".",
        (str(year - 1), str(year)),
        [(c.label, c.previous, c.current) for c in comparison])
    lengths = data.lengths
    length_chart = charts.bar_chart(
        "grafiek-duur", f"Duur van de begeleidingsperiodes beëindigd in {year} (dagen)",
        f"Staafdiagram: gemiddelde duur {decimal_nl(lengths.average_days)} dagen, "
        f"mediaan {decimal_nl(lengths.median_days)} dagen, over {lengths.count} periodes.",
        [("Gemiddelde duur", lengths.average_days or 0,
          f"{decimal_nl(lengths.average_days)} dagen"),
         ("Mediaan", lengths.median_days or 0, f"{decimal_nl(lengths.median_days)} dagen")])
    sections = {
        "age": (data.age, _table_chart(data.age, "grafiek-leeftijd", "actieve cliënten")),
        "gender": (data.gender, _table_chart(data.gender, "grafiek-wie-geslacht", "actieve cliënten")),
        "hours": (data.hours, _table_chart(data.hours, "grafiek-uren", "actieve cliënten")),
        "reasons": (data.reasons, _table_chart(data.reasons, "grafiek-reden",
                                               "beëindigde periodes")),
        "perspectives": (data.perspectives, _table_chart(data.perspectives, "grafiek-perspectief",
                                                         "beëindigde periodes")),
        "ladder": (data.ladder.table, _table_chart(data.ladder.table, "grafiek-ladder",
                                                   "beëindigde periodes")),
    }
    profile = [(table, _table_chart(table, f"grafiek-{table.key}", "actieve cliënten"))
               for table in data.profile]
    region_choices = scope.regions()
    ladder_label = codelists.book().label(stats.LADDER_LIST, stats.ARBEIDSZORG_CODE)
    return render_template(
        "beheer/statistics.html", data=data, year=year, years=years, region=region,
        region_name=region.name if region else "alle regio's",
        region_choices=region_choices, is_super=scope.is_super,
        comparison=comparison, headline_chart=headline_chart, length_chart=length_chart,
        sections=sections, profile=profile, ladder_label=ladder_label)
