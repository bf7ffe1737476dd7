"""Labelled noise for eval/clean_corpus.py: real clean pairs, the kinds of junk crawls hold, and
clean traps that a filter must keep.

Every noisy pair is made from clean pairs of the same split (tune or held-out), so the held-out
set shares no sentence with the tune set. Classes and what `make_noisy` does to make them:

- clean: the pair as the test set has it; the traps are clean pairs rewritten the way Hindi on the
  web is written: digits in Devanagari (trap_digits), lakh grouping against Western grouping
  (trap_grouping), `|` or `.` for the danda (trap_danda), and a second pair whose Hindi differs from
  another only in a vowel sign (trap_vowel_sign: letters-only dedup with `re`'s `\\w` merges them);
- misaligned: the Hindi of one pair with the English of another (a random one, or the next
  sentence of the same article: the hard case);
- untranslated: the same text on both sides (English copied into the Hindi side or the reverse);
- wrong_language: Marathi or Nepali instead of Hindi (sentences written for this set), romanised
  Hindi instead of English, Hindi in Bengali script;
- truncated: one side cut to 30-65% of its words; extra_content: another sentence appended;
- numbers_changed: a number of the English side changed;
- boilerplate: menus, breadcrumbs, cookie, copyright and share lines in both languages;
- junk: mojibake, replacement characters, HTML, control characters, symbols only;
- exact_duplicate / near_duplicate: a clean pair again, as it was or with another nukta form, a
  ZWJ/ZWNJ, `.` for `।`, or other spacing.
"""

from __future__ import annotations

import random
import re
import unicodedata

from indic_transliteration import sanscript

CLEAN_CLASSES = ("clean", "trap_digits", "trap_grouping", "trap_danda", "trap_vowel_sign")
NOISE_CLASSES = (
    "misaligned",
    "untranslated",
    "wrong_language",
    "truncated",
    "extra_content",
    "numbers_changed",
    "boilerplate",
    "junk",
    "exact_duplicate",
    "near_duplicate",
)
#: Marathi and Nepali sentences with English translations, written for this set (first six: tune).
MARATHI = [
    ("सरकारने शेतकऱ्यांसाठी नवीन योजना जाहीर केली आहे.", "The government has announced a new scheme for farmers."),
    ("मुंबईत आज जोरदार पाऊस पडला.", "It rained heavily in Mumbai today."),
    ("या निर्णयामुळे हजारो लोकांना फायदा होणार आहे.", "Thousands of people will benefit from this decision."),
    ("पोलिसांनी या प्रकरणी दोघांना अटक केली आहे.", "Police have arrested two people in this case."),
    ("शाळा पुढील आठवड्यापासून पुन्हा सुरू होतील.", "Schools will reopen from next week."),
    ("रुग्णालयात दाखल झालेल्या रुग्णांची संख्या वाढत आहे.", "The number of patients admitted to hospital is rising."),
    ("मंत्र्यांनी पत्रकार परिषदेत ही माहिती दिली.", "The minister gave this information at a press conference."),
    (
        "लसीकरण मोहीम सर्व जिल्ह्यांमध्ये राबवली जाणार आहे.",
        "The vaccination campaign will be carried out in all districts.",
    ),
    ("नागरिकांनी घराबाहेर पडताना मास्क वापरावा.", "Citizens should wear a mask when they go out."),
    ("या स्पर्धेत भारतीय संघाने सुवर्णपदक जिंकले.", "The Indian team won the gold medal in this competition."),
    ("निवडणुकीचे निकाल उद्या जाहीर होतील.", "The election results will be announced tomorrow."),
    (
        "शहरातील वाहतूक कोंडी कमी करण्यासाठी नवीन पूल बांधला जात आहे.",
        "A new bridge is being built to ease traffic in the city.",
    ),
]
NEPALI = [
    (
        "सरकारले किसानहरूका लागि नयाँ योजना घोषणा गरेको छ।",
        "The government has announced a new scheme for farmers.",
    ),
    ("काठमाडौंमा आज भारी वर्षा भयो।", "It rained heavily in Kathmandu today."),
    ("यो निर्णयबाट हजारौं मानिसहरू लाभान्वित हुनेछन्।", "Thousands of people will benefit from this decision."),
    ("प्रहरीले यस घटनामा दुई जनालाई पक्राउ गरेको छ।", "Police have arrested two people in this incident."),
    ("विद्यालयहरू अर्को हप्तादेखि फेरि खुल्नेछन्।", "Schools will reopen from next week."),
    (
        "अस्पतालमा भर्ना हुने बिरामीको संख्या बढ्दै गएको छ।",
        "The number of patients admitted to hospital is increasing.",
    ),
    ("मन्त्रीले पत्रकार सम्मेलनमा यो जानकारी दिनुभयो।", "The minister gave this information at a press conference."),
    ("खोप अभियान सबै जिल्लाहरूमा सञ्चालन गरिनेछ।", "The vaccination campaign will be run in all districts."),
    ("नागरिकहरूले घरबाहिर निस्कँदा मास्क लगाउनुपर्छ।", "Citizens must wear a mask when going out."),
    (
        "यस प्रतियोगितामा नेपाली टोलीले स्वर्ण पदक जित्यो।",
        "The Nepali team won the gold medal in this competition.",
    ),
    ("चुनावको नतिजा भोलि सार्वजनिक हुनेछ।", "The election results will be made public tomorrow."),
    (
        "सहरको ट्राफिक जाम कम गर्न नयाँ पुल निर्माण भइरहेको छ।",
        "A new bridge is being built to reduce traffic jams in the city.",
    ),
]
#: Boilerplate pairs, Hindi and English; {n} becomes a number (first half: tune).
BOILERPLATE = [
    ("होम » समाचार » राष्ट्रीय", "Home » News » National"),
    ("© {n} सर्वाधिकार सुरक्षित।", "© {n} All rights reserved."),
    ("हम आपके अनुभव को बेहतर बनाने के लिए कुकीज़ का उपयोग करते हैं।", "We use cookies to improve your experience."),
    ("फेसबुक पर शेयर करें | ट्विटर पर शेयर करें | ईमेल", "Share on Facebook | Share on Twitter | Email"),
    ("यह भी पढ़ें: {n} बड़ी खबरें", "Read more: {n} top stories"),
    ("होम | हमारे बारे में | संपर्क करें | गोपनीयता नीति", "Home | About us | Contact | Privacy policy"),
    ("कॉपीराइट © {n} सभी अधिकार सुरक्षित", "Copyright © {n} All rights reserved"),
    ("हमें फॉलो करें: फेसबुक, ट्विटर, इंस्टाग्राम", "Follow us: Facebook, Twitter, Instagram"),
    ("न्यूज़लेटर के लिए सब्सक्राइब करें", "Subscribe to our newsletter"),
    ("मुख्य पृष्ठ › खेल › क्रिकेट", "Main page › Sports › Cricket"),
    ("लॉग इन करें या साइन अप करें", "Log in or sign up"),
    ("गोपनीयता नीति | उपयोग की शर्तें", "Privacy policy | Terms of use"),
]


