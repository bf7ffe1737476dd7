"""Run a benchmark: one fresh worker process per setting, results gathered, scored and written.

The parent never loads the model: it resolves it (a missing model fails here, in one line),
prepares the test set, starts `translate_kit.bench.worker` for each setting, samples the child's
peak RSS while it runs (so it is known even for a child that was killed), scores the
hypotheses with translate_kit.evaluate when references exist, and writes each setting's record
as soon as it is known (runs/<setting>.json), so an interrupted grid resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, TranslateKitError
from ..models import ModelDir, resolve_model
from ..textio import atomic_write, read_lines
from . import environment
from .grid import KNOBS, Setting, expand, label, slug
from .worker import mentions_allocation_failure, peak_rss_kb

WORKER = (sys.executable, "-m", "translate_kit.bench.worker")
SYNTHETIC_NOTE = "not meaningful: synthetic model"


@dataclass(frozen=True)
class Plan:
    """How each setting is measured (the same for every setting of a run)."""

    repeat: int = 3
    warmup: int = 32  # sentences translated once before timing
    latency_sentences: int = 20  # sentences translated one at a time per repeat
    pin_length: int | None = None  # min = max decode length (random-weight models)
    max_memory_mb: int | None = None  # address-space cap of each child
    timeout_s: float | None = None  # per setting

    def __post_init__(self) -> None:
        if self.repeat < 1:
            raise TranslateKitError("--repeat must be at least 1")
        if self.warmup < 0 or self.latency_sentences < 0:
            raise TranslateKitError("--warmup and --latency-sentences cannot be negative")
        if self.pin_length is not None and not 1 <= self.pin_length <= 256:
            raise TranslateKitError("--pin-length must be between 1 and 256 (the model's positions)")


@dataclass
class TestSet:
    """The sentences measured. Empty (blank) source lines are skipped and counted: they cost
    the model nothing, and a blank line would otherwise be timed as a sentence; their reference
    lines are dropped with them so that hypotheses and references stay aligned."""

    source: Path
    reference: Path | None
    sentences: list[str]
    references: list[str] | None
    skipped_lines: list[int] = field(default_factory=list)  # 1-based line numbers
    __test__ = False  # a data class named like a test: pytest must not collect it

    @classmethod
    def load(cls, source: str | os.PathLike[str], reference: str | os.PathLike[str] | None = None) -> TestSet:
        lines = read_lines(source)
        refs = read_lines(reference) if reference else None
        if refs is not None and len(refs) != len(lines):
            raise InputError(
                f"{len(lines)} source lines but {len(refs)} reference lines in {reference}: they must align",
                os.fspath(source),
            )
        kept = [i for i, line in enumerate(lines) if line.strip()]
        if not kept:
            raise InputError("no sentences to translate (the file is empty or blank)", os.fspath(source))
        skipped = [i + 1 for i in range(len(lines)) if not lines[i].strip()]
        return cls(
            source=Path(source),
            reference=Path(reference) if reference else None,
            sentences=[lines[i].strip() for i in kept],
            references=[refs[i] for i in kept] if refs is not None else None,
            skipped_lines=skipped,
        )


@dataclass(frozen=True)
class ChildOutcome:
    exit_code: int  # negative: killed by that signal
    peak_rss_kb: int | None  # the child's VmHWM as last sampled while it ran
    seconds: float
    timed_out: bool


def run_child(command: Sequence[str], log_path: Path, timeout_s: float | None) -> ChildOutcome:
    """Run one worker, sampling its peak RSS (VmHWM) every 50 ms so that a child killed before it
    could report its own peak still has one; a child that finishes reports the exact figure."""
    start = time.perf_counter()
    peak, timed_out = None, False
    with open(log_path, "wb") as log:
        process = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT)
        while True:
            peak = peak_rss_kb(process.pid) or peak
            if process.poll() is not None:
                break
            if timeout_s and time.perf_counter() - start > timeout_s:
                process.kill()
                process.wait()
                timed_out = True
                break
            time.sleep(0.05)
    return ChildOutcome(process.returncode, peak, time.perf_counter() - start, timed_out)


# Signals a process dies of when native code cannot get memory under an address-space cap: a
# failed thread-stack or arena mmap dereferenced (SIGSEGV, SIGBUS), or glibc/C++ aborting (SIGABRT).
_CRASHES_UNDER_A_CAP = (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT)


def death_status(outcome: ChildOutcome, log_path: Path, cap_mb: int | None = None) -> tuple[str, str]:
    """Status and message for a child that ended without writing its result (`cap_mb`: the
    address-space cap it ran under, if any)."""
    if outcome.timed_out:
        return "timeout", f"no result within {outcome.seconds:.0f} s (--timeout)"
    if outcome.exit_code == -signal.SIGKILL:
        return "out of memory", "killed by SIGKILL (most likely the kernel's out-of-memory killer)"
    tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:] or [""]
    status = "out of memory" if mentions_allocation_failure(tail[0]) else "error"
    if outcome.exit_code < 0:
        crash = signal.Signals(-outcome.exit_code)
        said = f": {tail[0]}" if tail[0] else ""
        if cap_mb and crash in _CRASHES_UNDER_A_CAP:
            return "out of memory", f"killed by {crash.name} under the {cap_mb} MB cap{said}"
        return status, f"killed by signal {crash.name}{said}"
    return status, f"exited with status {outcome.exit_code}: {tail[0]}"


def job_key(fingerprint: str, source_sha: str, setting: Setting, plan: Plan) -> str:
    """What a record was measured from; a resumed run reuses only records with the same key."""
    text = json.dumps([fingerprint, source_sha, setting, asdict(plan)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def is_synthetic(model: ModelDir) -> bool:
    """True when the model folder's translate_kit.json says its weights are random."""
    for folder in (model.path, model.root):
        meta = folder / "translate_kit.json"
        if meta.is_file():
            try:
                return bool(json.loads(meta.read_text(encoding="utf-8")).get("synthetic"))
            except (OSError, ValueError):
                return False
    return False


