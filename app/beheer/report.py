"""The yearly report's page parts, shared by /beheer/statistieken and the organisation's /cijfers:
the SVG chart of every section, built from a `Statistics` (app/beheer/statistics.py). The template
beheer/_report.html lays the sections out in the report's order."""

from dataclasses import dataclass
from datetime import date

from flask import abort, render_template, request
from markupsafe import Markup

from .. import codelists, dataversion
from ..formatting import decimal_nl, integer_nl, percent_nl
from ..params import ascii_int
from ..templating import EncodedHtml
from . import charts, statistics
from . import statistics as stats
from .statistics import HEADLINE_ROWS, Statistics, Table

MIN_YEAR, MAX_YEAR = 1900, 2100

FLOW_KEYS = ("inflow", "outflow")


def table_chart(table: Table, what: str) -> Markup:
    bars = [(row.label, row.count, f"{integer_nl(row.count)} ({percent_nl(row.pct)})")
            for row in table.rows]
    desc = f"Staafdiagram: aantal {what} per categorie. " + "; ".join(
        f"{row.label}: {row.count}" for row in table.rows) + "."
    return charts.bar_chart(f"grafiek-{table.key}", table.title, desc, bars)


def report_charts(data: Statistics) -> dict[str, Markup]:
    """{section key: its chart} for every section of the report."""
    year = data.year
    comparison = data.comparison
    result = {
        "kerncijfers": charts.paired_chart(
            "grafiek-kerncijfers", f"Kerncijfers {year - 1} en {year}",
            "Staafdiagram met per kerncijfer het aantal in het vorige en in het gekozen jaar. "
            + "; ".join(f"{c.label}: {c.previous} in {year - 1}, {c.current} in {year}"
                        for c in comparison) + ".",
            (str(year - 1), str(year)), [(c.label, c.previous, c.current) for c in comparison]),
        "stroom": charts.paired_chart(
            "grafiek-stroom", f"Instroom en uitstroom {year - 1} en {year}",
            "Staafdiagram: " + "; ".join(f"{c.label}: {c.previous} in {year - 1}, {c.current} in "
                                         f"{year}" for c in comparison if c.key in FLOW_KEYS) + ".",
            (str(year - 1), str(year)),
            [(c.label, c.previous, c.current) for c in comparison if c.key in FLOW_KEYS]),
    }
    years = [str(y) for y, _ in data.trend]
    series = [(label, [getattr(h, key) for _, h in data.trend]) for key, label in HEADLINE_ROWS]
    result["evolutie"] = charts.line_chart(
        "grafiek-evolutie", f"Evolutie van de kerncijfers {years[0]}–{years[-1]}",
        "Lijndiagram met per kerncijfer het aantal per jaar. " + "; ".join(
            f"{name}: " + ", ".join(f"{y} {v}" for y, v in zip(years, values, strict=True))
            for name, values in series) + ".",
        years, series)
    lengths = data.lengths
    result["duur"] = charts.bar_chart(
        "grafiek-duur", f"Duur van de begeleidingsperiodes beëindigd in {year} (dagen)",
        f"Staafdiagram: gemiddelde duur {decimal_nl(lengths.average_days)} dagen, "
        f"mediaan {decimal_nl(lengths.median_days)} dagen, over {lengths.count} periodes.",
        [("Gemiddelde duur", lengths.average_days or 0, f"{decimal_nl(lengths.average_days)} dagen"),
         ("Mediaan", lengths.median_days or 0, f"{decimal_nl(lengths.median_days)} dagen")])
    for table in data.count_tables():
        what = "beëindigde periodes" if table.key in ("reden", "perspectief", "ladder") \
            else "actieve cliënten"
        result[table.key] = table_chart(table, what)
    return result


def region_grids(data: Statistics) -> dict:
    """{table key: its grid with a column per region plus Vlaanderen} ({} without regions)."""
    if not data.regions:
        return {}
    return {grid.key.removeprefix("regio-"): grid for grid in statistics.region_grids(data)}


def year_param(default: int | None) -> int | None:
    """?jaar= as an int; absent or empty gives `default`; anything else not a year is a 404."""
    raw = (request.args.get("jaar") or "").strip()
    if not raw:
        return default
    year = ascii_int(raw, min=MIN_YEAR, max=MAX_YEAR)
    if year is None:
        abort(404)
    return year


def report_year(today: date | None = None) -> int:
    """The year the report shows: ?jaar=, else the last complete year."""
    asked = year_param(None)
    return asked if asked is not None else stats.default_year(today or date.today())


@dataclass
class Report:
    """One view of the report: the figures, the years offered and the rendered sections."""

    data: Statistics
    years: list[int]
    html: EncodedHtml  # beheer/_report.html rendered for `data`, with its bytes


def report_page(source, region_id: int | None, side_by_side: bool = False) -> Report:
    """The report of the year asked (?jaar=) for a source (a beheer Scope or an
    OrganisationScope; region_id None: all of its regions).

    The whole result, the rendered sections included, is cached under a fingerprint of the data
    versions of the organisations it counts and the tokens of its regions (code lists, region
    moves), with single flight: after
    a write the first view recounts only the written organisation, and simultaneous views wait
    for that one computation."""
    today = date.today()
    asked = year_param(None)
    token_region = region_id if region_id is not None else getattr(source, "region_id", None)
    key = (region_id, side_by_side, source.cache_key, today, asked,
           stats.organisation_fingerprint(source, region_id))

    def build() -> Report:
        versions = stats.organisation_versions(source, region_id)
        year = report_year(today)
        data = stats.compute(source, year, region_id, cache=True, side_by_side=side_by_side,
                             versions=versions)
        html = EncodedHtml(render_template("beheer/_report.html", **report_context(data)))
        return Report(data, stats.years_offered(data.data_years, today, year), html)

    return dataversion.cached("report", key, build, token_region)


def report_context(data: stats.Statistics) -> dict:
    """What beheer/_report.html needs besides the statistics."""
    return {"data": data, "year": data.year, "charts": report_charts(data),
            "region_grids": region_grids(data), "headline_rows": stats.HEADLINE_ROWS,
            "ladder_label": codelists.book().label(stats.LADDER_LIST, stats.ARBEIDSZORG_CODE)}
