#!/usr/bin/env python3
"""Convert an NLLB-200, M2M-100 or OPUS-MT checkpoint to a CTranslate2 model folder (int8).

NAME_OR_PATH is a local folder (a Transformers checkpoint with config.json, or an OPUS-MT Marian
release with decoder.yml), a registry name (`nllb-200-distilled-600M`, `opus-mt-hi-en`, ...) or a
Hugging Face repository id (`facebook/nllb-200-distilled-600M`), whose files are downloaded first
(resumable: run it again after a cut connection). It wraps `ct2-transformers-converter` (with
`--copy_files` for the SentencePiece models) or `ct2-marian-converter` (then copies source.spm and
target.spm), writes translate_kit.json (family, direction of a one-way model, provenance) and
validates the result before renaming it into place.

    python scripts/convert_hf.py facebook/nllb-200-distilled-600M -o models/nllb-200-distilled-600M
    python scripts/convert_hf.py ~/opus-mt-hi-en -o models/opus-mt-hi-en --dry-run

Real conversions need `transformers` and `torch` (Transformers checkpoints) or PyYAML (Marian).
"""

from __future__ import annotations

import argparse
import importlib.util
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from translate_kit.errors import TranslateKitError
from translate_kit.models import REGISTRY
from translate_kit.models.convert import (
    HUB_FILES,
    QUANTIZATIONS,
    convert_checkpoint,
    converter_command,
    download_checkpoint,
    hub_url,
    missing_inputs,
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", metavar="NAME_OR_PATH", help="checkpoint folder, registry name or Hub id")
    parser.add_argument("-o", "--output", type=Path, help="model folder to create (default: the name)")
    parser.add_argument("--quantization", choices=QUANTIZATIONS, default="int8")
    parser.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and the command, run nothing")
    return parser.parse_args(argv)


def hub_source(source: str) -> tuple[str, str, tuple[str, str] | None] | None:
    """(repository, family, direction) for a registry name or its Hub id; None for anything else
    (a folder: its family is read from its files, never guessed from a name)."""
    for entry in REGISTRY.values():
        if entry.hub_repo and source in (entry.name, entry.hub_repo):
            return entry.hub_repo, entry.family, (entry.src, entry.tgt)
    return None


def missing_tools(folder: Path | None, family: str) -> list[str]:
    """What a real conversion needs beyond its inputs."""
    marian = folder is not None and (folder / "decoder.yml").is_file()
    tool = "ct2-marian-converter" if marian else "ct2-transformers-converter"
    problems = [] if shutil.which(tool) else [f"{tool} not found on PATH (pip install ctranslate2)"]
    needed = ("yaml",) if marian else ("transformers", "torch")
    problems += [f"{module} is not installed; {tool} needs it" for module in needed
                 if importlib.util.find_spec(module) is None]
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    hub = hub_source(args.source)
    name = (hub[0].split("/")[1] if hub else Path(args.source).name)
    output = args.output or Path(name)
    problems = [f"{output} exists (use --force to replace it)"] if output.exists() and not args.force else []
    folder = None if hub else Path(args.source).expanduser()
    if folder is not None:
        if not folder.is_dir():
            known = ", ".join(e.name for e in REGISTRY.values() if e.hub_repo)
            problems.append(f"{folder} is not a checkpoint folder nor one of {known} (for another Hub "
                            "model, download its files into a folder and pass that)")
        else:
            try:
                problems += missing_inputs(folder)
            except TranslateKitError as exc:
                problems.append(str(exc))
    if not args.dry_run and not problems:
        problems += missing_tools(folder, hub[1] if hub else "")
    if problems:
        for problem in problems:
            print(f"Error: {problem}", file=sys.stderr)
        return 1
    if args.dry_run:
        return dry_run(hub, folder, output, args.quantization)
    try:
        if hub:
            repo, family, direction = hub
            folder = output.parent / f".{output.name}.checkpoint"
            digests = download_checkpoint(repo, family, folder)
            meta = {"converted_from": f"https://huggingface.co/{repo}", "files_sha256": digests}
            if direction and family == "marian":
                meta.update(src=direction[0], tgt=direction[1])
        else:
            meta = {"converted_from": str(folder.resolve())}
        model = convert_checkpoint(folder, output, quantization=args.quantization, meta=meta,
                                   run=subprocess.run)
    except TranslateKitError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    if hub:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"converted {model.family} model written to {output} ({model.src} -> {model.tgt})")
    return 0


def dry_run(hub, folder: Path | None, output: Path, quantization: str) -> int:
    if hub:
        repo, family, _ = hub
        files = HUB_FILES[family]
        checkpoint = output.parent / f".{output.name}.checkpoint"
        print(f"download into {checkpoint}/ (resumable):")
        for name in (*files.required, *files.optional):
            print(f"  {hub_url(repo, name)}{'' if name in files.required else '  (if present)'}")
        command = ["ct2-transformers-converter", "--model", str(checkpoint), "--output_dir",
                   str(output), "--quantization", quantization, "--copy_files", *files.spm]
        print(shlex.join(command))
        return 0
    assert folder is not None
    command, copy = converter_command(folder, output, quantization)
    print(shlex.join(command))
    if copy:
        print(f"then copy {', '.join(copy)} from {folder} into {output}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
