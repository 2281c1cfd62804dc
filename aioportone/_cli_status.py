"""The ``status`` command: look many transactions up with bounded concurrency, resumably.

A fixed pool of ``concurrency`` workers reads references from a small bounded stream, so a file
of a million references costs a million lookups, not a million tasks or a million-entry list.
Each answer becomes one JSON line (ASCII only: ``ensure_ascii``) as soon as it arrives;
``--resume`` reads those lines back to skip the references a previous run already answered.

Output that cannot be written (a closed pipe, a full disk) stops the run like a refused
credential does: the workers never raise, so no ``ExceptionGroup`` reaches the user.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

import aiohttp
import anyio
from anyio.abc import ObjectReceiveStream

from ._client import PortOneClient
from ._errors import APIError, AuthenticationError, PortOneError, TokenError
from ._manager import TokenManager
from ._resources import TransactionStatus
from ._secrets import KNOWN, redact

__all__ = [
    "Outcome",
    "OutputError",
    "Progress",
    "UsageError",
    "iter_refs",
    "load_done",
    "open_progress",
    "open_text",
    "run_status",
    "status_command",
]

# Errors every later lookup would hit too (wrong key or secret, no token to be had): the run
# stops instead of writing one identical error line per reference. The references in flight
# get no line, so a resumed run asks for them again.
_FATAL = (AuthenticationError, TokenError)


class UsageError(Exception):
    """A mistake in how the command was called (exit code 2)."""


class OutputError(Exception):
    """The JSON lines could not be written (exit code 1): a full disk, an unwritable file."""


def iter_refs(lines: Iterable[str]) -> Iterator[str]:
    """References from ``lines``: one per line, surrounding blanks dropped, empty lines skipped.

    Every other line is a reference, ``#1001`` included (Shopify's order names start with ``#``):
    there are no comments.
    """
    for line in lines:
        ref = line.strip()
        if ref:
            yield ref


def load_done(lines: Iterable[str], *, retry_failed: bool) -> dict[str, bool]:
    """The references an earlier run's output already answers, each mapped to whether its last
    line is a success (``False``: an error).

    A line that is not a JSON object with a ``ref`` (one cut short when a run was killed) is
    ignored. With ``retry_failed``, only references whose last line is a success count.
    """
    last_ok: dict[str, bool] = {}
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("ref"), str):
            last_ok[record["ref"]] = "error" not in record
    return {ref: ok for ref, ok in last_ok.items() if ok or not retry_failed}


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...

    def close(self) -> None: ...


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def open_progress(total: int | None, *, enabled: bool) -> Progress:
    """A tqdm bar on stderr when wanted and installed (``aioportone[cli]``), else nothing."""
    if enabled:
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            bar: Progress = tqdm(total=total, unit="ref", file=sys.stderr, dynamic_ncols=True)
            return bar
    return _Silent()


@dataclass
class Outcome:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    # Of the skipped: those whose last line in the earlier output is an error.
    skipped_failed: int = 0
    fatal: PortOneError | None = None
    # Writing a line failed (BrokenPipeError: the reader went away); the run stopped there.
    output_error: OSError | UnicodeError | None = None

    @property
    def all_ok(self) -> bool:
        """No reference failed, in this run or (skipped) in the earlier one."""
        return self.failed == 0 and self.skipped_failed == 0


def _record(ref: str, result: TransactionStatus) -> dict[str, Any]:
    return {
        "ref": ref,
        "status": result.status,
        "order_ref": result.order_ref,
        "channel_order_ref": result.channel_order_ref,
    }


def _error_record(ref: str, exc: Exception) -> dict[str, Any]:
    message = redact(str(exc), KNOWN.values())
    record: dict[str, Any] = {"ref": ref, "error": type(exc).__name__, "message": message}
    if isinstance(exc, APIError) and exc.code:
        record["code"] = exc.code
    return record


async def run_status(
    client: PortOneClient,
    refs: Iterable[str],
    *,
    out: TextIO,
    concurrency: int,
    done: Mapping[str, bool] | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Look up every reference of ``refs`` not in ``done``; write one JSON line each to ``out``.

    Lines come in the order answers arrive, each with its ``ref``. ``done`` maps the references
    already answered to whether that answer was a success (see :func:`load_done`). Counts
    include only the lines written; a line that cannot be written ends the run with
    ``output_error`` set instead of raising.
    """
    done = done or {}
    bar = progress or _Silent()
    outcome = Outcome()
    send, receive = anyio.create_memory_object_stream[str](max_buffer_size=concurrency)

    async def worker(queue: ObjectReceiveStream[str], scope: anyio.CancelScope) -> None:
        async with queue:
            async for ref in queue:
                try:
                    result = await client.transactions.status(ref)
                except _FATAL as exc:
                    outcome.fatal = exc
                    scope.cancel()
                    return
                except PortOneError as exc:
                    # One bad reference (unknown, refused, timed out) does not stop the run.
                    record = _error_record(ref, exc)
                except Exception as exc:
                    # Whatever an answer made the library raise, it is this reference's
                    # failure: a worker that raised would end the run in an ExceptionGroup.
                    record = _error_record(ref, exc)
                else:
                    record = _record(ref, result)
                try:
                    # ASCII only: a ref like CAFÉ-1 cannot fail on a console that is not UTF-8.
                    out.write(json.dumps(record) + "\n")
                except (OSError, UnicodeError) as exc:
                    # Every later line would fail too: stop, as for a refused credential.
                    if outcome.output_error is None:
                        outcome.output_error = exc
                    scope.cancel()
                    return
                if "error" in record:
                    outcome.failed += 1
                else:
                    outcome.ok += 1
                bar.update(1)

    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker, receive.clone(), tg.cancel_scope)
        receive.close()
        async with send:
            for ref in refs:
                answered_ok = done.get(ref)
                if answered_ok is not None:
                    outcome.skipped += 1
                    if not answered_ok:
                        outcome.skipped_failed += 1
                    bar.update(1)
                    continue
                await send.send(ref)
    return outcome


