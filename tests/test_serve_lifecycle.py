"""A server's life around its requests: answering while its models load, a model that fails to
load, a streaming client that leaves mid-way, too many requests at once, and a graceful stop."""

from __future__ import annotations

import concurrent.futures
import threading
from pathlib import Path

import pytest
from serve_server import held_workers, live_server, wait_for  # skips the module without the [serve] extra

from translate_kit.serve.models import ModelPool
from translate_kit.serve.settings import ServeSettings

httpx = pytest.importorskip("httpx")

ARTICLE_HI = (Path(__file__).parent / "data" / "corpus.hi").read_text(encoding="utf-8").splitlines()


def test_ready_answers_503_until_the_models_are_loaded(tiny_model_hi_en, monkeypatch):
    loading = threading.Event()
    load = ModelPool._load

    def slow_load(pool, *args):
        loading.wait(30)
        return load(pool, *args)

    monkeypatch.setattr(ModelPool, "_load", slow_load)
    settings = ServeSettings(models=(str(tiny_model_hi_en),), beam=1)
    with live_server(settings, wait_ready=False) as live, httpx.Client(base_url=live.url, timeout=30) as http:
        assert http.get("/health").status_code == 200  # up while the model loads
        ready = http.get("/ready")
        assert ready.status_code == 503 and ready.json() == {"ready": False, "error": None}
        early = http.post("/translate", json={"text": ARTICLE_HI[0]})
        assert early.status_code == 503 and "still loading" in early.json()["error"]
        assert int(early.headers["retry-after"]) >= 1
        loading.set()
        wait_for(lambda: http.get("/ready").status_code == 200, 30)
        assert http.get("/ready").json()["ready"] is True
        assert http.post("/translate", json={"text": ARTICLE_HI[0]}).status_code == 200


def test_a_model_that_cannot_load_keeps_ready_at_503_with_the_reason(tmp_path):
    settings = ServeSettings(models=(str(tmp_path / "no-such-model"),))
    with live_server(settings) as live, httpx.Client(base_url=live.url, timeout=30) as http:
        ready = http.get("/ready")
        assert ready.status_code == 503 and "no-such-model" in ready.json()["error"]
        answer = http.post("/translate", json={"text": ARTICLE_HI[0]})
        assert answer.status_code == 503 and answer.json()["error"].startswith("model not available")
        assert "\n" not in answer.json()["error"]


@pytest.fixture(scope="module")
def server(tiny_model_hi_en):
    with live_server(ServeSettings(models=(str(tiny_model_hi_en),), beam=1, max_requests=4)) as live:
        yield live


def test_a_streaming_client_that_leaves_has_its_sentences_cancelled(server):
    model = server.model()
    leaving = "\n\n".join(f"छोड़कर जाने वाला लंबा लेख, अनुच्छेद {i}।" for i in range(12))
    with (
        httpx.Client(base_url=server.url, timeout=30) as http,
        concurrent.futures.ThreadPoolExecutor(4) as pool,
        held_workers(http, model, pool) as (batches, release),
    ):
        with httpx.stream(
            "POST", server.url + "/translate/document?stream=true", json={"text": leaving}, timeout=30
        ) as stream:
            lines = stream.iter_lines()  # kept: a dropped iterator would close the connection now
            first = next(lines)
            assert '"progress"' in first and '"total": 12' in first
            wait_for(lambda: model.batcher.queued == 12)
            threading.Event().wait(0.3)
            assert model.batcher.queued == 12  # still waiting for the held workers
        # the connection is closed: the request's queued sentences go, the held ones stay
        wait_for(lambda: model.batcher.queued == 0 and model.batcher.admitted == model.batcher.workers)
        other = pool.submit(http.post, "/translate", json={"text": ARTICLE_HI[3]})
        release()
        assert other.result(30).status_code == 200  # the next request is not held up by the leaver
    assert not any("छोड़कर" in item.text for batch in batches for item in batch)


def test_requests_past_the_limit_get_503_with_retry_after(server):
    model = server.model()
    with (
        httpx.Client(base_url=server.url, timeout=30) as http,
        concurrent.futures.ThreadPoolExecutor(8) as pool,
        held_workers(http, model, pool) as (_, release),
    ):
        waiting = [pool.submit(http.post, "/translate", json={"text": f"{line} ({i})"})
                   for i, line in enumerate(ARTICLE_HI[40:42])]
        wait_for(lambda: model.batcher.queued == 2)  # 2 held + 2 queued: the limit of 4 requests
        refused = http.post("/translate", json={"text": ARTICLE_HI[45]})
        assert refused.status_code == 503 and "4 requests in progress" in refused.json()["error"]
        assert int(refused.headers["retry-after"]) >= 1
        release()
        assert all(f.result(30).status_code == 200 for f in waiting)
    assert http_ok(server.url, ARTICLE_HI[45])


def http_ok(url: str, text: str) -> bool:
    return httpx.post(url + "/translate", json={"text": text}, timeout=30).status_code == 200


def test_a_stopping_server_finishes_requests_in_its_grace_period_then_answers_503(tiny_model_hi_en):
    """SIGTERM: a request that finishes within the grace period is answered; one still decoding at
    its end gets 503 with Retry-After (never a cut connection); new connections are refused."""
    settings = ServeSettings(models=(str(tiny_model_hi_en),), beam=1)
    with live_server(settings, grace=1.0) as live, httpx.Client(base_url=live.url, timeout=30) as http:
        model = live.model()
        pool = concurrent.futures.ThreadPoolExecutor(4)
        with pool, held_workers(http, model, pool) as (_, release):
            quick = pool.submit(http.post, "/translate", json={"text": ARTICLE_HI[50]})
            wait_for(lambda: model.batcher.queued == 1)
            live.stop()
            threading.Event().wait(0.3)
            with pytest.raises(httpx.ConnectError):
                httpx.post(live.url + "/translate", json={"text": ARTICLE_HI[51]}, timeout=5)
            answer = quick.result(30)  # the held workers never free up within the grace period
            assert answer.status_code == 503, answer.text
            assert answer.json() == {"error": "the server is shutting down"}
            assert int(answer.headers["retry-after"]) >= 1
            release()


def test_a_request_that_finishes_within_the_grace_period_is_answered(tiny_model_hi_en):
    settings = ServeSettings(models=(str(tiny_model_hi_en),), beam=1)
    with live_server(settings, grace=5.0) as live, httpx.Client(base_url=live.url, timeout=30) as http:
        model = live.model()
        pool = concurrent.futures.ThreadPoolExecutor(4)
        with pool, held_workers(http, model, pool) as (_, release):
            waiting = pool.submit(http.post, "/translate", json={"text": ARTICLE_HI[52]})
            wait_for(lambda: model.batcher.queued == 1)
            live.stop()
            threading.Event().wait(0.5)
            release()
            answer = waiting.result(30)
            assert answer.status_code == 200 and answer.json()["results"][0]["sentences"]
