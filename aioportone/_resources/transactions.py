"""Transactions: status, details, the paged listing of all payments, and capture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._config import path_segment, text
from .._errors import AmbiguousResultError, ConfigurationError, PortOneError
from ._models import Transaction, TransactionStatus
from ._money import expect_money_object, may_have_acted
from ._validate import (
    Environment,
    check_environment,
    check_iso_datetime,
    expect_object,
    record,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["Transactions"]

# PortOne does not document a maximum page size; 100 keeps one answer to a few hundred KB.
MAX_PAGE_SIZE = 100


class Transactions:
    """``portone.transactions``: look payments up, list them, capture pre-authorised ones.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def status(self, merchant_order_ref: str) -> TransactionStatus:
        """The status of the payment you created under ``merchant_order_ref``.

        For a payment link, ask :meth:`PaymentLinks.status_by_merchant_ref` instead: each
        attempt on a link has its own merchant ref (the link's with ``_1``, ``_2``... appended).

        Args:
            merchant_order_ref: Your reference of the payment (for a link's attempt,
                ``LinkTransaction.merchant_order_ref``).
        """
        ref = path_segment("merchant_order_ref", merchant_order_ref)
        data = await self._client.request("GET", f"/api/transaction/{ref}/status")
        return TransactionStatus.from_json(record(data, "a transaction status"))

    async def details(self, order_ref: str) -> Transaction:
        """Everything PortOne knows about the payment with PortOne's reference ``order_ref``.

        Args:
            order_ref: PortOne's reference of the payment (``TransactionStatus.order_ref``).
        """
        ref = text("order_ref", order_ref)
        key = self._client._key_segment
        # A POST that only reads: replaying it is harmless, so it is retried like a GET.
        data = await self._client.request(
            "POST", f"/api/{key}/transaction-details", json={"order_ref": ref}, idempotent=True
        )
        return Transaction.from_json(record(data, "the transaction details"))

    def list(
        self,
        *,
        start: datetime,
        end: datetime,
        page_size: int = 50,
        environment: Environment | None = None,
    ) -> AsyncIterator[Transaction]:
        """Every payment created between ``start`` and ``end`` (timezone-aware datetimes).

        ::

            async for txn in portone.transactions.list(start=since, end=now):
                ...

        Pages are fetched one at a time as you iterate, until PortOne's ``total_pages``.
        Arguments are checked here, before the first page is asked for.

        Args:
            start: The start of the window (timezone-aware).
            end: The end of the window (timezone-aware, not before ``start``).
            page_size: Payments per page, 1 to 100.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            An async iterator over the payments.
        """
        window = {"from": check_iso_datetime("start", start), "to": check_iso_datetime("end", end)}
        if start > end:
            raise ConfigurationError("end", "must not be before start")
        if isinstance(page_size, bool) or not isinstance(page_size, int):
            raise ConfigurationError("page_size", "must be an integer")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ConfigurationError("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
        env = check_environment(environment, self._client.environment)
        key = self._client._key_segment
        return self._pages(f"/api/merchant/{key}/fetch-all-payments", window, page_size, env)

    async def _pages(
        self, path: str, window: dict[str, str], size: int, environment: Environment
    ) -> AsyncIterator[Transaction]:
        page = 1
        while True:
            body = {"page": page, "size": size, **window, "environment": environment}
            data = expect_object(
                await self._client.request("POST", path, json=body, idempotent=True),
                "the payments listing",
            )
            # The listing nests its page under "body", unlike every other answer.
            listing = data.get("body")
            if not isinstance(listing, dict):
                return
            items = listing.get("content")
            items = items if isinstance(items, list) else []
            for item in items:
                if isinstance(item, dict):
                    yield Transaction.from_json(item)
            total = _int(listing.get("total_pages"))
            # An empty page ends the walk even if total_pages says otherwise: no endless loop.
            if not items or total is None or page >= total:
                return
            page += 1

    async def capture(self, order_ref: str) -> None:
        """Capture a pre-authorised (``PREAUTH``) payment.

        Capture moves money, so it is not replayed after a failure that may have reached
        PortOne (a lost answer, 5xx, 429, a token rejection, an unreadable 2xx): that raises
        :class:`AmbiguousResultError`; :meth:`details` then tells.

        Args:
            order_ref: PortOne's reference of the payment.
        """
        ref = path_segment("order_ref", order_ref)
        how_to_check = (
            f"call await portone.transactions.details({order_ref!r}) and look "
            "at its status before capturing again."
        )
        try:
            data = await self._client.request("POST", f"/api/transaction/{ref}/capture")
        except PortOneError as exc:
            if not may_have_acted(exc):
                raise
            raise AmbiguousResultError(
                f"The capture of {order_ref!r} got no clear answer from PortOne.",
                how_to_check=how_to_check,
            ) from exc
        expect_money_object(data, "the capture", how_to_check)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
