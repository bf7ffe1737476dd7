"""The README's "How the code is laid out" holds against the tree: it names every package and
top-level module of translate_kit and nothing that is not there; and no module outgrows 500 lines."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "translate_kit"
MAX_LINES = 500


def _layout_block() -> list[str]:
    """The lines of the README's layout block that describe translate_kit/ (indented under it)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is laid out", 1)[1]
    block = section.split("```", 2)[1].splitlines()
    start = block.index("translate_kit/")
    lines = []
    for line in block[start + 1:]:
        if not line.startswith("  "):
            break
        lines.append(line)
    return lines


def test_the_readme_layout_names_every_package_and_module_and_nothing_else():
    # "engine.py", "paths.py:", "cli/ ", not "reader/writer"
    name = re.compile(r"\b[a-z_]+(?:\.py\b|/(?=\s|$))")
    named = {match for line in _layout_block() for match in name.findall(line)}
    present = {f"{path.name}/" for path in PACKAGE.iterdir() if (path / "__init__.py").is_file()}
    present |= {path.name for path in PACKAGE.glob("*.py") if path.name != "__init__.py"}
    assert sorted(present - named) == [], "in translate_kit/ but not in the README's layout"
    assert sorted(named - present) == [], "in the README's layout but not in translate_kit/"


def test_each_entry_of_the_layout_starts_its_own_line_in_data_flow_order():
    entries = [line.split()[0] for line in _layout_block() if not line.startswith("   ")]
    assert entries[:4] == ["api.py", "cli/", "serve/", "scale/"]  # the front doors first
    assert entries.index("documents/") < entries.index("translate/") < entries.index("engine.py")
    assert entries.index("align/") < entries.index("corpus.py")


def test_no_module_is_over_500_lines():
    sources = [*PACKAGE.rglob("*.py"), *(ROOT / "eval").glob("*.py"), *(ROOT / "scripts").glob("*.py")]
    lines = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in sources}
    assert {name: count for name, count in lines.items() if count > MAX_LINES} == {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the translate_kit modules it imports anywhere in its file (function-local and
    TYPE_CHECKING imports included: a circle through them is still a circle of the design)."""
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                             for alias in node.names)
        graph[name] = {module for module in found if module in files and module != name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def test_no_import_circles():
    assert _circles(import_graph()) == []


def test_the_circle_finder_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
