"""Yearly statistics for "De Vlaamse arbeidszorgmedewerker in beeld" (pure service functions).

The figures of one year are counted per organisation, in one pass over the rows, and cached per
organisation under its data version (`organisation.data_version`, renewed in every transaction
that writes one of its clients or periods; app/dataversion.py):

1. `tally_organisations()` runs two statements for any set of organisations: the periods that
   overlap the five years of the trend (with each client's first start date), and the coded
   fields and birth dates of the clients active in the year. Python counts everything in one
   pass into a `Tally` per organisation: plain counters (the median needs every period length:
   the tally keeps a histogram of day counts).
2. Tallies are additive: organisations hold disjoint clients, so a region, "all regions" and
   Vlaanderen in the regions side by side are sums of the organisations' tallies. A write
   renews only its own organisation's version, so only that organisation is counted again
   (`region_tallies()`; every organisation missing from the cache is counted in one batch, with
   single flight per key).
3. `build()` turns a tally into the report's tables (`Statistics`), and `Statistics.grids()`
   lists every table of the report in order as a plain grid (for the workbook).

Where the figures come from is a *source*: the beheerder's `Scope` (app/beheer/scope.py) or an
`OrganisationScope` (one organisation's own clients, for /cijfers). Both offer `periods()`,
`anonymous_clients()`, `organisation_versions()`, `regions()` and `region_ids()`; the same code
computes every figure for both.
No statement selects a name column.

Definitions (year Y, from 1/1/Y to 31/12/Y):

- a period is *active in Y* when it overlaps Y: start <= 31/12/Y and (no end or end >= 1/1/Y);
- *organisations with activity*: organisations with at least one period active in Y;
- *active clients*: clients with at least one period active in Y;
- *started clients*: clients with a period whose start date lies in Y (a client who stops and
  starts again within Y counts once);
- *stopped clients*: clients with a period whose end date lies in Y;
- *inflow* (instroom): clients whose first period ever started in Y;
- *outflow* (uitstroom): clients with a period that ended in Y and no period running on into
  Y + 1 (their last period as of 31/12/Y ended in Y; a later return does not change Y's figure);
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

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache

from sqlalchemy import ARRAY, Integer, any_, bindparam, func, select

from .. import codelists, dataversion
from ..clients.rules import overlaps
from ..db import session
from ..formatting import date_nl
from ..models import CLIENT_CODE_FIELDS, Client, Period

DAYS_PER_MONTH = 365.25 / 12
LADDER_LIST = "perspectief"
ARBEIDSZORG_CODE = "arbeidszorg_elders"
DEFAULT_BASELINE = 3
MISSING = "(niet ingevuld)"
TREND_YEARS = 5  # the chosen year and the four before

AGE_GROUPS = (("a1", "Jonger dan 25"), ("a2", "25–34 jaar"), ("a3", "35–44 jaar"),
              ("a4", "45–54 jaar"), ("a5", "55–64 jaar"), ("a6", "65 jaar of ouder"))
AGE_LIMITS = (25, 35, 45, 55, 65)  # upper bounds (exclusive) of the first five groups
HOURS_GROUPS = (("h1", "8 uur of minder"), ("h2", "8,5–16 uur"), ("h3", "16,5–24 uur"),
                ("h4", "24,5–32 uur"), ("h5", "Meer dan 32 uur"))
HOURS_LIMITS = (8, 16, 24, 32)  # inclusive upper bounds of the first four groups

HEADLINE_ROWS = (("organisations", "Organisaties met activiteit"),
                 ("active", "Actieve cliënten"),
                 ("inflow", "Instroom (eerste periode gestart)"),
                 ("outflow", "Uitstroom (laatste periode beëindigd)"),
                 ("started", "Gestarte cliënten"),
                 ("stopped", "Gestopte cliënten"),
                 ("periods_ended", "Beëindigde begeleidingsperiodes"))

# the report's order: who (profile, age, gender), how (hours, agreement, methodiek), flow
HOW_FIELDS = ("overeenkomst", "methodiek")
WHO_FIELDS = tuple(name for name in CLIENT_CODE_FIELDS if name not in HOW_FIELDS)


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
    inflow: int = 0
    outflow: int = 0

    def __add__(self, other: "Headline") -> "Headline":
        return Headline(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


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

    @classmethod
    def of(cls, days: Counter) -> "Lengths":
        """Count, mean and median from a histogram {length in days: number of periods}."""
        count = sum(days.values())
        if not count:
            return cls(0, None, None)
        average = sum(d * n for d, n in days.items()) / count
        middle = ((count + 1) // 2, (count + 2) // 2)  # 1-based ranks of the middle one or two
        found, seen = [], 0
        for d in sorted(days):
            before, seen = seen, seen + days[d]
            found += [d for rank in middle if before < rank <= seen]
        return cls(count, average, sum(found) / len(found))


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
class Grid:
    """One table of the report as a plain grid (what a spreadsheet sheet needs).

    `headers` names every column, the first being the label column; each row is
    [label, value, …] with ints (counts), floats (percentages on a 0–100 scale, or days/months)
    or None (no value). `kinds` gives each column's kind: "label", "count", "percent" or
    "decimal". `chart` suggests a chart: "bar" (one series per count column), "line" (the trend:
    one series per row over the year columns) or "" (none).
    """

    key: str
    title: str
    headers: list[str]
    rows: list[list]
    kinds: list[str]
    chart: str = "bar"


@dataclass
class RegionColumn:
    """One column of the regions side by side: a region (or Vlaanderen, code "") and its figures."""

    code: str
    name: str
    stats: "Statistics"


@dataclass
class Statistics:
    year: int
    region_id: int | None
    current: Headline
    previous: Headline
    trend: list[tuple[int, Headline]]  # the chosen year and the four before, oldest first
    profile: list[Table]
    age: Table
    gender: Table
    hours: Table
    lengths: Lengths
    reasons: Table
    perspectives: Table
    ladder: Ladder
    regions: list[RegionColumn] | None = None  # regions side by side (the last one: Vlaanderen)
    data_years: list[int] = field(default_factory=list)  # years from the first to the last date

    @property
    def comparison(self) -> list[Comparison]:
        return [Comparison(key, label, getattr(self.previous, key), getattr(self.current, key))
                for key, label in HEADLINE_ROWS]

    def profile_table(self, key: str) -> Table:
        return next(t for t in self.profile if t.key == key)

    @property
    def who(self) -> list[Table]:
        """The profile fields about who the clients are (gender is shown on its own)."""
        return [self.profile_table(k) for k in WHO_FIELDS if k != "geslacht"]

    @property
    def how(self) -> list[Table]:
        """Agreement (overeenkomst) and methodiek."""
        return [self.profile_table(k) for k in HOW_FIELDS]

    def count_tables(self) -> list[Table]:
        """Every count-and-percentage table in the report's order."""
        return ([self.age, self.gender, *self.who, self.hours, *self.how, self.reasons,
                 self.perspectives, self.ladder.table])

    def grids(self) -> list[Grid]:
        """Every table of the report, in the report's order, as plain grids."""
        y = self.year
        grids = [Grid("kerncijfers", f"Kerncijfers {y - 1} en {y}",
                      ["Kerncijfer", str(y - 1), str(y), "Verschil"],
                      [[c.label, c.previous, c.current, c.difference] for c in self.comparison],
                      ["label", "count", "count", "count"]),
                 Grid("trend", f"Evolutie van de kerncijfers {self.trend[0][0]}–{y}",
                      ["Kerncijfer", *(str(year) for year, _ in self.trend)],
                      [[label, *(getattr(h, key) for _, h in self.trend)]
                       for key, label in HEADLINE_ROWS],
                      ["label", *["count"] * len(self.trend)], "line")]
        for table in self.count_tables()[:-3]:
            grids.append(_count_grid(table))
        lengths = self.lengths
        grids.append(Grid("duur", f"Duur van de begeleidingsperiodes beëindigd in {y}",
                          ["Maat", "Dagen", "Maanden"],
                          [["Gemiddelde duur", lengths.average_days, lengths.average_months],
                           ["Mediaan", lengths.median_days, lengths.median_months],
                           ["Beëindigde periodes", lengths.count, None]],
                          ["label", "decimal", "decimal"]))
        for table in self.count_tables()[-3:]:
            grids.append(_count_grid(table))
        if self.regions:
            grids += region_grids(self)
        return grids


