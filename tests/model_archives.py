"""Helpers for model tests: lay a tiny model out as the official IndicTrans2 archive and pack it."""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from pathlib import Path

CHECKPOINT = "fairseq_model/model/checkpoint_best.pt"


def official_layout(model: Path, root: Path, *, spm_in_fairseq: bool = False, with_meta: bool = True) -> Path:
    """`root/ct2_int8_model/` holding `model`, plus a stand-in fairseq checkpoint.

    With `spm_in_fairseq` the SentencePiece models live only in `root/fairseq_model/vocab/`, as in
    archives whose CT2 folders lack `vocab/`. Without `with_meta` the folder carries no
    translate_kit.json, like the published archives.
    """
    ct2 = root / "ct2_int8_model"
    shutil.copytree(model, ct2)
    if not with_meta:
        (ct2 / "translate_kit.json").unlink()
    checkpoint = root / CHECKPOINT
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_bytes(b"fairseq checkpoint stand-in")
    if spm_in_fairseq:
        shutil.move(ct2 / "vocab", root / "fairseq_model" / "vocab")
    return root


def pack(folder: Path, archive: Path) -> Path:
    """Pack `folder` (as the archive's single top folder) into a .tar.gz or .zip, by suffix."""
    if archive.name.endswith(".tar.gz"):
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(folder, arcname=folder.name)
    else:
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(folder.rglob("*")):
                zipped.write(path, Path(folder.name, path.relative_to(folder)).as_posix())
    return archive
