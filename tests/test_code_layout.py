"""The README's "How the code is laid out" holds against the tree: it names every package and
top-level module of translate_kit and nothing that is not there; and no module outgrows 500 lines."""

from __future__ import annotations

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
