"""`translate-kit preprocess`: show what an IndicTrans2 model sees for each input line."""

from __future__ import annotations

import click

from .. import indictrans
from ..glossary import read_glossary
from ..languages import other
from ..textio import read_lines
from .options import errors_option, src_lang_option, tgt_lang_option


@click.command("preprocess")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@src_lang_option("required", required=True)
@tgt_lang_option()
@click.option("--glossary", type=click.Path(exists=True, dir_okay=False),
              help="TSV of source terms and the strings they must become (one column: keep as is).")
@click.option("--placeholders", is_flag=True, help="Append each line's placeholder map after a TAB.")
@errors_option
def preprocess_command(
    file: str, src: str, tgt: str | None, glossary: str | None, placeholders: bool, errors: str
) -> None:
    """Print the IndicTrans2-preprocessed form of each line of FILE ('-' for stdin).

    One output line per input line, empty lines included: the language tags, then the normalised,
    tokenised text with <IDn> placeholders, in the form of IndicTransToolkit's preprocess_batch.

    \b
    Examples:
      translate-kit preprocess --src-lang hi article.hi.txt
      echo "Visit www.example.com on 5 May." | translate-kit preprocess --src-lang en - --placeholders
    """
    tgt = tgt or other(src)
    if tgt == src:
        raise click.BadParameter(f"the target must differ from the source ({src})", param_hint="'--tgt-lang'")
    terms = read_glossary(glossary) if glossary else None
    lines = read_lines(file, errors=errors)
    for prepared in indictrans.preprocess_batch(lines, src, tgt, terms):
        line = prepared.tagged
        if placeholders:
            line += "\t" + " ".join(f"{name}={value}" for name, value in prepared.placeholders)
        click.echo(line)


COMMANDS: list[click.Command] = [preprocess_command]
