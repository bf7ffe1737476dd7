"""Real-document fidelity: front matter, HTML inside Markdown, readable attributes, in-page anchors,
malformed markup, soft line breaks and language codes."""

from __future__ import annotations

import pytest
from test_documents import identity, shout, translate_doc

from translate_kit.documents import BlockKind, parse_document, write_document
from translate_kit.documents.anchors import github_slug, kramdown_slug, unique
from translate_kit.documents.splice import rewrap
from translate_kit.errors import InputError
from translate_kit.languages import code_like
from translate_kit.spm import SubwordCodec

ARTICLE = """---
lang: hi
title: ओपन सोर्स का कानूनी पक्ष
description: "लाइसेंस के बारे में: वह सब जो आपने सोचा है"
class: legal
order: 10
date: 2024-05-01
related:
  - contribute
  - leadership   # slugs, never translated
---

## लाइसेंस कैसे चुनें

इस फ़ीचर को GitHub पर security advisory कहा जाता है। देखें [नीचे](#लाइसेंस-कैसे-चुनें "लाइसेंस")।

<aside markdown="1" class="pquote">
  <img src="https://avatars.githubusercontent.com/x?s=180" class="pquote-avatar" alt="लेखक का चित्र">
  एक मानक लाइसेंस कानूनी प्रशिक्षण के बिना लोगों के लिए काम करता है।
  <p markdown="1" class="pquote-credit">
— @benbalter, ["सरकारी वकील के लिए"](https://ben.balter.com/2014/10/08/)
  </p>
</aside>

<div class="clearfix mb-2"><span class="label">सुझाव</span> यहाँ <code>npm</code> चलाएँ।</div>
"""


def test_front_matter_fields_are_properties_never_blocks():
    doc = parse_document(ARTICLE, "legal.md", "markdown")
    fields = {p.meta["front_matter"]: p for p in doc.properties if "front_matter" in p.meta}
    assert set(fields) == {"lang", "title", "description"}
    assert fields["lang"].kind == BlockKind.LANGUAGE and not fields["lang"].translate
    assert fields["description"].text == "लाइसेंस के बारे में: वह सब जो आपने सोचा है"
    assert fields["title"].meta["line"] == 3
    assert all("front_matter" not in b.meta for b in doc.blocks)
    assert not any("ओपन सोर्स" in b.text for b in doc.blocks)  # the aligner never sees front matter


def test_front_matter_translated_and_rest_kept_byte_for_byte():
    doc = parse_document(ARTICLE, "legal.md", "markdown")
    rendered = {p.id: "Open: source's law" for p in doc.properties if p.kind == BlockKind.FIELD}
    rendered.update({p.id: code_like(p.text, "en") for p in doc.language_codes()})
    out = write_document(doc, rendered)
    head = out.split("---")[1]
    assert "lang: en\n" in head
    assert 'title: "Open: source\'s law"\n' in head or "title: 'Open: source''s law'\n" in head
    assert 'description: "Open: source\'s law"\n' in head  # double quotes stay double quotes
    assert (
        "class: legal\norder: 10\ndate: 2024-05-01\nrelated:\n  - contribute\n  - leadership   # slugs"
        in head
    )
    assert out.split("---", 2)[2] == ARTICLE.split("---", 2)[2]


def test_toml_front_matter():
    source = (
        '+++\ntitle = "हिंदी शीर्षक"  # c\nlanguage = \'hi\'\ntags = ["a"]\n[params]\nsummary = "नहीं"\n+++\n'
        "\nपाठ।\n"
    )
    doc = parse_document(source, "a.md", "markdown")
    assert [(p.kind, p.text) for p in doc.properties] == [
        (BlockKind.FIELD, "हिंदी शीर्षक"),
        (BlockKind.LANGUAGE, "hi"),
    ]
    assert [b.text for b in doc.blocks] == ["पाठ।"]
    out = write_document(doc, {"p1": 'A "title"', "p2": "en"})
    assert out.startswith(
        '+++\ntitle = "A \\"title\\""  # c\nlanguage = "en"\ntags = ["a"]\n[params]\nsummary = "नहीं"\n'
    )


