"""The ASGI app: routes over the library, limits, errors as one line of JSON, the web page.

`create_app(settings)` builds a FastAPI app; `translate-kit serve` runs it on uvicorn. Models
named with --model load in a worker thread once the app starts, while it already answers
(/ready, and translation requests, answer 503 until they are in); without --model each direction's
default model loads on its first request.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from .. import __version__
from ..errors import ModelError, OptionError, TranslateKitError
from .access import ApiKey, BodyLimit, RequestMetrics
from .errors import ServeError
from .inputs import BadEncoding
from .metrics import CONTENT_TYPE, Metrics
from .models import ModelPool
from .routes_tools import router as tools_router
from .routes_translate import router as translate_router
from .settings import ServeSettings
from .translation import TranslationService
from .work import ClientGone

log = logging.getLogger("translate_kit.serve")
STATIC = resources.files("translate_kit.serve") / "static"


def create_app(settings: ServeSettings | None = None) -> FastAPI:
    settings = settings or ServeSettings()
    metrics = Metrics()
    pool = ModelPool(settings, metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        loading = asyncio.ensure_future(anyio.to_thread.run_sync(pool.load_configured))
        try:
            yield
        finally:
            pool.close()  # a model still loading is closed as soon as it is in
            loading.cancel()

    app = FastAPI(
        title="translate-kit",
        version=__version__,
        summary="Hindi-English machine translation, document translation, alignment and evaluation.",
        description="LibreTranslate clients work unchanged against POST /translate (q, source, target, "
        'format -> translatedText), GET /languages and POST /detect. Errors answer {"error": one line}.',
        lifespan=lifespan,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.pool = pool
    app.state.service = TranslationService(pool, settings, metrics)
    app.include_router(translate_router)
    app.include_router(tools_router)
    _add_service_routes(app)
    _add_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    # Outermost last: metrics see every answer, the body limit runs before the key check reads state.
    if settings.api_key:
        app.add_middleware(ApiKey, key=settings.api_key)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    app.add_middleware(RequestMetrics, metrics=metrics)
    return app


def _add_service_routes(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"), media_type="text/html")

    @app.get("/health", summary="The process is up")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/ready",
        summary="Models loaded: 200 when requests can be served, else 503",
        responses={503: {"description": "Models still loading, or failed to load"}},
    )
    async def ready(request: Request) -> JSONResponse:
        pool: ModelPool = request.app.state.pool
        if pool.ready:
            return JSONResponse({"ready": True, "models": [m.name for m in pool.loaded()]})
        return JSONResponse({"ready": False, "error": pool.error}, status_code=503)

    @app.get("/models", summary="Loaded models and the directions served")
    async def models(request: Request) -> dict[str, Any]:
        pool: ModelPool = request.app.state.pool
        settings: ServeSettings = request.app.state.settings
        return {
            "models": [m.describe() for m in pool.loaded()],
            "directions": [{"source": s, "target": t} for s, t in pool.directions()],
            "batching": {
                "cross_request": settings.cross_request,
                "batch_invariant": settings.batch_invariant,
                "batch_tokens": settings.batch_tokens,
                "max_wait_ms": settings.max_wait_ms,
            },
            "limits": {
                "max_body_bytes": settings.max_body_bytes,
                "max_sentences": settings.max_sentences,
                "max_sentence_chars": settings.max_sentence_chars,
                "max_queue": settings.max_queue,
                "timeout_s": settings.timeout_s,
            },
        }

    @app.get(
        "/metrics",
        summary="Prometheus metrics (text format)",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE: {}}}},
    )
    async def prometheus(request: Request) -> Response:
        return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": " ".join(message.split())}, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServeError)
    async def serve_error(_request: Request, exc: ServeError) -> JSONResponse:
        return _error(exc.status, exc.message, exc.headers)

    @app.exception_handler(BadEncoding)
    async def bad_encoding(_request: Request, exc: BadEncoding) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(OptionError)
    async def option_error(_request: Request, exc: OptionError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(ModelError)
    async def model_error(_request: Request, exc: ModelError) -> JSONResponse:
        return _error(503, f"model not available: {exc}")

    @app.exception_handler(TranslateKitError)
    async def library_error(_request: Request, exc: TranslateKitError) -> JSONResponse:
        return _error(422, str(exc))  # bad input the library refused: a malformed document, ...

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        if first.get("type") == "json_invalid":
            return _error(400, f"request body is not valid JSON: {first.get('ctx', {}).get('error', '')}")
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return _error(422, f"{where + ': ' if where else ''}{first.get('msg', 'invalid request')}{more}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            detail = "request body could not be read: not UTF-8 JSON, or a malformed form upload"
        return _error(exc.status_code, detail, getattr(exc, "headers", None))

    @app.exception_handler(UnicodeDecodeError)
    async def bad_bytes(_request: Request, exc: UnicodeDecodeError) -> JSONResponse:
        return _error(400, f"request is not valid UTF-8 (byte {exc.start})")

    @app.exception_handler(ClientGone)
    async def client_gone(_request: Request, _exc: ClientGone) -> Response:
        return Response(status_code=499)  # nginx's "client closed request": nobody reads it

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error answering %s %s", request.method, request.url.path)
        return _error(500, "internal error (logged on the server)")
