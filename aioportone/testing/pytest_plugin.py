"""pytest fixtures for code that talks to PortOne: a fake clock, a fake PortOne and a client.

Installed with aioportone and loaded by pytest through the ``pytest11`` entry point, so a test
only names the fixture::

    async def test_checkout(portone_client, portone_fake, portone_clock):
        portone_fake.state.add_transaction("ORDER-1")
        await portone_client.transactions.status("ORDER-1")
        await portone_clock.advance(6 * 3600)

The fixtures are async and run under anyio's pytest plugin (anyio is a dependency of
aioportone, so its plugin is always there): mark the tests ``@pytest.mark.anyio``, or set
``anyio_mode = "auto"``, with the asyncio backend (anyio's default ``anyio_backend``; aiohttp
runs on asyncio only). The module defines these three fixtures and no hooks, so tests that do
not name them are not affected. To give the client other options, override ``portone_client``
in your ``conftest.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .._client import PortOneClient
from ._clock import FakeClock
from ._fake import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne

__all__ = ["portone_client", "portone_clock", "portone_fake"]


def _require_asyncio(anyio_backend: object) -> None:
    name = anyio_backend[0] if isinstance(anyio_backend, tuple) else anyio_backend
    if name != "asyncio":
        raise RuntimeError(
            f"aioportone's fixtures need the asyncio backend (aiohttp runs on asyncio only), "
            f"not {name!r}: make the anyio_backend fixture return 'asyncio'"
        )


@pytest.fixture
def portone_clock() -> FakeClock:
    """A :class:`~aioportone.testing.FakeClock` shared by ``portone_fake`` and ``portone_client``.

    Time moves only when the test says so: ``await portone_clock.advance(3600)``.
    """
    return FakeClock()


@pytest.fixture
async def portone_fake(
    portone_clock: FakeClock, anyio_backend: object
) -> AsyncIterator[FakePortOne]:
    """A running :class:`~aioportone.testing.FakePortOne` on 127.0.0.1, on ``portone_clock``.

    It knows the demo merchant (``DEMO_CLIENT_KEY`` / ``DEMO_SECRET_KEY``) and is stopped when
    the test ends.

    Args:
        portone_clock: The fake clock the server's JWT checks and ``Date`` header read.
        anyio_backend: anyio's backend fixture; it must be ``"asyncio"``.
    """
    _require_asyncio(anyio_backend)
    async with FakePortOne(clock=portone_clock) as fake:
        yield fake


@pytest.fixture
async def portone_client(
    portone_fake: FakePortOne, portone_clock: FakeClock
) -> AsyncIterator[PortOneClient]:
    """An entered :class:`~aioportone.PortOneClient` of the demo merchant on ``portone_fake``.

    It mints local tokens on ``portone_clock`` and is closed when the test ends.

    Args:
        portone_fake: The fake PortOne the client sends its requests to.
        portone_clock: The clock the client's tokens and retries read.
    """
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=portone_fake.url, clock=portone_clock
    ) as client:
        yield client
