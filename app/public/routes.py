import logging
from dataclasses import dataclass

from flask import Response, redirect, render_template, request, url_for
from sqlalchemy import String, func, literal, or_, select, text
from sqlalchemy.exc import SQLAlchemyError

from .. import codelists, htmx
from ..clients.profile_forms import split_codes, url_error
from ..db import get_engine, session
from ..extensions import limiter
from ..models import Account, Organisation
from . import bp

log = logging.getLogger(__name__)

# Date of the accessibility statement (/toegankelijkheid); update it with every review.
ACCESSIBILITY_STATEMENT_DATE = ("2026-11-30", "30 november 2026")


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """200 ok when the database answers, 503 otherwise (plain text, no details)."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("healthz: database does not answer")
        return Response("database unavailable", status=503, mimetype="text/plain")
    return Response("ok", mimetype="text/plain")


@bp.route("/favicon.ico")
@limiter.exempt
def favicon():
    """Browsers ask for /favicon.ico on their own: the app's icon is an SVG (base.html links it)."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@dataclass(frozen=True)
class Tile:
    """What the public page shows of one organisation: its public profile, nothing else."""

    name: str
    street: str | None
    postcode: str | None
    municipality: str | None
    region: str
    werkvormen: list[str]
    description: str | None
    link: str | None
    link_kind: str | None  # "doeners", "website" or None


# Only the public profile columns: no login, no key material, never anything about clients.
_TILE_COLUMNS = (Organisation.name, Organisation.public_name, Organisation.street,
                 Organisation.postcode, Organisation.municipality, Organisation.region_id,
                 Organisation.website, Organisation.doeners_url, Organisation.description,
                 Organisation.werkvormen)


def _tile(row, region_names: dict[int, str], book: codelists.CodeBook) -> Tile:
    link, kind = None, None
    if row.doeners_url and url_error(row.doeners_url, doeners=True) is None:
        link, kind = row.doeners_url, "doeners"
    elif row.website and url_error(row.website) is None:
        link, kind = row.website, "website"
    return Tile(name=(row.public_name or "").strip() or row.name, street=row.street,
                postcode=row.postcode, municipality=row.municipality,
                region=region_names.get(row.region_id, ""),
                werkvormen=[book.label("werkvorm", c) for c in split_codes(row.werkvormen)],
                description=row.description, link=link, link_kind=kind)


@bp.route("/arbeidszorginitiatieven")
def initiatives():
    """The organisations that chose to be shown, filtered by region and werkvorm."""
    book = codelists.book()
    regions = codelists.regions()
    region = next((r for r in regions if r.code == request.args.get("regio")), None)
    werkvorm = request.args.get("werkvorm", "")
    if not book.has("werkvorm", werkvorm, allow_retired=True):
        werkvorm = ""
    stmt = select(*_TILE_COLUMNS).where(Organisation.active.is_(True),
                                        Organisation.show_public.is_(True))
    if region is not None:
        stmt = stmt.where(Organisation.region_id == region.id)
    if werkvorm:
        codes = (literal(",", String) + func.coalesce(Organisation.werkvormen, "")
                 + literal(",", String))
        stmt = stmt.where(codes.contains(f",{werkvorm},", autoescape=True))
    region_names = {r.id: r.name for r in regions}
    tiles = sorted((_tile(row, region_names, book) for row in session.execute(stmt)),
                   key=lambda t: (t.name.casefold(), t.region))
    werkvormen = book.choices("werkvorm", keep=werkvorm or None)
    return htmx.render("public/initiatives.html", "public/_tiles.html", tiles=tiles,
                       regions=regions, region=region, werkvormen=werkvormen, werkvorm=werkvorm)


@bp.route("/contact")
def contact():
    """Per region the active provinciebeheerders with their contact details.

    Only the contact fields are read: a beheerder's login address is never shown (SPEC §11),
    so a beheerder without a contact e-mail is listed without one.
    """
    regions = codelists.regions()
    filled = [func.coalesce(func.trim(column), "") != "" for column in (
        Account.contact_name, Account.contact_organisation, Account.contact_email)]
    rows = session.execute(
        select(Account.region_id, func.nullif(func.trim(Account.contact_email), "").label("email"),
               Account.contact_organisation, Account.contact_name, Account.contact_phone)
        .where(Account.kind == "admin", Account.is_super.is_(False), Account.active.is_(True),
               Account.region_id.is_not(None), or_(*filled))
        .order_by(func.coalesce(Account.contact_organisation, ""),
                  func.coalesce(Account.contact_name, ""), Account.id)).all()
    per_region: dict[int, list] = {r.id: [] for r in regions}
    for row in rows:
        per_region.setdefault(row.region_id, []).append(row)
    return render_template("public/contact.html",
                           sections=[(r, per_region[r.id]) for r in regions])


@bp.route("/help", endpoint="help")
def help_page():
    return render_template("public/help.html")


@bp.route("/toegankelijkheid")
def accessibility():
    iso, text_nl = ACCESSIBILITY_STATEMENT_DATE
    return render_template("public/accessibility.html", statement_iso=iso, statement_date=text_nl)
