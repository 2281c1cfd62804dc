"""Hostile inputs at every public entry point end as a value or a typed error, never a hang.

Resource arguments (references with control characters, lone surrogates, huge or odd
unicode; amounts of every type), ``request()`` arguments, webhook payloads (any bytes, any
JSON, deep nesting) and server answers (any status, headers and body, served by the fake):
each ends in a value or an :class:`aioportone.PortOneError` (a bad argument in a
:class:`ConfigurationError`), never another exception type.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aioportone import ConfigurationError, PortOneError, webhooks
from tests._hostile_env import HostileEnv, Outcome
from tests.chaos import CANARY_SECRET

# Bounded: the whole module runs in seconds. No deadline: a loaded machine is slow, not wrong.
# Derandomized: the same examples on every run, so a test fails (or passes) every time.
FEW = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def env() -> Iterator[HostileEnv]:
    hostile = HostileEnv()
    hostile.start()
    yield hostile
    hostile.close()


def _typed(outcome: Outcome) -> None:
    error = outcome.error
    assert error is None or isinstance(error, PortOneError), (
        f"{type(error).__name__}: {str(error)[:300]}"
    )


# -- what a caller may pass ----------------------------------------------------------------------

_ODD = st.sampled_from(
    [
        "",
        " ",
        "a\r\nX-Injected: 1",
        "\x00",
        "\udcff",
        "ref\ud800",
        "..",
        "../admin",
        "a/b?c#d",
        "%2e%2e",
        "\u202e\u0644",
        "\ufeffref",
        "ÿ" * 3,
        "🙂" * 5,
        "x" * 100_000,
    ]
)
TEXTS = st.one_of(
    _ODD,
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.text(max_size=10),
)
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
AMOUNTS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([5e-324, 1e308, -0.0, 0.1 + 0.2, 2**53 + 1]),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.fractions(),
    st.complex_numbers(),
    st.booleans(),
    st.text(max_size=8),
    st.none(),
)
EXTRAS = st.one_of(
    st.none(),
    st.dictionaries(
        st.text(max_size=12),
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.text(st.characters(exclude_categories=()), max_size=8),
            st.just(object()),
            st.just({1, 2}),
            st.just(b"bytes"),
            st.just(Decimal("NaN")),
        ),
        max_size=3,
    ),
    st.sampled_from([{"Environment": "live"}, {"amount": 1}, {"portone_key": "x"}, [("a", 1)]]),
    ANYTHING,
)


async def _resource_call(env: HostileEnv, name: str, ref: Any, amount: Any, extra: Any) -> Any:
    portone = env.client
    link: dict[str, Any] = {
        "currency": "THB",
        "country_code": "TH",
        "merchant_name": "Shop",
        "success_url": "https://shop.example/ok",
        "failure_url": "https://shop.example/no",
    }
    if name == "status":
        return await portone.transactions.status(ref)
    if name == "details":
        return await portone.transactions.details(ref)
    if name == "capture":
        return await portone.transactions.capture(ref)
    if name == "refund":
        return await portone.refunds.create(ref, amount=amount, channel="FAKEPSP", reason="r")
    if name == "refunds":
        return await portone.refunds.get(ref)
    if name == "link":
        return await portone.payment_links.create(
            merchant_order_id=ref, amount=amount, extra=extra, **link
        )
    if name == "link_status":
        return await portone.payment_links.status_by_merchant_ref(ref)
    if name == "update":
        return await portone.payment_links.update(ref, amount=amount, extra=extra)
    if name == "cancel":
        return await portone.payment_links.cancel(ref)
    if name == "signature":
        return await portone.signatures.generate(
            amount=amount,
            currency="THB",
            merchant_order_id=ref,
            success_url=link["success_url"],
            failure_url=link["failure_url"],
        )
    if name == "webhook":
        return await portone.webhook_endpoints.register(name=ref, url=ref, type="payment_status")
    window = datetime(2025, 1, 1, tzinfo=UTC)
    return [t async for t in portone.transactions.list(start=window, end=window, page_size=amount)]


RESOURCES = st.sampled_from(
    [
        "status",
        "details",
        "capture",
        "refund",
        "refunds",
        "link",
        "link_status",
        "update",
        "cancel",
        "signature",
        "webhook",
        "list",
    ]
)


@FEW
@given(name=RESOURCES, ref=st.one_of(TEXTS, ANYTHING), amount=AMOUNTS, extra=EXTRAS)
# Cases found before, kept whatever the draw: a lone surrogate, a denormal refund, NaN and a
# non-serialisable value in extra.
@example(name="status", ref="\udcff", amount=None, extra=None)
@example(name="refund", ref="ORDER", amount=5e-324, extra=None)
@example(name="link", ref="L-1", amount=10, extra={"notes": float("nan")})
@example(name="link", ref="L-2", amount=10, extra={"notes": object()})
def test_resource_arguments_end_in_a_value_or_a_typed_error(
    env: HostileEnv, name: str, ref: Any, amount: Any, extra: Any
) -> None:
    """Any reference, amount or extra field: a value, or a typed error naming the argument."""
    outcome = env.run(lambda e: _resource_call(e, name, ref, amount, extra))
    _typed(outcome)


JSON_BODIES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(st.characters(exclude_categories=()), max_size=6),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@FEW
@given(
    method=st.one_of(st.sampled_from(["GET", "post", "PUT", "TRACE", "G\r\nET"]), ANYTHING),
    path=st.one_of(
        st.sampled_from(["/api/transaction/x/status", "/a b", "/a?b", "//x", "/%zz", "/\u00e9"]),
        TEXTS,
        ANYTHING,
    ),
    body=st.one_of(JSON_BODIES, st.just(object()), st.just({"when": datetime.now(UTC)})),
    params=st.one_of(
        st.none(),
        st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=5), st.integers())),
        ANYTHING,
    ),
    idempotent=st.one_of(st.none(), st.booleans(), ANYTHING),
)
@example(method="POST", path="/api/x", body=object(), params=None, idempotent=None)
@example(method="POST", path="/api/x", body={"n": float("nan")}, params=None, idempotent=None)
def test_request_arguments_end_in_a_value_or_a_typed_error(
    env: HostileEnv, method: Any, path: Any, body: Any, params: Any, idempotent: Any
) -> None:
    """``request()`` with any method, path, JSON, params or flag: a value or a typed error."""

    async def call(e: HostileEnv) -> Any:
        return await e.client.request(method, path, json=body, params=params, idempotent=idempotent)

    _typed(env.run(call))


def _deep(n: int, kind: str) -> bytes:
    if kind == "list":
        return b"[" * n + b"]" * n
    return b'{"a":' * n + b"1" + b"}" * n


PAYLOADS = st.one_of(
    st.binary(max_size=200),
    st.text(st.characters(exclude_categories=()), max_size=50),
    JSON_BODIES.map(lambda v: json.dumps(v).encode()),
    JSON_BODIES,
    st.builds(_deep, st.integers(10, 60_000), st.sampled_from(["list", "dict"])),
    st.dictionaries(st.text(max_size=20), JSON_BODIES, max_size=6),
    st.just({"signature_hash": "x", "amount": "1e999999", "currency": "THB"}),
    st.just({"signature_hash": "x", "amount": 10**400, "currency": "THB"}),
)
VERIFIERS = st.sampled_from(
    [
        webhooks.verify_payment_webhook,
        webhooks.verify_payment_link_webhook,
        webhooks.verify_subscription_link_webhook,
        lambda payload, _secret: webhooks.parse_refund_webhook(payload),
        webhooks.verify_redirect,
        webhooks.verify_subscription_redirect,
    ]
)


@FEW
@given(
    verify=VERIFIERS,
    payload=PAYLOADS,
    secret=st.one_of(st.just(CANARY_SECRET), TEXTS, ANYTHING),
)
def test_webhook_verifiers_end_in_an_event_or_a_typed_error(
    verify: Any, payload: Any, secret: Any
) -> None:
    """Any bytes, text, JSON or deep nesting, any secret: an event or a typed error."""
    try:
        verify(payload, secret)
    except PortOneError:
        pass
    except Exception as exc:
        raise AssertionError(f"{type(exc).__name__}: {str(exc)[:300]}") from None


# -- what PortOne may answer ---------------------------------------------------------------------

HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
HOSTILE_HEADERS = st.dictionaries(
    st.sampled_from(["Date", "Retry-After", "Content-Type", "Content-Encoding", "X-Other"]),
    st.one_of(
        HEADER_TEXT,
        st.sampled_from(
            [
                "Tue, 31 Dec 99999 23:59:59 GMT",
                "Fri, 31 Dec 2100 23:59:59 GMT",
                "\u00b2",
                "99999999999999999999",
                "-5",
                "1e400",
                "gzip",
            ]
        ),
    ),
    max_size=3,
)
HOSTILE_BODIES = st.one_of(
    st.binary(max_size=100),
    JSON_BODIES.map(lambda v: json.dumps(v).encode()),
    st.builds(_deep, st.integers(10, 60_000), st.sampled_from(["list", "dict"])),
    st.sampled_from(
        [
            b"",
            b"<html>502</html>",
            b'{"status_code": 2000}',
            b'{"status_code": "4054"}',
            b'{"status_code": "2000", "content": []}',
            b'{"content": {"status": null}}',
            b'{"amountToRefund": 1',
            b'{"a": 1, "a": 2}',
            b'{"n": 1e999999}',
            b'{"n": NaN}',
            "\udcff".encode("utf-8", "surrogatepass"),
        ]
    ),
)
CALLS = st.sampled_from(["status", "details", "refund", "capture", "link", "refunds", "list"])


_EXAMPLE = iter(range(10**9))


@FEW
@given(
    name=CALLS,
    status=st.integers(200, 599),
    headers=HOSTILE_HEADERS,
    body=HOSTILE_BODIES,
    after=st.booleans(),
)
@example(name="status", status=429, headers={"Retry-After": "\u00b2"}, body=b"", after=False)
@example(
    name="status",
    status=200,
    headers={"Date": "Tue, 31 Dec 99999 23:59:59 GMT"},
    body=b"{}",
    after=False,
)
def test_hostile_answers_end_in_a_value_or_a_typed_error(
    env: HostileEnv, name: str, status: int, headers: dict[str, str], body: bytes, after: bool
) -> None:
    """Any status, headers and body from PortOne, before or after it acted: data or a
    typed error, for reads and money-moving calls alike."""
    ref = f"H{next(_EXAMPLE):08d}"

    async def call(e: HostileEnv) -> Any:
        txn = e.fake.state.add_transaction(ref)
        target = ref if name in ("status", "link") else txn.order_ref
        fault = e.fake.fail(
            raw=body, status=status, headers=headers, after=after, times=None, contains=target
        )
        try:
            return await _resource_call(e, name, target, 10, None)
        finally:
            e.fake.faults.remove(fault)

    _typed(env.run(call))


def test_hostile_inputs_reach_the_fake(env: HostileEnv) -> None:
    """The property tests above talk to a live fake: a plain read through it succeeds."""
    txn_ref = "PLAIN-0001"

    async def call(e: HostileEnv) -> Any:
        e.fake.state.add_transaction(txn_ref)
        return await e.client.transactions.status(txn_ref)

    outcome = env.run(call)
    assert outcome.error is None
    assert outcome.value.status == "Success"
    with pytest.raises(ConfigurationError):
        env.client.request("GET", "no-slash").close()


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_a_deeply_nested_webhook_ends_in_a_typed_error(kind: str) -> None:
    """A webhook body nested 5,000 levels deep: a typed error, not a RecursionError."""
    with pytest.raises(PortOneError):
        webhooks.verify_payment_webhook(_deep(5000, kind), CANARY_SECRET)


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_a_deeply_nested_answer_ends_in_a_typed_error(env: HostileEnv, kind: str) -> None:
    """PortOne's answer to a refund it made, nested 5,000 levels deep: a typed error."""
    ref = f"H{next(_EXAMPLE):08d}"

    async def call(e: HostileEnv) -> Any:
        txn = e.fake.state.add_transaction(ref)
        e.fake.fail(raw=_deep(5000, kind), status=200, after=True, contains=txn.order_ref)
        return await _resource_call(e, "refund", txn.order_ref, 10, None)

    _typed(env.run(call))
