"""Yearly statistics for "De Vlaamse arbeidszorgmedewerker in beeld" (pure service functions).

Every number is aggregated in SQL; Python only turns the aggregated rows into tables. The page
needs a fixed number of statements whatever the size of the data:

1. `available_years` — first/last dates of the periods in scope;
2. `_headline` — counts for the year and the year before (flags per client in one GROUP BY,
   then sums);
3. `_distributions` — one UNION ALL of GROUP BY queries: the 12 coded client fields, age groups,
   hours groups (clients active in the year), reasons and perspectives (periods ended in the year);
4. `_lengths` — count, average and median length of the periods ended in the year (window
   functions; the median is the mean of the one or two middle rows).

Definitions (year Y, from 1/1/Y to 31/12/Y):

- a period is *active in Y* when it overlaps Y: start <= 31/12/Y and (no end or end >= 1/1/Y);
- *organisations with activity*: organisations with at least one period active in Y;
- *active clients*: clients with at least one period active in Y;
- *started clients*: clients with a period whose start date lies in Y (a client who stops and
  starts again within Y counts once);
- *stopped clients*: clients with a period whose end date lies in Y;
- profile fields, age and hours are about the active clients; age is the age on 31/12/Y
  (Y minus the birth year); hours come from the client's latest period active in Y;
- period length = end - start + 1 days (the end date is the last day the person was active);
  one month = 365.25 / 12 days; only periods that ended in Y count;
- reasons, perspectives and the participatieladder: periods that ended in Y.

Participatieladder direction: the perspectief options carry a rung (1 = geïsoleerd …
6 = betaald werk NEC). Arbeidszorg itself is the rung of the option "arbeidszorg_elders"
("Arbeidszorg of arbeidsmatige activiteiten elders", rung 3 in the seed lists; 3 when that option
is missing). A perspective above that rung is *hoger* (up), equal is *gelijk*, below is *lager*
(down); perspectives without a rung (pensioen, overlijden, onbekend) are *niet van toepassing*.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, and_, case, cast, distinct, extract, func, literal, or_, select, union_all

from .. import codelists
from ..clients.rules import period_overlaps
from ..db import session
from ..formatting import date_nl
from ..models import CLIENT_CODE_FIELDS, Client, Period
from .scope import Scope

DAYS_PER_MONTH = 365.25 / 12
LADDER_LIST = "perspectief"
ARBEIDSZORG_CODE = "arbeidszorg_elders"
DEFAULT_BASELINE = 3
MISSING = "(niet ingevuld)"

AGE_GROUPS = (("a1", "Jonger dan 25"), ("a2", "25–34 jaar"), ("a3", "35–44 jaar"),
              ("a4", "45–54 jaar"), ("a5", "55–64 jaar"), ("a6", "65 jaar of ouder"))
AGE_LIMITS = (25, 35, 45, 55, 65)  # upper bounds (exclusive) of the first five groups
HOURS_GROUPS = (("h1", "8 uur of minder"), ("h2", "8,5–16 uur"), ("h3", "16,5–24 uur"),
                ("h4", "24,5–32 uur"), ("h5", "Meer dan 32 uur"))
HOURS_LIMITS = (8, 16, 24, 32)  # inclusive upper bounds of the first four groups

HEADLINE_ROWS = (("organisations", "Organisaties met activiteit"),
                 ("active", "Actieve cliënten"),
                 ("started", "Gestarte cliënten"),
                 ("stopped", "Gestopte cliënten"),
                 ("periods_ended", "Beëindigde begeleidingsperiodes"))


def percentage(count: int, total: int) -> float | None:
    return None if not total else count * 100.0 / total


# --- results -------------------------------------------------------------------------------

@dataclass
class Row:
    key: str
    label: str
    count: int
    pct: float | None
    retired: bool = False


@dataclass
class Table:
    key: str
    title: str
    total: int
    rows: list[Row] = field(default_factory=list)


@dataclass
class Headline:
    organisations: int = 0
    active: int = 0
    started: int = 0
    stopped: int = 0
    periods_ended: int = 0


@dataclass
class Lengths:
    count: int
    average_days: float | None
    median_days: float | None

    @property
    def average_months(self) -> float | None:
        return None if self.average_days is None else self.average_days / DAYS_PER_MONTH

    @property
    def median_months(self) -> float | None:
        return None if self.median_days is None else self.median_days / DAYS_PER_MONTH


@dataclass
class Ladder:
    baseline: int
    up: int
    same: int
    down: int
    not_applicable: int

    @property
    def table(self) -> Table:
        total = self.up + self.same + self.down + self.not_applicable
        rows = [Row("up", "Hoger op de participatieladder", self.up, percentage(self.up, total)),
                Row("same", "Zelfde trede (arbeidszorg)", self.same, percentage(self.same, total)),
                Row("down", "Lager op de participatieladder", self.down, percentage(self.down, total)),
                Row("na", "Niet van toepassing (geen trede)", self.not_applicable,
                    percentage(self.not_applicable, total))]
        return Table("ladder", "Richting op de participatieladder", total, rows)


@dataclass
class Comparison:
    key: str
    label: str
    previous: int
    current: int

    @property
    def difference(self) -> int:
        return self.current - self.previous


@dataclass
class Statistics:
    year: int
    region_id: int | None
    current: Headline
    previous: Headline
    profile: list[Table]
    age: Table
    gender: Table
    hours: Table
    lengths: Lengths
    reasons: Table
    perspectives: Table
    ladder: Ladder

    @property
    def comparison(self) -> list[Comparison]:
        return [Comparison(key, label, getattr(self.previous, key), getattr(self.current, key))
                for key, label in HEADLINE_ROWS]


# --- SQL building blocks -------------------------------------------------------------------

def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def scoped_periods(scope: Scope, region_id: int | None, *columns):
    """scope.periods() (periods joined to Client and Organisation) selecting `columns`."""
    return scope.periods(region_id).with_only_columns(*columns, maintain_column_froms=True)


def days_between(first, last):
    """last - first in whole days, portable (SQLite has no date subtraction)."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.round(func.julianday(last) - func.julianday(first)), Integer)
    return last - first  # PostgreSQL: date - date is an integer number of days


