"""The header of a CTranslate2 model.bin, read without loading any weights."""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError

_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_SCALAR_FORMATS = {"float32": "<f", "int8": "<b", "int16": "<h", "int32": "<i"}
_LEGACY_DTYPES = {4: "float32", 2: "int16", 1: "int8"}


@dataclass(frozen=True)
class ModelBinInfo:
    """What the header of a CTranslate2 model.bin says, read without loading any weights."""

    binary_version: int
    spec: str
    revision: int
    shapes: dict[str, tuple[int, ...]]
    dtypes: dict[str, str]
    scalars: dict[str, float]

    def _rows(self, *names: str) -> int | None:
        return next((self.shapes[n][0] for n in names if n in self.shapes), None)

    def layers(self, side: str) -> int:
        pattern = re.compile(rf"{side}/layer_(\d+)/")
        return len({m.group(1) for name in self.shapes if (m := pattern.match(name))})

    @property
    def d_model(self) -> int | None:
        shape = self.shapes.get("encoder/embeddings_0/weight") or self.shapes.get("encoder/embeddings/weight")
        return shape[1] if shape else None

    @property
    def ffn(self) -> int | None:
        return self._rows("encoder/layer_0/ffn/linear_0/weight")

    @property
    def heads(self) -> int | None:
        heads = self.scalars.get("encoder/num_heads")
        return int(heads) if heads is not None else None

    @property
    def source_vocab(self) -> int | None:
        return self._rows("encoder/embeddings_0/weight", "encoder/embeddings/weight")

    @property
    def target_vocab(self) -> int | None:
        return self._rows("decoder/projection/weight", "decoder/embeddings/weight")

    @property
    def weight_dtype(self) -> str | None:
        return self.dtypes.get("encoder/layer_0/ffn/linear_0/weight")


class _Reader:
    """Sequential reader of model.bin that names the offset where the file ends too early."""

    def __init__(self, handle, path: Path, size: int):
        self.handle, self.path, self.size = handle, path, size

    def read(self, count: int, what: str) -> bytes:
        offset = self.handle.tell()
        data = self.handle.read(count)
        if len(data) < count:
            raise ModelError(
                f"{self.path} is truncated or corrupt: {what} needs {count} bytes at offset {offset}, "
                f"the file has {self.size} bytes (download or convert the model again)"
            )
        return data

    def unpack(self, fmt: str, what: str) -> int:
        return struct.unpack(fmt, self.read(struct.calcsize(fmt), what))[0]

    def string(self, what: str) -> str:
        length = self.unpack("<H", what)
        return self.read(length, what).rstrip(b"\0").decode("utf-8", errors="replace")

    def skip(self, count: int, what: str) -> None:
        offset = self.handle.tell()
        if offset + count > self.size:
            self.read(count, what)  # raises with the same message as a short read
        self.handle.seek(count, os.SEEK_CUR)


def read_model_bin(path: Path) -> ModelBinInfo:
    """Walk the variable headers of a CTranslate2 model.bin, seeking over the weights.

    Costs a few milliseconds even for a 1 GB model, and catches what otherwise only shows up
    as a C++ error at load time: a truncated download, a saved HTML error page, a wrong file.
    Follows the serialisation of CTranslate2 binary versions 1-6 (ctranslate2/specs/model_spec.py).
    """
    size = path.stat().st_size
    with open(path, "rb") as handle:
        reader = _Reader(handle, path, size)
        version = reader.unpack("<I", "the binary version")
        if not 1 <= version <= 64:
            raise ModelError(f"{path} is not a CTranslate2 model (header reads binary version {version})")
        spec, revision = "", 1
        if version >= 2:
            spec = reader.string("the spec name")
            revision = reader.unpack("<I", "the spec revision")
        count = reader.unpack("<I", "the variable count")
        shapes: dict[str, tuple[int, ...]] = {}
        dtypes: dict[str, str] = {}
        scalars: dict[str, float] = {}
        for _ in range(count):
            name = reader.string("a variable name")
            rank = reader.unpack("<B", f"the rank of {name}")
            shape = struct.unpack(f"<{rank}I", reader.read(4 * rank, f"the shape of {name}"))
            if version >= 4:
                type_id = reader.unpack("<B", f"the type of {name}")
                dtype = _DTYPES[type_id] if type_id < len(_DTYPES) else f"type{type_id}"
                nbytes = reader.unpack("<I", f"the size of {name}")
            else:
                item = reader.unpack("<B", f"the item size of {name}")
                dtype = _LEGACY_DTYPES.get(item, f"width{item}")
                nbytes = reader.unpack("<I", f"the size of {name}") * item
            shapes[name], dtypes[name] = shape, dtype
            if rank == 0 and dtype in _SCALAR_FORMATS and nbytes == struct.calcsize(_SCALAR_FORMATS[dtype]):
                scalars[name] = struct.unpack(_SCALAR_FORMATS[dtype], reader.read(nbytes, name))[0]
            else:
                reader.skip(nbytes, f"the weights of {name}")
        if version >= 3:
            for _ in range(reader.unpack("<I", "the alias count")):
                alias = reader.string("an alias")
                target = reader.string("an aliased variable")
                if target in shapes:  # a shared matrix (NLLB, OPUS-MT embeddings) is stored once
                    shapes[alias], dtypes[alias] = shapes[target], dtypes[target]
    return ModelBinInfo(version, spec, revision, shapes, dtypes, scalars)
