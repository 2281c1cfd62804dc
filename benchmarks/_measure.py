"""Driving N requests through W workers and reading what it cost: wall time, CPU, latencies."""

from __future__ import annotations

import asyncio
import math
import os
import random
import resource
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

Call = Callable[[int], Awaitable[object]]


@dataclass
class Run:
    """One timed batch: ``count`` requests, their wall and client CPU time, each latency."""

    count: int
    wall: float
    cpu: float
    latencies: list[float]
    starts: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.count / self.wall

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.count * 1e6

    def quantiles(self) -> tuple[float, float, float]:
        """p50, p99 and max latency in seconds."""
        ordered = sorted(self.latencies)
        return percentile(ordered, 50), percentile(ordered, 99), ordered[-1]


def percentile(ordered: list[float], q: float) -> float:
    """The ``q``-th percentile of already sorted values (nearest rank)."""
    if not ordered:
        return math.nan
    rank = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return ordered[rank]


async def drive(
    call: Call, count: int, concurrency: int, *, keep_starts: bool = False, tolerate: bool = False
) -> Run:
    """``concurrency`` workers in a tight loop until ``count`` requests are done.

    Each request's latency is its own (from the call to its answer), so a worker that waits
    behind others shows it. ``tolerate`` counts errors instead of raising them.
    """
    latencies = [0.0] * count
    starts = [0.0] * count if keep_starts else []
    next_i = 0
    errors = 0
    clock = time.perf_counter

    async def worker() -> None:
        nonlocal next_i, errors
        while next_i < count:
            i, next_i = next_i, next_i + 1
            t0 = clock()
            try:
                await call(i)
            except Exception:
                if not tolerate:
                    raise
                errors += 1
            latencies[i] = clock() - t0
            if keep_starts:
                starts[i] = t0

    cpu, wall = time.process_time(), clock()
    async with asyncio.TaskGroup() as tg:
        for _ in range(min(concurrency, count)):
            tg.create_task(worker())
    wall, cpu = clock() - wall, time.process_time() - cpu
    return Run(count, wall, cpu, latencies, starts, errors)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


U = TypeVar("U")


def bootstrap_90(
    units: Sequence[U], statistic: Callable[[list[U]], float], *, draws: int = 2000
) -> tuple[float, float]:
    """A 90% bootstrap interval of ``statistic`` over ``units`` resampled whole.

    A unit is whatever was measured together (a round's pair, a process's rounds). The seed is
    fixed so that one results file always renders the same interval.
    """
    rng = random.Random(0)  # resampling, not secrecy
    values = sorted(statistic(rng.choices(units, k=len(units))) for _ in range(draws))
    return values[int(0.05 * draws)], values[int(0.95 * draws) - 1]


def rss_bytes() -> int:
    """This process's resident set size, from /proc (the peak from ``resource`` elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: the peak is the best there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1
