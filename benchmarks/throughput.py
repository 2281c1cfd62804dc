"""Client throughput: every variant at several concurrencies against the loopback stand-in.

Rounds are interleaved (a, b, c, ..., a, b, c, ...) within each concurrency so the shared
machine's noise hits every variant alike. At each concurrency every variant opens its session
or client once and warms its connections up before the first round; a round is one short timed
batch per variant, each one started right after a full garbage collection. Figures are medians
over the rounds, and each ratio is the median of the rounds' ratios against the baseline
measured in the same round, with a 90% bootstrap interval: raw aiohttp (a), and the same made
first come, first served with a semaphore (i), which the targets use once requests outnumber
the pool. "client CPU" is this process's CPU time per request (the server runs in another
process). Targets are printed, never asserted.

Run alone: ``.venv/bin/python benchmarks/throughput.py [--quick]``; ``make bench`` runs it as
part of ``benchmarks/suite.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import math
import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import structlog
from _measure import Run, bootstrap_90, drive, median
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
# request): it gets fewer requests per round, and only the first SLOW_RUNS rounds, so that the
# suite stays within its time.
SLOW = "gh"
SLOW_RUNS = 3
# The full run's rounds and requests per round (``suite.py`` takes the same defaults): many
# short rounds, each paired ratio taken over seconds, rather than a few long ones.
RUNS = 10
REQUESTS = 4_000


def run_size(variant: str, count: int, concurrency: int) -> tuple[int, int]:
    """(warm-up, timed) request counts of one variant: the warm-up once, the timed per round."""
    if variant in SLOW:
        return 100, max(count // 10, concurrency)
    return max(2 * concurrency, 500), count


def figures_of(run: Run) -> dict[str, float]:
    p50, p99, worst = run.quantiles()
    return {"rps": run.rate, "cpu_us": run.cpu_us, "p50": p50, "p99": p99, "max": worst}


def interval(pairs: list[tuple[float, float]], *, draws: int = 2000) -> tuple[float, float]:
    """A 90% bootstrap interval of the median of ``candidate / baseline`` over paired rounds.

    Rounds are resampled whole (a round's two figures were taken seconds apart, under the same
    load), with a fixed seed so that one results file always renders the same interval.
    """
    ratios = [c / b for c, b in pairs]
    if len(ratios) < 2:
        return (ratios[0], ratios[0]) if ratios else (math.nan, math.nan)
    return bootstrap_90(ratios, median, draws=draws)


def summarise(rows: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    """Medians per variant and, against each baseline in the run, the paired ratios."""
    table: dict[str, Any] = {}
    for v, samples in rows.items():
        if not samples:
            continue
        figures: dict[str, Any] = {k: median([s[k] for s in samples]) for k in samples[0]}
        figures["rps_runs"] = [round(s["rps"]) for s in samples]
        for base_v in BASELINES:
            if not rows.get(base_v):
                continue
            # Each round's ratio against the baseline of the same round, then their median;
            # and the same by client CPU per request, steadier when the machine is shared.
            pairs = list(zip(samples, rows[base_v], strict=False))
            suffix = "" if base_v == "a" else f"_{base_v}"
            rps = [(s["rps"], b["rps"]) for s, b in pairs]
            figures[f"ratio{suffix}"] = median([c / b for c, b in rps])
            figures[f"ratio{suffix}_90"] = list(interval(rps))
            figures[f"cpu_ratio{suffix}"] = median([b["cpu_us"] / s["cpu_us"] for s, b in pairs])
        table[v] = figures
    return table


async def matrix(
    base: str,
    *,
    variants: list[str],
    concurrencies: list[int],
    runs: int,
    count: int,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """Every variant at every concurrency, ``runs`` interleaved rounds; medians and ratios.

    At each concurrency every variant opens its session or client once and warms it up once;
    the rounds then reuse them. A round is short and holds one timed batch per variant, so many
    rounds fit in the suite's time and each ratio is the median of many pairs measured seconds
    apart (the shared machine's speed drifts by more than the differences measured here).
    """
    out: dict[str, Any] = {}
    for conc in concurrencies:
        rows: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
        async with AsyncExitStack() as stack:
            calls = {v: await stack.enter_async_context(open_variant(v, base)) for v in variants}
            for v, call in calls.items():  # open the connections, fill caches
                await drive(call, run_size(v, count, conc)[0], conc)
            for run in range(runs):
                # Each round in another order: no variant always runs first (or after the slow
                # ones). The variants with targets run back to back with their baselines.
                order = [*_rotated([v for v in variants if v in PAIRED], run)]
                order += _rotated([v for v in variants if v not in PAIRED], run)
                for v in order:
                    if v in SLOW and run >= SLOW_RUNS:
                        continue
                    timed = run_size(v, count, conc)[1]
                    # Each batch starts from a collected heap. Full collections come when enough
                    # objects have survived since the last one (28-50 ms each here, at 256
                    # workers about one per 2,000 requests): without this, the debt one
                    # variant's batch ran up falls on whichever batch runs next.
                    gc.collect()
                    rows[v].append(figures_of(await drive(calls[v], timed, conc)))
                    progress(f"c={conc} run {run + 1}/{runs} {v}: {rows[v][-1]['rps']:,.0f} req/s")
        out[str(conc)] = summarise(rows)
    return out


def targeted(concurrencies: list[int]) -> dict[str, list[tuple[str, str]]]:
    """Per concurrency, the ``(variant, baseline)`` pairs that have a target there."""
    out: dict[str, list[tuple[str, str]]] = {}
    for conc in concurrencies:
        for v in PAIRED:
            chosen = target(v, conc)
            if chosen is not None:
                out.setdefault(str(conc), []).append((v, chosen[0]))
    return out


def verdicts_pooled(pooled: dict[str, Any]) -> list[str]:
    """One line per target from the ratios pooled over processes (``spread.pooled``)."""
    lines = []
    for conc, pairs in pooled.items():
        for pair, f in pairs.items():
            variant = pair.split("/")[0]
            goal = target(variant, int(conc))
            assert goal is not None
            low, high = f["ratio_90"]
            each = ", ".join(f"{r:.3f}" for r in f["per_process"])
            lines.append(
                f"{pair} at {conc} = {f['ratio']:.3f}  (target >= {goal[1]:.2f})  "
                f"{'PASS' if f['ratio'] >= goal[1] else 'MISS'}   [90% interval {low:.3f}-"
                f"{high:.3f} over {len(f['per_process'])} processes, {f['rounds']} rounds; "
                f"by process: {each}]"
            )
    return lines


def report(results: dict[str, Any], pooled: dict[str, Any] | None = None) -> list[str]:
    """The throughput table and the ratio lines, as printed and written to the results.

    With ``pooled`` (the targeted ratios over several processes) the verdicts are its; this
    run's own ratio lines are printed too, as "this process".
    """
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
            if pooled is not None:
                verdict = "(this process)"
            beside = f"; {v}/a {ratio:.3f}" if base_v != "a" and "ratio" in f else ""
            low, high = f.get(f"ratio{suffix}_90", (math.nan, math.nan))
            verdicts.append(
                f"{v}/{base_v} at {conc} = {measured:.3f}  (target >= {goal:.2f})  {verdict}   "
                f"[90% interval {low:.3f}-{high:.3f} over {len(f['rps_runs'])} rounds; by client "
                f"CPU per request: {f[f'cpu_ratio{suffix}']:.3f}{beside}; req/s by round: "
                f"{f['rps_runs']} vs {base_v} {table[base_v]['rps_runs']}]"
            )
    if pooled is not None:
        verdicts = [*verdicts_pooled(pooled), "", *verdicts]
    return [*lines, "", *verdicts]


async def _paired(base: str, concurrencies: list[int], runs: int, count: int) -> None:
    """``--paired``: the variants with targets and their baselines, as JSON on stdout."""
    results = await matrix(
        base,
        variants=[v for v in available() if v in PAIRED],
        concurrencies=concurrencies,
        runs=runs,
        count=count,
        progress=lambda s: None,
    )
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description="aioportone client throughput")
    parser.add_argument("--quick", action="store_true", help="smoke run: small counts, 1 run")
    parser.add_argument("--paired", metavar="BASE_URL", help="the paired variants against a server")
    parser.add_argument("--concurrencies", default="64,256,1000")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args()
    quiet_logs()
    if args.paired:
        concurrencies = [int(c) for c in args.concurrencies.split(",")]
        asyncio.run(_paired(args.paired, concurrencies, args.runs, args.requests))
        return
    runs, count, concs = (1, 500, [64]) if args.quick else (RUNS, REQUESTS, [64, 256, 1000])
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
