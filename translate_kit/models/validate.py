"""Model folders: find the CTranslate2 files and SentencePiece models in either accepted layout,
check them against model.bin's header, and tell the family (translate_kit.families) and direction.

NLLB-200 and M2M-100 models translate both ways: their direction is the one asked for (a
translate_kit.json may set the default), never refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ModelError
from ..families import FAMILIES, Family, FamilyFiles, Recognised, family_direction, recognise
from ..languages import ENGLISH, HINDI, normalize_lang
from .header import ModelBinInfo, read_model_bin
from .store import cached_sha256

META_FILE = "translate_kit.json"
SPM_SRC = "model.SRC"
SPM_TGT = "model.TGT"
CT2_SUBFOLDERS = ("ct2_int8_model", "ct2_fp16_model")
FAIRSEQ_FOLDER = "fairseq_model"

_DIRECTION_IN_NAME = re.compile(r"(?:^|[^a-z])(indic-en|en-indic)(?:$|[^a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class ModelDir:
    """A validated model: every path in it exists and model.bin's header is complete."""

    path: Path
    spm_src: Path
    spm_tgt: Path
    src: str
    tgt: str
    config: dict
    name: str
    root: Path
    source_vocabulary: Path
    target_vocabulary: Path
    source_vocab_size: int
    target_vocab_size: int
    direction_from: str
    header: ModelBinInfo = field(repr=False, compare=False)
    recognised: Recognised | None = field(default=None, repr=False, compare=False)

    @property
    def family(self) -> str:
        """The model family's name (translate_kit.families.FAMILIES)."""
        return self.recognised.family.name if self.recognised else "indictrans2"

    @property
    def multilingual(self) -> bool:
        """True for a model that translates both ways (NLLB-200, M2M-100)."""
        return self.family in MULTILINGUAL

    def load_family(self) -> Family:
        """The family's text <-> tokens conventions bound to this model's SentencePiece files."""
        if self.recognised is None:
            return FAMILIES["indictrans2"](FamilyFiles(self.spm_src, self.spm_tgt, self.config))
        return self.recognised.load()

    @property
    def model_bin(self) -> Path:
        return self.path / "model.bin"

    def files(self) -> dict[str, Path]:
        """The files that make the model; the fingerprint covers exactly these."""
        return {
            "model.bin": self.model_bin,
            "config.json": self.path / "config.json",
            "source_vocabulary": self.source_vocabulary,
            "target_vocabulary": self.target_vocabulary,
            # IndicTrans2 keeps its historical labels, so its fingerprints (memory keys) stay the same.
            **({SPM_SRC: self.spm_src, SPM_TGT: self.spm_tgt} if self.family == "indictrans2" else
               {f"{self.family}:source_spm": self.spm_src, f"{self.family}:target_spm": self.spm_tgt}),
        }

    def fingerprint(self) -> str:
        """16 hex digits from the contents of the model's files (not their paths or times).

        A copied or renamed model keeps its fingerprint, a changed vocabulary changes it, so
        caches such as the translation memory can key on it. model.bin's hash is remembered.
        """
        digest = hashlib.sha256()
        for label, path in self.files().items():
            digest.update(f"{label}\0{cached_sha256(path)}\n".encode())
        return digest.hexdigest()[:16]

    def disk_size(self) -> int:
        """Bytes on disk under the model's root folder (what deleting it would free)."""
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


