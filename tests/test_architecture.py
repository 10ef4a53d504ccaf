"""Tests for the package layout: parts import downwards only, no cycles, no private reach-ins.

The imports are read with :mod:`ast` from the source files, every ``import`` statement counted
wherever it stands (module level, inside a function or under ``TYPE_CHECKING``): a cycle
hidden in a function body is still a cycle a reader has to hold in mind.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "greenrules"

# Each part may import only the parts listed here (and itself, exceptions and _version).
# The top-level private modules (cli, evaluate, cases, pack_lint, ...) and testing may import
# any part; no part may import them.
PARTS_BELOW = {
    "_model": set(),
    "_rules": {"_model"},
    "_decision": {"_model", "_rules"},
    "_io": {"_model", "_rules", "_decision"},
    "_engines": {"_model", "_rules", "_decision"},
    "_columnar": {"_model", "_rules", "_decision", "_engines", "_io"},
}
FOUNDATION = {"greenrules.exceptions", "greenrules._version", "greenrules._bulk"}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    """The dotted module name of a source file under the package."""
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, package: Path = PACKAGE) -> Iterator[tuple[str, list[str], int]]:
    """Every greenrules module a file imports, with the names it takes and the line."""
    name = module_name(path, package)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("greenrules"):
                    yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                drop = node.level - 1 if is_package else node.level
                base = base[: len(base) - drop]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("greenrules"):
                continue
            names = [a.name for a in node.names]
            submodules = [n for n in names if _is_module(f"{target}.{n}", package)]
            for sub in submodules:
                yield f"{target}.{sub}", [], node.lineno
            rest = [n for n in names if n not in submodules]
            if rest:
                yield target, rest, node.lineno


def _is_module(dotted: str, package: Path) -> bool:
    rel = Path(*dotted.split(".")[1:])
    base = package / rel
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def graph(package: Path = PACKAGE) -> dict[str, dict[str, list[int]]]:
    """Module -> imported greenrules module -> lines."""
    out: dict[str, dict[str, list[int]]] = {}
    for path in sorted(package.rglob("*.py")):
        edges = out.setdefault(module_name(path, package), {})
        for target, _, line in imports(path, package):
            edges.setdefault(target, []).append(line)
    return out


def cycles(edges: dict[str, dict[str, list[int]]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, {}):
            if w == v or w.startswith(v + ".") or v.startswith(w + "."):
                continue  # a package and its own modules
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in list(edges):
        if v not in index:
            visit(v)
    return found


def part_of(module: str) -> str | None:
    """The part (``_model``, ``_rules``, ...) a module belongs to, or None at the top."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 2 and pieces[1] in PARTS_BELOW else None


def layer_breaks(edges: dict[str, dict[str, list[int]]]) -> list[str]:
    """Imports that break a part's allowed list, as readable lines."""
    out = []
    for source, targets in edges.items():
        part = part_of(source) or (source.split(".")[1] if source.count(".") == 1 else None)
        if part not in PARTS_BELOW:
            continue
        for target, lines in targets.items():
            if target in FOUNDATION or target == "greenrules":
                if target == "greenrules":
                    out.append(f"{source}:{lines[0]} imports the public facade")
                continue
            other = part_of(target) or target.split(".")[1]
            if other != part and other not in PARTS_BELOW[part]:
                out.append(f"{source}:{lines[0]} imports {target}")
    return out


def private_reach_ins(package: Path = PACKAGE) -> list[str]:
    """``from greenrules.x import _name`` or ``module._name`` across modules, as readable lines."""
    out = []
    for path in sorted(package.rglob("*.py")):
        name = module_name(path, package)
        for target, names, line in imports(path, package):
            for n in names:
                if n.startswith("_") and not n.startswith("__"):
                    out.append(f"{name}:{line} takes {target}.{n}")
        aliases = _module_aliases(path, package)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                out.append(f"{name}:{node.lineno} takes {aliases[node.value.id]}.{node.attr}")
    return out


def _module_aliases(path: Path, package: Path) -> dict[str, str]:
    """The local names a file gives to greenrules modules (``from greenrules.x import y as z``)."""
    found = {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("greenrules")
        ):
            for a in node.names:
                if _is_module(f"{node.module}.{a.name}", package):
                    found[a.asname or a.name] = f"{node.module}.{a.name}"
    return found


def test_no_import_cycles() -> None:
    """No group of greenrules modules imports itself round in a circle."""
    assert cycles(graph()) == []


def test_parts_import_only_what_is_below_them() -> None:
    """Each part imports only the parts under it, never the top-level modules or the facade."""
    assert layer_breaks(graph()) == []


def test_no_private_names_taken_across_modules() -> None:
    """A name used by another module is that module's package-internal public name."""
    assert private_reach_ins() == []


def test_every_part_says_what_it_owns() -> None:
    """Each part's ``__init__`` has a docstring naming what it must never import."""
    for part in PARTS_BELOW:
        doc = ast.get_docstring(ast.parse((PACKAGE / part / "__init__.py").read_text("utf-8")))
        assert doc and "never" in doc, part


def test_the_checks_catch_a_cycle(tmp_path: Path) -> None:
    """A deliberately added cycle and a private reach-in are found (the checks can fail)."""
    pkg = tmp_path / "greenrules"
    (pkg / "_model").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "_model" / "__init__.py").write_text("")
    (pkg / "_model" / "a.py").write_text("from greenrules._model.b import thing\n")
    (pkg / "_model" / "b.py").write_text("from greenrules._model import a\nfrom .a import _x\n")
    edges = graph(pkg)
    assert cycles(edges) == [["greenrules._model.a", "greenrules._model.b"]]
    assert private_reach_ins(pkg) == ["greenrules._model.b:2 takes greenrules._model.a._x"]


def test_the_architecture_page_lists_every_module() -> None:
    """docs/explanation/architecture.md has a line for each module, so it stays the map."""
    page = (PACKAGE.parents[1] / "docs" / "explanation" / "architecture.md").read_text("utf-8")
    modules = [
        str(p.relative_to(PACKAGE))
        for p in sorted(PACKAGE.rglob("*.py"))
        if not (p.name == "__init__.py" and p.parent != PACKAGE)
    ]
    missing = [m for m in modules if f"`{m}`" not in page]
    assert not missing, f"not in the architecture page: {missing}"


def test_modules_stay_small() -> None:
    """No module passes 500 lines and the median stays under 150: one concept per module."""
    sizes = sorted(len(p.read_text("utf-8").splitlines()) for p in PACKAGE.rglob("*.py"))
    assert max(sizes) <= 500
    assert sizes[len(sizes) // 2] < 150
