"""Transactions: status, details, the paged listing of all payments, capture, and the two
merchant-side updates (free fields of the details, a cash-on-delivery order status)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, get_args

from .._config import path_segment, text
from .._errors import AmbiguousResultError, ConfigurationError, PortOneError
from ._models import Transaction, TransactionStatus
from ._models_transactions import USER_FIELDS, TransactionDetailsUpdate
from ._money import expect_money_object, may_have_acted, money_object
from ._validate import (
    Environment,
    check_choice,
    check_environment,
    check_iso_datetime,
    check_json,
    expect_object,
    parse_object,
    parse_record,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["Transactions"]

_STATUS = parse_record(TransactionStatus.from_json, "a transaction status")


CodStatus = Literal["Success", "Failed"]
_COD_STATUSES: tuple[CodStatus, ...] = get_args(CodStatus)
# PortOne does not document a maximum page size; 100 keeps one answer to a few hundred KB.
MAX_PAGE_SIZE = 100


class Transactions:
    """``portone.transactions``: look payments up, list them, capture pre-authorised ones.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    def status(self, merchant_order_ref: str) -> Coroutine[Any, Any, TransactionStatus]:
        """The status of the payment you created under ``merchant_order_ref``.

        For a payment link, ask :meth:`PaymentLinks.status_by_merchant_ref` instead: each
        attempt on a link has its own merchant ref (the link's with ``_1``, ``_2``... appended).

        Args:
            merchant_order_ref: Your reference of the payment (for a link's attempt,
                ``LinkTransaction.merchant_order_ref``).
        """
        # A plain function returning the request's coroutine, which parses the answer itself:
        # the status lookup is what busy workers call most, and a coroutine layer of its own
        # cost about 1% of a request's CPU. A bad reference raises here, before any await.
        ref = path_segment("merchant_order_ref", merchant_order_ref)
        return self._client._fetch(f"/api/transaction/{ref}/status", _STATUS)

    async def details(self, order_ref: str) -> Transaction:
        """Everything PortOne knows about the payment with PortOne's reference ``order_ref``.

        Args:
            order_ref: PortOne's reference of the payment (``TransactionStatus.order_ref``).
        """
        ref = text("order_ref", order_ref)
        key = self._client.key_segment
        # A POST that only reads: replaying it is harmless, so it is retried like a GET.
        return await self._client.request(
            "POST",
            f"/api/{key}/transaction-details",
            json={"order_ref": ref},
            idempotent=True,
            parse=parse_record(Transaction.from_json, "the transaction details"),
        )

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
        key = self._client.key_segment
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
            data = await self._client.request(
                "POST", f"/api/transaction/{ref}/capture", parse=money_object
            )
        except PortOneError as exc:
            if not may_have_acted(exc):
                raise
            raise AmbiguousResultError(
                f"The capture of {order_ref!r} got no clear answer from PortOne.",
                how_to_check=how_to_check,
            ) from exc
        expect_money_object(data, "the capture", how_to_check)

    async def update_details(
        self,
        merchant_order_ref: str,
        *,
        description: str | None = None,
        user_configured_field1: str | None = None,
        user_configured_field2: str | None = None,
        user_configured_field3: str | None = None,
        user_configured_field4: str | None = None,
        user_configured_field5: str | None = None,
    ) -> TransactionDetailsUpdate:
        """Set the description and your free fields of a payment; the others keep their value.

        Give at least one field. A field is sent as given (``""`` or ``" "`` included); None
        leaves it alone. Retried like a read: the update sets values and moves no money, so
        sending the same update twice leaves the payment as sending it once.

        Args:
            merchant_order_ref: Your reference of the payment.
            description: A new description.
            user_configured_field1: A new value for your first free field.
            user_configured_field2: A new value for your second free field.
            user_configured_field3: A new value for your third free field.
            user_configured_field4: A new value for your fourth free field.
            user_configured_field5: A new value for your fifth free field.

        Returns:
            The fields as PortOne echoed them.
        """
        ref = path_segment("merchant_order_ref", merchant_order_ref)
        values = (
            description,
            user_configured_field1,
            user_configured_field2,
            user_configured_field3,
            user_configured_field4,
            user_configured_field5,
        )
        given = dict(zip(("description", *USER_FIELDS), values, strict=True))
        body = {name: _field(name, value) for name, value in given.items() if value is not None}
        if not body:
            raise ConfigurationError("update_details", "give at least one field to change")
        key = self._client.key_segment
        # A state-setting PUT: the same update twice leaves the same state, so it is idempotent.
        return await self._client.request(
            "PUT",
            f"/api/{key}/update-transaction-details/{ref}",
            json=body,
            idempotent=True,
            parse=parse_object(
                TransactionDetailsUpdate.from_json,
                "the transaction-details update",
                merchant_order_ref,
            ),
        )

    async def update_cod_status(
        self, merchant_order_ref: str, *, status: CodStatus, signature: str
    ) -> None:
        """Tell PortOne whether a cash-on-delivery order was paid (``"Success"``) or not
        (``"Failed"``).

        PortOne does not document how this request's ``signature`` is computed (which fields,
        in which order), so it is not computed here: pass the one computed with the recipe
        PortOne gave your account. PortOne documents no answer body either, so nothing is
        returned; :meth:`status` reads the result.

        Retried like a read: it sets the order's status to the value given, so the same
        update sent twice leaves the order as sending it once (and no money moves through
        PortOne: the cash was collected on delivery).

        Args:
            merchant_order_ref: Your reference of the cash-on-delivery payment.
            status: ``"Success"`` (the cash was collected) or ``"Failed"``.
            signature: The request's signature, computed outside this library.
        """
        body = {
            "merchant_order_ref": text("merchant_order_ref", merchant_order_ref),
            "status": check_choice("status", status, _COD_STATUSES),
            "signature": text("signature", signature),
        }
        # A state-setting PUT (status := Success | Failed): idempotent, so retried like a GET.
        await self._client.request("PUT", "/api/transaction/status", json=body, idempotent=True)


def _field(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(name, f"must be a string (got {type(value).__name__})")
    return str(check_json(name, value))


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
