"""The ratios with targets, measured again in fresh interpreters and pooled.

In a loop this tight, where a process's code and data happen to land in memory shifts one
variant against another by a percent or two for the whole life of the process: the same ratio
read 0.95 in one process and 0.98 in the next, while each process's own rounds agreed to
within a percent. More rounds in one process cannot show that, so after the main run
``PROCESSES`` more interpreters (``throughput.py --paired``) each run the variants with targets
and their baselines. A target's ratio is then the median of every round's ratio over all the
processes, the main run's included; its 90 % interval is a bootstrap that resamples processes
whole, and each process's own median is printed beside it.

Run alone: ``.venv/bin/python benchmarks/spread.py [--processes N] [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import throughput
from _measure import bootstrap_90, median
from _server import server_process

#: Fresh interpreters after the main run: with it, five processes per ratio.
PROCESSES = 4
_THROUGHPUT = Path(__file__).resolve().with_name("throughput.py")


async def measure(
    base: str,
    *,
    concurrencies: list[int],
    runs: int,
    count: int,
    processes: int,
    progress: Callable[[str], None],
) -> list[dict[str, Any]]:
    """Each fresh process's throughput results for the paired variants, one after another."""
    out = []
    command = [
        sys.executable,
        str(_THROUGHPUT),
        "--paired",
        base,
        "--concurrencies",
        ",".join(map(str, concurrencies)),
        "--runs",
        str(runs),
        "--requests",
        str(count),
    ]
    for p in range(processes):
        progress(f"paired variants, fresh process {p + 1}/{processes}")
        child = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
        stdout, _ = await child.communicate()
        if child.returncode:
            raise RuntimeError(f"throughput.py --paired exited with {child.returncode}")
        out.append(json.loads(stdout))
    return out


def round_ratios(table: dict[str, Any], variant: str, baseline: str) -> list[float]:
    """One process's per-round ratios of ``variant`` to ``baseline`` (rounds are paired)."""
    if variant not in table or baseline not in table:
        return []
    return [
        v / b for v, b in zip(table[variant]["rps_runs"], table[baseline]["rps_runs"], strict=False)
    ]


def pooled(
    processes: list[dict[str, Any]], targets: dict[str, list[tuple[str, str]]]
) -> dict[str, Any]:
    """Per concurrency and ``variant/baseline``: the pooled median, its interval, per process.

    ``processes`` are throughput results (the main run's first); ``targets`` maps a concurrency
    to the ``(variant, baseline)`` pairs with a target there.
    """
    out: dict[str, Any] = {}
    for conc, pairs in targets.items():
        for variant, baseline in pairs:
            each = [round_ratios(p.get(conc, {}), variant, baseline) for p in processes]
            each = [ratios for ratios in each if ratios]
            if not each:
                continue
            out.setdefault(conc, {})[f"{variant}/{baseline}"] = {
                "ratio": median([r for ratios in each for r in ratios]),
                "ratio_90": list(_interval(each)),
                "per_process": [median(ratios) for ratios in each],
                "rounds": sum(map(len, each)),
            }
    return out


def _interval(each: list[list[float]]) -> tuple[float, float]:
    """A 90 % bootstrap interval of the pooled median, resampling whole processes."""
    if len(each) < 2:
        return (math.nan, math.nan)
    return bootstrap_90(each, lambda drawn: median([r for ratios in drawn for r in ratios]))


def main() -> None:
    parser = argparse.ArgumentParser(description="the targeted ratios over fresh processes")
    parser.add_argument("--processes", type=int, default=PROCESSES + 1)
    parser.add_argument("--quick", action="store_true", help="smoke run: small counts, 1 run")
    args = parser.parse_args()
    runs, count, concs = (
        (1, 400, [64]) if args.quick else (throughput.RUNS, throughput.REQUESTS, [64, 256, 1000])
    )
    with server_process() as base:
        found = asyncio.run(
            measure(
                base,
                concurrencies=concs,
                runs=runs,
                count=count,
                processes=args.processes,
                progress=lambda s: print(s, file=sys.stderr, flush=True),
            )
        )
    print("\n".join(throughput.verdicts_pooled(pooled(found, throughput.targeted(concs)))))


if __name__ == "__main__":
    main()
