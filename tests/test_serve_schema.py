"""Schemathesis fuzzes every operation of the OpenAPI schema against a live server with tiny
models: whatever it sends (valid or not), no answer is a 500, and every error is one JSON line."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from serve_server import live_server  # skips the module without the [serve] extra

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
