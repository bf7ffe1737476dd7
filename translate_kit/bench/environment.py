"""What a benchmark number depends on, recorded beside it: machine, software, model, test set, settings.

A tokens/s figure without the CPU, the library versions and the exact model and input is not
reproducible; environment.json makes two runs comparable (or shows why they are not).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import platform
import shlex
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

LIBRARIES = (
    "translate-kit", "ctranslate2", "sentencepiece", "sacrebleu", "numpy", "pandas",
    "indic-nlp-library", "sacremoses", "torch", "transformers",
)


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo (Linux), else what platform reports."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> list[str]:
    """The SIMD extensions that decide which CTranslate2 kernels run (AVX2, AVX-512, VNNI...)."""
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_int8", "neon")
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(("flags", "Features")):
                    present = set(line.split(":", 1)[1].split())
                    return [flag for flag in wanted if flag in present]
    except OSError:
        pass
    return []


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def machine() -> dict[str, Any]:
    import ctranslate2

    from ..engine import available_cores

    memory = psutil.virtual_memory()
    return {
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "usable_cores": available_cores(),
        "memory_total_mb": round(memory.total / 2**20),
        "memory_available_mb": round(memory.available / 2**20),
        # Other work on the machine slows every setting: the load average says how busy it was.
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "os": platform.platform(),
        "ct2_cpu_compute_types": sorted(ctranslate2.get_supported_compute_types("cpu")),
    }


def capture(
    *,
    model: Any,
    source: Path,
    reference: Path | None,
    settings: list[dict[str, Any]],
    plan: dict[str, Any],
    synthetic: bool,
    argv: list[str] | None = None,
) -> dict[str, Any]:
    """Everything needed to reproduce or compare a run; `model` is a translate_kit.models.ModelDir."""
    command = argv if argv is not None else sys.argv
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": shlex.join(command),
        "machine": machine(),
        "software": library_versions(),
        "model": {
            "name": model.name,
            "path": str(model.path),
            "direction": f"{model.src} -> {model.tgt}",
            "fingerprint": model.fingerprint(),
            "disk_mb": round(model.disk_size() / 2**20, 1),
            "synthetic": synthetic,
        },
        "test_set": {
            "source": str(source),
            "source_sha256": sha256_file(source),
            "reference": str(reference) if reference else None,
            "reference_sha256": sha256_file(reference) if reference else None,
        },
        "plan": plan,
        "settings": settings,
    }
