"""Import from the old system: CSV format, validation report, idempotence, CLI, beheer upload."""

import json
import os
import re
import stat
import time
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from helpers import add_client, first_code, label_of
from sqlalchemy import func, select
from support import login

from app import legacy_import
from app.clients import names
from app.codelists import book
from app.db import session
from app.models import CLIENT_CODE_FIELDS, AuditEvent, Client, CodeList, CodeOption, Organisation, Period

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "import-voorbeeld.csv"
CANARY = "ZZGEHEIM Naamsen"
COLUMNS = legacy_import.COLUMNS


def text(r):
    return r.get_data(as_text=True)


def line(**overrides) -> dict:
    """One valid CSV line (codes), a client with one closed period."""
    values = {name: first_code(name) for name in CLIENT_CODE_FIELDS}
    values.update(oud_volgnummer="OUD-1", naam="", geboortedatum="13/06/1985",
                  postcode_woonplaats="3500", postcode_tewerkstelling="3500",
                  uren="16", startdatum="04/01/2021", einddatum="30/06/2022",
                  reden_stopzetting=first_code("reden_stopzetting"),
                  perspectief=first_code("perspectief"))
    values.update(overrides)
    return values


NO_PERIOD = {"uren": "", "startdatum": "", "einddatum": "", "reden_stopzetting": "", "perspectief": ""}
OPEN = {"einddatum": "", "reden_stopzetting": "", "perspectief": ""}


def csv_bytes(rows: list[dict], sep: str = ";", bom: bool = False, columns=COLUMNS) -> bytes:
    def cell(value: str) -> str:
        return f'"{value}"' if sep in value or '"' in value else value
    lines = [sep.join(columns)] + [sep.join(cell(r.get(c, "")) for c in columns) for r in rows]
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def three_clients() -> list[dict]:
    """3 clients, 4 periods: A and B (a closed and an open period each), C (no period)."""
    return [
        line(oud_volgnummer="A-1", naam=f"{CANARY} A"),
        line(oud_volgnummer="A-1", naam=f"{CANARY} A", uren="12,5", startdatum="2023-03-01", **OPEN),
        line(oud_volgnummer="B-2", naam=f"{CANARY} B", geboortedatum="1990-02-01",
             startdatum="01/09/2019", einddatum="31/08/2020"),
        line(oud_volgnummer="B-2", naam=f"{CANARY} B", geboortedatum="1990-02-01", uren="8.5",
             startdatum="01/09/2024", **OPEN),
        line(oud_volgnummer="C-3", naam="", geboortedatum="02/11/1998", **NO_PERIOD),
    ]


@pytest.fixture
def org(make_org):
    org_id, email = make_org(name="Importorganisatie", region="limburg")
    return {"id": org_id, "email": email}


def invoke(app, path, email, *extra):
    return app.test_cli_runner().invoke(args=["import-legacy", str(path), "--org", email, *extra])


def write(tmp_path, data: bytes, name="oud.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (session.scalar(select(func.count()).select_from(Client)),
                session.scalar(select(func.count()).select_from(Period)))


def clients_of(app, org_id) -> list[tuple]:
    """(nr, old_nr, name, [(start, end, hours)]) per client, by nr."""
    with app.app_context():
        org = session.get(Organisation, org_id)
        rows = session.scalars(select(Client).where(Client.organisation_id == org_id)
                               .order_by(Client.nr)).all()
        return [(c.nr, c.old_nr, names.of_client(org, c),
                 [(p.start_date, p.end_date, p.hours) for p in c.periods]) for c in rows]


def import_events(app) -> list[dict]:
    with app.app_context():
        events = session.scalars(select(AuditEvent).where(AuditEvent.kind == "import")
                                 .order_by(AuditEvent.id)).all()
        return [json.loads(e.details) | {"organisation_id": e.organisation_id} for e in events]


# --- the command ----------------------------------------------------------------------------

