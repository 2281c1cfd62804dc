"""The command line's argparse pieces: help text, number ranges, and a parser that hides secrets.

argparse quotes argument values in its error messages; the parser here replaces every secret
given on the command line or in the environment by ``***`` before printing one.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from typing import NoReturn

from ._cli_output import _redact
from ._config import ENV_SECRET_KEY

__all__ = ["EPILOG"]

_SECRET_OPTION = "--secret-key"

EPILOG = """\
credentials:
  --client-key / --secret-key, or $PORTONE_CLIENT_KEY / $PORTONE_SECRET_KEY.
  Prefer the environment for the secret: other users can read command lines.
  --base-url, or $PORTONE_BASE_URL (default: https://api.portone.cloud).

exit codes:
  0    success
  1    the operation failed: some references failed (in this run, or in an
       earlier one whose error line --resume skipped), a signature did not
       match, PortOne or the network refused the request, the output could
       not be written (e.g. a full disk)
  2    usage error: bad arguments, missing credentials, unreadable file
  130  interrupted (Ctrl-C)
  141  stdout was closed early (e.g. `| head`): the command stopped quietly,
       like one killed by SIGPIPE, without looking up the remaining references
"""


class _Formatter(argparse.HelpFormatter):
    """Wraps prose to the terminal, keeps text that has its own line breaks (the epilog)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _int_between(lo: int, hi: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``lo`` to ``hi`` (no upper bound if ``None``)."""
    if hi is not None:
        rule = f"must be between {lo} and {hi}"
    else:
        rule = "must not be negative" if lo == 0 else f"must be at least {lo}"

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if number < lo or (hi is not None and number > hi):
            raise argparse.ArgumentTypeError(rule)
        return number

    return parse


class _Parser(argparse.ArgumentParser):
    """argparse, but its error messages (which quote argument values) never show a secret."""

    hidden: tuple[str, ...] = ()

    def error(self, message: str) -> NoReturn:
        super().error(_redact(message, self.hidden))


def _secrets_in(argv: Sequence[str]) -> tuple[str, ...]:
    """The values given to ``--secret-key`` (any abbreviation, ``=`` or not, in any position)
    and ``$PORTONE_SECRET_KEY``: what no message may show."""
    found: list[str] = []
    for i, arg in enumerate(argv):
        option, equals, value = arg.partition("=")
        if len(option) < 4 or not _SECRET_OPTION.startswith(option):  # "--se" and longer
            continue
        if equals:
            found.append(value)
        elif i + 1 < len(argv):
            found.append(argv[i + 1])
    env = os.environ.get(ENV_SECRET_KEY)
    if env:
        found.append(env)
    # Longest first: a secret that contains another is hidden whole.
    return tuple(sorted({s for s in found if s}, key=len, reverse=True))
