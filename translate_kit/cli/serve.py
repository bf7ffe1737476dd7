"""`translate-kit serve`: the HTTP API and web page (translate_kit.serve) on uvicorn."""

from __future__ import annotations

import click

from ..errors import TranslateKitError
from .options import apply

KEEP_ALIVE_S = 75
"""Idle keep-alive connections stay open this long: longer than the longest Retry-After (60 s), so
a client that waits as a 503 told it finds its connection still open (with uvicorn's 5 s it could
send just as the server closes it, and lose the request to a reset connection)."""

_LIMITS = apply(
    [
        click.option(
            "--max-body-mb",
            type=click.FloatRange(0.001),
            default=2.0,
            show_default=True,
            help="Largest request body (413 above).",
        ),
        click.option(
            "--max-sentences",
            type=click.IntRange(1),
            default=2000,
            show_default=True,
            help="Most sentences in one request (413 above).",
        ),
        click.option(
            "--max-sentence-chars",
            type=click.IntRange(1),
            default=2000,
            show_default=True,
            help="Longest sentence in characters (413 above).",
        ),
        click.option(
            "--max-queue",
            type=click.IntRange(1),
            default=4096,
            show_default=True,
            help="Sentences of admitted requests per model; beyond it 503 with Retry-After.",
        ),
        click.option(
            "--max-requests",
            type=click.IntRange(1),
            default=256,
            show_default=True,
            help="Requests worked on at once; beyond it 503 with Retry-After.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0.001),
            default=120.0,
            show_default=True,
            help="Seconds a request may take (504 after).",
        ),
    ]
)


@click.command("serve")
@click.option(
    "--model",
    "models",
    multiple=True,
    metavar="NAME_OR_PATH",
    help="A model to serve, loaded at start (repeat for both directions; default: each "
    "direction's dist-200M model, loaded on its first request).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--beam",
    type=click.IntRange(1, 32),
    default=5,
    show_default=True,
    help="Beam size for every request (1 is about twice as fast).",
)
@click.option(
    "--batch-invariant",
    is_flag=True,
    help="Decode each sentence padded to its length bucket, so its translation never depends on the "
    "requests it shares a batch with (slower, most at small batches).",
)
@click.option(
    "--batch-tokens",
    type=click.IntRange(1),
    default=1024,
    show_default=True,
    help="Source tokens gathered across requests into one batch.",
)
@click.option(
    "--max-wait-ms",
    type=click.FloatRange(0),
    default=20.0,
    show_default=True,
    help="How long a free decoder waits after the last arrival for more sentences to fill a batch.",
)
@click.option(
    "--no-cross-request-batching",
    is_flag=True,
    help="Decode each request on its own (a baseline for load tests).",
)
@_LIMITS
@click.option(
    "--api-key",
    envvar="TRANSLATE_KIT_API_KEY",
    metavar="KEY",
    help="Require this key (Authorization: Bearer KEY, X-API-Key, or LibreTranslate's "
    "api_key) [env: TRANSLATE_KIT_API_KEY].",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Allow browsers on this origin to call the API (repeatable; default: none).",
)
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False),
    help="Translation memory file (default: memory.sqlite3 in the translate-kit home).",
)
@click.option("--no-cache", is_flag=True, help="No translation memory.")
@click.option("--threads", type=click.IntRange(1), help="CPU threads per model (default: all cores).")
@click.option("--device", default="cpu", show_default=True, help="cpu, cuda or auto.")
@click.option("--compute-type", default="int8", show_default=True, help="CTranslate2 compute type.")
@click.option(
    "--pin-output-length",
    type=click.IntRange(1, 256),
    hidden=True,
    help="Decode exactly N tokens per sentence (speed tests with random-weight models).",
)
@click.option(
    "--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info", show_default=True
)
@click.option("-q", "--quiet", is_flag=True, help="Log warnings and errors only (--log-level warning).")
def serve_command(
    models,
    host,
    port,
    beam,
    batch_invariant,
    batch_tokens,
    max_wait_ms,
    no_cross_request_batching,
    max_body_mb,
    max_sentences,
    max_sentence_chars,
    max_queue,
    max_requests,
    timeout,
    api_key,
    cors_origins,
    cache_path,
    no_cache,
    threads,
    device,
    compute_type,
    pin_output_length,
    log_level,
    quiet,
):
    """Serve the HTTP API and the web page: translate, translate files, align, evaluate.

    Sentences of concurrent requests are batched together; the API is described at /docs
    (OpenAPI at /openapi.json) and speaks LibreTranslate's /translate, /languages and /detect.

    \b
    Examples:
      translate-kit serve --model indictrans2-indic-en-dist-200M --model indictrans2-en-indic-dist-200M
      translate-kit serve --model ./my-model --host 0.0.0.0 --port 8080 --api-key SECRET --beam 1 -q
    """
    try:
        from ..memory import default_path
        from ..serve.app import create_app
        from ..serve.server import serve
        from ..serve.settings import ServeSettings
    except ImportError as exc:
        raise TranslateKitError(
            f"serving needs the [serve] extra: pip install 'translate-kit[serve]' ({exc})"
        ) from None
    settings = ServeSettings(
        models=tuple(models),
        device=device,
        compute_type=compute_type,
        threads=threads,
        beam=beam,
        batch_invariant=batch_invariant,
        memory=None if no_cache else (cache_path or str(default_path())),
        batch_tokens=batch_tokens,
        max_wait_ms=max_wait_ms,
        cross_request=not no_cross_request_batching,
        max_body_bytes=int(max_body_mb * 1024 * 1024),
        max_sentences=max_sentences,
        max_sentence_chars=max_sentence_chars,
        max_queue=max_queue,
        max_requests=max_requests,
        timeout_s=timeout,
        api_key=api_key or None,
        cors_origins=tuple(cors_origins),
        pinned_length=pin_output_length,
    )
    log_level = "warning" if quiet and log_level == "info" else log_level
    if not quiet:
        click.echo(f"translate-kit serving on http://{host}:{port}/ (API docs: /docs)", err=True)
    serve(create_app(settings), host=host, port=port, log_level=log_level, keep_alive=KEEP_ALIVE_S)


COMMANDS = [serve_command]