def open_text(path: str) -> TextIO:
    try:
        return open(path, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


# -- the command --------------------------------------------------------------------------------


def status_command(args: argparse.Namespace) -> int:
    """``aioportone status``: exit 0 when every reference was answered, 1 otherwise.

    A reference skipped by ``--resume`` because its last line is an error counts as failed.
    A closed stdout (``| head``) raises :class:`BrokenPipeError` for ``main`` to end quietly;
    any other failure to write raises :class:`OutputError`.
    """
    if bool(args.refs) == bool(args.file):
        raise UsageError("give references as arguments or --file FILE (one of the two)")
    if args.retry_failed and not args.resume:
        raise UsageError("--retry-failed needs --resume OUTPUT")
    # Built first: missing or malformed credentials are reported before any file is read.
    tokens = TokenManager(
        args.client_key, args.secret_key, base_url=args.base_url, wait_timeout=args.wait_timeout
    )
    source: TextIO | None = None
    out: TextIO = sys.stdout
    try:
        total: int | None = len(args.refs)
        if args.file:
            source = sys.stdin if args.file == "-" else open_text(args.file)
            total = None
            if source.seekable():
                total = sum(1 for _ in iter_refs(source))
                source.seek(0)
        refs = iter_refs(source) if source is not None else iter(args.refs)
        done: dict[str, bool] = {}
        if args.resume:
            if os.path.exists(args.resume):
                with open_text(args.resume) as previous:
                    done = load_done(previous, retry_failed=args.retry_failed)
            out = _append(args.resume)
        progress = open_progress(total, enabled=not args.no_progress)
        started = time.perf_counter()

        async def lookups() -> Outcome:
            # The connection pool is as wide as the worker pool (aiohttp's default is 100).
            # No environment: the status endpoint answers for the merchant's key, whatever it is.
            connector = aiohttp.TCPConnector(limit=args.concurrency)
            async with (
                tokens,
                aiohttp.ClientSession(connector=connector) as session,
                PortOneClient(tokens=tokens, session=session) as client,
            ):
                return await run_status(
                    client,
                    refs,
                    out=out,
                    concurrency=args.concurrency,
                    done=done,
                    progress=progress,
                )

        try:
            outcome = anyio.run(lookups)
        finally:
            progress.close()
    finally:
        if source is not None and source is not sys.stdin:
            source.close()
        # Reached with an exception too; then a failure to flush is not worth reporting.
        closing_error = _release(out)
    if outcome.output_error is None:
        outcome.output_error = closing_error
    if isinstance(outcome.output_error, BrokenPipeError):
        raise outcome.output_error  # the reader went away: nothing left to tell anyone
    elapsed = time.perf_counter() - started
    print(f"aioportone: {_summary(outcome)} in {elapsed:.1f} s", file=sys.stderr)
    if outcome.fatal is not None:
        raise outcome.fatal
    if outcome.output_error is not None:
        where = args.resume or "stdout"
        raise OutputError(f"cannot write {where}: {_reason(outcome.output_error)}")
    return 0 if outcome.all_ok else 1


def _summary(outcome: Outcome) -> str:
    text = f"{outcome.ok} ok, {outcome.failed} failed"
    if outcome.skipped_failed:
        answered_ok = outcome.skipped - outcome.skipped_failed
        text += (
            f", {outcome.skipped} skipped (already answered: {answered_ok} ok, "
            f"{outcome.skipped_failed} failed; --retry-failed looks those up again)"
        )
    elif outcome.skipped:
        text += f", {outcome.skipped} skipped (already answered)"
    return text


def _reason(exc: OSError | UnicodeError) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def _release(out: TextIO) -> OSError | UnicodeError | None:
    """Flush stdout or close the ``--resume`` file; what failed, if anything."""
    try:
        if out is sys.stdout:
            out.flush()
        else:
            out.close()
    except (OSError, UnicodeError) as exc:
        return exc
    return None


def _append(path: str) -> TextIO:
    try:
        with open(path, "ab+") as raw:
            # A run that was killed may have left half a line: start ours on a line of its own.
            if raw.seek(0, os.SEEK_END) > 0:
                raw.seek(-1, os.SEEK_END)
                if raw.read(1) != b"\n":
                    raw.write(b"\n")
        return open(path, "a", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
