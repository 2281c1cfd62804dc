"""Shared fixtures: short names for the library's own pytest fixtures (``portone_clock``,
``portone_fake``, ``portone_client``, from :mod:`aioportone.testing.pytest_plugin`), and a
structlog capture."""

from __future__ import annotations

import pytest
import structlog
from structlog.testing import LogCapture

from aioportone import PortOneClient
from aioportone.testing import FakeClock, FakePortOne


@pytest.fixture
def anyio_backend() -> str:
    """aiohttp runs on asyncio only."""
    return "asyncio"


@pytest.fixture
def clock(portone_clock: FakeClock) -> FakeClock:
    return portone_clock


@pytest.fixture
def fake(portone_fake: FakePortOne) -> FakePortOne:
    return portone_fake


@pytest.fixture
def client(portone_client: PortOneClient) -> PortOneClient:
    return portone_client


@pytest.fixture
def logs() -> LogCapture:
    """Every structlog event emitted during the test, as dicts."""
    capture = LogCapture()
    structlog.configure(processors=[capture])
    return capture


@pytest.fixture(autouse=True)
def _reset_structlog() -> None:
    structlog.reset_defaults()
