"""Reads every project module's imports (ast) and checks that the layers run one way.

Layers, bottom to top: leaves (``bot.base``), the domain (``bot.domain``), storage
(``bot.storage``), services (``bot.services``, ``voice``, ``knowledge_base``) and the faces
(``bot.gateway``, ``bot.cli``, ``actions``, ``nlu_components``). A module may import its own
layer or a lower one; a face never imports another face; the leaves import only the
standard library; module-level imports form no cycle; an import inside a function says why
(a comment on its line or the line above).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PACKAGES = ("bot", "actions", "voice", "knowledge_base", "nlu_components")
LAYERS: tuple[tuple[str, int, str], ...] = (  # (module prefix, layer, name)
    ("bot.base", 0, "leaves"),
    ("bot.domain", 1, "domain"),
    ("bot.storage", 2, "storage"),
    ("bot.services", 3, "services"),
    ("voice", 3, "services"),
    ("knowledge_base", 3, "services"),
    ("bot.gateway", 4, "faces"),
    ("bot.cli", 4, "faces"),
    ("bot.desk", 4, "faces"),
    ("actions", 4, "faces"),
    ("nlu_components", 4, "faces"),
    ("bot", 0, "leaves"),  # bot/__init__.py: a docstring
)
FACE = 4


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported project module (or top-level package for third party)
    line: int
    inner: bool  # inside a function
    reason: bool  # a comment on its line or the line above


@dataclass(frozen=True)
class Module:
    name: str
    path: Path


def modules(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Module]:
    found: dict[str, Module] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            name = ".".join(path.relative_to(root).with_suffix("").parts)
            name = name.removesuffix(".__init__")
            found[name] = Module(name, path)
    return found


def layer_of(name: str) -> tuple[int, str, str]:
    """(layer, layer name, the prefix that decided it: a face's identity)."""
    for prefix, layer, label in LAYERS:
        if name == prefix or name.startswith(prefix + "."):
            return layer, label, prefix
    raise ValueError(f"{name}: in no layer; add it to tests/layering.py")


def _resolve(name: str, known: dict[str, Module]) -> str | None:
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports(module: Module, known: dict[str, Module]) -> list[Import]:
    """Every import of ``module``: project modules resolved, third party by package."""
    source = module.path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    inner_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in ast.walk(node):
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    inner_lines.add(sub.lineno)
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names] or [node.module]
        else:
            continue
        if _type_checking_only(tree, node):
            continue
        inner = node.lineno in inner_lines
        reason = "#" in lines[node.lineno - 1] or _comment_above(lines, node.lineno)
        for name in names:
            target = _resolve(name, known) if name.split(".")[0] in PACKAGES else None
            target = target or name.split(".")[0]
            if target != module.name:
                found.append(Import(module.name, target, node.lineno, inner, reason))
    return found


def _comment_above(lines: list[str], lineno: int) -> bool:
    """A comment right above the import, or above the block of imports it belongs to."""
    k = lineno - 2
    while k >= 0:
        line = lines[k].strip()
        if line.startswith(("import ", "from ", ")")) or line.endswith((",", "(")):
            k -= 1
            continue
        return line.startswith("#")
    return False


def _type_checking_only(tree: ast.Module, node: ast.AST) -> bool:
    return any(
        isinstance(block, ast.If)
        and getattr(block.test, "id", "") == "TYPE_CHECKING"
        and any(node is sub for sub in ast.walk(block))
        for block in ast.walk(tree)
    )


def problems(root: Path, packages: Iterable[str] = PACKAGES) -> list[str]:
    """Every broken rule, as a readable line; empty when the layers hold."""
    known = modules(root, packages)
    found: list[str] = []
    graph: dict[str, set[str]] = {name: set() for name in known}
    for module in known.values():
        layer, label, face = layer_of(module.name)
        for imp in imports(module, known):
            where = f"{module.path.relative_to(root)}:{imp.line}"
            if imp.inner and not imp.reason:
                found.append(f"{where}: import of {imp.target} inside a function without a reason")
            if imp.target not in known:  # third party or the standard library
                if label == "leaves" and imp.target not in sys.stdlib_module_names:
                    found.append(f"{where}: a leaf imports {imp.target} (standard library only)")
                continue
            their, their_label, their_face = layer_of(imp.target)
            if their > layer:
                found.append(f"{where}: {label} imports {their_label} ({imp.target})")
            elif their == FACE and their_face != face:
                found.append(f"{where}: face {face} imports face {their_face} ({imp.target})")
            if not imp.inner:
                graph[module.name].add(imp.target)
    found += [f"import cycle: {' → '.join(cycle)}" for cycle in cycles(graph)]
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each as a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group) + [sorted(group)[0]])

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups
