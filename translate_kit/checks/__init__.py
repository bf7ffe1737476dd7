"""Is this Hindi-English pair a translation? One judge for cleaning corpora and flagging translations.

`Judge().judge(hi, en)` returns a `Verdict` (score 0-1, reasons against the pair) from evidence
that needs no downloaded model (`judge`: lengths, scripts, language, numbers, links, lexicon and
name evidence, punctuation, repetition, markup, boilerplate, encoding). `dedup` keys pairs for
exact and near-duplicate removal; `flags` checks one translation against its source; `clean`
streams a corpus file through the judge and the deduplicator (`translate-kit corpus clean`).
Modules in data-flow order: signals (one side), langid, lengths, evidence (both sides), judge,
dedup, flags, pairs (corpus formats), clean.
"""

from __future__ import annotations

from .judge import DEFAULT_MIN_SCORE, JUDGE_VERSION, REASONS, Judge, JudgeSettings, Verdict

__all__ = ["DEFAULT_MIN_SCORE", "JUDGE_VERSION", "REASONS", "Judge", "JudgeSettings", "Verdict"]
