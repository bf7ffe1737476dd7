"""`translate-kit corpus build`: many article pairs -> filtered parallel corpus + report."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from ..align.aligner import HIGH_PRECISION_SCORE
from ..api import AlignOptions, CleanOptions, CorpusOptions, build_corpus, clean_corpus
from ..corpus import CORPUS_LEVELS, Filters
from .options import align_settings, aligner_options, min_score_option, option_errors, quiet_option, writable
from .pair import pairing_options, run_pairing
from .progress import PassBars
from .ray_options import ray_address, ray_option


@click.group("corpus")
def corpus_group():
    """Build parallel corpora from article pairs, or clean one you have."""


@corpus_group.command("build")
@click.argument("pairs", type=click.Path(exists=True))
@click.argument("en_folder", required=False, type=click.Path(exists=True, file_okay=False))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False),
    callback=writable,
    help="Output folder (created if needed).",
)
@min_score_option(HIGH_PRECISION_SCORE)
@click.option(
    "--all-beads",
    is_flag=True,
    help="Keep 2-2 and larger beads too (default: high precision, only 1-1, 2-1 and 1-2).",
)
@click.option(
    "--max-length-ratio",
    type=click.FloatRange(min=1),
    default=3.0,
    show_default=True,
    help="Leave out pairs whose character lengths differ more than this factor.",
)
@click.option(
    "--no-script-check", is_flag=True, help="Keep pairs whose sides are not Hindi and English scripts."
)
@click.option(
    "--level",
    type=click.Choice(CORPUS_LEVELS),
    default="sentence",
    show_default=True,
    help="Pair sentences, or whole paragraphs and headings (block pairs).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal)."
)
@click.option(
    "--pair-documents",
    is_flag=True,
    help="Pair the files of the two folders by content (see pair-documents), not by file name.",
)
@pairing_options
@aligner_options
@quiet_option("progress bar or summary")
@ray_option
def build_command(
    pairs,
    en_folder,
    output,
    min_score,
    all_beads,
    max_length_ratio,
    no_script_check,
    level,
    progress,
    pair_documents,
    pair_min_score,
    url_hints,
    matching,
    presplit,
    errors,
    quiet,
    ray,
    **aligner,
):
    """Align PAIRS (a TSV of 'hindi_path<TAB>english_path[<TAB>doc id]'), or the files with the same
    name in two folders (PAIRS = Hindi folder, EN_FOLDER = English folder), into corpus.hi,
    corpus.en, corpus.jsonl and a report. With --pair-documents the two folders are paired by
    content first (OUTPUT/pairs.tsv, OUTPUT/pairs.unpaired.tsv). Rerunning skips documents already done.
    With --ray each pair is aligned as a Ray task (the files and OUTPUT on storage every node sees).

    \b
    Examples:
      translate-kit corpus build pairs.tsv -o corpus/
      translate-kit corpus build crawl/hi/ crawl/en/ --pair-documents -o corpus/
      translate-kit corpus build hi/ en/ -o corpus/ --level paragraph -q
    """
    if pair_documents:
        if en_folder is None or not Path(pairs).is_dir():
            raise click.UsageError("--pair-documents takes the Hindi folder and the English folder")
        found = run_pairing(
            pairs, en_folder, Path(output) / "pairs.tsv", pair_min_score=pair_min_score, url_hints=url_hints,
            matching=matching, no_freedict=aligner["no_freedict"], errors=errors,
        )
        if not found.pairs:
            raise click.ClickException(f"no document pairs found: see {output}/pairs.unpaired.tsv")
        pairs, en_folder = str(found.pairs_path), None
    filters = Filters(
        min_score=min_score,
        high_precision=not all_beads,
        max_length_ratio=max_length_ratio,
        script_check=not no_script_check,
    )
    reading = AlignOptions(presplit=presplit, errors=errors, **align_settings(**aligner))
    options = CorpusOptions(filters, level, reading)
    bars = PassBars(False if quiet else progress)
    with option_errors(), contextlib.closing(bars):
        if ray is None:
            summary = build_corpus(pairs, en_folder, output, options, progress=bars)
        else:
            from ..scale.corpus import build_corpus_on_ray

            summary = build_corpus_on_ray(pairs, en_folder, output, options, progress=bars,
                                          address=ray_address(ray))
    if summary.unmatched:
        click.echo(
            f"warning: {len(summary.unmatched)} file(s) in one folder only, skipped: "
            f"{', '.join(summary.unmatched[:5])}",
            err=True,
        )
    if quiet:
        return
    click.echo(
        f"{summary.documents} documents ({summary.reused} already done), {summary.pairs} pairs "
        f"-> {output}/corpus.hi, corpus.en, corpus.jsonl, report.md"
        + (f"; {summary.learned}" if summary.learned else "")
        + (f"; {summary.errors} document(s) failed, see report.md" if summary.errors else ""),
        err=True,
    )


@corpus_group.command("clean")
@click.argument("source", metavar="IN", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), callback=writable,
              help="The kept pairs, in IN's format (for a Moses pair: OUT.hi and OUT.en, or OUT's prefix).")
@click.option("--format", "fmt", metavar="tsv|jsonl|moses",
              help="IN's format (default: .jsonl is JSONL; .hi/.en, or a prefix of both, Moses; else TSV).")
@click.option("--rejected", type=click.Path(dir_okay=False), callback=writable,
              help="Write each dropped pair here (JSONL: line, hi, en, score, reasons).")
@click.option("--report", type=click.Path(dir_okay=False), callback=writable,
              help="Write a Markdown report here: pairs per reason, score histogram (and PNG), examples.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=CleanOptions().min_score, show_default=True,
              help="Keep pairs the judge scores at least this.")
@click.option("--keep-reasons", metavar="REASON,REASON", default="",
              help="Reasons still reported but never counted against a pair (e.g. 'punctuation,html').")
@click.option("--dedup", default="near", show_default=True, metavar="near|exact|none",
              help="Duplicates kept once: after Unicode, nukta, joiner, danda and punctuation normalisation "
              "(near), as written (exact), or all kept (none).")
@click.option("--minhash", is_flag=True,
              help="Also drop pairs whose words are nearly those of a kept pair (MinHash LSH, datasketch).")
@click.option("--no-learn", is_flag=True, help="Do not learn a lexicon from the input's first pairs.")
@click.option("--no-freedict", is_flag=True, help="Leave out the installed FreeDict dictionary.")
@quiet_option("summary")
def clean_command(source, output, fmt, rejected, report, min_score, keep_reasons, dedup, minhash, no_learn,
                  no_freedict, quiet):
    """Judge every pair of IN (TSV 'hindi<TAB>english[<TAB>...]', corpus.jsonl with hi_text/en_text, or a
    Moses pair corpus.hi + corpus.en), drop the pairs that are not translations and the duplicates, and
    write the rest to OUT in the same format, line for line as they were.

    \b
    Examples:
      translate-kit corpus clean crawl.tsv -o clean.tsv --rejected rejected.jsonl --report report.md
      translate-kit corpus clean corpus/corpus.jsonl -o clean.jsonl --min-score 0.7
      translate-kit corpus clean corpus.hi -o clean.hi --keep-reasons punctuation
    """
    options = CleanOptions(
        min_score=min_score, keep_reasons=tuple(r.strip() for r in keep_reasons.split(",") if r.strip()),
        dedup=dedup, minhash=minhash, fmt=fmt, freedict=not no_freedict,
        learn_pairs=0 if no_learn else CleanOptions().learn_pairs,
    )
    with option_errors():
        summary = clean_corpus(source, output, options, rejected=rejected, report=report)
    if quiet:
        return
    top = ", ".join(f"{reason} {count}" for reason, count in summary.reasons.most_common(6))
    click.echo(
        f"{summary.pairs} pairs, {summary.kept} kept, {summary.rejected} rejected ({top or 'no reasons'}) "
        f"in {summary.seconds:.1f} s -> {output}",
        err=True,
    )


COMMANDS = [corpus_group]
