"""Valid form data for clients and periods, built from the seeded code lists."""

import itertools
import json
from datetime import date, timedelta
from pathlib import Path

from app.models import CLIENT_CODE_FIELDS

LISTS = json.loads((Path(__file__).resolve().parent.parent / "app/data/codelists.json")
                   .read_text(encoding="utf-8"))["lists"]


def first_code(list_name: str, index: int = 0) -> str:
    return LISTS[list_name]["options"][index]["code"]


def label_of(list_name: str, code: str) -> str:
    return next(o["label"] for o in LISTS[list_name]["options"] if o["code"] == code)


def client_form(**overrides) -> dict:
    data = {name: first_code(name) for name in CLIENT_CODE_FIELDS}
    data.update(oud_volgnummer="", naam="", geboortedatum="1985-06-13",
                postcode_woonplaats="3500", postcode_tewerkstelling="3500")
    data.update(overrides)
    return data


def client_values(**overrides) -> dict:
    """Model values for services.create_client."""
    from datetime import date
    values = {name: first_code(name) for name in CLIENT_CODE_FIELDS}
    values.update(old_nr=None, birth_date=date(1985, 6, 13), postcode_woonplaats="3500",
                  postcode_tewerkstelling="3500")
    values.update(overrides)
    return values


_distinct = itertools.count()


def add_client(client, **overrides) -> int:
    """Create a client through the form (HTTP); return its volgnummer.

    Without a given birth date each client gets a different one (no duplicate warning).
    """
    if "geboortedatum" not in overrides:
        overrides["geboortedatum"] = (date(1970, 1, 1) + timedelta(days=next(_distinct))).isoformat()
    r = client.post("/clienten/nieuw", data=client_form(**overrides))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return int(r.location.split("/clienten/")[1].split("/")[0])


def add_period(client, nr: int, **fields):
    data = {"uren": "16", "startdatum": "2024-06-03", "einddatum": "",
            "reden_stopzetting": "", "perspectief": ""}
    data.update(fields)
    return client.post(f"/clienten/{nr}/periodes/nieuw", data=data)
