"""The operations of a chaos run: what each one does, and what the fake's state says it did.

Every operation has its own references (a fresh transaction, a fresh merchant order id), so
the fake's records can be read per operation: how often it was processed, how often it
arrived.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aioportone import PortOneClient, webhooks
from aioportone.testing import FakePortOne, Fault, RecordedRequest, Transaction

from .faults import OpFault

__all__ = ["MONEY", "READS", "Op", "by_needle", "make_op"]

READS = frozenset({"status", "refunds_get", "details"})
MONEY = frozenset({"link", "refund", "capture"})
_WEIGHTS = {
    "status": 20,
    "refunds_get": 5,
    "details": 5,
    "link": 20,
    "refund": 20,
    "capture": 10,
    "webhook": 20,
}
# An operation's tag (see make_op), as it appears in a request body.
_TAG = re.compile(r"C\d+x\d{7}Z")
_SUCCESS_URL = "https://shop.example/ok"
_FAILURE_URL = "https://shop.example/failed"


@dataclass
class Op:
    """One operation: its kind, its unique ``tag``, what it calls, and how it ended."""

    index: int
    kind: str
    tag: str
    call: Callable[[], Awaitable[Any]]
    fault: OpFault | None = None
    rule: Fault | None = None
    txn: Transaction | None = None
    genuine: bool = True
    value: Any = None
    error: BaseException | None = None
    done: bool = False
    notes: list[str] = field(default_factory=list)

    def processed(self, fake: FakePortOne, links: Mapping[str, int]) -> int:
        """How many times the fake carried out this money-moving operation (``links``: the
        fake's payment links counted by merchant order id)."""
        if self.kind == "link":
            return links.get(self.tag, 0)
        assert self.txn is not None
        if self.kind == "refund":
            return sum(1 for r in self.txn.refunds if r.description == self.tag)
        if self.kind == "capture":
            return int(self.txn.captured)
        return 0

    @property
    def needle(self) -> str:
        """What the operation's requests carry in their path or body, and no other's."""
        return self.tag if self.txn is None or self.kind == "status" else self.txn.order_ref

    def arrivals(self, requests: Mapping[str, list[RecordedRequest]]) -> tuple[int, int]:
        """How many of this operation's requests reached the fake (for a payment link, the
        creation requests), and how many of those PortOne could have processed: not the ones
        refused before processing in a way the client can tell (429, a rejected JWT).
        ``requests`` is the fake's records by what they name (see :func:`by_needle`)."""
        found = requests.get(self.needle, [])
        if self.kind == "link":
            found = [r for r in found if r.path == "/api/paymentLink"]
        refused = sum(1 for r in found if r.authorized is False)
        rule = self.rule
        if rule is not None and rule.status == 429 and not rule.after:
            refused += rule.hits
        return len(found), len(found) - refused


def by_needle(fake: FakePortOne) -> dict[str, list[RecordedRequest]]:
    """The fake's records by the tags and order refs they name, in path or body (one pass:
    a search per operation would make a long run's check quadratic)."""
    index: dict[str, list[RecordedRequest]] = {}
    for record in fake.requests:
        names = set(record.path.split("/")) | set(_TAG.findall(record.body.decode("latin-1")))
        if isinstance(record.json, dict) and isinstance(record.json.get("order_ref"), str):
            names.add(record.json["order_ref"])
        for name in names:
            index.setdefault(name, []).append(record)
    return index


def make_op(
    index: int,
    seed: int,
    rng: random.Random,
    fake: FakePortOne,
    portone: PortOneClient,
    *,
    hostile: bool = True,
) -> Op:
    """Draw the next operation and set up the records it needs on the fake (``hostile``:
    webhooks may be forged or broken)."""
    kind = rng.choices(list(_WEIGHTS), weights=list(_WEIGHTS.values()))[0]
    # Fixed width and a closing letter: no tag is a substring of another.
    tag = f"C{seed}x{index:07d}Z"
    txn = None
    if kind != "link":
        txn = fake.state.add_transaction(tag, amount=100.0, currency="THB")
    if kind == "status":
        return Op(index, kind, tag, lambda: portone.transactions.status(tag), txn=txn)
    if txn is None:  # a payment link: its merchant order id is the tag
        return _link_op(index, tag, rng, portone)
    order_ref = txn.order_ref
    if kind == "refunds_get":
        return Op(index, kind, tag, lambda: portone.refunds.get(order_ref), txn=txn)
    if kind == "details":
        return Op(index, kind, tag, lambda: portone.transactions.details(order_ref), txn=txn)
    if kind == "refund":
        amount = rng.choice((1, 2.5, 10, 33.33))
        return Op(
            index,
            kind,
            tag,
            lambda: portone.refunds.create(
                order_ref, amount=amount, channel="FAKEPSP", reason="chaos", description=tag
            ),
            txn=txn,
        )
    if kind == "capture":
        return Op(index, kind, tag, lambda: portone.transactions.capture(order_ref), txn=txn)
    return _webhook_op(index, tag, rng, fake, txn, hostile=hostile)


def _link_op(index: int, tag: str, rng: random.Random, portone: PortOneClient) -> Op:
    price = rng.choice((100, 2500, 99.5))
    return Op(
        index,
        "link",
        tag,
        lambda: portone.payment_links.create(
            merchant_order_id=tag,
            amount=price,
            currency="THB",
            country_code="TH",
            merchant_name="Chaos Shop",
            success_url=_SUCCESS_URL,
            failure_url=_FAILURE_URL,
        ),
    )


def _webhook_op(
    index: int, tag: str, rng: random.Random, fake: FakePortOne, txn: Transaction, *, hostile: bool
) -> Op:
    """Verify a payment webhook: the genuine one PortOne would send, or a forged or broken one."""
    payload = fake.state.payment_webhook(txn)
    secret = next(iter(fake.merchants.values()))
    variant = rng.choice(("genuine", "genuine", "amount", "signature", "cut", "deep", "list"))
    if not hostile:
        variant = "genuine"
    body: bytes
    if variant == "amount":
        body = json.dumps({**payload, "amount": payload["amount"] + 1}).encode()
    elif variant == "signature":
        body = json.dumps({**payload, "signature_hash": "A" * 44}).encode()
    elif variant == "cut":
        body = json.dumps(payload).encode()[: rng.randrange(1, 60)]
    elif variant == "deep":
        body = b'{"a":' * 20_000 + b"1" + b"}" * 20_000
    elif variant == "list":
        body = json.dumps([payload]).encode()
    else:
        body = json.dumps(payload).encode()

    async def verify() -> Any:
        return webhooks.verify_payment_webhook(body, secret)

    op = Op(index, "webhook", tag, verify, txn=txn, genuine=variant == "genuine")
    op.notes.append(variant)
    return op
