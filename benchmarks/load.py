"""Behaviour under load: fairness, tokens at arrival, refresh boundaries, a soak, start-up.

Each scenario returns plain figures (a dict) that ``suite.py`` prints beside its target and
writes to the results. The server is the loopback stand-in of ``_server.py``; its answer delay
and its auth-token lifetime are set per scenario through its control route.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import subprocess
import sys
import time
from array import array
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from _measure import drive, median, open_fds, percentile, rss_bytes
from _variants import client, open_variant

from aioportone import TokenEvent

HERE = Path(__file__).resolve().parent


@asynccontextmanager
async def stand(base: str, **settings: float) -> AsyncIterator[aiohttp.ClientSession]:
    """The server configured with ``settings`` (restored after); its counters reset."""
    async with aiohttp.ClientSession() as control:
        await _post(control, base, settings)
        await stats(control, base)
        try:
            yield control
        finally:
            await _post(control, base, {"delay": 0.0, "token_lifetime": 15})


async def _post(control: aiohttp.ClientSession, base: str, settings: dict[str, float]) -> None:
    async with control.post(f"{base}/_config", json=settings) as resp:
        resp.raise_for_status()


async def stats(control: aiohttp.ClientSession, base: str) -> dict[str, int]:
    """What the server saw since the last call: ``ok``, ``expired``, ``auth_token``..."""
    async with control.get(f"{base}/_stats") as resp:
        counts: dict[str, int] = await resp.json()
        return counts


class Refreshes:
    """An ``on_event`` hook noting when each token was installed (``perf_counter`` time)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def __call__(self, event: TokenEvent) -> None:
        if event.name == "refreshed":
            self.times.append(time.perf_counter())


# -- fairness ------------------------------------------------------------------------------------


async def fairness(base: str, *, count: int, runs: int, delay: float) -> dict[str, Any]:
    """1,000 workers through a 100-connection pool, ``delay`` s answers: max / p50 latency."""
    rows: dict[str, list[tuple[float, float, float]]] = {"a": [], "i": [], "b": []}
    async with stand(base, delay=delay):
        for _ in range(runs):
            for v in rows:
                async with open_variant(v, base) as call:
                    run = await drive(call, count, 1000, tolerate=True)
                p50, _, worst = run.quantiles()
                rows[v].append((p50, worst, run.errors))
    out: dict[str, Any] = {"workers": 1000, "pool": 100, "delay_ms": delay * 1e3, "count": count}
    for v, samples in rows.items():
        out[v] = {
            "p50": median([s[0] for s in samples]),
            "max": median([s[1] for s in samples]),
            "max_over_p50": median([s[1] / s[0] for s in samples]),
            "errors": sum(int(s[2]) for s in samples),
        }
    return out


# -- tokens expired at arrival -------------------------------------------------------------------


async def expired_at_arrival(
    base: str, *, count: int, lifetime: float, delay: float
) -> dict[str, Any]:
    """1,000 workers, ``delay`` s answers, short local tokens: JWTs the server saw expired."""
    out: dict[str, Any] = {"workers": 1000, "delay_ms": delay * 1e3, "lifetime": lifetime}
    async with stand(base, delay=delay) as control:
        for v in "bd":
            async with open_variant(v, base, lifetime=lifetime) as call:
                run = await drive(call, count, 1000, tolerate=True)
            seen = await stats(control, base)
            p50, p99, worst = run.quantiles()
            out[v] = {
                "requests": count,
                "arrivals": sum(seen.values()),
                "expired": seen.get("expired", 0),
                "refused_other": sum(n for k, n in seen.items() if k not in ("ok", "expired")),
                "errors": run.errors,
                "p50": p50,
                "p99": p99,
                "max": worst,
                "seconds": run.wall,
            }
    return out


# -- the refresh boundary ------------------------------------------------------------------------


async def refresh_boundary(
    base: str, *, seconds: float, concurrency: int, lifetime: int
) -> dict[str, Any]:
    """p99 of the requests in flight within ±1 s of a refresh, over the overall p99."""
    out: dict[str, Any] = {"concurrency": concurrency, "seconds": seconds, "lifetime": lifetime}
    async with stand(base, token_lifetime=lifetime) as control:
        for source in ("local", "server"):
            out[source] = await _near_refreshes(base, source, seconds, concurrency, lifetime)
            out[source]["expired"] = (await stats(control, base)).get("expired", 0)
    return out


async def _near_refreshes(
    base: str, source: str, seconds: float, concurrency: int, lifetime: int
) -> dict[str, Any]:
    hook = Refreshes()
    # Plain float arrays, not a list of tuples: 350,000 tuples made the collector's full passes
    # 20-30 ms stalls of the harness's own, which fell near a refresh or not by chance.
    starts, ends = array("d"), array("d")
    path = "/api/transaction/BENCH-1/status"
    async with client(base, token_source=source, lifetime=float(lifetime), on_event=hook) as p:
        await drive(lambda i: p.request("GET", path), 500, concurrency)
        start = time.perf_counter()
        stop = start + seconds

        async def worker() -> None:
            clock = time.perf_counter
            while (t0 := clock()) < stop:
                await p.request("GET", path)
                starts.append(t0)
                ends.append(clock())

        async with asyncio.TaskGroup() as tg:
            for _ in range(concurrency):
                tg.create_task(worker())
    marks = [t for t in hook.times if start < t < stop]
    spans = zip(starts, ends, strict=True)
    overall = sorted(end - t0 for t0, end in zip(starts, ends, strict=True))
    near = sorted(end - t0 for t0, end in spans if any(t0 <= m + 1 and end >= m - 1 for m in marks))
    p99, near_p99 = percentile(overall, 99), percentile(near, 99)
    return {
        "refreshes": len(marks),
        "requests": len(starts),
        "near_requests": len(near),
        "p99": p99,
        "near_p99": near_p99,
        "ratio": near_p99 / p99 if marks else float("nan"),
    }


