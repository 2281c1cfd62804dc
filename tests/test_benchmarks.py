"""The benchmark suite keeps running: a quick pass, as a real subprocess (no speed is asserted)."""

from __future__ import annotations

import importlib
import json
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(150)
def test_suite_quick_run_prints_every_ratio_and_target(tmp_path: Path) -> None:
    """`suite.py --quick` measures every section and reports each figure beside its target."""
    out = subprocess.run(  # noqa: S603 - this interpreter, this repository
        [
            sys.executable,
            str(ROOT / "benchmarks" / "suite.py"),
            "--quick",
            "--requests",
            "200",
            "--soak",
            "2000",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=140,
        check=True,
    ).stdout
    for line in (
        "b/a at 64 = ",
        "(target >= 0.97)",
        "c/a at 64 = ",
        "(target >= 0.92)",
        "max/p50 = ",
        "(target <= 3.0)",
        "expired at arrival = ",
        "(target 0)",
        "(target <= 1.2)",
        "(target < 5 MB)",
        "`import aioportone`",
        "PortOneClient.request",
    ):
        assert line in out
    assert (tmp_path / "results.md").read_text(encoding="utf-8") in out
    figures = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert figures["throughput"]["64"]["b"]["rps"] > 0
    assert figures["expired"]["b"]["arrivals"] >= 1000


def test_throughput_alone_quick_run_prints_the_ratios() -> None:
    """`throughput.py --quick` still runs on its own and prints the ratio lines."""
    out = subprocess.run(  # noqa: S603 - this interpreter, this repository
        [sys.executable, str(ROOT / "benchmarks" / "throughput.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=100,
        check=True,
    ).stdout
    assert "b/a at 64 = " in out
    assert "c/a at 64 = " in out


@pytest.mark.timeout(60)
def test_gc_threshold_compares_both_settings() -> None:
    """`gc_threshold.py` prints the client's CPU and the collections under each threshold."""
    out = subprocess.run(  # noqa: S603 - this interpreter, this repository
        [
            sys.executable,
            str(ROOT / "benchmarks" / "gc_threshold.py"),
            *("--rounds", "2", "--concurrency", "50", "--requests", "200"),
        ],
        capture_output=True,
        text=True,
        timeout=50,
        check=True,
    ).stdout
    assert "gc threshold    700: client CPU" in out
    assert "gc threshold 10,000: client CPU" in out
    assert "raised / default CPU: " in out


@pytest.fixture
def throughput(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """benchmarks/throughput.py, imported as its scripts import each other, then forgotten."""
    before = set(sys.modules)
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    yield importlib.import_module("throughput")
    # Only the scripts' own short names (_server, _measure...); the libraries they loaded stay.
    for name in set(sys.modules) - before:
        if str(ROOT / "benchmarks") in str(getattr(sys.modules[name], "__file__", "")):
            del sys.modules[name]


def _round(rps: float, cpu_us: float = 100.0) -> dict[str, float]:
    return {"rps": rps, "cpu_us": cpu_us, "p50": 0.01, "p99": 0.02, "max": 0.03}


def test_a_ratio_is_the_median_of_the_rounds_ratios(throughput: Any) -> None:
    """Each round is compared with the baseline of the same round, not medians with medians."""
    rows = {
        "a": [_round(100), _round(200), _round(300)],
        "b": [_round(90), _round(220), _round(150)],
    }
    table = throughput.summarise(rows)
    # Rounds: 0.9, 1.1, 0.5; the median of the medians would say 150 / 200 = 0.75.
    assert table["b"]["ratio"] == pytest.approx(0.9)
    assert table["b"]["rps_runs"] == [90, 220, 150]
    low, high = table["b"]["ratio_90"]
    assert 0.5 <= low <= 0.9 <= high <= 1.1
    assert "ratio_i" not in table["b"]  # no (i) in this run


def test_the_interval_is_reproducible_and_narrows_with_agreeing_rounds(throughput: Any) -> None:
    """Resampled with a fixed seed: one results file always renders the same interval."""
    spread = [(100.0 + k, 100.0 + (7 * k) % 13) for k in range(10)]
    assert throughput.interval(spread) == throughput.interval(spread)
    low, high = throughput.interval(spread)
    assert low < high
    assert throughput.interval([(95.0, 100.0)] * 10) == pytest.approx((0.95, 0.95))
    assert throughput.interval([(90.0, 100.0)]) == (0.9, 0.9)


def test_each_verdict_shows_its_interval(throughput: Any) -> None:
    rows = {"a": [_round(100), _round(110)], "b": [_round(99), _round(108)]}
    lines = throughput.report({"64": throughput.summarise(rows)})
    verdict = next(line for line in lines if line.startswith("b/a at 64 = "))
    assert "(target >= 0.97)  PASS" in verdict
    assert "90% interval 0.982-0.990 over 2 rounds" in verdict


def _process(b: list[float], a: list[float]) -> dict[str, Any]:
    """One process's throughput results at 64 workers: b and a by round."""
    return {"64": {"a": {"rps_runs": a}, "b": {"rps_runs": b}}}


def test_a_pooled_ratio_takes_every_round_of_every_process(throughput: Any) -> None:
    """Rounds of all processes are pooled; each process's own median is kept beside them."""
    spread = importlib.import_module("spread")
    processes = [
        _process([95, 96, 97], [100, 100, 100]),
        _process([98, 99, 99], [100, 100, 100]),
        _process([90, 91], [100, 100]),
    ]
    pooled = spread.pooled(processes, {"64": [("b", "a")]})
    figures = pooled["64"]["b/a"]
    # Pooled: 0.90 0.91 0.95 0.96 0.97 0.98 0.99 0.99 -> median (0.96 + 0.97) / 2.
    assert figures["ratio"] == pytest.approx(0.965)
    assert figures["per_process"] == pytest.approx([0.96, 0.99, 0.905])
    assert figures["rounds"] == 8
    low, high = figures["ratio_90"]
    assert 0.905 <= low <= figures["ratio"] <= high <= 0.99
    assert spread.pooled(processes, {"64": [("b", "a")]}) == pooled  # a fixed seed
    line = next(iter(throughput.verdicts_pooled(pooled)))
    assert line.startswith("b/a at 64 = 0.965  (target >= 0.97)  MISS")
    assert "over 3 processes, 8 rounds; by process: 0.960, 0.990, 0.905" in line


def test_a_single_process_has_no_interval_over_processes(throughput: Any) -> None:
    spread = importlib.import_module("spread")
    pooled = spread.pooled([_process([99], [100])], {"64": [("b", "a")], "256": [("b", "i")]})
    assert pooled["64"]["b/a"]["ratio"] == pytest.approx(0.99)
    assert all(math.isnan(x) for x in pooled["64"]["b/a"]["ratio_90"])
    assert "256" not in pooled  # nothing measured there
