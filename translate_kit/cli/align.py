"""`translate-kit align` (pair a Hindi article with its English version) and `align-eval`."""

from __future__ import annotations

import json
import sys

import click

from ..align import Aligner, parse_inventory
from ..align.evaluation import score_alignments
from ..align.features import make_sources
from ..align.hierarchy import select_beads
from ..align.io import bead_records, check_beads_against, read_beads, read_pair, write_records
from ..errors import InputError
from ..textio import atomic_write


def aligner_options(command):
    """Options shared by `align` and `corpus build`."""
    options = [
        click.option(
            "--presplit",
            is_flag=True,
            help="Inputs are one sentence a line, blank line between paragraphs, '# ' heading lines.",
        ),
        click.option(
            "--lexicon",
            type=click.Path(exists=True, dir_okay=False),
            help="Extra Hindi<TAB>English word lexicon.",
        ),
        click.option("--no-freedict", is_flag=True, help="Do not use the installed dict-freedict-eng-hin."),
        click.option(
            "--model", help="Add MT similarity: translate the Hindi side with this model (name or folder)."
        ),
        click.option(
            "--beads",
            "inventory",
            default="1-1,1-0,0-1,2-1,1-2,2-2",
            show_default=True,
            help="Sentence bead types allowed (merges are switchable).",
        ),
        click.option(
            "--no-blocks", is_flag=True, help="Align sentences directly, ignoring headings and paragraphs."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def build_aligner(lexicon, no_freedict, model, inventory, no_blocks) -> Aligner:
    try:
        beads = parse_inventory(inventory)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--beads") from None
    sources = make_sources(lexicon=lexicon, freedict=not no_freedict, model=model)
    return Aligner(sources=sources, inventory=beads, use_blocks=not no_blocks)


@click.command("align")
@click.argument("hi_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("en_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    default="-",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Output file (default: standard output).",
)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "tsv"]), default="jsonl", show_default=True)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Leave out beads scored below this.",
)
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
    lexicon,
    no_freedict,
    model,
    inventory,
    no_blocks,
):
    """Align a Hindi article with its English version: headings and paragraphs, then sentences.

    Writes one bead a line: `hi`/`en` sentence indices (0-based), their texts, a score in [0, 1],
    the bead type and the block bead it belongs to. Every sentence is in exactly one bead unless
    --min-score or --high-precision leaves beads out.
    """
    if hi_file == "-" and en_file == "-":
        raise click.BadParameter("only one of the two inputs can be standard input")
    aligner = build_aligner(lexicon, no_freedict, model, inventory, no_blocks)
    hi, en = read_pair(hi_file, en_file, presplit)
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
    if set(test) != set(gold):
        missing = sorted(set(gold) ^ set(test))[:3]
        raise InputError(f"test and gold name different documents (e.g. {missing})", gold_file)
    for doc, beads in test.items():
        n_hi = 1 + max((i for h, _ in beads for i in h), default=-1)
        n_en = 1 + max((j for _, e in beads for j in e), default=-1)
        check_beads_against(beads, n_hi, n_en, test_file, doc)
        check_beads_against(gold[doc], n_hi, n_en, gold_file, doc)
    docs = sorted(test)
    scores = score_alignments([gold[d] for d in docs], [test[d] for d in docs])
    if as_json:
        click.echo(json.dumps({k: round(v, 4) for k, v in scores.as_dict().items()}))
        return
    click.echo("           strict    lax")
    click.echo(f"precision  {scores.precision_strict:.4f}  {scores.precision_lax:.4f}")
    click.echo(f"recall     {scores.recall_strict:.4f}  {scores.recall_lax:.4f}")
    click.echo(f"F1         {scores.f1_strict:.4f}  {scores.f1_lax:.4f}")


COMMANDS = [align_command, align_eval_command]