def test_valid_file_imports_clients_and_periods(app, org, tmp_path):
    path = write(tmp_path, csv_bytes(three_clients()))
    result = invoke(app, path, org["email"])
    assert result.exit_code == 0, result.output
    assert "3 cliënt(en) en 4 periode(s)" in result.output
    rows = clients_of(app, org["id"])
    assert [(nr, old) for nr, old, _, _ in rows] == [(1, "A-1"), (2, "B-2"), (3, "C-3")]
    assert [name for _, _, name, _ in rows] == [f"{CANARY} A", f"{CANARY} B", ""]
    assert rows[0][3] == [(date(2021, 1, 4), date(2022, 6, 30), Decimal("16")),
                          (date(2023, 3, 1), None, Decimal("12.5"))]
    assert rows[1][3] == [(date(2019, 9, 1), date(2020, 8, 31), Decimal("16")),
                          (date(2024, 9, 1), None, Decimal("8.5"))]
    assert rows[2][3] == []
    with app.app_context():  # the name is stored encrypted, never in clear
        blob = session.scalar(select(Client.name_enc).where(Client.old_nr == "A-1"))
        assert CANARY.encode() not in blob
        first = session.scalar(select(Client).where(Client.old_nr == "A-1"))
        assert first.created_at.date() == date(2021, 1, 4)  # registered at its first period
        assert first.geslacht == first_code("geslacht")
    events = import_events(app)
    assert events == [{"clients": 3, "periods": 4, "skipped": 0, "dry_run": False, "errors": 0,
                       "organisation_id": org["id"]}]
    assert CANARY not in result.output


def test_names_are_readable_on_the_organisation_client_page(app, org, tmp_path):
    assert invoke(app, write(tmp_path, csv_bytes(three_clients())), org["email"]).exit_code == 0
    c = app.test_client()
    login(c, org["email"])
    page = text(c.get("/clienten/1"))
    assert f"{CANARY} A" in page and "A-1" in page
    assert "04/01/2021" in page and "01/03/2023" in page
    assert f"{CANARY} B" in text(c.get("/dashboard"))


def test_numbers_continue_after_existing_clients(app, org, tmp_path):
    c = app.test_client()
    login(c, org["email"])
    assert add_client(c) == 1
    assert invoke(app, write(tmp_path, csv_bytes(three_clients())), org["email"]).exit_code == 0
    assert [nr for nr, *_ in clients_of(app, org["id"])] == [1, 2, 3, 4]


