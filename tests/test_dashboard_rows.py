"""The dashboard's table rows (built in Python, app/clients/rows_html.py): what each kind of
client shows and links to, and texts from users escaped."""

import re
from datetime import date, timedelta
from decimal import Decimal

from helpers import client_values

from app.clients import services
from app.db import session
from app.models import Organisation


def _client(app, org_id, name, old_nr=None, periods=()):
    with app.app_context():
        org = session.get(Organisation, org_id)
        client = services.create_client(org, client_values(old_nr=old_nr), name)
        for start, end in periods:
            services.add_period(client, {"hours": Decimal(10), "start_date": start, "end_date": end,
                                         "reden_stopzetting": "x" if end else None,
                                         "perspectief": "y" if end else None})
        session.commit()
        return client.nr, client.last_period_id


def _row(page: str, nr: int) -> str:
    match = re.search(rf"<tr><td[^>]*>{nr}</td>.*?</tr>", page, re.S)
    assert match, f"no row for client {nr}"
    row = match.group(0)
    # every cell carries its column name for the stacked phone layout (app.css)
    assert re.findall(r'<td data-label="([^"]*)"', row) == [
        "Nr", "Nr (oud)", "Naam", "Startdatum", "Einddatum"], row
    return re.sub(r' data-label="[^"]*"', "", row.replace(' class="stack-actions"', ""))


def test_a_row_shows_the_client_and_the_action_that_fits(app, org_client):
    today = date.today()
    running, running_period = _client(app, org_client.org_id, "Lopend", "OUD-1",
                                      [(today - timedelta(days=30), None)])
    waiting, _ = _client(app, org_client.org_id, "Zonder periode")
    ended, _ = _client(app, org_client.org_id, "Gestopt", None,
                       [(date(2020, 1, 6), date(2021, 3, 5))])

    active = org_client.get("/dashboard").get_data(as_text=True)
    row = _row(active, running)
    start = (today - timedelta(days=30)).strftime("%d/%m/%Y")
    assert f"<td>OUD-1</td><td>Lopend</td><td>{start}</td><td></td>" in row
    assert (f'<a href="/clienten/{running}/periodes/{running_period}/bewerken">Periode bewerken '
            f'of afsluiten<span class="visually-hidden"> voor cliënt {running}</span></a>') in row
    assert (f'<a href="/clienten/{running}">Cliëntinformatie<span class="visually-hidden"> van '
            f'cliënt {running}</span></a>') in row

    row = _row(active, waiting)
    assert "<td></td><td>Zonder periode</td><td></td><td></td>" in row
    assert '<span class="mark">Nog geen begeleidingsperiode</span>' in row
    assert f'<a href="/clienten/{waiting}/periodes/nieuw">Periode toevoegen' in row
    assert not re.search(rf"<tr><td[^>]*>{ended}</td>", active)

    inactive = org_client.get("/dashboard?tab=inactief").get_data(as_text=True)
    row = _row(inactive, ended)
    assert "<td>Gestopt</td><td>06/01/2020</td><td>05/03/2021</td>" in row
    assert f'<a href="/clienten/{ended}/periodes/nieuw">Nieuwe periode starten' in row
    assert "Nog geen begeleidingsperiode" not in row
    for nr in (ended,):  # every link of a row opens a page of this client
        for link in re.findall(r'href="([^"]+)"', row):
            assert org_client.get(link).status_code == 200, link
            assert f"/clienten/{nr}" in link


def test_names_and_old_numbers_are_escaped(app, org_client):
    """A name or old number that looks like markup is shown as text, on the full page and in the
    swapped list (htmx)."""
    nr, _ = _client(app, org_client.org_id, '<img src=x onerror="alert(1)"> & Co\'s', "<b>7</b>")
    for headers in ({}, {"HX-Request": "true"}):
        page = org_client.get("/dashboard", headers=headers).get_data(as_text=True)
        row = _row(page, nr)
        assert "<img" not in row and "<b>" not in row
        assert "<td>&lt;b&gt;7&lt;/b&gt;</td>" in row
        assert ("<td>&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; Co&#39;s</td>" in row)
