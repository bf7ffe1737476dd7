"""Progress on stderr for long commands: a live bar on a terminal, a plain line now and then elsewhere.

A bar (tqdm: count, rate, ETA) is drawn only when stderr is a terminal; redirected to a file or a
CI log, redrawing would fill it with carriage returns, so a plain line ("translate: 120/400
sentences (30%), 12.3/s, about 23 s left") is written every `PLAIN_EVERY` seconds instead.
`quiet` draws nothing.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from tqdm import tqdm

PLAIN_EVERY = 10.0
"""Seconds between plain progress lines when stderr is not a terminal."""


class Progress:
    """`update(done, total)` as work finishes; `close()` at the end (also a context manager)."""

    def __init__(self, label: str, unit: str, *, quiet: bool = False, stream: TextIO | None = None):
        self.label, self.unit, self.quiet = label, unit, quiet
        self.stream = stream or sys.stderr
        self.bar: tqdm | None = None
        self.started = time.monotonic()
        self.last_line = self.started
        self.terminal = self.stream.isatty()

    def update(self, done: int, total: int) -> None:
        if self.quiet or not total:
            return
        if self.terminal:
            if self.bar is None:
                self.bar = tqdm(total=total, unit=self.unit, file=self.stream, dynamic_ncols=True,
                                desc=self.label, mininterval=0.2)
            self.bar.total = total
            if done > self.bar.n:
                self.bar.update(done - self.bar.n)
            return
        now = time.monotonic()
        if now - self.last_line >= PLAIN_EVERY and done < total:
            self.last_line = now
            self.stream.write(self.line(done, total, now - self.started) + "\n")
            self.stream.flush()

    def line(self, done: int, total: int, seconds: float) -> str:
        rate = done / seconds if seconds > 0 else 0.0
        left = f", about {(total - done) / rate:.0f} s left" if rate > 0 else ""
        return f"{self.label}: {done}/{total} {self.unit} ({100 * done / total:.0f}%), {rate:.1f}/s{left}"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PassBars:
    """`corpus build`'s progress(stage, done, total): a tqdm bar per pass ("learning", "aligning"),
    each closed when its pass is done. `show` None draws them only when stderr is a terminal."""

    def __init__(self, show: bool | None):
        self.disable = None if show is None else not show
        self.bars: dict[str, tqdm] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.bars:
            self.bars[stage] = tqdm(total=total, desc=stage, unit="doc", disable=self.disable)
        bar = self.bars[stage]
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
