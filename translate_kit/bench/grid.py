"""The settings a benchmark measures: `--grid key=v1,v2` options expanded into their cross product.

Each key names one knob of the pipeline, typed and checked here so that a typo fails before any
process starts. Values that only CTranslate2 can judge (a compute type this CPU lacks) are passed
through on purpose: the child reports them, and that row is marked unsupported while the others
are still measured.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..engine import DecodeOptions
from ..errors import TranslateKitError

DEFAULTS = DecodeOptions()  # a knob left out of the grid runs as the pipeline does by default


@dataclass(frozen=True)
class Knob:
    """One grid key: its type, its lower bound (ints), what it controls and its default."""

    name: str
    kind: type
    default: object
    help: str
    minimum: int = 0


KNOBS: dict[str, Knob] = {
    knob.name: knob
    for knob in (
        Knob("compute_type", str, "int8", "CTranslate2 compute type (int8, int8_float32, float32, ...)"),
        Knob("beam", int, DEFAULTS.beam_size, "beam size (1 = greedy)", 1),
        Knob("threads", int, 0, "CPU threads in all (0 = every core this process may use)"),
        Knob("inter_threads", int, 0, "parallel batch workers sharing the threads (0 = pipeline's)"),
        Knob("batch_tokens", int, DEFAULTS.max_batch_tokens, "source tokens per batch", 1),
        Knob("no_repeat_ngram", int, DEFAULTS.no_repeat_ngram_size, "repetition guard (0 = off)"),
    )
}

Setting = dict[str, object]


def parse_value(knob: Knob, text: str) -> object:
    """Convert one grid value to the knob's type, refusing what can never work."""
    text = text.strip()
    if knob.kind is str:
        if not text:
            raise TranslateKitError(f"--grid {knob.name}: empty value")
        return text
    try:
        value = int(text)
    except ValueError:
        raise TranslateKitError(f"--grid {knob.name}: {text!r} is not a whole number") from None
    if value < knob.minimum:
        raise TranslateKitError(f"--grid {knob.name}: {value} is below the minimum {knob.minimum}")
    return value


def parse_grid(specs: Iterable[str]) -> dict[str, list[object]]:
    """`["beam=1,5", "threads=1,2"]` -> {"beam": [1, 5], "threads": [1, 2]}, keys in the given order.

    A key given twice, an unknown key or a malformed value raises TranslateKitError naming it.
    """
    grid: dict[str, list[object]] = {}
    for spec in specs:
        key, sep, values = spec.partition("=")
        key = key.strip()
        if not sep:
            raise TranslateKitError(f"--grid {spec!r}: expected KEY=V1,V2,... (keys: {', '.join(KNOBS)})")
        if key not in KNOBS:
            raise TranslateKitError(f"--grid: unknown key {key!r} (known: {', '.join(KNOBS)})")
        if key in grid:
            raise TranslateKitError(f"--grid {key} given twice: list every value in one option")
        parsed = [parse_value(KNOBS[key], value) for value in values.split(",")]
        grid[key] = list(dict.fromkeys(parsed))  # duplicates would only measure the same thing twice
    return grid


def expand(grid: dict[str, Sequence[object]]) -> list[Setting]:
    """Every combination, each a full setting (knobs not in the grid take their defaults).

    The order is the cross product in the order the keys were given, last key varying fastest,
    so the table reads like the command line.
    """
    keys = list(grid)
    settings = []
    for combination in itertools.product(*(grid[key] for key in keys)):
        setting = {name: knob.default for name, knob in KNOBS.items()}
        setting.update(zip(keys, combination, strict=True))
        settings.append(setting)
    return settings


def label(setting: Setting, keys: Sequence[str] | None = None) -> str:
    """A short human label such as `int8 beam=5 threads=2`; only `keys` (default: all) are named."""
    parts = []
    for key in keys if keys is not None else KNOBS:
        value = setting[key]
        parts.append(str(value) if key == "compute_type" else f"{key}={value}")
    return " ".join(parts)


def slug(setting: Setting) -> str:
    """A file-name-safe identifier of a full setting, stable across runs."""
    return "_".join(f"{key}-{setting[key]}" for key in KNOBS)
