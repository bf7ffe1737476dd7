"""uvicorn with a graceful stop: what `translate-kit serve` runs the app on.

On SIGTERM (or Ctrl-C) uvicorn stops accepting connections and closes idle ones; requests in
progress then have `grace` seconds to finish. Those still running at its end are answered 503 with
Retry-After (the service's `drain`), so a client behind a load balancer retries elsewhere instead
of seeing its connection cut; uvicorn's own deadline comes a little later, only for answers still
being written.
"""

from __future__ import annotations

import socket

import uvicorn
from fastapi import FastAPI

GRACE_S = 5.0
"""Seconds a stopping server gives requests in progress before answering them 503."""
WRITE_S = 2.0
"""After the grace period, time for the last answers to be written before connections are cut."""


class DrainingServer(uvicorn.Server):
    """A uvicorn server that starts the service's grace period as it begins to shut down."""

    def __init__(self, config: uvicorn.Config, grace: float = GRACE_S):
        config.timeout_graceful_shutdown = int(grace + WRITE_S + 0.999)
        super().__init__(config)
        self.grace = grace

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        app = self.config.app
        if isinstance(app, FastAPI):
            app.state.service.drain(self.grace)
        await super().shutdown(sockets)


def serve(app: FastAPI, *, host: str, port: int, log_level: str, keep_alive: int) -> None:
    """Serve `app` until SIGTERM or Ctrl-C, then stop gracefully (see the module docstring)."""
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, timeout_keep_alive=keep_alive)
    DrainingServer(config).run()
