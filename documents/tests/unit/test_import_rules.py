"""The rooms of the house stay apart: no import circle, and the imports that docs/architecture.md
rules out never appear (read from the source with ast, imports inside functions included)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.no_database

ROOT = Path(settings.BASE_DIR)
PACKAGES = ("documents", "ops", "project")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "tests" in path.relative_to(ROOT).parts or "migrations" in path.parts:
                continue
            modules[_module_name(path)] = path
    return modules


def _imports(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The project modules `path` imports (`from a import b` names module a.b when there is one)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                yield name


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    known = _sources()
    return {module: set(_imports(path, known)) - {module} for module, path in known.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _in(module: str, *prefixes: str) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


# (importer, imported, why): every pair of rooms that must never be joined by an import.
RULES = [
    (("documents.models",), ("documents.services",), "models hold data; actions use them, not the reverse"),
    (
        ("documents.structure", "documents.llm", "documents.relay"),
        ("documents.models",),
        "extraction, the model layer and the relay work on plain data, testable without a database",
    ),
    (("documents.relay",), ("documents.views",), "the relay serves every reader, pages are one of them"),
    (
        ("documents.views.pages", "documents.views.api"),
        ("documents.llm",),
        "only the worker talks to the model",
    ),
    (
        ("documents.views.pages", "documents.views.api"),
        ("documents.relay",),
        "pages and the API read live text through a selector; only the stream view speaks the wire format",
    ),
    (("ops",), ("documents",), "platform code serves any app and knows none"),
]


def test_no_module_imports_another_that_imports_it_back(graph):
    assert _circles(graph) == []


@pytest.mark.parametrize(("importers", "imported", "why"), RULES, ids=[rule[2][:40] for rule in RULES])
def test_ruled_out_imports_never_appear(graph, importers, imported, why):
    offending = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if _in(module, *importers)
        for target in targets
        if _in(target, *imported)
    )
    assert offending == [], why


def test_the_rules_see_the_imports_they_judge(graph):
    # A reader that found no imports would pass every rule above.
    assert "documents.services.outline_versions" in graph["documents.services.outline_tasks"]
    assert "ops.metrics" in graph["ops.redis_pool"]
