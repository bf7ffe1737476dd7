"""A translate-kit server on 127.0.0.1 in a background thread, for the serve tests."""

from __future__ import annotations

import concurrent.futures
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from translate_kit.serve.app import create_app  # noqa: E402
from translate_kit.serve.server import DrainingServer  # noqa: E402
from translate_kit.serve.settings import ServeSettings  # noqa: E402


class LiveServer:
    def __init__(self, app, url: str, server):
        self.app = app
        self.url = url
        self._server = server

    def stop(self) -> None:
        """What SIGTERM does: uvicorn begins its graceful shutdown."""
        self._server.should_exit = True

    def model(self, src: str = "hin_Deva", tgt: str = "eng_Latn"):
        return self.app.state.pool.get(src, tgt)


@contextmanager
def live_server(
    settings: ServeSettings, *, wait_ready: bool = True, grace: float = 1.0
) -> Iterator[LiveServer]:
    """The server `translate-kit serve` runs, serving create_app(settings) on a free loopback port,
    stopped on exit (`grace`: its shutdown grace period); with `wait_ready`, entered once the
    --model models are loaded (or failed to load)."""
    app = create_app(settings)
    server = DrainingServer(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"), grace)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    pool = app.state.pool
    if wait_ready:
        wait_for(lambda: pool.ready or pool.error, 60)
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}", server)
    finally:
        server.should_exit = True
        thread.join(10)


HELD = itertools.count()


@contextmanager
def held_workers(client, model, pool):
    """Every decode worker of `model` busy with a held one-sentence request until `release()` (or
    the block's end); yields (the batches decoded while the block runs, release)."""
    gate, decode = threading.Event(), model.batcher._decode
    batches: list[list] = []
    model.batcher._decode = lambda items: (batches.append(list(items)), gate.wait(10), decode(items))[2]
    held = []
    try:
        for i in range(model.batcher.workers):
            text = f"पहले से चल रहा अनुरोध {next(HELD)}।"  # never seen before: not in the memory
            held.append(pool.submit(client.post, "/translate", json={"text": text}))
            wait_for(lambda i=i: len(batches) > i)
        yield batches, gate.set
    finally:
        gate.set()
        model.batcher._decode = decode
        concurrent.futures.wait(held)


def wait_for(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)
