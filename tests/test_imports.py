"""The package's shape: no import cycle in publish/ (the graph of every import statement, at the top of
a module or inside a function, less those only a type checker reads), and one renderer interface that
build.py reaches without naming a format."""

from __future__ import annotations

import ast

from tests.conftest import PROJECT

PACKAGE = PROJECT / "publish"


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PROJECT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text("utf-8"))
    return found


def imported(name: str, tree: ast.Module, known: set[str], package: bool) -> set[str]:
    """The modules of publish that `name` imports (a `from X import y` counts X, and X.y when y is a module)."""
    checking = {id(node) for test in ast.walk(tree) if isinstance(test, ast.If)
                and "TYPE_CHECKING" in ast.unparse(test.test) for part in test.body for node in ast.walk(part)}
    base_of = name if package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in checking:
            continue
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = base_of.split(".")[: len(base_of.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known)
    found = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_in_publish():
    trees = modules()
    known = set(trees)
    graph = {name: imported(name, tree, known, (PACKAGE / name.replace("publish.", "", 1).replace(".", "/")
                                                 / "__init__.py").is_file() or name == "publish")
             for name, tree in trees.items()}
    assert graph["publish.build"] >= {"publish.layout", "publish.render"}  # the walk sees imports
    assert cycles(graph) == []


def test_build_names_no_format_and_every_renderer_has_one_signature():
    from publish.render import FORMATS, Renderer, renderer

    source = (PACKAGE / "build.py").read_text("utf-8")
    for name in FORMATS:
        assert f'"{name}"' not in source and f"'{name}'" not in source and f"render.{name}" not in source
    for name in FORMATS:
        found = renderer(name)
        assert isinstance(found, Renderer) and found.name == name
        assert list(found.render.__annotations__) == ["doc", "edition", "return"]
