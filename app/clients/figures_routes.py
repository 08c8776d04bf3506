"""GET /cijfers?jaar= — the organisation's own yearly figures (SPEC §12 "Own figures").

The same sections as the beheerders' report (/beheer/statistieken), computed by the same code
(app/beheer/statistics.py) from an `OrganisationScope`: the organisation's own clients only.
"""

from flask_login import current_user

from ..beheer.report import report_page
from ..beheer.scope import OrganisationScope
from ..templating import render_around
from . import bp


@bp.route("/cijfers")
def figures():
    org = current_user.organisation
    page = report_page(OrganisationScope(org.id, org.region_id), None)
    return render_around("clients/figures.html", "report_html", page.html, organisation=org,
                         data=page.data, year=page.data.year, years=page.years)
