"""A folder run makes links to other pages' headings follow those pages' translated headings."""

from __future__ import annotations

import re

from click.testing import CliRunner

from translate_kit.cli import cli
from translate_kit.documents import parse_document
from translate_kit.documents.anchors import follow_pages, github_slug

GUIDE = """# योगदान कैसे करें

पहले [अपने प्रोजेक्ट का स्वामित्व](../ownership/#अपने-प्रोजेक्ट-का-स्वामित्व) पढ़ें।

लाइसेंस के बारे में [यहाँ](licence.md#लाइसेंस-कैसे-चुनें) और [बाहर](https://example.org/x.md#कुछ-और) देखें।
"""
OWNERSHIP = """# अपने प्रोजेक्ट का स्वामित्व

वापस [योगदान](guide.md#योगदान-कैसे-करें) पर जाएँ।
"""
LICENCE = """# लाइसेंस कैसे चुनें

सही लाइसेंस चुनना ज़रूरी है।
"""


def test_follow_pages_resolves_folder_and_pretty_links():
    pages = {"docs/ownership.md": [{"अपने-प्रोजेक्ट-का-स्वामित्व": "owning-your-project"}]}
    text = "[a](../ownership/#अपने-प्रोजेक्ट-का-स्वामित्व) [b](ownership.md#अपने-प्रोजेक्ट-का-स्वामित्व) [c](x.md#y)"
    assert follow_pages(text, "docs/guide.md", pages) == (
        "[a](../ownership/#owning-your-project) [b](ownership.md#owning-your-project) [c](x.md#y)"
    )


def test_folder_run_rewrites_links_between_its_pages(tiny_model_hi_en, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in (("guide.md", GUIDE), ("ownership.md", OWNERSHIP), ("licence.md", LICENCE)):
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["translate", str(folder), "-o", str(out), "--model", str(tiny_model_hi_en), "--beam", "1",
              "--threads", "1"],
    )
    assert result.exit_code == 0, result.output
    slugs = {}
    for name in ("guide.md", "ownership.md", "licence.md"):
        doc = parse_document((out / name).read_text(encoding="utf-8"), name, "markdown")
        slugs[name] = github_slug(doc.blocks[0].text)
    guide = (out / "guide.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", guide)
    assert targets[0] == "../ownership/#" + slugs["ownership.md"]
    assert targets[-2] == "licence.md#" + slugs["licence.md"]
    assert targets[-1] == "https://example.org/x.md#कुछ-और"  # outside the run: kept
    ownership = (out / "ownership.md").read_text(encoding="utf-8")
    assert "](guide.md#" + slugs["guide.md"] + ")" in ownership
    # the rewritten outputs are what the manifest records: a rerun skips every page
    again = CliRunner().invoke(
        cli, ["translate", str(folder), "-o", str(out), "--model", str(tiny_model_hi_en), "--beam", "1",
              "--threads", "1"],
    )
    assert again.exit_code == 0 and (out / "guide.md").read_text(encoding="utf-8") == guide