def test_front_matter_keys_are_configurable_and_bad_yaml_names_the_line():
    doc = parse_document(ARTICLE, "a.md", "markdown", front_matter_keys=("class",))
    assert sorted(p.meta["front_matter"] for p in doc.properties if "front_matter" in p.meta) == [
        "class",
        "lang",
    ]
    with pytest.raises(InputError, match=r"bad\.md:3: front matter is not valid YAML"):
        parse_document("---\ntitle: a\n  - : [\n---\nपाठ\n", "bad.md", "markdown")
    # "---" text "---" that is no mapping is a thematic break and a paragraph, not front matter
    doc = parse_document("---\nकेवल पाठ\n---\n", "a.md", "markdown")
    assert [b.text for b in doc.blocks] == ["केवल पाठ"] and not doc.properties


def test_html_blocks_inside_markdown_are_translated_with_markdown_content():
    doc = parse_document(ARTICLE, "legal.md", "markdown")
    texts = [b.plain_text() for b in doc.blocks]
    assert "एक मानक लाइसेंस कानूनी प्रशिक्षण के बिना लोगों के लिए काम करता है।" in texts[2]
    assert any("सरकारी वकील के लिए" in t for t in texts)  # <p markdown="1"> read as Markdown: a link
    assert any(t.startswith("सुझाव") for t in texts)
    out = translate_doc(doc, shout)
    assert '["T(\\"सरकारी वकील के लिए\\")"](https://ben.balter.com/2014/10/08/)' in out or (
        '[T("सरकारी वकील के लिए")](https://ben.balter.com/2014/10/08/)' in out
    )
    assert 'alt="T(लेखक का चित्र)"' in out and 'src="https://avatars.githubusercontent.com/x?s=180"' in out
    assert '<aside markdown="1" class="pquote">' in out and '<p markdown="1" class="pquote-credit">' in out
    assert (
        '<span class="label">T(सुझाव) ' in out or '<span class="label">T(सुझाव यहाँ' in out or "T(सुझाव)" in out
    )
    assert "<code>npm</code>" in out


def test_in_page_links_follow_translated_headings():
    doc = parse_document(ARTICLE, "legal.md", "markdown")
    heading = next(b for b in doc.blocks if b.kind == BlockKind.HEADING)
    rendered = {heading.id: "How to choose a license"}
    out = write_document(doc, rendered)
    assert "## How to choose a license" in out
    assert '[नीचे](#how-to-choose-a-license "लाइसेंस")' in out


def test_slug_rules_and_duplicates():
    assert github_slug("लाइसेंस कैसे चुनें?") == "लाइसेंस-कैसे-चुनें"
    assert github_slug("What's `useState` for?") == "whats-usestate-for"
    assert kramdown_slug("1. What's new?") == "whats-new"
    assert kramdown_slug("नमस्ते") == "section"
    assert unique(["a", "a", "b", "a"]) == ["a", "a-1", "b", "a-2"]


def test_explicit_heading_ids_are_kept_and_never_translated():
    source = "## मॉकअप से शुरू करें {/*start-with-the-mockup*/}\n\n## लाइसेंस {#license}\n\n[देखें](#license)\n"
    doc = parse_document(source, "a.md", "markdown")
    assert [b.plain_text() for b in doc.blocks[:2]] == ["मॉकअप से शुरू करें", "लाइसेंस"]
    out = translate_doc(doc, shout)
    assert "## T(मॉकअप से शुरू करें) {/*start-with-the-mockup*/}" in out
    assert "## T(लाइसेंस) {#license}" in out and "](#license)" in out


def test_kramdown_style_links_follow_too():
    source = "## API Reference\n\n## Setup 2\n\n[a](#api-reference) [b](#setup-2)\n"
    doc = parse_document(source, "a.md", "markdown")
    out = write_document(doc, {"b1": "एपीआई संदर्भ", "b2": "Install it"})
    assert "[a](#एपीआई-संदर्भ) [b](#install-it)" in out


def test_malformed_inline_markup_is_never_lost():
    source = "यह **अधूरा है और * अकेला तारा है। और `कोड` _यहाँ\n"
    doc = parse_document(source, "a.md", "markdown")
    block = doc.blocks[0]
    assert "**" not in block.text and "*" not in block.text  # protected, not sent to the model
    out = translate_doc(doc, lambda s: "X")  # a model that returns nothing of the sentence
    for mark in ("**", "*", "`कोड`", "_"):
        assert mark in out


