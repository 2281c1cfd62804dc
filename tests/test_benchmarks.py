"""The benchmark suite keeps running: a quick pass, as a real subprocess (no speed is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