# --- queries -------------------------------------------------------------------------------

def available_years(scope: Scope, region_id: int | None, today: date) -> list[int]:
    """Years from the first period start in scope to the last year with data (at least the
    last complete year), newest first."""
    first, last_start, last_end = session.execute(
        scoped_periods(scope, region_id, func.min(Period.start_date), func.max(Period.start_date),
                       func.max(Period.end_date))).one()
    default = default_year(today)
    years = [default]
    if first is not None:
        years += [first.year, last_start.year]
        if last_end is not None:
            years.append(last_end.year)
    return list(range(max(years), min(years) - 1, -1))


def default_year(today: date) -> int:
    """The last complete calendar year."""
    return today.year - 1


def _flag(condition):
    return func.max(case((condition, 1), else_=0))


def _headline(scope: Scope, year: int, region_id: int | None) -> tuple[Headline, Headline]:
    """First per client (one GROUP BY client over the periods of both years): was it active,
    did it start, did it stop, how many periods ended; then the sums over the clients."""
    flags = []
    for y in (year, year - 1):
        first, last = year_bounds(y)
        flags += [_flag(period_overlaps(first, last)).label(f"active_{y}"),
                  _flag(Period.start_date.between(first, last)).label(f"started_{y}"),
                  _flag(Period.end_date.between(first, last)).label(f"stopped_{y}"),
                  func.sum(case((Period.end_date.between(first, last), 1), else_=0))
                  .label(f"ended_{y}")]
    per_client = (scoped_periods(scope, region_id, Period.client_id, Client.organisation_id, *flags)
                  .where(period_overlaps(date(year - 1, 1, 1), date(year, 12, 31)))
                  .group_by(Period.client_id, Client.organisation_id).subquery("per_client"))
    columns = []
    for y in (year, year - 1):
        columns += [func.count(distinct(case((per_client.c[f"active_{y}"] == 1,
                                              per_client.c.organisation_id)))),
                    func.sum(per_client.c[f"active_{y}"]), func.sum(per_client.c[f"started_{y}"]),
                    func.sum(per_client.c[f"stopped_{y}"]), func.sum(per_client.c[f"ended_{y}"])]
    row = session.execute(select(*columns)).one()
    values = [int(v or 0) for v in row]
    return Headline(*values[:5]), Headline(*values[5:])


