"""The statistics test world: two regions, eight clients with known figures (shared by the
statistics and export tests)."""

from datetime import date
from decimal import Decimal

from helpers import client_values
from sqlalchemy import select

from app.clients import services
from app.db import session
from app.models import Client, CodeList, Organisation

CANARY = "ZZCANARY"

# Year 2025. Limburg (organisation "Atelier Hasselt"):
#   nr 1  man, born 1990, psychische: 2023-03-01..2025-02-28 (16 h, betaald werk, NEC: up),
#         then 2025-09-01..open (24 h)                       → active, started, stopped in 2025
#   nr 2  vrouw, born 2002, psychische: 2024-06-01..open (8 h) → active
#   nr 3  vrouw, born 1960, verstandelijke: 2022-01-10..2025-06-30 (32,5 h, arbeidszorg elders:
#         same)                                              → active, stopped
#   nr 4  man, born 1980: 2020-01-01..2024-12-31 (isolement: down, but in 2024) → only 2024
#   nr 5  no period at all                                   → nowhere
#   nr 6  period starting 2026-02-01                         → nowhere in 2025
#   nr 7  man, born 1975, autisme: 2025-03-01..2025-03-31 (10 h, dagbesteding: down)
#                                                            → active, started, stopped
# Antwerpen (organisation "Werkhuis Antwerpen"):
#   nr 1  man, born 1958: 2024-01-15..2025-12-31 (38 h, pensioen: no rung) → active, stopped
#   nr 2  x, born 1999: 2025-05-05..open (4 h)               → active, started


def add_period_values(client_id, start, end=None, hours=16, reden=None, perspectief=None):
    """A period added through the service, so the client's latest-period copy stays right."""
    services.add_period(session.get(Client, client_id), {
        "hours": Decimal(str(hours)), "start_date": start, "end_date": end,
        "reden_stopzetting": reden, "perspectief": perspectief})


def build_world(app, make_org, make_admin):
    limburg_id, limburg_email = make_org(name="Atelier Hasselt", region="limburg")
    antwerpen_id, _ = make_org(name="Werkhuis Antwerpen", region="antwerpen")
    with app.app_context():
        org = session.get(Organisation, limburg_id)
        c1 = services.create_client(org, client_values(
            geslacht="man", birth_date=date(1990, 5, 1), old_nr="=1+1",
            hoofdproblematiek="psychische_problematiek"), f"{CANARY} Eén")
        add_period_values(c1.id, date(2023, 3, 1), date(2025, 2, 28), 16, "doorstroom_betaald_werk",
                "betaald_werk_nec")
        add_period_values(c1.id, date(2025, 9, 1), None, 24)
        c2 = services.create_client(org, client_values(
            geslacht="vrouw", birth_date=date(2002, 1, 10), old_nr="@SUM(A1)",
            hoofdproblematiek="psychische_problematiek", methodiek="combinatie_van_werkvormen"),
            f"{CANARY} Twee")
        add_period_values(c2.id, date(2024, 6, 1), None, 8)
        c3 = services.create_client(org, client_values(
            geslacht="vrouw", birth_date=date(1960, 7, 15), old_nr="-5",
            hoofdproblematiek="verstandelijke_beperking"), None)
        add_period_values(c3.id, date(2022, 1, 10), date(2025, 6, 30), "32.5", "eigen_keuze_motivatie",
                "arbeidszorg_elders")
        c4 = services.create_client(org, client_values(geslacht="man", birth_date=date(1980, 2, 2)),
                                    None)
        add_period_values(c4.id, date(2020, 1, 1), date(2024, 12, 31), 20, "gezondheid_psychisch",
                "geen_activiteit_isolement")
        services.create_client(org, client_values(birth_date=date(1985, 1, 1)), "Zonder periode")
        c6 = services.create_client(org, client_values(birth_date=date(1970, 1, 1)), None)
        add_period_values(c6.id, date(2026, 2, 1), None, 12)
        c7 = services.create_client(org, client_values(
            geslacht="man", birth_date=date(1975, 3, 3), old_nr="A-7",
            hoofdproblematiek="autismespectrumstoornis"), None)
        add_period_values(c7.id, date(2025, 3, 1), date(2025, 3, 31), 10, "gezondheid_fysiek",
                "dagbesteding_of_zorgaanbod")

        org = session.get(Organisation, antwerpen_id)
        d1 = services.create_client(org, client_values(geslacht="man", birth_date=date(1958, 12, 31)),
                                    f"{CANARY} Drie")
        add_period_values(d1.id, date(2024, 1, 15), date(2025, 12, 31), 38, "pensioen", "pensioen")
        d2 = services.create_client(org, client_values(geslacht="x", birth_date=date(1999, 4, 4)),
                                    None)
        add_period_values(d2.id, date(2025, 5, 5), None, 4)

        # a retired option that is in use is still counted and shown; an unused one is not
        methodiek = session.scalar(select(CodeList).where(CodeList.name == "methodiek"))
        for option in methodiek.options:
            if option.code in ("combinatie_van_werkvormen", "andere"):
                option.retired = True
        session.commit()
    admins = {key: make_admin(region) for key, region in
              (("super", None), ("limburg", "limburg"), ("antwerpen", "antwerpen"))}
    return {"limburg": limburg_id, "antwerpen": antwerpen_id, "admins": admins,
            "limburg_email": limburg_email}
