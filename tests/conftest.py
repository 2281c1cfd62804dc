"""Shared fixtures: short names for the library's own pytest fixtures (``portone_clock``,
``portone_fake``, ``portone_client``, from :mod:`aioportone.testing.pytest_plugin`), and a
structlog capture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog
from structlog.testing import LogCapture

from aioportone import PortOneClient
from aioportone.testing import FakeClock, FakePortOne
from tests._canary import assert_no_secret, pytest_runtest_makereport

# The canary check on every test's captured output (see tests/_canary.py).
__all__ = ["pytest_runtest_makereport"]


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
def logs() -> Iterator[LogCapture]:
    """Every structlog event emitted during the test, as dicts; none may show a secret.

    Tests compare ``logs.entries`` whole, with the builders of tests/_logs.py."""
    capture = LogCapture()
    structlog.configure(processors=[capture])
    yield capture
    assert_no_secret(map(repr, capture.entries), "a structlog event")


@pytest.fixture(autouse=True)
def _reset_structlog() -> None:
    structlog.reset_defaults()
