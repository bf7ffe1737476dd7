"""Progress on stderr for long commands: a live bar on a terminal, a plain line now and then elsewhere.

A bar (tqdm: count, rate, ETA) is drawn only when stderr is a terminal; redirected to a file or a
CI log, redrawing would fill it with carriage returns, so a plain line ("translate: 120/400
sentences (30%), 12.3/s, about 23 s left") is written at the first update (the run's start, so
within a second or two) and then every `PLAIN_EVERY` seconds. `quiet` draws nothing.

The rate and ETA come from `RateWindow`, the last `WINDOW_SECONDS` of work, not the run's
average: the first seconds (model loading, a small first engine call) once gave an ETA of 6,851 s
for a 5-minute run (issue 22), and a run whose speed changes (another job on the machine) is
followed within a minute.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm

PLAIN_EVERY = 10.0
"""Seconds between plain progress lines when stderr is not a terminal."""
WINDOW_SECONDS = 60.0
"""The span of recent work the rate is measured over."""


class RateWindow:
    """Rate and ETA from the work done in the last `window` seconds.

    `add(done)` records a cumulative count at the clock's time; `rate()` is the count gained from
    the oldest point kept (the newest one at least `window` old, or the first) to the newest, over
    the time between them; `eta(total)` the remaining count at that rate. None until some work was
    done over some time.
    """

    def __init__(self, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.window, self.clock = window, clock
        self.points: deque[tuple[float, int]] = deque()

    def add(self, done: int) -> None:
        now = self.clock()
        self.points.append((now, done))
        while len(self.points) > 2 and self.points[1][0] <= now - self.window:
            self.points.popleft()  # keep one point at or before the window's start

    def rate(self) -> float | None:
        if len(self.points) < 2:
            return None
        (start, first), (end, last) = self.points[0], self.points[-1]
        if end <= start or last <= first:
            return None
        return (last - first) / (end - start)

    def eta(self, total: int) -> float | None:
        rate = self.rate()
        return None if rate is None else max(0, total - self.points[-1][1]) / rate


class Progress:
    """`update(done, total)` as work finishes; `close()` at the end (also a context manager)."""

    def __init__(self, label: str, unit: str, *, quiet: bool = False, stream: TextIO | None = None):
        self.label, self.unit, self.quiet = label, unit, quiet
        self.stream = stream or sys.stderr
        self.bar: tqdm | None = None
        self.window = RateWindow()
        self.last_line: float | None = None
        self.terminal = self.stream.isatty()

    def update(self, done: int, total: int) -> None:
        if self.quiet or not total:
            return
        self.window.add(done)
        if self.terminal:
            if self.bar is None:
                self.bar = tqdm(total=total, unit=self.unit, file=self.stream, dynamic_ncols=True,
                                desc=self.label, mininterval=0.2)
            self.bar.total = total
            if done > self.bar.n:
                self.bar.update(done - self.bar.n)
            return
        now = time.monotonic()
        if (self.last_line is None or now - self.last_line >= PLAIN_EVERY) and done < total:
            self.last_line = now
            self.stream.write(self.line(done, total) + "\n")
            self.stream.flush()

    def line(self, done: int, total: int) -> str:
        """The plain line: count, share, the window's rate and ETA (left out until measured)."""
        rate, eta = self.window.rate(), self.window.eta(total)
        speed = f", {rate:.1f}/s, about {eta:.0f} s left" if rate is not None and eta is not None else ""
        return f"{self.label}: {done}/{total} {self.unit} ({100 * done / total:.0f}%){speed}"

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