def test_several_bad_rows_write_nothing_and_are_all_reported(app, org, tmp_path):
    rows = [
        line(oud_volgnummer="A-1"),                                         # 2 ok
        line(oud_volgnummer="A-1", geslacht="vrouw", startdatum="2023-01-01", **OPEN),  # 3 disagrees
        line(oud_volgnummer="B-2", geboortedatum="31/02/1980"),             # 4 no such date
        line(oud_volgnummer="C-3", burgerlijke_staat="verloofd"),           # 5 unknown choice
        line(oud_volgnummer="D-4", uren="40"),                              # 6 too many hours
        line(oud_volgnummer="E-5", startdatum="2022-01-01", einddatum="2021-01-01"),  # 7 end < start
        line(oud_volgnummer="F-6", startdatum="2020-01-01", einddatum="2021-12-31"),  # 8
        line(oud_volgnummer="F-6", startdatum="2021-06-01", einddatum="2022-06-30"),  # 9 overlaps 8
        line(oud_volgnummer="", naam=CANARY),                               # 10 no old number
        line(oud_volgnummer="G-7", postcode_woonplaats="123"),              # 11 bad postcode
        line(oud_volgnummer="H-8", geboortedatum="01/01/2015"),             # 12 too young
        line(oud_volgnummer="I-9", reden_stopzetting=""),                   # 13 end without reason
        line(oud_volgnummer="J-10", uren="12,25"),                          # 14 not a half hour
        line(oud_volgnummer="K-11", naam=CANARY, **NO_PERIOD),              # 15
        line(oud_volgnummer="K-11", naam=CANARY + " bis", **NO_PERIOD),     # 16 name differs, 2 lines
    ]
    path = write(tmp_path, csv_bytes(rows))
    result = invoke(app, path, org["email"])
    assert result.exit_code == 1
    out = result.output
    expected = [
        ("regel 3, veld geslacht", "Verschilt van regel 2"),
        ("regel 4, veld geboortedatum", "Geef een geldige datum in"),
        ("regel 5, veld burgerlijke_staat", "Onbekende keuze"),
        ("regel 6, veld uren", "tussen 0,5 en 38"),
        ("regel 7, veld einddatum", "niet voor de startdatum"),
        ("regel 9, veld startdatum", "pas starten na het einde van de vorige periode (31/12/2021)"),
        ("regel 10, veld oud_volgnummer", "verplicht bij een import"),
        ("regel 11, veld postcode_woonplaats", "Belgische postcode"),
        ("regel 12, veld geboortedatum", "minstens 15 jaar"),
        ("regel 13, veld reden_stopzetting", "Kies de reden van stopzetting"),
        ("regel 14, veld uren", "stappen van 0,5"),
        ("regel 15, veld startdatum", "Een cliënt zonder periode staat op één regel"),
        ("regel 16, veld naam", "Verschilt van regel 15"),
    ]
    for where, reason in expected:
        assert any(ln.startswith(where) and reason in ln for ln in out.splitlines()), (where, out)
    for ok in ("regel 2,", "regel 8,"):
        assert ok not in out
    assert "er werd niets geïmporteerd" in out
    assert CANARY not in out
    assert counts(app) == (0, 0)
    with app.app_context():
        assert session.scalar(select(Organisation.last_client_nr)
                              .where(Organisation.id == org["id"])) == 0
    assert import_events(app)[0]["clients"] == 0 and import_events(app)[0]["errors"] >= 12


def test_report_is_a_list_of_line_field_reason(ctx):
    rows = [line(oud_volgnummer="A-1", uren="abc"), line(oud_volgnummer="B-2", startdatum="")]
    plans, problems = legacy_import.parse(csv_bytes(rows), book(), date.today())
    assert plans == []
    assert [(p.line, p.field) for p in problems] == [(2, "uren"), (3, "startdatum")]
    assert problems[0].reason == "Geef een getal in, bv. 16 of 16,5."
    assert problems[1].reason == "Dit veld is verplicht."
    assert str(problems[0]) == "regel 2, veld uren: Geef een getal in, bv. 16 of 16,5."


def test_period_rules_over_a_clients_periods_in_start_order(ctx):
    today = date(2026, 6, 1)
    ok = [line(oud_volgnummer="A", startdatum="2024-01-01", **OPEN),      # listed first, starts last
          line(oud_volgnummer="A", startdatum="2022-01-01", einddatum="2023-12-31")]
    plans, problems = legacy_import.parse(csv_bytes(ok), book(), today)
    assert problems == [] and [p.line for p in plans[0].periods] == [3, 2]
    two_open = [line(oud_volgnummer="A", startdatum="2022-01-01", **OPEN),
                line(oud_volgnummer="A", startdatum="2024-01-01", **OPEN)]
    _, problems = legacy_import.parse(csv_bytes(two_open), book(), today)
    assert [(p.line, p.field) for p in problems] == [(3, "einddatum")]
    assert "lopende periode" in problems[0].reason
    far = [line(oud_volgnummer="A", startdatum="2027-07-01", **OPEN)]
    _, problems = legacy_import.parse(csv_bytes(far), book(), today)
    assert [(p.line, p.field) for p in problems] == [(2, "startdatum")]
    # an open period and a later one: they overlap
    overlap = [line(oud_volgnummer="A", startdatum="2020-01-01", **OPEN),
               line(oud_volgnummer="A", startdatum="2021-01-01", einddatum="2021-06-30")]
    _, problems = legacy_import.parse(csv_bytes(overlap), book(), today)
    assert [(p.line, p.field) for p in problems] == [(3, "startdatum")]
    assert "overlapt met een andere periode (01/01/2020 – lopend)" in problems[0].reason
    # the age is checked at registration, the start of the first period (16 then)
    young = [line(oud_volgnummer="A", geboortedatum="2005-01-01", startdatum="2021-06-01", **OPEN)]
    assert legacy_import.parse(csv_bytes(young), book(), today)[1] == []
    too_young = [line(oud_volgnummer="A", geboortedatum="2008-01-01", startdatum="2021-06-01", **OPEN)]
    _, problems = legacy_import.parse(csv_bytes(too_young), book(), today)
    assert [(p.line, p.field) for p in problems] == [(2, "geboortedatum")]


