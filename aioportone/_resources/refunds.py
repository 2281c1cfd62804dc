"""Refunds: create one (never replayed blindly), read them all back."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Literal, get_args

from .._config import path_segment
from .._errors import AmbiguousResultError, PortOneError
from ._models import RefundSummary
from ._money import expect_money_object, may_have_acted, money_object
from ._validate import (
    Environment,
    check_choice,
    check_environment,
    free_text,
    parse_record,
    wire_amount,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["Refunds"]

RefundType = Literal["full", "partial"]
_REFUND_TYPES: tuple[RefundType, ...] = get_args(RefundType)


class Refunds:
    """``portone.refunds``: give a buyer their money back, in full or in part.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def create(
        self,
        order_ref: str,
        *,
        amount: int | float | Decimal | str,
        channel: str,
        reason: str,
        refund_type: RefundType = "partial",
        description: str | None = None,
        environment: Environment | None = None,
    ) -> RefundSummary:
        """Refund ``amount`` of the payment with PortOne's reference ``order_ref``.

        ``channel`` is the payment channel the buyer paid with (the transaction's
        ``channel_key``, e.g. ``"OMISE"``). With ``refund_type="full"`` PortOne refunds what is
        left and ignores ``amount`` (it is still required: say what you expect to refund).
        Returns every refund of the payment; the new one is ``.latest``. ``amount`` is an int,
        a Decimal, a decimal string or an exact float with at most 4 decimals (the payment's
        currency is not known here; PortOne checks the amount against it).

        PortOne has no idempotency key for refunds, so this request is **never** sent twice by
        the library: when the connection drops after it went out, PortOne answers with a server
        error, a 429 or a token rejection (none proves the refund did not happen), or its 2xx
        answer cannot be read, :class:`AmbiguousResultError` is raised and :meth:`get` tells
        whether the refund happened. (A connection that never opened is retried: PortOne saw
        nothing.)

        Args:
            order_ref: PortOne's reference of the payment (``TransactionStatus.order_ref``).
            amount: The amount in the currency's unit (e.g. ``2500`` for 2,500 THB); more
                than 0, and refused before sending when it cannot travel exactly.
            channel: The payment channel the buyer paid with (``Transaction.channel_key``).
            reason: Why; sent as ``refund_reason``.
            refund_type: ``"partial"`` (default) or ``"full"``.
            description: Sent as ``description``; ``reason`` when None.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            Every refund of the payment; the new one is ``.latest``.

        Raises:
            AmbiguousResultError: The refund was sent and its outcome is unknown.
        """
        ref = path_segment("order_ref", order_ref)
        reason = free_text("reason", reason)
        # https://docs.portone.cloud/docs/refund: every field is required, amount included.
        # The payment's currency is not known here: the decimals any currency allows (4).
        body = {
            "amount": wire_amount(amount),
            "channel": free_text("channel", channel),
            "description": reason if description is None else free_text("description", description),
            "environment": check_environment(environment, self._client.environment),
            "refund_type": check_choice("refund_type", refund_type, _REFUND_TYPES),
            "refund_reason": reason,
        }
        how_to_check = (
            f"call await portone.refunds.get({order_ref!r}) and compare its "
            "refunds with the ones you knew of before retrying."
        )
        try:
            data = await self._client.request(
                "POST", f"/api/refund/{ref}", json=body, parse=money_object
            )
        except PortOneError as exc:
            if not may_have_acted(exc):
                raise
            raise AmbiguousResultError(
                f"The refund of {order_ref!r} was sent but got no clear answer from PortOne, "
                "and was not retried.",
                how_to_check=how_to_check,
            ) from exc
        return RefundSummary.from_json(expect_money_object(data, "the refund", how_to_check))

    async def get(self, order_ref: str) -> RefundSummary:
        """Every refund of the payment ``order_ref`` and the amount still refundable.

        This is how to confirm a refund webhook, which PortOne does not sign.

        Args:
            order_ref: PortOne's reference of the payment.
        """
        ref = path_segment("order_ref", order_ref)
        return await self._client.request(
            "GET",
            f"/api/refund/{ref}",
            parse=parse_record(RefundSummary.from_json, "the refunds"),
        )
