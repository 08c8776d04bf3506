"""Mutation testing: put small bugs into the code, one at a time, and see whether the tests notice.

    /work/main/.venv/bin/python tests/mutation/run.py            # everything, on SQLite
    ... tests/mutation/run.py --only scope export                # modules whose path holds a word
    ... tests/mutation/run.py --list                             # show the mutants, run nothing
    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test ... run.py --realistic  # on PostgreSQL

Two kinds of mutants:

- realistic ones, written by hand (REALISTIC): the bugs that matter, such as dropping the
  organisation filter of the duplicate check, selecting the name column under /beheer, exempting
  a form from CSRF or claiming a link without `used_at IS NULL`;
- generated ones over the rule, scope, auth and export modules (MODULES): every comparison
  flipped at its boundary (< and <=, > and >=, == and !=, is and is not, in and not in),
  `and`/`or` swapped, `+`/`-` swapped, a `not` dropped, True/False swapped, and SQLAlchemy's
  `.is_()`/`.is_not()` and `and_()`/`or_()` swapped.

Each mutant is applied to a copy of the source tree (the worktree is never touched) and a small,
fast selection of tests is run against it (`pytest -x`, no bytecode cache). The mutant is
*killed* when the selection fails, *survives* when it passes. The run is not part of the normal
pytest run (pytest does not collect this file) nor of .ci/run: it takes tens of minutes.
"""

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COPY = ("app", "tests", "migrations", "alembic.ini", "pyproject.toml", "wsgi.py")

# module -> the fast test selection that guards it
MODULES = {
    "app/clients/rules.py": ["tests/test_period_rules.py", "tests/test_rule_boundaries.py"],
    "app/beheer/scope.py": ["tests/test_beheer_sql.py", "tests/test_beheer.py",
                            "tests/test_statistics.py"],
    "app/auth/services.py": ["tests/test_login.py", "tests/test_password_reset.py",
                             "tests/test_sessions.py", "tests/test_races.py",
                             "tests/test_account_links.py"],
    "app/beheer/export.py": ["tests/test_export.py", "tests/test_export_neutralise.py",
                             "-k", "not memory"],  # (the two memory tests take 20 s)
}

# (file, exact original text, replacement, what it means, test selection)
REALISTIC = [
    ("app/clients/services.py",
     "select(Client.nr).where(Client.organisation_id == org.id, Client.birth_date == birth,",
     "select(Client.nr).where(Client.birth_date == birth,",
     "possible_duplicates() without its organisation filter", ["tests/test_cross_org.py"]),
    ("app/beheer/scope.py",
     'tuple(c for c in Client.__table__.c if c.name not in ("name_enc", "old_nr"))',
     "tuple(Client.__table__.c)",
     "beheer client queries select the name column", ["tests/test_beheer_sql.py"]),
    ("app/beheer/codelists_routes.py",
     '@bp.route("/keuzelijsten/<name>/<int:option_id>/uitfaseren", methods=["POST"])\n',
     '@bp.route("/keuzelijsten/<name>/<int:option_id>/uitfaseren", methods=["POST"])\n'
     '@__import__("app.extensions").extensions.csrf.exempt\n',
     "@csrf.exempt on a code-list action", ["tests/test_post_routes.py"]),
    ("app/auth/services.py",
     "AccountToken.id == token_row.id, AccountToken.used_at.is_(None)).values(",
     "AccountToken.id == token_row.id).values(",
     "a link claimed without used_at IS NULL", ["tests/test_races.py"]),
    ("app/beheer/scope.py",
     "        if self.is_super:\n            return query\n        return query.where(",
     "        return query\n        return query.where(",
     "the region filter of the beheer scope dropped", ["tests/test_beheer_sql.py"]),
    ("app/beheer/admins_routes.py",
     "organisations=session.scalars(scope.organisations()",
     "organisations=session.scalars(select(Organisation)",
     "the audit log's organisation filter lists every region", ["tests/test_beheer_sql.py"]),
    ("app/beheer/statistics_routes.py",
     "region_choices = scope.regions()", "region_choices = codelists.regions()",
     "the statistics/export region choice lists every region", ["tests/test_beheer_sql.py"]),
    ("app/beheer/services.py",
     "base = scope.anonymous_clients(organisation_id=org.id)", "base = scope.anonymous_clients()",
     "an organisation's beheer page lists every client in scope", ["tests/test_beheer_sql.py"]),
    ("app/clients/services.py",
     "    where = [Client.organisation_id == org.id, active if",
     "    where = [active if",
     "the dashboard lists every organisation's clients", ["tests/test_cross_org.py"]),
    ("app/legacy_import.py",
     "        Client.organisation_id == org.id, Client.old_nr.is_not(None))))",
     "        Client.old_nr.is_not(None))))",
     "import skips old numbers of other organisations", ["tests/test_cross_org.py"]),
    ("app/beheer/routes.py",
     "    clients = session.scalar(select(func.count()).select_from("
     "current_scope().anonymous_clients().subquery()))",
     "    clients = session.scalar(select(func.count()).select_from("
     "current_scope()._limit(select(__import__('app.models').models.Client).join("
     "__import__('app.models').models.Organisation)).subquery()))",
     "the /beheer overview counts clients with select(Client)", ["tests/test_beheer_sql.py"]),
    ("app/beheer/codelists_routes.py",
     '@bp.route("/keuzelijsten/<name>/<int:option_id>/uitfaseren", methods=["POST"])\n'
     "@superbeheerder_only\n",
     '@bp.route("/keuzelijsten/<name>/<int:option_id>/uitfaseren", methods=["POST"])\n',
     "a superbeheerder action open to provinciebeheerders", ["tests/test_post_routes.py"]),
    ("app/beheer/export.py", "            values[1] = neutralise(values[1])\n", "",
     "the region name not neutralised in exports", ["tests/test_export_neutralise.py"]),
    ("app/spreadsheet.py", 'FORMULA_START = ("=", "+", "-", "@", "\\t", "\\r")',
     'FORMULA_START = ("=", "+", "-", "@", "\\t")',
     "a carriage return no longer counts as a formula start", ["tests/test_export_neutralise.py"]),
]


