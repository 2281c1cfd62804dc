"""The ``aioportone`` command, run in-process through ``main(argv)`` and as a real subprocess,
against a fake PortOne served from a thread of its own (``main`` runs its own event loop)."""

from __future__ import annotations

import base64
import errno
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.from_thread import start_blocking_portal

from aioportone import PortOneClient, TransactionStatus, _cli_status
from aioportone._cli import main
from aioportone._cli_status import iter_refs, run_status
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne

STATUS_PATH = r"^/api/transaction/[^/]+/status$"
SECRET = "s3cr3t-that-must-never-be-shown"


@pytest.fixture
def served() -> Iterator[FakePortOne]:
    """A fake PortOne (demo merchant, real clock) on its own event loop in a thread."""
    with (
        start_blocking_portal(backend="asyncio") as portal,
        portal.wrap_async_context_manager(FakePortOne()) as fake,
    ):
        yield fake


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTONE_CLIENT_KEY", DEMO_CLIENT_KEY)
    monkeypatch.setenv("PORTONE_SECRET_KEY", DEMO_SECRET_KEY)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def seed(fake: FakePortOne, *refs: str) -> None:
    for ref in refs:
        fake.state.add_transaction(ref, status="Success")


def looked_up(fake: FakePortOne) -> list[str]:
    return [call.path for call in fake.calls(STATUS_PATH)]


def demo_subprocess_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PORTONE_CLIENT_KEY": DEMO_CLIENT_KEY,
        "PORTONE_SECRET_KEY": DEMO_SECRET_KEY,
        **extra,
    }


class ClosedPipe(io.StringIO):
    """A stdout whose reader goes away after ``keep`` lines, as behind `| head`."""

    def __init__(self, keep: int) -> None:
        super().__init__()
        self.keep = keep

    def write(self, text: str) -> int:
        if self.getvalue().count("\n") >= self.keep:
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))
        return super().write(text)


class FullDisk(io.StringIO):
    """A stream on a full disk: every write fails with ENOSPC."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# -- help and usage errors ----------------------------------------------------------------------


def test_help_runs_as_a_module_subprocess_and_documents_exit_codes() -> None:
    """`python -m aioportone --help` exits 0 and lists the commands and the exit codes."""
    done = subprocess.run(
        [sys.executable, "-m", "aioportone", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0
    for word in ("token", "status", "fake-server", "verify-webhook", "exit codes", "130", "141"):
        assert word in done.stdout
    assert done.stdout.startswith("usage: aioportone")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "required"),
        (["frobnicate"], "invalid choice"),
        (["status"], "give references as arguments or --file"),
        (["status", "A", "--file", "refs.txt"], "one of the two"),
        (["status", "--concurrency", "0", "A"], "--concurrency"),
        (["status", "--retry-failed", "A"], "--retry-failed needs --resume"),
        (["status", "--file", "/no/such/file"], "cannot read /no/such/file"),
        (["status", "--environment", "live", "A"], "unrecognized arguments: --environment"),
        (["token", "--source", "server", "--lifetime", "60"], "--lifetime applies"),
        (["token", "--lifetime", "-5"], "lifetime"),
        (["token", "--base-url", "ftp://example.com"], "base_url"),
        (["verify-webhook", "--file", "/no/such/body.json"], "cannot read /no/such/body.json"),
    ],
)
def test_usage_errors_exit_2_with_one_message_and_no_traceback(
    capsys: pytest.CaptureFixture[str], demo_env: None, argv: list[str], expected: str
) -> None:
    """A mistake in the command line exits 2 with a message on stderr and nothing on stdout."""
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert expected in err
    assert "error:" in err
    assert "Traceback" not in err


def test_missing_credentials_name_the_environment_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --client-key or $PORTONE_CLIENT_KEY, the command says which is missing (exit 2)."""
    monkeypatch.delenv("PORTONE_CLIENT_KEY", raising=False)
    monkeypatch.delenv("PORTONE_SECRET_KEY", raising=False)
    code, out, err = run(capsys, "token")
    assert code == 2
    assert out == ""
    assert err.startswith("aioportone: error: client_key")
    assert "$PORTONE_CLIENT_KEY" in err


# -- token --------------------------------------------------------------------------------------


def test_token_prints_a_local_jwt_the_fake_accepts(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None
) -> None:
    """`token` prints one JWT, 100 s long, that a strict PortOne accepts; nothing else."""
    code, out, err = run(capsys, "token")
    assert code == 0
    token = out.strip()
    assert out == token + "\n"
    headers = {"X-Portone-Client-Key": DEMO_CLIENT_KEY, "Authorization": f"Bearer {token}"}
    assert served.check_jwt(headers) is None
    body = claims(token)
    assert body["exp"] - body["iat"] == 100
    assert (body["iss"], body["sub"]) == ("PORTONE", DEMO_CLIENT_KEY)
    assert err == ""


