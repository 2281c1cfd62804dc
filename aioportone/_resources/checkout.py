"""``portone.checkout``: starting a payment from the merchant's backend (payment.yaml).

``POST /api/initiatePayment`` is the one operation PortOne declares without a JWT: it is sent
with the client key alone, and the request is authenticated by its ``signature_hash``, computed
here (https://docs.portone.cloud/docs/payment-request).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, get_args

from .._config import text
from .._errors import AmbiguousResultError, PortOneError
from .._events_webhook import frozen
from ._money import expect_money_object, may_have_acted, money_object
from ._validate import (
    Environment,
    body_fields,
    check_choice,
    check_currency,
    check_environment,
    check_url,
    free_text,
    wire_amount,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["Checkout", "InitiatedPayment"]

TransactionType = Literal["PURCHASE", "PREAUTH"]
_TRANSACTION_TYPES: tuple[TransactionType, ...] = get_args(TransactionType)
# The fields the arguments set; ``extra`` may not override them (in any spelling).
_OWN_FIELDS = frozenset(
    {
        "key",
        "merchant_order_id",
        "pmt_channel",
        "pmt_method",
        "description",
        "environment",
        "amount",
        "currency",
        "signature_hash",
        "success_url",
        "failure_url",
        "pending_url",
        "transaction_type",
    }
)


@dataclass(frozen=True, slots=True)
class InitiatedPayment:
    """A payment PortOne has started: where to send the buyer next.

    Args:
        order_ref: PortOne's reference of the payment.
        merchant_order_ref: Your ``merchant_order_id``, as PortOne echoes it.
        channel_order_ref: The payment channel's reference ("" when not sent).
        redirect_url: The page to send the buyer to (None when PortOne sent none).
        deep_link: The wallet app link, for mobile flows (None when not sent).
        qrcode_url: The QR code image, for QR payments (None when not sent).
        expiry_in_minutes: Minutes the payment stays payable (None when not sent or unreadable).
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    order_ref: str
    merchant_order_ref: str
    channel_order_ref: str
    redirect_url: str | None
    deep_link: str | None
    qrcode_url: str | None
    expiry_in_minutes: int | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], merchant_order_id: str) -> InitiatedPayment:
        """Read ``initiatePayment``'s answer (a bare object, payment.yaml).

        Args:
            data: The decoded answer.
            merchant_order_id: The id the payment was requested under (when not echoed).
        """

        def given(name: str) -> str | None:
            value = data.get(name)
            return value if isinstance(value, str) and value else None

        expiry = data.get("expiry_in_minutes")
        minutes: int | None = None
        if isinstance(expiry, str) and expiry.strip().isascii() and expiry.strip().isdigit():
            minutes = int(expiry.strip())
        elif isinstance(expiry, int) and not isinstance(expiry, bool) and expiry >= 0:
            minutes = expiry
        return cls(
            order_ref=given("order_ref") or "",
            merchant_order_ref=given("merchant_order_ref") or merchant_order_id,
            channel_order_ref=given("channel_order_ref") or "",
            redirect_url=given("redirect_url"),
            deep_link=given("deep_link"),
            qrcode_url=given("qrcode_url"),
            expiry_in_minutes=minutes,
            raw=frozen(data),
        )


class Checkout:
    """``portone.checkout``: payments started from your backend.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def initiate_payment(
        self,
        *,
        merchant_order_id: str,
        amount: int | float | Decimal | str,
        currency: str,
        payment_channel: str,
        payment_method: str,
        description: str,
        success_url: str,
        failure_url: str,
        pending_url: str | None = None,
        transaction_type: TransactionType | None = None,
        environment: Environment | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> InitiatedPayment:
        """Start a payment of ``amount`` ``currency`` through a payment channel and method.

        Sent with the client key and no JWT, as PortOne declares ``initiatePayment``; its
        ``signature_hash`` is computed here with your secret.

        It asks for money, and PortOne documents no deduplication by ``merchant_order_id`` for
        it: once the request may have reached PortOne, it is never sent again. A lost
        connection, a timeout, a 5xx, a 429 or an answer that cannot be read raises
        :class:`AmbiguousResultError`; look the order up with
        ``portone.transactions.status(merchant_order_id)`` before starting it again.

        ``extra`` carries further documented body fields (``billing_details``,
        ``shipping_details``, ``order_details``, ``token_params``, ``routing_enabled``,
        ``routing_params``, ``user_configured_field1`` ...) as PortOne spells them.

        Args:
            merchant_order_id: Your unique id of the order.
            amount: The amount in the currency's unit; more than 0, refused before sending
                when it cannot travel exactly (as for payment links).
            currency: ISO 4217 code such as ``"VND"``.
            payment_channel: PortOne's channel key (``pmt_channel``), e.g. ``"STRIPE"``.
            payment_method: PortOne's method key (``pmt_method``), e.g. ``"STRIPE_CARD"``.
            description: A description of the order.
            success_url: Where PortOne sends the buyer after paying (http or https).
            failure_url: Where PortOne sends the buyer after a failed payment.
            pending_url: Where PortOne sends the buyer while the payment is pending.
            transaction_type: ``"PURCHASE"`` or ``"PREAUTH"`` (capture later); PortOne's
                default when None.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
            extra: Further body fields; they may not override the ones set from the
                arguments above.

        Returns:
            The started payment; ``redirect_url`` (or ``deep_link``, ``qrcode_url``) is where
            the buyer goes next.

        Raises:
            ConfigurationError: A bad argument, named, before anything is sent.
            AmbiguousResultError: The request may have reached PortOne without a clear answer.
        """
        order_id = text("merchant_order_id", merchant_order_id)
        code = check_currency(currency)
        number = wire_amount(amount, currency=code)
        success = check_url("success_url", success_url)
        failure = check_url("failure_url", failure_url)
        body: dict[str, Any] = {
            "key": self._client.client_key,
            "merchant_order_id": order_id,
            "pmt_channel": text("payment_channel", payment_channel),
            "pmt_method": text("payment_method", payment_method),
            "description": free_text("description", description),
            "environment": check_environment(environment, self._client.environment),
            "amount": number,
            "currency": code,
            "success_url": success,
            "failure_url": failure,
        }
        if pending_url is not None:
            body["pending_url"] = check_url("pending_url", pending_url)
        if transaction_type is not None:
            body["transaction_type"] = check_choice(
                "transaction_type", transaction_type, _TRANSACTION_TYPES
            )
        body.update(body_fields(extra, _OWN_FIELDS))
        # https://docs.portone.cloud/docs/payment-request: the amount signed is the number sent.
        body["signature_hash"] = self._client.signer.payment_request(
            amount=number,
            currency=code,
            merchant_order_id=order_id,
            success_url=success,
            failure_url=failure,
        )
        check = (
            f"look the order up with await portone.transactions.status({order_id!r}) before "
            "starting it again."
        )
        try:
            data = await self._client.request(
                "POST", "/api/initiatePayment", json=body, auth=False, parse=money_object
            )
        except AmbiguousResultError:
            raise
        except PortOneError as exc:
            if not may_have_acted(exc):
                raise
            raise AmbiguousResultError(
                f"The payment {order_id!r} was sent but got no clear answer from PortOne, "
                "and was not sent again.",
                how_to_check=check,
            ) from exc
        answer = expect_money_object(data, f"the payment {order_id!r}", check)
        return InitiatedPayment.from_json(answer, order_id)
