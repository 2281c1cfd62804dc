"""examples/payouts.py runs against a fake PortOne and shows what its docstring promises."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from structlog.testing import LogCapture

from aioportone.testing import FakeClock
from tests.test_examples import EXAMPLES, load, output

payouts = load("payouts")


async def test_payouts_example_pays_each_invoice_once(
    clock: FakeClock, capsys: pytest.CaptureFixture[str], logs: LogCapture
) -> None:
    """The lost answer is found, not resent: two payouts approved, one cancelled, 35,000 left."""
    outcome = await payouts.main(clock=clock)
    assert outcome.paid == ["INV-2001", "INV-2002"]
    assert outcome.cancelled == ["INV-2003"]
    assert outcome.balance == Decimal(35000)
    # One debit per invoice (INV-2002 was not paid twice) and the cancelled one credited back.
    assert outcome.statement == ["Debit 12000", "Debit 3000", "Debit 500", "Credit 500"]
    text = "\n".join(output(capsys))
    assert "lost     INV-2002: ConnectError, not retried" in text
    assert "approve  INV-2002: Processing" in text


def test_payouts_example_script_runs_on_its_own() -> None:
    """`python examples/payouts.py` works on its own and prints no log noise."""
    done = subprocess.run(  # noqa: S603 - this interpreter, a file of this repository
        [sys.executable, str(EXAMPLES / "payouts.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "balance  35000 THB" in done.stdout