def test_header_problems_are_reported_without_echoing_data(ctx):
    columns = [c for c in COLUMNS if c != "methodiek"] + ["extra"]
    _, problems = legacy_import.parse(csv_bytes([line()], columns=columns), book(), date.today())
    assert {(p.line, p.field) for p in problems} == {(1, "methodiek"), (1, f"kolom {len(COLUMNS)}")}
    # a file without a header: its first (data) line is not repeated in the report
    data = csv_bytes([line(naam=CANARY)]).split(b"\r\n", 1)[1]
    _, problems = legacy_import.parse(data, book(), date.today())
    assert [(p.line, p.field) for p in problems] == [(1, "kopregel")]
    assert CANARY not in str(problems)
    _, problems = legacy_import.parse(b"", book(), date.today())
    assert problems and problems[0].line == 1
    _, problems = legacy_import.parse(b"\xff\xfeo\x00u\x00d\x00", book(), date.today())
    assert problems[0].field == "bestand" and "UTF-8" in problems[0].reason
    short = csv_bytes([line()]) + b"A;B;C\r\n"
    _, problems = legacy_import.parse(short, book(), date.today())
    assert [(p.line, p.field) for p in problems] == [(3, "regel")]


def bad_row(i: int) -> dict:
    """A line with its own oud_volgnummer and 'x' in every other column: wrong in most of them."""
    return {**{c: "x" for c in COLUMNS}, "oud_volgnummer": f"X{i}"}


def bad_file(n: int, first: list[dict] = ()) -> bytes:
    return csv_bytes([*first, *(bad_row(i) for i in range(n))])


def nl(n: int) -> str:
    """20000 → '20.000', as the report writes counts."""
    return f"{n:,}".replace(",", ".")


MB5 = 5 * 1024 * 1024  # the stated upload limit


def test_report_keeps_the_first_200_problems_and_counts_the_rest(ctx):
    today = date.today()
    one = legacy_import.parse(bad_file(1), book(), today)[1]
    per_line = len(one)
    assert per_line >= 15
    _, problems = legacy_import.parse(bad_file(500), book(), today)
    assert len(problems) == 200
    assert problems.total == 500 * per_line and problems.more == 500 * per_line - 200
    assert one.total == per_line and one.more == 0
    # the first 200 in file order, each line's problems in column order as in a short file
    assert problems[:per_line] == list(one)
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert problems[-1].line == 2 + 200 // per_line
    # a problem found only after every line was read (the age, checked over all of a client's
    # lines) on line 2 is still the first one listed
    young = line(oud_volgnummer="Y", geboortedatum="2015-01-01")
    _, problems = legacy_import.parse(bad_file(500, [young]), book(), today)
    assert (problems[0].line, problems[0].field) == (2, "geboortedatum")
    assert "minstens 15 jaar" in problems[0].reason
    assert len(problems) == 200 and problems.total == 500 * per_line + 1