def _count_grid(table: Table) -> Grid:
    return Grid(table.key, table.title, [table.title, "Aantal", "Percentage"],
                [[r.label, r.count, r.pct] for r in table.rows]
                + [["Totaal", table.total, 100.0 if table.total else None]],
                ["label", "count", "percent"])


def region_grids(stats: "Statistics") -> list[Grid]:
    """The regions side by side: the key figures and every count table, a column per region
    plus Vlaanderen (counts; the percentages are in each region's own report)."""
    columns = stats.regions or []
    headers = [c.name for c in columns]
    kinds = ["label", *["count"] * len(columns)]
    grids = [Grid("regio-kerncijfers", f"Kerncijfers {stats.year} per regio",
                  ["Kerncijfer", *headers],
                  [[label, *(getattr(c.stats.current, key) for c in columns)]
                   for key, label in HEADLINE_ROWS], kinds)]
    for i, table in enumerate(stats.count_tables()):
        per_region = [c.stats.count_tables()[i] for c in columns]
        rows = [[row.label, *(_count_of(t, row.key) for t in per_region)] for row in table.rows]
        rows.append(["Totaal", *(t.total for t in per_region)])
        grids.append(Grid(f"regio-{table.key}", f"{table.title} per regio",
                          [table.title, *headers], rows, kinds))
    grids.append(Grid("regio-duur", "Duur van de beëindigde periodes per regio (dagen)",
                      ["Maat", *headers],
                      [["Gemiddelde duur", *(c.stats.lengths.average_days for c in columns)],
                       ["Mediaan", *(c.stats.lengths.median_days for c in columns)],
                       ["Beëindigde periodes", *(c.stats.lengths.count for c in columns)]],
                      ["label", *["decimal"] * len(columns)]))
    return grids


