"""Read PortOne's refund webhooks, which are not signed (nothing to verify, only to parse)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from aioportone._errors import ConfigurationError
from aioportone._events_webhook import RefundEvent, frozen
from aioportone._signatures import WebhookPayloadError, _decode, format_amount

__all__ = ["parse_refund_webhook"]


def parse_refund_webhook(payload: bytes | str | Mapping[str, Any]) -> RefundEvent:
    """Read a refund webhook. It is **not verified**: PortOne does not sign refund webhooks.

    Anyone who knows your webhook URL can send one, so treat the event as a hint only and ask
    PortOne for the truth with ``await portone.refunds.get(event.order_ref)`` before acting.
    Args:
        payload: The request body (bytes or str) or the already-decoded JSON object.

    Raises:
        WebhookPayloadError: The body is not a JSON object, has no ``payment_txn_ref``, or
            its ``amount`` is not a number.
    """
    # https://docs.portone.cloud/docs/refund-webhook: the payload has no signature_hash.
    data = _decode(payload)
    order_ref = data.get("payment_txn_ref")
    if not isinstance(order_ref, str) or not order_ref:
        raise WebhookPayloadError("refund webhook has no 'payment_txn_ref' (the payment's ref)")
    amount: Decimal | None = None
    if data.get("amount") is not None:
        try:
            amount = Decimal(format_amount(data["amount"]))
        except ConfigurationError as exc:
            raise WebhookPayloadError(f"refund webhook field 'amount' {exc.problem}") from None
    return RefundEvent(
        order_ref=order_ref,
        refund_id=_string_or_none(data, "refund_id"),
        refund_status=_string_or_none(data, "refund_status"),
        amount=amount,
        currency=_string_or_none(data, "currency"),
        raw=frozen(data),
    )


def _string_or_none(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None
