"""Many article pairs -> one filtered parallel corpus with a report.

Each pair is aligned (translate_kit.align), its beads filtered, and the per-document result saved
atomically under `<out>/.work/` with a fingerprint of the inputs and settings, so a crashed or
interrupted build resumes by skipping finished documents. The corpus files are then assembled
from those results: `corpus.hi`, `corpus.en` (one pair a line), `corpus.jsonl` (pairs with
provenance and score), and the report (`report.md`, `report.csv` per document,
`report_bead_types.csv`, `report_scores.csv`).
"""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

import pandas as pd

from .align import Aligner
from .align.aligner import HIGH_PRECISION_SCORE, confident_pairs
from .align.article import read_pair
from .align.output import bead_records, block_records
from .align.workflow import AlignOptions
from .checks import DEFAULT_MIN_SCORE, JUDGE_VERSION, Judge, JudgeSettings
from .checks.dedup import Deduper
from .checks.evidence import Evidence
from .errors import InputError, OptionError, TranslateKitError
from .textio import atomic_write, read_lines

_T = TypeVar("_T")
WORK_DIR = ".work"
#: What a corpus pairs: sentence beads, or paragraph (block) pairs, headings included.
CORPUS_LEVELS = ("sentence", "paragraph")
SCORE_BINS = [i / 10 for i in range(11)]


@dataclass(frozen=True)
class PairJob:
    doc: str
    hi: Path
    en: Path


@dataclass(frozen=True)
class Filters:
    """What a bead must pass to enter the corpus (reasons are counted in the report): the aligner's
    own verdict (both sides, bead type, score), then the pair judge of translate_kit.checks, the
    same judge `corpus clean` runs, so a corpus is filtered one way whichever command built it."""

    min_score: float = HIGH_PRECISION_SCORE
    high_precision: bool = True
    max_length_ratio: float = 3.0
    script_check: bool = True
    judge_min_score: float = DEFAULT_MIN_SCORE

    def judge(self, sources: Sequence[object] = ()) -> Judge:
        """The pair judge for these filters, with the lexicons among the aligner's `sources`."""
        settings = JudgeSettings(max_length_ratio=self.max_length_ratio, script_check=self.script_check)
        return Judge(Evidence.from_sources(sources), settings)

    def reason(self, record: dict, judge: Judge | None = None) -> str | None:
        """Why this bead is left out, or None to keep it (`judge`: None, one without lexicons)."""
        if not record["hi"] or not record["en"]:
            return "unaligned"
        if not record["hi_text"].strip() or not record["en_text"].strip():
            return "empty"
        if self.high_precision and len(record["hi"]) + len(record["en"]) > 3:
            return "bead type"
        if record["score"] < self.min_score:
            return "low score"
        verdict = (judge or self.judge()).judge(record["hi_text"], record["en_text"])
        if verdict.kept(self.judge_min_score):
            return None
        return verdict.reasons[0] if verdict.reasons else "judge score"


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class CorpusOptions:
    """What `corpus build` does with its pairs; the defaults are its defaults."""

    filters: Filters = Filters()
    level: str = "sentence"  # one of CORPUS_LEVELS
    # How pairs are read (presplit, errors) and aligned (evidence, bead types, blocks, learning);
    # its level, min_score and high_precision are not used: `filters` decide what enters the corpus.
    align: AlignOptions = AlignOptions()

    def builder(self, out_dir: str | os.PathLike[str]) -> CorpusBuilder:
        """A CorpusBuilder writing to `out_dir` (the aligner's evidence is loaded now)."""
        align = self.align
        return CorpusBuilder(align.aligner(), self.filters, out_dir, align.presplit, align.errors, self.level)


@dataclass
class CorpusSummary:
    """What a build did (the report under the output folder has the details)."""

    documents: int
    pairs: int  # sentence or paragraph pairs written to the corpus
    errors: int  # documents that could not be read or aligned (reasons in report.md)
    reused: int = 0  # documents finished by an earlier run with the same inputs and settings
    learned: str = ""  # what the learning pass learned, if it ran
    unmatched: list[str] = field(default_factory=list)  # files found in one of two folders only


