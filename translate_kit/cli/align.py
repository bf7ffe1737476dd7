"""`translate-kit align` (pair a Hindi article with its English version) and `align-eval`."""

from __future__ import annotations

import json
import sys

import click

from ..align.evaluation import score_alignments
from ..align.hierarchy import select_beads
from ..align.io import bead_records, read_beads, read_pair, write_records
from ..errors import InputError, TranslateKitError
from ..languages import ENGLISH, HINDI, detect_lang
from ..textio import atomic_write
from .options import aligner_options, build_aligner, min_score_option, writable


@click.command("align")
@click.argument("hi_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("en_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True),
    callback=writable,
    help="Output file (default: standard output).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "tsv"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one bead a line with all fields (what align-eval reads); tsv: a table with a header.",
)
@min_score_option(0.0)
@click.option(
    "--high-precision", is_flag=True, help="Only confident 1-1, 2-1 and 1-2 beads (for corpus building)."
)
@aligner_options
def align_command(
    hi_file,
    en_file,
    output,
    fmt,
    min_score,
    high_precision,
    presplit,
    errors,
    **aligner,
):
    """Align a Hindi article with its English version: headings and paragraphs, then sentences.

    Writes one bead a line: `hi`/`en` sentence indices (0-based), their texts, a score in [0, 1],
    the bead type and the block bead it belongs to. Every sentence is in exactly one bead unless
    --min-score or --high-precision leaves beads out.
    """
    if hi_file == "-" and en_file == "-":
        raise click.BadParameter("only one of the two inputs can be standard input")
    aligner = build_aligner(**aligner)
    hi, en = read_pair(hi_file, en_file, presplit, errors)
    _check_scripts(hi.sentences, en.sentences, hi_file, en_file)
    alignment = aligner.align(hi, en)
    alignment.beads = select_beads(alignment.beads, min_score, high_precision)
    records = bead_records(alignment, hi, en)
    if output == "-":
        write_records(records, sys.stdout, fmt)
    else:
        with atomic_write(output) as handle:
            write_records(records, handle, fmt)
    kinds: dict[str, int] = {}
    for record in records:
        kinds[record["type"]] = kinds.get(record["type"], 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
    structure = "sentences only" if alignment.flattened else f"{len(alignment.blocks)} block beads"
    click.echo(
        f"{len(hi.sentences)} Hindi / {len(en.sentences)} English sentences, {structure}; "
        f"{len(records)} beads ({summary or 'none'}); evidence: {', '.join(alignment.backends)}",
        err=True,
    )


def _check_scripts(hi: list[str], en: list[str], hi_file: str, en_file: str) -> None:
    """Refuse swapped inputs (Hindi must come first) and warn about a side in the wrong script."""
    hi_lang = detect_lang(" ".join(hi[:200]), default=HINDI)
    en_lang = detect_lang(" ".join(en[:200]), default=ENGLISH)
    if hi_lang == ENGLISH and en_lang == HINDI:
        raise TranslateKitError(f"{hi_file} is English and {en_file} Hindi: give the Hindi file first")
    sides = ((hi_file, hi_lang, HINDI, "Hindi"), (en_file, en_lang, ENGLISH, "English"))
    for path, found, wanted, name in sides:
        if found != wanted:
            click.echo(f"warning: {path} does not look like {name} text; aligning anyway", err=True)


@click.command("align-eval")
@click.argument("test_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("gold_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def align_eval_command(test_file, gold_file, as_json):
    """Strict and lax precision, recall and F1 of TEST_FILE against GOLD_FILE (vecalign's definitions).

    Both are JSON Lines with `hi` and `en` index lists; an optional `doc` field groups beads into
    documents. Gold indices beyond the sentences the test alignment covers are an error.
    """
    test, gold = read_beads(test_file), read_beads(gold_file)
    if set(test.docs) != set(gold.docs):
        missing = sorted(set(gold.docs) ^ set(test.docs))[:3]
        raise InputError(f"test and gold name different documents (e.g. {missing})", gold_file)
    for doc, beads in test.docs.items():
        n_hi = 1 + max((i for h, _ in beads for i in h), default=-1)
        n_en = 1 + max((j for _, e in beads for j in e), default=-1)
        test.check(doc, n_hi, n_en)
        gold.check(doc, n_hi, n_en)
    docs = sorted(test.docs)
    scores = score_alignments([gold.docs[d] for d in docs], [test.docs[d] for d in docs])
    if as_json:
        click.echo(json.dumps({k: round(v, 4) for k, v in scores.as_dict().items()}))
        return
    click.echo("           strict    lax")
    click.echo(f"precision  {scores.precision_strict:.4f}  {scores.precision_lax:.4f}")
    click.echo(f"recall     {scores.recall_strict:.4f}  {scores.recall_lax:.4f}")
    click.echo(f"F1         {scores.f1_strict:.4f}  {scores.f1_lax:.4f}")


COMMANDS = [align_command, align_eval_command]