class Bench:
    """One benchmark run: a model, a test set, settings and a plan, written under `output`.

    `src`/`tgt` fix the direction (a multilingual model takes it; a one-way model must match)."""

    def __init__(
        self,
        model: str | os.PathLike[str],
        test_set: TestSet,
        settings: list[Setting],
        plan: Plan,
        output: str | os.PathLike[str],
        *,
        worker: Sequence[str] = WORKER,
        log: Callable[[str], None] = lambda message: None,
        src: str | None = None,
        tgt: str | None = None,
    ):
        self.model = resolve_model(model, src, tgt)
        self.test_set = test_set
        self.settings = settings
        self.plan = plan
        self.output = Path(output)
        self.runs = self.output / "runs"
        self.worker = tuple(worker)
        self.log = log
        self.synthetic = is_synthetic(self.model)
        self.fingerprint = self.model.fingerprint()
        self.model_mb = self.model.disk_size() / 2**20
        self._scorer = None

    def environment(self, argv: list[str] | None = None) -> dict[str, Any]:
        env = environment.capture(
            model=self.model, source=self.test_set.source, reference=self.test_set.reference,
            settings=self.settings, plan=asdict(self.plan), synthetic=self.synthetic, argv=argv,
        )
        env["test_set"].update(
            sentences=len(self.test_set.sentences),
            skipped_empty_lines=len(self.test_set.skipped_lines),
            skipped_line_numbers=self.test_set.skipped_lines[:50],
        )
        return env

    def run(self, resume: bool = False) -> list[dict[str, Any]]:
        """Measure every setting (reusing finished records when `resume`); one record each."""
        return [self.run_setting(number, resume) for number in range(len(self.settings))]

    def run_setting(self, number: int, resume: bool = False) -> dict[str, Any]:
        """Measure setting `number` (or reuse its finished record when `resume`) and return its record."""
        source_file = self.runs / "source.txt"
        if not source_file.is_file():
            self.runs.mkdir(parents=True, exist_ok=True)
            with atomic_write(source_file) as handle:
                handle.writelines(f"{line}\n" for line in self.test_set.sentences)
        setting = self.settings[number]
        key = job_key(self.fingerprint, environment.sha256_file(source_file), setting, self.plan)
        record_path = self.runs / f"{slug(setting)}.json"
        record = self._previous(record_path, key) if resume else None
        where = f"[{number + 1}/{len(self.settings)}] {label(setting)}"
        if record is None:
            self.log(f"{where}: measuring")
            record = self.measure(setting, source_file, key)
            with atomic_write(record_path) as handle:
                json.dump(record, handle, indent=1)
        else:
            self.log(f"{where}: reused {record_path}")
        if record["status"] != "ok":
            self.log(f"  {record['status']}: {record['error']}")
        return record

    @staticmethod
    def _previous(path: Path, key: str) -> dict[str, Any] | None:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if record.get("key") == key and record.get("status") == "ok" else None

    def measure(self, setting: Setting, source_file: Path, key: str) -> dict[str, Any]:
        """Run the worker for one setting and turn what it left into a record."""
        name = slug(setting)
        paths = {kind: self.runs / f"{name}.{kind}" for kind in ("job.json", "result.json", "hyp.txt", "log")}
        paths["result.json"].unlink(missing_ok=True)
        job = {
            **setting, "model": str(self.model.path), "src": self.model.src, "tgt": self.model.tgt,
            "source": str(source_file),
            "hypotheses": str(paths["hyp.txt"]), "repeat": self.plan.repeat, "warmup": self.plan.warmup,
            "latency_sentences": self.plan.latency_sentences, "pin_length": self.plan.pin_length,
            "max_memory_mb": self.plan.max_memory_mb,
        }
        with atomic_write(paths["job.json"]) as handle:
            json.dump(job, handle, indent=1)
        command = [*self.worker, str(paths["job.json"]), str(paths["result.json"])]
        outcome = run_child(command, paths["log"], self.plan.timeout_s)
        try:
            result = json.loads(paths["result.json"].read_text(encoding="utf-8"))
        except (OSError, ValueError):
            status, error = death_status(outcome, paths["log"], self.plan.max_memory_mb)
            result = {"status": status, "error": error, "runs": [], "latency_ms": []}
        record = {
            "key": key, **setting, **result, "model": self.model.name, "family": self.model.family,
            "sentences": len(self.test_set.sentences),
            "source_words": sum(len(s.split()) for s in self.test_set.sentences),
            "peak_rss_mb": (result.get("peak_rss_kb") or outcome.peak_rss_kb or math.nan) / 1024,
            "model_mb": self.model_mb,
            "exit_code": outcome.exit_code, "hypotheses": str(paths["hyp.txt"]),
        }
        record["quality"] = self.score(paths["hyp.txt"]) if record["status"] == "ok" else {}
        return record

    def score(self, hypotheses: Path) -> dict[str, Any]:
        """BLEU and chrF++ with their signatures from translate_kit.evaluate (none without references)."""
        if self.test_set.references is None:
            return {}
        if self.synthetic:
            return {"note": SYNTHETIC_NOTE}
        if self._scorer is None:
            from ..evaluate import Scorer

            preset = "indictrans2" if self.model.tgt == "hin_Deva" else "none"
            self._scorer = Scorer(self.test_set.references, lang=self.model.tgt, metrics="bleu,chrf++",
                                  preset=preset)
        scores = self._scorer.corpus(read_lines(hypotheses))
        return {score.key: {"score": score.score, "signature": score.signature} for score in scores}