def _distributions(scope: Scope, year: int, region_id: int | None) -> dict[str, dict[str | None, int]]:
    """{part: {code: count}} for every coded field, age, hours, reasons and perspectives.

    One statement: a CTE of the active clients (their coded fields, birth date and the hours of
    their latest period in the year: the first row per client of a window over the periods
    that overlap the year, joined to the client), a CTE of the periods that ended in the year,
    and a UNION ALL of one GROUP BY per part over those CTEs.
    """
    first, last = year_bounds(year)
    latest = (scoped_periods(scope, region_id, Period.client_id, Period.hours, func.row_number().over(
        partition_by=Period.client_id,
        order_by=(Period.start_date.desc(), Period.id.desc())).label("rn"))
        .where(period_overlaps(first, last)).subquery("latest"))
    fields = [getattr(Client, name) for name in CLIENT_CODE_FIELDS]
    active = (scope.anonymous_clients(region_id)
              .with_only_columns(Client.birth_date, *fields, latest.c.hours, maintain_column_froms=True)
              .join(latest, and_(latest.c.client_id == Client.id, latest.c.rn == 1))
              .cte("active_clients"))
    parts = [select(literal(name).label("part"), active.c[name].label("code"),
                    func.count().label("n")).group_by(active.c[name])
             for name in CLIENT_CODE_FIELDS]

    # age on 31/12 of the year is the year minus the birth year
    age = year - extract("year", active.c.birth_date)
    age_group = case(*[(age < limit, code)
                       for (code, _), limit in zip(AGE_GROUPS[:-1], AGE_LIMITS, strict=True)],
                     else_=AGE_GROUPS[-1][0])
    # hours of each active client's latest period in the year
    hours_group = case(*[(active.c.hours <= limit, code)
                         for (code, _), limit in zip(HOURS_GROUPS[:-1], HOURS_LIMITS, strict=True)],
                       else_=HOURS_GROUPS[-1][0])
    # the CASE is computed in a subquery and grouped by its column (PostgreSQL would not
    # recognise two CASE expressions with bound parameters as the same grouping expression)
    groups = select(age_group.label("age"), hours_group.label("hours")).subquery("groups")
    for name in ("age", "hours"):
        parts.append(select(literal("_" + name).label("part"), groups.c[name], func.count())
                     .group_by(groups.c[name]))

    ended = (scoped_periods(scope, region_id, Period.reden_stopzetting, Period.perspectief)
             .where(Period.end_date.between(first, last)).cte("ended"))
    for name in ("reden_stopzetting", "perspectief"):
        parts.append(select(literal("_" + name).label("part"), ended.c[name], func.count())
                     .group_by(ended.c[name]))

    result: dict[str, dict[str | None, int]] = {}
    for part, code, count in session.execute(union_all(*parts)):
        result.setdefault(part, {})[code] = int(count)
    return result


