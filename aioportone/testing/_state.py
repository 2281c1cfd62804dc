"""What the fake PortOne remembers: transactions (and, as it grows, links, refunds, webhooks)."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._fake import FakePortOne

__all__ = ["FakeState", "Transaction"]


@dataclass
class Transaction:
    """A payment attempt as PortOne stores it."""

    order_ref: str
    merchant_order_ref: str
    amount: float
    currency: str
    status: str = "Success"
    channel_order_ref: str = ""
    channel_key: str = "FAKEPSP"
    method_name: str = "Card"
    country_code: str = "TH"
    payment_link_ref: str = ""
    created_at: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def status_content(self) -> dict[str, Any]:
        return {
            "order_ref": self.order_ref,
            "channel_order_ref": self.channel_order_ref,
            "status": self.status,
        }

    def details(self) -> dict[str, Any]:
        return {
            "order_ref": self.order_ref,
            "merchant_order_ref": self.merchant_order_ref,
            "channel_order_ref": self.channel_order_ref,
            "amount": self.amount,
            "currency": self.currency,
            "status": self.status,
            "channel_key": self.channel_key,
            "method_name": self.method_name,
            "country_code": self.country_code,
            "payment_link_ref": self.payment_link_ref,
            **self.extra,
        }


class FakeState:
    """In-memory PortOne data, keyed the way PortOne's paths look things up."""

    def __init__(self, fake: FakePortOne) -> None:
        self._fake = fake
        self._seq = itertools.count(1)
        self.transactions: dict[str, Transaction] = {}  # by merchant_order_ref

    def new_ref(self, prefix: str = "") -> str:
        """A PortOne-looking reference (27 characters, like ``2YGZp22ExeOu0As61wa7i0JyMJn``)."""
        return prefix + secrets.token_urlsafe(20)[:27].replace("-", "x").replace("_", "y")

    def add_transaction(
        self,
        merchant_order_ref: str,
        *,
        amount: float = 100.0,
        currency: str = "THB",
        status: str = "Success",
        **extra: Any,
    ) -> Transaction:
        txn = Transaction(
            order_ref=self.new_ref(),
            merchant_order_ref=merchant_order_ref,
            amount=amount,
            currency=currency,
            status=status,
            channel_order_ref=f"PSP{next(self._seq):08d}",
            created_at=self._fake.now(),
            extra=extra,
        )
        self.transactions[merchant_order_ref] = txn
        return txn

    def by_order_ref(self, order_ref: str) -> Transaction | None:
        return next((t for t in self.transactions.values() if t.order_ref == order_ref), None)