def run_bench(
    model: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    source: str | os.PathLike[str],
    grid: dict[str, list[object]],
    output: str | os.PathLike[str],
    *,
    reference: str | os.PathLike[str] | None = None,
    plan: Plan | None = None,
    resume: bool = False,
    worker: Sequence[str] = WORKER,
    log: Callable[[str], None] = lambda message: None,
    argv: list[str] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Measure every setting of `grid` for one model or several, and write results.csv/.json/.md,
    pareto.png, environment.json (and significance.md when several real models meet references).

    Several models run on the same test set and settings, one after the other, each setting in a
    fresh process, into one table; the direction is the first model's (multilingual models take
    it). Returns the per-setting records and the environment (translate_kit.bench.report).
    """
    from . import report

    paths = [model] if isinstance(model, (str, os.PathLike)) else list(model)
    if not paths:
        raise TranslateKitError("no model to measure")
    settings = expand(grid)
    test_set = TestSet.load(source, reference)
    out = Path(output)
    first = resolve_model(paths[0])
    benches = [
        Bench(path, test_set, settings, plan or Plan(), out if len(paths) == 1 else out / "models" / f"{n}",
              worker=worker, log=log, src=first.src, tgt=first.tgt)
        for n, path in enumerate(paths, 1)
    ]
    names = [bench.model.name for bench in benches]
    if len(set(names)) < len(names):
        raise TranslateKitError(f"--model given twice: {', '.join(names)} (each model is measured once)")
    envs = [bench.environment(argv) for bench in benches]
    env = {**envs[0], "models": [e["model"] for e in envs]}
    out.mkdir(parents=True, exist_ok=True)
    with atomic_write(out / "environment.json") as handle:
        json.dump(env, handle, indent=1, ensure_ascii=False)
    # Models take turns setting by setting, so a change in the machine's load hits them alike.
    measured: list[list[dict[str, Any]]] = [[] for _ in benches]
    for number in range(len(settings)):
        for bench, done in zip(benches, measured, strict=True):
            if len(benches) > 1:
                log(f"model {bench.model.name} ({bench.model.family})")
            done.append(bench.run_setting(number, resume))
    records = [record for done in measured for record in done]
    varied = [key for key in KNOBS if len({str(s[key]) for s in settings}) > 1]
    report.write_all(records, env, out, varied)
    if len(benches) > 1:
        _write_significance(benches, records, out)
    return records, env


def _write_significance(benches: list[Bench], records: list[dict[str, Any]], out: Path) -> None:
    """significance.md: per setting, every model's hypotheses against the first model's with
    `compare`'s paired bootstrap; written only when references exist and no model is synthetic."""
    if benches[0].test_set.references is None or any(bench.synthetic for bench in benches):
        return
    from ..evaluate import Scorer, compare_systems
    from ..evaluate.report import render_comparison

    tgt = benches[0].model.tgt
    scorer = Scorer(benches[0].test_set.references, lang=tgt, metrics="bleu,chrf++",
                    preset="indictrans2" if tgt == "hin_Deva" else "none")
    sections = ["# Paired significance between models", ""]
    for setting in {slug(r): r for r in records}.values():
        done = [r for r in records if slug(r) == slug(setting) and r["status"] == "ok"]
        if len(done) < 2:
            continue
        systems = [(r["model"], read_lines(r["hypotheses"])) for r in done]
        comparison = compare_systems(scorer, systems, test="bs")
        sections += [f"## {label(setting)}", "", render_comparison(comparison, fmt="markdown"), ""]
    with atomic_write(out / "significance.md") as handle:
        handle.write("\n".join(sections))