def _count_of(table: Table, key: str) -> int:
    return next((r.count for r in table.rows if r.key == key), 0)


# --- counting ------------------------------------------------------------------------------

def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


@dataclass
class Tally:
    """The additive counts of one year for one region or organisation (what the cache keeps)."""

    year: int
    headlines: dict[int, Headline]  # the trend years, oldest first
    fields: dict[str, Counter]  # coded field -> {code: active clients}
    age: Counter
    hours: Counter
    reasons: Counter
    perspectives: Counter
    days: Counter  # period length in days -> periods ended in the year
    span: tuple = (None, None, None)  # first start, last start, last end of all periods

    @classmethod
    def empty(cls, year: int) -> "Tally":
        return cls(year, {y: Headline() for y in range(year - TREND_YEARS + 1, year + 1)},
                   {name: Counter() for name in CLIENT_CODE_FIELDS}, Counter(), Counter(),
                   Counter(), Counter(), Counter())

    @property
    def years(self) -> list[int]:
        """The years with data: from the first start to the last start or end."""
        found = [d.year for d in self.span if d is not None]
        return list(range(min(found), max(found) + 1)) if found else []

    @classmethod
    def total(cls, year: int, tallies) -> "Tally":
        """The sum of many tallies (counted in place into a new one)."""
        result = cls.empty(year)
        heads = result.headlines
        spans = []
        for t in tallies:
            spans.append(t.span)
            for y, h in t.headlines.items():
                heads[y] = heads[y] + h
            for name, counter in t.fields.items():
                result.fields[name].update(counter)
            for mine, theirs in ((result.age, t.age), (result.hours, t.hours),
                                 (result.reasons, t.reasons),
                                 (result.perspectives, t.perspectives), (result.days, t.days)):
                mine.update(theirs)
        firsts = [sp[0] for sp in spans if sp[0] is not None]
        starts = [sp[1] for sp in spans if sp[1] is not None]
        ends = [sp[2] for sp in spans if sp[2] is not None]
        result.span = (min(firsts, default=None), max(starts, default=None), max(ends, default=None))
        return result

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.year, {y: h + other.headlines[y] for y, h in self.headlines.items()},
                     {k: c + other.fields[k] for k, c in self.fields.items()},
                     self.age + other.age, self.hours + other.hours,
                     self.reasons + other.reasons, self.perspectives + other.perspectives,
                     self.days + other.days, Tally.total(self.year, [self, other]).span)


