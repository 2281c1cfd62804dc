"""Refunds: create one (never replayed blindly), read them all back."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Literal, get_args

from .._config import path_segment
from .._errors import AmbiguousResultError, PortOneError
from ._models import RefundSummary
from ._validate import (
    Environment,
    check_choice,
    check_environment,
    free_text,
    may_have_reached,
    record,
    wire_amount,
)

if TYPE_CHECKING:
    from .._client import PortOneClient

__all__ = ["Refunds"]

RefundType = Literal["full", "partial"]
_REFUND_TYPES: tuple[RefundType, ...] = get_args(RefundType)


class Refunds:
    """``portone.refunds``: give a buyer their money back, in full or in part."""

    def __init__(self, client: PortOneClient) -> None:
        self._client = client

    async def create(
        self,
        order_ref: str,
        *,
        amount: int | float | Decimal,
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
        Returns every refund of the payment; the new one is ``.latest``.

        PortOne has no idempotency key for refunds, so this request is **never** sent twice by
        the library: when the connection drops after it went out, or PortOne answers with a
        server error, :class:`AmbiguousResultError` is raised and :meth:`get` tells whether
        the refund happened. (A connection that never opened is retried: PortOne saw nothing.)
        """
        ref = path_segment("order_ref", order_ref)
        reason = free_text("reason", reason)
        # https://docs.portone.cloud/docs/refund: every field is required, amount included.
        body = {
            "amount": wire_amount(amount),
            "channel": free_text("channel", channel),
            "description": reason if description is None else free_text("description", description),
            "environment": check_environment(environment, self._client.environment),
            "refund_type": check_choice("refund_type", refund_type, _REFUND_TYPES),
            "refund_reason": reason,
        }
        try:
            data = await self._client.request("POST", f"/api/refund/{ref}", json=body)
        except PortOneError as exc:
            if not may_have_reached(exc):
                raise
            raise AmbiguousResultError(
                f"The refund of {order_ref!r} was sent but got no clear answer from PortOne, "
                "and was not retried.",
                how_to_check=f"call await portone.refunds.get({order_ref!r}) and compare its "
                "refunds with the ones you knew of before retrying.",
            ) from exc
        return RefundSummary.from_json(record(data, "the refund"))

    async def get(self, order_ref: str) -> RefundSummary:
        """Every refund of the payment ``order_ref`` and the amount still refundable.

        This is how to confirm a refund webhook, which PortOne does not sign.
        """
        ref = path_segment("order_ref", order_ref)
        data = await self._client.request("GET", f"/api/refund/{ref}")
        return RefundSummary.from_json(record(data, "the refunds"))