@dataclass
class Mutant:
    file: str
    line: int
    description: str
    tests: list[str]
    kind: str  # "realistic" or "generated"
    index: int = -1  # generated: the n-th mutation point of the file
    original: str = ""  # realistic: text to replace
    replacement: str = ""


# --- generated mutants --------------------------------------------------------------------

FLIPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
         ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
SYMBOLS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
           ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in"}
TEXTS = (ast.JoinedStr, ast.List, ast.ListComp, ast.Tuple)  # "+" of texts or lists: "-" only breaks
RENAMES = {"is_": "is_not", "is_not": "is_", "and_": "or_", "or_": "and_"}


def _points(tree: ast.AST):
    """Every (node, description, apply) that can be mutated, in a stable order."""
    decorated = {n for d in ast.walk(tree) if isinstance(d, (ast.FunctionDef, ast.ClassDef))
                 for deco in d.decorator_list for n in ast.walk(deco)}  # e.g. frozen=True
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in FLIPS:
                    new = FLIPS[type(op)]
                    yield node, f"{SYMBOLS[type(op)]} -> {SYMBOLS[new]}", (
                        lambda n=node, i=i, new=new: n.ops.__setitem__(i, new()))
        elif isinstance(node, ast.BoolOp):
            other = ast.Or if isinstance(node.op, ast.And) else ast.And
            yield node, f"{type(node.op).__name__.lower()} -> {other.__name__.lower()}", (
                lambda n=node, other=other: setattr(n, "op", other()))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) and not any(
                isinstance(side, TEXTS) or isinstance(getattr(side, "value", None), str)
                for side in (node.left, node.right)):
            other = ast.Sub if isinstance(node.op, ast.Add) else ast.Add
            yield node, "+ -> -" if other is ast.Sub else "- -> +", (
                lambda n=node, other=other: setattr(n, "op", other()))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node, "not dropped", (lambda n=node: setattr(n, "op", ast.UAdd()))
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool) and node not in decorated:
            yield node, f"{node.value} -> {not node.value}", (
                lambda n=node: setattr(n, "value", not n.value))
        elif isinstance(node, ast.Attribute) and node.attr in RENAMES:
            yield node, f".{node.attr}() -> .{RENAMES[node.attr]}()", (
                lambda n=node: setattr(n, "attr", RENAMES[n.attr]))
        elif isinstance(node, ast.Name) and node.id in RENAMES and isinstance(node.ctx, ast.Load):
            yield node, f"{node.id}() -> {RENAMES[node.id]}()", (
                lambda n=node: setattr(n, "id", RENAMES[n.id]))


def _not_dropped(tree: ast.AST) -> ast.AST:
    """`+x` from a dropped `not` means x itself (unary plus of a bool would be an int)."""
    class Unplus(ast.NodeTransformer):
        def visit_UnaryOp(self, node):
            self.generic_visit(node)
            return node.operand if isinstance(node.op, ast.UAdd) else node
    return Unplus().visit(tree)


def _skip(node: ast.AST, source_lines: list[str]) -> bool:
    """Lines not worth mutating: logging."""
    return source_lines[node.lineno - 1].strip().startswith("log.")


def generated(file: str, tests: list[str]) -> list[Mutant]:
    source = (ROOT / file).read_text()
    lines = source.splitlines()
    found = []
    for index, (node, description, _) in enumerate(_points(ast.parse(source))):
        if not _skip(node, lines):
            found.append(Mutant(file, node.lineno, description, tests, "generated", index=index))
    return sorted(found, key=lambda m: (m.line, m.index))


