"""The aligner's output contract: block-pair and sentence-bead records, as JSON Lines or TSV.

A block record pairs headings or paragraphs: block indices and document block ids of both
sides, their kinds and texts, the pair type (1-1, 1-2, 2-1, 1-0, 0-1, 2-2, ...), a 0-1 score and
whether it pairs two headings. A sentence record holds sentence indices and texts, a score, the
bead type, `block` (the index of the block pair it lies in) and the ids of every block its own
sentences come from. `--level both` writes each block pair followed by its sentence beads.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .aligner import Alignment
from .article import Article

LEVELS = ("block", "sentence", "both")


def block_records(alignment: Alignment, hi: Article, en: Article) -> list[dict]:
    """One dict per block pair, in order."""
    records = []
    for bead in alignment.blocks:
        hi_blocks = [hi.blocks[k] for k in bead.hi]
        en_blocks = [en.blocks[k] for k in bead.en]
        records.append(
            {
                "level": "block",
                "hi": list(bead.hi),
                "en": list(bead.en),
                "hi_blocks": [b.id for b in hi_blocks],
                "en_blocks": [b.id for b in en_blocks],
                "hi_kinds": [b.doc_kind or b.kind for b in hi_blocks],
                "en_kinds": [b.doc_kind or b.kind for b in en_blocks],
                "hi_text": "\n".join(b.text for b in hi_blocks),
                "en_text": "\n".join(b.text for b in en_blocks),
                "score": round(bead.score, 4),
                "type": bead.kind,
                "heading": len(hi_blocks) == len(en_blocks) == 1
                and hi_blocks[0].kind == en_blocks[0].kind == "heading",
                "block": bead.block,
            }
        )
    return records


def bead_records(alignment: Alignment, hi: Article, en: Article) -> list[dict]:
    """One dict per sentence bead with indices, texts, score, type, its block pair and blocks."""
    hi_sentences, en_sentences = hi.sentences, en.sentences
    hi_block, en_block = hi.sentence_blocks(), en.sentence_blocks()
    pair_types = {bead.block: bead.kind for bead in alignment.blocks}
    records = []
    for bead in alignment.beads:
        records.append(
            {
                "level": "sentence",
                "hi": list(bead.hi),
                "en": list(bead.en),
                "hi_text": " ".join(hi_sentences[i] for i in bead.hi),
                "en_text": " ".join(en_sentences[j] for j in bead.en),
                "score": round(bead.score, 4),
                "type": bead.kind,
                "block": bead.block,
                "block_type": pair_types.get(bead.block),
                "hi_blocks": list(dict.fromkeys(hi.blocks[hi_block[i]].id for i in bead.hi)),
                "en_blocks": list(dict.fromkeys(en.blocks[en_block[j]].id for j in bead.en)),
            }
        )
    return records


def records_at(level: str, alignment: Alignment, hi: Article, en: Article) -> list[dict]:
    """Records for `level` (block, sentence or both: each block pair before its sentence beads)."""
    if level == "block":
        return block_records(alignment, hi, en)
    sentences = bead_records(alignment, hi, en)
    if level == "sentence":
        return sentences
    out: list[dict] = []
    by_block: dict[int | None, list[dict]] = {}
    for record in sentences:
        by_block.setdefault(record["block"], []).append(record)
    for record in block_records(alignment, hi, en):
        out.append(record)
        out.extend(by_block.get(record["block"], []))
    return out


TSV_COLUMNS = ("level", "hi", "en", "score", "type", "block", "hi_text", "en_text")


def write_records(records: Sequence[dict], handle, fmt: str = "jsonl") -> None:
    if fmt == "jsonl":
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    handle.write("\t".join(TSV_COLUMNS) + "\n")
    for r in records:
        row = [
            r["level"],
            ",".join(map(str, r["hi"])),
            ",".join(map(str, r["en"])),
            f"{r['score']:.4f}",
            r["type"],
            "" if r["block"] is None else str(r["block"]),
            _tsv_cell(r["hi_text"]),
            _tsv_cell(r["en_text"]),
        ]
        handle.write("\t".join(row) + "\n")


def _tsv_cell(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def bead_table(aligned: dict, fmt: str, level: str = "both") -> str:
    """`workflow.align_texts`' records as `translate-kit align --format jsonl|tsv --level LEVEL`
    writes them (`both`: each block pair followed by its sentence beads)."""
    import io

    blocks = [{k: v for k, v in block.items() if k != "beads"} for block in aligned["blocks"]]
    if level == "block":
        records = blocks
    elif level == "sentence":
        records = aligned["beads"]
    else:
        records = []
        for block, full in zip(blocks, aligned["blocks"], strict=True):
            records.append(block)
            records.extend(aligned["beads"][i] for i in full["beads"])
    buffer = io.StringIO()
    write_records(records, buffer, fmt)
    return buffer.getvalue()
