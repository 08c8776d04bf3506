"""Code lists: seeding from app/data/codelists.json, choices for forms, labels for display."""

import json
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, g
from sqlalchemy import select

from . import dataversion
from .db import session
from .models import CodeList, CodeOption, Region

SEED_FILE = Path(__file__).resolve().parent / "data" / "codelists.json"

REGIONS = (
    ("antwerpen", "Antwerpen"),
    ("limburg", "Limburg"),
    ("oost-vlaanderen", "Oost-Vlaanderen"),
    ("vlaams-brabant", "Vlaams-Brabant"),
    ("west-vlaanderen", "West-Vlaanderen"),
    ("brussel", "Brussel"),
)


def seed() -> bool:
    """Seed regions and code lists into an empty database; return whether anything was added."""
    added = False
    if session.scalar(select(Region.id).limit(1)) is None:
        for pos, (code, name) in enumerate(REGIONS):
            session.add(Region(code=code, name=name, position=pos))
        added = True
    if session.scalar(select(CodeList.id).limit(1)) is None:
        data = json.loads(SEED_FILE.read_text(encoding="utf-8"))["lists"]
        for name, spec in data.items():
            code_list = CodeList(name=name, title=spec["title"])
            session.add(code_list)
            for pos, opt in enumerate(spec["options"]):
                code_list.options.append(CodeOption(code=opt["code"], label=opt["label"],
                                                    position=pos, ladder=opt.get("ladder")))
        added = True
    return added


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    retired: bool
    ladder: int | None


class CodeBook:
    """All code lists, loaded once per request in one query."""

    def __init__(self, rows):
        """rows: (list name, list title, code, label, retired, ladder), the option columns None
        for a list without options; in list and option order."""
        self.titles: dict[str, str] = {}
        self.lists: dict[str, list[Option]] = {}
        for list_name, title, code, label, retired, ladder in rows:
            if list_name not in self.titles:
                self.titles[list_name] = title
                self.lists[list_name] = []
            if code is not None:
                self.lists[list_name].append(Option(code, label, retired, ladder))
        self._labels = {name: {o.code: o.label for o in opts} for name, opts in self.lists.items()}

    def choices(self, list_name: str, keep: str | None = None) -> list[tuple[str, str]]:
        """Options offered on a form: active ones, plus a retired one a record already holds."""
        return [(o.code, o.label) for o in self.lists.get(list_name, [])
                if not o.retired or o.code == keep]

    def label(self, list_name: str, code: str | None) -> str:
        if code is None:
            return ""
        return self._labels.get(list_name, {}).get(code, code)

    def has(self, list_name: str, code: str, allow_retired: bool = False) -> bool:
        return any(o.code == code and (allow_retired or not o.retired)
                   for o in self.lists.get(list_name, []))

    def ladder(self, list_name: str, code: str) -> int | None:
        return next((o.ladder for o in self.lists.get(list_name, []) if o.code == code), None)


_BOOK = (select(CodeList.name, CodeList.title, CodeOption.code, CodeOption.label,
                CodeOption.retired, CodeOption.ladder)
         .outerjoin(CodeOption, CodeOption.list_id == CodeList.id)
         .order_by(CodeList.id, CodeOption.position, CodeOption.id))


def _read_book() -> CodeBook:
    return CodeBook(session.execute(_BOOK))


def book(region_id: int | None = None) -> CodeBook:
    """The code lists for this request (one query of the columns used, cached on flask.g).

    With a region (an organisation's page): kept in this process under the region's data version
    (app/dataversion.py; a change of a code option renews every region's version, and a page
    reads its region's version first), so the page reads one small row instead of every list.
    The book is only read, never changed, by its users."""
    cached = g.get("codebook")
    if cached is None:
        if region_id is None:
            cached = _read_book()
        else:
            version = dataversion.current(region_id)
            books = current_app.extensions.setdefault("codebooks", {})  # region -> (version, book)
            kept = books.get(region_id)
            if version is not None and kept is not None and kept[0] == version:
                cached = kept[1]
            else:
                cached = _read_book()
                if version is not None:
                    books[region_id] = (version, cached)
        g.codebook = cached
    return cached


def regions() -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.position)))


def region_by_code(code: str) -> Region | None:
    return session.scalar(select(Region).where(Region.code == code))
