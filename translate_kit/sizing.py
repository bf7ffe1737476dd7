"""Engine calls sized by measured time: each call holds about `TARGET_SECONDS` of work.

A fixed token budget holds a different amount of time at every beam size, model shape and machine:
512 padded tokens were about 3 s of one worker's time at beam 5 on the dist-200M shape, and with
two calls per worker in flight the first finished sentences reached the memory a minute into a run
(issue 22). So the first call of a run is small (`FIRST_TOKENS`, a few sentences) and each next
call is sized from the rate the calls before it were decoded at (padded tokens per second per
worker, smoothed), never above the options' `max_batch_tokens`, which stays the memory ceiling.
Saving, progress and Ctrl-C then all move about once a second from the first second on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

TARGET_SECONDS = 1.0
"""Work per engine call: short enough that a Ctrl-C or a kill loses at most about this much."""
FIRST_TOKENS = 64
"""The first call's padded tokens, before anything is measured: a few sentences."""
MIN_TOKENS = 16
SMOOTHING = 0.3
"""Weight of the newest measurement: a few calls follow a change of load, one slow call does not
halve the next."""


class CallSizer:
    """Padded-token budget for the next engine call, from the measured decode rate.

    `budget(ceiling)` gives the next call's tokens; `measured(tokens, seconds)` records what a
    collected call held and how long the workers took for it. Shared by the calls of one model and
    decoding setup (a rate at beam 1 says nothing of beam 5), so later runs start at the learned rate.
    """

    def __init__(self, workers: int = 1, target_seconds: float | None = TARGET_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.workers = max(1, workers)
        self.target_seconds = target_seconds
        self.clock = clock
        self._tokens = self._seconds = 0.0  # smoothed apart: a near-zero gap cannot blow the rate up
        self._lock = threading.Lock()

    def budget(self, ceiling: int) -> int:
        """Tokens for the next call, at most `ceiling` (the memory bound) and at least MIN_TOKENS."""
        with self._lock:  # serve's batcher and Ray actors may size from several threads
            rate = self.rate
        if self.target_seconds is None:  # a fixed budget
            return ceiling
        wanted = FIRST_TOKENS if rate is None else int(rate / self.workers * self.target_seconds)
        return max(1, min(ceiling, max(MIN_TOKENS, wanted)))

    def measured(self, tokens: int, seconds: float) -> None:
        """Record `tokens` decoded in `seconds` of wall time (all workers busy meanwhile)."""
        if tokens <= 0 or seconds < 0:
            return
        with self._lock:
            first = not self._seconds
            keep = 0.0 if first else 1 - SMOOTHING
            self._tokens = keep * self._tokens + (1 - keep) * tokens
            self._seconds = keep * self._seconds + (1 - keep) * seconds

    @property
    def rate(self) -> float | None:
        """Padded tokens per second, all workers together; None before anything took time."""
        return self._tokens / self._seconds if self._seconds > 0 else None


class Stopwatch:
    """Wall time between collected calls of one stream, fed to a CallSizer: the throughput of the
    workers together, whatever the number of calls in flight."""

    def __init__(self, sizer: CallSizer):
        self.sizer = sizer
        self.last = sizer.clock()

    def collected(self, tokens: int) -> None:
        now = self.sizer.clock()
        self.sizer.measured(tokens, now - self.last)
        self.last = now
