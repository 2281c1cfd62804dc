"""How a command-line run ends: the exit codes, the one error line on stderr, and stdout.

A failure of any kind becomes one line, ``aioportone: error: ...``, with the exit code of its
kind; whatever the user gave as a secret is replaced by ``***`` first. Logs go to stderr, so
that stdout carries only the command's output.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from ._cli_status import OutputError, UsageError
from ._errors import ConfigurationError, PortOneError
from ._observe import LOGGER_NAME

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "PROG",
]

PROG = "aioportone"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# What a shell reports for a command killed by SIGPIPE (128 + 13), as `yes | head -1` does.
EXIT_BROKEN_PIPE = 141


def _redact(text: str, hidden: Sequence[str]) -> str:
    for secret in hidden:
        text = text.replace(secret, "***")
    return text


def _single(exc: BaseException) -> BaseException:
    """The one exception inside (nested) groups of one; a group of several stays a group."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def _failure(exc: BaseException, hidden: Sequence[str]) -> int:
    """Report ``exc`` as one line on stderr; the exit code for it."""
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else EXIT_FAILED
    if isinstance(exc, KeyboardInterrupt):
        return _fail("interrupted", EXIT_INTERRUPTED)
    if isinstance(exc, BrokenPipeError):
        # The reader went away (e.g. `| head`): nothing left to tell anyone.
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    message, code = _message(exc)
    if isinstance(exc, OutputError | OSError):
        _discard_stdout()
    return _fail(_redact(message, hidden), code)


def _message(exc: BaseException) -> tuple[str, int]:
    if isinstance(exc, UsageError | ConfigurationError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, UnicodeDecodeError):  # a references file or a resume file that is not text
        return f"a file is not UTF-8 text ({exc.reason})", EXIT_USAGE
    if isinstance(exc, OutputError | PortOneError):
        return str(exc), EXIT_FAILED
    if isinstance(exc, OSError):  # e.g. stdout on a full disk
        return f"cannot write output: {exc.strerror or exc}", EXIT_FAILED
    # A bug in aioportone: still one line, with what a bug report needs to start from.
    text = str(exc) if not isinstance(exc, UnicodeError) else ""  # its .object may be a secret
    detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"unexpected error ({detail[:300]}); please report it", EXIT_FAILED


def _send_logs_to_stderr(verbose: bool) -> None:
    # stdout carries the command's output (a token, JSON lines): log lines must not mix in.
    # Without -v, nothing is logged: a failure that matters ends the command with its message.
    # The library logs to the stdlib logger "aioportone" when structlog is not configured.
    logger = logging.getLogger(LOGGER_NAME)
    if _STDERR_HANDLER not in logger.handlers:
        logger.addHandler(_STDERR_HANDLER)
    logger.setLevel(logging.DEBUG if verbose else logging.NOTSET)
    _STDERR_HANDLER.setLevel(logging.DEBUG if verbose else logging.CRITICAL + 1)


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (``main`` may run many times)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


_STDERR_HANDLER = _StderrHandler()
_STDERR_HANDLER.setFormatter(logging.Formatter("%(levelname)s %(message)s"))


def _flush_stdout() -> None:
    """Flush here, not at exit: a failed write then ends as a message and an exit code."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write stdout: {exc.strerror or exc}") from None


def _discard_stdout() -> None:
    """Point the real stdout at devnull after a failed write: Python flushes it at exit, and
    what is still buffered would fail again ("Exception ignored ... BrokenPipeError")."""
    stdout = sys.__stdout__
    if stdout is None or sys.stdout is not stdout:  # replaced (tests, embedding): not ours
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind it
        pass


def _fail(message: str, code: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code
