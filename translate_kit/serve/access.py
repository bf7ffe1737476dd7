"""What every request passes before a route: the body size limit, the API key, the metrics.

Pure ASGI middleware (not Starlette's BaseHTTPMiddleware), so that streaming answers stream and
a route can still see its client disconnect.
"""

from __future__ import annotations

import hmac
import json
import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ServeError
from .metrics import Metrics

OPEN_PATHS = frozenset(
    {"/", "/health", "/ready", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/favicon.ico"}
)


async def _answer(send: Send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"error": message}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for a body over `limit` bytes: at once from Content-Length, else while it streams in
    (a chunked body is read up to the limit before the route sees it)."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        too_big = f"request body over the limit of {self.limit} bytes"
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                return await _answer(send, 413, too_big)
            return await self.app(scope, receive, send)
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        chunks: list[Message] = []
        size = 0
        while True:
            message = await receive()
            chunks.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                return await _answer(send, 413, too_big)
            if not message.get("more_body"):
                break

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send)


class ApiKey:
    """401 without the key (`Authorization: Bearer KEY` or `X-API-Key: KEY`) on every path but the
    page, its files, /health and /ready. Routes that take LibreTranslate's `api_key` in the body
    are let through here and check it themselves (`check_key`)."""

    BODY_KEY_PATHS = frozenset({"/translate", "/detect"})

    def __init__(self, app: ASGIApp, key: str):
        self.app = app
        self.key = key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_open(scope["path"]) or scope["method"] == "OPTIONS":
            return await self.app(scope, receive, send)
        given = header_key(Request(scope))
        if given is None and scope["path"] in self.BODY_KEY_PATHS:
            scope.setdefault("state", {})["key_from_body"] = True
            return await self.app(scope, receive, send)
        if not _matches(given, self.key):
            return await _answer(
                send,
                401,
                "missing or wrong API key (Authorization: Bearer KEY)",
                {"WWW-Authenticate": "Bearer"},
            )
        await self.app(scope, receive, send)


def _is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith("/static/")


def header_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def _matches(given: str | None, key: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), key.encode())


def check_key(request: Request, key: str | None, body_key: str | None) -> None:
    """For routes that accept the key in the body: 401 unless the header or the body has it."""
    if key is None or not request.scope.get("state", {}).get("key_from_body"):
        return
    if not _matches(body_key, key):
        raise ServeError(
            401,
            "missing or wrong API key (api_key, or Authorization: Bearer KEY)",
            {"WWW-Authenticate": "Bearer"},
        )


class RequestMetrics:
    """Counts every answer by route template and status, and times it."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = [500]

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", None) or (
                "static" if scope["path"].startswith("/static/") else "other"
            )
            self.metrics.requests.labels(name, str(status[0])).inc()
            self.metrics.latency.labels(name).observe(time.perf_counter() - started)
