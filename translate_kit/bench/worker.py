"""The child process that measures one setting: load, warm up, translate `repeat` times, time it.

Run as `python -m translate_kit.bench.worker JOB.json RESULT.json` by translate_kit.bench.runner,
one fresh process per setting, so that no setting inherits another's warm caches, allocator state
or threads, and the peak RSS the parent reads from the kernel belongs to this setting alone.

The job file holds the model path, the setting, the source file (non-empty lines, one sentence
each) and the measurement plan; the result file holds the raw timings, written atomically. A
failure is reported in the result with a status the report understands:

- "unsupported": CTranslate2 refused the setting at load time (e.g. float16 on a CPU without it);
- "out of memory": MemoryError or an allocation failure, e.g. under `max_memory_mb`, which caps
  this process's address space (RLIMIT_AS) before anything is imported;
- "error": anything else, with its message.

A child killed outright (the kernel's OOM killer) writes nothing; the parent reports that itself.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import traceback
from collections.abc import Sequence
from typing import Any

from ..textio import atomic_write, read_lines  # light: nothing heavy before the memory cap

# How an allocation failure reads once it is not a MemoryError: CTranslate2/MKL, C++, mmap of a
# shared library under RLIMIT_AS, the kernel, OpenMP unable to reserve a thread's stack, and glibc
# aborting a thread's exit because it could not map libgcc_s under the cap.
ALLOCATION_FAILURES = (
    "failed to allocate", "bad_alloc", "cannot allocate memory", "out of memory",
    "failed to map segment", "thread creation failed", "libgcc_s.so.1 must be installed",
)


def mentions_allocation_failure(text: str) -> bool:
    text = text.lower()
    return any(failure in text for failure in ALLOCATION_FAILURES)


def peak_rss_kb(pid: int | str = "self") -> int | None:
    """The high-water RSS of a live process's own address space (VmHWM), in KiB.

    Not `ru_maxrss`: on Linux a child's ru_maxrss starts from its parent's peak RSS (execve
    records the old address space's high-water mark), so a small worker started by a big parent
    would report the parent's size. VmHWM belongs to the current address space only. None when
    the process is gone or /proc is not there (not Linux).
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def limit_memory(megabytes: int | None) -> None:
    """Cap the address space (RLIMIT_AS) so a setting that needs more fails here, not the machine."""
    if megabytes:
        limit = int(megabytes) * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def classify(exc: BaseException, phase: str) -> str:
    """The row status for an exception raised in `phase` (see the module docstring)."""
    from ..errors import ModelError, TranslateKitError

    chain: BaseException | None = exc
    while chain is not None:  # an ImportError may hide the mmap failure in its cause
        if isinstance(chain, MemoryError) or mentions_allocation_failure(str(chain)):
            return "out of memory"
        chain = chain.__cause__ or chain.__context__
    if phase == "load" and isinstance(exc, TranslateKitError) and not isinstance(exc, ModelError):
        return "unsupported"
    return "error"


def _counting_translator():
    """A Translator that counts the target tokens it decodes (the pipeline itself is unchanged).

    Counting decoder output is exact; re-tokenising the detokenised text would not be, and for a
    random-weight model it would count filler words as several pieces.
    """
    from ..engine import Translator

    class CountingTranslator(Translator):
        target_tokens = 0

        def decode_stream(self, sources, options, prefixes=None):
            for batch in super().decode_stream(sources, options, prefixes):
                self.target_tokens += sum(len(pieces) for _, (pieces, _) in batch)
                yield batch

    return CountingTranslator


def decode_options(job: dict[str, Any]):
    """The engine's DecodeOptions for this job; a pinned length fixes min = max and drops the
    relative cap, so every setting and every system decodes exactly the same number of tokens."""
    from ..engine import DecodeOptions

    options: dict[str, Any] = {"beam_size": job["beam"], "max_batch_tokens": job["batch_tokens"],
                               "no_repeat_ngram_size": job["no_repeat_ngram"],
                               "call_seconds": job.get("call_seconds")}  # None: the knob's fixed budget
    if job.get("pin_length"):
        pinned = int(job["pin_length"])
        options.update(min_decoding_length=pinned, max_decoding_length=pinned, decode_ratio=None)
    return DecodeOptions(**options)


def measure_run(translator, sentences: Sequence[str], options) -> tuple[dict[str, float], list[str]]:
    """Translate every sentence in one call: wall and CPU seconds, target tokens, the outputs."""
    translator.target_tokens = 0
    cpu, wall = time.process_time(), time.perf_counter()
    translations = translator.translate(sentences, options)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    run = {"seconds": wall, "cpu_seconds": cpu, "target_tokens": translator.target_tokens}
    return run, [t.text for t in translations]


def measure_latency(translator, sentences: Sequence[str], options) -> list[float]:
    """Milliseconds to translate each sentence alone, as an interactive user would."""
    latencies = []
    for sentence in sentences:
        start = time.perf_counter()
        translator.translate([sentence], options)
        latencies.append((time.perf_counter() - start) * 1000.0)
    return latencies


def measure(job: dict[str, Any], result: dict[str, Any]) -> None:
    """Fill `result` phase by phase, so a failure still leaves what was measured before it."""
    result["phase"] = "load"
    sentences = read_lines(job["source"])
    start = time.perf_counter()
    translator_class = _counting_translator()  # imports the pipeline: timed apart from the load
    result["import_s"] = time.perf_counter() - start
    start = time.perf_counter()
    translator = translator_class.load(
        job["model"], src=job.get("src"), tgt=job.get("tgt"),
        compute_type=job["compute_type"], threads=job["threads"] or None,
        inter_threads=job["inter_threads"] or None, download=False,
    )
    result["load_s"] = time.perf_counter() - start
    result["intra_threads"] = translator.intra_threads
    result["inter_threads"] = translator.inter_threads
    options = decode_options(job)

    result["phase"] = "warm-up"
    translator.translate(sentences[: job["warmup"]], options)
    measure_latency(translator, sentences[:1], options)

    latency_set = sentences[: job["latency_sentences"]]
    for index in range(job["repeat"]):
        result["phase"] = f"run {index + 1}"
        run, outputs = measure_run(translator, sentences, options)
        result["runs"].append(run)
        if index == 0:
            with atomic_write(job["hypotheses"]) as handle:
                handle.writelines(f"{line}\n" for line in outputs)
        result["phase"] = f"latency {index + 1}"
        result["latency_ms"].extend(measure_latency(translator, latency_set, options))
    result["phase"] = "done"


def main(argv: Sequence[str] | None = None) -> int:
    job_path, result_path = argv if argv is not None else sys.argv[1:]
    with open(job_path, encoding="utf-8") as handle:
        job = json.load(handle)
    limit_memory(job.get("max_memory_mb"))
    result: dict[str, Any] = {"status": "ok", "error": None, "runs": [], "latency_ms": []}
    try:
        measure(job, result)
    except Exception as exc:  # every failure (MemoryError included) becomes a row status, never a lost row
        result["status"] = classify(exc, result["phase"])
        result["error"] = f"{result['phase']}: {type(exc).__name__}: {exc}".strip()
        traceback.print_exc()
    result["peak_rss_kb"] = peak_rss_kb()
    with atomic_write(result_path) as handle:
        json.dump(result, handle, indent=1)
    return 0 if result["status"] == "ok" else 3


if __name__ == "__main__":
    sys.exit(main())