def validate_model_dir(path: str | os.PathLike[str], name: str | None = None) -> ModelDir:
    """Check a model folder in either accepted layout; ModelError says exactly what is missing.

    `name` (a registry name, for instance) is used for the direction when the folder carries no
    translate_kit.json; by default the folder's own name is tried.
    """
    root = Path(path).expanduser()
    if not root.exists():
        raise ModelError(f"model folder not found: {root}")
    if not root.is_dir():
        raise ModelError(f"{root} is a file; a model is a folder holding model.bin or ct2_int8_model/")
    root, ct2 = _find_ct2_folder(root)
    model_bin = ct2 / "model.bin"
    source_vocab = _vocabulary(ct2, "source")
    target_vocab = _vocabulary(ct2, "target")
    meta = _meta(ct2, root)
    recognised = _recognise(ct2, meta)
    spm_dirs = (ct2 / "vocab", ct2.parent / FAIRSEQ_FOLDER / "vocab", ct2)
    if recognised is not None:
        spm_src, spm_tgt = recognised.files.source_spm, recognised.files.target_spm
    else:  # the IndicTrans2 layout, incomplete: name the missing file
        spm_src = next((d / SPM_SRC for d in spm_dirs if (d / SPM_SRC).is_file()), None)
        spm_tgt = next((d / SPM_TGT for d in spm_dirs if (d / SPM_TGT).is_file()), None)
    missing = [label for label, found in (
        ("model.bin", model_bin.is_file()),
        ("config.json", (ct2 / "config.json").is_file()),
        ("source_vocabulary.json (or .txt)", source_vocab is not None),
        ("target_vocabulary.json (or .txt)", target_vocab is not None),
        (SPM_SRC, spm_src is not None),
        (SPM_TGT, spm_tgt is not None),
    ) if not found]
    if missing:
        looked = ", ".join(str(d) for d in spm_dirs) if spm_src is None or spm_tgt is None else ""
        where = (f" (SentencePiece models looked for in {looked}; other families need "
                 f"sentencepiece.bpe.model or source.spm + target.spm)") if looked else ""
        raise ModelError(f"model folder {ct2} is incomplete: missing {', '.join(missing)}{where}")
    assert source_vocab and target_vocab and spm_src and spm_tgt  # narrowed by `missing` above
    config = read_json(ct2 / "config.json")
    header = read_model_bin(model_bin)
    sizes = (_vocabulary_size(source_vocab), _vocabulary_size(target_vocab))
    _check_vocabularies(header, source_vocab, target_vocab, sizes)
    for spm in (spm_src, spm_tgt):
        _check_sentencepiece(spm)
    model_name = name or (ct2.parent.name if root == ct2 and ct2.name in CT2_SUBFOLDERS else root.name)
    names = (model_name, ct2.parent.name, root.name)
    src, tgt, how = _family_direction(recognised, meta, names) or _direction(ct2, root, model_name, sizes)
    return ModelDir(
        path=ct2, spm_src=spm_src, spm_tgt=spm_tgt, src=src, tgt=tgt, config=config, name=model_name,
        root=root, source_vocabulary=source_vocab, target_vocabulary=target_vocab,
        source_vocab_size=sizes[0], target_vocab_size=sizes[1], direction_from=how, header=header,
        recognised=recognised,
    )


MULTILINGUAL = ("nllb", "m2m100")
_FAMILY_MARKERS = ("sentencepiece.bpe.model", "source.spm", "target.spm")


def _meta(ct2: Path, root: Path) -> dict:
    """The model's translate_kit.json (beside model.bin, else at the root); {} when there is none."""
    for folder in dict.fromkeys((ct2, root)):
        if (folder / META_FILE).is_file():
            meta = read_json(folder / META_FILE)
            return meta if isinstance(meta, dict) else {}
    return {}


def _recognise(ct2: Path, meta: dict) -> Recognised | None:
    """The folder's family; None for a folder that only looks like an incomplete IndicTrans2 model
    (no other family's files, no family named), so the caller names the missing model.SRC/TGT."""
    try:
        return recognise(ct2, meta)
    except ModelError:
        other_family = "family" in meta or any((ct2 / name).is_file() for name in _FAMILY_MARKERS)
        if other_family:
            raise
        return None


def _family_direction(recognised: Recognised | None, meta: dict, names: tuple[str, ...]):
    """(src, tgt, how) for families that decide it themselves: translate_kit.json, then the family's
    rule (OPUS-MT: name or scripts); NLLB-200 / M2M-100 default to hin_Deva -> eng_Latn."""
    if recognised is None or recognised.family.name == "indictrans2":
        return None
    if "src" in meta and "tgt" in meta:
        try:
            return normalize_lang(meta["src"]), normalize_lang(meta["tgt"]), META_FILE
        except (TypeError, ValueError) as exc:
            raise ModelError(f"{META_FILE}: needs \"src\" and \"tgt\" language codes ({exc})") from None
    if recognised.family.name in MULTILINGUAL:
        title = recognised.family.title
        return HINDI, ENGLISH, f"{title} translates both ways (hin_Deva -> eng_Latn unless asked)"
    return family_direction(recognised, names)