def collect_pairs(
    pairs: str | os.PathLike[str], en_folder: str | os.PathLike[str] | None = None
) -> tuple[list[PairJob], list[str]]:
    """The article pairs of a TSV (`en_folder` None), or of a Hindi folder and an English folder
    matched by file name; also returns the names found in one folder only."""
    if Path(pairs).is_dir():
        if en_folder is None:
            raise OptionError("give the English folder after the Hindi folder, or a TSV of pairs")
        return pair_folders(pairs, en_folder)
    if en_folder is not None:
        raise OptionError("a TSV of pairs takes no second argument")
    return read_pair_list(pairs), []


def read_pair_list(path: str | os.PathLike[str]) -> list[PairJob]:
    """A TSV of `hindi_path<TAB>english_path[<TAB>doc id]`; relative paths start at the TSV's folder."""
    base = Path(path).resolve().parent
    jobs, seen = [], set()
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise InputError("expected 'hindi_path<TAB>english_path[<TAB>doc id]'", str(path), number)
        hi, en = base / parts[0], base / parts[1]
        for side in (hi, en):
            if not side.is_file():
                raise InputError(f"no such file: {side}", str(path), number)
        doc = parts[2] if len(parts) > 2 and parts[2] else parts[0]
        if doc in seen:
            raise InputError(f"document {doc!r} listed twice", str(path), number)
        seen.add(doc)
        jobs.append(PairJob(doc, hi, en))
    if not jobs:
        raise InputError("the pair list is empty", str(path))
    return jobs


def pair_folders(
    hi_dir: str | os.PathLike[str], en_dir: str | os.PathLike[str]
) -> tuple[list[PairJob], list[str]]:
    """Files with the same name in both folders; also returns the names found on one side only."""
    hi_files = {p.name: p for p in Path(hi_dir).iterdir() if p.is_file() and not p.name.startswith(".")}
    en_files = {p.name: p for p in Path(en_dir).iterdir() if p.is_file() and not p.name.startswith(".")}
    common = sorted(hi_files.keys() & en_files.keys())
    if not common:
        raise InputError(f"no file name appears in both folders ({hi_dir}, {en_dir})")
    unmatched = sorted(hi_files.keys() ^ en_files.keys())
    return [PairJob(name, hi_files[name], en_files[name]) for name in common], unmatched


MapJobs = Callable[[Callable[[PairJob], tuple[dict, bool]], Sequence[PairJob]], Iterable[tuple[dict, bool]]]
PassProgress = Callable[[str, int, int], None]
"""(pass: "learning" or "aligning", documents done in it, documents)."""


def _counted(results: Iterable[_T], stage: str, total: int, progress: PassProgress | None) -> Iterator[_T]:
    """`results` as they come, with progress(stage, done, total) reported first with 0, then for each."""
    if progress:
        progress(stage, 0, total)
    for done, result in enumerate(results, start=1):
        if progress:
            progress(stage, done, total)
        yield result


