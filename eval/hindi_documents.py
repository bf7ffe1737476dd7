"""Assemble the folder of real Hindi documents that eval/document_fidelity.py checks.

From two public repositories (both CC-BY 4.0; the documents are not kept in this project):

* github/opensource.guide, `_articles/hi/`: the Hindi Open Source Guides, Jekyll Markdown with
  YAML front matter, `<aside markdown="1">` quotes, `<div>` labels, in-page links; and `index.html`
  (a Jekyll page that is front matter only);
* reactjs/hi.react.dev, `src/content/`: the Hindi React docs, MDX-flavoured Markdown with front
  matter, JSX blocks and explicit heading ids `{/*id*/}`.

The sites' built HTML is not in their repositories, so a few Open Source Guides articles are also
written as HTML pages: markdown-it renders the article body, and the page carries the article's
title, description and `<html lang="hi">`.

    python eval/hindi_documents.py OPENSOURCE_GUIDE_GIT_DIR HI_REACT_DEV_GIT_DIR OUTPUT_FOLDER \
        [--excerpt CHARS]

(git directories as `git clone --mirror` or any clone leaves them; files are read at HEAD.)
`--excerpt CHARS` keeps the beginning of each document, cut at a blank line after CHARS
characters where no code fence or HTML element is open: the small copies tests/data/hindi_documents/
holds for the door-parity test (front matter, HTML inside Markdown, lists, in-page links kept).
"""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

from markdown_it import MarkdownIt
from ruamel.yaml import YAML

GUIDES = "_articles/hi/"
REACT_PAGES = (
    "learn/index.md",
    "learn/thinking-in-react.md",
    "learn/your-first-component.md",
    "learn/state-a-components-memory.md",
    "reference/react/useCallback.md",
)
RENDERED = ("legal.md", "how-to-contribute.md", "code-of-conduct.md", "metrics.md")


def _git(git_dir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True, text=True, encoding="utf-8"
    ).stdout


def html_page(markdown_source: str) -> str:
    """An HTML page of a Jekyll article: its title and description, the body rendered."""
    _, front, body = markdown_source.split("---\n", 2)
    meta = YAML(typ="safe").load(front)
    article = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(body)
    return (
        '<!DOCTYPE html>\n<html lang="hi">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(meta['title'])}</title>\n"
        f'<meta name="description" content="{html.escape(meta["description"])}">\n'
        f"</head>\n<body>\n<article>\n{article}</article>\n</body>\n</html>\n"
    )


_OPENERS = ("<aside", "<div", "<p ", "<details", "<table", "<Sandpack", "<Intro", "<Recipes", "<Note",
            "<Pitfall", "<DeepDive", "<Diagram", "<YouWillLearn", "<Recap", "<Challenges", "<Solution")


def excerpt(text: str, chars: int) -> str:
    """The beginning of a Markdown document: paragraphs up to `chars` characters, then on to the
    first blank line where every code fence and every HTML/JSX element it opened is closed."""
    kept: list[str] = []
    size = 0
    for part in text.split("\n\n"):
        kept.append(part)
        size += len(part) + 2
        body = "\n\n".join(kept)
        fences = sum(line.lstrip().startswith("```") for line in body.splitlines()) % 2
        elements = sum(body.count(tag) - body.count("</" + tag[1:].strip()) for tag in _OPENERS)
        if size >= chars and not fences and elements <= 0:
            return body.rstrip("\n") + "\n"
    return text


def main(argv: list[str] | None = None) -> int:
    args = list(argv or sys.argv[1:])
    chars = 0
    if "--excerpt" in args:
        at = args.index("--excerpt")
        chars = int(args[at + 1])
        del args[at : at + 2]
    guides_git, react_git, out = (Path(a) for a in args)
    out.mkdir(parents=True, exist_ok=True)
    for path in _git(guides_git, "ls-tree", "-r", "--name-only", "HEAD", GUIDES).split():
        text = _git(guides_git, "show", f"HEAD:{path}")
        if chars and path.endswith(".md"):
            text = excerpt(text, chars)
        name = Path(path).name
        (out / name).write_text(text, encoding="utf-8")
        if name in RENDERED:
            (out / name.replace(".md", ".rendered.html")).write_text(html_page(text), encoding="utf-8")
    for page in REACT_PAGES:
        text = _git(react_git, "show", f"HEAD:src/content/{page}")
        if chars:
            text = excerpt(text, chars)
        (out / ("react-" + page.replace("/", "-"))).write_text(text, encoding="utf-8")
    print(f"{len(list(out.iterdir()))} documents in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