def _lengths(scope: Scope, year: int, region_id: int | None) -> Lengths:
    first, last = year_bounds(year)
    lengths = (scoped_periods(scope, region_id, (days_between(Period.start_date, Period.end_date) + 1)
                              .label("days"))
               .where(Period.end_date.between(first, last)).subquery("lengths"))
    ordered = select(lengths.c.days,
                     func.row_number().over(order_by=lengths.c.days).label("rn"),
                     func.count().over().label("n")).subquery("ordered")
    middle = or_(ordered.c.rn == (ordered.c.n + 1) // 2, ordered.c.rn == (ordered.c.n + 2) // 2)
    count, average, median = session.execute(
        select(func.count(), func.avg(ordered.c.days),
               func.avg(case((middle, ordered.c.days))))).one()
    return Lengths(int(count or 0), None if average is None else float(average),
                   None if median is None else float(median))


# --- tables --------------------------------------------------------------------------------

def code_table(key: str, title: str, list_name: str, counts: dict[str | None, int],
               total: int) -> Table:
    """A row per option in code-list order; retired options only when they occur; codes that
    are not (or no longer) in the list, and empty values, at the end."""
    book = codelists.book()
    table = Table(key, title, total)
    known = set()
    for option in book.lists.get(list_name, []):
        known.add(option.code)
        count = counts.get(option.code, 0)
        if option.retired and not count:
            continue
        table.rows.append(Row(option.code, option.label, count, percentage(count, total),
                              option.retired))
    for code, count in sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or "")):
        if code not in known:
            table.rows.append(Row(code or "", MISSING if code is None else code, count,
                                  percentage(count, total)))
    return table


def fixed_table(key: str, title: str, groups, counts: dict, total: int) -> Table:
    rows = [Row(code, label, counts.get(code, 0), percentage(counts.get(code, 0), total))
            for code, label in groups]
    return Table(key, title, total, rows)


def ladder_baseline() -> int:
    rung = codelists.book().ladder(LADDER_LIST, ARBEIDSZORG_CODE)
    return rung if rung is not None else DEFAULT_BASELINE


def ladder_direction(counts: dict[str | None, int]) -> Ladder:
    """Up / same / down counts from the number of ended periods per perspective."""
    book = codelists.book()
    baseline = ladder_baseline()
    ladder = Ladder(baseline, 0, 0, 0, 0)
    for code, count in counts.items():
        rung = book.ladder(LADDER_LIST, code) if code else None
        if rung is None:
            ladder.not_applicable += count
        elif rung > baseline:
            ladder.up += count
        elif rung == baseline:
            ladder.same += count
        else:
            ladder.down += count
    return ladder


def compute(scope: Scope, year: int, region_id: int | None) -> Statistics:
    """All statistics of one year for one region (None: every region in scope)."""
    book = codelists.book()
    current, previous = _headline(scope, year, region_id)
    dist = _distributions(scope, year, region_id)
    active = current.active
    profile = [code_table(name, book.titles.get(name, name), name, dist.get(name, {}), active)
               for name in CLIENT_CODE_FIELDS]
    gender = next(t for t in profile if t.key == "geslacht")
    ended = current.periods_ended
    perspectives = dist.get("_perspectief", {})
    return Statistics(
        year=year, region_id=region_id, current=current, previous=previous, profile=profile,
        age=fixed_table("leeftijd", f"Leeftijd op {date_nl(date(year, 12, 31))}", AGE_GROUPS,
                        dist.get("_age", {}), active),
        gender=gender,
        hours=fixed_table("uren", "Aantal uren per week (laatste periode in het jaar)",
                          HOURS_GROUPS, dist.get("_hours", {}), active),
        lengths=_lengths(scope, year, region_id),
        reasons=code_table("reden", book.titles.get("reden_stopzetting", "Reden van stopzetting"),
                           "reden_stopzetting", dist.get("_reden_stopzetting", {}), ended),
        perspectives=code_table("perspectief",
                                book.titles.get("perspectief", "Perspectief na stopzetting"),
                                "perspectief", perspectives, ended),
        ladder=ladder_direction(perspectives),
    )
