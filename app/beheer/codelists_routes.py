"""Code-list management (/beheer/keuzelijsten): superbeheerders only.

Every change is a small POST form (CSRF) that records an audit event, commits, flashes a Dutch
message and redirects back (POST-redirect-GET). Invalid input re-renders the list page with the
message next to the field and saves nothing.
"""

from flask import flash, redirect, render_template, url_for

from ..db import session
from . import bp
from . import codelists_service as service
from .codelists_forms import AddOptionForm, RenameOptionForm
from .scope import superbeheerder_only


def _back(code_list, option=None):
    anchor = f"optie-{option.id}" if option is not None else None
    return redirect(url_for("beheer.codelist", name=code_list.name, _anchor=anchor))


def _render_list(code_list, add_form=None, rename_form=None, status=200):
    opts = service.options(code_list)
    with_ladder = service.has_ladder(opts)
    if add_form is None:
        add_form = AddOptionForm(code_list=code_list, with_ladder=with_ladder, formdata=None)
    return render_template("beheer/codelist.html", code_list=code_list, options=opts,
                           with_ladder=with_ladder, add_form=add_form, rename_form=rename_form,
                           ladder_range=(service.LADDER_MIN, service.LADDER_MAX)), status


@bp.route("/keuzelijsten")
@superbeheerder_only
def codelists():
    return render_template("beheer/codelists.html", lists=service.overview())


@bp.route("/keuzelijsten/<name>")
@superbeheerder_only
def codelist(name: str):
    return _render_list(service.get_list(name))


@bp.route("/keuzelijsten/<name>/nieuw", methods=["POST"])
@superbeheerder_only
def codelist_add(name: str):
    code_list = service.get_list(name, for_update=True)
    with_ladder = service.has_ladder(service.options(code_list))
    form = AddOptionForm(code_list=code_list, with_ladder=with_ladder)
    if not form.validate_on_submit():
        session.rollback()
        return _render_list(code_list, add_form=form)
    option = service.add_option(code_list, form.label.data, form.code.data or None,
                                form.ladder_value)
    session.commit()
    flash(f"De optie “{option.label}” (code {option.code}) werd toegevoegd aan de lijst "
          f"“{code_list.title}”.", "success")
    return _back(code_list, option)


def _option(name: str, option_id: int):
    """The code list (locked for the change) and one of its options, or 404."""
    code_list = service.get_list(name, for_update=True)
    return code_list, service.get_option(code_list, option_id)


def _outcome(code_list, option, changed: bool, unchanged: str, done: str, refused: bool = False):
    """Commit and confirm a change, or roll back and say why nothing changed; back to the option."""
    if changed:
        session.commit()
        flash(done, "success")
    else:
        session.rollback()
        flash(unchanged, "error" if refused else "info")
    return _back(code_list, option)


@bp.route("/keuzelijsten/<name>/<int:option_id>/label", methods=["POST"])
@superbeheerder_only
def codelist_rename(name: str, option_id: int):
    code_list, option = _option(name, option_id)
    form = RenameOptionForm(code_list=code_list, option=option)
    if not form.validate_on_submit():
        session.rollback()
        return _render_list(code_list, rename_form=form)
    old = service.rename_option(code_list, option, form.label.data)
    return _outcome(code_list, option, old is not None,
                    f"De omschrijving van “{option.label}” bleef ongewijzigd.",
                    f"De omschrijving “{old}” werd gewijzigd in “{option.label}”. De code "
                    f"({option.code}) en de bestaande registraties blijven dezelfde.")


def _move(name: str, option_id: int, step: int):
    code_list, option = _option(name, option_id)
    return _outcome(code_list, option, service.move_option(code_list, option, step),
                    f"“{option.label}” staat al {'bovenaan' if step < 0 else 'onderaan'} in de lijst.",
                    f"“{option.label}” werd een plaats {'omhoog' if step < 0 else 'omlaag'} geschoven.")


@bp.route("/keuzelijsten/<name>/<int:option_id>/omhoog", methods=["POST"])
@superbeheerder_only
def codelist_move_up(name: str, option_id: int):
    return _move(name, option_id, -1)


@bp.route("/keuzelijsten/<name>/<int:option_id>/omlaag", methods=["POST"])
@superbeheerder_only
def codelist_move_down(name: str, option_id: int):
    return _move(name, option_id, +1)


@bp.route("/keuzelijsten/<name>/<int:option_id>/uitfaseren", methods=["POST"])
@superbeheerder_only
def codelist_retire(name: str, option_id: int):
    code_list, option = _option(name, option_id)
    if option.retired:
        return _outcome(code_list, option, False,
                        f"“{option.label}” wordt al niet meer aangeboden.", "")
    if service.last_active(code_list, option):
        return _outcome(code_list, option, False,
                        f"“{option.label}” is de laatste optie die nog aangeboden wordt en kan niet "
                        "uitgefaseerd worden. Voeg eerst een andere optie toe of herstel er een.", "",
                        refused=True)
    service.set_retired(code_list, option, True)
    return _outcome(code_list, option, True, "",
                    f"“{option.label}” wordt niet meer aangeboden op nieuwe formulieren. Bestaande "
                    "registraties behouden deze optie.")


@bp.route("/keuzelijsten/<name>/<int:option_id>/herstellen", methods=["POST"])
@superbeheerder_only
def codelist_restore(name: str, option_id: int):
    code_list, option = _option(name, option_id)
    return _outcome(code_list, option, service.set_retired(code_list, option, False),
                    f"“{option.label}” wordt al aangeboden.",
                    f"“{option.label}” wordt opnieuw aangeboden op nieuwe formulieren.")
