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


class ShuttingDown(Exception):
    """The server is stopping and its grace period for requests in progress has passed (503)."""


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
    stopping: asyncio.Event | None = None,
) -> T:
    """`work(control)` in a worker thread; Timeout past `timeout` s, ClientGone if the client left,
    ShuttingDown once `stopping` is set (the end of the server's grace period).

    The event loop sleeps until one of these happens: no polling per request, so a few hundred
    waiting requests cost it nothing."""
    control = control or Control()
    task = asyncio.ensure_future(anyio.to_thread.run_sync(work, control, limiter=limiter))
    watcher = asyncio.ensure_future(_client_leaves(request)) if request is not None else None
    stop = asyncio.ensure_future(stopping.wait()) if stopping is not None else None
    try:
        waiting = {task} | {future for future in (watcher, stop) if future is not None}
        done, _ = await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            return task.result()
        if watcher in done:
            raise ClientGone()
        if stop in done:
            raise ShuttingDown()
        raise Timeout(f"the request took longer than the server's limit of {timeout:g} s")
    except BaseException:
        control.cancel()
        task.add_done_callback(_consume)
        raise
    finally:
        for future in (watcher, stop):
            if future is not None:
                future.cancel()
                future.add_done_callback(_consume)


async def _client_leaves(request: Request) -> None:
    """Returns once the client has disconnected. The route has read the whole body, so the next
    message the server has for this request is the disconnect (or, rarely, an empty body part)."""
    while (await request.receive())["type"] != "http.disconnect":
        await asyncio.sleep(POLL_SECONDS)


def _consume(task: asyncio.Future) -> None:
    """Retrieve a cancelled request's outcome so that asyncio does not log it as lost."""
    if not task.cancelled():
        task.exception()
