"""Import of clients and periods from the old system's CSV export (SPEC §9).

The format (see README.md, "Import from the old system"):

- UTF-8, with or without BOM; `;` or `,` between the columns (sniffed from the header line);
- the header holds the client form field names and the period field names of SPEC §10, in any order;
- one line per begeleidingsperiode; the lines with the same `oud_volgnummer` are one client and
  must agree on every client column; a client without periods is one line whose period
  columns are empty;
- choice fields take the option's code or its label (case-insensitive, retired options too);
  dates dd/mm/jjjj or jjjj-mm-dd; hours with a decimal comma or point.

Every line is checked with the rules of the forms (app/clients/rules.py) before anything is
written; nothing is written unless every line is valid. A client whose `oud_volgnummer` already
exists in the organisation is skipped, so running the same file twice imports nothing twice.

Privacy: problems are reported as (line, field, reason) only. No reason ever repeats a cell's
value, so a report can be shown to a beheerder without revealing a name.

Bounds: a file over MAX_BYTES or MAX_LINES is refused before it is read, and a report keeps the
first MAX_LISTED problems (in file order) and only counts the others, so a file of bad lines
costs seconds and a few MB, not minutes and gigabytes.
"""

import csv
import heapq
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select

from . import audit
from .clients import rules, services
from .clients.forms import PERIOD_CHOICES, client_values, period_values
from .codelists import CodeBook, book
from .db import session
from .forms_common import REQUIRED, parse_date, parse_decimal
from .models import CLIENT_CODE_FIELDS, Client, Organisation

CLIENT_COLUMNS = (
    "oud_volgnummer", "naam", "geboortedatum", "geslacht", "burgerlijke_staat",
    "postcode_woonplaats", "postcode_tewerkstelling", "hoofdproblematiek", "leefsituatie",
    "onderwijsniveau", "verwijzer", "hoofdinkomen", "vergoeding", "bezoldigd_circuit", "subsidie",
    "overeenkomst", "methodiek",
)
PERIOD_COLUMNS = ("uren", "startdatum", "einddatum", "reden_stopzetting", "perspectief")
COLUMNS = CLIENT_COLUMNS + PERIOD_COLUMNS

MAX_BYTES = 5 * 1024 * 1024  # the largest file read (the upload limit, MAX_CONTENT_LENGTH)
MAX_LINES = 20_000  # data lines, the header not counted
MAX_LISTED = 200  # problems listed in a report; the others are counted ("… en N meer")
MAX_OLD_NR = 50
MAX_NAME = 200
POSTCODE_INVALID = "Geef een Belgische postcode van 4 cijfers (1000–9999) of 'buitenland'."
ALREADY_IMPORTED = "al geïmporteerd (dit oud volgnummer bestaat al bij deze organisatie)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file: its line (the header is line 1), the column, a Dutch reason."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"regel {self.line}, veld {self.field}: {self.reason}"


class ProblemList(list):
    """The first problems of a file, in file order; `total` counts all of them."""

    def __init__(self, problems=(), total: int | None = None):
        super().__init__(problems)
        self.total = len(self) if total is None else total

    @property
    def more(self) -> int:
        """The problems counted but not listed."""
        return self.total - len(self)


_RANK = {name: i for i, name in enumerate(COLUMNS)}  # the order of a line's problems


class _Problems:
    """Collects a file's problems: all are counted, only the first `limit` (in file order) kept.

    Problems come mostly in file order, but the rules over a client's lines add some to earlier
    lines later; a heap of the `limit` smallest (line, column, arrival) keys keeps the right ones.
    """

    def __init__(self, limit: int = MAX_LISTED):
        self.limit = limit
        self.total = 0
        self._heap: list = []  # (negated key, problem): the last kept problem on top

    def add(self, line: int, column: str, reason: str) -> None:
        """Count a problem; keep it (as a Problem) only when it is among the first `limit`."""
        self.total += 1
        key = (-line, -_RANK.get(column, len(_RANK)), -self.total)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, (key, Problem(line, column, reason)))
        elif key > self._heap[0][0]:
            heapq.heapreplace(self._heap, (key, Problem(line, column, reason)))

    def listed(self) -> ProblemList:
        return ProblemList([p for _, p in sorted(self._heap, key=lambda item: item[0],
                                                 reverse=True)], self.total)