def test_files_over_the_size_or_line_limit_are_refused_before_reading(ctx):
    refused = ("Het bestand heeft 20.001 regels (zonder de kopregel): hoogstens 20.000. "
               "Splits het in kleinere bestanden.")
    _, problems = legacy_import.parse(bad_file(20_001), book(), date.today())
    assert [(p.line, p.field, p.reason) for p in problems] == [(1, "bestand", refused)]
    _, problems = legacy_import.parse(csv_bytes([line()]) + b" " * MB5, book(), date.today())
    assert [(p.line, p.field) for p in problems] == [(1, "bestand")]
    assert problems[0].reason == "Het bestand is te groot: hoogstens 5 MB. Splits het in kleinere bestanden."
    # the limit itself is allowed; lines ended by a lone \r (old Mac files) count as well
    assert legacy_import.size_error(bad_file(20_000)) is None
    assert legacy_import.size_error(bad_file(20_001).replace(b"\r\n", b"\r")) == refused


def test_reimport_duplicates_nothing(app, org, tmp_path):
    path = write(tmp_path, csv_bytes(three_clients()))
    assert invoke(app, path, org["email"]).exit_code == 0
    again = invoke(app, path, org["email"])
    assert again.exit_code == 0, again.output
    assert "0 cliënt(en) en 0 periode(s); 3 overgeslagen" in again.output
    assert "regel 2: al geïmporteerd" in again.output and "regel 6: al geïmporteerd" in again.output
    assert counts(app) == (3, 4)
    # a file with one more client only adds that one
    rows = three_clients() + [line(oud_volgnummer="D-4")]
    more = invoke(app, write(tmp_path, csv_bytes(rows), "meer.csv"), org["email"])
    assert more.exit_code == 0 and "1 cliënt(en) en 1 periode(s); 3 overgeslagen" in more.output
    assert [nr for nr, *_ in clients_of(app, org["id"])] == [1, 2, 3, 4]
    assert import_events(app)[1]["skipped"] == 3


def test_same_old_numbers_in_another_organisation_are_imported(app, org, make_org, tmp_path):
    path = write(tmp_path, csv_bytes(three_clients()))
    _, other = make_org(name="Andere")
    assert invoke(app, path, org["email"]).exit_code == 0
    result = invoke(app, path, other)
    assert result.exit_code == 0 and "3 cliënt(en)" in result.output
    assert counts(app) == (6, 8)


@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize("bom", [True, False])
def test_separator_and_bom_variants(app, org, tmp_path, sep, bom):
    data = csv_bytes(three_clients(), sep=sep, bom=bom)
    assert data.startswith(b"\xef\xbb\xbf") == bom
    result = invoke(app, write(tmp_path, data), org["email"])
    assert result.exit_code == 0, result.output
    rows = clients_of(app, org["id"])
    assert [old for _, old, _, _ in rows] == ["A-1", "B-2", "C-3"]
    assert rows[0][3][1][2] == Decimal("12.5")


