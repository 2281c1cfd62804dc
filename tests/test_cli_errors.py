"""The command line's failures: one line on stderr and an exit code, no traceback, no secret."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from anyio.from_thread import start_blocking_portal

from aioportone import ConfigurationError
from aioportone import _cli as cli
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne

SECRET = "s3cr3t-that-must-never-be-shown"


@pytest.fixture
def served() -> Iterator[FakePortOne]:
    """A fake PortOne on its own event loop in a thread (``main`` runs its own loop)."""
    with (
        start_blocking_portal(backend="asyncio") as portal,
        portal.wrap_async_context_manager(FakePortOne()) as fake,
    ):
        yield fake


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("aioportone")]
    assert "Traceback" not in err
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["fake-server", "--port", "99999"], "between 0 and 65535"),
        (["fake-server", "--host", "192.0.2.1", "--port", "0"], "cannot listen on 192.0.2.1"),
    ],
)
def test_fake_server_that_cannot_listen_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    """fake-server --port 99999 or a host not on this machine: exit 2 and one line, no traceback."""
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert says in one_line(err)


@pytest.mark.parametrize(
    "argv",
    [
        ["--secret-key", SECRET, "token"],
        [f"--secret-key={SECRET}", "status", "R-1"],
        ["--secret", SECRET, "status"],
        ["token", "--secret-key", SECRET, "--lifetime", "soon"],
        ["token", "--secret-key", SECRET, "extra-argument"],
        ["token", "--secre", SECRET, "--source", SECRET],
        ["verify-webhook", "--secret-key", SECRET, "--kind", SECRET],
        ["token", SECRET],
    ],
)
def test_usage_errors_never_echo_the_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """argparse quotes bad values; a --secret-key value (or $PORTONE_SECRET_KEY) never shows."""
    monkeypatch.setenv("PORTONE_SECRET_KEY", SECRET)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert SECRET not in out + err


def test_base_url_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, served: FakePortOne
) -> None:
    """$PORTONE_BASE_URL points the command at another PortOne, like --base-url does."""
    monkeypatch.setenv("PORTONE_CLIENT_KEY", DEMO_CLIENT_KEY)
    monkeypatch.setenv("PORTONE_SECRET_KEY", DEMO_SECRET_KEY)
    monkeypatch.setenv("PORTONE_BASE_URL", served.url)
    code, out, _ = run(capsys, "token", "--source", "server")
    assert code == 0
    assert served.auth_token_calls == 1
    assert out.count(".") == 2  # a JWT


def test_no_token_says_why(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server token from a host that refuses connections: the line names the cause."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("PORTONE_CLIENT_KEY", DEMO_CLIENT_KEY)
    monkeypatch.setenv("PORTONE_SECRET_KEY", DEMO_SECRET_KEY)
    code, _, err = run(
        capsys,
        "token",
        "--source",
        "server",
        "--base-url",
        f"http://127.0.0.1:{port}",
        "--wait-timeout",
        "0.5",
    )
    assert code == 1
    line = one_line(err)
    assert "no usable PortOne token within 0.5 s" in line
    assert "ConnectError" in line
    assert DEMO_SECRET_KEY not in err


@pytest.mark.parametrize(
    ("raised", "code", "says"),
    [
        (RuntimeError("boom"), 1, "unexpected error (RuntimeError: boom)"),
        (ExceptionGroup("g", [ConfigurationError("x", "bad")]), 2, "x: bad"),
        (UnicodeEncodeError("utf-8", SECRET, 0, 1, "surrogates"), 1, "UnicodeEncodeError"),
        (RuntimeError(f"echoed {SECRET}"), 1, "echoed ***"),
    ],
)
def test_any_failure_is_one_line_without_secret(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    raised: Exception,
    code: int,
    says: str,
) -> None:
    """Even an unexpected exception, or one in a group, ends as one line and an exit code."""

    def fail(args: object) -> int:
        raise raised

    monkeypatch.setattr(cli, "_token", fail)
    got, out, err = run(capsys, "token", "--secret-key", SECRET)
    assert got == code
    assert says in one_line(err)
    assert SECRET not in out + err
