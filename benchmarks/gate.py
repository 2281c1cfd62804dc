"""The admission gate alone: CPU per queued hand-off, against no gate and asyncio.Semaphore.

1,000 tasks share 100 slots; each takes a slot, yields once to the loop (standing in for the
request) and frees it, 50 times. Printed: CPU µs per operation, medians of 5, and the gate's
cost over no gate at all. No network, no server: the queue is the only thing measured.

Run: ``.venv/bin/python benchmarks/gate.py``.
"""

from __future__ import annotations

import asyncio
import time
from statistics import median

from aioportone._clock import SystemClock
from aioportone._gate import Gate

TASKS, SLOTS, ROUNDS = 1000, 100, 50


async def _run(kind: str) -> float:
    gate, clock, turns = Gate(SLOTS), SystemClock(), asyncio.Semaphore(SLOTS)

    async def worker() -> None:
        for _ in range(ROUNDS):
            if kind == "gate":
                if not gate.try_enter() and not await gate.enter(10, clock):
                    raise RuntimeError("no slot within 10 s")
                try:
                    await asyncio.sleep(0)
                finally:
                    gate.leave()
            elif kind == "semaphore":
                async with turns:
                    await asyncio.sleep(0)
            else:
                await asyncio.sleep(0)

    started = time.process_time()
    await asyncio.gather(*(worker() for _ in range(TASKS)))
    return (time.process_time() - started) / (TASKS * ROUNDS) * 1e6


def main() -> None:
    kinds = ("none", "gate", "semaphore")
    samples: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(5):  # interleaved: the machine's noise hits every kind alike
        for kind in kinds:
            samples[kind].append(asyncio.run(_run(kind)))
    cost = {k: median(v) for k, v in samples.items()}
    for kind in kinds:
        print(f"{kind:>9}: {cost[kind]:5.2f} µs CPU per operation")
    print(f"gate over none: {cost['gate'] - cost['none']:+.2f} µs per queued hand-off")


if __name__ == "__main__":
    main()
