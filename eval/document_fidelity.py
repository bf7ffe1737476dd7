"""Document fidelity: translate real Hindi documents hi->en and check what a reader would notice.

A tiny random-weight model whose target vocabulary is English (built as tests/conftest.py builds
it) translates a folder of real Hindi Markdown and HTML documents through `translate-kit
translate`. Its English is noise, but every Devanagari letter left in the output is source text
that never reached the model. Each source and output is read independently of translate-kit's
own readers (markdown-it renders the Markdown to HTML, BeautifulSoup reads the HTML, ruamel.yaml
and tomllib the front matter), and per document the script reports:

  devanagari   Devanagari letters in the text people read outside code (text nodes outside
               code/pre/script/style, readable attributes, front matter string values other than
               a language code; URLs left out), in the source and left in the output, and the share
  targets      link and image targets (href, src, Markdown link targets inside raw HTML) of the
               source found in the output, in-page links excepted
  in-page      in-page links (#id) that work in the source and still work in the output
  headings     whether the sequence of heading levels is identical
  leaks        span tokens or special tokens in the output (must be 0)

Done means: devanagari left <= 0.5% of the source's, all targets kept, every working in-page link
still working, headings identical, no leaks.

HTML pages give headings ids only explicitly (``<h2 id>``); Markdown headings get GitHub's or
kramdown's automatic ids. `--code DIR` runs another checkout of translate-kit (e.g. an older
commit, for a before/after table measured in the same run).

    python eval/document_fidelity.py FOLDER [-o eval/results/document_fidelity.md] [--model DIR] [--code DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import tomllib
from bs4 import BeautifulSoup, Comment
from markdown_it import MarkdownIt
from ruamel.yaml import YAML

from translate_kit.documents.anchors import github_slug, kramdown_slug, unique

ROOT = Path(__file__).resolve().parents[1]
DEVANAGARI = re.compile(r"[\u0900-\u0963\u0971-\u097f]")  # letters and signs: no danda, no digits
URL = re.compile(r"https?://\S+")
CODE_TAGS = ("code", "pre", "script", "style", "kbd", "samp")
READABLE = ("alt", "title", "aria-label", "placeholder")
LEAK = re.compile(r"⟦\d+⟧|<unk>|<pad>|</?s>|\b(?:hin_Deva|eng_Latn)\b")
EXPLICIT_ID = re.compile(r"\s*\{(?:/\*\s*(?P<mdx>[^{}]*?)\s*\*/|\s*#(?P<kramdown>[^{}\s]+)[^{}]*)\}\s*$")
LANGUAGE_KEYS = ("lang", "language")


@dataclass
class Page:
    """What a reader of a rendered document sees."""

    text: list[str] = field(default_factory=list)
    targets: Counter = field(default_factory=Counter)
    in_page: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    levels: list[int] = field(default_factory=list)


def _front_matter(source: str) -> tuple[list[str], str]:
    """(string values of the front matter but language codes, the body)."""
    match = re.match(r"(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|$)", source, re.S)
    if not match:
        return [], source
    try:
        data = (
            YAML(typ="safe").load(match.group(2))
            if match.group(1) == "---"
            else tomllib.loads(match.group(2))
        )
    except Exception:  # not front matter after all
        return [], source
    if not isinstance(data, dict):
        return [], source
    values: list[str] = []

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, str) and key not in LANGUAGE_KEYS:
            values.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, key)

    walk(data)
    return values, source[match.end() :]


def read_page(path: Path) -> Page:
    source = path.read_text(encoding="utf-8")
    page = Page()
    if path.suffix.lower() == ".md":
        page.text, body = _front_matter(source)
        html = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(body)
    else:
        html = source
    soup = BeautifulSoup(html, "lxml")
    for node in soup.find_all(string=True):
        if isinstance(node, Comment) or node.find_parent(CODE_TAGS):
            continue
        page.text.append(str(node))
        page.targets.update(re.findall(r"\]\(([^)\s]+)", str(node)))  # Markdown inside raw HTML
    for tag in soup.find_all(True):
        if tag.find_parent(CODE_TAGS):
            continue
        page.text.extend(str(tag[a]) for a in READABLE if tag.has_attr(a))
        if tag.name == "meta" and (tag.get("name") or "").lower() == "description":
            page.text.append(str(tag.get("content", "")))
        for attribute in ("href", "src"):
            value = tag.get(attribute)
            if not value:
                continue
            if value.startswith("#"):
                page.in_page.append(unquote(value[1:]))
            else:
                page.targets[value] += 1
        if tag.has_attr("id"):
            page.ids.add(tag["id"])
        if tag.has_attr("name") and tag.name == "a":
            page.ids.add(tag["name"])
    _heading_ids(soup, page, automatic=path.suffix.lower() == ".md")
    return page


def _heading_ids(soup: BeautifulSoup, page: Page, automatic: bool) -> None:
    """Heading levels, and the ids GitHub/kramdown give Markdown headings (an explicit one if given)."""
    auto: list[str] = []
    for heading in soup.find_all(re.compile(r"^h[1-6]$")):
        page.levels.append(int(heading.name[1]))
        text = heading.get_text()
        explicit = EXPLICIT_ID.search(text)
        if explicit:
            page.ids.add(explicit.group("mdx") or explicit.group("kramdown"))
        elif automatic and not heading.has_attr("id"):
            auto.append(text.strip())
    for rule in (github_slug, kramdown_slug):
        page.ids.update(unique([rule(t) for t in auto]))


def devanagari(texts: list[str]) -> int:
    return sum(len(DEVANAGARI.findall(URL.sub(" ", t))) for t in texts)


def compare(source: Path, output: Path) -> dict:
    before, after = read_page(source), read_page(output)
    src_dev, out_dev = devanagari(before.text), devanagari(after.text)
    working = [i for i, link in enumerate(before.in_page) if link in before.ids]
    still = [i for i in working if i < len(after.in_page) and after.in_page[i] in after.ids]
    missing = before.targets - after.targets
    total = sum(before.targets.values())
    return {
        "document": source.name,
        "devanagari source": src_dev,
        "devanagari left": out_dev,
        "left %": round(100 * out_dev / src_dev, 2) if src_dev else 0.0,
        "targets kept": f"{total - sum(missing.values())}/{total}",
        "in-page working": f"{len(still)}/{len(working)}",
        "headings identical": before.levels == after.levels,
        "leaks": len(LEAK.findall(output.read_text(encoding="utf-8"))),
    }


def build_model(folder: Path) -> Path:
    from translate_kit.bench.synthetic import build_synthetic_model
    from translate_kit.textio import read_lines

    data = ROOT / "tests" / "data"
    return build_synthetic_model(
        folder / "synthetic-indic-en-tiny",
        "tiny",
        "indic-en",
        read_lines(data / "corpus.hi"),
        read_lines(data / "corpus.en"),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="Hindi Markdown (.md) and HTML (.html) documents")
    parser.add_argument("-o", "--output", type=Path, help="write the report (Markdown) here")
    parser.add_argument("--model", type=Path, help="model folder (default: a tiny model built now)")
    parser.add_argument("--code", type=Path, help="translate with the translate-kit package in this checkout")
    parser.add_argument("--wrap", choices=("join", "keep"), help="translate with this --wrap")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        model = args.model or build_model(Path(temp))
        out = Path(temp) / "out"
        launcher = "import sys; from translate_kit.cli import main; sys.exit(main())"
        command = [
            sys.executable,
            "-c",
            launcher,
            "translate",
            str(args.folder),
            "-o",
            str(out),
            "--model",
            str(model),
            "--src",
            "hi",
            "--tgt",
            "en",
            "--beam",
            "1",
            "--no-cache",
            "-q",
            *(["--wrap", args.wrap] if args.wrap else []),
        ]
        env = {**os.environ, "PYTHONPATH": str(args.code.resolve())} if args.code else None
        subprocess.run(command, check=True, env=env, cwd=args.code or ROOT)
        rows = [
            compare(path, out / path.relative_to(args.folder))
            for path in sorted(args.folder.rglob("*"))
            if path.suffix.lower() in (".md", ".html")
        ]
    table = pd.DataFrame(rows)
    total_src, total_left = table["devanagari source"].sum(), table["devanagari left"].sum()
    buffer = io.StringIO()
    buffer.write("# Document fidelity, hi->en with a tiny English-vocabulary model\n\n")
    code = (f" --code {args.code}" if args.code else "") + (f" --wrap {args.wrap}" if args.wrap else "")
    buffer.write(f"Command: `python eval/document_fidelity.py {args.folder}{code}`\n\n")
    buffer.write(table.to_markdown(index=False) + "\n\n")
    buffer.write(
        f"Total: {total_left} of {total_src} Devanagari letters left "
        f"({100 * total_left / max(total_src, 1):.2f}%); documents with every target kept: "
        f"{sum(kept == whole for kept, whole in (r['targets kept'].split('/') for r in rows))}/{len(rows)}; "
        f"headings identical: {int(table['headings identical'].sum())}/{len(rows)}; "
        f"leaks: {int(table['leaks'].sum())}\n"
    )
    print(buffer.getvalue())
    if args.output:
        args.output.write_text(buffer.getvalue(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
