"""Hugging Face and Marian checkpoints (NLLB-200, M2M-100, OPUS-MT) into CTranslate2 model folders.

NLLB-200 and OPUS-MT are published as PyTorch checkpoints, not CTranslate2 folders, so installing
one is: download its files (each resumable and resumed, as archives are; the Hub publishes no
checksums we could pin, so the sha256 of every file is recorded instead), run CTranslate2's
converter with int8 weights, copy the SentencePiece model(s) in, validate, then rename into place:

- a Transformers folder (config.json with model_type `m2m_100` or `marian`):
  `ct2-transformers-converter --model DIR --quantization int8 --copy_files <SentencePiece files>`;
- a Marian release (decoder.yml naming the .npz and vocabulary files, as OPUS-MT zips hold):
  `ct2-marian-converter --model_path X.npz --vocab_paths A.yml B.yml --quantization int8`, then
  source.spm / target.spm copied beside model.bin.

Conversion needs the `transformers` and `torch` packages (Transformers folders) or PyYAML (Marian);
`scripts/convert_hf.py` wraps this for a name or a folder, and `translate-kit models fetch` uses it
for the registry's Hub models.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..download import HTTPStatusError, OfflineError, download, file_sha256
from ..errors import ModelError
from .validate import META_FILE, ModelDir, validate_model_dir

QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int16", "float16", "float32")
HUB = "https://huggingface.co"


@dataclass(frozen=True)
class HubFiles:
    """The files of a Hub checkpoint that a conversion needs (`optional` may be absent)."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    spm: tuple[str, ...]  # SentencePiece files copied beside model.bin


HUB_FILES = {
    "nllb": HubFiles(
        ("config.json", "pytorch_model.bin", "sentencepiece.bpe.model", "tokenizer_config.json",
         "special_tokens_map.json"),
        ("generation_config.json", "tokenizer.json"),
        ("sentencepiece.bpe.model",),
    ),
    "m2m100": HubFiles(
        ("config.json", "pytorch_model.bin", "sentencepiece.bpe.model", "vocab.json", "tokenizer_config.json",
         "special_tokens_map.json"),
        ("generation_config.json",),
        ("sentencepiece.bpe.model",),
    ),
    "marian": HubFiles(
        ("config.json", "pytorch_model.bin", "source.spm", "target.spm", "vocab.json",
         "tokenizer_config.json"),
        ("generation_config.json", "special_tokens_map.json"),
        ("source.spm", "target.spm"),
    ),
}


def hub_url(repo: str, filename: str, revision: str = "main") -> str:
    return f"{HUB}/{repo}/resolve/{revision}/{filename}"


def checkpoint_family(folder: Path) -> str:
    """The family of a Transformers folder, from config.json's model_type and its tokenizer files."""
    config_path = folder / "config.json"
    if (folder / "decoder.yml").is_file():
        return "marian"
    if not config_path.is_file():
        raise ModelError(
            f"{folder} is neither a Transformers checkpoint (config.json) nor a Marian release (decoder.yml)"
        )
    model_type = json.loads(config_path.read_text(encoding="utf-8")).get("model_type")
    if model_type == "marian":
        return "marian"
    if model_type == "m2m_100":
        tokenizer = folder / "tokenizer_config.json"
        text = tokenizer.read_text(encoding="utf-8") if tokenizer.is_file() else ""
        return "nllb" if "Nllb" in text or not (folder / "vocab.json").is_file() else "m2m100"
    raise ModelError(f"{config_path}: model_type {model_type!r} is not NLLB-200, M2M-100 or OPUS-MT (Marian)")


def converter_command(folder: Path, output: Path, quantization: str) -> tuple[list[str], tuple[str, ...]]:
    """The CTranslate2 converter call for `folder`, and the SentencePiece files to copy afterwards
    (none for ct2-transformers-converter, which copies them itself with --copy_files)."""
    family = checkpoint_family(folder)
    spm = HUB_FILES[family].spm
    if (folder / "decoder.yml").is_file():
        import yaml

        decoder = yaml.safe_load((folder / "decoder.yml").read_text(encoding="utf-8"))
        return [
            "ct2-marian-converter", "--model_path", str(folder / decoder["models"][0]),
            "--vocab_paths", *(str(folder / path) for path in decoder["vocabs"]),
            "--output_dir", str(output), "--quantization", quantization,
        ], spm
    return [
        "ct2-transformers-converter", "--model", str(folder), "--output_dir", str(output),
        "--quantization", quantization, "--copy_files", *spm,
    ], ()


