"""flask --app wsgi <command>: upgrade-db, create-admin, create-org, seed-demo, serve, …"""

import click
from flask import current_app
from flask.cli import with_appcontext

from . import codelists, keys, migrate
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
    seeded = migrate.prepare()
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
    if current_app.config["REQUIRE_2FA_BEHEER"]:
        click.echo("The beheerder sets up two-step verification at the first login "
                   "(REQUIRE_2FA_BEHEER).")


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
    from .demo import login_facts, seed_demo
    logins = seed_demo(n_orgs, n_clients)
    session.commit()
    if logins["existed"]:
        click.echo("Demo-gegevens bestonden al (een eerdere run); er werd niets aangemaakt of "
                   "gewijzigd. Zoals ze nu in de database staan:")
    else:
        click.echo(f"Demo-gegevens aangemaakt ({logins['created']} organisaties).")
    click.echo(f"Demo-logins (wachtwoord: {logins['password']})")
    facts = login_facts([email for _, email in logins["accounts"]])
    for role, email in logins["accounts"]:
        if role == "…":
            click.echo(f"  {email}")
        elif email in facts:
            click.echo(f"  {email:<42} {facts[email]}")
        else:
            click.echo(f"  {email:<42} bestaat niet meer")
    if current_app.config["REQUIRE_2FA_BEHEER"]:
        click.echo("Beheerders stellen bij hun eerste aanmelding tweestapsverificatie in "
                   "(REQUIRE_2FA_BEHEER=1).")
    else:
        click.echo("Tweestapsverificatie voor beheerders staat uit in deze demo "
                   "(REQUIRE_2FA_BEHEER=0).")


@click.command("rotate-keys")
@with_appcontext
@click.option("--new-key", help="the new master key (base64 of 32 bytes); default: a fresh one")
def rotate_keys_command(new_key):
    """Re-wrap all data keys under a new master key (the current one is the old key).

    One transaction re-wraps every data key and replaces the check value; running processes see
    the new check value (see app/keys.py). With the key file the new key is written next to it
    before the commit and renamed over it after, so there is no moment without a key that opens
    the database.
    """
    from . import audit, crypto
    new = crypto.decode_key(new_key) if new_key else crypto.AESGCM.generate_key(bit_length=256)
    from_file = not current_app.config.get("MASTER_KEY")
    key_path = crypto.master_key_path(current_app.instance_path)
    pending = keys.pending_key_path(key_path)
    with keys.rotation_lock(current_app.instance_path):
        if from_file and pending.exists() and pending.read_text().strip() == crypto.encode_key(
                keys.master_key()):
            pending.replace(key_path)  # an earlier run committed but stopped before the rename
        if new == keys.master_key():
            raise click.ClickException("the new key is the same as the current one")
        try:
            count = keys.rotate(new)  # locks the check value first
            if from_file:
                crypto.write_key_file(pending, new)  # written before the commit, renamed after it
            audit.record("key_rotation", actor="cli", organisations=count)
            session.commit()
        except crypto.MasterKeyError as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from exc
        except Exception:
            session.rollback()
            if from_file:
                _settle_pending_key(pending, key_path, new)
            raise
        keys.adopt(new)
        if from_file:
            pending.replace(key_path)
    if from_file:
        click.echo(f"Re-wrapped {count} data keys; the new master key is in {key_path}. "
                   "Back it up now: the old key no longer opens this database. Running processes "
                   "load it by themselves.")
    else:
        click.echo(f"Re-wrapped {count} data keys. Set MASTER_KEY to the new key below and restart "
                   "every process; until then they refuse to show or store names (503). The old "
                   "key no longer opens this database.")
        click.echo(crypto.encode_key(new))


def _settle_pending_key(pending, key_path, new: bytes) -> None:
    """After a failed commit: the new key file goes only if the database did not take the key
    (a commit can succeed and still report an error); when that cannot be told, it stays."""
    from . import crypto
    try:
        check = keys.stored_check()
        session.rollback()
    except Exception:  # noqa: BLE001 - the database is away: keep the file, say so
        click.echo(f"Could not tell whether the rotation was committed; {pending} is kept. "
                   "Start the app: it uses whichever key opens the database.", err=True)
        return
    if check is not None and crypto.verify_check_value(new, check):
        pending.replace(key_path)
    else:
        pending.unlink(missing_ok=True)


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


# the headers nginx sets (docs/nginx-example.conf); the same ones ProxyFix reads in create_app()
PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"})


def waitress_proxy_options(trusted_proxies: int) -> dict:
    """waitress's own proxy settings for TRUSTED_PROXIES reverse proxies in front.

    waitress removes X-Forwarded-* from a peer it does not trust before the app sees them, so
    without these settings ProxyFix never gets the client's address. With TRUSTED_PROXIES > 0 any
    peer is trusted ('*': waitress accepts one address or all, and the proxy is often on another
    host), which is why the app must then be reachable only through the proxy (listen on loopback
    or a private address). waitress keeps the last TRUSTED_PROXIES entries of each header, so
    ProxyFix computes the same address and scheme again. With 0 the headers are dropped.
    """
    if trusted_proxies <= 0:
        return {"clear_untrusted_proxy_headers": True}
    return {"trusted_proxy": "*", "trusted_proxy_count": trusted_proxies,
            "trusted_proxy_headers": set(PROXY_HEADERS), "clear_untrusted_proxy_headers": True}


@click.command("serve")
@click.option("--listen", default=None, help="HOST:PORT to serve on [default: the HOST and PORT "
              "settings, 127.0.0.1:8000]")
@click.option("--threads", default=8, show_default=True, help="waitress worker threads")
def serve_command(listen, threads):
    """Serve the app with waitress (proxy headers trusted as TRUSTED_PROXIES says)."""
    import waitress

    from .beheer import tally_store
    app = current_app._get_current_object()
    listen = listen or f"{app.config['HOST']}:{app.config['PORT']}"
    tally_store.warm_on_first_request(app)
    waitress.serve(app, listen=listen, threads=threads,
                   **waitress_proxy_options(app.config["TRUSTED_PROXIES"]))


def init_app(app) -> None:
    for command in (upgrade_db_command, create_admin_command, create_org_command,
                    seed_demo_command, rotate_keys_command, backup_command, serve_command):
        app.cli.add_command(command)
    from .cli_import import register
    register(app)
