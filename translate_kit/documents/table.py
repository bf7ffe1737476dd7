"""TSV and CSV tables through pandas: chosen columns translated, the rest kept.

The header names the columns; ``--column`` picks the ones to translate (an unknown name is an error
listing the columns). Every cell is read as a string (``dtype=str``, no NA guessing), so numbers,
dates and empty cells come back exactly as they were; empty cells are not translated.

TSV is read without quoting (a ``"`` is an ordinary character, as in most NLP corpora); CSV uses
standard quoting. pandas writes both back with minimal quoting and LF line ends, so an input in that
style (the common one) round-trips byte for byte; other quoting styles come back re-quoted, and
blank lines (no row) are dropped.

Ragged rows: pandas silently pads a short row with empty cells and turns a long first row into an
index, so rows are first counted with the csv module (the same tokenizer rules), and a row whose
field count differs from the header's is an error naming the file and line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pandas as pd

from ..errors import InputError
from .model import Block, BlockKind, Document


@dataclass
class TableState:
    frame: pd.DataFrame
    sep: str
    quoting: int


def _dialect(path: str, fmt: str) -> tuple[str, int]:
    if fmt == "csv":
        return ",", csv.QUOTE_MINIMAL
    return "\t", csv.QUOTE_NONE


def _row_lines(source: str, path: str, sep: str, quoting: int) -> list[int]:
    """The line on which each data row starts; raises InputError on a ragged row."""
    reader = csv.reader(io.StringIO(source), delimiter=sep, quoting=quoting, strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise InputError("empty table: expected a header line naming the columns", path, 1)
        starts: list[int] = []
        line = reader.line_num + 1
        for row in reader:
            if row and len(row) != len(header):
                raise InputError(f"row has {len(row)} fields but the header has {len(header)}", path, line)
            if row:
                starts.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"malformed table: {exc}", path, reader.line_num) from None
    return starts


def read(source: str, path: str, columns: tuple[str, ...], fmt: str = "tsv") -> Document:
    if not columns:
        raise InputError("a table needs at least one --column naming the text to translate", path)
    sep, quoting = _dialect(path, fmt)
    lines = _row_lines(source, path, sep, quoting)
    frame = pd.read_csv(
        io.StringIO(source),
        sep=sep,
        quoting=quoting,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=True,
        engine="c",
    )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"no column {', '.join(map(repr, missing))} (columns: {', '.join(map(str, frame.columns))})",
            path,
            1,
        )
    blocks = [
        Block(
            f"r{row + 1}.{column}",
            BlockKind.TABLE_CELL,
            frame.at[row, column],
            meta={"line": lines[row] if row < len(lines) else None, "row": row, "column": column},
        )
        for row in range(len(frame))
        for column in columns
        if frame.at[row, column].strip()
    ]
    return Document(path, fmt, blocks, TableState(frame, sep, quoting))


def write(doc: Document, rendered: dict[str, str]) -> str:
    state: TableState = doc.state
    frame = state.frame.copy()
    for block in doc.blocks:
        text = rendered.get(block.id, block.text)
        if state.quoting == csv.QUOTE_NONE:
            text = " ".join(text.replace(state.sep, " ").splitlines())  # TSV cells hold no tabs/newlines
        frame.at[block.meta["row"], block.meta["column"]] = text
    return frame.to_csv(sep=state.sep, index=False, quoting=state.quoting, lineterminator="\n")


def escape(text: str) -> str:
    return text