AGE_CODES = tuple(code for code, _ in AGE_GROUPS)
HOURS_CODES = tuple(code for code, _ in HOURS_GROUPS)


def age_group(age: int) -> str:
    """The age group's code: below the first limit a1, … , from the last limit on a6."""
    return AGE_CODES[bisect_right(AGE_LIMITS, age)]


def hours_group(hours) -> str:
    """The hours group's code: up to and including the first limit h1, …, above the last h5."""
    return HOURS_CODES[bisect_left(HOURS_LIMITS, hours)]


class _Counting:
    """The sets and counters of one organisation while its rows are read."""

    def __init__(self, years: range):
        self.active = {y: set() for y in years}
        self.started = {y: set() for y in years}
        self.stopped = {y: set() for y in years}
        self.running_on = {y: set() for y in years}  # clients with a period running on into y + 1
        self.inflow = {y: set() for y in years}
        self.ended = dict.fromkeys(years, 0)
        self.latest: dict[int, tuple] = {}  # client -> (start, id, hours) of its latest period in Y
        self.reasons, self.perspectives, self.days = Counter(), Counter(), Counter()
        self.fields = {name: Counter() for name in CLIENT_CODE_FIELDS}
        self.ages = Counter()
        self.span = [None, None, None]  # first start, last start, last end of all its periods

    def tally(self, year: int) -> Tally:
        headlines = {y: Headline(organisations=1 if self.active[y] else 0,
                                 active=len(self.active[y]), started=len(self.started[y]),
                                 stopped=len(self.stopped[y]), periods_ended=self.ended[y],
                                 inflow=len(self.inflow[y]),
                                 outflow=len(self.stopped[y] - self.running_on[y]))
                     for y in self.active}
        hours = Counter(hours_group(h) for _, _, h in self.latest.values())
        return Tally(year, headlines, self.fields, self.ages, hours, self.reasons,
                     self.perspectives, self.days, tuple(self.span))


ID_LIST_LIMIT = 5000  # up to this many clients, their periods are looked up by client id
STREAM_ROWS = 5000  # the periods are read in batches of this many rows (bounded memory)


def tally_organisations(source, year: int, org_ids: list[int] | None,
                        region_id: int | None = None) -> dict[int, Tally]:
    """Count one year (and the trend years) for each of these organisations of `source`
    (None: every organisation of the source in the region), in one pass and two statements:
    the organisations' clients (anonymous columns), then their periods (by client id when they
    are few, so that both databases use the (client_id, start_date) index)."""
    first_year = year - TREND_YEARS + 1
    window_start, _ = year_bounds(first_year)
    first, last = year_bounds(year)
    years = range(first_year, year + 1)
    field_columns = [getattr(Client, name) for name in CLIENT_CODE_FIELDS]
    clients = (source.anonymous_clients(region_id)
               .with_only_columns(Client.id, Client.organisation_id, Client.birth_date,
                                  *field_columns, maintain_column_froms=True))
    columns = (Period.client_id, Period.start_date, Period.end_date, Period.hours,
               Period.reden_stopzetting, Period.perspectief, Period.id)
    periods = source.periods(region_id).with_only_columns(*columns, maintain_column_froms=True)
    connection = session.connection()
    if org_ids is not None:
        clients = clients.where(Client.organisation_id.in_(org_ids))
    client_rows = {row[0]: row for row in connection.execute(clients)}
    if org_ids is not None and len(client_rows) <= ID_LIST_LIMIT:
        # the periods of the clients just read (in scope): by client id, through the index
        ids = list(client_rows)
        if connection.dialect.name == "postgresql":
            wanted = Period.client_id == any_(bindparam("client_ids", ids, type_=ARRAY(Integer)))
        else:
            wanted = Period.client_id.in_(ids)
        periods = select(*columns).where(wanted)
    elif org_ids is not None:
        periods = periods.where(Client.organisation_id.in_(org_ids))

    counting: dict[int, _Counting] = {org_id: _Counting(years) for org_id in org_ids or ()}
    first_start: dict[int, date] = {}  # client -> start of its first period
    for client_id, start, end, hours, reason, perspective, period_id \
            in connection.execute(periods.execution_options(yield_per=STREAM_ROWS)):
        row = client_rows.get(client_id)
        if row is None:  # a client written between the two statements
            continue
        org_id = row[1]
        c = counting.get(org_id)
        if c is None:
            c = counting[org_id] = _Counting(years)
        span = c.span
        if span[0] is None or start < span[0]:
            span[0] = start
        if span[1] is None or start > span[1]:
            span[1] = start
        if end is not None and (span[2] is None or end > span[2]):
            span[2] = end
        known = first_start.get(client_id)
        if known is None or start < known:
            first_start[client_id] = start
        if not overlaps(start, end, window_start, last):
            continue  # outside the trend years; each year below is one it overlaps
        start_year = start.year
        end_year = end.year if end is not None else year + 1
        for y in range(max(start_year, first_year), min(end_year, year) + 1):
            c.active[y].add(client_id)
            if end_year > y:
                c.running_on[y].add(client_id)
        if start_year >= first_year:
            c.started[start_year].add(client_id)
        if end is not None and end_year <= year:
            c.stopped[end_year].add(client_id)
            c.ended[end_year] += 1
            if end_year == year:
                c.reasons[reason] += 1
                c.perspectives[perspective] += 1
                c.days[(end - start).days + 1] += 1
        if end_year >= year:
            best = c.latest.get(client_id)
            if best is None or (start, period_id) > best[:2]:
                c.latest[client_id] = (start, period_id, hours)

    pairs = list(zip(CLIENT_CODE_FIELDS, range(3, len(CLIENT_CODE_FIELDS) + 3), strict=True))
    for client_id, start in first_start.items():
        row = client_rows.get(client_id)
        if row is not None and first_year <= start.year <= year:
            counting[row[1]].inflow[start.year].add(client_id)
    for c in counting.values():
        for client_id in c.active[year]:
            row = client_rows.get(client_id)
            if row is None:  # a client written between the two statements
                continue
            c.ages[age_group(year - row[2].year)] += 1
            for name, i in pairs:
                c.fields[name][row[i]] += 1
    return {org_id: c.tally(year) for org_id, c in counting.items()}


