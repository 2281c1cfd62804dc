"""Every ```python block of README.md runs as written, against a fake PortOne on loopback.

The convention a README block is written to:

- Each block runs on its own, in a fresh namespace, against a fresh :class:`FakePortOne` on the
  real clock. The namespace holds ``client_key`` and ``secret_key`` (the fake's demo merchant;
  ``$PORTONE_CLIENT_KEY`` / ``$PORTONE_SECRET_KEY`` hold them too), ``fake`` (that fake
  PortOne, which knows a paid transaction ``ORDER-1``, for the lines that play the buyer) and
  ``body`` (a payment webhook for ``ORDER-1`` as PortOne would post it). Anything else a block
  uses, it imports itself.
- A client or token manager made without ``base_url`` reaches the fake: for the length of the
  block the default base URL is the fake's (user code talks to ``https://api.portone.cloud``).
  With no network in the test suite, a block that reached anywhere else would fail.
- Top-level ``await`` is allowed, as in ``python -m asyncio``.
- A block that defines ``test_*`` coroutine functions is a pytest example: each is then called
  with the library's fixtures it names (``portone_fake``, ``portone_clock``,
  ``portone_client``).
- Logging or structlog configured by a block is undone afterwards.
- No block is skipped. Text that cannot run against the fake is fenced as ``sh`` or ``text``.
"""

from __future__ import annotations

import ast
import inspect
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from aioportone import PortOneClient, TokenManager
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

README = Path(__file__).resolve().parent.parent / "README.md"
_FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def python_blocks() -> list[tuple[str, str]]:
    """(id, source) of each python block: the id names its line and the heading above it."""
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        headings = re.findall(r"^#+ (.+)$", text[: match.start()], re.MULTILINE)
        title = re.sub(r"\W+", "-", headings[-1].lower()).strip("-") if headings else "top"
        blocks.append((f"line{line}-{title}", match.group(1)))
    return blocks


BLOCKS = python_blocks()


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """Undo what a block does to the root logger, the aioportone logger and structlog."""
    root, ours = logging.getLogger(), logging.getLogger("aioportone")
    saved = (root.handlers[:], root.level, ours.handlers[:], ours.level)
    try:
        yield
    finally:
        root.handlers[:], ours.handlers[:] = saved[0], saved[2]
        root.setLevel(saved[1])
        ours.setLevel(saved[3])
        structlog.reset_defaults()


def test_the_readme_has_python_blocks() -> None:
    """The README's usage, operations, webhook and testing snippets are all collected here."""
    assert len(BLOCKS) >= 7
    assert any("payment_links.create" in source for _, source in BLOCKS)
    assert any("portone_client" in source for _, source in BLOCKS)


@pytest.mark.parametrize("source", [s for _, s in BLOCKS], ids=[i for i, _ in BLOCKS])
async def test_readme_block_runs_as_written(
    source: str,
    monkeypatch: pytest.MonkeyPatch,
    logging_restored: None,
    portone_fake: FakePortOne,
    portone_clock: FakeClock,
    portone_client: PortOneClient,
) -> None:
    """The README block runs against the fake without error, every request authorized."""
    monkeypatch.setenv("PORTONE_CLIENT_KEY", DEMO_CLIENT_KEY)
    monkeypatch.setenv("PORTONE_SECRET_KEY", DEMO_SECRET_KEY)
    async with FakePortOne() as fake:
        txn = fake.state.add_transaction("ORDER-1", amount=500, currency="THB")
        for cls in (PortOneClient, TokenManager):
            defaults = cls.__init__.__kwdefaults__
            assert defaults is not None
            monkeypatch.setitem(defaults, "base_url", fake.url)
        namespace: dict[str, Any] = {
            "__name__": "readme",
            "client_key": DEMO_CLIENT_KEY,
            "secret_key": DEMO_SECRET_KEY,
            "fake": fake,
            "body": json.dumps(fake.state.payment_webhook(txn)),
        }
        code = compile(source, str(README), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(code, namespace)  # noqa: S307 - the README of this repository
        if inspect.iscoroutine(result):
            await result
        fixtures = {
            "portone_fake": portone_fake,
            "portone_clock": portone_clock,
            "portone_client": portone_client,
        }
        tests = [f for n, f in namespace.items() if n.startswith("test_") and callable(f)]
        for test in tests:
            wanted = inspect.signature(test).parameters
            await test(**{name: fixtures[name] for name in wanted})
    assert all(r.authorized is not False for r in fake.requests + portone_fake.requests)
