"""Ctrl-C and SIGTERM for long commands: the first stops the run as KeyboardInterrupt, a second
one exits at once.

SIGTERM (what containers and `timeout` send) is raised like Ctrl-C, as `Interrupted` carrying the
shell's exit code (128 + the signal), so the command says what is saved and how to resume either
way. Finished sentences are already in the translation memory, one transaction per engine call of
about a second (translate_kit.sizing), so nothing is lost by not waiting: `main` ends the process
with `os._exit` and abandons the engine calls still queued instead of letting interpreter
shutdown decode them (that wait was 16-44 s in issue 22).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Interrupted(KeyboardInterrupt):
    """A stop asked by a signal; `code` is the exit status the shell expects (130 SIGINT, 143 SIGTERM)."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def _exit_now(signum: int, _frame: FrameType | None) -> None:
    """The second signal: the user has seen the first one's effect and wants out now."""
    sys.stderr.flush()
    os._exit(128 + signum)


def _first(signum: int, _frame: FrameType | None) -> None:
    signal.signal(signal.SIGINT, _exit_now)
    signal.signal(signal.SIGTERM, _exit_now)
    raise Interrupted(128 + signum)


@contextmanager
def stoppable() -> Iterator[None]:
    """SIGINT and SIGTERM raise `Interrupted` inside the block (the main thread only: signal
    handlers cannot be set elsewhere, e.g. a test runner's worker thread); the old handlers come
    back after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _first), signal.signal(signal.SIGTERM, _first)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


def exit_code(exc: BaseException) -> int:
    """The exit status for a stop: the signal's, or 130 for a plain KeyboardInterrupt."""
    return exc.code if isinstance(exc, Interrupted) else 130


def leave_at_once(code: int) -> None:
    """End the process now: streams flushed, queued engine work abandoned (see the module)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
