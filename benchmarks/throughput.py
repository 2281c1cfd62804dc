"""Client throughput: every variant at several concurrencies against the loopback stand-in.

Runs are interleaved (a, b, c, ..., a, b, c, ...) within each concurrency so the shared
machine's noise hits every variant alike; each run opens its own session or client and warms
its connections up before the clock starts; figures are medians over the runs and ratios are
taken against the baselines measured in the same run: raw aiohttp (a), and the same made first
come, first served with a semaphore (i), which the targets use once requests outnumber the
pool. "client CPU" is this process's CPU time per request (the server runs in another
process). Targets are printed, never asserted.

Run alone: ``.venv/bin/python benchmarks/throughput.py [--quick]``; ``make bench`` runs it as
part of ``benchmarks/suite.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable
from typing import Any

import structlog
from _measure import drive, median
from _server import server_process
from _variants import NAMES, available, open_variant

# (variant, concurrency or None for all) -> (baseline, least acceptable ratio to it).
# Below the pool's 100 connections nobody queues and raw aiohttp (a) is the baseline. Above it,
# raw aiohttp is fast because it is unfair (whoever loops fastest reuses the connection it just
# freed while the others wait, max latency 50-100x p50): the client's own cost is measured
# against the same aiohttp made first come, first served (i); b/a and c/a are printed beside.
TARGETS: dict[tuple[str, int | None], tuple[str, float]] = {
    ("b", 64): ("a", 0.97),
    ("c", 64): ("a", 0.92),
    ("b", None): ("i", 0.95),
    ("c", None): ("i", 0.92),
}
# The baselines every other variant's ratio is taken against, when they are in the run.
BASELINES = ("a", "i")


def quiet_logs() -> None:
    """structlog's default prints every event to stdout: errors only, to stderr."""
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )


# The variants that have targets, with their baselines.
PAIRED = "abci"


def _rotated(items: list[str], run: int) -> list[str]:
    if not items:
        return items
    k = run % len(items)
    return items[k:] + items[:k]


def target(variant: str, concurrency: int) -> tuple[str, float] | None:
    return TARGETS.get((variant, concurrency), TARGETS.get((variant, None)))


# httpx serves ~1/20th of aiohttp's rate here (its pool scans every connection on each
# request): it gets fewer requests per run, and only the first SLOW_RUNS rounds, so that the
# suite stays within its time.
SLOW = "gh"
SLOW_RUNS = 3


def run_size(variant: str, count: int, concurrency: int) -> tuple[int, int]:
    """(warm-up, timed) request counts of one run."""
    if variant in SLOW:
        return 100, max(count // 10, concurrency)
    return max(2 * concurrency, 500), count


async def measure(variant: str, base: str, count: int, concurrency: int) -> dict[str, float]:
    """A warm-up, then timed requests of ``variant`` (``count``, fewer for httpx)."""
    warmup, timed = run_size(variant, count, concurrency)
    async with open_variant(variant, base) as call:
        await drive(call, warmup, concurrency)  # open the connections, fill caches
        run = await drive(call, timed, concurrency)
    p50, p99, worst = run.quantiles()
    return {"rps": run.rate, "cpu_us": run.cpu_us, "p50": p50, "p99": p99, "max": worst}


async def matrix(
    base: str,
    *,
    variants: list[str],
    concurrencies: list[int],
    runs: int,
    count: int,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """Every variant at every concurrency, ``runs`` interleaved times; medians and ratios."""
    for v in variants if runs > 1 else ():  # process warm-up: imports, code paths, caches
        await measure(v, base, 100, 64)
    out: dict[str, Any] = {}
    for conc in concurrencies:
        rows: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
        for run in range(runs):
            # Each round in another order: no variant always runs first (or after the slow ones).
            # The variants with targets run back to back with their baselines, so that a
            # round's ratio compares runs seconds apart, not minutes (the machine drifts).
            order = [*_rotated([v for v in variants if v in PAIRED], run)]
            order += _rotated([v for v in variants if v not in PAIRED], run)
            for v in order:
                if v in SLOW and run >= SLOW_RUNS:
                    continue
                rows[v].append(await measure(v, base, count, conc))
                progress(f"c={conc} run {run + 1}/{runs} {v}: {rows[v][-1]['rps']:,.0f} req/s")
        table: dict[str, Any] = {}
        for v, samples in rows.items():
            figures: dict[str, Any] = {k: median([s[k] for s in samples]) for k in samples[0]}
            figures["rps_runs"] = [round(s["rps"]) for s in samples]
            for base_v in BASELINES:
                if not rows.get(base_v):
                    continue
                # Each run's ratio against the baseline of the same round, then their median;
                # and the same by client CPU per request, steadier when the machine is shared.
                pairs = list(zip(samples, rows[base_v], strict=False))
                suffix = "" if base_v == "a" else f"_{base_v}"
                figures[f"ratio{suffix}"] = median([s["rps"] / b["rps"] for s, b in pairs])
                figures[f"cpu_ratio{suffix}"] = median(
                    [b["cpu_us"] / s["cpu_us"] for s, b in pairs]
                )
            table[v] = figures
        out[str(conc)] = table
    return out


def report(results: dict[str, Any]) -> list[str]:
    """The throughput table and the ratio lines, as printed and written to the results."""
    lines = [
        "| variant | concurrency | req/s | ratio to a | ratio to i | CPU µs/req | p50 ms | p99 ms "
        "| max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    verdicts = []
    for conc, table in results.items():
        for v, f in table.items():
            ratio = f.get("ratio", float("nan"))
            lines.append(
                f"| {v}. {NAMES[v]} | {conc} | {f['rps']:,.0f} | {ratio:.3f} | "
                f"{f.get('ratio_i', float('nan')):.3f} | "
                f"{f['cpu_us']:.1f} | {f['p50'] * 1e3:.1f} | {f['p99'] * 1e3:.1f} | "
                f"{f['max'] * 1e3:.1f} |"
            )
            chosen = target(v, int(conc))
            if chosen is None:
                continue
            base_v, goal = chosen
            suffix = "" if base_v == "a" else f"_{base_v}"
            if f"ratio{suffix}" not in f:
                continue
            measured = f[f"ratio{suffix}"]
            verdict = "PASS" if measured >= goal else "MISS"
            beside = f"; {v}/a {ratio:.3f}" if base_v != "a" and "ratio" in f else ""
            verdicts.append(
                f"{v}/{base_v} at {conc} = {measured:.3f}  (target >= {goal:.2f})  {verdict}   "
                f"[by client CPU per request: {f[f'cpu_ratio{suffix}']:.3f}{beside}; req/s by "
                f"round: {f['rps_runs']} vs {base_v} {table[base_v]['rps_runs']}]"
            )
    return [*lines, "", *verdicts]


def main() -> None:
    parser = argparse.ArgumentParser(description="aioportone client throughput")
    parser.add_argument("--quick", action="store_true", help="smoke run: small counts, 1 run")
    args = parser.parse_args()
    quiet_logs()
    runs, count, concs = (1, 500, [64]) if args.quick else (5, 6_000, [64, 256, 1000])
    with server_process() as base:
        results = asyncio.run(
            matrix(
                base,
                variants=available(),
                concurrencies=concs,
                runs=runs,
                count=count,
                progress=lambda s: print(s, file=sys.stderr, flush=True),
            )
        )
    print("\n".join(report(results)))


if __name__ == "__main__":
    main()
