"""app.db.all_rows: a statement's rows in one step of SQLite (one JSON value), the same rows and
values as executing it, in the order of its row_position column (on PostgreSQL: executed)."""

from datetime import date

import pytest
from helpers import client_values
from sqlalchemy import (
    Date,
    Integer,
    LargeBinary,
    Numeric,
    String,
    literal,
    null,
    select,
    union_all,
)
from support import recorded_statements

from app.clients import services
from app.db import all_rows, row_position, session
from app.models import Organisation

ROWS = [
    (3, "Zoë \"x\" \\ ' <b>", b"\x00\xff\x10binary", date(2024, 2, 29), None),
    (1, None, None, None, 7),
    (2, "", b"", date(1999, 12, 31), 0),
    (4, "日本語 tab\there", b"\x01", date(2026, 1, 1), -5),
]


def _table():
    """The rows as a subquery (UNION ALL of one-row selects: SQLite has no VALUES aliases)."""
    kinds = (("n", Integer), ("s", String), ("b", LargeBinary), ("d", Date), ("i", Integer))
    return union_all(*[select(*[literal(value, kind).label(name) if value is not None
                                else null().cast(kind).label(name)
                                for value, (name, kind) in zip(row, kinds, strict=True)])
                       for row in ROWS]).subquery("v")


def test_the_same_values_of_every_kind_in_the_position_order(ctx):
    v = _table()
    connection = session.connection()
    ascending = select(v.c.n, v.c.s, v.c.b, v.c.d, v.c.i, row_position(v.c.n))
    got = all_rows(connection, ascending, {})
    expected = sorted(ROWS)
    assert got == expected
    # the position decides the order, not the statement's ORDER BY
    descending = (select(v.c.n, v.c.s, v.c.b, v.c.d, v.c.i, row_position(v.c.n.desc()))
                  .order_by(v.c.n))
    assert all_rows(connection, descending, {}) == expected[::-1]
    # no rows: an empty list
    assert all_rows(connection, ascending.where(v.c.n > 99), {}) == []


def test_one_statement_for_the_dashboard_rows_on_sqlite(app, org_client):
    """The dashboard's page of clients comes packed (json_group_array) on SQLite: one step of
    the engine for the 50 rows instead of 50 (fewer hand-offs of the GIL between threads)."""
    with app.app_context():
        org = session.get(Organisation, org_client.org_id)
        for i in range(1, 13):
            services.create_client(org, client_values(old_nr=f"O-{i}"), None)
        session.commit()
        dialect = session.get_bind().dialect.name
    with recorded_statements(app) as statements:
        page = org_client.get("/dashboard?tab=actief").get_data(as_text=True)
    packed = [s for s in statements if "json_group_array" in s]
    assert len(packed) == (1 if dialect == "sqlite" else 0)
    for i in range(1, 13):
        assert f">O-{i}</td>" in page


def test_a_column_it_cannot_carry_is_refused(ctx):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("only the packed path (SQLite) reads the columns' types")
    x = literal(1, Numeric).label("x")
    with pytest.raises(TypeError):
        all_rows(session.connection(), select(x, row_position(x)), {})


def test_the_last_column_must_be_the_position(ctx):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("only the packed path (SQLite) reads the columns' types")
    v = _table()
    with pytest.raises(ValueError):
        all_rows(session.connection(), select(v.c.n, v.c.s), {})
