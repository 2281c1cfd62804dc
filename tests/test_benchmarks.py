"""The benchmark scripts keep running: a quick pass of each, as a real subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_throughput_quick_run_prints_the_ratios() -> None:
    """`throughput.py --quick` measures all three variants and prints both ratios."""
    out = subprocess.run(  # noqa: S603 - this interpreter, this repository
        [sys.executable, str(ROOT / "benchmarks" / "throughput.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "b/a = " in out
    assert "b/c = " in out
    assert "PortOneClient.request" in out