def test_token_json_with_lifetime(capsys: pytest.CaptureFixture[str], demo_env: None) -> None:
    """`token --json --lifetime 300` prints {token, expires_at, source} for a 300 s token."""
    code, out, _ = run(capsys, "token", "--json", "--lifetime", "300")
    assert code == 0
    answer = json.loads(out)
    assert answer["source"] == "local"
    body = claims(answer["token"])
    assert body["exp"] - body["iat"] == 300
    assert answer["expires_at"] == body["exp"]


def test_token_from_the_server_calls_the_auth_token_api_once(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None
) -> None:
    """`token --source server` prints the 6-hour JWT PortOne's auth-token API issued."""
    code, out, _ = run(capsys, "token", "--source", "server", "--base-url", served.url)
    assert code == 0
    body = claims(out.strip())
    assert body["exp"] - body["iat"] == 21600
    assert served.auth_token_calls == 1


def test_token_from_the_server_with_a_wrong_secret_fails_without_showing_it(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None
) -> None:
    """PortOne refusing the secret exits 1 with its reason, and the secret is never echoed."""
    code, out, err = run(
        capsys, "token", "--source", "server", "--base-url", served.url, "--secret-key", SECRET
    )
    assert code == 1
    assert out == ""
    assert err.startswith("aioportone: error:")
    assert "4099" in err
    assert SECRET not in err
    assert "Traceback" not in err


# -- status -------------------------------------------------------------------------------------


def test_status_prints_one_json_line_per_ref_and_exit_1_when_one_failed(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None
) -> None:
    """Each ref gets a line, its status or its error; one failure makes the exit code 1."""
    seed(served, "A-1", "A-2")
    code, out, err = run(capsys, "status", "--base-url", served.url, "A-1", "A-2", "MISSING")
    assert code == 1
    by_ref = {line["ref"]: line for line in lines(out)}
    assert set(by_ref) == {"A-1", "A-2", "MISSING"}
    known = served.state.transactions["A-1"]
    assert by_ref["A-1"] == {
        "ref": "A-1",
        "status": "Success",
        "order_ref": known.order_ref,
        "channel_order_ref": known.channel_order_ref,
    }
    assert by_ref["MISSING"]["error"] == "NotFoundError"
    assert by_ref["MISSING"]["code"] == "4096"
    assert "2 ok, 1 failed" in err


def test_status_reads_a_file_skipping_only_blank_lines(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None, tmp_path: Path
) -> None:
    """--file reads one ref a line, blank lines skipped; a ref like #1001 is looked up."""
    seed(served, "#1001", "F-2")
    refs = tmp_path / "refs.txt"
    refs.write_text("#1001\n\n  F-2  \n   \n")
    code, out, err = run(
        capsys, "status", "--no-progress", "--base-url", served.url, "--file", str(refs)
    )
    assert code == 0
    assert sorted(line["ref"] for line in lines(out)) == ["#1001", "F-2"]
    assert sorted(looked_up(served)) == [
        "/api/transaction/%231001/status",
        "/api/transaction/F-2/status",
    ]
    assert err.startswith("aioportone: 2 ok, 0 failed in ")


