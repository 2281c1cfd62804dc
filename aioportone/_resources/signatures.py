"""PortOne's generate-signature API: the remote twin of :func:`sign_payment_request`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .._config import text
from .._errors import APIError
from ._validate import check_currency, check_url, expect_object, wire_amount

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["Signatures"]


class Signatures:
    """``portone.signatures``. Payment links are signed locally; this asks PortOne instead,
    which is useful to cross-check a signature computed elsewhere.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def generate(
        self,
        *,
        amount: int | float | Decimal | str,
        currency: str,
        merchant_order_id: str,
        success_url: str,
        failure_url: str,
    ) -> str:
        """The payment-request ``signature_hash`` PortOne computes for these fields.

        Retried like a read: signing changes nothing on PortOne's side.

        Args:
            amount: The amount, in the currency's unit.
            currency: ISO 4217 code such as ``"THB"``.
            merchant_order_id: Your id of the order.
            success_url: The success redirect URL.
            failure_url: The failure redirect URL.

        Returns:
            The base64 signature.
        """
        # https://docs.portone.cloud/docs/payment-request (the generate-signature reference).
        code = check_currency(currency)
        body = {
            "portone_key": self._client.client_key,
            "currency": code,
            "amount": wire_amount(amount, currency=code),
            "merchant_order_id": text("merchant_order_id", merchant_order_id),
            "success_url": check_url("success_url", success_url),
            "failure_url": check_url("failure_url", failure_url),
        }
        # Signing has no side effect on PortOne's side: retried like a read.
        data = expect_object(
            await self._client.request(
                "POST", "/api/merchant/generate-signature", json=body, idempotent=True
            ),
            "the signature request",
        )
        content = data.get("content")
        signature = content.get("signature") if isinstance(content, dict) else None
        if not isinstance(signature, str) or not signature:
            raise APIError(status=200, message="PortOne answered without a signature", body=data)
        return signature
