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
            create_organisation(name, email, by_code[region_code], DEMO_PASSWORD)
    session.commit()
    return {"password": DEMO_PASSWORD, "accounts": accounts}
