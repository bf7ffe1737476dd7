"""A translate-kit server on 127.0.0.1 in a background thread, for the serve tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from translate_kit.serve.app import create_app  # noqa: E402
from translate_kit.serve.settings import ServeSettings  # noqa: E402


class LiveServer:
    def __init__(self, app, url: str):
        self.app = app
        self.url = url

    def model(self, src: str = "hin_Deva", tgt: str = "eng_Latn"):
        return self.app.state.pool.get(src, tgt)


@contextmanager
def live_server(settings: ServeSettings) -> Iterator[LiveServer]:
    """uvicorn serving create_app(settings) on a free loopback port, stopped on exit."""
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=2)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield LiveServer(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(10)
