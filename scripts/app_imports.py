#!/usr/bin/env python3
"""Imports between GovHall's apps, measured from the source (ast), imports inside functions included.

    python scripts/app_imports.py            # summary: cycles, pairs against the layers, counts
    python scripts/app_imports.py --edges    # also every app pair with the modules and lines behind it
    python scripts/app_imports.py --json     # the figures as JSON (for a bench or a test)

Test modules (`*/tests/*`, `test_*.py`) are left out: tests may import any app. Migrations are counted.
The layers are the target of docs/architecture.md ("Layers"): an app may import the apps below it;
apps on the same layer import each other only where the layer says they may (``:``), never where they
are independent (``|``). The project modules (`govhall.settings`, `govhall.urls`, `govhall.__main__`)
sit above everything and are not counted.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "govhall"
PACKAGE = "govhall"

# Top first. Apps on one line are siblings and independent of one another.
LAYERS: list[tuple[str, ...]] = [
    ("demo",),
    ("portal", "workbench", "console", "api", "ops"),
    ("login", "oidc"),
    ("archives", "supervision", "feedback"),
    ("cases",),
    ("sharing",),
    ("licenses",),
    ("documents",),
    ("translog", "federation"),
    ("catalog",),
    ("notifications",),
    ("identity",),
    ("crypto",),
    ("core",),
]
INTERFACE = {"demo", "portal", "workbench", "console", "api", "ops", "login", "oidc"}
NOT_APPS = {"settings", "static", "templates", "urls", "__main__", "wsgi", "__init__"}
LEVEL = {app: i for i, layer in enumerate(LAYERS) for app in layer}

# --as-moved: the page modules still in a context (views, urls, forms, API routers, console_*, portal_*)
# counted in the interface app they are moving to (branch `pages`), and the imports that become event
# subscribers (branch `events`) left out.
PAGE_NAMES = ("views", "urls", "forms", "api")
PROTOCOL_APPS = {"federation"}  # protocol endpoints stay beside their protocol


def moving_to(module: str) -> str | None:
    """The interface app a page module of a context is moving to, or None (not a page module)."""
    parts = module.split(".")
    if len(parts) != 3 or parts[1] in INTERFACE or parts[1] in PROTOCOL_APPS or parts[1] in NOT_APPS:
        return None
    app, name = parts[1], parts[2]
    if name == "api":
        return "api"
    if name.startswith("console_"):
        return "workbench" if app == "cases" else "console"
    if name.startswith("portal_"):
        return "portal"
    if name in PAGE_NAMES:
        return "console" if app == "crypto" else "portal"
    return None


BECOMING_EVENTS = {("govhall.documents.case_outputs", "licenses")}


def _is_test(path: Path) -> bool:
    return "tests" in path.parts or path.name.startswith("test_") or path.name == "conftest.py"


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        if not is_package:
            parts = parts[:-1]
        parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
        base = ".".join(parts + ([node.module] if node.module else []))
    out = []
    for alias in node.names:  # `from a import b` names the module a.b when there is one
        sub = ROOT.parent.joinpath(*f"{base}.{alias.name}".split("."))
        if sub.with_suffix(".py").exists() or (sub / "__init__.py").exists():
            out.append(f"{base}.{alias.name}")
        elif node.module:
            out.append(base)
    return sorted(set(out)) or [base]


def _app_of(name: str) -> str | None:
    parts = name.split(".")
    if len(parts) < 2 or parts[0] != PACKAGE or parts[1] in NOT_APPS:
        return None
    return parts[1]


class _Visitor(ast.NodeVisitor):
    def __init__(self) -> None:
        self.depth = 0  # functions enclosing the current node
        self.type_checking = 0
        self.found: list[tuple[str, int, bool, bool]] = []  # (target, line, in_function, type_checking)

    def visit_FunctionDef(self, node):  # noqa: N802
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815

    def visit_If(self, node):  # noqa: N802
        test = node.test
        tc = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        )
        if tc:
            self.type_checking += 1
            for child in node.body:
                self.visit(child)
            self.type_checking -= 1
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)


def collect(root: Path = ROOT, *, as_moved: bool = False) -> list[dict]:
    """Every import from one app into another: source module, target, line, in a function or not."""
    edges = []
    for path in sorted(root.rglob("*.py")):
        if _is_test(path):
            continue
        module = _module_name(path)
        src_app = (moving_to(module) if as_moved else None) or _app_of(module)
        if src_app is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        visitor = _Visitor()

        def record(target, node, visitor=visitor):
            visitor.found.append((target, node.lineno, visitor.depth > 0, visitor.type_checking > 0))

        def visit_import(node, record=record):
            for alias in node.names:
                record(alias.name, node)

        def visit_import_from(node, record=record, module=module, path=path):
            for target in _resolve(module, path.name == "__init__.py", node):
                record(target, node)

        visitor.visit_Import = visit_import
        visitor.visit_ImportFrom = visit_import_from
        visitor.visit(tree)
        for target, line, in_function, type_checking in visitor.found:
            dst_app = _app_of(target)
            if as_moved and moving_to(".".join(target.split(".")[:3])):
                dst_app = moving_to(".".join(target.split(".")[:3]))
            if dst_app is None or dst_app == src_app:
                continue
            if as_moved and (module, dst_app) in BECOMING_EVENTS:
                continue
            edges.append(
                {
                    "src": src_app,
                    "dst": dst_app,
                    "module": module,
                    "target": target,
                    "line": line,
                    "in_function": in_function,
                    "type_checking": type_checking,
                }
            )
    return edges


def against_layers(src: str, dst: str) -> str | None:
    """Why src importing dst goes against the target layers, or None."""
    if dst in INTERFACE and src not in INTERFACE:
        return "context imports an interface app"
    if src not in LEVEL or dst not in LEVEL:
        return f"app not in the layers: {src if src not in LEVEL else dst}"
    if LEVEL[src] > LEVEL[dst]:
        return "imports upwards"
    if LEVEL[src] == LEVEL[dst]:
        return "imports an independent sibling"
    return None


def strongly_connected(nodes: set[str], graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the components with more than one app (each holds at least one cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def short_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The two-app cycles (a imports b and b imports a): the first to break."""
    return sorted([a, b] for a in graph for b in graph[a] if a < b and a in graph.get(b, ()))