class CorpusBuilder:
    """Aligns, filters and assembles; resumable through per-document results."""

    def __init__(
        self,
        aligner: Aligner,
        filters: Filters,
        out_dir: str | os.PathLike[str],
        presplit: bool = False,
        errors: str = "strict",
        level: str = "sentence",
    ):
        if level not in CORPUS_LEVELS:
            raise ValueError(f"level must be one of {', '.join(CORPUS_LEVELS)}, not {level!r}")
        self.level = level
        self.learned = ""  # what the learning pass learned, for the report
        self.aligner = aligner
        self.filters = filters
        self.out = Path(out_dir)
        self.presplit = presplit
        self.errors = errors
        self.settings = json.dumps(
            {
                "filters": asdict(self.filters),
                "presplit": presplit,
                "errors": errors,
                "backends": aligner.backends,
                "inventory": list(aligner.inventory),
                "blocks": aligner.use_blocks,
                "learn": aligner.learn,
                "level": level,
                "judge": JUDGE_VERSION,
            },
            sort_keys=True,
        )

    def result_path(self, job: PairJob, stage: str = "") -> Path:
        name = hashlib.sha1(job.doc.encode("utf-8")).hexdigest()[:20]
        return self.out / WORK_DIR / f"{name}{stage}.json"

    def fingerprint(self, job: PairJob, settings: str | None = None) -> str:
        digest = hashlib.sha256((self.settings if settings is None else settings).encode("utf-8"))
        for path in (job.hi, job.en):
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def build(
        self, jobs: Sequence[PairJob], progress: PassProgress | None = None, map_jobs: MapJobs | None = None
    ) -> CorpusSummary:
        """Align every pair not finished before, then write the corpus and the report.

        `progress(stage, done, total)` counts documents: called with 0 as each pass ("learning",
        then "aligning") starts and again as each document is done.

        With a learning aligner, a first pass (its results kept under .work too) collects every
        document's confident beads; the lexicon learned from them joins the evidence of the
        second pass, whose results are keyed by the first pass's output as well, so a resumed
        build learns the same lexicon and reuses what was finished. `map_jobs(work, jobs)` may
        run each pass's per-pair work elsewhere (translate_kit.scale runs each pair as a Ray
        task), yielding the results in the order of `jobs`.
        """
        run = map_jobs or map
        aligner, settings = self.aligner, self.settings
        if aligner.learn:
            confident = []
            first = partial(self._cached, stage=".first", settings=self.settings, compute=self._confident)
            for result, _ in _counted(run(first, jobs), "learning", len(jobs), progress):
                confident += result.get("confident", [])
            aligner = aligner.with_lexicon_from([tuple(pair) for pair in confident])
            if aligner is not self.aligner:
                words = len(aligner.sources[-1].entries)
                self.learned = f"a lexicon of {words} words learned from {len(confident)} confident pairs"
            learned = json.dumps(confident, ensure_ascii=False, sort_keys=True).encode("utf-8")
            settings += hashlib.sha256(learned).hexdigest()
        reused = 0
        results = []
        align = partial(self._align, aligner=aligner)
        second = partial(self._cached, stage="", settings=settings, compute=align)
        for result, fresh in _counted(run(second, jobs), "aligning", len(jobs), progress):
            reused += not fresh
            results.append(result)
        summary = self._assemble(results)
        summary.reused, summary.learned = reused, self.learned
        return summary

    def _cached(self, job: PairJob, stage: str, settings: str, compute) -> tuple[dict, bool]:
        """`compute(job)` saved atomically under .work with a fingerprint of inputs and settings;
        a saved result with the same fingerprint is returned instead (True when computed now)."""
        path = self.result_path(job, stage)
        try:
            fingerprint = self.fingerprint(job, settings)
        except OSError as exc:
            return {"doc": job.doc, "error": f"cannot read: {exc.strerror}"}, True
        if path.is_file():
            try:
                saved = json.loads(path.read_text(encoding="utf-8"))
                if saved.get("fingerprint") == fingerprint:
                    return saved, False
            except (OSError, json.JSONDecodeError):
                pass  # a damaged result is simply redone
        result = {"doc": job.doc, "hi_path": str(job.hi), "en_path": str(job.en), "fingerprint": fingerprint}
        try:
            result.update(compute(job))
        except TranslateKitError as exc:
            result["error"] = str(exc)
        with atomic_write(path) as handle:
            json.dump(result, handle, ensure_ascii=False)
        return result, True

    def _confident(self, job: PairJob) -> dict:
        """First pass of a learning build: the document's confident sentence pairs."""
        hi, en = read_pair(job.hi, job.en, self.presplit, self.errors)
        first = replace(self.aligner, learn=False)
        return {"confident": confident_pairs(first.align(hi, en), hi, en)}

    def _align(self, job: PairJob, aligner: Aligner) -> dict:
        hi, en = read_pair(job.hi, job.en, self.presplit, self.errors)
        alignment = replace(aligner, learn=False).align(hi, en)
        to_records = block_records if self.level == "paragraph" else bead_records
        records = to_records(alignment, hi, en)
        judge = self.filters.judge(aligner.sources)  # with the lexicon learned in the first pass, if any
        for record in records:
            record["removed"] = self.filters.reason(record, judge)
        return {"n_hi": len(hi.sentences), "n_en": len(en.sentences), "beads": records}

    def _assemble(self, results: list[dict]) -> CorpusSummary:
        deduper = Deduper()  # the near-duplicate rule of `corpus clean`
        kept: list[dict] = []
        rows, types, scores = [], Counter(), []
        for result in results:
            row = {
                "doc": result["doc"],
                "hi_sentences": result.get("n_hi", 0),
                "en_sentences": result.get("n_en", 0),
                "beads": 0,
                "pairs": 0,
                "error": result.get("error", ""),
            }
            reasons: Counter = Counter()
            for record in result.get("beads", []):
                row["beads"] += 1
                types[record["type"]] += 1
                if record["hi"] and record["en"]:
                    scores.append(record["score"])
                reason = record["removed"]
                key = (_normal(record["hi_text"]), _normal(record["en_text"]))
                if reason is None and deduper.seen(*key):
                    reason = "duplicate"
                if reason is not None:
                    reasons[reason] += 1
                    continue
                row["pairs"] += 1
                kept.append(
                    {
                        "doc": result["doc"],
                        **{k: record[k] for k in ("hi", "en", "score", "type")},
                        "hi_text": key[0],
                        "en_text": key[1],
                    }
                )
            row.update({f"removed: {k}": v for k, v in sorted(reasons.items())})
            rows.append(row)
        self._write_corpus(kept)
        documents = pd.DataFrame(rows).fillna(0)
        bead_types = pd.DataFrame(sorted(types.items(), key=lambda kv: -kv[1]), columns=["type", "beads"])
        counts, _ = _histogram(scores)
        histogram = pd.DataFrame({"score from": SCORE_BINS[:-1], "score to": SCORE_BINS[1:], "beads": counts})
        self._write_report(documents, bead_types, histogram)
        return CorpusSummary(len(results), len(kept), sum(1 for r in results if r.get("error")))

    def _write_corpus(self, kept: list[dict]) -> None:
        with (
            atomic_write(self.out / "corpus.hi") as hi,
            atomic_write(self.out / "corpus.en") as en,
            atomic_write(self.out / "corpus.jsonl") as jsonl,
        ):
            for pair in kept:
                hi.write(pair["hi_text"] + "\n")
                en.write(pair["en_text"] + "\n")
                jsonl.write(json.dumps(pair, ensure_ascii=False) + "\n")

    def _write_report(
        self, documents: pd.DataFrame, bead_types: pd.DataFrame, histogram: pd.DataFrame
    ) -> None:
        for frame, name in (
            (documents, "report.csv"),
            (bead_types, "report_bead_types.csv"),
            (histogram, "report_scores.csv"),
        ):
            with atomic_write(self.out / name) as handle:
                frame.to_csv(handle, index=False)
        text = [
            "# Corpus report\n",
            f"{len(documents)} documents, {sum(documents.get('pairs', []))} pairs kept. "
            f"Settings: `{self.settings}`" + (f"; {self.learned}" if self.learned else "") + "\n",
            "## Pairs per document\n",
            documents.to_markdown(index=False),
            "",
            "## Bead types\n",
            bead_types.to_markdown(index=False),
            "",
            "## Scores of beads pairing both sides\n",
            histogram.to_markdown(index=False),
            "",
        ]
        with atomic_write(self.out / "report.md") as handle:
            handle.write("\n".join(text) + "\n")


def _histogram(scores: list[float]) -> tuple[list[int], list[float]]:
    counts = [0] * (len(SCORE_BINS) - 1)
    for score in scores:
        counts[min(int(score * 10), 9)] += 1
    return counts, SCORE_BINS
