"""Code-list management for the superbeheerder: add, rename, reorder, retire and restore options.

Codes never change once created: records store the code, so renaming a label, moving an option
or retiring it never touches existing records. Every change is written to the audit log; the
caller commits.
"""

import re
import unicodedata
from dataclasses import dataclass

from flask import abort
from sqlalchemy import case, func, select

from .. import audit
from ..db import session
from ..models import CodeList, CodeOption

CODE_PATTERN = re.compile(r"^[a-z0-9_]{1,64}$")
CODE_MAX = 64
LABEL_MAX = 300
LADDER_MIN, LADDER_MAX = 1, 6


@dataclass(frozen=True)
class ListSummary:
    name: str
    title: str
    active: int
    retired: int


def overview() -> list[ListSummary]:
    """Every code list with its number of active and retired options (one query)."""
    retired = case((CodeOption.retired.is_(True), 1), else_=0)
    rows = session.execute(
        select(CodeList.name, CodeList.title, func.count(CodeOption.id), func.sum(retired))
        .outerjoin(CodeOption, CodeOption.list_id == CodeList.id)
        .group_by(CodeList.id, CodeList.name, CodeList.title)
        .order_by(CodeList.id)).all()
    return [ListSummary(name, title, total - int(n_retired or 0), int(n_retired or 0))
            for name, title, total, n_retired in rows]


def get_list(name: str, for_update: bool = False) -> CodeList:
    """A code list by name, or 404. for_update locks it (PostgreSQL) so changes to one list
    are serialised; SQLite already serialises writers (BEGIN IMMEDIATE)."""
    query = select(CodeList).where(CodeList.name == name)
    if for_update:
        query = query.with_for_update()
    code_list = session.scalar(query)
    if code_list is None:
        abort(404)
    return code_list


def options(code_list: CodeList) -> list[CodeOption]:
    """The options of a list in their display order."""
    return list(session.scalars(select(CodeOption).where(CodeOption.list_id == code_list.id)
                                .order_by(CodeOption.position, CodeOption.id)))


def get_option(code_list: CodeList, option_id: int) -> CodeOption:
    """An option of this list, or 404 (also for an option of another list)."""
    option = session.get(CodeOption, option_id)
    if option is None or option.list_id != code_list.id:
        abort(404)
    return option


def has_ladder(opts: list[CodeOption]) -> bool:
    return any(o.ladder is not None for o in opts)


# --- validation helpers (used by the forms) ----------------------------------------------------

def label_conflict(code_list: CodeList, label: str, exclude_id: int | None = None) -> str | None:
    """A Dutch message when another option of the list already has this label (any case)."""
    wanted = label.strip().casefold()
    for opt in options(code_list):
        if opt.id != exclude_id and opt.label.strip().casefold() == wanted:
            if opt.retired:
                return ("Er bestaat al een optie met deze omschrijving die niet meer aangeboden "
                        "wordt. Herstel die optie in plaats van een nieuwe toe te voegen.")
            return "Er bestaat al een optie met deze omschrijving in deze lijst."
    return None


def code_exists(code_list: CodeList, code: str) -> bool:
    return session.scalar(select(CodeOption.id).where(
        CodeOption.list_id == code_list.id, CodeOption.code == code)) is not None


def slugify(label: str) -> str:
    """A lower-case ascii code made from a label ('Zorg & welzijn' -> 'zorg_welzijn')."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return slug[:CODE_MAX].rstrip("_") or "optie"


def generate_code(code_list: CodeList, label: str) -> str:
    """A code from the label that is not yet used in the list (suffix _2, _3, … when needed)."""
    base = slugify(label)
    taken = set(session.scalars(select(CodeOption.code).where(CodeOption.list_id == code_list.id)))
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"_{n}"
        candidate = base[:CODE_MAX - len(suffix)].rstrip("_") + suffix
        if candidate not in taken:
            return candidate
        n += 1


# --- changes -----------------------------------------------------------------------------------

def _record(code_list: CodeList, action: str, option: CodeOption, old_label, new_label) -> None:
    audit.record("codelist_changed", list=code_list.name, action=action, code=option.code,
                 old_label=old_label, new_label=new_label)


def add_option(code_list: CodeList, label: str, code: str | None, ladder: int | None = None
               ) -> CodeOption:
    """Append a new, active option at the end of the list. Labels and codes are validated by the
    form; a missing code is generated from the label."""
    label = label.strip()
    code = code or generate_code(code_list, label)
    last = session.scalar(select(func.max(CodeOption.position))
                          .where(CodeOption.list_id == code_list.id))
    option = CodeOption(list_id=code_list.id, code=code, label=label,
                        position=(last + 1) if last is not None else 0,
                        retired=False, ladder=ladder)
    session.add(option)
    session.flush()
    _record(code_list, "add", option, None, label)
    return option


def rename_option(code_list: CodeList, option: CodeOption, label: str) -> str | None:
    """Give an option a new label (its code stays); return the old label, or None if unchanged."""
    label = label.strip()
    old = option.label
    if label == old:
        return None
    option.label = label
    _record(code_list, "rename", option, old, label)
    return old


def move_option(code_list: CodeList, option: CodeOption, step: int) -> bool:
    """Move an option one place up (step -1) or down (+1); False when it is already at the edge.

    Positions are renumbered 0..n-1 so gaps or ties from earlier data do not matter.
    """
    opts = options(code_list)
    index = next(i for i, o in enumerate(opts) if o.id == option.id)
    target = index + step
    if target < 0 or target >= len(opts):
        return False
    opts[index], opts[target] = opts[target], opts[index]
    for position, opt in enumerate(opts):
        if opt.position != position:
            opt.position = position
    _record(code_list, "move_up" if step < 0 else "move_down", option, option.label, option.label)
    return True


def last_active(code_list: CodeList, option: CodeOption) -> bool:
    """Whether this is the only option of the list that is still offered."""
    return not option.retired and session.scalar(
        select(func.count(CodeOption.id)).where(CodeOption.list_id == code_list.id,
                                                CodeOption.retired.is_(False))) <= 1


def set_retired(code_list: CodeList, option: CodeOption, retired: bool) -> bool:
    """Retire (no longer offered on new forms) or restore an option; False if nothing changed."""
    if option.retired == retired:
        return False
    option.retired = retired
    _record(code_list, "retire" if retired else "restore", option, option.label, option.label)
    return True
