"""The pytest fixtures that ship with aioportone work in a user's project with no set-up, and a
project that does not use them (nor anyio) is not affected by their presence."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

USER_TESTS = """
import pytest


@pytest.mark.anyio
async def test_status_through_the_fixtures(portone_client, portone_fake, portone_clock):
    portone_fake.state.add_transaction("ORDER-1", status="Success")
    await portone_clock.advance(6 * 3600)
    txn = await portone_client.transactions.status("ORDER-1")
    assert txn.status == "Success"
    assert portone_fake.requests[-1].authorized


@pytest.mark.anyio
async def test_each_test_gets_a_fresh_fake(portone_fake):
    assert portone_fake.requests == []
"""

PLAIN_TESTS = """
def test_nothing_async():
    assert 1 + 1 == 2
"""


def run_pytest(folder: Path, source: str) -> subprocess.CompletedProcess[str]:
    (folder / "test_user.py").write_text(textwrap.dedent(source), encoding="utf-8")
    (folder / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n", encoding="utf-8")
    return subprocess.run(  # noqa: S603 - this interpreter's pytest, on files written above
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_plugin_is_registered_with_pytest() -> None:
    """Installing aioportone registers its fixtures module under pytest's pytest11 entry point."""
    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "aioportone"]
    assert plugin.value == "aioportone.testing.pytest_plugin"


def test_a_user_project_uses_the_fixtures_without_setup(tmp_path: Path) -> None:
    """A test naming portone_client/portone_fake/portone_clock runs, with no conftest at all."""
    done = run_pytest(tmp_path, USER_TESTS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_a_project_that_uses_neither_anyio_nor_the_fixtures_is_unaffected(
    tmp_path: Path,
) -> None:
    """Plain synchronous tests still pass, warnings as errors, with the plugin loaded."""
    done = run_pytest(tmp_path, PLAIN_TESTS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
