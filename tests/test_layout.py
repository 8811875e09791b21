"""The package's shape: small modules, stages that import only earlier stages, a true README map."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "docautomation"
MAX_LINES = 400

# The pipeline's order. A stage may import the shared base and stages before it, never one
# after it. Ranking is pure over the typed register, and validation reports its warnings, so it
# comes before validation here although the README reads register → validation → ranking.
BASE = {"config", "errors", "models", "fileio", "memory", "swedish", "text", "__init__"}
ORDER = {
    "register": 1,
    "ranking": 2,
    "validation": 3,
    "documents": 4,
    "year": 4,
    "outbox": 5,
    "build": 6,
    "watch": 7,
    "sharepoint": 7,
    "cli": 8,
    "__main__": 9,
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "shipped_" not in p.parts[-2])


def _dotted(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


_KNOWN = {_dotted(p) for p in _modules()}


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The package modules `path` imports (absolute dotted names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _dotted(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("docautomation"):
                continue
            # `from . import x` imports the submodule x, not (again) the package it is in
            submodules = {f"{target}.{a.name}" for a in node.names} & _KNOWN
            found.update(submodules or {target})
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("docautomation"))
    return {name for name in found if name in _KNOWN and name != _dotted(path)}


def _stage(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_module_is_small_and_says_what_it_owns(path: Path) -> None:
    """No module over 400 lines; each opens with a one-line docstring."""
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_LINES, f"{path.name}: {text.count(chr(10))} lines"
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring, f"{path.name} has no module docstring"


def test_stages_import_only_earlier_stages() -> None:
    """register → ranking → validation → documents → outbox → build → watch/sync → cli."""
    wrong = []
    for path in _modules():
        stage = _stage(_dotted(path))
        for target in _imports(path, top_level_only=False):
            other = _stage(target)
            if other in BASE or other == stage:
                continue
            if stage in BASE or ORDER[other] > ORDER[stage]:
                wrong.append(f"{_dotted(path)} → {target}")
    assert wrong == []


def test_no_import_cycles_at_module_level() -> None:
    """Module-level imports form no cycle (lazy imports inside functions are how the CLI keeps
    start-up fast, and cannot deadlock an import)."""
    graph = {_dotted(p): _imports(p, top_level_only=True) for p in _modules()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                raise AssertionError(" → ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [])


def test_the_readme_map_names_every_folder_and_top_module() -> None:
    """README "How the code is laid out" lists each stage folder and each top-level module."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### How the code is laid out", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(?:docautomation/)?([\w]+)(?:/|\.py)`", section))
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    tops = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert (folders | tops) - named == set()
    assert named - (folders | tops | {"template_builder"}) == set()
