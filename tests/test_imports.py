"""Which package may import which: the layers of docs/architecture.md, kept by a test.

``api → ingest → graph → ontology``; inside graph, the wings depend downwards only
(store ← search ← centre, contest, evaluation; store ← analytics), everything may use ``graph.errors``, and a module
outside a wing imports that wing's face (``graph.search``), never a module inside it (``graph.search.matcher``).
Imports inside functions count as much as those at the top. No module imports itself back through others.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = ("ontology", "graph", "ingest", "api")
#: What each layer may import, besides itself and the standard library and third-party packages.
ALLOWED: dict[str, set[str]] = {
    "ontology": set(),
    "graph.errors": set(),
    "graph.store": {"graph.errors", "ontology"},
    "graph.search": {"graph.errors", "graph.store", "ontology"},
    "graph.analytics": {"graph.errors", "graph.store", "ontology"},
    "graph.centre": {"graph.errors", "graph.store", "graph.search", "ontology"},
    "graph.contest": {"graph.errors", "graph.store", "graph.search", "ontology"},
    "graph.evaluation": {"graph.errors", "graph.store", "graph.search", "ontology"},
    "graph": {"graph.errors"},  # the package's own __init__
    "ingest": {"graph", "graph.errors", "graph.store", "ontology"},
    "api": {
        "graph",
        "graph.errors",
        "graph.store",
        "graph.search",
        "graph.centre",
        "graph.contest",
        "graph.evaluation",
        "graph.analytics",
        "ingest",
        "ontology",
    },
}
WINGS = tuple(layer for layer in ALLOWED if layer.startswith("graph.") and layer != "graph.errors")


def layer_of(module: str) -> str:
    """The layer a module belongs to: its wing for graph's sub-packages, else its top-level package."""
    parts = module.split(".")
    if parts[0] == "graph" and len(parts) > 1:
        return f"graph.{parts[1]}"
    return parts[0]


def modules() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            rel = path.relative_to(REPO).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            yield ".".join(parts), path


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every import of our packages in ``path``, wherever in the file it stands."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def violations(module: str, path: Path) -> list[str]:
    found = []
    own = layer_of(module)
    for line, target in imports(path):
        if target.split(".")[0] not in PACKAGES:
            continue
        layer = layer_of(target)
        where = f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path.name}:{line} imports {target}"
        if layer != own and layer not in ALLOWED[own]:
            found.append(f"{where}: {own} may not import {layer}")
        elif layer in WINGS and layer != own and target != layer:
            found.append(f"{where}: outside {layer}, import its face ({layer}), not a module inside it")
    return found


def test_every_import_follows_the_layers() -> None:
    problems = [p for module, path in modules() for p in violations(module, path)]
    assert not problems, "\n".join(problems)


def test_no_module_imports_itself_back() -> None:
    graph: dict[str, set[str]] = {}
    paths = dict(modules())
    for module, path in paths.items():
        graph[module] = {t for _, t in imports(path) if t in paths and t != module}
    done: set[str] = set()
    for start in graph:
        stack, on_path = [(start, iter(sorted(graph[start])))], [start]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.pop()
                done.add(node)
            elif child in on_path and not _package_face(on_path[on_path.index(child) :]):
                pytest.fail("import cycle: " + " -> ".join([*on_path[on_path.index(child) :], child]))
            elif child not in done and child not in on_path:
                stack.append((child, iter(sorted(graph[child]))))
                on_path.append(child)


def _package_face(cycle: list[str]) -> bool:
    """A package's ``__init__`` importing its own modules, which import each other: a face, not a cycle, when the only
    way back to the face is a module of the same package naming the package itself (``from graph.store import q``)."""
    return len({layer_of(m) for m in cycle}) == 1 and any(m == layer_of(m) for m in cycle)


@pytest.mark.parametrize(
    ("module", "source", "rule"),
    [
        ("graph.store.protocol", "from graph.search import Matcher\n", "graph.store may not import graph.search"),
        ("api.routes.match", "from graph.search.matcher import Matcher\n", "import its face"),
        ("ingest.pipeline", "import api.app\n", "ingest may not import api"),
        ("graph.search.matcher", "def f():\n    from graph.centre import DemandLog\n", "may not import graph.centre"),
    ],
)
def test_a_forbidden_import_is_caught(tmp_path: Path, module: str, source: str, rule: str) -> None:
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    found = violations(module, path)
    assert any(rule in p for p in found), found