def tally(source, year: int, region_id: int | None = None) -> Tally:
    """The counts of one year for a region of `source` (None: all of its regions), uncached."""
    allowed = _region_ids(source, region_id)
    if not allowed:
        return Tally.empty(year)
    return Tally.total(year, tally_organisations(source, year, None, region_id).values())


# --- queries -------------------------------------------------------------------------------

def _region_ids(source, region_id: int | None) -> list[int]:
    """The regions to count: the asked one when it is in the source's scope, else all of them."""
    allowed = source.region_ids()
    if region_id is None:
        return allowed
    return [region_id] if region_id in allowed else []


def organisation_versions(source, region_id: int | None) -> list[tuple[int, int, int]]:
    """(organisation id, region id, data version) of every organisation of the source in the
    region (None: in all its regions)."""
    if region_id is not None and region_id not in source.region_ids():
        return []
    return [tuple(row) for row in session.execute(source.organisation_versions(region_id))]


def organisation_fingerprint(source, region_id: int | None) -> tuple:
    """(count, sum of data versions, highest id) of the source's organisations in the region: one
    row that changes with every write of their clients or periods (versions only ever grow) and
    with every new organisation; cheaper to read on every view than all the versions."""
    if region_id is not None and region_id not in source.region_ids():
        return ()
    return tuple(session.connection().execute(_fingerprint_statement(source, region_id)).one())


@lru_cache(maxsize=1024)
def _fingerprint_statement(source, region_id: int | None):
    """Built once per scope and region (scopes are frozen values): every view of the report
    reads the fingerprint, and building the statement cost more than running it."""
    versions = source.organisation_versions(region_id).subquery()
    return select(func.count(), func.sum(versions.c.data_version), func.max(versions.c.id))


def years_offered(data_years, today: date, chosen: int | None = None) -> list[int]:
    """The years of the year drop-down, newest first: from the first year with data to the last
    (at least the last complete year, and the chosen year)."""
    years = [default_year(today), *data_years] + ([chosen] if chosen is not None else [])
    return list(range(max(years), min(years) - 1, -1))


def default_year(today: date) -> int:
    """The last complete calendar year."""
    return today.year - 1


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
        if code not in known and count:
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


