"""Print the import graph of oncogen between its packages, its cycles and its long modules.

Reads the source (no imports are executed), so it also measures an old checkout:

    python benchmarks/import_graph.py                      # this tree
    git archive 9323a0b | tar -x -C /tmp/old && python benchmarks/import_graph.py /tmp/old

Edges are module-level imports (statements at the top of a module, outside functions and
``if TYPE_CHECKING``), the imports that run when a module is imported; lazy imports inside
functions are counted apart. A package is the first level under ``onco_genomics``
(``io``, ``omics``, ...; top-level modules count as ``core``, except ``api``: the package's
``__init__`` and ``models``), with ``omics`` split one level further (``omics.survival``)
where subpackages exist; modules kept only to re-export an old import path (docstring
"Old path ...") form ``old-path``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter, defaultdict
from pathlib import Path

#: the order of the layers in DESIGN.md's data flow: an edge to an earlier layer is normal,
#: an edge to a later one is "upward"
LAYERS = ("core", "io", "pileup", "caller", "simulate", "evaluate", "spectrum", "omics",
          "explain", "datasets", "report", "api", "old-path", "commands", "cli")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


_PACKAGES: set[str] = set()


def _is_package(name: str) -> bool:
    return name in _PACKAGES


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(tree: ast.Module, module: str, is_package: bool) -> tuple[set[str], set[str]]:
    """(module-level, lazy) onco_genomics modules imported by ``tree``."""
    eager: set[str] = set()
    lazy: set[str] = set()

    def target(node: ast.ImportFrom) -> list[str]:
        if node.level:
            base = module.split(".")
            base = base if is_package else base[:-1]
            base = base[: len(base) - (node.level - 1)]
            name = ".".join([*base, node.module] if node.module else base)
        else:
            name = node.module or ""
        return [name] if name.startswith("onco_genomics") else []

    def visit(nodes: list[ast.stmt], sink: set[str]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                sink.update(a.name for a in node.names if a.name.startswith("onco_genomics"))
            elif isinstance(node, ast.ImportFrom):
                sink.update(target(node))
            elif isinstance(node, ast.If) and _is_type_checking(node):
                continue
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(node.body, lazy)
            elif isinstance(node, ast.ClassDef):
                visit(node.body, sink)
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, field, None)
                    if isinstance(children, list):
                        visit([c for c in children if isinstance(c, ast.stmt)], sink)
                        for handler in children:
                            if isinstance(handler, ast.ExceptHandler):
                                visit(handler.body, sink)

    visit(tree.body, eager)
    return eager, lazy


def resolve(name: str, modules: set[str]) -> str | None:
    """The known module ``name`` is (or whose attribute it imports)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


#: the top of the API: ``import onco_genomics as og`` and its model loader
API_MODULES = ("onco_genomics", "onco_genomics.models")  # edges *to* the root are not counted
_SHIMS: set[str] = set()


def group(module: str) -> str:
    if module in API_MODULES:
        return "api"
    if module in _SHIMS:
        return "old-path"
    parts = module.split(".")
    head = parts[1]
    if head == "cli":
        return "cli"
    if not _is_package(head):
        return "core"
    if head == "omics" and len(parts) >= 3 and _is_package(f"omics.{parts[2]}"):
        return f"omics.{parts[2]}"
    return head


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strongconnect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for succ in edges.get(node, ()):
            if succ not in index:
                strongconnect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(edges):
        if node not in index:
            strongconnect(node)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", default=str(Path(__file__).resolve().parents[1]),
                        help="a checkout holding onco_genomics/ [default: this one]")
    parser.add_argument("--long", type=int, default=600, help="report modules over N lines")
    args = parser.parse_args(argv)
    root = Path(args.root)
    package_dir = root / "onco_genomics"
    files = sorted(package_dir.rglob("*.py"))
    for init in package_dir.rglob("__init__.py"):
        rel = init.parent.relative_to(package_dir)
        if rel.parts:
            _PACKAGES.add(".".join(rel.parts))
    modules = {module_name(root, f): f for f in files}
    names = set(modules)
    module_edges: dict[str, set[str]] = defaultdict(set)
    lazy_count = 0
    for name, path in modules.items():
        doc = ast.get_docstring(ast.parse(path.read_text())) or ""
        if doc.startswith("Old path") or doc.startswith("Old home"):
            _SHIMS.add(name)  # modules kept so old import paths work; they only re-export
    for name, path in modules.items():
        eager, lazy = imports(ast.parse(path.read_text()), name, path.name == "__init__.py")
        for imported in eager:
            target = resolve(imported, names)
            # the root package (``__version__``) is imported before any submodule anyway
            if target and target != name and target != "onco_genomics":
                module_edges[name].add(target)
        lazy_count += len(lazy)
    group_edges: Counter[tuple[str, str]] = Counter()
    for source, targets in module_edges.items():
        for target in targets:
            a, b = group(source), group(target)
            if a != b:
                group_edges[(a, b)] += 1
    print(f"# import graph of {root} ({len(modules)} modules)")
    print(f"module-level import edges between modules: "
          f"{sum(len(t) for t in module_edges.values())}; lazy (in functions): {lazy_count}")
    print("\n## package -> package (module-level edges)")
    print("from\tto\tedges\tupward")
    rank = {name: i for i, name in enumerate(LAYERS)}
    for (a, b), n in sorted(group_edges.items()):
        upward = rank.get(b.split(".")[0], 0) > rank.get(a.split(".")[0], 0)
        print(f"{a}\t{b}\t{n}\t{'UP' if upward else ''}")
    package_graph: dict[str, set[str]] = defaultdict(set)
    for a, b in group_edges:
        package_graph[a].add(b)
    print("\n## cycles between packages")
    for component in cycles(package_graph) or [["none"]]:
        print(" <-> ".join(component))
    print("\n## cycles between modules")
    for component in cycles(module_edges) or [["none"]]:
        print(" <-> ".join(component))
    print("\n## modules importing torch at module level")
    for name, path in sorted(modules.items()):
        tree = ast.parse(path.read_text())
        top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        if any((isinstance(n, ast.Import) and any(a.name.split(".")[0] == "torch"
                                                   for a in n.names))
               or (isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == "torch")
               for n in top):
            print(name)
    print(f"\n## modules over {args.long} lines")
    long = [(len(p.read_text().splitlines()), n) for n, p in modules.items()]
    for lines, name in sorted(long, reverse=True):
        if lines > args.long:
            print(f"{lines}\t{name}")


if __name__ == "__main__":
    main()
