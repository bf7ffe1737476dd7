"""Progress lines and the windowed rate/ETA (translate_kit.cli.progress), on a simulated clock."""

from __future__ import annotations

import io

from translate_kit.cli.progress import Progress, RateWindow


def _run(rates: list[tuple[float, float]], total: int) -> list[tuple[float, float, float]]:
    """Feed a RateWindow a run whose speed is `rates` [(seconds, sentences/s)...], updating every
    second; (done share, ETA, real remaining seconds) at each update."""
    now = [0.0]
    window = RateWindow(clock=lambda: now[0])
    timeline: list[tuple[float, float]] = []  # (time, done)
    done = 0.0
    for seconds, rate in rates:
        for _ in range(int(seconds)):
            now[0] += 1
            done = min(total, done + rate)
            timeline.append((now[0], done))
    finish = next(t for t, d in timeline if d >= total)
    window.add(0)
    now[0] = 0.0
    seen = []
    for t, d in timeline:
        now[0] = t
        window.add(int(d))
        eta = window.eta(total)
        if eta is not None and d < total:
            seen.append((d / total, eta, finish - t))
    return seen


def test_eta_after_a_tenth_stays_within_30_percent_on_a_steady_run_with_a_slow_start():
    # A slow first call (2 s for a few sentences), then a steady 2 sentences/s: 520 sentences.
    for share, eta, real in _run([(2, 1.0), (400, 2.0)], 520):
        if share >= 0.1 and real > 10:
            assert abs(eta - real) <= 0.3 * real, (share, eta, real)


def test_eta_follows_a_change_of_speed_within_the_window():
    # Half speed for a minute (another job), then full speed: the window forgets the slow minute.
    seen = _run([(60, 1.0), (600, 2.0)], 600)
    late = [(eta, real) for share, eta, real in seen if share >= 0.5 and real > 10]
    assert late and all(abs(eta - real) <= 0.3 * real for eta, real in late)


def test_no_rate_before_work_and_first_line_at_the_first_update():
    assert RateWindow().eta(10) is None
    stream = io.StringIO()
    progress = Progress("translate", "sentences", stream=stream)
    progress.update(0, 40)
    assert stream.getvalue() == "translate: 0/40 sentences (0%)\n"
