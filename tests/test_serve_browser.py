"""The web page in headless Chromium (Debian's, driven by Playwright) against a live server with
tiny models: paste -> translate, upload Markdown -> download, the Align view, a phone-width screen.

Screenshots of each view go to the test's temporary folder; with TRANSLATE_KIT_SCREENSHOTS=DIR
they are written there instead (docs/ holds the ones the README shows).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from chromium import CHROMIUM, browser_context
from serve_server import live_server  # skips the module without the [serve] extra

from translate_kit.serve.settings import ServeSettings

pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
DATA = Path(__file__).parent / "data"
HI = (DATA / "corpus.hi").read_text(encoding="utf-8").splitlines()
EN = (DATA / "corpus.en").read_text(encoding="utf-8").splitlines()
ARTICLE_HI = f"मॉस्को में जयशंकर और लावरोव की बैठक\n\n{HI[0]} {HI[1]}\n\nसंयुक्त बयान\n\n{HI[2]}\n"
ARTICLE_EN = f"Jaishankar and Lavrov meet in Moscow\n\n{EN[0]} {EN[1]}\n\nJoint statement\n\n{EN[2]}\n"


@pytest.fixture(scope="module")
def server(tiny_model_hi_en, tiny_model_en_hi):
    settings = ServeSettings(models=(str(tiny_model_hi_en), str(tiny_model_en_hi)), beam=1, memory=None)
    with live_server(settings) as live:
        yield live


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    with browser_context(profile, viewport={"width": 1200, "height": 800}) as context:
        yield context


@pytest.fixture
def page(browser, server):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(server.url + "/")
    yield page
    page.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("TRANSLATE_KIT_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


def test_the_page_loads_nothing_from_outside(page, server):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.reload()
    page.wait_for_load_state("networkidle")
    assert requested and all(url.startswith(server.url) for url in requested), requested


def test_paste_translate_shows_every_block_side_by_side(page, shots):
    page.fill("#text", ARTICLE_HI)
    page.click("#translate")
    page.wait_for_selector("#result .row")
    rows = page.locator("#result .row")
    assert rows.count() == 4  # two headings, two paragraphs
    assert [rows.nth(i).get_attribute("class") for i in range(4)] == [
        "row heading",
        "row",
        "row heading",
        "row",
    ]
    first_paragraph = rows.nth(1)
    left, right = first_paragraph.locator("div").nth(0), first_paragraph.locator("div").nth(1)
    assert left.locator(".s").count() == right.locator(".s").count() == 2
    assert left.locator(".s").nth(0).inner_text() == HI[0]
    left.locator(".s").nth(1).hover()
    assert "hl" in right.locator(".s").nth(1).get_attribute("class")
    assert "hl" not in right.locator(".s").nth(0).get_attribute("class")
    right.locator(".s").nth(0).click()
    assert "pinned" in left.locator(".s").nth(0).get_attribute("class")
    assert "sentences" in page.inner_text("#status")
    page.screenshot(path=str(shots / "serve-translate.png"), full_page=True)


def test_upload_markdown_and_download_it_with_its_structure(page, server, tmp_path):
    markdown = (
        f"# संयुक्त बयान\n\n{HI[3]} [स्रोत](https://mea.gov.in/a)\n\n- {HI[4]}\n- {HI[5]}\n\n"
        "```\nनहीं बदलेगा\n```\n"
    )
    upload = tmp_path / "lekh.md"
    upload.write_text(markdown, encoding="utf-8")
    page.set_input_files("#file", str(upload))
    page.wait_for_function("document.getElementById('text').value.length > 0")
    page.click("#translate")
    page.wait_for_selector("#download:not([disabled])")
    assert page.locator("#result .row").count() == 4  # heading, paragraph, two list items
    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    assert download.suggested_filename == "lekh.en.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    import httpx

    expected = httpx.post(server.url + "/translate/file", files={"file": ("lekh.md", markdown.encode())}).text
    assert text == expected
    lines = text.split("\n")
    assert lines[0].startswith("# ") and "](https://mea.gov.in/a)" in text
    assert sum(line.startswith("- ") for line in lines) == 2 and "```\nनहीं बदलेगा\n```" in text


def test_the_align_view_pairs_a_two_sided_article(page, shots):
    page.click("#tab-align")
    page.fill("#hi-text", ARTICLE_HI)
    page.fill("#en-text", ARTICLE_EN)
    page.click("#align")
    page.wait_for_selector("#alignment .row")
    rows = page.locator("#alignment .row")
    assert rows.count() == 4
    assert [rows.nth(i).get_attribute("class") for i in range(4)] == [
        "row heading",
        "row",
        "row heading",
        "row",
    ]
    paragraph = rows.nth(1)
    hindi, english = paragraph.locator("div").nth(0), paragraph.locator("div").nth(1)
    assert hindi.locator(".s").count() == english.locator(".s").count() == 2
    assert hindi.locator(".s").nth(1).inner_text() == HI[1]
    assert english.locator(".s").nth(1).inner_text().startswith(EN[1])
    hindi.locator(".s").nth(1).hover()
    assert "hl" in english.locator(".s").nth(1).get_attribute("class")
    with page.expect_download() as info:
        page.click("#download-jsonl")
    records = [json.loads(line) for line in Path(info.value.path()).read_text(encoding="utf-8").splitlines()]
    assert [r["level"] for r in records].count("block") == 4 and [r["level"] for r in records].count(
        "sentence"
    ) == 5
    page.screenshot(path=str(shots / "serve-align.png"), full_page=True)


def test_a_phone_width_screen_stacks_source_and_translation(browser, server, shots):
    phone = browser.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    try:
        phone.goto(server.url + "/")
        phone.fill("#text", ARTICLE_HI)
        phone.click("#translate")
        phone.wait_for_selector("#result .row")
        row = phone.locator("#result .row").nth(1)
        left, right = row.locator("div").nth(0).bounding_box(), row.locator("div").nth(1).bounding_box()
        assert right["y"] >= left["y"] + left["height"] - 1  # translation below its source
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        phone.screenshot(path=str(shots / "serve-phone.png"), full_page=True)
    finally:
        phone.close()


def test_errors_from_the_server_show_as_one_line(page):
    page.fill("#text", "नमस्ते")
    page.select_option("#source", "hi")
    page.select_option("#target", "hi")
    page.select_option("#format", "jsonl")  # plain text is not a JSON record
    page.click("#translate")
    page.wait_for_selector("#status.error")
    assert "not valid JSON" in page.inner_text("#status")
