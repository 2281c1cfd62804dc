"""What the contract tests share: the exchanges recorded on the fake's side of the wire, and
their validation against PortOne's OpenAPI specs with openapi-core.

Each ``tests/test_contract*.py`` keeps its own tables (its operations, the spec defects it meets
and why); this module holds only the machinery they all use.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from openapi_core import OpenAPI
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.testing import MockRequest, MockResponse

from aioportone import PortOneClient
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

SPEC_DIR = Path(os.environ.get("PORTONE_OPENAPI_DIR") or Path(__file__).parent / "portone_spec")
SERVER = "https://api.portone.cloud"  # the server the specs name; paths match below it

Operation = tuple[str, str]  # (method in lower case, spec path)


@dataclass(frozen=True)
class Exchange:
    """One request as the fake received it, the answer it sent, and the spec operation."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    status: int
    answer: bytes
    operation: Operation = ("", "")

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"

    @property
    def data(self) -> Any:
        return json.loads(self.answer)


def load_specs(*names: str) -> dict[str, OpenAPI]:
    """The named specs of SPEC_DIR; a folder lacking one fails the test rather than skipping it."""
    lacking = [name for name in names if not (SPEC_DIR / f"{name}.yaml").is_file()]
    if lacking:
        pytest.fail(
            f"{SPEC_DIR} lacks {' and '.join(f'{n}.yaml' for n in lacking)}: PORTONE_OPENAPI_DIR "
            "must name a folder holding them (unset, the vendored tests/portone_spec is used)",
            pytrace=False,
        )
    return {name: OpenAPI.from_path(SPEC_DIR / f"{name}.yaml") for name in names}


@asynccontextmanager
async def recording(
    clock: FakeClock, *, keep: Callable[[web.Request, web.StreamResponse], bool] | None = None
) -> AsyncIterator[tuple[FakePortOne, PortOneClient, list[Exchange]]]:
    """A running fake, a client of it, and the exchanges it answers (those ``keep`` accepts)."""
    seen: list[Exchange] = []

    async def record(request: web.Request, response: web.StreamResponse) -> None:
        # Runs as the answer is about to go out, when the body was read (and cached) already.
        # The scenarios drop no connection, so every request gets here.
        if keep is not None and not keep(request, response):
            return
        answer = response.body if isinstance(response, web.Response) else b""
        seen.append(
            Exchange(
                method=request.method,
                path=request.raw_path.split("?", 1)[0],
                query=dict(request.query),
                headers=dict(request.headers),
                body=await request.read(),
                status=response.status,
                answer=answer if isinstance(answer, bytes) else b"",
            )
        )

    fake = FakePortOne(clock=clock)
    fake.app.on_response_prepare.append(record)
    async with (
        fake,
        PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock) as portone,
    ):
        yield fake, portone, seen


def matched(spec: OpenAPI, x: Exchange) -> Exchange:
    """``x`` with the operation of ``spec`` its method and path match."""
    found = APICallPathFinder(spec.spec).find(x.method.lower(), SERVER + x.path)
    return replace(x, operation=(x.method.lower(), str(found.path_result.pattern)))


def mock_request(x: Exchange) -> MockRequest:
    """The request of ``x`` as openapi-core reads it."""
    return MockRequest(
        SERVER,
        x.method,
        x.path,
        args=x.query,
        headers=x.headers,
        data=x.body or None,
        content_type=x.headers.get("Content-Type", "application/json").split(";")[0],
    )


def error_texts(items: Iterator[Exception]) -> list[str]:
    """Each validation error as one line, with its cause (where the schema's words are)."""
    return [f"{type(e).__name__}: {e} {getattr(e, '__cause__', '') or ''}" for e in items]


def request_errors(spec: OpenAPI, x: Exchange) -> list[str]:
    """What ``spec`` finds wrong with the request of ``x``."""
    return error_texts(spec.iter_request_errors(mock_request(x)))


def answer_errors(
    spec: OpenAPI,
    x: Exchange,
    answer: bytes | None = None,
    *,
    content_type: str = "application/json",
) -> list[str]:
    """What ``spec`` finds wrong with the answer of ``x`` (or ``answer`` in its place).

    Args:
        spec: The spec of the operation.
        x: The exchange.
        answer: A body to check instead of the one the fake sent.
        content_type: The media type of the answer.
    """
    body = x.answer if answer is None else answer
    response = MockResponse(body, status_code=x.status, content_type=content_type)
    return error_texts(spec.iter_response_errors(mock_request(x), response))


def raw_example(spec: OpenAPI, method: str, path: str, status: str = "200") -> Any:
    """The JSON example of an answer, as the spec writes it."""
    media = spec.spec / "paths" / path / method / "responses" / status / "content"
    return (media / "application/json" / "example").read_value()


def spec_example(spec: OpenAPI, method: str, path: str, status: str = "200") -> Any:
    """The JSON example of an answer, parsed."""
    example = raw_example(spec, method, path, status)
    # Most examples are JSON written as a YAML string rather than a YAML mapping.
    return json.loads(example) if isinstance(example, str) else example


def first_successes(
    exchanges: Iterable[Exchange], skip: Iterable[Operation] = ()
) -> list[Exchange]:
    """The first 200 exchange of each operation, but those of ``skip``."""
    done = set(skip)
    first = []
    for x in exchanges:
        if x.status == 200 and x.operation not in done:
            done.add(x.operation)
            first.append(x)
    return first


def lacking_keys(example: Any, answer: Any, *, content_object: bool = True) -> set[str]:
    """The keys of ``example`` (and of its content) that ``answer`` lacks.

    A list content is compared by its first item; an object content only if ``content_object``.
    """
    lacking = set(example) - set(answer)
    content = example.get("content")
    if isinstance(content, dict) and content_object:
        lacking |= {f"content.{k}" for k in set(content) - set(answer["content"])}
    if isinstance(content, list) and content:
        lacking |= {f"content[].{k}" for k in set(content[0]) - set(answer["content"][0])}
    return lacking


def assert_only_defects(
    exchanges: Iterable[Exchange],
    check: Callable[[Exchange], list[str]],
    defects: Mapping[Operation, Iterable[str]],
    *,
    status: int | None = None,
) -> None:
    """``check`` finds nothing wrong, but a listed defect's one error with each of its words.

    Every listed defect must occur (with ``status``, if given).
    """
    problems = {}
    met = set()
    for x in exchanges:
        errors = check(x)
        words = defects.get(x.operation)
        if words is not None and (status is None or x.status == status) and errors:
            met.add(x.operation)
            assert len(errors) == 1, errors
            for word in words:
                assert word in errors[0]
        elif errors:
            problems[str(x)] = errors
    assert problems == {}
    assert met == set(defects)