def test_status_reads_refs_from_stdin(
    capsys: pytest.CaptureFixture[str],
    served: FakePortOne,
    demo_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--file -` reads the refs from stdin."""
    seed(served, "S-1", "S-2")
    monkeypatch.setattr(sys, "stdin", io.StringIO("S-1\nS-2\n"))
    code, out, _ = run(capsys, "status", "--base-url", served.url, "--file", "-")
    assert code == 0
    assert {line["status"] for line in lines(out)} == {"Success"}


def test_status_progress_bar_goes_to_stderr_unless_disabled(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None
) -> None:
    """With tqdm installed a progress bar is drawn on stderr; --no-progress leaves the summary."""
    seed(served, "P-1")
    code, out, err = run(capsys, "status", "--base-url", served.url, "P-1")
    assert code == 0
    assert "1/1" in err
    assert all(line.startswith("{") for line in out.splitlines())
    code, out, err = run(capsys, "status", "--no-progress", "--base-url", served.url, "P-1")
    assert code == 0
    assert err.splitlines() == [err.strip()]
    assert err.startswith("aioportone: 1 ok, 0 failed in ")


def test_status_without_tqdm_prints_only_the_summary(
    capsys: pytest.CaptureFixture[str],
    served: FakePortOne,
    demo_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the optional tqdm (aioportone[cli]) the lookups run and stderr gets one line."""
    seed(served, "N-1")
    monkeypatch.setitem(sys.modules, "tqdm", None)  # what `import tqdm` sees when not installed
    code, out, err = run(capsys, "status", "--base-url", served.url, "N-1")
    assert code == 0
    assert lines(out)[0]["status"] == "Success"
    assert err.splitlines() == [err.strip()]
    assert err.startswith("aioportone: 1 ok, 0 failed in ")


def test_status_refuses_a_refs_file_that_is_not_text(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None, tmp_path: Path
) -> None:
    """A binary --file is a usage error (exit 2), not a traceback."""
    refs = tmp_path / "refs.bin"
    refs.write_bytes(b"\xff\xfe\x00garbage")
    code, _, err = run(capsys, "status", "--base-url", served.url, "--file", str(refs))
    assert code == 2
    assert err.startswith("aioportone: error: a file is not UTF-8 text")
    assert "Traceback" not in err


def test_status_resume_skips_refs_already_answered_and_appends(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None, tmp_path: Path
) -> None:
    """--resume skips refs the file answers, appends the rest, even after a half-written line."""
    seed(served, "R-1", "R-2", "R-3")
    output = tmp_path / "out.jsonl"
    output.write_text('{"ref": "R-1", "status": "Success"}\n{"ref": "R-2", "sta')
    code, out, err = run(
        capsys, "status", "--base-url", served.url, "--resume", str(output), "R-1", "R-2", "R-3"
    )
    assert code == 0
    assert out == ""
    assert "2 ok, 0 failed, 1 skipped" in err
    looked_up = {call.path.split("/")[3] for call in served.calls(STATUS_PATH)}
    assert looked_up == {"R-2", "R-3"}
    written = output.read_text().splitlines()
    assert written[1] == '{"ref": "R-2", "sta'
    assert [json.loads(line)["ref"] for line in written[:1] + written[2:]] == [
        "R-1",
        *sorted(json.loads(line)["ref"] for line in written[2:]),
    ]
    code, _, err = run(
        capsys, "status", "--base-url", served.url, "--resume", str(output), "R-1", "R-2", "R-3"
    )
    assert code == 0
    assert "0 ok, 0 failed, 3 skipped" in err
    assert len(served.calls(STATUS_PATH)) == 2


def test_status_retry_failed_looks_failed_refs_up_again(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None, tmp_path: Path
) -> None:
    """--retry-failed redoes refs whose last line is an error, and still skips the answered."""
    seed(served, "T-1", "T-2")
    output = tmp_path / "out.jsonl"
    output.write_text(
        '{"ref": "T-1", "status": "Success"}\n{"ref": "T-2", "error": "TimeoutError"}\n'
    )
    code, _, _ = run(
        capsys,
        "status",
        "--base-url",
        served.url,
        "--resume",
        str(output),
        "--retry-failed",
        "T-1",
        "T-2",
    )
    assert code == 0
    assert [call.path for call in served.calls(STATUS_PATH)] == ["/api/transaction/T-2/status"]
    assert json.loads(output.read_text().splitlines()[-1])["status"] == "Success"


def test_status_resumed_run_exits_1_when_a_skipped_ref_failed_before(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None, tmp_path: Path
) -> None:
    """Without --retry-failed, a skipped ref whose last line is an error still makes exit 1."""
    output = tmp_path / "out.jsonl"
    output.write_text(
        '{"ref": "K-1", "status": "Success"}\n{"ref": "K-2", "error": "NotFoundError"}\n'
    )
    code, out, err = run(
        capsys,
        "status",
        "--no-progress",
        "--base-url",
        served.url,
        "--resume",
        str(output),
        "K-1",
        "K-2",
    )
    assert code == 1
    assert out == ""
    assert looked_up(served) == []
    assert err.startswith(
        "aioportone: 0 ok, 0 failed, 2 skipped (already answered: 1 ok, 1 failed; "
        "--retry-failed looks those up again) in "
    )


def test_status_stops_quietly_with_141_when_a_real_pipe_reader_goes_away(
    served: FakePortOne, tmp_path: Path
) -> None:
    """`status ... | head -1` with 3,000 refs: the reader closes early, exit 141, empty stderr."""
    refs = tmp_path / "refs.txt"
    refs.write_text("".join(f"PIPE-{n}\n" for n in range(3000)))
    command = [sys.executable, "-m", "aioportone", "status", "--no-progress"]
    proc = subprocess.Popen(  # noqa: S603 - this interpreter, this package
        [*command, "--base-url", served.url, "--file", str(refs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=demo_subprocess_env(),
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    try:
        first = json.loads(proc.stdout.readline())
        proc.stdout.close()
        stderr = proc.stderr.read()
    finally:
        proc.stderr.close()
        code = proc.wait(timeout=30)
    assert first["ref"].startswith("PIPE-")
    assert code == 141
    assert stderr == ""
    assert len(served.calls(STATUS_PATH)) < 3000


def test_status_stops_quietly_with_141_when_stdout_write_raises_broken_pipe(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None
) -> None:
    """A BrokenPipeError from stdout's write ends the run at once: exit 141, nothing on stderr."""
    refs = [f"B-{n}" for n in range(200)]
    seed(served, *refs)
    stdout = ClosedPipe(keep=1)
    with redirect_stdout(stdout):
        code = main(
            ["status", "--no-progress", "--concurrency", "4", "--base-url", served.url, *refs]
        )
    _, err = capsys.readouterr()
    assert code == 141
    assert err == ""
    assert len(lines(stdout.getvalue())) == 1
    assert len(served.calls(STATUS_PATH)) <= 3 * 4


@pytest.mark.parametrize("target", ["stdout", "resume"])
def test_status_output_that_cannot_be_written_is_one_error_line_exit_1(
    capsys: pytest.CaptureFixture[str],
    served: FakePortOne,
    demo_env: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    target: str,
) -> None:
    """A full disk (ENOSPC) on stdout or the --resume file stops the run: one error, exit 1."""
    seed(served, "D-1", "D-2")
    argv = ["status", "--no-progress", "--base-url", served.url, "D-1", "D-2"]
    stdout: io.StringIO = FullDisk()
    if target == "resume":
        output = tmp_path / "out.jsonl"
        argv += ["--resume", str(output)]
        monkeypatch.setattr(_cli_status, "_append", lambda path: FullDisk())
        stdout = io.StringIO()
    with redirect_stdout(stdout):
        code = main(argv)
    _, err = capsys.readouterr()
    assert code == 1
    where = str(output) if target == "resume" else "stdout"
    assert err.splitlines() == [
        err.splitlines()[0],
        f"aioportone: error: cannot write {where}: No space left on device",
    ]
    assert err.startswith("aioportone: 0 ok, 0 failed in ")
    assert "Traceback" not in err


def test_status_lines_are_ascii_so_an_ascii_console_cannot_refuse_them(
    served: FakePortOne,
) -> None:
    """With PYTHONIOENCODING=ascii a ref like CAFÉ-1 is printed as \\u00c9 JSON; exit 0."""
    seed(served, "CAFÉ-1")
    done = subprocess.run(  # noqa: S603 - this interpreter, this package
        [sys.executable, "-m", "aioportone", "status", "--base-url", served.url, "CAFÉ-1"],
        capture_output=True,
        env=demo_subprocess_env(PYTHONIOENCODING="ascii"),
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    assert b'"ref": "CAF\\u00c9-1"' in done.stdout
    [line] = lines(done.stdout.decode("ascii"))
    assert (line["ref"], line["status"]) == ("CAFÉ-1", "Success")


def test_status_with_a_wrong_secret_stops_instead_of_failing_every_ref(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None
) -> None:
    """A refused credential ends the run early with one error and records no ref as failed."""
    refs = [f"W-{n}" for n in range(200)]
    code, out, err = run(
        capsys,
        "status",
        "--base-url",
        served.url,
        "--secret-key",
        SECRET,
        "--concurrency",
        "4",
        "--no-progress",
        *refs,
    )
    assert code == 1
    assert out == ""
    errors = [line for line in err.splitlines() if line.startswith("aioportone: error:")]
    assert len(errors) == 1
    assert "4054" in errors[0]
    assert len(served.calls(STATUS_PATH)) <= 2 * 4
    assert SECRET not in err


async def test_status_workers_never_exceed_the_concurrency(
    client: PortOneClient, fake: FakePortOne, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --concurrency 4, exactly 4 lookups are in flight at a time and every ref is answered."""
    refs = [f"C-{n}" for n in range(40)]
    seed(fake, *refs)
    real = client.transactions.status
    inflight = peak = 0
    full = anyio.Event()

    async def counted(ref: str) -> TransactionStatus:
        nonlocal inflight, peak
        inflight += 1
        peak = max(peak, inflight)
        if inflight == 4:
            full.set()
        try:
            await full.wait()  # hold the first lookups until 4 are in flight at once
            return await real(ref)
        finally:
            inflight -= 1

    monkeypatch.setattr(client.transactions, "status", counted)
    out = io.StringIO()
    with anyio.fail_after(10):
        outcome = await run_status(client, iter_refs(refs), out=out, concurrency=4)
    assert peak == 4
    assert (outcome.ok, outcome.failed) == (40, 0)
    assert sorted(line["ref"] for line in lines(out.getvalue())) == sorted(refs)


# -- verify-webhook -----------------------------------------------------------------------------


def test_verify_webhook_prints_the_verified_event(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None, tmp_path: Path
) -> None:
    """A genuine payment webhook is printed as JSON with its signed fields; exit 0."""
    txn = served.state.add_transaction("V-1", amount=1500, currency="THB")
    body = tmp_path / "webhook.json"
    body.write_text(json.dumps(served.state.payment_webhook(txn)))
    code, out, _ = run(capsys, "verify-webhook", "--file", str(body))
    assert code == 0
    event = json.loads(out)
    assert event["kind"] == "payment"
    assert (event["merchant_order_ref"], event["order_ref"]) == ("V-1", txn.order_ref)
    assert (event["status"], event["currency"]) == ("Success", "THB")
    assert event["raw"]["merchant_order_ref"] == "V-1"


def test_verify_webhook_rejects_a_tampered_body_with_exit_1(
    capsys: pytest.CaptureFixture[str],
    served: FakePortOne,
    demo_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A changed amount breaks the signature: exit 1, the reason on stderr, nothing on stdout."""
    txn = served.state.add_transaction("V-2", amount=1500)
    forged = {**served.state.payment_webhook(txn), "amount": 1}
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(forged).encode())))
    code, out, err = run(capsys, "verify-webhook")
    assert code == 1
    assert out == ""
    assert err.startswith("aioportone: error: not a genuine PortOne payment webhook")
    assert "Traceback" not in err
    assert DEMO_SECRET_KEY not in err


def test_verify_webhook_payment_link_kind(
    capsys: pytest.CaptureFixture[str], served: FakePortOne, demo_env: None, tmp_path: Path
) -> None:
    """--kind payment_link verifies a payment-link webhook."""
    link = served.state.add_link(
        DEMO_CLIENT_KEY,
        {"merchant_order_id": "L-1", "amount": 250, "currency": "THB", "country_code": "TH"},
    )
    body = tmp_path / "link.json"
    body.write_text(json.dumps(served.state.payment_link_webhook(link)))
    code, out, _ = run(capsys, "verify-webhook", "--kind", "payment_link", "--file", str(body))
    assert code == 0
    assert json.loads(out)["link_ref"] == link.ref


# -- fake-server --------------------------------------------------------------------------------


def start_fake_server(*options: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "aioportone", "fake-server", "--port", "0", *options]
    return subprocess.Popen(  # noqa: S603 - this interpreter, this package
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_fake_server_subprocess_prints_its_url_first_serves_status_and_stops_on_sigterm(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """fake-server prints its URL first, serves `status`, and exits 0 on SIGTERM."""
    proc = start_fake_server("--seed-transactions", "2")
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        key = proc.stdout.readline().strip()
        secret = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert key == f"PORTONE_CLIENT_KEY={DEMO_CLIENT_KEY}"
        assert secret == f"PORTONE_SECRET_KEY={DEMO_SECRET_KEY}"
        monkeypatch.setenv("PORTONE_CLIENT_KEY", key.split("=", 1)[1])
        monkeypatch.setenv("PORTONE_SECRET_KEY", secret.split("=", 1)[1])
        code, out, _ = run(capsys, "status", "--base-url", url, "FAKE-ORDER-1", "FAKE-ORDER-2")
        assert code == 0
        assert [line["status"] for line in lines(out)] == ["Success", "Success"]
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in stderr


def test_fake_server_never_prints_a_secret_it_was_given() -> None:
    """With --client-key/--secret-key the fake prints the key but not the secret."""
    proc = start_fake_server("--client-key", "myKey", "--secret-key", SECRET)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        key = proc.stdout.readline().strip()
    finally:
        proc.terminate()
        stdout, stderr = proc.communicate(timeout=20)
    assert url.startswith("http://")
    assert key == "PORTONE_CLIENT_KEY=myKey"
    assert SECRET not in stdout + stderr
    assert proc.returncode == 0


def test_token_to_a_full_disk_is_one_line_not_a_traceback() -> None:
    """`aioportone token > /dev/full`: exit 1 and one error line on stderr."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "aioportone", "token", "--client-key", "KEY"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            env={**os.environ, "PORTONE_SECRET_KEY": "s" * 40},
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "aioportone: error: cannot write output: No space left on device"
    ]