def test_labels_instead_of_codes(app, org, tmp_path):
    by_label = {name: f"  {label_of(name, first_code(name, 1)).upper()} " for name in CLIENT_CODE_FIELDS}
    rows = [line(oud_volgnummer="L-1", **by_label,
                 reden_stopzetting=label_of("reden_stopzetting", first_code("reden_stopzetting", 2)),
                 perspectief=first_code("perspectief", 3).upper())]
    result = invoke(app, write(tmp_path, csv_bytes(rows, sep=",")), org["email"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        client = session.scalar(select(Client).where(Client.old_nr == "L-1"))
        for name in CLIENT_CODE_FIELDS:
            assert getattr(client, name) == first_code(name, 1), name
        assert client.periods[0].reden_stopzetting == first_code("reden_stopzetting", 2)
        assert client.periods[0].perspectief == first_code("perspectief", 3)


def test_retired_options_are_accepted(app, org, tmp_path):
    with app.app_context():
        option = session.scalar(select(CodeOption).join(CodeList).where(
            CodeList.name == "verwijzer", CodeOption.code == first_code("verwijzer", 2)))
        option.retired = True
        session.commit()
        label = option.label
    rows = [line(oud_volgnummer="R-1", verwijzer=label)]
    result = invoke(app, write(tmp_path, csv_bytes(rows)), org["email"])
    assert result.exit_code == 0, result.output


def test_dry_run_writes_nothing(app, org, tmp_path):
    result = invoke(app, write(tmp_path, csv_bytes(three_clients())), org["email"], "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 cliënt(en) en 4 periode(s) zouden geïmporteerd worden; 0 overgeslagen" in result.output
    assert counts(app) == (0, 0)
    with app.app_context():
        assert session.get(Organisation, org["id"]).last_client_nr == 0
    assert import_events(app)[0]["dry_run"] is True


def test_docs_example_file_imports_cleanly(app, org):
    raw = EXAMPLE.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]
    dry = invoke(app, EXAMPLE, org["email"], "--dry-run")
    assert dry.exit_code == 0, dry.output
    result = invoke(app, EXAMPLE, org["email"])
    assert result.exit_code == 0, result.output
    assert "3 cliënt(en) en 5 periode(s)" in result.output
    rows = clients_of(app, org["id"])
    assert len(rows) == 3 and sum(len(r[3]) for r in rows) == 5
    # both codes and labels are used in the example
    text_ = raw.decode("utf-8-sig")
    assert "Ongehuwd" in text_ and ";ongehuwd;" in text_


def test_cli_exit_codes(app, org, tmp_path):
    good = write(tmp_path, csv_bytes(three_clients()), "good.csv")
    bad = write(tmp_path, csv_bytes([line(uren="99")]), "bad.csv")
    assert invoke(app, bad, org["email"], "--dry-run").exit_code == 1
    assert invoke(app, bad, org["email"]).exit_code == 1
    assert invoke(app, good, org["email"], "--dry-run").exit_code == 0
    unknown = invoke(app, good, "nobody@example.be")
    assert unknown.exit_code == 1 and "geen organisatie" in unknown.output
    assert invoke(app, tmp_path / "missing.csv", org["email"]).exit_code == 2
    assert invoke(app, good, org["email"]).exit_code == 0
    assert counts(app) == (3, 4)


def test_cli_report_is_bounded_and_a_too_large_file_is_not_read(app, org, tmp_path):
    result = invoke(app, write(tmp_path, bad_file(500)), org["email"], "--dry-run")
    assert result.exit_code == 1
    out = result.output.splitlines()
    problems = [ln for ln in out if ln.startswith("regel ")]
    assert len(problems) == 200 and problems[0].startswith("regel 2, veld ")
    total = import_events(app)[-1]["errors"]
    assert total > 500 and f"… en {nl(total - 200)} meer" in out
    assert f"{nl(total)} fout(en) in het bestand" in result.output
    big = write(tmp_path, csv_bytes([line()]) + b" " * MB5, "groot.csv")
    result = invoke(app, big, org["email"])
    assert result.exit_code == 1 and "hoogstens 5 MB" in result.output
    assert counts(app) == (0, 0)


def test_commands_are_registered(app):
    assert {"import-legacy", "purge-names"} <= set(app.cli.list_commands(None))


# --- the beheer upload ----------------------------------------------------------------------

@pytest.fixture
def beheer(app, org, make_admin):
    c = app.test_client()
    login(c, make_admin("limburg"))
    return c


def upload(c, org_id, data: bytes, name="oud.csv"):
    return c.post(f"/beheer/organisaties/{org_id}/import",
                  data={"bestand": (BytesIO(data), name)}, content_type="multipart/form-data")


def token_of(page: str) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def pending_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_beheer_upload_dry_run_then_confirm(app, org, beheer):
    page = beheer.get(f"/beheer/organisaties/{org['id']}/import")
    assert page.status_code == 200 and "Bestand controleren" in text(page)
    r = upload(beheer, org["id"], csv_bytes(three_clients(), bom=True))
    assert r.status_code == 200
    body = text(r)
    assert "Bevestig de import" in body and "Resultaat van de controle" in body
    assert counts(app) == (0, 0)  # the first step writes nothing
    files = pending_files(app)
    assert len(files) == 1 and files[0].suffix == ".csv"
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert CANARY.encode() not in files[0].read_bytes()  # kept sealed
    token = token_of(body)
    assert files[0].name == f"{token}.csv"
    done = beheer.post(f"/beheer/organisaties/{org['id']}/import", data={"token": token})
    assert done.status_code == 302 and done.location.endswith(f"/beheer/organisaties/{org['id']}")
    assert counts(app) == (3, 4)
    assert pending_files(app) == []
    landing = text(beheer.get(done.location))
    assert "Import voltooid: 3 cliënt(en) en 4 begeleidingsperiode(s)" in landing
    assert CANARY not in landing
    # the same confirmation again imports nothing
    again = beheer.post(f"/beheer/organisaties/{org['id']}/import", data={"token": token},
                        follow_redirects=True)
    assert "verlopen of werd al gebruikt" in text(again)
    assert counts(app) == (3, 4)
    events = import_events(app)
    assert [e["dry_run"] for e in events] == [True, False]
    with app.app_context():
        actors = session.scalars(select(AuditEvent.actor).where(AuditEvent.kind == "import")).all()
        assert all(a and a.startswith("admin-") for a in actors)
    # a second upload of the same file: everything skipped, nothing to confirm
    r = upload(beheer, org["id"], csv_bytes(three_clients(), bom=True))
    assert "Bevestig de import" not in text(r) and "niets nieuws te importeren" in text(r)
    assert pending_files(app) == []


def test_beheer_report_lists_errors_and_never_names(app, org, beheer):
    rows = [line(oud_volgnummer="A-1", naam=CANARY, uren="99"),
            line(oud_volgnummer="A-1", naam=CANARY + " anders", startdatum="2023-01-01", **OPEN),
            line(oud_volgnummer="B-2", naam="x" * 201),
            line(oud_volgnummer="", naam=CANARY)]
    r = upload(beheer, org["id"], csv_bytes(rows))
    body = text(r)
    assert r.status_code == 200 and "Bevestig de import" not in body
    assert "er werd niets geïmporteerd" in body.lower()
    cells = re.findall(r'<td class="num"[^>]*>(\d+)</td><td[^>]*><code>(\w+)</code>', body)
    for needle in (("2", "uren"), ("3", "naam"), ("4", "naam"), ("5", "oud_volgnummer")):
        assert needle in cells, needle
    assert CANARY not in body and "x" * 201 not in body
    assert pending_files(app) == [] and counts(app) == (0, 0)
    # a valid file: the report (counts) does not show the names either
    r = upload(beheer, org["id"], csv_bytes(three_clients()))
    assert "Bevestig de import" in text(r) and CANARY not in text(r)


def test_provinciebeheerder_of_another_region_gets_404(app, org, make_admin):
    c = app.test_client()
    login(c, make_admin("antwerpen"))
    url = f"/beheer/organisaties/{org['id']}/import"
    assert c.get(url).status_code == 404
    assert upload(c, org["id"], csv_bytes(three_clients())).status_code == 404
    assert c.post(url, data={"token": "a" * 43}).status_code == 404
    assert counts(app) == (0, 0) and import_events(app) == []
    sup = app.test_client()
    login(sup, make_admin(None))
    assert sup.get(url).status_code == 200


def test_organisation_login_cannot_use_the_beheer_import(app, org):
    c = app.test_client()
    login(c, org["email"])
    assert c.get(f"/beheer/organisaties/{org['id']}/import").status_code in (403, 404)


def test_confirm_token_is_bound_to_organisation_and_expires(app, org, beheer, make_org):
    other_id, _ = make_org(name="Buur", region="limburg")
    token = token_of(text(upload(beheer, org["id"], csv_bytes(three_clients()))))
    # posted on another organisation: refused, and the kept file is gone
    r = beheer.post(f"/beheer/organisaties/{other_id}/import", data={"token": token})
    assert r.status_code == 302 and counts(app) == (0, 0) and pending_files(app) == []
    # older than an hour: refused and deleted
    token = token_of(text(upload(beheer, org["id"], csv_bytes(three_clients()))))
    old = time.time() - 3700
    os.utime(pending_files(app)[0], (old, old))
    r = beheer.post(f"/beheer/organisaties/{org['id']}/import", data={"token": token},
                    follow_redirects=True)
    assert "verlopen" in text(r) and counts(app) == (0, 0) and pending_files(app) == []
    # path tricks are not accepted as a token
    r = beheer.post(f"/beheer/organisaties/{org['id']}/import", data={"token": "../../master.key"})
    assert r.status_code == 302 and counts(app) == (0, 0)
    assert (Path(app.instance_path)).exists()


def test_stale_kept_files_are_swept(app, org, beheer):
    upload(beheer, org["id"], csv_bytes(three_clients()))
    old = time.time() - 3700
    os.utime(pending_files(app)[0], (old, old))
    beheer.get(f"/beheer/organisaties/{org['id']}/import")
    assert pending_files(app) == []


def test_another_beheerder_cannot_confirm_my_check(app, org, beheer, make_admin):
    token = token_of(text(upload(beheer, org["id"], csv_bytes(three_clients()))))
    other = app.test_client()
    login(other, make_admin("limburg"))
    other.post(f"/beheer/organisaties/{org['id']}/import", data={"token": token})
    assert counts(app) == (0, 0)


def test_beheer_refuses_a_file_of_100000_bad_lines_at_once(app, org, beheer):
    """The 4.9 MB file of bad lines that took a minute, a 375 MB page and gigabytes: under the
    upload limit, so the line count refuses it, with the reason on the upload field."""
    data = bad_file(100_000)
    assert 4_900_000 < len(data) < MB5
    r = upload(beheer, org["id"], data)
    body = text(r)
    assert r.status_code == 200 and len(r.data) < 1_000_000
    error = re.search(r'<p class="error" id="bestand-error">([^<]*)</p>', body)
    assert error and error.group(1) == ("Het bestand heeft 100.000 regels (zonder de kopregel): "
                                        "hoogstens 20.000. Splits het in kleinere bestanden.")
    assert "Resultaat van de controle" not in body
    assert counts(app) == (0, 0) and pending_files(app) == []


def test_beheer_report_of_the_largest_file_of_bad_lines_is_bounded(app, org, beheer):
    n = 20_000  # the most lines a file may have
    with app.app_context():
        per_line = len(legacy_import.parse(bad_file(1), book(), date.today())[1])
    r = upload(beheer, org["id"], bad_file(n))
    body = text(r)
    assert r.status_code == 200 and len(r.data) < 1_000_000
    listed = re.findall(r'<tr><td class="num"[^>]*>(\d+)</td><td[^>]*><code>', body)
    assert len(listed) == 200 and listed[0] == "2"
    total = n * per_line
    assert f"Het bestand bevat {nl(total)} fouten" in body
    assert f"… en {nl(total - 200)} meer" in body
    assert import_events(app)[-1]["errors"] == total
    assert "Bevestig de import" not in body and counts(app) == (0, 0)


def test_beheer_upload_over_the_size_limit_gets_the_message_on_the_field(app, org, beheer,
                                                                          make_admin):
    data = csv_bytes([line()]) + b" " * MB5
    r = upload(beheer, org["id"], data)
    body = text(r)
    assert r.status_code == 413
    error = re.search(r'<p class="error" id="bestand-error">([^<]*)</p>', body)
    assert error and error.group(1) == ("Het bestand is te groot: hoogstens 5 MB. "
                                        "Splits het in kleinere bestanden.")
    assert "Bestand controleren" in body and counts(app) == (0, 0)
    # the page is still only for beheerders of the organisation's region
    other = app.test_client()
    login(other, make_admin("antwerpen"))
    assert upload(other, org["id"], data).status_code == 404
    assert upload(app.test_client(), org["id"], data).status_code in (302, 401)