def thousands(n: int) -> str:
    """20000 → '20.000' (nl-BE)."""
    return f"{n:,}".replace(",", ".")


LIMITS = f"hoogstens {MAX_BYTES // 1024 // 1024} MB en {thousands(MAX_LINES)} regels"
TOO_LARGE = (f"Het bestand is te groot: hoogstens {MAX_BYTES // 1024 // 1024} MB. "
             "Splits het in kleinere bestanden.")


def size_error(data: bytes) -> str | None:
    """Why a file is refused before it is read (too large, too many lines); None when it is not."""
    if len(data) > MAX_BYTES:
        return TOO_LARGE
    # every line break counts (\n, \r\n or \r); a last line without one too
    breaks = max(data.count(b"\n"), data.count(b"\r"))
    lines = breaks + (not data.endswith((b"\n", b"\r"))) - 1  # the header not counted
    if lines > MAX_LINES:
        return (f"Het bestand heeft {thousands(lines)} regels (zonder de kopregel): hoogstens "
                f"{thousands(MAX_LINES)}. Splits het in kleinere bestanden.")
    return None


@dataclass
class PeriodPlan:
    line: int
    values: dict  # model values for services.add_period


@dataclass
class ClientPlan:
    line: int  # the client's first line in the file
    old_nr: str
    name: str | None
    fields: dict  # model values for services.create_client
    periods: list[PeriodPlan] = field(default_factory=list)


@dataclass
class Report:
    """What an import did, or (dry run, or errors) would do."""

    dry_run: bool
    errors: ProblemList = field(default_factory=ProblemList)  # the first MAX_LISTED
    clients: int = 0  # new clients imported (or that a dry run would import)
    periods: int = 0  # their periods
    skipped_lines: list[int] = field(default_factory=list)  # first line of each skipped client
    imported: bool = False  # whether anything was written

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        """All problems in the file, also those not listed."""
        return self.errors.total

    @property
    def skipped(self) -> int:
        return len(self.skipped_lines)

    def skipped_problems(self) -> list[Problem]:
        """The skipped clients as report lines ("al geïmporteerd")."""
        return [Problem(line, "oud_volgnummer", ALREADY_IMPORTED) for line in self.skipped_lines]


# --- reading the file -----------------------------------------------------------------------

class _FileError(Exception):
    """The file cannot be read further; its problems are in the collector (or in `problem`)."""

    def __init__(self, problem: Problem | None = None):
        super().__init__("invalid file")
        self.problem = problem


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise _FileError(Problem(line, "bestand", "Het bestand is geen geldige UTF-8-tekst. "
                                  "Bewaar het als 'CSV UTF-8' en probeer opnieuw.")) from exc


def _separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    semicolons, commas = header.count(";"), header.count(",")
    if not semicolons and not commas:
        raise _FileError(Problem(1, "kopregel", "Geen scheidingsteken gevonden: zet ; of , "
                                  "tussen de kolommen van de kopregel."))
    return ";" if semicolons >= commas else ","