def test_readable_html_attributes_and_language_codes():
    source = (
        '<html lang="hi"><head><meta name="description" content="हिंदी विवरण">'
        '<meta http-equiv="content-language" content="hi"></head>'
        '<body><input placeholder="खोजें"><p>पाठ <abbr title="संक्षेप">सं.</abbr></p>'
        '<div translate="no"><img alt="नहीं"></div></body></html>'
    )
    doc = parse_document(source, "a.html", "html")
    kinds = [(p.kind, p.text) for p in doc.properties]
    assert kinds == [
        (BlockKind.LANGUAGE, "hi"),
        (BlockKind.ATTRIBUTE, "हिंदी विवरण"),
        (BlockKind.LANGUAGE, "hi"),
        (BlockKind.ATTRIBUTE, "खोजें"),
    ]
    rendered = {p.id: "T" for p in doc.properties if p.translate}
    rendered.update({p.id: code_like(p.text, "en") for p in doc.language_codes()})
    out = write_document(doc, rendered)
    assert out.startswith('<html lang="en"><head><meta name="description" content="T">')
    assert 'content="en"' in out and 'placeholder="T"' in out and '<img alt="नहीं">' in out
    out = translate_doc(doc, shout)
    assert '<abbr title="T(संक्षेप)">' in out


def test_markdown_image_alt_and_titles_are_values():
    source = '![भारत का "नक्शा"](map.png "नक्शा [1]") और [लिंक](https://e.org \'शीर्षक\')\n'
    doc = parse_document(source, "a.md", "markdown")
    units = dict(doc.blocks[0].units())
    assert set(units.values()) >= {'भारत का "नक्शा"', "नक्शा [1]", "लिंक", "शीर्षक"}
    out = translate_doc(doc, lambda s: s.replace("नक्शा", "[map]").replace("शीर्षक", "it's"))
    assert out == '![भारत का "\\[map\\]"](map.png "[map] [1]") और [लिंक](https://e.org \'it\\\'s\')\n'


def test_wrap_keep_rewraps_to_the_source_lines():
    source = "> पहली पंक्ति का पाठ यहाँ है और\n> दूसरी पंक्ति का पाठ यहाँ है।\n"
    doc = parse_document(source, "a.md", "markdown")
    text = "This is the first line of text and this is the second line - of it."
    assert write_document(doc, {"b1": text}) == f"> {text}\n"
    kept = write_document(doc, {"b1": text}, wrap="keep")
    assert kept.count("\n") == 2 and all(line.startswith("> ") for line in kept.splitlines())
    assert " ".join(line[2:] for line in kept.splitlines()) == text
    assert not any(line[2:].startswith("-") for line in kept.splitlines())


def test_rewrap_never_starts_a_line_with_a_block_marker():
    lines = rewrap("aaaa - bbbb # cccc 1. dddd", [5, 5, 5, 5])
    assert all(line.split()[0] not in ("-", "#", "1.") for line in lines)
    assert " ".join(lines) == "aaaa - bbbb # cccc 1. dddd"


def test_language_codes_keep_their_style():
    assert [code_like(v, "en") for v in ("hi", "hi-IN", "HI", "hin", "hin_Deva", "Hindi", " hi ")] == [
        "en",
        "en-IN",
        "EN",
        "eng",
        "eng_Latn",
        "English",
        " en ",
    ]
    assert code_like("en", "hi") == "hi"


def test_special_tokens_never_reach_the_output():
    assert (
        SubwordCodec.decode(["<s>", "eng_Latn", "▁Hello", "<unk>", "▁world", "<pad>", "</s>"])
        == "Hello world"
    )


def test_identity_on_crlf_front_matter_and_body():
    source = "---\r\ntitle: शीर्षक\r\n---\r\n\r\n# शीर्षक\r\n\r\nपाठ।\r\n"
    doc = parse_document(source, "a.md", "markdown")
    assert [p.text for p in doc.properties] == ["शीर्षक"]
    assert translate_doc(doc, identity) == source
