"""Shared fixtures: a fake clock, a fake PortOne on loopback, and a client wired to both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import structlog
from structlog.testing import LogCapture

from aioportone import PortOneClient
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne
from tests._canary import assert_no_secret, pytest_runtest_makereport

# The canary check on every test's captured output (see tests/_canary.py).
__all__ = ["pytest_runtest_makereport"]


@pytest.fixture
def anyio_backend() -> str:
    """aiohttp runs on asyncio only."""
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakePortOne]:
    async with FakePortOne(clock=clock) as server:
        yield server


@pytest.fixture
async def client(fake: FakePortOne, clock: FakeClock) -> AsyncIterator[PortOneClient]:
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock
    ) as portone:
        yield portone


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    """Every structlog event emitted during the test, as dicts; none may show a secret."""
    capture = LogCapture()
    structlog.configure(processors=[capture])
    yield capture
    assert_no_secret(map(repr, capture.entries), "a structlog event")


@pytest.fixture(autouse=True)
def _reset_structlog() -> None:
    structlog.reset_defaults()
