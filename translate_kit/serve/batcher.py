"""Cross-request batching: sentences of concurrent requests decoded together, fairly.

Each served model has one `Batcher`. A request first `admit`s the number of sentences it brings
(the bounded queue: `QueueFull` when admitted-but-unfinished sentences would pass `max_pending`,
which the service answers with 503 and Retry-After), then submits prepared sentences from its own
thread and waits on one future per sentence. A scheduler thread gathers queued sentences until a
token budget is reached or no new sentence has come for `max_wait` (at most `GATHER_LIMIT` x
`max_wait` after a decode worker became free), and hands the batch to that worker; the engine
sorts it by length into token batches. Results go back to each sentence's future, so every
request gets exactly its own sentences back, in order.

Fairness: queued sentences are taken round-robin, one per request in turn, so a request with a
long document shares every batch with the requests that arrive during it instead of making them
wait for its whole run. Identical prepared sentences in one batch (two clients translating the
same headline) are decoded once. A cancelled request (client gone, timeout) has its queued
sentences dropped at once; a batch already decoding finishes and its results are discarded.

With `cross_request=False` (the baseline that eval/load_serve.py measures against) a batch holds
sentences of one request only; the round-robin order between requests is the same.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, InvalidStateError, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item", bound=Hashable)
GATHER_LIMIT = 10
"""A free decoder waits at most this many times `max_wait` for a batch to fill."""
Result = TypeVar("Result")


class QueueFull(Exception):
    """The model's queue cannot take a request this size now; retry after `retry_after` seconds."""

    def __init__(self, pending: int, wanted: int, limit: int, retry_after: int):
        super().__init__(
            f"server busy: {pending} sentences queued, {wanted} more would pass the limit of {limit}"
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class BatchReport:
    """What the scheduler tells its observer about one decoded batch."""

    sentences: int
    tokens: int
    requests: int
    seconds: float


@dataclass(eq=False)
class _Queued(Generic[Item, Result]):
    ticket: Ticket
    item: Item
    tokens: int
    future: Future = field(default_factory=Future)


@dataclass(eq=False)
class Ticket:
    """One admitted request: its id, its admitted sentence count, and whether it was cancelled."""

    id: int
    sentences: int
    batcher: Batcher
    cancelled: bool = False

    def cancel(self) -> None:
        """Drop this request's queued sentences (thread-safe; called when the client is gone)."""
        self.batcher.cancel(self)


class Batcher(Generic[Item, Result]):
    """Gathers items of concurrent requests into token-budget batches for `decode`.

    `decode(items) -> results` runs in one of `workers` decode threads (the engine's CTranslate2
    workers, so that several batches are in flight); `tokens(item)` is an item's cost against
    `batch_tokens`. Start with `start()`, stop with `close()`.
    """

    def __init__(
        self,
        decode: Callable[[Sequence[Item]], Sequence[Result]],
        tokens: Callable[[Item], int],
        *,
        batch_tokens: int = 1024,
        max_wait: float = 0.005,
        max_pending: int = 4096,
        workers: int = 1,
        cross_request: bool = True,
        observe: Callable[[BatchReport], None] | None = None,
    ):
        if batch_tokens < 1 or max_pending < 1 or workers < 1 or max_wait < 0:
            raise ValueError("batch_tokens, max_pending and workers must be positive, max_wait >= 0")
        self._decode = decode
        self._tokens = tokens
        self.batch_tokens = batch_tokens
        self.max_wait = max_wait
        self.max_pending = max_pending
        self.workers = workers
        self.cross_request = cross_request
        self._observe = observe or (lambda _report: None)
        self._cond = threading.Condition()
        self._queues: OrderedDict[int, deque[_Queued]] = OrderedDict()
        self._queued_tokens = 0
        self._queued = 0
        self._admitted = 0
        self._ids = itertools.count(1)
        self._slots = threading.Semaphore(workers)
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="decode")
        self._scheduler = threading.Thread(target=self._schedule, name="batcher", daemon=True)
        self._closed = False
        self._rate = 0.0  # sentences decoded per second per worker (running mean), for Retry-After

    # ---------------------------------------------------------------- requests' side

    @property
    def queued(self) -> int:
        """Sentences waiting for a batch (not counting those being decoded)."""
        return self._queued

    @property
    def admitted(self) -> int:
        """Sentences of admitted, unfinished requests (what `max_pending` bounds)."""
        return self._admitted

    @contextmanager
    def admit(self, sentences: int) -> Iterator[Ticket]:
        """Reserve room for a request's `sentences`; QueueFull if there is none. On exit its
        leftover queued sentences are dropped and the room is given back."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the batcher is closed")
            if self._admitted and self._admitted + sentences > self.max_pending:
                raise QueueFull(self._admitted, sentences, self.max_pending, self._retry_after())
            self._admitted += sentences
            ticket = Ticket(next(self._ids), sentences, self)
        try:
            yield ticket
        finally:
            self.cancel(ticket)
            with self._cond:
                self._admitted -= ticket.sentences

    def _retry_after(self) -> int:
        """Seconds until the admitted sentences are likely decoded (1-60; 1 before any batch)."""
        if not self._rate:
            return 1
        return max(1, min(60, math.ceil(self._admitted / (self._rate * self.workers))))

    def submit(self, ticket: Ticket, items: Sequence[Item]) -> list[Future]:
        """Queue `items` for `ticket`'s request; one future per item, in order."""
        queued = [_Queued(ticket, item, max(1, self._tokens(item))) for item in items]
        with self._cond:
            if ticket.cancelled:
                raise CancelledError()
            if queued:
                self._queues.setdefault(ticket.id, deque()).extend(queued)
                self._queued += len(queued)
                self._queued_tokens += sum(q.tokens for q in queued)
                self._cond.notify_all()
        return [q.future for q in queued]

    def run(self, ticket: Ticket, items: Sequence[Item]) -> list[Result]:
        """`submit` and wait: the results in order (CancelledError if the request is cancelled)."""
        return [future.result() for future in self.submit(ticket, items)]

    def cancel(self, ticket: Ticket) -> None:
        with self._cond:
            ticket.cancelled = True
            queue = self._queues.pop(ticket.id, None)
            if queue:
                self._queued -= len(queue)
                self._queued_tokens -= sum(q.tokens for q in queue)
        for queued in queue or ():
            queued.future.cancel()

    # ---------------------------------------------------------------- scheduler and workers

    def start(self) -> None:
        self._scheduler.start()

    def close(self) -> None:
        """Stop taking work; queued sentences are cancelled, batches being decoded finish."""
        with self._cond:
            self._closed = True
            queues = list(self._queues.values())
            self._queues.clear()
            self._queued = self._queued_tokens = 0
            self._cond.notify_all()
        for queue in queues:
            for queued in queue:
                queued.future.cancel()
        if self._scheduler.is_alive():
            self._slots.release()  # wake a scheduler waiting for a free worker
            self._scheduler.join(timeout=5)
        self._executor.shutdown(wait=True)

    def _schedule(self) -> None:
        while True:
            self._slots.acquire()  # form a batch only when a worker can take it: it grows meanwhile
            batch = self._next_batch()
            if batch is None:
                return
            self._executor.submit(self._run_batch, batch)

    def _next_batch(self) -> list[_Queued] | None:
        """Wait for queued sentences, then gather more while they keep coming: until none has
        arrived for `max_wait` (a burst of clients answered by the last batch sends its next
        sentences over a few milliseconds), at most `GATHER_LIMIT` x `max_wait`, or the budget is full."""
        with self._cond:
            while True:
                while not self._queues and not self._closed:
                    self._cond.wait()
                now, seen = time.monotonic(), self._queued
                limit, quiet_until = now + GATHER_LIMIT * self.max_wait, now + self.max_wait
                while self.cross_request and self._queued_tokens < self.batch_tokens and not self._closed:
                    remaining = min(quiet_until, limit) - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                    if self._queued > seen:
                        seen, quiet_until = self._queued, time.monotonic() + self.max_wait
                if self._closed:
                    return None
                if self._queues:  # else everything was cancelled meanwhile: wait again
                    return self._take()

    def _take(self) -> list[_Queued]:
        """Round-robin over requests, one sentence each in turn, up to the token budget."""
        batch: list[_Queued] = []
        tokens = 0
        while self._queues:
            ticket_id, queue = next(iter(self._queues.items()))
            head = queue[0]
            if batch and tokens + head.tokens > self.batch_tokens:
                break
            queue.popleft()
            batch.append(head)
            tokens += head.tokens
            if not queue:
                del self._queues[ticket_id]
                if not self.cross_request:
                    break
            elif self.cross_request:
                self._queues.move_to_end(ticket_id)
        if not self.cross_request and batch and batch[0].ticket.id in self._queues:
            self._queues.move_to_end(batch[0].ticket.id)  # the next batch serves the next request
        self._queued -= len(batch)
        self._queued_tokens -= tokens
        return batch

    def _run_batch(self, batch: list[_Queued]) -> None:
        try:
            live = [q for q in batch if q.future.set_running_or_notify_cancel()]
            if not live:
                return
            unique = list(dict.fromkeys(q.item for q in live))  # one decode per distinct sentence
            started = time.perf_counter()
            try:
                results = dict(zip(unique, self._decode(unique), strict=True))
            except Exception as exc:  # noqa: BLE001 - handed to every waiting request
                for queued in live:
                    _settle(queued.future, exception=exc)
                return
            seconds = time.perf_counter() - started
            rate = len(live) / max(seconds, 1e-6)
            self._rate = rate if not self._rate else 0.8 * self._rate + 0.2 * rate
            for queued in live:
                _settle(queued.future, result=results[queued.item])
            self._observe(
                BatchReport(
                    sentences=len(unique),
                    tokens=sum(q.tokens for q in live),
                    requests=len({q.ticket.id for q in live}),
                    seconds=seconds,
                )
            )
        finally:
            self._slots.release()


def _settle(future: Future, *, result: object = None, exception: BaseException | None = None) -> None:
    try:
        if exception is not None:
            future.set_exception(exception)
        else:
            future.set_result(result)
    except InvalidStateError:  # cancelled meanwhile: nobody waits for it
        pass
