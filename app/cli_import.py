"""flask --app wsgi import-legacy FILE.csv --org EMAIL [--dry-run]; purge-names [--dry-run]."""

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from . import legacy_import, retention
from .db import session
from .models import Account


def _organisation(email: str):
    account = session.scalar(select(Account).where(
        Account.email == email.strip().lower(), Account.kind == "org"))
    if account is None or account.organisation is None:
        raise click.ClickException(f"geen organisatie met de login {email.strip().lower()}")
    return account.organisation


@click.command("import-legacy")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--org", "org_email", required=True, help="the organisation's login e-mail")
@click.option("--dry-run", is_flag=True, help="only check the file and report what would happen")
def import_legacy_command(file: Path, org_email: str, dry_run: bool):
    """Import clients and periods of one organisation from the old system's CSV export."""
    org = _organisation(org_email)
    if file.stat().st_size > legacy_import.MAX_BYTES:  # refused without reading it
        raise click.ClickException(legacy_import.TOO_LARGE)
    try:
        report = legacy_import.run(org, file.read_bytes(), dry_run=dry_run, actor="cli")
        session.commit()
    except Exception:
        session.rollback()
        raise
    for problem in report.errors:
        click.echo(str(problem))
    if report.errors.more:
        click.echo(f"… en {legacy_import.thousands(report.errors.more)} meer")
    skipped = report.skipped_problems()
    for problem in skipped[:legacy_import.MAX_LISTED]:
        click.echo(f"regel {problem.line}: {problem.reason}")
    if len(skipped) > legacy_import.MAX_LISTED:
        click.echo(f"… en {legacy_import.thousands(len(skipped) - legacy_import.MAX_LISTED)} meer")
    if report.errors:
        click.echo(f"{legacy_import.thousands(report.error_count)} fout(en) in het bestand: "
                   "er werd niets geïmporteerd.")
        raise SystemExit(1)
    if dry_run:
        click.echo(f"Proefimport (niets opgeslagen): {report.clients} cliënt(en) en "
                   f"{report.periods} periode(s) zouden geïmporteerd worden; "
                   f"{report.skipped} overgeslagen (al geïmporteerd).")
    else:
        click.echo(f"Geïmporteerd: {report.clients} cliënt(en) en {report.periods} periode(s); "
                   f"{report.skipped} overgeslagen (al geïmporteerd).")


@click.command("purge-names")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="only count the names that would be wiped")
def purge_names_command(dry_run: bool):
    """Wipe the names of clients whose last period ended more than RETENTION_YEARS ago."""
    try:
        count = retention.purge_names(dry_run=dry_run, actor="cli")
        session.commit()
    except Exception:
        session.rollback()
        raise
    if dry_run:
        click.echo(f"Proef (niets gewist): {count} naam/namen zouden gewist worden.")
    else:
        click.echo(f"{count} naam/namen gewist (bewaartermijn verstreken).")


def register(app) -> None:
    for command in (import_legacy_command, purge_names_command):
        app.cli.add_command(command)
