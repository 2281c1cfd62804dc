"""Run the chaos operations in waves, then check every invariant against the fake's records."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

import anyio

from aioportone import PortOneClient
from aioportone.testing import FakePortOne

from .check import CANARY_KEY, CANARY_SECRET, ChaosReport, check_ops, check_secrets, check_tokens
from .clock import SteppedClock, quiet
from .faults import TIMEOUT, pick_fault, script, wave_events
from .logs import Captured, captured_logs
from .ops import Op, make_op

__all__ = ["CANARY_KEY", "CANARY_SECRET", "ChaosReport", "run_chaos"]

# A wave may take this long in real time, and this long in simulated time, before its
# unfinished operations count as hung (an operation needs minutes of simulated time at most:
# three tries, each waiting at most 30 s for a token and 60 s for a Retry-After).
WAVE_REAL_LIMIT = 60.0
WAVE_SIMULATED_LIMIT = 3600.0

_PATHS = {
    "status": ("GET", r"/status$"),
    "refunds_get": ("GET", r"^/api/refund/"),
    "details": ("POST", r"/transaction-details$"),
    "link": ("POST", r"^/api/paymentLink$"),
    "refund": ("POST", r"^/api/refund/"),
    "capture": ("POST", r"/capture$"),
}


async def run_chaos(
    seed: int = 1,
    ops: int = 1000,
    *,
    source: str = "server",
    concurrency: int = 20,
    faults: bool = True,
) -> ChaosReport:
    """``ops`` operations in waves of ``concurrency``, faults drawn from ``seed`` (none at all
    with ``faults=False``: the calm run that proves the checks find nothing where nothing
    went wrong); the report says what the fake's records show. Call it from the top of an
    event loop (``asyncio.run``): every other task still alive at the end counts as leaked."""
    rng = random.Random(seed)
    report = ChaosReport(seed=seed, operations=ops, source=source)
    clock = SteppedClock()
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop_errors: list[str] = []
    loop.set_exception_handler(lambda _, context: loop_errors.append(str(context.get("message"))))
    done: list[Op] = []
    try:
        with captured_logs() as logs:
            async with FakePortOne({CANARY_KEY: CANARY_SECRET}, clock=clock) as fake:
                portone = PortOneClient(
                    CANARY_KEY,
                    CANARY_SECRET,
                    base_url=fake.url,
                    clock=clock,
                    token_source=source,  # type: ignore[arg-type]
                    # Calm: no slow answers to time out, and a loaded machine must not make any.
                    timeout=TIMEOUT if faults else 5.0,
                    rng=random.Random(seed),
                )
                async with portone:
                    while len(done) < ops:
                        if faults:
                            await _between_waves(rng, fake, clock, report)
                        wave = [
                            make_op(len(done) + i, seed, rng, fake, portone, hostile=faults)
                            for i in range(min(concurrency, ops - len(done)))
                        ]
                        for op in wave:
                            if faults:
                                _script(rng, fake, op)
                        await _run_wave(wave, fake, clock)
                        report.faults += _prune(fake)
                        done.extend(wave)
                    await quiet(fake)
                    report.reprs = [repr(portone), repr(portone.tokens)]
                report.faults += _prune(fake, everything=True)
                await _settle(fake)
                report.leaked_tasks = [
                    repr(t) for t in asyncio.all_tasks() if t is not asyncio.current_task()
                ]
                report.open_connections = fake.open_connections
                check_ops(done, fake, report)
                check_tokens(fake, report)
        check_secrets(done, _texts(logs), report)
    finally:
        loop.set_exception_handler(previous)
    report.loop_errors = loop_errors
    return report


def _texts(logs: Captured) -> Iterator[tuple[str, str]]:
    for event in logs.events:
        yield "structlog event", repr(event)
    for line in logs.lines:
        yield "stdlib log record", line


def _script(rng: random.Random, fake: FakePortOne, op: Op) -> None:
    where = _PATHS.get(op.kind)
    if where is None:
        return
    op.fault = pick_fault(rng)
    if op.fault is not None:
        op.rule = script(fake, op.fault, where[0], where[1], op.needle)


async def _between_waves(
    rng: random.Random, fake: FakePortOne, clock: SteppedClock, report: ChaosReport
) -> None:
    for event in wave_events(rng, fake):
        if event.startswith("step:"):
            report.faults += 1
            await _step(clock, fake, float(event.split(":")[1]))
        elif event == "revoke":
            used = [r for r in fake.requests if r.authorized]
            if used:
                report.faults += 1
                fake.revoke(used[-1].headers["Authorization"].removeprefix("Bearer "))
                # The fake mints the same bytes for the same claims: a second later, the token
                # it hands out next is a new one, as PortOne's would be.
                await _step(clock, fake, 1.0)


async def _step(clock: SteppedClock, fake: FakePortOne, seconds: float) -> None:
    """Move time forward by ``seconds``, letting everything woken on the way finish first."""
    target = clock.time() + seconds
    while True:
        await quiet(fake)
        deadline = clock.next_deadline()
        if deadline is None or deadline > target:
            clock.jump(target)
            await quiet(fake)
            return
        clock.jump(deadline)


async def _run_wave(wave: list[Op], fake: FakePortOne, clock: SteppedClock) -> None:
    started = clock.time()

    async def one(op: Op) -> None:
        try:
            op.value = await op.call()
        except Exception as exc:  # typed or not: the checks sort them out
            op.error = exc
        op.done = True

    with anyio.move_on_after(WAVE_REAL_LIMIT):
        async with anyio.create_task_group() as tg:
            for op in wave:
                tg.start_soon(one, op)
            while True:
                await quiet(fake)
                if all(op.done for op in wave):
                    break
                deadline = clock.next_deadline()
                if deadline is None or deadline - started > WAVE_SIMULATED_LIMIT:
                    tg.cancel_scope.cancel()  # nothing left that could finish them: hung
                    break
                clock.jump(deadline)
    await quiet(fake)  # answers still on their way (a slow one) land before the checks


def _prune(fake: FakePortOne, *, everything: bool = False) -> int:
    """Drop spent faults (keeping the list short); returns how many answers they changed."""
    now = fake.now()
    spent = [
        f
        for f in fake.faults
        if everything
        or (f.times is not None and f.hits >= f.times)
        or (f.until is not None and now >= f.until)
    ]
    gone = {id(f) for f in spent}
    fake.faults[:] = [f for f in fake.faults if id(f) not in gone]
    return sum(f.hits for f in spent)


async def _settle(fake: FakePortOne) -> None:
    """Give closed connections and finishing tasks a moment (real time) to go away."""
    me = asyncio.current_task()
    for _ in range(200):
        if fake.open_connections == 0 and all(t is me for t in asyncio.all_tasks()):
            return
        await asyncio.sleep(0.01)