def split_half(items: list, tune: bool) -> list:
    half = len(items) // 2
    return items[:half] if tune else items[half:]


def to_devanagari_digits(text: str) -> str:
    return text.translate({ord("0") + k: chr(0x966 + k) for k in range(10)})


def _indian_grouping(value: int) -> str:
    digits = str(value)
    head, tail = digits[:-3], digits[-3:]
    groups = [head[max(i - 2, 0) : i] for i in range(len(head), 0, -2)][::-1]
    return ",".join([*groups, tail]) if head else tail


def _at(text: str, number: str) -> int:
    """Where `number` stands as a word of its own in `text`."""
    return next(m.start() for m in _NUMBER.finditer(text) if m.group() == number)


def _cut(text: str, rng: random.Random) -> str:
    words = text.split()
    keep = max(1, int(len(words) * rng.uniform(0.3, 0.65)))
    return " ".join(words[:keep]).rstrip(",;:")


_NUMBER = re.compile(r"(?<!\S)\d+(?![^\s,.;:])")
_VOWEL_SWAP = {"ा": "ी", "े": "ी", "ी": "े", "ो": "ा"}


def _vowel_variant(hi: str, rng: random.Random) -> str | None:
    """The Hindi with one vowel sign of one word swapped (a different word: गया -> गयी)."""
    spots = [i for i, c in enumerate(hi) if c in _VOWEL_SWAP]
    if not spots:
        return None
    i = rng.choice(spots)
    return hi[:i] + _VOWEL_SWAP[hi[i]] + hi[i + 1 :]


def _near_copy(hi: str, en: str, rng: random.Random) -> tuple[str, str]:
    kind = rng.randrange(4)
    if kind == 0:  # the other nukta form (combining instead of precomposed, or the reverse)
        nfd = unicodedata.normalize("NFD", hi)
        return (nfd if nfd != hi else unicodedata.normalize("NFC", hi)), en
    if kind == 1:  # a ZWJ or ZWNJ inside a word
        words = hi.split(" ")
        i = rng.randrange(len(words))
        words[i] = words[i][:1] + rng.choice("\u200c\u200d") + words[i][1:]
        return " ".join(words), en
    if kind == 2:  # `.` for the danda, and the other way round
        return (hi.replace("।", ".") if "।" in hi else hi.rstrip(".") + "।"), en
    return "  ".join(hi.split(" ")) + " ", " " + en.replace(", ", " , ")


