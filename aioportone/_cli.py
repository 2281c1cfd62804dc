"""The ``aioportone`` command (also ``python -m aioportone``).

User mistakes and PortOne's refusals end as one line on stderr, ``aioportone: error: ...``, and
an exit code that says which kind of failure it was; a traceback means a bug in aioportone.
The secret key is never printed: errors name the argument, never its value.

This module holds the commands and their options; the argparse pieces are in ``_cli_args``, how
a run ends (exit codes, the error line, stdout) in ``_cli_output``, and ``status`` in
``_cli_status``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import fields
from typing import Any, Final

import anyio

from . import webhooks
from ._cli_args import EPILOG, _Formatter, _int_between, _Parser, _secrets_in
from ._cli_output import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    _fail,
    _failure,
    _flush_stdout,
    _send_logs_to_stderr,
    _single,
)
from ._cli_status import UsageError, status_command
from ._config import DEFAULT_BASE_URL, ENV_BASE_URL, ENV_SECRET_KEY, secret_credential
from ._errors import ConfigurationError, SignatureError
from ._manager import TokenManager
from ._secrets import Secret
from ._token import Token
from ._version import __version__

__all__ = ["main"]

MAX_CONCURRENCY = 1000


def _parser(hidden: Sequence[str] = ()) -> argparse.ArgumentParser:
    fmt = _Formatter
    parser_class: type[_Parser] = type("Parser", (_Parser,), {"hidden": tuple(hidden)})
    parser = parser_class(
        prog=PROG,
        description="PortOne (api.portone.cloud) from the command line: tokens, bulk "
        "transaction status, webhook checks, and a fake PortOne for integration tests.",
        epilog=EPILOG,
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log token refreshes, retries and failures on stderr",
    )
    commands = parser.add_subparsers(
        title="commands", metavar="COMMAND", required=True, parser_class=parser_class
    )

    creds = argparse.ArgumentParser(add_help=False)
    group = creds.add_argument_group("PortOne account")
    group.add_argument("--client-key", metavar="KEY", help="PortOne key ($PORTONE_CLIENT_KEY)")
    group.add_argument(
        "--secret-key", metavar="SECRET", help="PortOne secret ($PORTONE_SECRET_KEY, preferred)"
    )
    group.add_argument(
        "--base-url",
        default=os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL,
        help=f"PortOne API origin (${ENV_BASE_URL}, default: {DEFAULT_BASE_URL})",
    )
    group.add_argument(
        "--wait-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds to wait for a token before giving up, with the reason (default: 30)",
    )

    def command(name: str, run: Callable[[argparse.Namespace], int], **kw: Any) -> Any:
        sub = commands.add_parser(name, epilog=EPILOG, formatter_class=fmt, **kw)
        sub.set_defaults(run=run)
        return sub

    token = command(
        "token",
        _token,
        parents=[creds],
        help="print a fresh JWT",
        description="Print a fresh PortOne JWT on stdout, e.g. for curl: "
        '-H "Authorization: Bearer $(aioportone token)". A local token is minted without '
        "asking PortOne: a wrong secret shows only when the token is used.",
    )
    token.add_argument(
        "--source",
        choices=("local", "server"),
        default="local",
        help="local: mint it with the secret (default); server: ask PortOne's auth-token API "
        "(valid 6 hours)",
    )
    token.add_argument(
        "--lifetime", type=float, metavar="S", help="seconds a local token lives (default: 100)"
    )
    token.add_argument("--json", action="store_true", help="print {token, expires_at, source}")

    status = command(
        "status",
        status_command,
        parents=[creds],
        help="look transactions up in bulk",
        description="Look up the status of many transactions by merchant order reference. One "
        "JSON line per reference on stdout, in the order answers arrive: {ref, status, "
        "order_ref, channel_order_ref}, or {ref, error, message, code} when it failed. The "
        "lines are ASCII (JSON escapes such as \\u00e9), whatever the console's encoding.",
    )
    status.add_argument("refs", nargs="*", metavar="REF", help="merchant order references")
    status.add_argument(
        "--file",
        metavar="FILE",
        help="read references from FILE, one a line ('-': stdin); blank lines are skipped, "
        "every other line is a reference, '#1001' too (there are no comments)",
    )
    status.add_argument(
        "--concurrency",
        type=_int_between(1, MAX_CONCURRENCY),
        default=16,
        metavar="N",
        help="lookups in flight at once (default: %(default)s)",
    )
    status.add_argument(
        "--resume",
        metavar="OUTPUT",
        help="write the lines to OUTPUT (appending) and skip references it already answers; "
        "a skipped reference whose last line is an error still counts as failed (exit 1)",
    )
    status.add_argument(
        "--retry-failed",
        action="store_true",
        help="with --resume: look up again references whose last line is an error",
    )
    status.add_argument(
        "--no-progress", action="store_true", help="no progress bar on stderr (needs tqdm)"
    )

    fake = command(
        "fake-server",
        _fake_server,
        help="run a fake PortOne for integration tests",
        description="Run the fake PortOne until Ctrl-C or SIGTERM. The first line on stdout is "
        "its URL; the next lines are PORTONE_CLIENT_KEY=... and, for the demo merchant, "
        "PORTONE_SECRET_KEY=... Without --client-key/--secret-key the demo merchant is used.",
    )
    fake.add_argument("--host", default="127.0.0.1", help="(default: %(default)s)")
    fake.add_argument(
        "--port",
        type=_int_between(0, 65535),
        default=8080,
        help="(default: %(default)s; 0 picks a free port)",
    )
    fake.add_argument("--client-key", metavar="KEY", help="the merchant's PortOne key")
    fake.add_argument("--secret-key", metavar="SECRET", help="the merchant's secret")
    fake.add_argument(
        "--seed-transactions",
        type=_int_between(0),
        default=0,
        metavar="N",
        help="store N successful payments, FAKE-ORDER-1 to FAKE-ORDER-N",
    )

    verify = command(
        "verify-webhook",
        _verify_webhook,
        help="check a webhook's signature",
        description="Verify a PortOne webhook body's signature_hash and print the event as JSON. "
        "Exit code 1 and the reason on stderr when the signature does not match.",
    )
    verify.add_argument(
        "--kind",
        choices=tuple(_VERIFIERS),
        default="payment",
        help="the webhook's type (default: %(default)s; refund webhooks carry no signature)",
    )
    verify.add_argument("--file", metavar="BODY", help="the webhook body (default: stdin)")
    verify.add_argument("--secret-key", metavar="SECRET", help="($PORTONE_SECRET_KEY, preferred)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Every failure ends as one line on stderr and an exit code; no traceback, and no secret
    given on the command line or in the environment, is ever printed.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    hidden = _secrets_in(argv)
    parser = _parser(hidden)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the help (0) or the usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    run: Callable[[argparse.Namespace], int] = args.run
    if getattr(args, "secret_key", None) is not None:
        # The namespace is a local of every frame below: its repr must not show the secret.
        args.secret_key = Secret(args.secret_key)
    _send_logs_to_stderr(args.verbose)
    try:
        code = run(args)
        _flush_stdout()
    except BaseException as exc:
        return _failure(_single(exc), hidden)
    return code


# -- token --------------------------------------------------------------------------------------


def _token(args: argparse.Namespace) -> int:
    if args.lifetime is not None and args.source != "local":
        raise UsageError("--lifetime applies to --source local (PortOne's tokens live 6 hours)")
    options: dict[str, Any] = {
        "token_source": args.source,
        "base_url": args.base_url,
        "wait_timeout": args.wait_timeout,
    }
    if args.lifetime is not None:
        options["lifetime"] = args.lifetime
    tokens = TokenManager(args.client_key, args.secret_key, **options)

    async def fetch() -> Token:
        async with tokens:
            return await tokens.get()

    token = anyio.run(fetch)
    if args.json:
        expires = int(token.expires_at)
        print(json.dumps({"token": token.value, "expires_at": expires, "source": token.source}))
    else:
        print(token.value)
    return EXIT_OK


# -- fake-server --------------------------------------------------------------------------------


def _fake_server(args: argparse.Namespace) -> int:
    from .testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne

    if (args.client_key is None) != (args.secret_key is None):
        raise UsageError("give both --client-key and --secret-key, or neither (demo merchant)")
    key = args.client_key or DEMO_CLIENT_KEY
    secret = DEMO_SECRET_KEY if args.secret_key is None else args.secret_key.reveal()

    async def serve() -> None:
        # Listening for SIGTERM before the URL is printed: a harness may read it and stop the
        # server at once.
        with _stop_signals() as stopped:
            try:
                fake = FakePortOne({key: secret}, host=args.host, port=args.port)
                async with fake:
                    for n in range(1, args.seed_transactions + 1):
                        fake.state.add_transaction(f"FAKE-ORDER-{n}")
                    print(fake.url)
                    print(f"PORTONE_CLIENT_KEY={key}")
                    if secret == DEMO_SECRET_KEY:  # a secret given on the command line stays unsaid
                        print(f"PORTONE_SECRET_KEY={secret}")
                    sys.stdout.flush()
                    print(f"{PROG}: fake PortOne on {fake.url}; Ctrl-C stops it", file=sys.stderr)
                    await stopped()
            except OSError as exc:
                raise UsageError(
                    f"cannot listen on {args.host}:{args.port}: {exc.strerror}"
                ) from None

    anyio.run(serve)
    return EXIT_OK


@contextmanager
def _stop_signals() -> Iterator[Callable[[], Awaitable[None]]]:
    """Handle SIGINT and SIGTERM from now on; the function yielded waits for one of them."""
    with ExitStack() as stack:
        try:
            signals = stack.enter_context(anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM))
        except NotImplementedError:  # no signal handlers on Windows: Ctrl-C interrupts instead
            yield anyio.sleep_forever
            return

        async def stopped() -> None:
            async for _ in signals:
                return

        yield stopped


# -- verify-webhook -----------------------------------------------------------------------------

# The signed kinds (refund webhooks carry no signature): the --kind choices and their verifiers.
_VERIFIERS: Final[Mapping[str, Callable[[bytes, Secret], webhooks.WebhookEvent]]] = {
    "payment": webhooks.verify_payment_webhook,
    "payment_link": webhooks.verify_payment_link_webhook,
    "subscription_link": webhooks.verify_subscription_link_webhook,
}


def _verify_webhook(args: argparse.Namespace) -> int:
    given = None if args.secret_key is None else args.secret_key.reveal()
    secret = secret_credential("secret_key", given, ENV_SECRET_KEY)
    del given
    if isinstance(secret, ConfigurationError):
        raise secret
    if args.file:
        try:
            with open(args.file, "rb") as f:
                body = f.read()
        except OSError as exc:
            raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    elif sys.stdin.isatty():
        raise UsageError("pipe the webhook body on stdin or give --file BODY")
    else:
        body = sys.stdin.buffer.read()
    try:
        event = _VERIFIERS[args.kind](body, secret)
    except SignatureError as exc:
        return _fail(f"not a genuine PortOne {args.kind} webhook: {exc}", EXIT_FAILED)
    shown: dict[str, Any] = {"kind": args.kind}
    for field in fields(event):
        value = getattr(event, field.name)
        shown[field.name] = dict(value) if field.name == "raw" else value
    print(json.dumps(shown, default=str))  # ASCII: no console encoding can refuse it
    return EXIT_OK
