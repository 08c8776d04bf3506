"""flask --app wsgi <command>: upgrade-db, create-admin, create-org, seed-demo, …"""

import click
from flask import current_app
from flask.cli import with_appcontext

from . import codelists, dataversion, keys, migrate
from .accounts import AccountError, create_admin, create_organisation
from .db import session


def _region(code: str):
    region = codelists.region_by_code(code)
    if region is None:
        valid = ", ".join(c for c, _ in codelists.REGIONS)
        raise click.BadParameter(f"unknown region '{code}' (use one of: {valid})")
    return region


@click.command("upgrade-db")
@with_appcontext
def upgrade_db_command():
    """Apply all migrations and seed regions and code lists into an empty database."""
    migrate.upgrade()
    seeded = codelists.seed()
    keys.ensure_check_value()
    dataversion.ensure()
    session.commit()
    click.echo("Database is up to date" + (" (regions and code lists seeded)." if seeded else "."))


@click.command("create-admin")
@with_appcontext
@click.argument("email")
@click.option("--region", "region_code", help="region code for a provinciebeheerder")
@click.option("--all", "all_regions", is_flag=True, help="a superbeheerder (all regions)")
@click.option("--password", help="set this password instead of sending an invitation")
@click.option("--name", help="contact name shown on /contact")
@click.option("--phone", help="contact phone shown on /contact")
@click.option("--organisation", help="organisation shown on /contact")
@click.option("--contact-email", help="e-mail shown on /contact (default: none; never the login address)")
def create_admin_command(email, region_code, all_regions, password, name, phone, organisation,
                         contact_email):
    """Create a beheerder: --region CODE (provinciebeheerder) or --all (superbeheerder)."""
    if bool(region_code) == bool(all_regions):
        raise click.UsageError("give exactly one of --region CODE or --all")
    region = None if all_regions else _region(region_code)
    try:
        account, sent = create_admin(email, region, password, name=name, phone=phone,
                                     organisation=organisation, contact_email=contact_email)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    _report(account.email, password, sent)


@click.command("create-org")
@with_appcontext
@click.argument("name")
@click.option("--email", required=True)
@click.option("--region", "region_code", required=True)
@click.option("--password", help="set this password instead of sending an invitation")
def create_org_command(name, email, region_code, password):
    """Create an organisation with its login."""
    region = _region(region_code)
    try:
        org, sent = create_organisation(name, email, region, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    _report(email.strip().lower(), password, sent)


def _report(email: str, password: str | None, sent) -> None:
    if password:
        click.echo(f"Created {email} with the given password.")
    elif sent:
        where = current_app.config.get("MAIL_SERVER") or "instance/mail/"
        click.echo(f"Created {email}; invitation sent ({where}).")
    else:
        raise click.ClickException(f"Created {email}, but the invitation mail could not be sent; "
                                   "check MAIL_SERVER and resend it from /beheer.")


@click.command("seed-demo")
@with_appcontext
@click.option("--organisations", "n_orgs", default=3, show_default=True)
@click.option("--clients", "n_clients", default=180, show_default=True)
def seed_demo_command(n_orgs, n_clients):
    """Fill the database with realistic fake data and print the demo logins."""
    from .demo import seed_demo
    logins = seed_demo(n_orgs, n_clients)
    click.echo(f"Demo logins (password for all: {logins['password']})")
    for role, email in logins["accounts"]:
        click.echo(f"  {role:<32} {email}")


@click.command("rotate-keys")
@with_appcontext
@click.option("--new-key", help="the new master key (base64 of 32 bytes); default: a fresh one")
def rotate_keys_command(new_key):
    """Re-wrap all data keys under a new master key (the current one is the old key)."""
    from pathlib import Path

    from . import audit, crypto
    new = crypto.decode_key(new_key) if new_key else crypto.AESGCM.generate_key(bit_length=256)
    if new == keys.master_key():
        raise click.ClickException("the new key is the same as the current one")
    from_file = not current_app.config.get("MASTER_KEY")
    key_path = crypto.master_key_path(current_app.instance_path)
    pending = Path(str(key_path) + ".new")
    if from_file:
        crypto.write_key_file(pending, new)  # written before the commit, renamed after it
    try:
        count = keys.rotate(new)
        audit.record("key_rotation", actor="cli", organisations=count)
        session.commit()
    except Exception:
        session.rollback()
        pending.unlink(missing_ok=True)
        raise
    current_app.extensions["master_key"] = new
    current_app.extensions["data_keys"].clear()
    if from_file:
        pending.replace(key_path)
        click.echo(f"Re-wrapped {count} data keys; the new master key is in {key_path}. "
                   "Back it up now: the old key no longer opens this database.")
    else:
        click.echo(f"Re-wrapped {count} data keys. Set MASTER_KEY to the new key below before the "
                   "next start; the old key no longer opens this database.")
        click.echo(crypto.encode_key(new))


@click.command("backup")
@click.argument("path")
@with_appcontext
def backup_command(path):
    """Write a consistent copy of the database to PATH (the master key is not included)."""
    from .backup import backup
    try:
        written = backup(path)
    except (RuntimeError, OSError) as exc:
        raise click.ClickException(f"backup failed: {exc}") from exc
    click.echo(f"Backup written to {written}. Keep the master key in a separate, safe place: "
               "without it the client names in this backup cannot be read.")


def init_app(app) -> None:
    for command in (upgrade_db_command, create_admin_command, create_org_command,
                    seed_demo_command, rotate_keys_command, backup_command):
        app.cli.add_command(command)
    from .cli_import import register
    register(app)
