"""`translate-kit align` (pair a Hindi article with its English version) and `align-eval`."""

from __future__ import annotations

import json
import sys

import click

from ..align.evaluation import evaluate_bead_files
from ..align.output import LEVELS, write_records
from ..api import AlignOptions, align_documents
from ..errors import TranslateKitError
from ..textio import atomic_write
from .options import align_settings, aligner_options, min_score_option, option_errors, quiet_option, writable


@click.command("align")
@click.argument("hi_file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("en_file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--pairs",
    "pairs_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Align every pair of a TSV 'hindi_path<TAB>english_path[<TAB>doc id]' in one process; "
    "each record gets a `doc` field.",
)
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
    help="jsonl: one record a line with all fields (what align-eval reads); tsv: a table with a header.",
)
@click.option(
    "--level",
    type=click.Choice(LEVELS),
    default="sentence",
    show_default=True,
    help="block: heading and paragraph pairs; sentence: sentence beads; both: each block pair "
    "followed by its sentence beads.",
)
@min_score_option(0.0)
@click.option(
    "--high-precision", is_flag=True, help="Only confident 1-1, 2-1 and 1-2 beads (for corpus building)."
)
@aligner_options
@quiet_option("summary")
def align_command(
    hi_file,
    en_file,
    pairs_file,
    output,
    fmt,
    level,
    min_score,
    high_precision,
    presplit,
    errors,
    quiet,
    **aligner,
):
    """Align a Hindi article with its English version: headings and paragraphs, then sentences.

    Reads text, Markdown or HTML (by extension) through the same readers as `translate`. Writes
    one record a line: sentence beads with `hi`/`en` sentence indices (0-based), their texts, a
    score in [0, 1], the bead type, the block pair they lie in and the blocks their sentences come
    from; block pairs (--level block or both) with block indices, ids, kinds, texts, type, score
    and whether they pair headings. Every sentence is in exactly one bead and every block in
    exactly one block pair unless --min-score or --high-precision leaves sentence beads out.

    \b
    Examples:
      translate-kit align article.hi.md article.en.md -o pairs.jsonl
      translate-kit align hi.html en.md --level block
      translate-kit align --pairs pairs.tsv -o beads.jsonl
    """
    jobs = _jobs(hi_file, en_file, pairs_file)
    options = AlignOptions(
        level=level, min_score=min_score, high_precision=high_precision, presplit=presplit, errors=errors,
        **align_settings(**aligner),
    )
    with option_errors():
        pairs, backends = align_documents(jobs, options)
    records, failed, summary = [], 0, {}
    for pair in pairs:
        if pair.error:
            if not pairs_file:
                raise TranslateKitError(pair.error)
            click.echo(f"warning: {pair.doc}: skipped: {pair.error}", err=True)
            failed += 1
            continue
        for warning in pair.warnings:
            click.echo(f"warning: {warning}", err=True)
        for record in pair.records:
            records.append({"doc": pair.doc, **record} if pairs_file else record)
            summary[record["type"]] = summary.get(record["type"], 0) + 1
    if output == "-":
        write_records(records, sys.stdout, fmt)
    else:
        with atomic_write(output) as handle:
            write_records(records, handle, fmt)
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(summary.items(), key=lambda kv: -kv[1]))
    if not quiet:
        click.echo(
            f"{len(jobs) - failed} pair(s) aligned, {len(records)} records ({kinds or 'none'}); "
            f"evidence: {', '.join(backends)}" + (f"; {failed} pair(s) skipped" if failed else ""),
            err=True,
        )
    if failed:
        sys.exit(1)


def _jobs(hi_file, en_file, pairs_file) -> list[tuple[str, str, str]]:
    """(Hindi path, English path, doc) of one pair given as arguments or of every line of --pairs."""
    if pairs_file:
        if hi_file or en_file:
            raise click.UsageError("give either HI_FILE EN_FILE or --pairs, not both")
        from ..corpus import read_pair_list

        return [(str(job.hi), str(job.en), job.doc) for job in read_pair_list(pairs_file)]
    if not hi_file or not en_file:
        raise click.UsageError("give HI_FILE and EN_FILE (or --pairs PAIRS.tsv)")
    if hi_file == "-" and en_file == "-":
        raise click.BadParameter("only one of the two inputs can be standard input")
    return [(hi_file, en_file, "")]


@click.command("align-eval")
@click.argument("test_file", type=click.Path(exists=True, dir_okay=False))
@click.argument("gold_file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--level",
    type=click.Choice(["sentence", "block"]),
    default="sentence",
    show_default=True,
    help="Score sentence beads or block pairs (records carry a `level` field; none means sentence).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def align_eval_command(test_file, gold_file, level, as_json):
    """Strict and lax precision, recall and F1 of TEST_FILE against GOLD_FILE (vecalign's definitions).

    Both are JSON Lines with `hi` and `en` index lists; an optional `doc` field groups beads into
    documents. Gold indices beyond the sentences the test alignment covers are an error.

    \b
    Examples:
      translate-kit align-eval pairs.jsonl gold.jsonl
      translate-kit align-eval blocks.jsonl gold-blocks.jsonl --level block --json
    """
    scores = evaluate_bead_files(test_file, gold_file, level)
    if as_json:
        click.echo(json.dumps({k: round(v, 4) for k, v in scores.as_dict().items()}))
        return
    click.echo("           strict    lax")
    click.echo(f"precision  {scores.precision_strict:.4f}  {scores.precision_lax:.4f}")
    click.echo(f"recall     {scores.recall_strict:.4f}  {scores.recall_lax:.4f}")
    click.echo(f"F1         {scores.f1_strict:.4f}  {scores.f1_lax:.4f}")


COMMANDS = [align_command, align_eval_command]
