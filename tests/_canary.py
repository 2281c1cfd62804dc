"""The canary check across the whole suite: no test's logs or error output show a secret or a JWT.

After each test, what pytest captured is searched: log records (stdlib ``logging``) and stderr
for the secrets the suite uses and for anything shaped like a JWT; stdout for the canary secret
(stdout legitimately carries tokens: ``aioportone token`` prints one, and ``fake-server``
prints the demo merchant's secret for the user; structlog's default output goes there too). A
hit is an error at the test's teardown. structlog events captured with the ``logs`` fixture
are checked the same way (see :func:`assert_no_secret`).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable

import pytest

from aioportone.testing import DEMO_SECRET_KEY
from tests.chaos.check import CANARY_SECRET, exposed

__all__ = ["SECRETS", "assert_no_secret", "pytest_runtest_makereport"]

SECRETS = (CANARY_SECRET, DEMO_SECRET_KEY)


def assert_no_secret(texts: Iterable[str], where: str) -> None:
    """Fail when any of ``texts`` shows one of :data:`SECRETS` or a JWT."""
    for text in texts:
        found = exposed(text, SECRETS)
        assert not found, f"{', '.join(found)} in {where}: {text[:300]!r}"


def _leaks(sections: Iterable[tuple[str, str]]) -> list[str]:
    found = []
    for title, content in sections:
        if title.startswith("Captured stdout"):
            hits = exposed(content, (CANARY_SECRET,))
            hits = [h for h in hits if h != "JWT"]
        else:
            hits = exposed(content, SECRETS)
        found += [f"{hit} in {title!r}" for hit in hits]
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # The teardown report carries the output of all three phases: one check, at the end.
    if report.when == "teardown" and report.passed:
        leaks = _leaks(report.sections)
        if leaks:
            report.outcome = "failed"
            report.longrepr = "a secret or token was shown: " + "; ".join(sorted(set(leaks)))
    return report