def build(counts: Tally, region_id: int | None = None) -> Statistics:
    """The report's tables from the counts of one year."""
    book = codelists.book()
    year = counts.year
    current = counts.headlines[year]
    active, ended = current.active, current.periods_ended
    profile = [code_table(name, book.titles.get(name, name), name, counts.fields[name], active)
               for name in CLIENT_CODE_FIELDS]
    return Statistics(
        year=year, region_id=region_id, current=current, previous=counts.headlines[year - 1],
        trend=sorted(counts.headlines.items()),
        profile=profile,
        age=fixed_table("leeftijd", f"Leeftijd op {date_nl(date(year, 12, 31))}", AGE_GROUPS,
                        counts.age, active),
        gender=next(t for t in profile if t.key == "geslacht"),
        hours=fixed_table("uren", "Aantal uren per week (laatste periode in het jaar)",
                          HOURS_GROUPS, counts.hours, active),
        lengths=Lengths.of(counts.days),
        reasons=code_table("reden", book.titles.get("reden_stopzetting", "Reden van stopzetting"),
                           "reden_stopzetting", counts.reasons, ended),
        perspectives=code_table("perspectief",
                                book.titles.get("perspectief", "Perspectief na stopzetting"),
                                "perspectief", counts.perspectives, ended),
        ladder=ladder_direction(counts.perspectives),
        data_years=counts.years,
    )


def region_tallies(source, year: int, region_id: int | None, cache: bool = False,
                   versions=None) -> dict[int, Tally]:
    """{region id: its counts} for the regions asked (None: every region of the source).

    With `cache`, each organisation's counts are cached under its data version (a write recounts
    only its own organisation, in one batch for all organisations missing), and each region's
    sum under the versions of its organisations; single flight for both. Counts missing from the
    process's cache are read from the database when stored there under the same version
    (app/beheer/tally_store.py), so a new process recounts only what changed; a recount is
    stored for the next process."""
    region_ids = _region_ids(source, region_id)
    if not cache:
        return {rid: tally(source, year, rid) for rid in region_ids}
    if versions is None:
        versions = organisation_versions(source, region_id)
    items = {org_id: version for org_id, _, version in versions}
    by_region: dict[int, list] = {rid: [] for rid in region_ids}
    for org_id, rid, version in versions:
        by_region.setdefault(rid, []).append((org_id, version))
    org_tallies = {}

    def counted(ids):
        # stored counts first (a new process: app/beheer/tally_store.py), then count the rest
        from . import tally_store
        result = tally_store.load(year, {org_id: items[org_id] for org_id in ids}, region_id)
        missing = [org_id for org_id in ids if org_id not in result]
        if missing:
            whole = len(missing) == len(items)  # every organisation missing: no IN list
            found = tally_organisations(source, year, None if whole else missing, region_id)
            fresh = {org_id: found.get(org_id) or Tally.empty(year) for org_id in missing}
            tally_store.save(year, {org_id: (items[org_id], t) for org_id, t in fresh.items()})
            result.update(fresh)
        return result

    def region_sum(rid):
        if not org_tallies:
            org_tallies.update(dataversion.cached_many(("tally", year), items, counted))
        return Tally.total(year, (org_tallies[org_id] for org_id, _ in by_region[rid]))

    return {rid: dataversion.cached("region-tally", (year,), lambda rid=rid: region_sum(rid), rid,
                                    version=tuple(by_region[rid]))
            for rid in region_ids}


def compute(source, year: int, region_id: int | None = None, *, cache: bool = False,
            side_by_side: bool = False, versions=None) -> Statistics:
    """All statistics of one year for one region (None: every region of the source).

    `cache`: the counts come from the per-organisation cache (single flight per key).
    `side_by_side`: also a column per region plus Vlaanderen (`Statistics.regions`).
    """
    tallies = region_tallies(source, year, region_id, cache, versions)
    total = Tally.total(year, tallies.values())
    stats = build(total, region_id)
    if side_by_side:
        names = {r.id: (r.code, r.name) for r in source.regions()}
        stats.regions = [RegionColumn(*names[rid], build(t, rid)) for rid, t in tallies.items()]
        stats.regions.append(RegionColumn("", "Vlaanderen", build(total)))
    return stats