def figures(edges: list[dict]) -> dict:
    graph: dict[str, set[str]] = defaultdict(set)
    top_graph: dict[str, set[str]] = defaultdict(set)
    nodes: set[str] = set()
    for e in edges:
        graph[e["src"]].add(e["dst"])
        if not e["in_function"]:
            top_graph[e["src"]].add(e["dst"])
        nodes |= {e["src"], e["dst"]}
    pairs = sorted({(e["src"], e["dst"]) for e in edges})
    wrong = [(a, b, against_layers(a, b)) for a, b in pairs if against_layers(a, b)]
    return {
        "apps": len(nodes),
        "app_pairs": len(pairs),
        "cross_app_imports": len(edges),
        "function_level_imports": sum(1 for e in edges if e["in_function"]),
        "type_checking_imports": sum(1 for e in edges if e["type_checking"]),
        "cycles": strongly_connected(nodes, graph),
        "cycles_top_level_only": strongly_connected(nodes, top_graph),
        "two_app_cycles": short_cycles(graph),
        "wrong_way_pairs": [{"src": a, "dst": b, "why": why} for a, b, why in wrong],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="list every app pair with its imports")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--wrong", action="store_true", help="list the imports behind each wrong-way pair")
    parser.add_argument("--as-moved", action="store_true",
                        help="count the page modules still in contexts in the interface apps they are moving to, "
                             "and leave out the imports becoming event subscribers (moving_to, BECOMING_EVENTS)")
    args = parser.parse_args(argv)
    edges = collect(as_moved=args.as_moved)
    fig = figures(edges)
    if args.json:
        print(json.dumps(fig, indent=2))
        return 0
    print(f"apps: {fig['apps']}, app pairs: {fig['app_pairs']}, cross-app imports: {fig['cross_app_imports']}")
    print(f"function-level cross-app imports: {fig['function_level_imports']}")
    print(f"TYPE_CHECKING-only cross-app imports: {fig['type_checking_imports']}")
    print(f"cycles (strongly connected groups of apps, function-level imports counted): {len(fig['cycles'])}")
    for comp in fig["cycles"]:
        print(f"  {len(comp)} apps: {' '.join(comp)}")
    print(f"cycles counting module-level imports only: {len(fig['cycles_top_level_only'])}")
    for comp in fig["cycles_top_level_only"]:
        print(f"  {len(comp)} apps: {' '.join(comp)}")
    print(f"two-app cycles: {len(fig['two_app_cycles'])}")
    for a, b in fig["two_app_cycles"]:
        print(f"  {a} <-> {b}")
    print(f"pairs against the layers: {len(fig['wrong_way_pairs'])}")
    by_pair = defaultdict(list)
    for e in edges:
        by_pair[(e["src"], e["dst"])].append(e)
    for w in fig["wrong_way_pairs"]:
        print(f"  {w['src']} -> {w['dst']}: {w['why']}")
        if args.wrong:
            for e in by_pair[(w["src"], w["dst"])]:
                where = " (in a function)" if e["in_function"] else ""
                print(f"      {e['module']}:{e['line']} {e['target']}{where}")
    if args.edges:
        print("all pairs:")
        for (a, b), es in sorted(by_pair.items()):
            print(f"  {a} -> {b}: {len(es)}")
            for e in es:
                where = " (in a function)" if e["in_function"] else ""
                print(f"      {e['module']}:{e['line']} {e['target']}{where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
