"""Where a request's client time goes: cProfile over variants a, b and c against the stand-in.

Prints, per variant, the Python function calls per request (what cProfile counts) and the top
functions by own time per request; for b and c, the calls per request over raw aiohttp (a).
For a sampling view of the same loop without cProfile's overhead: ``py-spy record -o
profile.svg -- .venv/bin/python benchmarks/profile_hot_path.py --plain --variant b``.

Run: ``.venv/bin/python benchmarks/profile_hot_path.py [--requests N] [--variant b]``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats

from _measure import drive
from _server import server_process
from _variants import NAMES, open_variant
from throughput import quiet_logs


async def profile(
    base: str, variant: str, count: int, top: int, plain: bool = False, concurrency: int = 64
) -> int:
    """Profile ``count`` requests of ``variant``; print its top costs; return calls/request."""
    async with open_variant(variant, base) as call:
        await drive(call, max(1000, 2 * concurrency), concurrency)
        if plain:  # for a sampling profiler outside: no cProfile overhead
            await drive(call, count, concurrency)
            return 0
        profiler = cProfile.Profile()
        profiler.enable()
        await drive(call, count, concurrency)
        profiler.disable()
    stats = pstats.Stats(profiler)
    calls: int = round(stats.total_calls / count)  # type: ignore[attr-defined]
    print(f"\n{variant}. {NAMES[variant]}: {calls} Python calls per request")
    rows = sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda item: item[1][2],
        reverse=True,
    )
    ours = [row for row in rows if "/aioportone/" in row[0][0]]
    own = sum(row[1][2] for row in ours) / count * 1e6
    for title, chosen in (("all", rows[:top]), (f"aioportone's own ({own:.1f} µs)", ours[:top])):
        print(f" top by own time, {title}:")
        for (path, line, name), (_cc, ncalls, tottime, cumtime, _callers) in chosen:
            where = f"{path.rsplit('/', 1)[-1]}:{line}({name})"
            print(
                f"  {tottime / count * 1e6:6.2f} µs own  {cumtime / count * 1e6:7.2f} µs cum  "
                f"{ncalls / count:5.2f} calls/req  {where}"
            )
    return calls


async def main_async(
    base: str, variants: list[str], count: int, top: int, plain: bool, concurrency: int
) -> None:
    calls = {v: await profile(base, v, count, top, plain, concurrency) for v in variants}
    if plain:
        return
    if "a" in calls:
        for v in variants:
            if v != "a":
                print(f"{v} - a: {calls[v] - calls['a']:+d} Python calls per request")


def main() -> None:
    parser = argparse.ArgumentParser(description="profile the request hot path")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--variant", action="append", choices=sorted(NAMES))
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--plain", action="store_true", help="no cProfile (run under py-spy)")
    args = parser.parse_args()
    quiet_logs()
    with server_process() as base:
        variants = args.variant or ["a", "b", "c"]
        asyncio.run(
            main_async(base, variants, args.requests, args.top, args.plain, args.concurrency)
        )


if __name__ == "__main__":
    main()
