"""Reading hypothesis, reference and source files for scoring, with the checks a score depends on.

Files are read through `translate_kit.textio` (invalid UTF-8 named by file and line, BOM dropped,
CRLF -> LF). Each line loses its trailing whitespace, as the ``sacrebleu`` command line does, so
scores stay equal to it. A score is only as good as the line alignment behind it, so:

- an empty file and files of different lengths are errors naming the files and their counts;
- an empty reference line is an error naming file and line (it would count every hypothesis
  against nothing, and usually means the files slipped out of alignment);
- empty hypothesis lines are kept and score zero (a system that output nothing must pay for it);
  they are reported as a warning.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError
from ..textio import read_lines


@dataclass(frozen=True)
class TextFile:
    """The lines of one file, with the name used in messages."""

    path: str
    lines: list[str]

    def empty_line_numbers(self) -> list[int]:
        return [number for number, line in enumerate(self.lines, 1) if not line.strip()]


def load_file(path: str | os.PathLike[str], errors: str = "strict") -> TextFile:
    """Read one file for scoring; an empty file is an error."""
    name = os.fspath(path)
    lines = [line.rstrip() for line in read_lines(name, errors)]
    if not lines:
        raise InputError("file is empty, expected one sentence a line", name)
    return TextFile(name, lines)


def check_same_length(first: TextFile, others: Sequence[TextFile]) -> None:
    """Every file must have as many lines as the first; the error names both files and counts."""
    for other in others:
        if len(other.lines) != len(first.lines):
            raise InputError(
                f"{first.path} has {len(first.lines)} lines but {other.path} has {len(other.lines)}: "
                "they must be line-aligned"
            )


def check_references(references: Sequence[TextFile]) -> None:
    """No empty reference line (see module docstring)."""
    for ref in references:
        empty = ref.empty_line_numbers()
        if empty:
            more = f" (and {len(empty) - 1} more)" if len(empty) > 1 else ""
            raise InputError(
                f"empty reference line{more}: remove the pair from all files or fill it in",
                ref.path,
                empty[0],
            )


def empty_hypothesis_warning(hypothesis: TextFile) -> str | None:
    """A one-line warning when a hypothesis file has empty lines (they are scored, as zero)."""
    empty = hypothesis.empty_line_numbers()
    if not empty:
        return None
    return (
        f"{hypothesis.path}: {len(empty)} empty line{'s' if len(empty) > 1 else ''} "
        f"(first: line {empty[0]}), scored as empty output"
    )
