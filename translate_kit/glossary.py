"""Glossaries: terms that must come out of the model as given (names, brands, fixed translations).

A glossary file is UTF-8 TSV, one term per line:

    सूर्या<TAB>Surya          # this source term must appear as "Surya" in the translation
    ISRO                      # one column: do not translate (the term itself must appear)

Blank lines and lines starting with ``#`` are ignored. A line with more than two columns, an empty
term, or a term listed twice with different translations is an error naming the file and line.
The mapping is handed to ``translate_kit.indictrans.preprocess(..., glossary=...)``, which carries
each matched term through the model as a placeholder, so the model cannot translate it ("Surya"
becoming "The Sun" is the complaint IndicTrans2 users raise).
"""

from __future__ import annotations

import os

from .errors import InputError
from .textio import read_lines


def read_glossary(path: str | os.PathLike[str]) -> dict[str, str]:
    """Source term -> required output string, from a one- or two-column TSV file."""
    name = os.fspath(path)
    terms: dict[str, str] = {}
    where: dict[str, int] = {}
    for number, line in enumerate(read_lines(name), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        columns = [c.strip() for c in line.split("\t")]
        if len(columns) > 2:
            raise InputError(
                f"expected 'term' or 'term<TAB>translation', found {len(columns)} columns", name, number
            )
        term = columns[0]
        target = columns[1] if len(columns) == 2 and columns[1] else term
        if not term:
            raise InputError("empty term", name, number)
        if term in terms and terms[term] != target:
            raise InputError(
                f"{term!r} is listed twice with different translations (first on line {where[term]})",
                name,
                number,
            )
        terms[term], where[term] = target, number
    return terms
