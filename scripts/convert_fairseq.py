#!/usr/bin/env python3
"""Convert a fairseq IndicTrans2 checkpoint to CTranslate2 (int8) in the official IndicTrans2 layout.

Wraps `ct2-fairseq-converter` (shipped with the ctranslate2 package), which needs `fairseq`
installed and IndicTrans2's `model_configs/` as `--user_dir` (it registers the custom
architectures such as transformer_18_18). The result is the layout `translate-kit` reads:

    OUTPUT/ct2_int8_model/{model.bin, config.json, *_vocabulary.json, vocab/model.SRC, vocab/model.TGT}
    OUTPUT/translate_kit.json   (direction, when --direction is given)

    python scripts/convert_fairseq.py --fairseq-dir indic-en/fairseq_model \\
        --user-dir IndicTrans2/model_configs --direction indic-en -o my-indic-en
    python scripts/convert_fairseq.py ... --dry-run    # print the plan and the command, run nothing

The conversion is written into a hidden folder beside OUTPUT and validated before it is renamed,
so a failed or killed conversion never leaves a folder that looks like a model.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int16", "float16", "float32")
DIRECTIONS = {"indic-en": ("hin_Deva", "eng_Latn"), "en-indic": ("eng_Latn", "hin_Deva")}


def fairseq_inputs(fairseq_dir: Path, checkpoint: Path | None) -> dict[str, Path]:
    """The files of IndicTrans2's fairseq_model/ folder that the conversion needs."""
    return {
        "checkpoint": checkpoint or fairseq_dir / "model" / "checkpoint_best.pt",
        "source dictionary": fairseq_dir / "final_bin" / "dict.SRC.txt",
        "target dictionary": fairseq_dir / "final_bin" / "dict.TGT.txt",
        "source SentencePiece": fairseq_dir / "vocab" / "model.SRC",
        "target SentencePiece": fairseq_dir / "vocab" / "model.TGT",
    }


def converter_command(
    inputs: dict[str, Path], user_dir: Path, output_dir: Path, quantization: str
) -> list[str]:
    """The ct2-fairseq-converter call; SRC/TGT are the suffixes of IndicTrans2's dict files."""
    return [
        "ct2-fairseq-converter",
        "--model_path", str(inputs["checkpoint"]),
        "--data_dir", str(inputs["source dictionary"].parent),
        "--user_dir", str(user_dir),
        "--source_lang", "SRC",
        "--target_lang", "TGT",
        "--output_dir", str(output_dir),
        "--quantization", quantization,
    ]


def ct2_folder_name(quantization: str) -> str:
    """ct2_int8_model for int8 variants, as in the official archives; ct2_<type>_model otherwise."""
    return "ct2_int8_model" if quantization.startswith("int8") else f"ct2_{quantization}_model"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fairseq-dir", type=Path, required=True,
                        help="IndicTrans2 fairseq_model/ folder (model/, final_bin/, vocab/)")
    parser.add_argument("--checkpoint", type=Path, help="checkpoint file (default: model/checkpoint_best.pt)")
    parser.add_argument("--user-dir", type=Path, required=True, help="IndicTrans2's model_configs/ folder")
    parser.add_argument("-o", "--output", type=Path, required=True, help="model folder to create")
    parser.add_argument("--quantization", choices=QUANTIZATIONS, default="int8")
    parser.add_argument("--direction", choices=sorted(DIRECTIONS),
                        help="write translate_kit.json naming the direction")
    parser.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and the command, run nothing")
    return parser.parse_args(argv)


def check_inputs(args: argparse.Namespace, inputs: dict[str, Path]) -> list[str]:
    """Every problem at once, so a user fixes them in one go."""
    problems = [f"{label} not found: {path}" for label, path in inputs.items() if not path.is_file()]
    if not args.user_dir.is_dir():
        problems.append(f"--user-dir not found: {args.user_dir} (IndicTrans2's model_configs/ folder)")
    if args.output.exists() and not args.force:
        problems.append(f"{args.output} exists (use --force to replace it)")
    if not args.dry_run:
        problems.extend(missing_tools())
    return problems


def missing_tools() -> list[str]:
    """What a real conversion needs beyond the inputs."""
    problems = []
    if importlib.util.find_spec("fairseq") is None:
        problems.append("fairseq is not installed (pip install fairseq); ct2-fairseq-converter needs it")
    if shutil.which("ct2-fairseq-converter") is None:
        problems.append("ct2-fairseq-converter not found on PATH (pip install ctranslate2)")
    return problems


def convert(args: argparse.Namespace, inputs: dict[str, Path]) -> Path:
    """Run the converter into a hidden folder beside the output, add the SPM models, validate, rename."""
    from translate_kit.models import validate_model_dir

    args.output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{args.output.name}.", dir=args.output.parent))
    try:
        ct2 = staging / ct2_folder_name(args.quantization)
        subprocess.run(converter_command(inputs, args.user_dir, ct2, args.quantization), check=True)
        (ct2 / "vocab").mkdir()
        shutil.copy2(inputs["source SentencePiece"], ct2 / "vocab" / "model.SRC")
        shutil.copy2(inputs["target SentencePiece"], ct2 / "vocab" / "model.TGT")
        if args.direction:
            src, tgt = DIRECTIONS[args.direction]
            meta = {"src": src, "tgt": tgt, "converted_from": str(inputs["checkpoint"]),
                    "quantization": args.quantization}
            (staging / "translate_kit.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        validate_model_dir(staging, name=args.output.name)
        if args.output.exists():
            shutil.rmtree(args.output)
        staging.rename(args.output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return args.output


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    inputs = fairseq_inputs(args.fairseq_dir, args.checkpoint)
    problems = check_inputs(args, inputs)
    if problems:
        for problem in problems:
            print(f"Error: {problem}", file=sys.stderr)
        return 1
    command = converter_command(inputs, args.user_dir, args.output / ct2_folder_name(args.quantization),
                                args.quantization)
    if args.dry_run:
        print(shlex.join(command))
        print(f"then copy {inputs['source SentencePiece']} and {inputs['target SentencePiece']} "
              f"into {args.output / ct2_folder_name(args.quantization) / 'vocab'}/")
        return 0
    from translate_kit.errors import TranslateKitError

    try:
        output = convert(args, inputs)
    except subprocess.CalledProcessError as exc:
        print(f"Error: ct2-fairseq-converter failed with exit status {exc.returncode}", file=sys.stderr)
        return 1
    except TranslateKitError as exc:
        print(f"Error: the converted model is not usable: {exc}", file=sys.stderr)
        return 1
    print(f"converted model written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
