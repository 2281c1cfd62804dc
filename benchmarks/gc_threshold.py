"""What Python's cyclic garbage collector costs a high-concurrency worker, and one setting.

Measured here with 6,000 requests: at 64 workers the collector ran 4 young-generation
collections; at 1,000 workers on 100 connections, where nine requests in ten wait in the queue
holding what they allocated, it ran about 200 of them, 15-20 middle and 1-2 full ones, and took
a quarter of the client's CPU. This runs ``PortOneClient.request`` (variant b) in alternating
rounds with the interpreter's default thresholds (``gc.set_threshold(700, 10, 10)``) and with
the first raised to 10,000, and prints each one's client CPU per request (medians over the
rounds) and collections per 1,000 requests. The threshold is the application's to set
(``gc.set_threshold`` is process-wide); the client never changes it.

Run: ``.venv/bin/python benchmarks/gc_threshold.py [--rounds N] [--concurrency N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
from statistics import median

from _measure import drive
from _server import server_process
from _variants import open_variant
from throughput import quiet_logs

DEFAULT, RAISED = (700, 10, 10), (10_000, 10, 10)


async def compare(
    base: str, rounds: int, concurrency: int, count: int
) -> dict[str, tuple[float, list[float]]]:
    """Per threshold: median client CPU µs per request, collections per 1,000 requests."""
    cpu: dict[str, list[float]] = {"default": [], "raised": []}
    runs: dict[str, list[int]] = {"default": [0, 0, 0], "raised": [0, 0, 0]}
    before = gc.get_threshold()
    async with open_variant("b", base) as call:
        await drive(call, 2 * concurrency, concurrency)
        try:
            for k in range(rounds):
                for name in ("default", "raised") if k % 2 == 0 else ("raised", "default"):
                    gc.collect()  # each round starts from the same heap
                    gc.set_threshold(*(DEFAULT if name == "default" else RAISED))
                    start = [g["collections"] for g in gc.get_stats()]
                    cpu[name].append((await drive(call, count, concurrency)).cpu_us)
                    for gen, g in enumerate(gc.get_stats()):
                        runs[name][gen] += g["collections"] - start[gen]
        finally:
            gc.set_threshold(*before)
    per = 1000 / (rounds * count)
    return {name: (median(cpu[name]), [n * per for n in runs[name]]) for name in cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description="the cyclic GC's cost at high concurrency")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=6000)
    args = parser.parse_args()
    quiet_logs()
    with server_process() as base:
        figures = asyncio.run(compare(base, args.rounds, args.concurrency, args.requests))
    print(f"{args.concurrency} workers, medians of {args.rounds} rounds of {args.requests}:")
    for name, threshold in (("default", DEFAULT), ("raised", RAISED)):
        cpu, collections = figures[name]
        print(
            f"  gc threshold {threshold[0]:>6,}: client CPU {cpu:6.1f} µs/request; collections "
            f"per 1,000 requests (young, middle, full): "
            + ", ".join(f"{n:.1f}" for n in collections)
        )
    print(f"  raised / default CPU: {figures['raised'][0] / figures['default'][0]:.2f}")


if __name__ == "__main__":
    main()
