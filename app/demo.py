"""Demo data for `make run` and the benchmark: beheerders, organisations and fake clients."""

import random

from sqlalchemy import select

from . import audit, codelists, dataversion, keys
from .accounts import create_admin
from .auth.passwords import hash_password
from .db import session
from .models import Account, Organisation, utcnow

DEMO_PASSWORD = "demo-wachtwoord-2026"
DEMO_ORGS = (
    ("De Werkplaats vzw", "antwerpen"),
    ("Groene Handen", "limburg"),
    ("Atelier Samen", "oost-vlaanderen"),
    ("Kringloop De Brug", "vlaams-brabant"),
    ("Het Tuinhuis", "west-vlaanderen"),
    ("Brussels Werkatelier", "brussel"),
)


LARGE_ORG_CLIENTS = 2000  # with many organisations, the first one is large (benchmark)


def _org_email(i: int) -> str:
    return f"organisatie{i + 1}@demo.arbeidszorg.be"


def _shares(n_orgs: int, n_clients: int) -> list[int]:
    """Clients per organisation: even, except one large organisation when there are many."""
    if n_orgs > 10 and n_clients > LARGE_ORG_CLIENTS * 2:
        rest = n_clients - LARGE_ORG_CLIENTS
        return [LARGE_ORG_CLIENTS] + [rest // (n_orgs - 1) + (1 if i < rest % (n_orgs - 1) else 0)
                                      for i in range(n_orgs - 1)]
    return [n_clients // n_orgs + (1 if i < n_clients % n_orgs else 0) for i in range(n_orgs)]


def _demo_org(name: str, email: str, region, password_hash: str) -> Organisation:
    """An organisation with its login, cheaply (one shared password hash for the demo)."""
    org = Organisation(name=name, region_id=region.id, public_name=name,
                       municipality=region.name, show_public=True)
    session.add(org)
    session.flush()
    keys.give_data_key(org)
    session.add(Account(email=email, kind="org", organisation_id=org.id, is_main=True,
                        password_hash=password_hash, password_changed_at=utcnow()))
    return org


def seed_demo(n_orgs: int = 3, n_clients: int = 30) -> dict:
    """Create (once) the demo beheerders, organisations and clients; return the logins."""
    rng = random.Random(2026)
    accounts = [("superbeheerder", "super@demo.arbeidszorg.be")]
    exists = session.scalar(select(Account.id).where(Account.email == accounts[0][1]))
    regions = codelists.regions()
    if exists is None:
        create_admin(accounts[0][1], None, DEMO_PASSWORD, name="Ronde Tafel Arbeidszorg")
    for region in regions:
        email = f"beheer-{region.code}@demo.arbeidszorg.be"
        accounts.append((f"provinciebeheerder {region.name}", email))
        if exists is None:
            create_admin(email, region, DEMO_PASSWORD, organisation=f"Steunpunt {region.name}",
                         name=f"Beheerder {region.name}", phone="011/00.00.00")
    password_hash = hash_password(DEMO_PASSWORD)
    known = set(session.scalars(select(Account.email).where(Account.kind == "org")))
    created = 0
    for i, share in enumerate(_shares(n_orgs, n_clients)):
        name, _ = DEMO_ORGS[i % len(DEMO_ORGS)]
        region = regions[i % len(regions)] if i >= len(DEMO_ORGS) else \
            next(r for r in regions if r.code == DEMO_ORGS[i][1])
        if i >= len(DEMO_ORGS):
            name = f"{name} {i + 1}"
        email = _org_email(i)
        if i < 10:
            accounts.append((f"organisatie {name} ({share} cliënten)", email))
        if email in known:
            continue
        org = _demo_org(name, email, region, password_hash)
        if share:
            generate_clients(org, share, rng)
        created += 1
        if created % 50 == 0:
            session.commit()
    if created:
        audit.record("organisation_created", actor="seed-demo", organisations=created)
    session.commit()
    if n_orgs > 10:
        accounts.append(("…", f"en {n_orgs - 10} organisaties meer (organisatieN@demo.arbeidszorg.be)"))
    return {"password": DEMO_PASSWORD, "accounts": accounts,
            "existed": exists is not None and created == 0, "created": created}


def login_facts(emails: list[str]) -> dict[str, str]:
    """What is true now of each demo login (an earlier run's data may have been changed in the
    app): e-mail -> a Dutch description, e.g. "organisatie Groene Handen (12 cliënten)" with
    "wachtwoord gewijzigd" or "gedeactiveerd" when the demo password no longer gets it in.
    A login that no longer exists is left out."""
    from sqlalchemy import func

    from .auth import passwords
    from .models import Client

    accounts = {a.email: a for a in session.scalars(select(Account).where(Account.email.in_(emails)))}
    org_ids = [a.organisation_id for a in accounts.values() if a.organisation_id]
    counts = dict(session.execute(select(Client.organisation_id, func.count()).where(
        Client.organisation_id.in_(org_ids)).group_by(Client.organisation_id)).all())
    opens: dict[str | None, bool] = {}  # password hash -> the demo password opens it
    facts = {}
    for email in emails:
        account = accounts.get(email)
        if account is None:
            continue
        if account.kind == "org":
            n = counts.get(account.organisation_id, 0)
            what = f"organisatie {account.organisation.name} ({n} {'cliënt' if n == 1 else 'cliënten'})"
        elif account.is_super:
            what = "superbeheerder"
        else:
            what = f"provinciebeheerder {account.region.name if account.region else ''}".strip()
        if account.password_hash not in opens:
            opens[account.password_hash] = passwords.verify(account.password_hash, DEMO_PASSWORD)
        notes = []
        if not account.active or (account.organisation and not account.organisation.active):
            notes.append("gedeactiveerd")
        elif not opens[account.password_hash]:
            notes.append("wachtwoord gewijzigd: het demo-wachtwoord werkt niet meer")
        if account.has_2fa:
            notes.append("met tweestapsverificatie")
        facts[email] = what + (f" — {', '.join(notes)}" if notes else "")
    return facts


FIRST_NAMES = ("An", "Bart", "Chloë", "Dirk", "Els", "Fatima", "Geert", "Hanne", "Ilse", "Jonas",
               "Karim", "Lien", "Mohamed", "Nele", "Olivier", "Pieter", "Rani", "Sofie", "Tom",
               "Yasmine", "Wout", "Zeynep", "Lotte", "Koen", "Marie", "Youssef", "Eva", "Jef")
POSTCODES = ("1000", "1500", "1501", "1800", "2000", "2018", "2300", "2800", "3000", "3500",
             "3600", "3800", "8000", "8500", "8800", "9000", "9100", "9300", "9700", "buitenland")


KNOWN_WEIGHTS = {"man": 60, "vrouw": 39, "x": 1}  # gender: roughly as in the yearly reports


def _weighted(rng, options: list[str]) -> str:
    """Earlier options are more common, like real registrations (gender as in real data)."""
    if all(o in KNOWN_WEIGHTS for o in options):
        weights = [KNOWN_WEIGHTS[o] for o in options]
    else:
        weights = [1.0 / (i + 1.5) for i in range(len(options))]
    return rng.choices(options, weights)[0]


def generate_clients(org, count: int, rng, start_nr: int | None = None) -> int:
    """Bulk-insert `count` fake clients with periods for an organisation; return periods made."""
    from datetime import date, timedelta
    from decimal import Decimal

    from sqlalchemy import insert, select

    from . import crypto, keys
    from .codelists import book
    from .models import CLIENT_CODE_FIELDS, Client, Period

    codes = {name: [c for c, _ in book().choices(name)] for name in
             (*CLIENT_CODE_FIELDS, "reden_stopzetting", "perspectief")}
    data_key = keys.data_key(org)
    first = (org.last_client_nr if start_nr is None else start_nr) + 1
    today = date.today()
    clients, plans = [], []
    for nr in range(first, first + count):
        start = date(2015, 1, 1) + timedelta(days=rng.randrange(0, (today - date(2015, 1, 1)).days))
        birth = start - timedelta(days=int(365.25 * rng.triangular(18, 66, 35)) + rng.randrange(365))
        row = {name: _weighted(rng, codes[name]) for name in CLIENT_CODE_FIELDS}
        name = f"{rng.choice(FIRST_NAMES)} {chr(65 + rng.randrange(26))}."
        row.update(organisation_id=org.id, nr=nr,
                   old_nr=str(rng.randrange(1, 5000)) if rng.random() < 0.4 else None,
                   name_enc=crypto.encrypt_name(data_key, org.id, nr, name) if rng.random() < 0.8 else None,
                   birth_date=birth, postcode_woonplaats=rng.choice(POSTCODES),
                   postcode_tewerkstelling=rng.choice(POSTCODES[:-1]))
        clients.append(row)
        plans.append(start)
    session.execute(insert(Client), clients)
    org.last_client_nr = first + count - 1
    ids = dict(session.execute(select(Client.nr, Client.id).where(
        Client.organisation_id == org.id, Client.nr >= first)).all())
    periods = []
    for nr, start in zip(range(first, first + count), plans, strict=True):
        n = rng.choices((1, 2, 3, 4), (30, 30, 25, 15))[0]
        for i in range(n):
            length = timedelta(days=rng.randrange(30, 900))
            end = start + length
            is_last = i == n - 1
            if end >= today or (is_last and rng.random() < 0.45):
                end = None
            hours = Decimal(rng.choice((4, 8, 12, 16, 16, 20, 24, 30, 38))) + (
                Decimal("0.5") if rng.random() < 0.1 else 0)
            periods.append({
                "client_id": ids[nr], "hours": min(hours, Decimal(38)), "start_date": start,
                "end_date": end,
                "reden_stopzetting": _weighted(rng, codes["reden_stopzetting"]) if end else None,
                "perspectief": _weighted(rng, codes["perspectief"]) if end else None})
            if end is None:
                break
            start = end + timedelta(days=rng.randrange(30, 400))
            if start > today:
                break
    if periods:
        session.execute(insert(Period), periods)
        from .clients.services import refresh_last_periods
        refresh_last_periods(org.id)
    dataversion.bump()
    return len(periods)
