"""Schemathesis fuzzes every operation of the OpenAPI schema against a live server with tiny
models: whatever it sends (valid or not), no answer is a 500, and every error is one JSON line.
The translation operations are also sent real documents (tests/data/hindi_documents) and
generated Markdown and HTML (the property tests' strategies), which the schema's types never
produce: a Markdown text with front matter once made every one of them answer 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from serve_server import live_server  # skips the module without the [serve] extra
from test_documents_properties import html_docs, markdown_docs, rich_markdown

from translate_kit.serve.settings import ServeSettings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402


@pytest.fixture(scope="module")
def server(tiny_model_hi_en, tiny_model_en_hi):
    settings = ServeSettings(
        models=(str(tiny_model_hi_en), str(tiny_model_en_hi)),
        beam=1,
        memory=None,
        max_sentences=50,
        max_body_bytes=256 * 1024,
        timeout_s=30,
    )
    with live_server(settings) as live:
        yield live


@pytest.fixture(scope="module")
def api_schema(server):
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


def one_line_error(response) -> None:
    """Every 4xx/5xx answer is {"error": one line}."""
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error, str) and error and "\n" not in error and "Traceback" not in error


def test_no_request_makes_the_server_fail(api_schema, server):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call(base_url=server.url, timeout=60)
            case.validate_response(response, checks=[not_a_server_error])
            one_line_error(response)

        check()


REAL = Path(__file__).parent / "data" / "hindi_documents"
_real = sorted(
    (path.name, path.read_text(encoding="utf-8")) for path in REAL.iterdir() if path.name != "SOURCES.md"
)
documents = st.one_of(
    st.sampled_from(_real),
    st.builds(lambda text: ("generated.md", text), st.one_of(markdown_docs(), rich_markdown())),
    st.builds(lambda text: ("generated.html", text), html_docs()),
)
FORMATS = {".md": "markdown", ".html": "html"}


def test_real_and_generated_documents_never_make_the_server_fail(api_schema, server):
    import httpx

    translate = api_schema["/translate"]["POST"]
    page_view = api_schema["/translate/document"]["POST"]

    @given(case=translate.as_strategy(), view=page_view.as_strategy(), document=documents,
           libretranslate=st.booleans())
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case, view, document, libretranslate):
        name, text = document
        fmt = FORMATS[Path(name).suffix]
        case.body = {"q" if libretranslate else "text": text, "source": "hi", "format": fmt}
        view.body = {"text": text, "filename": name, "source": "hi"}
        for drawn in (case, view):
            response = drawn.call(base_url=server.url, timeout=60)
            drawn.validate_response(response, checks=[not_a_server_error])
            one_line_error(response)
        upload = httpx.post(server.url + "/translate/file", files={"file": (name, text.encode())},
                            data={"source": "hi"}, timeout=60)
        assert upload.status_code < 500, upload.text
        one_line_error(upload)

    check()
