"""JSON Lines: chosen string fields of each record translated, everything else kept.

Rules (each bad line is an error naming the file and line, never a skipped record):

* every non-blank line must be a JSON object holding every requested field; a field may be a dotted
  path into nested objects (``meta.title``);
* a field whose value is ``null`` is left alone (a record without a summary stays without one); any
  other non-string value is an error;
* blank lines are kept where they were.

Field text is translated as plain text (no markup). A record whose fields all come back unchanged is
written back byte for byte; a changed record is re-serialised with its key order kept, compact or
spaced separators as the line used, and non-ASCII escaped only if the line escaped it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import InputError
from .model import Block, BlockKind, Document


@dataclass
class JsonlState:
    lines: list[str]
    records: dict[int, dict]  # 0-based line index -> parsed object
    fields: tuple[str, ...]
    trailing_newline: bool


def _lookup(record: dict, field: str) -> tuple[dict, str] | None:
    """The object holding the last key of a dotted `field`, and that key; None when absent."""
    *parents, key = field.split(".")
    node = record
    for part in parents:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return (node, key) if isinstance(node, dict) and key in node else None


def iter_records(lines: list[str], path: str) -> Iterator[tuple[int, dict]]:
    """(1-based line number, object) of every non-blank line; anything but an object is an error."""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            message = exc.msg.removesuffix(" at")  # "Unterminated string starting at": json names the place
            raise InputError(f"not valid JSON ({message} at column {exc.colno})", path, index + 1) from None
        if not isinstance(record, dict):
            raise InputError(f"expected a JSON object, found {type(record).__name__}", path, index + 1)
        yield index + 1, record


def read(source: str, path: str, fields: tuple[str, ...]) -> Document:
    if not fields:
        raise InputError("JSONL input needs at least one --field naming the text to translate", path)
    lines = source.split("\n")
    trailing = source.endswith("\n")
    if trailing:
        lines.pop()
    blocks: list[Block] = []
    records: dict[int, dict] = {}
    for number, record in iter_records(lines, path):
        index = number - 1
        records[index] = record
        for field in fields:
            found = _lookup(record, field)
            if found is None:
                raise InputError(f"record has no field {field!r}", path, index + 1)
            value = found[0][found[1]]
            if value is None:
                continue
            if not isinstance(value, str):
                raise InputError(
                    f"field {field!r} holds a JSON {type(value).__name__}, expected a string", path, index + 1
                )
            blocks.append(Block(f"L{index + 1}.{field}", BlockKind.FIELD, value, meta={"line": index + 1}))
    return Document(path, "jsonl", blocks, JsonlState(lines, records, fields, trailing))


def write(doc: Document, rendered: dict[str, str]) -> str:
    state: JsonlState = doc.state
    changed: dict[int, list[tuple[str, str]]] = {}
    for block in doc.blocks:
        text = rendered.get(block.id, block.text)
        if text != block.text:
            changed.setdefault(block.meta["line"] - 1, []).append((block.id.split(".", 1)[1], text))
    out = list(state.lines)
    for index, updates in changed.items():
        record = state.records[index]
        for field, text in updates:
            node, key = _lookup(record, field)
            node[key] = text
        line = state.lines[index]
        escaped = line.isascii() and "\\u" in line
        separators = (",", ":") if '":' in line and '": ' not in line else (", ", ": ")
        out[index] = json.dumps(record, ensure_ascii=escaped, separators=separators)
    return "\n".join(out) + ("\n" if state.trailing_newline else "")


def escape(text: str) -> str:
    return text
