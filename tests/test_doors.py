"""Every door gives the same bytes: each real document translated by the CLI (the reference),
`api.translate_documents`, POST /translate (native and LibreTranslate shapes), /translate/file,
/translate/document, the web page in Chromium (upload, translate, download) and `translate --ray`.

The documents: the 22 real Hindi documents of tests/data/hindi_documents (Open Source Guides and
React docs, front matter, HTML inside Markdown, JSX, in-page links), a real news article as text,
TICO-19 sentences as JSONL records and TSV rows, newsdev2014 sentences in a Markdown table with
footnotes, and the front-matter text that once made the service answer 500. Bad input gets the
same one-line error from every door, and no door ever answers 500.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from chromium import browser_context
from click.testing import CliRunner
from scale_helpers import ray_instance
from serve_server import live_server  # skips the module without the [serve] extra

from translate_kit import api
from translate_kit.cli import cli
from translate_kit.documents import detect_format
from translate_kit.errors import InputError
from translate_kit.serve.settings import ServeSettings

httpx = pytest.importorskip("httpx")
__all__ = ["ray_instance"]  # the module's Ray instance (a fixture)

REAL = Path(__file__).parent / "data" / "hindi_documents"
BEAM = 2
READ = ("--field", "text", "--column", "text")
BAD_JSONL = '{"text": "यह पहला रिकॉर्ड है।"}\n{"text": "अधूरा\n'


def _generated(shared_data: Path) -> dict[str, str]:
    """Documents made from the shared real data, beside the real files."""
    tico = (shared_data / "hi-en" / "tico19-test.hi").read_text(encoding="utf-8").splitlines()
    news = (shared_data / "hi-en" / "newsdev2014.hi").read_text(encoding="utf-8").splitlines()
    rows = "".join(f"| {i} | {line.replace('|', '।')} |\n" for i, line in enumerate(news[:4], 1))
    return {
        "front-matter.md": "---\ntitle: नमस्ते\n---\n\nयह एक वाक्य है।",
        "table-footnotes.md": (
            f"# समाचार सारांश\n\n| क्रम | वाक्य |\n|---|---|\n{rows}\n"
            f"{news[4]}[^1] {news[5]}[^2]\n\n[^1]: {news[6]}\n[^2]: {news[7]}\n"
        ),
        "article.txt": (shared_data / "articles" / "jaishankar-lavrov.hi.txt").read_text(encoding="utf-8"),
        "records.jsonl": "".join(
            json.dumps({"id": i, "text": line}, ensure_ascii=False) + "\n" for i, line in enumerate(tico[:12])
        ),
        "table.tsv": "id\ttext\n" + "".join(f"{i}\t{line}\n" for i, line in enumerate(tico[12:24])),
    }


@pytest.fixture(scope="module")
def documents(tmp_path_factory, shared_data) -> Path:
    folder = tmp_path_factory.mktemp("doors") / "documents"
    shutil.copytree(REAL, folder, ignore=shutil.ignore_patterns("SOURCES.md"))
    for name, text in _generated(shared_data).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def _cli(*args: str) -> object:
    return CliRunner().invoke(cli, ["translate", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def reference(documents, tiny_model_hi_en) -> dict[str, bytes]:
    """What `translate-kit translate FOLDER -o OUT` writes: every other door must equal it."""
    out = documents.parent / "cli"
    result = _cli(str(documents), "-o", str(out), "--model", str(tiny_model_hi_en), "--beam", str(BEAM),
                  "--batch-invariant", "--no-cache", "-q", *READ)
    assert result.exit_code == 0, result.output
    outputs = {name: (out / name).read_bytes() for name in _names(documents)}
    assert len(outputs) >= 27
    untouched = [name for name, data in outputs.items() if data == (documents / name).read_bytes()]
    assert untouched == [], "every document has Hindi to translate (index.html: its front matter)"
    return outputs


@pytest.fixture(scope="module")
def server(tiny_model_hi_en):
    settings = ServeSettings(models=(str(tiny_model_hi_en),), beam=BEAM, batch_invariant=True, memory=None)
    with live_server(settings) as live:
        yield live


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server.url, timeout=120) as http:
        yield http


def _differences(reference: dict[str, bytes], outputs: dict[str, bytes]) -> list[str]:
    return [name for name in reference if outputs.get(name) != reference[name]]


def test_the_library_call_writes_the_clis_bytes(documents, reference, tiny_model_hi_en, tmp_path):
    options = api.TranslateOptions(model=str(tiny_model_hi_en), beam_size=BEAM, batch_invariant=True,
                                   use_memory=False, fields=("text",), columns=("text",))
    api.translate_documents(str(documents), str(tmp_path), options)
    assert _differences(reference, {name: (tmp_path / name).read_bytes() for name in reference}) == []


def _json_text(client, name: str, text: str, shape: str) -> bytes:
    fmt = detect_format(name)
    body = {shape: text, "source": "hi", "target": "en", "format": fmt}
    response = client.post("/translate", json=body)
    assert response.status_code == 200, (name, response.text)
    answer = response.json()
    return (answer["translatedText"] if shape == "q" else answer["translations"][0]).encode("utf-8")


@pytest.mark.parametrize("shape", ["text", "q"], ids=["native", "libretranslate"])
def test_post_translate_gives_the_clis_bytes(client, documents, reference, shape):
    outputs = {name: _json_text(client, name, (documents / name).read_text(encoding="utf-8"), shape)
               for name in reference}
    assert _differences(reference, outputs) == []


def test_the_curl_of_the_front_matter_report_answers_the_translation(client):
    text = "---\ntitle: नमस्ते\n---\n\nयह एक वाक्य है।"
    body = {"q": text, "source": "hi", "target": "en", "format": "markdown"}
    response = client.post("/translate", json=body)
    assert response.status_code == 200, response.text
    translated = response.json()["translatedText"]
    assert translated.startswith("---\ntitle: ") and "नमस्ते" not in translated


def test_translate_file_gives_the_clis_bytes(client, documents, reference):
    outputs = {}
    for name in reference:
        response = client.post("/translate/file", files={"file": (name, (documents / name).read_bytes())},
                               data={"source": "hi", "target": "en"})
        assert response.status_code == 200, (name, response.text)
        outputs[name] = response.content
    assert _differences(reference, outputs) == []


def test_the_pages_view_gives_the_clis_bytes_and_shows_front_matter(client, documents, reference):
    outputs = {}
    for name in reference:
        body = {"text": (documents / name).read_text(encoding="utf-8"), "filename": name, "source": "hi"}
        response = client.post("/translate/document", json=body)
        assert response.status_code == 200, (name, response.text)
        view = response.json()
        outputs[name] = view["output"].encode("utf-8")
        if name == "front-matter.md":
            kinds = [(block["kind"], block["source"], block["translated"]) for block in view["blocks"]]
            assert kinds == [("field", "नमस्ते", True), ("paragraph", "यह एक वाक्य है।", True)]
    assert _differences(reference, outputs) == []


# ------------------------------------------------------------------------------- bad input


def _tail(message: str) -> str:
    """An error line without the name the door knows the document by ("error: PATH:", "text[0]:")."""
    return re.sub(r"^(?:[Ee]rror: )?\S*?(?=:\d+:)", "", message.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def bad_input_error(documents, tiny_model_hi_en) -> str:
    bad = documents.parent / "bad" / "records.jsonl"
    bad.parent.mkdir()
    bad.write_text(BAD_JSONL, encoding="utf-8")
    result = _cli(str(bad), "-o", str(documents.parent / "bad.out.jsonl"), "--model", str(tiny_model_hi_en),
                  "--field", "text")
    assert result.exit_code != 0 and "records.jsonl:2:" in result.output, result.output
    return _tail(result.output)


def test_bad_input_gets_the_same_line_from_every_http_door_and_the_library(client, documents,
                                                                          bad_input_error):
    with pytest.raises(InputError) as raised:
        api.translate_documents(str(documents.parent / "bad" / "records.jsonl"), None,
                                api.TranslateOptions(fields=("text",)))
    answers = {
        "library": (None, str(raised.value)),
        "native": client.post("/translate", json={"text": BAD_JSONL, "source": "hi", "format": "jsonl"}),
        "libretranslate": client.post("/translate", json={"q": BAD_JSONL, "source": "hi", "format": "jsonl"}),
        "file": client.post("/translate/file", files={"file": ("records.jsonl", BAD_JSONL.encode())}),
        "document": client.post("/translate/document", json={"text": BAD_JSONL, "filename": "records.jsonl"}),
    }
    lines = {}
    for door, answer in answers.items():
        if door == "library":
            lines[door] = _tail(answer[1])
            continue
        assert answer.status_code == 422, (door, answer.text)
        lines[door] = _tail(answer.json()["error"])
    assert lines == dict.fromkeys(answers, bad_input_error)


def test_no_http_door_answers_500_to_broken_documents(client):
    broken = ["---\ntitle: [unclosed\n---\n\nपाठ।", "<div markdown=\"1\">\n# शीर्षक\n", "| a |\n|---|\n| ब |",
              "\ufeff\r\nपाठ\r\n", "+++\ntitle = \n+++\nपाठ।", "[^x]: केवल फ़ुटनोट"]
    for text in broken:
        for fmt in ("markdown", "html", "text"):
            for path, body in (("/translate", {"text": text, "format": fmt, "source": "hi"}),
                               ("/translate/document", {"text": text, "format": fmt, "source": "hi"})):
                response = client.post(path, json=body)
                assert response.status_code < 500, (path, fmt, text, response.text)


# ------------------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    with browser_context(tmp_path_factory.mktemp("chromium-profile")) as context:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        page.close()
        assert not errors, errors


def _page_download(page, url: str, upload: Path) -> bytes:
    """Upload a file on a fresh page, translate it, download the translation."""
    page.goto(url + "/")
    page.set_input_files("#file", str(upload))
    page.wait_for_function("document.getElementById('text').value.length > 0")
    page.select_option("#source", "hi")
    page.click("#translate")
    page.wait_for_selector("#download:not([disabled]), #status.error")
    assert not page.locator("#status.error").count(), (upload.name, page.inner_text("#status"))
    with page.expect_download() as info:
        page.click("#download")
    return Path(info.value.path()).read_bytes()


def test_the_page_uploads_translates_and_downloads_the_clis_bytes(page, server, documents, reference):
    outputs = {name: _page_download(page, server.url, documents / name) for name in reference}
    assert _differences(reference, outputs) == []


def test_the_page_shows_the_servers_error_line(page, server, documents, bad_input_error):
    upload = documents.parent / "bad" / "records.jsonl"
    page.goto(server.url + "/")
    page.set_input_files("#file", str(upload))
    page.wait_for_function("document.getElementById('text').value.length > 0")
    page.select_option("#source", "hi")
    page.click("#translate")
    page.wait_for_selector("#status.error")
    assert _tail(page.inner_text("#status")) == bad_input_error


# ------------------------------------------------------------------------------- --ray


def test_translate_on_ray_writes_the_clis_bytes(ray_instance, documents, reference, tiny_model_hi_en):
    out = documents.parent / "ray"
    result = _cli(str(documents), "-o", str(out), "--model", str(tiny_model_hi_en), "--beam", str(BEAM),
                  "--batch-invariant", "--no-cache", "-q", *READ, "--ray")
    assert result.exit_code == 0, result.output
    assert _differences(reference, {name: (out / name).read_bytes() for name in reference}) == []


def test_bad_input_on_ray_is_reported_with_the_same_line(ray_instance, documents, tiny_model_hi_en,
                                                        bad_input_error):
    result = _cli(str(documents.parent / "bad"), "-o", str(documents.parent / "bad-ray"),
                  "--model", str(tiny_model_hi_en), "--field", "text", "--ray")
    assert result.exit_code != 0
    assert bad_input_error in result.output, result.output


# ------------------------------------------------------------------------------- one road


def test_serve_reaches_the_core_only_through_api():
    """serve/ imports api, documents and the leaf utilities, never engine, indictrans or translate."""
    from test_code_layout import import_graph

    forbidden = tuple(f"translate_kit.{name}" for name in
                      ("engine", "indictrans", "translate", "families", "memory", "align", "evaluate"))
    graph = import_graph()
    served = {module: graph[module] for module in graph if module.startswith("translate_kit.serve")}
    reached = {(module, target) for module, targets in served.items() for target in targets
               if target.startswith(forbidden)}
    assert reached == set()
    assert not (Path(__file__).parents[1] / "translate_kit" / "serve" / "library.py").exists()
    stages = graph["translate_kit.scale.stages"]
    assert "translate_kit.api" in stages and not any(t.startswith("translate_kit.translate") for t in stages)