def missing_inputs(folder: Path) -> list[str]:
    """The files a conversion of `folder` needs and does not find (every one at once)."""
    if (folder / "decoder.yml").is_file():
        return [f"{name} not found in {folder}" for name in HUB_FILES["marian"].spm
                if not (folder / name).is_file()]
    family = checkpoint_family(folder)
    weights = ("pytorch_model.bin", "model.safetensors")
    required = [name for name in HUB_FILES[family].required if name not in weights]
    problems = [f"{name} not found in {folder}" for name in required if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in weights):
        problems.append(f"no weights in {folder} (pytorch_model.bin or model.safetensors)")
    return problems


def convert_checkpoint(
    folder: Path,
    output: Path,
    *,
    quantization: str = "int8",
    meta: dict | None = None,
    run: Callable[..., object] | None = None,
) -> ModelDir:
    """Convert `folder` into the model folder `output` (replaced): converter into a hidden folder
    beside it, SentencePiece files copied, translate_kit.json written, validated, renamed."""
    command, copy = converter_command(folder, output, quantization)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        ct2 = staging / "model"
        command[command.index("--output_dir") + 1] = str(ct2)
        try:
            (run or subprocess.run)(command, check=True)
        except FileNotFoundError:
            raise ModelError(f"{command[0]} not found on PATH (pip install ctranslate2)") from None
        except subprocess.CalledProcessError as exc:
            raise ModelError(f"{command[0]} failed with exit status {exc.returncode}") from None
        for name in copy:
            shutil.copy2(folder / name, ct2 / name)
        info = {"family": checkpoint_family(folder), "quantization": quantization, **(meta or {})}
        (ct2 / META_FILE).write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        validate_model_dir(ct2, name=output.name)
        if output.exists():
            shutil.rmtree(output)
        ct2.rename(output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return validate_model_dir(output, name=output.name)


def download_checkpoint(repo: str, family: str, dest: Path, *, quiet: bool = False) -> dict[str, str]:
    """Download a Hub checkpoint's files into `dest` (each resumed from its .part file if a previous
    attempt was cut); returns the sha256 of each file. A missing optional file is skipped."""
    files = HUB_FILES[family]
    digests: dict[str, str] = {}
    dest.mkdir(parents=True, exist_ok=True)
    for name in (*files.required, *files.optional):
        target = dest / name
        if not target.is_file():
            try:
                part = download(hub_url(repo, name), dest / f"{name}.part", quiet=quiet,
                                label=f"{repo}/{name}")
            except HTTPStatusError:
                if name in files.optional:
                    continue
                raise
            part.rename(target)
        digests[name] = file_sha256(target)
    return digests


def fetch_checkpoint(repo: str, family: str, name: str, target: Path, downloads: Path, *,
                     direction: tuple[str, str] | None = None, quiet: bool = False,
                     run: Callable[..., object] | None = None) -> ModelDir:
    """Download (resumable) and convert a Hub checkpoint into `target`; the downloaded files are
    removed once the converted model is installed."""
    dest = downloads / f"{name}.checkpoint"
    try:
        digests = download_checkpoint(repo, family, dest, quiet=quiet)
    except OfflineError as exc:
        raise ModelError(
            f"cannot download {repo}, no connection ({exc}). To get the model: run "
            f"`translate-kit models fetch {name}` on a connected machine and copy {target} here, "
            f"or convert a local copy with `python scripts/convert_hf.py PATH -o {target}`"
        ) from None
    meta: dict = {"converted_from": f"{HUB}/{repo}", "name": name, "files_sha256": digests}
    if direction and family == "marian":  # one-way models; NLLB-200 and M2M-100 take the asked direction
        meta.update(src=direction[0], tgt=direction[1])
    model = convert_checkpoint(dest, target, meta=meta, run=run)
    shutil.rmtree(dest, ignore_errors=True)
    return model