# -- the soak ------------------------------------------------------------------------------------


async def soak(base: str, *, count: int, concurrency: int, lifetime: float) -> dict[str, Any]:
    """``count`` requests through one client: memory, tasks, FDs and token mints over time."""
    hook = Refreshes()
    warmup = count // 10
    samples: list[dict[str, float]] = []
    done = 0
    warmed = asyncio.Event()
    async with client(base, lifetime=lifetime, on_event=hook) as portone:
        path = "/api/transaction/BENCH-1/status"
        next_i = 0

        async def worker() -> None:
            nonlocal next_i, done
            while next_i < count:
                next_i += 1
                await portone.request("GET", path)
                done += 1
                if done == warmup:
                    warmed.set()

        async def sample() -> None:
            while True:
                await asyncio.sleep(1.0)
                samples.append(
                    {
                        "t": time.perf_counter(),
                        "done": done,
                        "rss": rss_bytes(),
                        "tasks": len(asyncio.all_tasks()),
                        "fds": open_fds(),
                        # Workers leave one by one once the last request is handed out;
                        # samples of that tail would read as a falling task count.
                        "steady": next_i < count,
                    }
                )

        started = time.perf_counter()
        async with asyncio.TaskGroup() as tg:
            workers = [tg.create_task(worker()) for _ in range(concurrency)]
            sampler = tg.create_task(sample())
            await warmed.wait()
            gc.collect()
            base_rss, base_t, base_minted = rss_bytes(), time.perf_counter(), len(hook.times)
            await asyncio.gather(*workers)
            sampler.cancel()
        gc.collect()
        end_rss, end_t = rss_bytes(), time.perf_counter()
        after = [s for s in samples if s["t"] >= base_t and s["steady"]] or samples
    minutes = (end_t - base_t) / 60
    return {
        "requests": count,
        "concurrency": concurrency,
        "lifetime": lifetime,
        "seconds": end_t - started,
        "rss_after_warmup_mb": base_rss / 2**20,
        "rss_growth_mb": (end_rss - base_rss) / 2**20,
        "tasks_min": min(s["tasks"] for s in after) if after else -1,
        "tasks_max": max(s["tasks"] for s in after) if after else -1,
        "fds_min": min(s["fds"] for s in after) if after else -1,
        "fds_max": max(s["fds"] for s in after) if after else -1,
        "tokens_per_minute": (len(hook.times) - base_minted) / minutes if minutes else 0.0,
    }


# -- start-up and import -------------------------------------------------------------------------

_FIRST_REQUEST = """
import asyncio, json, sys, time
t0 = time.perf_counter()
import aioportone
t1 = time.perf_counter()
async def main():
    t2 = time.perf_counter()
    async with aioportone.PortOneClient(sys.argv[1], sys.argv[2], base_url=sys.argv[3]) as p:
        await p.request("GET", "/api/transaction/BENCH-1/status")
        t3 = time.perf_counter()
    return t2, t3
t2, t3 = asyncio.run(main())
print(json.dumps({"import": t1 - t0, "first_request": t3 - t2, "total": t3 - t0}))
"""


def startup(base: str, *, runs: int) -> dict[str, Any]:
    """Fresh interpreters: ``import aioportone``, and entering a client to its first answer."""
    from _server import CLIENT_KEY, SECRET_KEY

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    firsts: list[dict[str, float]] = []
    cumulative: list[float] = []
    deps: dict[str, list[float]] = {k: [] for k in ("aiohttp", "joserfc", "anyio", "structlog")}
    walls: list[float] = []
    for _ in range(runs):
        cmd = [sys.executable, "-c", _FIRST_REQUEST, CLIENT_KEY, SECRET_KEY, base]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)  # noqa: S603
        # The last line: structlog's default output may precede it (token events, unfiltered).
        firsts.append(json.loads(done.stdout.strip().splitlines()[-1]))
        t0 = time.perf_counter()
        timed = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import aioportone"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        walls.append(time.perf_counter() - t0)
        match = re.search(r"\|\s*(\d+)\s*\|\s*aioportone\s*$", timed.stderr, re.MULTILINE)
        if match:
            cumulative.append(int(match.group(1)) / 1e6)
        for name, seen in deps.items():
            found = re.search(rf"\|\s*(\d+)\s*\|\s*{name}\s*$", timed.stderr, re.MULTILINE)
            if found:
                seen.append(int(found.group(1)) / 1e6)
    return {
        "runs": runs,
        "import_s": median([f["import"] for f in firsts]),
        "importtime_cumulative_s": median(cumulative),
        "interpreter_with_import_s": median(walls),
        "dependencies_s": {name: median(seen) for name, seen in deps.items()},
        "first_request_s": median([f["first_request"] for f in firsts]),
        "process_to_first_answer_s": median([f["total"] for f in firsts]),
    }