def generated_source(mutant: Mutant) -> str:
    tree = ast.parse((ROOT / mutant.file).read_text())
    for index, (_, _, apply) in enumerate(_points(tree)):
        if index == mutant.index:
            apply()
            break
    return ast.unparse(ast.fix_missing_locations(_not_dropped(tree)))


def realistic() -> list[Mutant]:
    found = []
    for file, original, replacement, description, tests in REALISTIC:
        source = (ROOT / file).read_text()
        assert source.count(original) == 1, f"{file}: the text of '{description}' is not found once"
        line = source[:source.index(original)].count("\n") + 1
        found.append(Mutant(file, line, description, tests, "realistic", original=original,
                            replacement=replacement))
    return found


# --- running ------------------------------------------------------------------------------

def _copy_tree(target: Path) -> None:
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.pyc", "browser", "instance"))
        else:
            shutil.copy2(src, target / name)


def _pytest(tree: Path, tests: list[str], timeout: int) -> tuple[str, float]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    started = time.time()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m",
             "not browser", *tests], cwd=tree, env=env, capture_output=True, text=True,
            timeout=timeout)
    except subprocess.TimeoutExpired:
        return "killed (timeout)", time.time() - started
    if result.returncode == 0:
        return "survived", time.time() - started
    if result.returncode == 1:
        return "killed", time.time() - started
    return f"error (pytest exit {result.returncode}): {result.stdout[-300:]}", time.time() - started


def run(mutants: list[Mutant], timeout: int, report: Path | None) -> int:
    results = []
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        tree = Path(tmp)
        _copy_tree(tree)
        # the untouched (but unparsed) modules must pass their selection first
        for file, tests in MODULES.items():
            if any(m.file == file and m.kind == "generated" for m in mutants):
                path = tree / file
                original = path.read_text()
                path.write_text(ast.unparse(ast.parse(original)))
                outcome, _ = _pytest(tree, tests, timeout)
                path.write_text(original)
                if outcome != "survived":
                    print(f"baseline of {file} fails ({outcome}): fix the tests first")
                    return 2
        for number, mutant in enumerate(mutants, 1):
            path = tree / mutant.file
            original = path.read_text()
            if mutant.kind == "generated":
                path.write_text(generated_source(mutant))
            else:
                path.write_text(original.replace(mutant.original, mutant.replacement))
            try:
                outcome, seconds = _pytest(tree, mutant.tests, timeout)
            finally:
                path.write_text(original)
            results.append({**asdict(mutant), "outcome": outcome, "seconds": round(seconds, 1)})
            print(f"[{number}/{len(mutants)}] {outcome:9} {mutant.file}:{mutant.line} "
                  f"{mutant.description} ({seconds:.0f}s)", flush=True)
    killed = sum(r["outcome"].startswith("killed") for r in results)
    survivors = [r for r in results if r["outcome"] == "survived"]
    errors = [r for r in results if r["outcome"].startswith("error")]
    print(f"\nkilled {killed}/{len(results)}, survived {len(survivors)}, errors {len(errors)}")
    for group in sorted({r["file"] for r in results}):
        rows = [r for r in results if r["file"] == group]
        print(f"  {group}: {sum(r['outcome'].startswith('killed') for r in rows)}/{len(rows)}")
    for r in survivors + errors:
        print(f"  {r['outcome']}: {r['file']}:{r['line']} {r['description']}")
    if report:
        report.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="modules whose path holds a word")
    parser.add_argument("--realistic", action="store_true", help="the hand-written mutants only")
    parser.add_argument("--generated", action="store_true", help="the generated mutants only")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per mutant")
    parser.add_argument("--report", type=Path, help="write every result as JSON here")
    parser.add_argument("--rerun", type=Path, help="only the survivors of an earlier --report "
                        "(after adding tests: the killed ones stay killed)")
    args = parser.parse_args()
    mutants = [] if args.generated else realistic()
    if not args.realistic:
        for file, tests in MODULES.items():
            mutants += generated(file, tests)
    if args.only:
        mutants = [m for m in mutants if any(word in m.file for word in args.only)]
    if args.rerun:
        survived = {(r["kind"], r["file"], r["index"], r["description"])
                    for r in json.loads(args.rerun.read_text()) if r["outcome"] == "survived"}
        mutants = [m for m in mutants if (m.kind, m.file, m.index, m.description) in survived]
    if args.list:
        for m in mutants:
            print(f"{m.kind:9} {m.file}:{m.line} {m.description}  [{' '.join(m.tests)}]")
        print(f"{len(mutants)} mutants")
        return 0
    return run(mutants, args.timeout, args.report)


if __name__ == "__main__":
    sys.exit(main())
