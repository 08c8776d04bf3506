"""The dashboard's table rows as HTML, built here instead of in Jinja.

Fifty rows through the template cost more than the rest of the page together (about ten escapes,
filter calls and attribute look-ups a row). Here a row is one f-string: Python compiles it into a
single join of its pieces, with no format-string parsing, keyword dict or Markup wrapping per
value (a third of the cost of `str.format` with keywords, which this replaced). Only the two
texts of a row (Nr (oud) and the name) come from users: both go through `escape`. The numbers
are ints and the dates digits and slashes, so they need no escaping; the links are built from
one url_for per link kind and page (app.urls.url_template), escaped once.

The markup is the same as a template would write (with the `data-label`s that stack the cells
at phone width, app.css): `_client_list.html` puts the result in the table's <tbody>.
"""

from markupsafe import Markup, escape

from ..formatting import date_nl
from ..urls import url_template


def _template(endpoint: str, *params: str) -> str:
    """url_template, HTML-escaped (for an attribute value); its %s placeholders stay."""
    return str(escape(url_template(endpoint, *params)))


def client_rows(rows) -> Markup:
    """The <tr> elements of the dashboard's client table (rows: services.Row)."""
    new_period = _template("clients.new_period", "nr")
    edit_period = _template("clients.edit_period", "nr", "period_id")
    client = _template("clients.client_info", "nr")
    out = []
    for row in rows:
        nr = row.nr
        if row.period_id is None:
            action = (f'<span class="mark">Nog geen begeleidingsperiode</span> '
                      f'<a href="{new_period % nr}">Periode toevoegen'
                      f'<span class="visually-hidden"> voor cliënt {nr}</span></a><br>')
        elif row.active:
            action = (f'<a href="{edit_period % (nr, row.period_id)}">Periode bewerken of afsluiten'
                      f'<span class="visually-hidden"> voor cliënt {nr}</span></a><br>')
        else:
            action = (f'<a href="{new_period % nr}">Nieuwe periode starten'
                      f'<span class="visually-hidden"> voor cliënt {nr}</span></a><br>')
        old = row.old_nr
        out.append(
            f'<tr><td data-label="Nr">{nr}</td>'
            f'<td data-label="Nr (oud)">{"" if old is None else escape(old)}</td>'
            f'<td data-label="Naam">{escape(row.name)}</td>'
            f'<td data-label="Startdatum">{date_nl(row.start)}</td>'
            f'<td data-label="Einddatum">{date_nl(row.end)}</td>'
            f'<td class="stack-actions">{action}<a href="{client % nr}">Cliëntinformatie'
            f'<span class="visually-hidden"> van cliënt {nr}</span></a></td></tr>\n')
    return Markup("".join(out))
