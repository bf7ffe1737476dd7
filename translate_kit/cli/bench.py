"""`translate-kit bench`: measure settings of a model side by side, or compare two recorded runs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import TranslateKitError
from .options import Aliased, quiet_option

GRID_HELP = (
    "KEY=V1,V2,... (repeatable); the cross product of all --grid options is measured. Keys: "
    "compute_type, beam, threads, inter_threads, batch_tokens, no_repeat_ngram."
)


@click.command("bench")
@click.option("--model", "model", metavar="NAME_OR_PATH", multiple=True,
              help="Model folder or registry name; repeat it to compare models (any family) side by side.")
@click.option("--source", "--src", "source", cls=Aliased, type=click.Path(dir_okay=False, path_type=Path),
              help="Source sentences, one per line (blank lines are skipped and counted).")
@click.option("--ref", "reference", type=click.Path(dir_okay=False, path_type=Path),
              help="References aligned with --source: adds BLEU and chrF++ with signatures.")
@click.option("--grid", "grid", multiple=True, metavar="KEY=V1,V2", help=GRID_HELP)
@click.option("--repeat", default=3, show_default=True, help="Timed passes over the test set per setting.")
@click.option("--warmup", default=32, show_default=True, help="Sentences translated before timing.")
@click.option("--latency-sentences", default=20, show_default=True,
              help="Sentences translated one at a time per repeat for latency p50/p90/p99.")
@click.option("--pin-length", type=int, default=None,
              help="Decode exactly N tokens per sentence (min = max length): for random-weight models.")
@click.option("--max-memory", "max_memory", type=int, default=None, metavar="MB",
              help="Cap each child's address space; a setting that needs more is marked out of memory.")
@click.option("--timeout", type=float, default=None, metavar="SECONDS",
              help="Give up on a setting after this.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("bench-results"), show_default=True,
              help="Folder for results.csv/.json/.md, pareto.png, environment.json.")
@click.option("--resume", is_flag=True,
              help="Reuse settings already measured in --output with the same inputs.")
@click.option("--compare", "compare", nargs=2, type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="A.csv B.csv", help="Print two recorded results.csv side by side instead of measuring.")
@quiet_option("progress log")
def bench(model, source, reference, grid, repeat, warmup, latency_sentences, pin_length, max_memory, timeout,
          output, resume, compare, quiet) -> None:
    """Measure quality, speed, latency and memory of models under several settings.

    Each setting runs in a fresh process: load, warm up, translate the test set --repeat times
    through the full pipeline, then one sentence at a time for latency. Several --model options
    run every model on the same test set and grid into one table, with paired bootstrap
    significance between the models' outputs (significance.md) when references are given.

    \b
      translate-kit bench --model PATH --source test.hi --ref test.en \\
          --grid compute_type=int8,float32 --grid beam=1,5 --grid threads=1,2 -o results/
      translate-kit bench --model indictrans2-indic-en-dist-200M --model nllb-200-distilled-600M \\
          --source test.hi --ref test.en --grid beam=1,5 -o results/
      translate-kit bench --compare old/results.csv new/results.csv
    """
    from ..bench import report

    if compare:
        first, second = (report.read_results(path) for path in compare)
        click.echo(report.render_markdown(report.compare(first, second), floatfmt=".2f"))
        return
    if not model or not source:
        raise click.UsageError("--model and --source are needed (or --compare A.csv B.csv)")
    from ..bench.grid import parse_grid
    from ..bench.runner import Plan, run_bench

    plan = Plan(repeat=repeat, warmup=warmup, latency_sentences=latency_sentences, pin_length=pin_length,
                max_memory_mb=max_memory, timeout_s=timeout)
    log = (lambda _message: None) if quiet else (lambda message: click.echo(message, err=True))
    records, _ = run_bench(
        list(model), source, parse_grid(grid), output, reference=reference, plan=plan, resume=resume,
        log=log, argv=["translate-kit", *sys.argv[1:]],
    )
    click.echo((output / "results.md").read_text(encoding="utf-8"))
    if not any(record["status"] == "ok" for record in records):
        raise TranslateKitError(f"no setting could be measured; see {output / 'results.md'}")


COMMANDS = [bench]
