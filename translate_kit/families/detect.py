"""Which family a CTranslate2 model folder belongs to, from its files; and its fixed direction.

Each family is recognised by the files its conventions need, and the multilingual ones also by
their language tokens in the vocabulary:

- IndicTrans2: `model.SRC` and `model.TGT` (in `vocab/`, the archive's `fairseq_model/vocab/`, or
  beside model.bin);
- NLLB-200: `sentencepiece.bpe.model` and FLORES-200 tokens (`hin_Deva`, `eng_Latn`) in the vocabulary;
- M2M-100: `sentencepiece.bpe.model` and `__hi__`, `__en__` in the vocabulary;
- OPUS-MT (Marian): `source.spm` and `target.spm`.

Nothing else is tried: a folder matching none or several is refused with what was found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError
from ..languages import ENGLISH, HINDI, devanagari_share, normalize_lang
from .base import Family, FamilyFiles
from .indictrans2 import IndicTrans2
from .m2m100 import M2M100, M2M100_CODES
from .marian import Marian
from .nllb import NLLB

FAMILIES: dict[str, type[Family]] = {cls.name: cls for cls in (IndicTrans2, NLLB, M2M100, Marian)}
META_FILE = "translate_kit.json"
NEEDS = {
    "indictrans2": "model.SRC + model.TGT (IndicTrans2)",
    "nllb": "sentencepiece.bpe.model + hin_Deva/eng_Latn tokens (NLLB-200)",
    "m2m100": "sentencepiece.bpe.model + __hi__/__en__ tokens (M2M-100)",
    "marian": "source.spm + target.spm (OPUS-MT)",
}
_PAIR_IN_NAME = re.compile(r"(?:^|[^a-z])(hi|hin|en|eng)-(hi|hin|en|eng)(?:$|[^a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class Recognised:
    """A folder's family, the files it uses and what decided it."""

    family: type[Family]
    files: FamilyFiles
    evidence: str

    def load(self) -> Family:
        return self.family(self.files)


def _first(folders: tuple[Path, ...], name: str) -> Path | None:
    return next((folder / name for folder in folders if (folder / name).is_file()), None)


def _vocabulary_tokens(ct2: Path) -> set[str]:
    """The source (or shared) vocabulary's tokens; empty when there is none."""
    for stem in ("shared_vocabulary", "source_vocabulary"):
        if (ct2 / f"{stem}.json").is_file():
            try:
                return set(json.loads((ct2 / f"{stem}.json").read_text(encoding="utf-8")))
            except (ValueError, TypeError, UnicodeDecodeError):
                return set()
        if (ct2 / f"{stem}.txt").is_file():
            return set((ct2 / f"{stem}.txt").read_text(encoding="utf-8").splitlines())
    return set()


def _candidates(ct2: Path, config: dict) -> dict[str, tuple[FamilyFiles, str]]:
    """Every family whose files are in the folder, with the files and why."""
    found: dict[str, tuple[FamilyFiles, str]] = {}
    it2 = (ct2 / "vocab", ct2.parent / "fairseq_model" / "vocab", ct2)
    src, tgt = _first(it2, "model.SRC"), _first(it2, "model.TGT")
    if src and tgt:
        found["indictrans2"] = (FamilyFiles(src, tgt, config), f"{src.name} + {tgt.name} in {src.parent}")
    here = (ct2, ct2 / "vocab")
    shared = _first(here, NLLB.spm_file)
    if shared:
        tokens = _vocabulary_tokens(ct2)
        for name, codes in (("nllb", (HINDI, ENGLISH)), ("m2m100", tuple(M2M100_CODES.values()))):
            if all(code in tokens for code in codes):
                found[name] = (FamilyFiles(shared, shared, config),
                               f"{shared.name} + {'/'.join(codes)} in the vocabulary")
    marian_src, marian_tgt = (_first(here, name) for name in Marian.spm_files)
    if marian_src and marian_tgt:
        found["marian"] = (FamilyFiles(marian_src, marian_tgt, config), "source.spm + target.spm")
    return found


def _listing(ct2: Path) -> str:
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in ct2.iterdir() if not p.name.startswith("."))
    return ", ".join(names[:12]) + (", ..." if len(names) > 12 else "") if names else "nothing"


def recognise(ct2: str | Path, meta: dict | None = None) -> Recognised:
    """The family of the CTranslate2 folder `ct2` (the one holding model.bin).

    `meta` is the model's translate_kit.json, whose optional "family" settles a folder that has
    the files of several families; the named family's files must still be there.
    """
    ct2 = Path(ct2)
    config = _read_config(ct2)
    found = _candidates(ct2, config)
    wanted = (meta or {}).get("family")
    if wanted is not None:
        if wanted not in FAMILIES:
            raise ModelError(f"{META_FILE} names an unknown family {wanted!r} (known: {', '.join(FAMILIES)})")
        if wanted not in found:
            raise ModelError(f"{META_FILE} says family {wanted} but {ct2} lacks {NEEDS[wanted]}")
        files, why = found[wanted]
        return Recognised(FAMILIES[wanted], files, f"{META_FILE} ({why})")
    if len(found) == 1:
        (name, (files, why)), = found.items()
        return Recognised(FAMILIES[name], files, why)
    if not found:
        raise ModelError(
            f"cannot tell the model family of {ct2}: it holds {_listing(ct2)}; expected one of "
            + "; ".join(NEEDS.values())
        )
    raise ModelError(
        f"{ct2} has the files of several model families ({', '.join(found)}): "
        f'name one in {META_FILE}, e.g. {{"family": "{next(iter(found))}"}}'
    )


def _read_config(ct2: Path) -> dict:
    path = ct2 / "config.json"
    if not path.is_file():
        return {}
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: not valid JSON ({exc})") from None
    return config if isinstance(config, dict) else {}


def family_direction(
    recognised: Recognised, names: tuple[str, ...], spm_share: Callable[[Path], float] | None = None
) -> tuple[str, str, str] | None:
    """(src, tgt, what decided it) for a one-direction Marian model; None for the others (IndicTrans2
    decides its own way; NLLB-200 and M2M-100 translate both ways, the direction is per request).

    A Marian folder's direction comes from a name such as `opus-mt-hi-en`, else from its
    SentencePiece models: the one whose pieces are mostly Devanagari is the Hindi side.
    """
    if recognised.family is not Marian:
        return None
    for name in names:
        match = _PAIR_IN_NAME.search(name)
        if match:
            src, tgt = (normalize_lang(code) for code in match.groups())
            if src != tgt:
                return src, tgt, f"name {name!r}"
    share = spm_share or devanagari_pieces
    source, target = share(recognised.files.source_spm), share(recognised.files.target_spm)
    if abs(source - target) >= 0.2:
        src, tgt = (HINDI, ENGLISH) if source > target else (ENGLISH, HINDI)
        return src, tgt, f"scripts of source.spm/target.spm ({source:.0%}/{target:.0%} Devanagari pieces)"
    raise ModelError(
        f"cannot tell the direction of the OPUS-MT model in {recognised.files.source_spm.parent}: add "
        f'{META_FILE} with {{"src": "{HINDI}", "tgt": "{ENGLISH}"}} (or the reverse)'
    )


def devanagari_pieces(spm: Path) -> float:
    """Share of a SentencePiece model's pieces that are mostly Devanagari."""
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_file=str(spm))
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    return sum(devanagari_share(piece) >= 0.5 for piece in pieces) / max(1, len(pieces))
