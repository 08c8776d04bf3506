"""The yearly statistics as a workbook (/beheer/statistieken.xlsx): sheets, headers, exact
values of the hand-built statistics world, percent formats, native charts, scope and audit."""

import io
import json

import openpyxl
import pytest
from sqlalchemy import select
from support import logged_in_client
from world import CANARY, build_world

from app.db import session
from app.models import AuditEvent


@pytest.fixture
def world(app, make_org, make_admin):
    return build_world(app, make_org, make_admin)


def _workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def test_smoke(app, world):
    c = logged_in_client(app, world["admins"]["limburg"])
    r = c.get("/beheer/statistieken.xlsx?jaar=2025")
    wb = _workbook(r)
    open("/tmp/wbx/s.xlsx", "wb").write(r.get_data())
    print(r.headers)
    for ws in wb.worksheets:
        print("==", ws.title, len(ws._charts))
        for row in ws.iter_rows(values_only=True):
            print(row)