def _junk(hi: str, en: str, rng: random.Random) -> tuple[str, str]:
    kind = rng.randrange(5)
    if kind == 0:
        return hi.encode("utf-8").decode("latin-1"), en
    if kind == 1:
        return hi.replace(" ", " \ufffd", 2), en
    if kind == 2:
        return f'<div class="story"><p>{hi}</p></div>', f"<p>{en}</p>"
    if kind == 3:
        return hi + "\x07\x1b", en
    return "*** ### ***", "--- ||| ---"


def _romanised(hi: str) -> str:
    latin = sanscript.transliterate(hi, sanscript.DEVANAGARI, sanscript.ITRANS).lower()
    return re.sub(r"[~^.]", "", latin).replace("|", ".")


def make_noisy(
    pairs: list[tuple[str, str]], rng: random.Random, tune: bool, share: float = 0.08
) -> list[tuple[str, str, str]]:
    """(hi, en, class) in a shuffled order: every clean pair (some rewritten as traps) and about
    `share` of the clean count per noise class; duplicates come after their originals."""
    clean: list[tuple[str, str, str]] = []
    for hi, en in pairs:
        roll = rng.random()
        numbers_hi = _NUMBER.findall(hi)
        if roll < 0.06 and numbers_hi:
            clean.append((to_devanagari_digits(hi), en, "trap_digits"))
        elif roll < 0.12 and "।" in hi:
            clean.append((hi.replace("।", rng.choice("|.")), en, "trap_danda"))
        else:
            clean.append((hi, en, "clean"))
    for hi, en in pairs:  # pairs with a number: add lakh and Western grouping of a big number
        shared = sorted(set(_NUMBER.findall(hi)) & set(_NUMBER.findall(en)))
        if shared and rng.random() < 0.3:
            value = rng.randrange(100_000, 99_999_999)
            hi_at, en_at = _at(hi, shared[0]), _at(en, shared[0])
            clean.append(
                (
                    hi[:hi_at] + _indian_grouping(value) + hi[hi_at + len(shared[0]) :],
                    en[:en_at] + f"{value:,}" + en[en_at + len(shared[0]) :],
                    "trap_grouping",
                )
            )
    n = max(1, int(share * len(pairs)))
    noise: list[tuple[str, str, str]] = []
    for k in range(n):
        variant = _vowel_variant(pairs[k][0], rng)
        if variant:
            clean.append((variant, pairs[k][1], "trap_vowel_sign"))
    for _ in range(n):
        i = rng.randrange(len(pairs))
        j = i + 1 if rng.random() < 0.5 and i + 1 < len(pairs) else rng.randrange(len(pairs))
        if j != i:
            noise.append((pairs[i][0], pairs[j][1], "misaligned"))
        hi, en = pairs[rng.randrange(len(pairs))]
        noise.append((en, en, "untranslated") if rng.random() < 0.5 else (hi, hi, "untranslated"))
        hi, en = pairs[rng.randrange(len(pairs))]
        noise.append(
            (hi, _cut(en, rng), "truncated") if rng.random() < 0.6 else (_cut(hi, rng), en, "truncated")
        )
        (hi, en), (hi2, en2) = pairs[rng.randrange(len(pairs))], pairs[rng.randrange(len(pairs))]
        noise.append(
            (hi, f"{en} {en2}", "extra_content")
            if rng.random() < 0.6
            else (f"{hi} {hi2}", en, "extra_content")
        )
        hi, en = pairs[rng.randrange(len(pairs))]
        noise.append(_junk(hi, en, rng) + ("junk",))
        template = rng.choice(split_half(BOILERPLATE, tune))
        number = str(rng.randrange(2000, 2030))
        noise.append((template[0].replace("{n}", number), template[1].replace("{n}", number), "boilerplate"))
        kind = rng.randrange(4)
        hi, en = pairs[rng.randrange(len(pairs))]
        if kind < 2:
            noise.append(rng.choice(split_half(MARATHI if kind == 0 else NEPALI, tune)) + ("wrong_language",))
        elif kind == 2:
            noise.append((hi, _romanised(hi), "wrong_language"))
        else:
            noise.append(
                (hi, sanscript.transliterate(hi, sanscript.DEVANAGARI, sanscript.BENGALI), "wrong_language")
            )
    with_numbers = [(hi, en) for hi, en in pairs if _NUMBER.search(en)]
    for hi, en in rng.sample(with_numbers, min(n, len(with_numbers))):
        match = rng.choice(list(_NUMBER.finditer(en)))
        changed = str(int(match.group()) + rng.randrange(1, 9))
        noise.append((hi, en[: match.start()] + changed + en[match.end() :], "numbers_changed"))
    rows = clean + noise
    rng.shuffle(rows)
    originals = [row for row in rows if row[2] == "clean"]
    for hi, en, _ in rng.sample(originals, min(n, len(originals))):
        rows.append((hi, en, "exact_duplicate"))
    for hi, en, _ in rng.sample(originals, min(n, len(originals))):
        rows.append(_near_copy(hi, en, rng) + ("near_duplicate",))
    return rows
