"""How soon a long CLI run answers: first save to the memory, Ctrl-C latency, ETA error.

Runs the real `translate-kit translate` in a subprocess on documents of newsdev2014.hi (40
sentences each) with a random-weight model of the given shape:
- first save: seconds from start until the translation memory holds a row (polled every 0.1 s);
- ETA error: the plain progress lines (every second here, `PLAIN_EVERY` patched) once 10% is done,
  |ETA - real remaining| / real remaining, the worst and the median;
- Ctrl-C: a second run on a fresh memory gets SIGINT `--interrupt-after` seconds in; seconds until
  it exits, its exit code and the rows it left in the memory.

    PYTHONPATH=$PWD python eval/responsiveness.py --shape dist-200M --documents 2 --beam 5
"""

from __future__ import annotations

import argparse
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from translate_kit.bench.synthetic import ensure_synthetic_model
from translate_kit.textio import read_lines

_RUN = """
import sys
import translate_kit.cli.progress as progress
progress.PLAIN_EVERY = 1.0
from translate_kit.cli import main
sys.argv = ["translate-kit", *sys.argv[1:]]
main()
"""
_LINE = re.compile(r"(\d+)/(\d+) sentences .* about (\d+) s left")


def _rows(memory: Path) -> int:
    try:
        return sqlite3.connect(memory).execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    except sqlite3.Error:
        return 0


def _start(folder: Path, model: Path, beam: int, memory: Path) -> subprocess.Popen:
    """A run into its own output folder (`<memory stem>-out`), so no run skips another's outputs."""
    out = folder / f"{memory.stem}-out"
    command = [sys.executable, "-c", _RUN, "translate", str(folder / "in"), "-o", str(out),
               "--model", str(model), "--beam", str(beam), "--cache", str(memory)]
    return subprocess.Popen(command, stderr=subprocess.PIPE, text=True)


def _first_save(process: subprocess.Popen, memory: Path, started: float) -> float | None:
    while process.poll() is None:
        if _rows(memory):
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="dist-200M")
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/hi-en"))
    parser.add_argument("--documents", type=int, default=2)
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--interrupt-after", type=float, default=5.0)
    args = parser.parse_args(argv)
    model = ensure_synthetic_model(args.shape, "indic-en", args.data)
    lines = read_lines(Path(args.data) / "newsdev2014.hi")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        for index in range(args.documents):
            text = "\n".join(lines[40 * index : 40 * index + 40]) + "\n"
            (folder / "in" / f"doc{index}.hi.txt").write_text(text, encoding="utf-8")
        started = time.monotonic()
        process = _start(folder, model, args.beam, folder / "a.sqlite3")
        seen: list[tuple[float, int, int, float]] = []

        def read() -> None:
            for line in process.stderr:
                if match := _LINE.search(line):
                    done, total, eta = map(int, match.groups())
                    seen.append((time.monotonic(), done, total, float(eta)))

        reader = threading.Thread(target=read)
        reader.start()
        first = _first_save(process, folder / "a.sqlite3", started)
        process.wait()
        reader.join()
        finished = time.monotonic()
        errors = [abs(eta - (finished - t)) / (finished - t) for t, done, total, eta in seen
                  if done >= 0.1 * total and finished - t > 2]
        for t, done, total, eta in seen[:: max(1, len(seen) // 6)]:
            print(f"  {done}/{total} at {t - started:.1f} s: ETA {eta:.0f} s, real {finished - t:.1f} s")
        worst = f"{max(errors):.0%}" if errors else "n/a"
        median = f"{statistics.median(errors):.0%}" if errors else "n/a"
        print(f"shape {args.shape}, beam {args.beam}, {args.documents} x 40 sentences: run "
              f"{finished - started:.1f} s, first save {first if first is None else round(first, 1)} s, "
              f"ETA error after 10%: median {median}, worst {worst} ({len(errors)} lines)")
        started = time.monotonic()
        process = _start(folder, model, args.beam, folder / "b.sqlite3")
        time.sleep(args.interrupt_after)
        before = _rows(folder / "b.sqlite3")
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        process.communicate()
        print(f"Ctrl-C {args.interrupt_after:.0f} s in: exit {process.returncode} after "
              f"{time.monotonic() - sent:.2f} s; memory rows {before} at the signal, "
              f"{_rows(folder / 'b.sqlite3')} after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
