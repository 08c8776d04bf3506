"""The dashboard's table rows as HTML, built here instead of in Jinja.

Fifty rows through the template cost more than the rest of the page together (about ten escapes,
filter calls and attribute look-ups a row); one format string a row costs a tenth of that. Only
the two texts of a row (Nr (oud) and the name) come from users: both go through `escape`. The
numbers are ints and the dates digits and slashes, so they need no escaping; the links are built
from one url_for per link kind and page (app.urls.url_template), escaped once.

The markup is the same as a template would write (with the `data-label`s that stack the cells
at phone width, app.css): `_client_list.html` puts the result in the table's <tbody>.
"""

from markupsafe import Markup, escape

from ..formatting import date_nl
from ..urls import url_template

_ROW = ("<tr><td data-label=\"Nr\">{nr}</td><td data-label=\"Nr (oud)\">{old}</td>"
        "<td data-label=\"Naam\">{name}</td><td data-label=\"Startdatum\">{start}</td>"
        "<td data-label=\"Einddatum\">{end}</td>"
        "<td class=\"stack-actions\">{action}<a href=\"{client}\">Cliëntinformatie"
        "<span class=\"visually-hidden\"> van cliënt {nr}</span></a></td></tr>\n")
_ADD = ("<span class=\"mark\">Nog geen begeleidingsperiode</span> <a href=\"{url}\">Periode toevoegen"
        "<span class=\"visually-hidden\"> voor cliënt {nr}</span></a><br>")
_EDIT = ("<a href=\"{url}\">Periode bewerken of afsluiten"
         "<span class=\"visually-hidden\"> voor cliënt {nr}</span></a><br>")
_RESTART = ("<a href=\"{url}\">Nieuwe periode starten"
            "<span class=\"visually-hidden\"> voor cliënt {nr}</span></a><br>")


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
            action = _ADD.format(url=new_period % nr, nr=nr)
        elif row.active:
            action = _EDIT.format(url=edit_period % (nr, row.period_id), nr=nr)
        else:
            action = _RESTART.format(url=new_period % nr, nr=nr)
        out.append(_ROW.format(nr=nr, old=escape(row.old_nr or ""), name=escape(row.name),
                               start=date_nl(row.start), end=date_nl(row.end), action=action,
                               client=client % nr))
    return Markup("".join(out))