def _header(cells: list[str], problems: _Problems) -> dict[str, int]:
    """Column name → index; a _FileError when columns are missing, unknown or doubled.

    An unknown column is reported by its position only: a file without a header would
    otherwise have its first data line (and a name in it) echoed in the report.
    """
    names = [c.strip().lower() for c in cells]
    if not set(names) & set(COLUMNS):
        raise _FileError(Problem(1, "kopregel", "De eerste regel moet de kolomnamen bevatten "
                                  "(oud_volgnummer, naam, geboortedatum, …); zie de handleiding "
                                  "van de import."))
    before, index = problems.total, {}
    for i, name in enumerate(names):
        if name in index:
            problems.add(1, name, "Deze kolom staat meer dan eens in de kopregel.")
        elif name in COLUMNS:
            index[name] = i
        elif name:
            problems.add(1, f"kolom {i + 1}", "Onbekende kolomnaam; gebruik de veldnamen uit de "
                         "handleiding van de import.")
        else:
            problems.add(1, f"kolom {i + 1}", "Kolom zonder naam in de kopregel.")
    for name in COLUMNS:
        if name not in index:
            problems.add(1, name, "Deze kolom ontbreekt in de kopregel.")
    if problems.total > before:
        raise _FileError()
    return index


def _records(text: str, sep: str, problems: _Problems):
    """(line number where the record starts, {column: stripped cell}) for each non-empty line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        cells = next(reader)
    except StopIteration:
        raise _FileError(Problem(1, "bestand", "Het bestand is leeg.")) from None
    except csv.Error as exc:
        raise _FileError(Problem(1, "kopregel", "De kopregel kan niet gelezen worden "
                                  "(ongeldig CSV-formaat).")) from exc
    index = _header(cells, problems)
    width = len(cells)
    rows, before = [], problems.total
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(start, "regel", "Deze regel kan niet gelezen worden (ongeldig "
                         "CSV-formaat, bv. een aanhalingsteken dat niet gesloten wordt).")
            raise _FileError() from exc
        if not any(c.strip() for c in cells):
            continue  # blank lines (and rows of empty cells, as spreadsheets write them)
        if len(cells) != width:
            problems.add(start, "regel", f"Deze regel heeft {len(cells)} kolommen; de kopregel "
                         f"heeft er {width}.")
            continue
        if len(rows) == MAX_LINES:  # size_error counts line breaks; this also bounds odd files
            raise _FileError(Problem(start, "bestand", f"Meer dan {thousands(MAX_LINES)} regels: "
                                     "splits het bestand in kleinere bestanden."))
        rows.append((start, {name: cells[i].strip() for name, i in index.items()}))
    if problems.total > before:
        raise _FileError()
    return rows


# --- checking the values --------------------------------------------------------------------

def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _choice_tables(codebook: CodeBook) -> dict[str, dict[str, str]]:
    """List name → {code or label, normalised: code}; retired options included (old records)."""
    tables = {}
    for list_name, options in codebook.lists.items():
        table = {_key(o.label): o.code for o in options}
        table.update({_key(o.code): o.code for o in options})  # a code wins over a label
        tables[list_name] = table
    return tables


class _Line:
    """One data line: its parsed values and the problems found in it."""

    __slots__ = ("number", "cells", "problems", "errors", "client", "period", "period_ok",
                 "has_period")

    def __init__(self, number: int, cells: dict[str, str], problems: _Problems):
        self.number = number
        self.cells = cells  # dropped once the columns are checked
        self.problems = problems  # the file's collector
        self.errors = 0  # the problems found on this line
        self.client: dict = {}  # column → parsed value (missing when invalid)
        self.period: dict | None = None  # model values; None: no period on this line
        self.period_ok = False
        self.has_period = any(cells[name] for name in PERIOD_COLUMNS)

    def error(self, column: str, reason: str) -> None:
        self.errors += 1
        self.problems.add(self.number, column, reason)


def _choice(line: _Line, column: str, tables, codebook: CodeBook, required: bool):
    raw = line.cells[column]
    if not raw:
        if required:
            line.error(column, REQUIRED)
        return None
    code = tables.get(column, {}).get(_key(raw))
    if code is None:
        title = codebook.titles.get(column, column)
        line.error(column, "Onbekende keuze: gebruik de code of de omschrijving van een optie "
                           "uit de keuzelijst '" + title + "'.")
    return code


def _date(line: _Line, column: str, required: bool) -> date | None:
    raw = line.cells[column]
    if not raw:
        if required:
            line.error(column, REQUIRED)
        return None
    try:
        return parse_date(raw)
    except ValueError as exc:
        line.error(column, str(exc))
        return None


def _check_client_columns(line: _Line, tables, codebook: CodeBook) -> None:
    cells, values = line.cells, line.client
    old_nr = cells["oud_volgnummer"]
    if not old_nr:
        line.error("oud_volgnummer", "Het oud volgnummer is verplicht bij een import (het is de "
                                     "sleutel die een tweede import van hetzelfde bestand herkent).")
    elif len(old_nr) > MAX_OLD_NR:
        line.error("oud_volgnummer", f"Maximaal {MAX_OLD_NR} tekens.")
    else:
        values["oud_volgnummer"] = old_nr
    if len(cells["naam"]) > MAX_NAME:
        line.error("naam", f"Maximaal {MAX_NAME} tekens.")
    else:
        values["naam"] = cells["naam"] or None
    birth = _date(line, "geboortedatum", required=True)
    if birth is not None:
        values["geboortedatum"] = birth
    for column in ("postcode_woonplaats", "postcode_tewerkstelling"):
        if not cells[column]:
            line.error(column, REQUIRED)
            continue
        postcode = rules.normalize_postcode(cells[column])
        if postcode is None:
            line.error(column, POSTCODE_INVALID)
        else:
            values[column] = postcode
    for column in CLIENT_CODE_FIELDS:
        code = _choice(line, column, tables, codebook, required=True)
        if code is not None:
            values[column] = code


def _check_period_columns(line: _Line, tables, codebook: CodeBook) -> None:
    """The period on this line, checked field by field (the rules between periods come later)."""
    if not line.has_period:
        return
    before = line.errors
    hours = None
    if not line.cells["uren"]:
        line.error("uren", REQUIRED)
    else:
        try:
            hours = parse_decimal(line.cells["uren"])
        except ValueError as exc:
            line.error("uren", str(exc))
        else:
            error = rules.hours_error(hours)
            if error:
                line.error("uren", error)
    start = _date(line, "startdatum", required=True)
    end = _date(line, "einddatum", required=False)
    choices = {c: _choice(line, c, tables, codebook, required=False) for c in PERIOD_CHOICES}
    line.period = period_values({"uren": hours, "startdatum": start, "einddatum": end, **choices})
    line.period_ok = line.errors == before


def _check_client(lines: list[_Line], today: date) -> ClientPlan | None:
    """The rules over all lines of one client; a plan when they all hold."""
    first = lines[0]
    # the client columns must agree on every line (compared after parsing: 'Man' == 'man')
    for line in lines[1:]:
        for column in CLIENT_COLUMNS:
            if column in first.client and column in line.client \
                    and first.client[column] != line.client[column]:
                line.error(column, f"Verschilt van regel {first.number} met hetzelfde oud "
                                   f"volgnummer: de cliëntgegevens moeten op elke regel van "
                                   f"dezelfde cliënt gelijk zijn.")
    if len(lines) > 1:
        for line in lines:
            if not line.has_period:
                line.error("startdatum", "Deze regel heeft geen periode, maar de cliënt staat op "
                                         "meer dan één regel. Een cliënt zonder periode staat op "
                                         "één regel; elke regel van een cliënt met periodes "
                                         "beschrijft één periode.")
    periods = sorted((line for line in lines if line.period is not None and line.period_ok),
                     key=lambda line: line.period["start_date"])
    # the periods in start order, each checked as a new period after the ones before it
    spans: list[rules.Span] = []
    for line in periods:
        values = line.period
        errors = rules.period_errors(
            spans, values["start_date"], values["end_date"], bool(values["reden_stopzetting"]),
            bool(values["perspectief"]), today, is_new=True)
        for column, reason in errors.items():
            line.error(column, reason)
        spans.append(rules.Span(None, values["start_date"], values["end_date"]))
    birth = first.client.get("geboortedatum")
    if birth is not None:
        registered = periods[0].period["start_date"] if periods else today
        error = rules.birth_date_error(birth, registered, today)
        if error:
            first.error("geboortedatum", error)
    if any(line.errors for line in lines) or any(
            line.period is not None and not line.period_ok for line in lines):
        return None
    client = first.client
    return ClientPlan(first.number, client["oud_volgnummer"], client["naam"], client_values(client),
                      [PeriodPlan(line.number, dict(line.period)) for line in periods])


def parse(data: bytes, codebook: CodeBook, today: date) -> tuple[list[ClientPlan], ProblemList]:
    """Read and check a whole file: the clients to create (in file order) and its problems.

    The problems are the first MAX_LISTED in file order; `.total` counts them all. Pure apart
    from the code book: nothing is read from or written to the database.
    """
    refused = size_error(data)
    if refused:
        return [], ProblemList([Problem(1, "bestand", refused)])
    problems = _Problems()
    try:
        text = _decode(data)
        rows = _records(text, _separator(text), problems)
    except _FileError as exc:
        if exc.problem is not None:
            problems.add(exc.problem.line, exc.problem.field, exc.problem.reason)
        return [], problems.listed()
    del text
    if not rows:
        return [], ProblemList([Problem(2, "bestand", "Het bestand bevat geen cliënten "
                                                      "(enkel een kopregel).")])
    tables = _choice_tables(codebook)
    groups: dict[str, list[_Line]] = {}
    for number, cells in rows:
        line = _Line(number, cells, problems)
        _check_client_columns(line, tables, codebook)
        _check_period_columns(line, tables, codebook)
        line.cells = None
        key = line.client.get("oud_volgnummer")
        if key is not None:  # a line without a usable oud_volgnummer: its problems are counted
            groups.setdefault(key, []).append(line)
    del rows
    plans = []
    for lines in groups.values():
        plan = _check_client(lines, today)
        if plan is not None:
            plans.append(plan)
    return ([] if problems.total else plans), problems.listed()


# --- running an import ----------------------------------------------------------------------

def existing_old_numbers(org: Organisation) -> set[str]:
    return set(session.scalars(select(Client.old_nr).where(
        Client.organisation_id == org.id, Client.old_nr.is_not(None))))


def run(org: Organisation, data: bytes, *, dry_run: bool, today: date | None = None,
        actor: str | None = None) -> Report:
    """Check the file and, unless dry_run or a line is wrong, import it. The caller commits.

    Everything goes into the current transaction: the clients (new numbers through
    services.create_client, names sealed there), their periods and one audit event.
    """
    today = today or date.today()
    report = Report(dry_run=dry_run)
    plans, report.errors = parse(data, book(), today)
    if not dry_run and not report.errors:
        # lock the organisation row first, so that two imports of the same file in parallel
        # cannot both find an oud_volgnummer missing (SQLite: the write transaction does that)
        session.execute(select(Organisation.id).where(Organisation.id == org.id).with_for_update())
    existing = existing_old_numbers(org) if plans else set()
    new = [plan for plan in plans if plan.old_nr not in existing]
    report.skipped_lines = [plan.line for plan in plans if plan.old_nr in existing]
    report.clients = len(new)
    report.periods = sum(len(plan.periods) for plan in new)
    if not dry_run and not report.errors:
        for plan in new:
            _write(org, plan, today)
        report.imported = bool(new)
    extra = {"actor": actor} if actor else {}
    audit.record("import", organisation_id=org.id, clients=report.clients, periods=report.periods,
                 skipped=report.skipped, dry_run=dry_run, errors=report.error_count, **extra)
    return report


def _write(org: Organisation, plan: ClientPlan, today: date) -> None:
    fields = dict(plan.fields)
    if plan.periods and plan.periods[0].values["start_date"] <= today:
        # registered when the first period started: the date the edit form checks the age on
        fields["created_at"] = datetime.combine(plan.periods[0].values["start_date"], time())
    client = services.create_client(org, fields, plan.name)
    for period in plan.periods:
        services.add_period(client, period.values)
    session.flush()
