"""Demo data for `make run` and the benchmark: beheerders, organisations and fake clients."""

from sqlalchemy import select

from . import codelists
from .accounts import create_admin, create_organisation
from .db import session
from .models import Account

DEMO_PASSWORD = "demo-wachtwoord-2026"
DEMO_ORGS = (
    ("De Werkplaats vzw", "antwerpen"),
    ("Groene Handen", "limburg"),
    ("Atelier Samen", "oost-vlaanderen"),
    ("Kringloop De Brug", "vlaams-brabant"),
    ("Het Tuinhuis", "west-vlaanderen"),
    ("Brussels Werkatelier", "brussel"),
)


def _org_email(i: int) -> str:
    return f"organisatie{i + 1}@demo.arbeidszorg.be"


def seed_demo(n_orgs: int = 3, n_clients: int = 30) -> dict:
    """Create (once) the demo beheerders and organisations; return the logins."""
    import random
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
    by_code = {r.code: r for r in regions}
    for i in range(n_orgs):
        name, region_code = DEMO_ORGS[i % len(DEMO_ORGS)]
        if i >= len(DEMO_ORGS):
            name = f"{name} {i + 1}"
        email = _org_email(i)
        accounts.append((f"organisatie {name}", email))
        if session.scalar(select(Account.id).where(Account.email == email)) is None:
            org, _ = create_organisation(name, email, by_code[region_code], DEMO_PASSWORD)
            share = n_clients // n_orgs + (1 if i < n_clients % n_orgs else 0)
            if share:
                generate_clients(org, share, rng)
            session.commit()
    session.commit()
    return {"password": DEMO_PASSWORD, "accounts": accounts}


FIRST_NAMES = ("An", "Bart", "Chloë", "Dirk", "Els", "Fatima", "Geert", "Hanne", "Ilse", "Jonas",
               "Karim", "Lien", "Mohamed", "Nele", "Olivier", "Pieter", "Rani", "Sofie", "Tom",
               "Yasmine", "Wout", "Zeynep", "Lotte", "Koen", "Marie", "Youssef", "Eva", "Jef")
POSTCODES = ("1000", "1500", "1501", "1800", "2000", "2018", "2300", "2800", "3000", "3500",
             "3600", "3800", "8000", "8500", "8800", "9000", "9100", "9300", "9700", "buitenland")


def _weighted(rng, options: list[str]) -> str:
    """Earlier options are more common, like real registrations."""
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
    return len(periods)
