"""`translate-kit translate`: translate documents (plain text, Markdown, HTML, JSONL, TSV/CSV),
one file, standard input or a whole folder, keeping their structure.

A thin layer over `translate_kit.api.translate_documents`, which reads and checks every input first
(bad input stops the run before any work, with file and line), loads the model only if something
needs translating, then translates all documents together through the translation memory, writing
each output atomically. This module parses options, shows progress and prints the summary.
"""

from __future__ import annotations

import json
import sys

import click
from tqdm import tqdm

from ..api import TranslateOptions, translate_documents
from ..documents import FORMATS
from ..engine import DEFAULT_BATCH_TOKENS, DecodeOptions
from ..errors import OptionError
from ..glossary import read_glossary
from ..textio import atomic_write
from ..translate import DEFAULT_WINDOW
from .options import errors_option, language
from .ray_options import ray_options


def _warn_dropped(values: list[str]) -> None:
    shown = ", ".join(repr(value) for value in values[:5]) + (", ..." if len(values) > 5 else "")
    click.echo(
        f"warning: the model dropped {len(values)} placeholder value(s) from its output "
        f"({shown}); check those sentences",
        err=True,
    )


@click.command("translate")
@click.argument("source", metavar="FILE_OR_FOLDER", type=click.Path(allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Output file, or folder for a folder of inputs (default: standard output). A hidden "
    ".translate-kit-manifest.jsonl beside the outputs records finished documents, so a rerun skips them.",
)
@click.option(
    "--model",
    "model_name",
    metavar="NAME_OR_PATH",
    help="Model folder or registry name (default: $TRANSLATE_KIT_MODEL, else the "
    "IndicTrans2 dist-200M model for the direction, fetched on first use).",
)
@click.option("--src", callback=language, help="Source language (default: detected from the script).")
@click.option("--tgt", callback=language, help="Target language (default: the other one).")
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
    "--overwrite",
    is_flag=True,
    help="Replace existing outputs (outputs of an interrupted run of the same job are resumed anyway).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
@click.option(
    "--stats-json",
    type=click.Path(dir_okay=False),
    help="Write the run's counts (sentences, cached, translated, dropped placeholders, time) here.",
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
    window_sentences: int,
    threads: int | None,
    device: str,
    compute_type: str,
    glossary: str | None,
    cache_path: str | None,
    no_cache: bool,
    overwrite: bool,
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
    lists, tables, emphasis and links kept, code untouched; HTML: tags and attributes kept, script,
    style, pre and code untouched; JSONL: the --field values; TSV/CSV: the --column cells. Blocks
    already in the target language are copied unchanged. A folder is translated into the -o folder
    with sentences batched across documents; rerunning an interrupted run resumes it.
    """
    options = TranslateOptions(
        model=model_name, src=src, tgt=tgt, beam_size=beam, batch_tokens=batch_tokens,
        window_sentences=window_sentences, threads=threads, device=device, compute_type=compute_type,
        glossary=read_glossary(glossary) if glossary else None, memory=cache_path, use_memory=not no_cache,
        fields=fields, columns=columns, errors=errors, bilingual=bilingual, overwrite=overwrite,
    )
    if ray is not None:
        from .ray_options import translate_on_ray

        return translate_on_ray(source, output, options, fmt, ray, shard_kib=shard_size,
                                shard_records=shard_records, workers=workers, ship_model=ship_model,
                                quiet=quiet, stats_json=stats_json)
    bars: list[tqdm] = []

    def progress(done: int, total: int) -> None:
        """A tqdm bar on stderr (sentences, sentences/s, ETA) once the total is known."""
        if not bars and total and not quiet:
            bars.append(tqdm(total=total, unit="sent", file=sys.stderr, dynamic_ncols=True, desc="translate"))
        if bars and done > bars[0].n:
            bars[0].update(done - bars[0].n)

    try:
        result = translate_documents(
            source, output, options, fmt=fmt, progress=progress,
            stdout=lambda text: click.echo(text, nl=False),
        )
    except OptionError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        for bar in bars:
            bar.close()
    stats = result.stats
    if stats_json:
        with atomic_write(stats_json) as handle:
            json.dump(stats.to_dict(), handle, indent=2)
            handle.write("\n")
    if result.dropped:
        _warn_dropped(result.dropped)
    if not quiet and output is not None:
        click.echo(
            f"{stats.documents} document(s) translated, {stats.documents_skipped} already done; "
            f"{stats.sentences} sentences: {stats.translated} translated, {stats.cached} from memory, "
            f"{stats.duplicates} repeated, {stats.passthrough} kept; {stats.seconds:.1f} s",
            err=True,
        )


COMMANDS: list[click.Command] = [translate_command]
