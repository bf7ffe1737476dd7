"""`translate-kit pair-documents`: which Hindi document of a crawl translates which English one."""

from __future__ import annotations

import click

from ..align.pairing import DEFAULT_MIN_SCORE
from ..api import PairingRun, PairingSettings, pair_documents
from .options import apply, errors_option, quiet_option, writable

pairing_options = apply(
    [
        click.option(
            "--pair-min-score",
            type=click.FloatRange(0, 1, min_open=True),
            default=DEFAULT_MIN_SCORE,
            show_default=True,
            help="Document pairs scored below this are not trusted: both sides are reported unpaired.",
        ),
        click.option(
            "--url-hints",
            is_flag=True,
            help="Also compare the words and numbers of URLs (JSONL) or file names (folders).",
        ),
        click.option(
            "--matching",
            type=click.Choice(["hungarian", "greedy"]),
            default="hungarian",
            show_default=True,
            help="One-to-one matching: best total score (Hungarian) or best pair first.",
        ),
    ]
)
"""Options shared by `pair-documents` and `corpus build --pair-documents`."""


def run_pairing(
    hi_source, en_source, output, *, pair_min_score, url_hints, matching, no_freedict, errors, fmt=None,
    quiet=False,
) -> PairingRun:
    """Pair the two heaps (api.pair_documents) and print its summary line."""
    settings = PairingSettings(min_score=pair_min_score, url_hints=url_hints, matching=matching)
    found = pair_documents(hi_source, en_source, output, settings, freedict=not no_freedict, errors=errors,
                           fmt=fmt)
    skipped = f", {found.skipped} skipped (binary, empty, wrong script or duplicate)" if found.skipped else ""
    if not quiet:
        click.echo(
            f"{found.hi_documents} Hindi / {found.en_documents} English documents: {found.pairs} pairs, "
            f"{found.unpaired_hi} Hindi and {found.unpaired_en} English unpaired{skipped}"
            f" -> {found.pairs_path}, {found.unpaired_path}",
            err=True,
        )
    return found


@click.command("pair-documents")
@click.argument("hi_source", type=click.Path(exists=True))
@click.argument("en_source", type=click.Path(exists=True))
@click.option(
    "-o",
    "--output",
    default="pairs.tsv",
    show_default=True,
    type=click.Path(dir_okay=False),
    callback=writable,
    help="Pairs file (.tsv or .jsonl); the unpaired list goes beside it as <name>.unpaired.tsv.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tsv", "jsonl"]),
    help="Pairs file format (default: from the extension).",
)
@pairing_options
@click.option("--no-freedict", is_flag=True, help="Do not use the installed dict-freedict-eng-hin.")
@errors_option
@quiet_option("summary")
def pair_documents_command(hi_source, en_source, output, fmt, **options):
    """Find which Hindi document translates which English one, from content alone.

    HI_SOURCE and EN_SOURCE are folders of documents (text, Markdown, HTML) or JSON Lines files
    with one {"url": ..., "text": ...} document a line. Numbers, dates, URLs, transliterated names,
    lexicon words, length and block structure decide; each pair gets a 0-1 score. Every document
    is either in one pair or in the unpaired list with a reason (binary and duplicate files
    included). The TSV is what `corpus build` and `align --pairs` read.

    \b
    Examples:
      translate-kit pair-documents crawl/hi/ crawl/en/ -o pairs.tsv
      translate-kit pair-documents hi.jsonl en.jsonl -o pairs.jsonl --url-hints
    """
    run_pairing(hi_source, en_source, output, fmt=fmt, **options)


COMMANDS = [pair_documents_command]
