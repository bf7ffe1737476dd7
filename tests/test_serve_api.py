"""The HTTP API on a live loopback server with tiny models: every route, limits and errors,
batching across requests, cancellation; answers equal what the library (the CLI) gives."""

from __future__ import annotations

import concurrent.futures
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from serve_server import held_workers, live_server, wait_for  # skips the module without the [serve] extra

from translate_kit.cli import cli
from translate_kit.serve.settings import ServeSettings

httpx = pytest.importorskip("httpx")

ARTICLE_HI = (Path(__file__).parent / "data" / "corpus.hi").read_text(encoding="utf-8").splitlines()
ARTICLE_EN = (Path(__file__).parent / "data" / "corpus.en").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def server(tiny_model_hi_en, tiny_model_en_hi, tmp_path_factory):
    memory = tmp_path_factory.mktemp("serve") / "memory.sqlite3"
    settings = ServeSettings(
        models=(str(tiny_model_hi_en), str(tiny_model_en_hi)),
        beam=2,
        memory=str(memory),
        max_sentences=40,
        max_sentence_chars=400,
        max_body_bytes=64 * 1024,
    )
    with live_server(settings) as live:
        yield live


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=60) as http:
        yield http


def cli_translate(model: Path, text: str, suffix: str, tmp_path: Path, beam: int = 2) -> str:
    """What `translate-kit translate` writes for the same text: the reference for the service."""
    source = tmp_path / f"input{suffix}"
    source.write_text(text, encoding="utf-8")
    output = tmp_path / f"output{suffix}"
    result = CliRunner().invoke(
        cli,
        [
            "translate",
            str(source),
            "-o",
            str(output),
            "--model",
            str(model),
            "--beam",
            str(beam),
            "--no-cache",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    return output.read_text(encoding="utf-8")


def test_health_ready_models_languages(client):
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json()["ready"] is True
    models = client.get("/models").json()
    assert {(m["source"], m["target"]) for m in models["models"]} == {
        ("hin_Deva", "eng_Latn"),
        ("eng_Latn", "hin_Deva"),
    }
    assert client.get("/languages").json() == [
        {"code": "en", "name": "English", "targets": ["hi"]},
        {"code": "hi", "name": "Hindi", "targets": ["en"]},
    ]
    assert client.post("/detect", json={"q": ARTICLE_HI[0]}).json()[0]["language"] == "hi"
    assert client.post("/detect", json={"q": ARTICLE_EN[0]}).json()[0]["language"] == "en"


def test_translate_answers_what_the_cli_writes(client, tiny_model_hi_en, tmp_path):
    text = "\n\n".join(ARTICLE_HI[:3]) + "\n"
    answer = client.post("/translate", json={"text": [text, ARTICLE_HI[3]]}).json()
    assert answer["source"] == "hin_Deva" and answer["target"] == "eng_Latn" and answer["detected"]
    assert answer["translations"][0] == cli_translate(tiny_model_hi_en, text, ".txt", tmp_path)
    assert answer["translations"][0].count("\n\n") == 2  # paragraphs stay paragraphs
    first = answer["results"][0]
    assert [s["source"] for s in first["sentences"]] == ARTICLE_HI[:3]
    assert all(s["translation"] and s["score"] < 0 for s in first["sentences"])
    assert len(answer["results"][1]["sentences"]) == 1


def test_english_to_hindi_and_text_already_in_the_target_language(client):
    answer = client.post("/translate", json={"text": ARTICLE_EN[0], "source": "en"}).json()
    assert answer["target"] == "hin_Deva" and answer["model"]
    same = client.post("/translate", json={"text": ARTICLE_EN[0], "source": "en", "target": "en"}).json()
    assert same["translations"] == [ARTICLE_EN[0]] and same["model"] is None


def test_libretranslate_clients_get_their_shape(client):
    single = client.post(
        "/translate", json={"q": ARTICLE_HI[0], "source": "hi", "target": "en", "format": "text"}
    ).json()
    assert set(single) == {"translatedText", "detectedLanguage"} and isinstance(single["translatedText"], str)
    assert single["detectedLanguage"] is None
    many = client.post("/translate", json={"q": ARTICLE_HI[:3], "source": "auto", "target": "en"}).json()
    assert len(many["translatedText"]) == 3
    assert [d["language"] for d in many["detectedLanguage"]] == ["hi", "hi", "hi"]
    assert many["translatedText"][0] == single["translatedText"]


def test_libretranslate_html_keeps_its_markup(client):
    html = f"<p>{ARTICLE_HI[14]} <b>{ARTICLE_HI[15][:20]}</b></p>"
    answer = client.post("/translate", json={"q": html, "source": "hi", "target": "en", "format": "html"})
    translated = answer.json()["translatedText"]
    assert translated.startswith("<p>") and translated.endswith("</p>") and "<b>" in translated


def test_the_serve_command_builds_the_app_it_runs(monkeypatch, tiny_model_hi_en, tmp_path):
    from translate_kit.serve import server

    ran = {}
    monkeypatch.setattr(server, "serve", lambda app, **kwargs: ran.update(app=app, **kwargs))
    monkeypatch.setenv("TRANSLATE_KIT_API_KEY", "from-env")
    result = CliRunner().invoke(
        cli,
        [
            "serve",
            "--model",
            str(tiny_model_hi_en),
            "--port",
            "8123",
            "--max-queue",
            "7",
            "--beam",
            "1",
            "--cache",
            str(tmp_path / "m.sqlite3"),
            "--no-cross-request-batching",
            "--batch-invariant",
            "--cors-origin",
            "http://a.example",
        ],
    )
    assert result.exit_code == 0, result.output
    settings = ran["app"].state.settings
    assert (ran["host"], ran["port"]) == ("127.0.0.1", 8123)
    assert settings.models == (str(tiny_model_hi_en),) and settings.max_queue == 7 and settings.beam == 1
    assert settings.api_key == "from-env" and not settings.cross_request
    assert settings.decode_options().batch_invariant and settings.translate_options().batch_invariant
    assert settings.memory == str(tmp_path / "m.sqlite3") and settings.cors_origins == ("http://a.example",)


def test_concurrent_requests_each_get_exactly_their_own_answer(client, server):
    """Sentences of 24 concurrent requests share batches; each answer is the one the request
    gets alone (a sentence's translation never depends on its batch companions)."""
    alone = {
        s: client.post("/translate", json={"text": s}).json()["translations"][0] for s in ARTICLE_HI[:24]
    }
    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        answers = list(
            pool.map(lambda s: (s, client.post("/translate", json={"text": s}).json()), ARTICLE_HI[:24])
        )
    for sentence, answer in answers:
        assert answer["translations"][0] == alone[sentence]
        assert answer["results"][0]["sentences"][0]["source"] == sentence


def test_sentences_of_concurrent_requests_are_decoded_in_one_batch(client, server):
    model = server.model()
    same_length = [f"क्रम {i}: किसानों का कहना है कि इस बार फसल अच्छी हुई है।" for i in range(8)]
    mixed = [f"{line} ({i})" for i, line in enumerate(ARTICLE_HI[30:38])]
    for texts in (same_length, mixed):
        with (
            concurrent.futures.ThreadPoolExecutor(12) as pool,
            held_workers(client, model, pool) as (batches, release),
        ):
            rest = [pool.submit(client.post, "/translate", json={"text": t}) for t in texts]
            wait_for(lambda texts=texts: model.batcher.queued == len(texts))
            release()
            assert all(f.result().status_code == 200 for f in rest)
        ours = [b for b in batches[model.batcher.workers :]]
        assert len(ours) == 1 and len(ours[0]) == len(texts)  # every request's sentence in one batch
        buckets = {model.translator.decode_cost(item, invariant=True)[0] for item in ours[0]}
        assert len(buckets) == (1 if texts is same_length else 2)  # lengths mix in a batch


def test_markdown_file_comes_back_markdown_with_its_structure(client, tiny_model_hi_en, tmp_path):
    markdown = (
        "# मॉस्को में बैठक\n\n" + ARTICLE_HI[0] + " [विदेश मंत्रालय](https://mea.gov.in) के अनुसार।\n\n"
        f"- {ARTICLE_HI[1]}\n- {ARTICLE_HI[2]}\n\n```\ncode stays\n```\n"
    )
    answer = client.post("/translate/file", files={"file": ("lekh.md", markdown.encode())})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/markdown")
    assert "lekh.en.md" in answer.headers["content-disposition"]
    assert answer.text == cli_translate(tiny_model_hi_en, markdown, ".md", tmp_path)
    lines = answer.text.split("\n")
    assert lines[0].startswith("# ") and "](https://mea.gov.in)" in answer.text
    assert sum(line.startswith("- ") for line in lines) == 2 and "```\ncode stays\n```" in answer.text


def test_jsonl_and_tsv_files_keep_their_other_fields(client):
    record = {"id": 7, "text": ARTICLE_HI[4], "url": "https://example.in/a"}
    jsonl = client.post(
        "/translate/file",
        files={"file": ("news.jsonl", (json.dumps(record, ensure_ascii=False) + "\n").encode())},
    )
    out = json.loads(jsonl.text)
    assert out["id"] == 7 and out["url"] == record["url"] and out["text"] != record["text"]
    table = f"id\ttext\n1\t{ARTICLE_HI[5]}\n2\t{ARTICLE_HI[6]}\n"
    tsv = client.post("/translate/file", files={"file": ("sheet.tsv", table.encode())})
    rows = [row.split("\t") for row in tsv.text.splitlines()]
    assert rows[0] == ["id", "text"] and [r[0] for r in rows[1:]] == ["1", "2"]


def test_document_view_pairs_blocks_and_streams_progress(client):
    text = "# शीर्षक\n\n" + " ".join(ARTICLE_HI[7:10]) + "\n\n" + ARTICLE_EN[0] + "\n"
    view = client.post("/translate/document", json={"text": text, "filename": "a.md"}).json()
    assert [b["kind"] for b in view["blocks"]] == ["heading", "paragraph", "paragraph"]
    assert len(view["blocks"][1]["sentences"]) == 3
    assert view["blocks"][2]["translated"] is False  # already English: kept
    assert view["output"].startswith("# ")
    with client.stream(
        "POST", "/translate/document?stream=true", json={"text": text, "filename": "a.md"}
    ) as r:
        lines = [json.loads(line) for line in r.iter_lines() if line]
    assert "progress" in lines[0] and lines[-1]["result"]["output"] == view["output"]
    assert lines[-2]["progress"]["done"] == lines[-2]["progress"]["total"] == 4


@pytest.mark.parametrize(
    ("request_kwargs", "status", "message"),
    [
        ({"json": {"text": "x" * 70_000}}, 413, "over the limit"),
        ({"json": {"text": ["एक।"] * 41}}, 413, "limit is 40"),
        ({"json": {"text": "बहुत " * 100 + "लंबा वाक्य।"}}, 413, "characters"),
        ({"json": {"text": "नमस्ते", "target": "fr"}}, 400, "unsupported language"),
        ({"json": {"text": "नमस्ते", "q": "नमस्ते"}}, 422, "either"),
        ({"json": {}}, 422, "either"),
        ({"content": b'{"text": "\xff"}', "headers": {"content-type": "application/json"}}, 400, "UTF-8"),
        ({"content": b'{"text": ', "headers": {"content-type": "application/json"}}, 400, "JSON"),
    ],
)
def test_bad_requests_get_one_line_errors(client, request_kwargs, status, message):
    answer = client.post("/translate", **request_kwargs)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert message in error and "\n" not in error and "Traceback" not in error


def test_bad_files_name_their_line(client):
    bad_utf8 = client.post("/translate/file", files={"file": ("a.txt", "ठीक\n".encode() + b"\xff\xfe")})
    assert bad_utf8.status_code == 400 and "a.txt:2" in bad_utf8.json()["error"]
    bad_jsonl = client.post("/translate/file", files={"file": ("a.jsonl", b'{"text": "ok"}\n{"text": \n')})
    assert bad_jsonl.status_code == 422 and "a.jsonl:2" in bad_jsonl.json()["error"]
    no_field = client.post("/translate/file", files={"file": ("a.jsonl", b'{"body": "x"}\n')})
    assert no_field.status_code == 422 and "'text'" in no_field.json()["error"]
    assert client.get("/nowhere").json() == {"error": "Not Found"}


def test_a_full_queue_answers_503_with_retry_after(client, server):
    batcher = server.model().batcher
    with batcher.admit(batcher.max_pending):
        answer = client.post("/translate", json={"text": ARTICLE_HI[11]})
    assert answer.status_code == 503 and int(answer.headers["retry-after"]) >= 1
    assert "busy" in answer.json()["error"]
    assert client.post("/translate", json={"text": ARTICLE_HI[11]}).status_code == 200


def test_timeouts_answer_504_and_free_the_queue(tiny_model_hi_en):
    settings = ServeSettings(models=(str(tiny_model_hi_en),), timeout_s=1.0)
    with live_server(settings) as live, httpx.Client(base_url=live.url, timeout=30) as http:
        model = live.model()
        with concurrent.futures.ThreadPoolExecutor(4) as pool, held_workers(http, model, pool):
            answer = http.post("/translate", json={"text": ARTICLE_HI[12]})
            assert answer.status_code == 504 and "1 s" in answer.json()["error"]
            wait_for(lambda: model.batcher.admitted == model.batcher.workers, 5)
            assert model.batcher.queued == 0


def test_a_client_that_leaves_has_its_sentences_cancelled(server, client):
    model = server.model()
    leaving = " ".join(f"छोड़कर जाने वाला वाक्य {i}।" for i in range(6))
    with concurrent.futures.ThreadPoolExecutor(4) as pool, held_workers(client, model, pool) as (batches, _):
        with pytest.raises(httpx.TimeoutException):
            httpx.post(server.url + "/translate", json={"text": leaving}, timeout=0.5)
        wait_for(lambda: model.batcher.admitted == model.batcher.workers, 5)  # only the held requests
        assert model.batcher.queued == 0
    assert not any("छोड़कर" in item.text for batch in batches for item in batch)


def test_api_key_and_cors(tiny_model_hi_en):
    settings = ServeSettings(
        models=(str(tiny_model_hi_en),), api_key="s3cret", cors_origins=("http://news.example",)
    )
    with live_server(settings) as live, httpx.Client(base_url=live.url, timeout=30) as http:
        assert http.post("/translate", json={"text": "नमस्ते।"}).status_code == 401
        assert http.get("/models").status_code == 401
        assert http.get("/models", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert http.get("/models", headers={"X-API-Key": "s3cret"}).status_code == 200
        assert (
            http.post(
                "/translate", json={"q": "नमस्ते।", "source": "hi", "target": "en", "api_key": "s3cret"}
            ).status_code
            == 200
        )
        assert http.get("/health").status_code == 200 and http.get("/").status_code == 200
        allowed = http.get("/health", headers={"Origin": "http://news.example"})
        assert allowed.headers["access-control-allow-origin"] == "http://news.example"


def test_cors_is_off_unless_asked_for(client):
    assert (
        "access-control-allow-origin"
        not in client.get("/health", headers={"Origin": "http://x.example"}).headers
    )


def test_align_gives_block_pairs_and_sentence_beads(client):
    hi = "मॉस्को में बैठक\n\n" + " ".join(ARTICLE_HI[:3]) + "\n\nदिल्ली का मौसम\n\n" + " ".join(ARTICLE_HI[3:5])
    en = (
        "Meeting in Moscow\n\n"
        + " ".join(ARTICLE_EN[:3])
        + "\n\nDelhi weather\n\n"
        + " ".join(ARTICLE_EN[3:5])
    )
    answer = client.post("/align", json={"hi": hi, "en": en}).json()
    assert [(b["hi"], b["en"], b["heading"]) for b in answer["blocks"]] == [
        ([0], [0], True),
        ([1], [1], False),
        ([2], [2], True),
        ([3], [3], False),
    ]
    assert [(b["hi"], b["en"]) for b in answer["beads"]] == [([i], [i]) for i in range(7)]
    assert [b["beads"] for b in answer["blocks"]] == [[0], [1, 2, 3], [4], [5, 6]]
    jsonl = client.post("/align", json={"hi": hi, "en": en, "output": "jsonl", "level": "sentence"})
    assert [json.loads(line)["hi"] for line in jsonl.text.splitlines()] == [[i] for i in range(7)]
    tsv = client.post(
        "/align/files",
        files={"hi": ("a.hi.txt", hi.encode()), "en": ("a.en.txt", en.encode())},
        data={"output": "tsv"},
    )
    rows = [line.split("\t") for line in tsv.text.splitlines()]
    assert rows[0][:3] == ["level", "hi", "en"] and [r[0] for r in rows[1:3]] == ["block", "sentence"]
    assert len(rows) == 1 + 4 + 7


def test_align_refuses_swapped_sides_and_warns_like_the_cli(client):
    hi, en = " ".join(ARTICLE_HI[:3]), " ".join(ARTICLE_EN[:3])
    assert client.post("/align", json={"hi": hi, "en": en}).json()["warnings"] == []
    swapped = client.post("/align", json={"hi": en, "en": hi})
    assert swapped.status_code == 422
    assert swapped.json()["error"] == (
        "the Hindi side is English and the English side Hindi: give the Hindi file first"
    )
    both_english = client.post("/align", json={"hi": en, "en": en}).json()
    assert both_english["warnings"] == ["the Hindi side does not look like Hindi text; aligning anyway"]


def test_evaluate_gives_the_eval_commands_scores_and_signatures(client, tmp_path):
    hyps = [line.replace("the", "a") for line in ARTICLE_EN[:20]]
    (tmp_path / "hyp.en").write_text("\n".join(hyps) + "\n", encoding="utf-8")
    (tmp_path / "ref.en").write_text("\n".join(ARTICLE_EN[:20]) + "\n", encoding="utf-8")
    cli_json = CliRunner().invoke(
        cli,
        [
            "eval",
            "--hyp",
            str(tmp_path / "hyp.en"),
            "--ref",
            str(tmp_path / "ref.en"),
            "-m",
            "bleu,chrf++,ter",
            "--format",
            "json",
        ],
    )
    expected = {s["metric"]: (s["score"], s["signature"]) for s in json.loads(cli_json.output)["scores"]}
    answer = client.post(
        "/evaluate", json={"hypotheses": hyps, "references": [ARTICLE_EN[:20]], "metrics": "bleu,chrf++,ter"}
    ).json()
    assert {s["metric"]: (s["score"], s["signature"]) for s in answer["scores"]} == expected
    assert answer["text"].startswith("BLEU|")
    short = client.post("/evaluate", json={"hypotheses": ["a"], "references": [["a", "b"]]})
    assert short.status_code == 422 and "line-aligned" in short.json()["error"]


def test_metrics_count_requests_sentences_and_batches(client):
    client.post("/translate", json={"text": ARTICLE_HI[13]})
    text = client.get("/metrics").text
    for name in (
        "translate_kit_requests_total",
        "translate_kit_request_seconds_bucket",
        "translate_kit_sentences_total",
        "translate_kit_batch_sentences_bucket",
        "translate_kit_queue_sentences",
        "translate_kit_decode_seconds_bucket",
    ):
        assert name in text
    assert 'translate_kit_requests_total{route="/translate",status="200"}' in text


def test_a_docx_upload_comes_back_a_docx_with_its_text_translated(client):
    """Binary formats through /translate/file: the same package back, its Hindi translated."""
    import zipfile
    from io import BytesIO

    from office_files import news_docx

    upload = {"file": ("समाचार.docx", news_docx())}
    answer = client.post("/translate/file", files=upload, data={"source": "hi"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E0%A4%B8" in answer.headers["content-disposition"]
    source = zipfile.ZipFile(BytesIO(news_docx()))
    with zipfile.ZipFile(BytesIO(answer.content)) as translated, source:
        assert translated.namelist() == source.namelist()
        body = translated.read("word/document.xml").decode("utf-8")
    assert not re.search("[\u0900-\u097f]", re.sub(r"<[^>]+>", "", body))
    broken = client.post("/translate/file", files={"file": ("टूटा.docx", b"PK\x03\x04 not a package")})
    assert broken.status_code == 422 and "docx" in broken.json()["error"].lower()


def test_each_sentence_carries_the_judges_flags_and_confidence(client):
    """The service answers the flags the library puts on each sentence (translate_kit.checks)."""
    from translate_kit.checks.flags import TranslationChecker

    checker = TranslationChecker("hi", "en")
    text = "सरकार ने 2023 में 15 नई योजनाएँ शुरू कीं। " + ARTICLE_HI[5]
    answer = client.post("/translate", json={"text": text, "source": "hi"}).json()
    sentences = answer["results"][0]["sentences"]
    assert sentences
    for sentence in sentences:
        expected = checker.check(sentence["source"], sentence["translation"])
        assert sentence["flags"] == list(expected.flags)
        assert sentence["confidence"] == expected.confidence
