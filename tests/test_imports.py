"""The package's import graph: no module imports itself back, and each one imports on its own.

Every import counts, whether it runs at import time, under ``TYPE_CHECKING`` or inside a
function: a cycle that only type checking or a late call closes is still a knot a reader has to
untie, and moving the late import to the top would make ``import`` fail.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import aioportone

PACKAGE_ROOT = Path(aioportone.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE_ROOT.rglob("*.py"))}


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The dotted name an ``ImportFrom`` names, with relative levels resolved."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    # A package's own ``from . import x`` starts at the package; a module's at its parent.
    keep = len(base) - node.level + (1 if _is_package(module) else 0)
    prefix = ".".join(base[:keep])
    return f"{prefix}.{node.module}" if node.module else prefix


def _targets(name: str, module: str) -> set[str]:
    """The package modules that importing ``name`` (a dotted name) pulls in by name."""
    return {name} & MODULES.keys() if name != module else set()


def import_graph() -> dict[str, set[str]]:
    """Each ``aioportone`` module and the package modules it imports, wherever the import sits."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    edges |= _targets(alias.name, module)
            elif isinstance(node, ast.ImportFrom):
                source = _absolute(module, node)
                found = False
                for alias in node.names:
                    # ``from pkg import sub`` imports the submodule ``pkg.sub``.
                    sub = _targets(f"{source}.{alias.name}", module)
                    edges |= sub
                    found = found or not sub
                if found:
                    edges |= _targets(source, module)
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as ``[a, b, ..., a]``, or None when the graph has none."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_graph_reads_every_kind_of_import() -> None:
    """The graph sees top-level, TYPE_CHECKING and function-local imports, relative or not."""
    graph = import_graph()
    # A sample of edges of each kind, chosen because they are stable parts of the design.
    assert "aioportone._errors" in graph["aioportone"]  # relative, top level, from a package
    assert "aioportone.testing" in graph["aioportone._cli"]  # function-local
    assert "aioportone._resources" in graph["aioportone._client"]
    assert len(graph) == len(MODULES) > 30


def test_find_cycle_reports_the_loop() -> None:
    """A cycle is reported as the chain of modules that closes it."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles() -> None:
    """No aioportone module imports, directly or through others, a module that imports it back."""
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


_IMPORT_EACH = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "aioportone" or m.startswith("aioportone.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException:
        failed.append(name + ":\\n" + traceback.format_exc())
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_on_its_own() -> None:
    """Each module imports with no other aioportone module loaded: no import order hides a cycle."""
    # One interpreter for all: the package's modules are dropped before each import, the
    # third-party ones (aiohttp, anyio...) stay loaded since they cannot close a cycle of ours.
    names = sorted(MODULES)
    done = subprocess.run(  # noqa: S603 - this interpreter, this package
        [sys.executable, "-W", "error", "-c", _IMPORT_EACH, *names],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
