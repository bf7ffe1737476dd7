"""Running a request's library work off the event loop: cancellable, with a deadline.

The library is synchronous (the CLI calls it), so each request's work runs in a worker thread of
its own: planning, the translation memory, waiting on the model's batcher, rendering. The event
loop only waits for it, watching the client and the clock: when the client disconnects or the
deadline passes, the request's queued sentences are dropped from the batcher, which wakes the
thread (its waits raise CancelledError) and frees the queue for others.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError
from typing import TypeVar

import anyio
from starlette.requests import Request

from .batcher import Ticket

T = TypeVar("T")
POLL_SECONDS = 0.1


class Timeout(Exception):
    """The request ran past the server's per-request timeout (504)."""


class ClientGone(Exception):
    """The client disconnected before its answer was ready."""


class Control:
    """What the event loop and a request's thread share: the batcher ticket, cancellation, progress."""

    def __init__(self, progress: Callable[[int, int], None] | None = None):
        self._lock = threading.Lock()
        self.ticket: Ticket | None = None
        self.cancelled = False
        self.total = 0
        self.done = 0
        self._progress = progress

    def attach(self, ticket: Ticket) -> None:
        with self._lock:
            self.ticket = ticket
            cancelled = self.cancelled
        if cancelled:
            ticket.cancel()

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            ticket = self.ticket
        if ticket is not None:
            ticket.cancel()

    def check(self) -> None:
        if self.cancelled:
            raise CancelledError()

    def report(self, done: int, total: int) -> None:
        """Sentences translated so far of the request's total (the library's progress callback)."""
        self.done, self.total = done, total
        if self._progress is not None:
            self._progress(done, total)


async def run_request(
    request: Request | None,
    work: Callable[[Control], T],
    *,
    timeout: float,
    limiter: anyio.CapacityLimiter,
    control: Control | None = None,
) -> T:
    """`work(control)` in a worker thread; Timeout past `timeout` s, ClientGone if the client left."""
    control = control or Control()
    task = asyncio.ensure_future(anyio.to_thread.run_sync(work, control, limiter=limiter))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while True:
            remaining = deadline - loop.time()
            done, _ = await asyncio.wait({task}, timeout=max(0.0, min(POLL_SECONDS, remaining)))
            if done:
                return task.result()
            if loop.time() >= deadline:
                raise Timeout(f"the request took longer than the server's limit of {timeout:g} s")
            if request is not None and await request.is_disconnected():
                raise ClientGone()
    except BaseException:
        control.cancel()
        task.add_done_callback(_consume)
        raise


def _consume(task: asyncio.Future) -> None:
    """Retrieve a cancelled request's outcome so that asyncio does not log it as lost."""
    if not task.cancelled():
        task.exception()
