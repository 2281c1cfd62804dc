"""Client throughput against a loopback PortOne stand-in running in another process.

Variants, each doing one ``GET /api/transaction/{ref}/status`` and decoding its JSON:

  a  raw aiohttp, static headers set once on the session (the baseline: a client costs no less)
  b  ``PortOneClient.request`` with the local token source and default settings
  c  raw aiohttp minting a JWT per request the naive way: ``OctKey.import_key(secret)`` and a
     fresh ``iat``/``exp`` from ``time.time()`` every request, signed by ``aioportone._jwt.mint``
     (the same joserfc HS256 call the library uses), so only the per-request minting differs

The server only checks that both headers are there (no JWT verification: the point is client
cost). Runs are interleaved (a, b, c, a, b, c, ...) so machine noise hits every variant alike;
each run opens its own session or client and warms its connections up before the clock starts.
"client CPU" is this process's CPU time per request: near the wall time per request means the
client, not the server, sets the pace. Targets are reported, never asserted: exit status is 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, suppress
from multiprocessing.connection import Connection

import aiohttp
import structlog
from aiohttp import web
from joserfc.jwk import OctKey

from aioportone import PortOneClient
from aioportone._jwt import mint

CLIENT_KEY = "bench-portone-key"
SECRET_KEY = "bench-secret-0123456789abcdef0123456789"  # 39 bytes: no joserfc short-key warning
BODY = json.dumps(
    {
        "content": {"status": "Success", "amount": 2500, "currency": "THB"},
        "message": "Transaction status fetched",
        "status_code": "2000",
        "status_reason": "SUCCESS",
    }
).encode()
TARGETS = {("b", "a"): 0.95, ("b", "c"): 1.25}

Call = Callable[[int], Awaitable[object]]


# -- the server (child process) -------------------------------------------------------------------


async def _status(request: web.Request) -> web.Response:
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer ") or "X-Portone-Client-Key" not in request.headers:
        return web.Response(status=401, body=b'{"status_code":"4054"}')
    return web.Response(body=BODY, content_type="application/json")


async def _serve_forever(conn: Connection) -> None:
    app = web.Application()
    app.router.add_get("/api/transaction/{ref}/status", _status)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, backlog=1024).start()
    conn.send(runner.addresses[0][1])
    with suppress(EOFError):  # until told to stop, or the parent is gone
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    await runner.cleanup()


def serve(conn: Connection) -> None:
    asyncio.run(_serve_forever(conn))


# -- the client -----------------------------------------------------------------------------------


async def _drive(call: Call, count: int, concurrency: int) -> None:
    next_i = 0

    async def worker() -> None:
        nonlocal next_i
        while next_i < count:
            i, next_i = next_i, next_i + 1
            await call(i)

    async with asyncio.TaskGroup() as tg:
        for _ in range(concurrency):
            tg.create_task(worker())


async def _read(session: aiohttp.ClientSession, url: str, headers: dict[str, str] | None) -> object:
    async with session.get(url, headers=headers) as resp:
        body = await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {body!r}")
        return json.loads(body)


async def measure(
    variant: str, base: str, count: int, warmup: int, conc: int
) -> tuple[float, float]:
    """Run ``count`` requests of ``variant``; return (requests per second, client CPU µs each)."""
    static = {"X-Portone-Client-Key": CLIENT_KEY}
    async with AsyncExitStack() as stack:
        call: Call
        if variant == "b":
            portone = await stack.enter_async_context(
                PortOneClient(CLIENT_KEY, SECRET_KEY, base_url=base)
            )

            async def call(i: int) -> object:
                return await portone.request("GET", f"/api/transaction/BENCH-{i}/status")

        elif variant == "a":
            now = int(time.time())
            key = OctKey.import_key(SECRET_KEY)
            jwt = mint(key=key, portone_key=CLIENT_KEY, issued_at=now, expires_at=now + 3600)
            headers = static | {"Authorization": f"Bearer {jwt}"}
            session = await stack.enter_async_context(aiohttp.ClientSession(headers=headers))

            async def call(i: int) -> object:
                return await _read(session, f"{base}/api/transaction/BENCH-{i}/status", None)

        else:
            naive = await stack.enter_async_context(aiohttp.ClientSession())

            async def call(i: int) -> object:
                key = OctKey.import_key(SECRET_KEY)  # naive: the secret is imported every time
                iat = int(time.time())
                jwt = mint(key=key, portone_key=CLIENT_KEY, issued_at=iat, expires_at=iat + 100)
                headers = static | {"Authorization": f"Bearer {jwt}"}
                return await _read(naive, f"{base}/api/transaction/BENCH-{i}/status", headers)

        await _drive(call, warmup, conc)  # open the connections, fill caches
        cpu, wall = time.process_time(), time.perf_counter()
        await _drive(call, count, conc)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return count / wall, cpu / count * 1e6


# -- reporting ------------------------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next(ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{model}; {os.cpu_count()} cores ({usable} usable); Python {platform.python_version()} "
        f"({platform.python_implementation()}); aiohttp {aiohttp.__version__}; "
        f"loop {type(asyncio.get_event_loop_policy()).__name__}"
    )


def report(results: dict[str, list[tuple[float, float]]], args: argparse.Namespace) -> None:
    names = {"a": "a  raw aiohttp, static headers", "b": "b  PortOneClient.request",
             "c": "c  raw aiohttp, JWT minted per request"}  # fmt: skip
    print(f"\nmachine: {machine()}")
    print(f"requests/run {args.requests}, runs {args.runs}, concurrency {args.concurrency}\n")
    print(f"{'variant':<42}{'req/s (median)':>15}{'min-max':>18}{'client CPU µs/req':>19}")
    median = {v: statistics.median(r for r, _ in rows) for v, rows in results.items()}
    cpu = {v: statistics.median(c for _, c in rows) for v, rows in results.items()}
    for v, rows in results.items():
        span = f"{min(r for r, _ in rows):,.0f}-{max(r for r, _ in rows):,.0f}"
        print(f"{names[v]:<42}{median[v]:>15,.0f}{span:>18}{cpu[v]:>19.1f}")
    print()
    for (x, y), target in TARGETS.items():
        ratio = median[x] / median[y]
        paired = statistics.median(
            rx[0] / ry[0] for rx, ry in zip(results[x], results[y], strict=True)
        )
        verdict = "PASS" if ratio >= target else "MISS"
        print(f"{x}/{y} = {ratio:.3f}  (target >= {target:.2f})  {verdict}   [per-run ratios: "
              f"median {paired:.3f}; by client CPU: {cpu[y] / cpu[x]:.3f}]")  # fmt: skip


async def bench(args: argparse.Namespace, base: str) -> dict[str, list[tuple[float, float]]]:
    warmup = max(args.concurrency * 4, args.requests // 20)
    for v in "abc":  # whole-process warm-up: imports, code paths, the server's caches
        await measure(v, base, warmup, args.concurrency, args.concurrency)
    results: dict[str, list[tuple[float, float]]] = {"a": [], "b": [], "c": []}
    for run in range(args.runs):
        for v in "abc":
            results[v].append(await measure(v, base, args.requests, warmup, args.concurrency))
            rate = results[v][-1][0]
            print(f"run {run + 1}/{args.runs} {v}: {rate:,.0f} req/s", file=sys.stderr, flush=True)
    return results


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {number})")
    return number


def main() -> None:
    parser = argparse.ArgumentParser(description="aioportone client throughput (make bench)")
    parser.add_argument("--requests", type=_positive, default=20_000)
    parser.add_argument("--runs", type=_positive, default=5)
    parser.add_argument("--concurrency", type=_positive, default=64)
    parser.add_argument("--quick", action="store_true", help="smoke run: 2000 requests, 1 run")
    args = parser.parse_args()
    # structlog's default prints every debug event (token refreshes) to stdout; an app filters.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    if args.quick:
        args.requests, args.runs = 2000, 1
    started = time.perf_counter()
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(theirs,))
    server.start()
    try:
        if not ours.poll(30):
            raise SystemExit("the benchmark server did not start within 30 s")
        port = ours.recv()
        results = asyncio.run(bench(args, f"http://127.0.0.1:{port}"))
    finally:
        with suppress(OSError):  # the server may already be gone
            ours.send("stop")
        server.join(5)
        if server.is_alive():
            server.terminate()
    report(results, args)
    print(f"\ntotal time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
