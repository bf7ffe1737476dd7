"""Cross-request batching: sentences of concurrent requests decoded together, fairly.

Each served model has one `Batcher`. A request announces itself while it is planned
(`arriving`), then `admit`s the number of sentences it brings (the bounded queue: `QueueFull` when
admitted-but-unfinished sentences would pass `max_pending`, which the service answers with 503 and
Retry-After), then submits prepared sentences from its own thread and waits on one future per
sentence. Results go back to each sentence's future, so every request gets exactly its own
sentences back, in order.

Batch formation. A scheduler thread forms a batch only when a decode worker is free (one per
CTranslate2 worker, each batch cut by the engine into token batches that run in parallel), so
sentences keep gathering while the workers are busy. It then waits while more are on the way: a
request is being planned, or a sentence arrived less than `max_wait` ago (a burst of clients
answered by the last batch sends its next sentences over a few milliseconds), at most
`GATHER_LIMIT` x `max_wait`, or until a batch's token budget is full.

Sentences of one group may share a token batch (`shape` gives an item's group and padded
tokens). The engine mixes lengths in a batch, each sentence still stopped at its own decode cap,
so by default every sentence is in one group and a batch takes whatever is queued, up to the
budget. Decoding batch-invariantly, the engine pads every sentence to its length bucket and a
token batch holds one bucket, so that a translation never depends on the sentences beside it; the
bucket is then the group. A batch of mixed buckets would be cut into one small token batch per
bucket, each costing nearly as much as a full one; a batch is therefore taken from one group: the
fullest (most sentences, up to what the budget holds), unless a sentence has been passed over by
`STARVE_BATCHES` batches, in which case its group goes next, so no sentence waits behind busier
groups forever. (Counting batches, not seconds: under a full load every sentence waits several
batch times, and only one that others keep overtaking should jump the queue.)

Fairness: inside the group, sentences are taken round-robin, one per request in turn, so a
request with a long document shares every batch with the requests that arrive during it instead of
making them wait for its whole run. Identical prepared sentences in one batch (two clients
translating the same headline) are decoded once. A cancelled request (client gone, timeout) has
its queued sentences dropped at once; a batch already decoding finishes and its results are
discarded.

With `cross_request=False` (the baseline that eval/load_serve.py measures against) a batch holds
sentences of one request only, all its lengths together, as that request alone would be decoded;
requests take turns.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, InvalidStateError, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item", bound=Hashable)
Result = TypeVar("Result")
GATHER_LIMIT = 10
"""A free decoder waits at most this many times `max_wait` for a batch to fill."""
STARVE_BATCHES = 8
"""A sentence passed over by this many batches has its group decoded next."""


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
    waited: tuple[float, ...] = ()  # seconds each sentence of the batch spent queued


@dataclass(frozen=True)
class Shape:
    """How an item decodes: its group (items of one group may share a token batch) and the padded
    tokens it costs against the batch budget."""

    group: int
    tokens: int


@dataclass(eq=False)
class _Queued(Generic[Item, Result]):
    ticket: Ticket
    item: Item
    shape: Shape
    since: float
    batches: int  # batches formed before it was queued
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


class Arrival:
    """A request being planned: a free decoder waits for its sentences (within its gather limit)."""

    def __init__(self, batcher: Batcher):
        self._batcher = batcher
        self._open = True

    def done(self) -> None:
        """Its sentences are queued, or it will bring none (idempotent)."""
        with self._batcher._cond:
            if self._open:
                self._open = False
                self._batcher._arriving -= 1
                self._batcher._cond.notify_all()


class Batcher(Generic[Item, Result]):
    """Gathers items of concurrent requests into token-budget batches for `decode`.

    `decode(items)` runs in one of `workers` decode threads (the engine's CTranslate2 workers, so
    that several batches are in flight) and yields `(position in items, result)` pairs token batch
    by token batch, as `Translator.translate_stream` does, so a batch's first sentences go back
    while the rest decode; `shape(item)` gives an item's group and its cost against `batch_tokens`.
    Start with `start()`, stop with `close()`.
    """

    def __init__(
        self,
        decode: Callable[[Sequence[Item]], Iterable[Sequence[tuple[int, Result]]]],
        shape: Callable[[Item], Shape],
        *,
        batch_tokens: int = 1024,
        max_wait: float = 0.02,
        max_pending: int = 4096,
        workers: int = 1,
        cross_request: bool = True,
        observe: Callable[[BatchReport], None] | None = None,
    ):
        if batch_tokens < 1 or max_pending < 1 or workers < 1 or max_wait < 0:
            raise ValueError("batch_tokens, max_pending and workers must be positive, max_wait >= 0")
        self._decode = decode
        self._shape = shape
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
        self._arriving = 0
        self._ids = itertools.count(1)
        self._slots = threading.Semaphore(workers)
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="decode")
        self._scheduler = threading.Thread(target=self._schedule, name="batcher", daemon=True)
        self._closed = False
        self._rate = 0.0  # sentences decoded per second per worker (running mean), for Retry-After
        self._formed = 0  # batches formed so far

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
    def arriving(self) -> Iterator[Arrival]:
        """Announce a request being planned until its sentences are queued (`Arrival.done`) or it
        ends: a free decoder waits a little for them instead of starting a smaller batch."""
        with self._cond:
            self._arriving += 1
        arrival = Arrival(self)
        try:
            yield arrival
        finally:
            arrival.done()

    @contextmanager
    def admit(self, sentences: int) -> Iterator[Ticket]:
        """Reserve room for a request's `sentences`; QueueFull if there is none. On exit its
        leftover queued sentences are dropped and the room is given back."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the batcher is closed")
            if self._admitted and self._admitted + sentences > self.max_pending:
                raise QueueFull(self._admitted, sentences, self.max_pending, self.retry_after())
            self._admitted += sentences
            ticket = Ticket(next(self._ids), sentences, self)
        try:
            yield ticket
        finally:
            self.cancel(ticket)
            with self._cond:
                self._admitted -= ticket.sentences

    def retry_after(self) -> int:
        """Seconds until the admitted sentences are likely decoded (1-60; 1 before any batch)."""
        if not self._rate:
            return 1
        return max(1, min(60, math.ceil(self._admitted / (self._rate * self.workers))))

    def submit(self, ticket: Ticket, items: Sequence[Item]) -> list[Future]:
        """Queue `items` for `ticket`'s request; one future per item, in order."""
        now = time.monotonic()
        queued = [_Queued(ticket, item, self._shape(item), now, self._formed) for item in items]
        with self._cond:
            if ticket.cancelled:
                raise CancelledError()
            if queued:
                self._queues.setdefault(ticket.id, deque()).extend(queued)
                self._queued += len(queued)
                self._queued_tokens += sum(q.shape.tokens for q in queued)
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
                self._queued_tokens -= sum(q.shape.tokens for q in queue)
        for queued in queue or ():
            _drop(queued.future)

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
                _drop(queued.future)
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
        """Wait for queued sentences, then gather more while they are on the way (see the module
        docstring), at most `GATHER_LIMIT` x `max_wait`, or until the budget is full."""
        with self._cond:
            while True:
                while not self._queues and not self._closed:
                    self._cond.wait()
                now, seen = time.monotonic(), self._queued
                limit, quiet_until = now + GATHER_LIMIT * self.max_wait, now + self.max_wait
                while self.cross_request and self._queued_tokens < self.batch_tokens and not self._closed:
                    until = limit if self._arriving else min(quiet_until, limit)
                    remaining = until - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                    if self._queued > seen:
                        seen, quiet_until = self._queued, time.monotonic() + self.max_wait
                if self._closed:
                    return None
                if self._queues:  # else everything was cancelled meanwhile: wait again
                    batch = self._take() if self.cross_request else self._take_request()
                    self._formed += 1
                    self._queued -= len(batch)
                    self._queued_tokens -= sum(q.shape.tokens for q in batch)
                    return batch

    def _take(self) -> list[_Queued]:
        """One group's sentences (see `_group`), round-robin over requests, up to the budget."""
        group = self._group()
        lanes = {
            ticket_id: [q for q in queue if q.shape.group == group]
            for ticket_id, queue in self._queues.items()
        }
        batch: list[_Queued] = []
        tokens = 0
        served: dict[int, None] = {}  # requests in the order they were served
        for ticket_id, head in _round_robin(lanes):
            if batch and tokens + head.shape.tokens > self.batch_tokens:
                break
            batch.append(head)
            tokens += head.shape.tokens
            served[ticket_id] = None
        taken = set(map(id, batch))
        for ticket_id in served:  # requests served now queue behind the others for the next batch
            left = deque(q for q in self._queues[ticket_id] if id(q) not in taken)
            if left:
                self._queues[ticket_id] = left
                self._queues.move_to_end(ticket_id)
            else:
                del self._queues[ticket_id]
        return batch

    def _group(self) -> int:
        """The group to decode next: the oldest sentence's if it was passed over too often, else
        the one whose queued sentences fill the most rows of a batch (a token batch costs about the
        same whatever its rows; the oldest of equals)."""
        rows: dict[int, int] = {}
        tokens: dict[int, int] = {}
        oldest: dict[int, _Queued] = {}
        for queue in self._queues.values():
            for queued in queue:
                group = queued.shape.group
                rows[group] = rows.get(group, 0) + 1
                tokens[group] = max(tokens.get(group, 0), queued.shape.tokens)
                if group not in oldest or queued.since < oldest[group].since:
                    oldest[group] = queued
        first = min(oldest.values(), key=lambda queued: queued.since)
        if self._formed - first.batches >= STARVE_BATCHES:
            return first.shape.group
        fits = {group: self.batch_tokens // max(1, tokens[group]) or 1 for group in rows}
        return max(rows, key=lambda g: (min(rows[g], fits[g]), -oldest[g].since))

    def _take_request(self) -> list[_Queued]:
        """Without cross-request batching: the next request's sentences up to the budget, as that
        request alone would be decoded; the next batch serves the next request."""
        ticket_id, queue = next(iter(self._queues.items()))
        batch: list[_Queued] = []
        tokens = 0
        while queue and not (batch and tokens + queue[0].shape.tokens > self.batch_tokens):
            batch.append(queue.popleft())
            tokens += batch[-1].shape.tokens
        if queue:
            self._queues.move_to_end(ticket_id)
        else:
            del self._queues[ticket_id]
        return batch

    def _run_batch(self, batch: list[_Queued]) -> None:
        try:
            live = [q for q in batch if q.future.set_running_or_notify_cancel()]
            if not live:
                return
            unique = list(dict.fromkeys(q.item for q in live))  # one decode per distinct sentence
            waiting: dict[Item, list[_Queued]] = {}
            for queued in live:
                waiting.setdefault(queued.item, []).append(queued)
            started = time.perf_counter()
            begun = time.monotonic()
            try:
                for done in self._decode(unique):  # settled as each token batch finishes
                    for position, result in done:
                        for queued in waiting.pop(unique[position]):
                            _settle(queued.future, result=result)
                if waiting:
                    raise RuntimeError(f"the engine returned no translation for {len(waiting)} sentences")
            except Exception as exc:  # noqa: BLE001 - handed to every waiting request
                for queued in (q for left in waiting.values() for q in left):
                    _settle(queued.future, exception=exc)
                return
            seconds = time.perf_counter() - started
            self._rate = _mean(self._rate, len(live) / max(seconds, 1e-6))
            self._observe(
                BatchReport(
                    sentences=len(unique),
                    tokens=sum(q.shape.tokens for q in live),
                    requests=len({q.ticket.id for q in live}),
                    seconds=seconds,
                    waited=tuple(begun - q.since for q in live),
                )
            )
        finally:
            self._slots.release()


def _mean(mean: float, value: float) -> float:
    """A running mean that follows recent batches (the first value starts it)."""
    return value if not mean else 0.8 * mean + 0.2 * value


def _round_robin(lanes: dict[int, list[_Queued]]) -> Iterator[tuple[int, _Queued]]:
    """Each request's first sentence in turn, then each one's second, and so on."""
    for rank in itertools.count():
        heads = [(ticket_id, lane[rank]) for ticket_id, lane in lanes.items() if rank < len(lane)]
        if not heads:
            return
        yield from heads


def _drop(future: Future) -> None:
    """Cancel a queued sentence's future and wake whoever waits on it, `future.result()` and
    `concurrent.futures.wait` alike (a plain `cancel()` wakes only the former)."""
    if future.cancel():
        future.set_running_or_notify_cancel()


def _settle(future: Future, *, result: object = None, exception: BaseException | None = None) -> None:
    try:
        if exception is not None:
            future.set_exception(exception)
        else:
            future.set_result(result)
    except InvalidStateError:  # cancelled meanwhile: nobody waits for it
        pass