def _find_ct2_folder(root: Path) -> tuple[Path, Path]:
    """(model root, model.bin's folder). The folder is the root itself, its ct2_int8_model/
    (preferred) or ct2_fp16_model/, or the same one level down (an archive's own top folder,
    unpacked by hand), which then becomes the root."""
    for base in (root, *_only_subfolder(root)):
        if (base / "model.bin").exists():
            return base, base
        for sub in CT2_SUBFOLDERS:
            if (base / sub).is_dir():
                return base, base / sub
    if (root / "config.json").exists() or any(root.glob("*_vocabulary.*")):
        return root, root  # a plain CT2 folder without model.bin: report what is missing in it
    raise ModelError(
        f"no CTranslate2 model in {root}: expected model.bin (a plain CTranslate2 folder) "
        f"or {CT2_SUBFOLDERS[0]}/ (the IndicTrans2 archive layout)"
    )


def _only_subfolder(root: Path) -> list[Path]:
    children = [p for p in root.iterdir() if not p.name.startswith(".")]
    return children if len(children) == 1 and children[0].is_dir() else []


def _vocabulary(ct2: Path, side: str) -> Path | None:
    """CTranslate2 >= 3.16 writes .json vocabularies, older versions .txt; shared ones serve both sides."""
    for stem in (f"{side}_vocabulary", "shared_vocabulary"):
        for ext in (".json", ".txt"):
            if (ct2 / f"{stem}{ext}").is_file():
                return ct2 / f"{stem}{ext}"
    return None


def _vocabulary_size(path: Path) -> int:
    if path.suffix == ".json":
        tokens = read_json(path)
        if not isinstance(tokens, list):
            raise ModelError(f"{path}: expected a JSON list of tokens")
        return len(tokens)
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def read_json(path: Path):
    """A JSON file of a model folder; a ModelError names the file when it is not valid JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: not valid JSON ({exc})") from None


def _check_vocabularies(header: ModelBinInfo, source: Path, target: Path, sizes: tuple[int, int]) -> None:
    """CTranslate2's converter writes exactly one token per embedding row: any other count is a
    mixed-up folder (a longer vocabulary would index past the matrix, a shorter one would silently
    turn unknown pieces into <unk> and translate garbage)."""
    pairs = ((source, sizes[0], header.source_vocab), (target, sizes[1], header.target_vocab))
    for path, size, rows in pairs:
        if rows is not None and size != rows:
            raise ModelError(
                f"{path} has {size} tokens but model.bin has {rows} embeddings: "
                "the vocabulary belongs to another model"
            )


def _check_sentencepiece(path: Path) -> None:
    import sentencepiece

    try:
        sentencepiece.SentencePieceProcessor(model_file=str(path))
    except (RuntimeError, OSError) as exc:
        raise ModelError(f"{path} is not a SentencePiece model ({str(exc).splitlines()[0]})") from None


def _direction(ct2: Path, root: Path, name: str, sizes: tuple[int, int]) -> tuple[str, str, str]:
    """(src, tgt, what decided it): translate_kit.json, then the name, then vocabulary sizes."""
    for folder in dict.fromkeys((ct2, root)):
        meta_path = folder / META_FILE
        if meta_path.is_file():
            meta = read_json(meta_path)
            try:
                return normalize_lang(meta["src"]), normalize_lang(meta["tgt"]), str(meta_path)
            except (KeyError, TypeError, ValueError) as exc:
                raise ModelError(f"{meta_path}: needs \"src\" and \"tgt\" language codes ({exc})") from None
    for candidate in (name, ct2.parent.name, root.name):
        match = _DIRECTION_IN_NAME.search(candidate)
        if match:
            src, tgt = (HINDI, ENGLISH) if match.group(1).lower() == "indic-en" else (ENGLISH, HINDI)
            return src, tgt, f"name {candidate!r}"
    if sizes[0] != sizes[1]:
        src, tgt = (HINDI, ENGLISH) if sizes[0] > sizes[1] else (ENGLISH, HINDI)
        return src, tgt, f"vocabulary sizes {sizes[0]}/{sizes[1]}"
    raise ModelError(
        f"cannot tell the direction of the model in {ct2}: add {META_FILE} with "
        f'{{"src": "{HINDI}", "tgt": "{ENGLISH}"}} (or the reverse)'
    )
