"""``make bench``: the whole benchmark suite, printed with its targets and written to results/.

1. Throughput (``throughput.py``): variants a-i at concurrency 64, 256 and 1,000; req/s, client
   CPU µs per request, p50/p99/max latency; ratios against (a) and (i) from the same round.
   The ratios with targets are measured again in fresh processes and pooled (``spread.py``).
2. Fairness: 1,000 workers, a 100-connection pool, 20 ms answers: max over p50 latency
   (raw aiohttp beside it: the pool's own unfairness).
3. Tokens expired at arrival: 1,000 workers, 200 ms answers, 15 s local tokens.
4. The refresh boundary: p99 near a refresh over the overall p99, local and server tokens.
5. A soak of 300,000 requests: RSS growth after warm-up, tasks, FDs, tokens minted a minute.
6. Start-up: ``import aioportone`` and a fresh process's first request.

The machine may be shared and noisy: runs are interleaved and figures are medians, targets are
reported (PASS/MISS), never asserted; the exit status is 0 whatever the figures.
``--quick`` is a smoke run (small counts, one run each) that writes nothing unless ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import spread
import throughput
from _server import server_process
from _variants import NAMES, available
from load import expired_at_arrival, fairness, refresh_boundary, soak, startup

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "cpu": model,
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cores": os.cpu_count(),
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "aiohttp": aiohttp.__version__,
        "loop": type(asyncio.get_event_loop_policy()).__name__,
        "loadavg_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def sections(results: dict[str, Any]) -> list[str]:
    """The report as markdown lines; every figure with a target carries PASS or MISS."""
    m = results["machine"]
    lines = [
        "# aioportone benchmark results",
        "",
        f"Machine: {m['cpu']}, nproc {m['nproc']}, Python {m['python']}, aiohttp {m['aiohttp']}, "
        f"load average at start {' / '.join(f'{x:.1f}' for x in m['loadavg_at_start'] or ())}. "
        f"Settings: {results['settings']}. The machine is shared: the req/s of one variant vary "
        "from round to round by up to 4x; compare the ratios within a round.",
        "",
        "## Throughput (medians; a ratio is the median of per-round ratios to a or i)",
        "",
        *throughput.report(results["throughput"], results.get("pooled")),
    ]
    fair = results["fairness"]
    lines += ["", "## Fairness", ""]
    lines.append(
        f"{fair['workers']} workers, {fair['pool']}-connection pool, {fair['delay_ms']:.0f} ms "
        f"answers, {fair['count']} requests a run:"
    )
    lines.append("")
    for v in ("a", "i", "b"):
        if v not in fair:
            continue
        f = fair[v]
        goal = f"  (target <= 3.0)  {_verdict(f['max_over_p50'] <= 3)}" if v == "b" else ""
        lines.append(
            f"- {v}. {NAMES[v]}: p50 {f['p50'] * 1e3:.1f} ms, max {f['max'] * 1e3:.1f} ms, "
            f"max/p50 = {f['max_over_p50']:.2f}{goal}; errors {f['errors']}"
        )
    exp = results["expired"]
    lines += ["", "## Tokens expired at arrival", ""]
    lines.append(
        f"{exp['workers']} workers, {exp['delay_ms']:.0f} ms answers, {exp['lifetime']:g} s "
        "local tokens; the server checks `exp` when a request arrives:"
    )
    lines.append("")
    for v in ("b", "d"):
        f = exp[v]
        goal = f"  (target 0)  {_verdict(f['expired'] == 0)}" if v == "b" else ""
        lines.append(
            f"- {v}. {NAMES[v]}: expired at arrival = {f['expired']} of {f['arrivals']}{goal}; "
            f"other refusals {f['refused_other']}, errors {f['errors']}, p50 "
            f"{f['p50']:.2f} s, p99 {f['p99']:.2f} s, max {f['max']:.2f} s"
        )
    rb = results["refresh_boundary"]
    lines += ["", "## Refresh boundary", ""]
    lines.append(
        f"Concurrency {rb['concurrency']}, {rb['seconds']:g} s, {rb['lifetime']} s tokens; "
        "requests in flight within ±1 s of a refresh:"
    )
    lines.append("")
    for source in ("local", "server"):
        f = rb[source]
        verdict = _verdict(f["ratio"] <= 1.2) if f["refreshes"] else "n/a (no refresh in the run)"
        lines.append(
            f"- {source} tokens: {f['refreshes']} refreshes, {f['near_requests']} of "
            f"{f['requests']} requests near one; refresh-boundary p99 / overall p99 = "
            f"{f['near_p99'] * 1e3:.2f} / {f['p99'] * 1e3:.2f} ms = {f['ratio']:.2f}  "
            f"(target <= 1.2)  {verdict}; expired at arrival {f['expired']}"
        )
    s = results["soak"]
    flat = s["tasks_max"] == s["tasks_min"] and s["fds_max"] - s["fds_min"] <= 2
    lines += ["", "## Soak", ""]
    lines.append(
        f"- {s['requests']:,} requests at concurrency {s['concurrency']} in {s['seconds']:.0f} s, "
        f"{s['lifetime']:g} s tokens: RSS {s['rss_after_warmup_mb']:.1f} MB after warm-up, "
        f"growth {s['rss_growth_mb']:+.2f} MB ({s['rss_growth_mb'] * 1024:+.0f} KB)  "
        f"(target < 5 MB)  {_verdict(s['rss_growth_mb'] < 5)}"
    )
    lines.append(
        f"- asyncio tasks {s['tasks_min']}-{s['tasks_max']}, open FDs {s['fds_min']}-"
        f"{s['fds_max']}  (target flat)  {_verdict(flat)}; tokens minted "
        f"{s['tokens_per_minute']:.1f} a minute"
    )
    st = results["startup"]
    lines += ["", "## Start-up", ""]
    lines.append(
        f"- `import aioportone`: {st['import_s'] * 1e3:.0f} ms wall in a fresh interpreter "
        f"(`-X importtime` cumulative {st['importtime_cumulative_s'] * 1e3:.0f} ms; interpreter "
        f"start and import {st['interpreter_with_import_s'] * 1e3:.0f} ms); of which "
        + ", ".join(f"{k} {v * 1e3:.0f} ms" for k, v in st["dependencies_s"].items())
    )
    lines.append(
        f"- entering a `PortOneClient` to its first answer: {st['first_request_s'] * 1e3:.1f} ms; "
        f"process start to first answer {st['process_to_first_answer_s'] * 1e3:.0f} ms "
        f"(medians of {st['runs']})"
    )
    lines += ["", f"Total time {results['seconds']:.0f} s."]
    return lines


async def run_all(base: str, args: argparse.Namespace) -> dict[str, Any]:
    quick = args.quick

    started = time.perf_counter()

    def progress(text: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {text}", file=sys.stderr, flush=True)

    results: dict[str, Any] = {}
    concurrencies = [64] if quick else [64, 256, 1000]
    results["throughput"] = await throughput.matrix(
        base,
        variants=available(),
        concurrencies=concurrencies,
        runs=args.runs,
        count=args.requests,
        progress=progress,
    )
    fresh = await spread.measure(
        base,
        concurrencies=concurrencies,
        runs=args.runs,
        count=args.requests,
        processes=args.processes,
        progress=progress,
    )
    results["pooled"] = spread.pooled(
        [results["throughput"], *fresh], throughput.targeted(concurrencies)
    )
    progress("fairness")
    results["fairness"] = await fairness(
        base, count=1000 if quick else 10_000, runs=1 if quick else 3, delay=0.02
    )
    progress("expired at arrival")
    results["expired"] = await expired_at_arrival(
        base, count=1000 if quick else 10_000, lifetime=15.0, delay=0.2
    )
    progress("refresh boundary")
    results["refresh_boundary"] = await refresh_boundary(
        base, seconds=2 if quick else 30, concurrency=64, lifetime=12
    )
    progress("soak")
    results["soak"] = await soak(base, count=args.soak, concurrency=64, lifetime=20.0)
    progress("start-up")
    results["startup"] = await asyncio.to_thread(startup, base, runs=2 if quick else 5)
    return results


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {number})")
    return number


def main() -> None:
    parser = argparse.ArgumentParser(description="aioportone benchmark suite (make bench)")
    parser.add_argument("--quick", action="store_true", help="smoke run: small counts, 1 run")
    parser.add_argument(
        "--runs", type=_positive, help=f"throughput rounds (default {throughput.RUNS})"
    )
    parser.add_argument(
        "--requests",
        type=_positive,
        help=f"requests per throughput round (default {throughput.REQUESTS:,})",
    )
    parser.add_argument(
        "--processes",
        type=int,
        help=f"fresh processes measuring the targeted ratios again (default {spread.PROCESSES})",
    )
    parser.add_argument("--soak", type=_positive, help="soak requests (default 300,000)")
    parser.add_argument("--out", type=Path, help="results directory (default benchmarks/results)")
    parser.add_argument("--render", type=Path, help="print the report of a results JSON; no run")
    args = parser.parse_args()
    if args.render is not None:
        print("\n".join(sections(json.loads(args.render.read_text(encoding="utf-8")))))
        return
    args.runs = args.runs or (1 if args.quick else throughput.RUNS)
    args.requests = args.requests or (400 if args.quick else throughput.REQUESTS)
    if args.processes is None:
        args.processes = 1 if args.quick else spread.PROCESSES
    args.soak = args.soak or (5_000 if args.quick else 300_000)
    out: Path | None = args.out or (None if args.quick else RESULTS)
    throughput.quiet_logs()
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine()}
    results["settings"] = {
        "quick": args.quick,
        "runs": args.runs,
        "requests": args.requests,
        "processes": args.processes,
        "soak": args.soak,
    }
    with server_process() as base:
        results |= asyncio.run(run_all(base, args))
    results["seconds"] = time.perf_counter() - started
    text = "\n".join(sections(results)) + "\n"
    print(text)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "results.md").write_text(text, encoding="utf-8")
        (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"written: {out / 'results.md'}, {out / 'results.json'}")


if __name__ == "__main__":
    main()
