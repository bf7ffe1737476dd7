"""`translate-kit translate`: translate documents (plain text, Markdown, HTML, JSONL, TSV/CSV),
one file, standard input or a whole folder, keeping their structure.

A thin layer over `translate_kit.api.translate_documents`, which reads and checks every input first
(bad input stops the run before any work, with file and line), loads the model only if something
needs translating, then translates all documents together through the translation memory, writing
each output atomically. This module parses options, shows progress and prints the summary.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from ..api import TranslateOptions, translate_documents
from ..documents import DEFAULT_FRONT_MATTER_KEYS, FORMATS, WRAP_MODES
from ..engine import DEFAULT_BATCH_TOKENS, DecodeOptions
from ..errors import OptionError
from ..glossary import read_glossary
from ..languages import ENGLISH
from ..translate import DEFAULT_WINDOW, MANIFEST_NAME, ON_DROPPED, ON_FLAG, DroppedPlaceholders
from .interrupts import exit_code, stoppable
from .options import errors_option, quiet_option, src_lang_option, tgt_lang_option
from .progress import Progress
from .ray_options import ray_options, write_stats

SHOWN_WARNINGS = 20
"""Dropped-placeholder warnings printed one per line; the rest are counted (all in --stats-json)."""


def _warn_dropped(reports: list[DroppedPlaceholders]) -> None:
    for report in reports[:SHOWN_WARNINGS]:
        click.echo(f"warning: {report}", err=True)
    if len(reports) > SHOWN_WARNINGS:
        click.echo(f"warning: ... and {len(reports) - SHOWN_WARNINGS} more sentence(s) that lost "
                   "placeholders (all of them in --stats-json)", err=True)


def _note_already_target(paths: list[str], tgt: str | None) -> None:
    language = "English" if tgt == ENGLISH else "Hindi"
    for path in paths[:SHOWN_WARNINGS]:
        click.echo(f"note: {path} is already in {language}: copied unchanged", err=True)
    if len(paths) > SHOWN_WARNINGS:
        click.echo(f"note: ... and {len(paths) - SHOWN_WARNINGS} more already in {language}", err=True)


@click.command("translate")
@click.argument("source", metavar="FILE_OR_FOLDER", type=click.Path(allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(allow_dash=True),
    help="Output file, '-' for standard output (the default for one input), or a folder for a folder "
    "of inputs (language tags in file names are renamed: article.hi.md -> article.en.md). Never the "
    "input itself, even with --overwrite.",
)
@click.option(
    "--model",
    "model_name",
    metavar="NAME_OR_PATH",
    help="Model folder or registry name (default: $TRANSLATE_KIT_MODEL, else the "
    "IndicTrans2 dist-200M model for the direction, fetched on first use; HF_TOKEN for gated ones).",
)
@src_lang_option()
@tgt_lang_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Input format (default: from the extension; unknown extensions are plain text).",
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME",
    help="JSONL: a field to translate (repeatable; dotted for nested: meta.title).",
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="NAME",
    help="TSV/CSV: a column to translate, by header name (repeatable).",
)
@click.option(
    "--bilingual",
    is_flag=True,
    help="Write JSONL pairs instead: each block and sentence with its translation, ids and scores.",
)
@click.option(
    "--beam",
    type=click.IntRange(1, 32),
    default=DecodeOptions().beam_size,
    show_default=True,
    help="Beam size: 5 reproduces IndicTrans2, 1 is about twice as fast.",
)
@click.option(
    "--batch-tokens",
    type=click.IntRange(1),
    default=DEFAULT_BATCH_TOKENS,
    show_default=True,
    help="Source tokens per batch: more can be faster but needs more memory.",
)
@click.option(
    "--batch-invariant",
    is_flag=True,
    help="Decode each sentence padded to its length bucket, so its translation never depends on the "
    "sentences batched with it: runs with other batches, windows or --ray write the same bytes "
    "(about a fifth slower at the default --batch-tokens).",
)
@click.option(
    "--window-sentences",
    type=click.IntRange(1),
    default=DEFAULT_WINDOW,
    show_default=True,
    help="Sentences gathered across documents before they are translated together and "
    "their documents written (bigger batches vs. more frequent outputs).",
)
@click.option("--threads", type=click.IntRange(1), help="CPU threads (default: all available cores).")
@click.option("--device", default="cpu", show_default=True, help="cpu, cuda or auto.")
@click.option(
    "--compute-type",
    default="int8",
    show_default=True,
    help="CTranslate2 compute type: int8, int8_float32, float32, float16, ...",
)
@click.option(
    "--glossary",
    type=click.Path(exists=True, dir_okay=False),
    help="TSV of source terms and the strings they must become (one column: keep as is).",
)
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False),
    help="Translation memory file (default: memory.sqlite3 in the translate-kit home).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the translation memory.")
@click.option(
    "--front-matter-keys",
    metavar="KEY,KEY",
    default=",".join(DEFAULT_FRONT_MATTER_KEYS),
    show_default=True,
    help="Markdown/HTML front matter fields to translate (lang/language always becomes the target's code).",
)
@click.option(
    "--wrap",
    type=click.Choice(WRAP_MODES),
    default="join",
    show_default=True,
    help="A Markdown paragraph wrapped over several lines: written on one line (join), or re-wrapped "
    "to the source's line count and width (keep).",
)
@click.option(
    "--on-dropped",
    type=click.Choice(ON_DROPPED),
    default="warn",
    show_default=True,
    help="A sentence whose translation lost a number, URL or link: keep it and warn with file:line, "
    "write that sentence untranslated (keep-source), or stop before writing the document (fail).",
)
@click.option(
    "--on-flag",
    type=click.Choice(ON_FLAG),
    default="warn",
    show_default=True,
    help="A translation the checks flag (number lost, truncated, repeated, untranslated, wrong language): "
    "keep it (each in --stats-json and --bilingual), write the source instead (keep-source), or stop "
    "before writing the document (fail).",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace existing outputs (outputs of an interrupted run of the same job are resumed anyway).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Translate again what the output folder's manifest (.translate-kit-manifest.jsonl) says is done.",
)
@quiet_option("progress or summary")
@click.option(
    "--stats-json",
    type=click.Path(dir_okay=False),
    help="Write the run's counts (sentences, cached, translated, time) and every sentence that lost "
    "placeholders (file, line, sentence, values) here.",
)
@errors_option
@ray_options
def translate_command(
    source: str,
    output: str | None,
    model_name: str | None,
    src: str | None,
    tgt: str | None,
    fmt: str | None,
    fields: tuple[str, ...],
    columns: tuple[str, ...],
    bilingual: bool,
    beam: int,
    batch_tokens: int,
    batch_invariant: bool,
    window_sentences: int,
    threads: int | None,
    device: str,
    compute_type: str,
    glossary: str | None,
    cache_path: str | None,
    no_cache: bool,
    front_matter_keys: str,
    wrap: str,
    on_dropped: str,
    on_flag: str,
    overwrite: bool,
    force: bool,
    quiet: bool,
    stats_json: str | None,
    errors: str,
    ray: str | None,
    shard_size: int,
    shard_records: int | None,
    workers: int | None,
    ship_model: bool,
) -> None:
    """Translate FILE_OR_FOLDER ('-' for stdin) between Hindi and English, structure kept.

    Plain text: each line keeps its place (blank lines, headings, indentation); Markdown: headings,
    lists, tables, emphasis, links, front matter and HTML blocks kept, code untouched, in-page links
    follow translated headings; HTML: tags and attributes kept (alt, title, placeholder and the
    description translated), script, style, pre, code and translate="no" untouched; JSONL: the
    --field values; TSV/CSV: the --column cells. Sentences already in the target language are
    copied unchanged. A folder is translated into the -o folder with sentences batched across
    documents; a rerun skips finished outputs (the manifest) and an interrupted run resumes.

    \b
    Examples:
      translate-kit translate article.hi.md -o article.en.md
      echo "मॉस्को में बैठक हुई।" | translate-kit translate - --src-lang hi --tgt-lang en -o -
      translate-kit translate site/hi/ -o site/en/ --beam 1 --on-dropped keep-source
    """
    options = TranslateOptions(
        model=model_name, src=src, tgt=tgt, beam_size=beam, batch_tokens=batch_tokens,
        batch_invariant=batch_invariant, window_sentences=window_sentences, threads=threads, device=device,
        compute_type=compute_type,
        glossary=read_glossary(glossary) if glossary else None, memory=cache_path, use_memory=not no_cache,
        fields=fields, columns=columns, errors=errors, bilingual=bilingual, overwrite=overwrite,
        front_matter_keys=tuple(k.strip() for k in front_matter_keys.split(",") if k.strip()),
        wrap=wrap, on_dropped=on_dropped, on_flag=on_flag, force=force,
    )
    if ray is not None:
        from .ray_options import translate_on_ray

        return translate_on_ray(source, output, options, fmt, ray, shard_kib=shard_size,
                                shard_records=shard_records, workers=workers, ship_model=ship_model,
                                quiet=quiet, stats_json=stats_json)
    try:
        with stoppable(), Progress("translate", "sentences", quiet=quiet) as progress:
            result = translate_documents(
                source, output, options, fmt=fmt, progress=progress.update,
                stdout=lambda text: click.echo(text, nl=False),
            )
    except OptionError as exc:
        raise click.UsageError(str(exc)) from None
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM
        _interrupted(output, no_cache, exit_code(exc))
    stats = result.stats
    write_stats(stats_json, stats.to_dict())
    _warn_dropped(result.dropped_sentences)
    _note_already_target(result.already_target, result.tgt)
    if quiet or output in (None, "-"):
        return
    if stats.documents == 0 and stats.documents_skipped:
        click.echo(
            f"all {stats.documents_skipped} document(s) were finished by an identical earlier run "
            f"(recorded in {MANIFEST_NAME} in the output folder); nothing to do. "
            "--force translates them again.",
            err=True,
        )
        return
    click.echo(
        f"{stats.documents} document(s) translated, {stats.documents_skipped} already done, "
        f"{stats.already_target} already in the target language; {stats.sentences} sentences: "
        f"{stats.translated} translated, {stats.cached} from memory, {stats.duplicates} repeated, "
        f"{stats.passthrough} kept, {stats.kept_source} left untranslated (--on-dropped); "
        f"{stats.flagged} flagged by the checks ({stats.flagged_kept_source} left untranslated, --on-flag); "
        f"{stats.seconds:.1f} s",
        err=True,
    )


def _interrupted(output: str | None, no_cache: bool, code: int) -> NoReturn:
    """Ctrl-C or SIGTERM: say what is saved and how to resume, exit `code` (130 SIGINT, 143 SIGTERM)."""
    saved = "documents finished so far are written" if output not in (None, "-") else "nothing is written"
    memory = (
        "translated sentences are not kept (--no-cache)" if no_cache
        else "translated sentences are in the translation memory"
    )
    click.echo(f"\ninterrupted: {saved}; {memory}; run the same command again to resume.", err=True)
    sys.exit(code)


COMMANDS: list[click.Command] = [translate_command]
