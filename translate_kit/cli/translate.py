"""`translate-kit translate`: translate plain text (a file or stdin) line by line, newlines kept."""

from __future__ import annotations

import click

from ..engine import DEFAULT_BATCH_TOKENS, DecodeOptions, Translator
from ..glossary import read_glossary
from ..languages import detect_lang, normalize_lang, other
from ..textio import atomic_write, read_text


def _language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize_lang(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("translate")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write here (atomically) instead of standard output.")
@click.option("--model", "model_name", metavar="NAME_OR_PATH",
              help="Model folder or registry name (default: $TRANSLATE_KIT_MODEL, else the "
                   "IndicTrans2 dist-200M model for the direction, fetched on first use).")
@click.option("--src", callback=_language, help="Source language (default: detected from the script).")
@click.option("--tgt", callback=_language, help="Target language (default: the other one).")
@click.option("--beam", type=click.IntRange(1, 32), default=DecodeOptions().beam_size, show_default=True,
              help="Beam size: 5 reproduces IndicTrans2, 1 is about twice as fast.")
@click.option("--batch-tokens", type=click.IntRange(1), default=DEFAULT_BATCH_TOKENS, show_default=True,
              help="Source tokens per batch: more can be faster but needs more memory.")
@click.option("--threads", type=click.IntRange(1), help="CPU threads (default: all available cores).")
@click.option("--device", default="cpu", show_default=True, help="cpu, cuda or auto.")
@click.option("--compute-type", default="int8", show_default=True,
              help="CTranslate2 compute type: int8, int8_float32, float32, float16, ...")
@click.option("--glossary", type=click.Path(exists=True, dir_okay=False),
              help="TSV of source terms and the strings they must become (one column: keep as is).")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Invalid UTF-8: stop with its line and byte offset, or substitute U+FFFD.")
def translate_command(
    file: str, output: str | None, model_name: str | None, src: str | None, tgt: str | None, beam: int,
    batch_tokens: int, threads: int | None, device: str, compute_type: str, glossary: str | None,
    errors: str,
) -> None:
    """Translate the plain text FILE ('-' for stdin) between Hindi and English.

    Each line is a paragraph: it is split into sentences, translated and rejoined; line breaks
    and blank lines are kept, and lines already in the target language are copied unchanged.
    """
    text = read_text(file, errors=errors)
    terms = read_glossary(glossary) if glossary else None
    if text.strip():
        if src is None and model_name is None:
            src = detect_lang(text)
        translator = Translator.load(model_name, src=src, tgt=tgt or (other(src) if src else None),
                                     device=device, compute_type=compute_type, threads=threads)
        options = DecodeOptions(beam_size=beam, max_batch_tokens=batch_tokens)
        result = translator.translate_plain(text, options, terms)
        translated, dropped = result.text, result.dropped
    else:
        translated, dropped = text, []
    if output:
        with atomic_write(output) as handle:
            handle.write(translated)
    else:
        click.echo(translated, nl=False)
    if dropped:
        shown = ", ".join(repr(value) for value in dropped[:5]) + (", ..." if len(dropped) > 5 else "")
        click.echo(f"warning: the model dropped {len(dropped)} placeholder value(s) from its output "
                   f"({shown}); check those sentences", err=True)


COMMANDS: list[click.Command] = [translate_command]
