"""On-demand deductions: charge a subscription now, or bring a regular one's next date forward.

The deduction methods of ``portone.subscriptions``: :class:`Subscriptions` inherits them. Both
move money and are sent once (see :mod:`._subscription_common`); after an unknown outcome the
subscription's payments tell what happened.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._config import text
from ._models_subscriptions import Deduction
from ._subscription_common import DEDUCTION_SOURCES, DeductionSource, write_once
from ._validate import (
    Environment,
    check_choice,
    check_currency,
    check_environment,
    free_text,
    wire_amount,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["SubscriptionDeductions"]


class SubscriptionDeductions:
    """The deduction methods of ``portone.subscriptions`` (:class:`Subscriptions`)."""

    _client: Caller

    async def deduct(
        self,
        subscription_order_ref: str,
        *,
        merchant_order_ref: str,
        amount: int | float | Decimal,
        currency: str,
        description: str | None = None,
        source: DeductionSource = "api",
        environment: Environment | None = None,
    ) -> Deduction:
        """Charge an active on-demand subscription ``amount`` now; signed here.

        This moves money and PortOne has no idempotency key for it, so it is **never** sent
        twice by the library: when the connection drops after it went out, PortOne answers
        with a server error, or its answer cannot be read, :class:`AmbiguousResultError` is
        raised and ``subscriptions.transactions()`` tells whether the charge happened.

        Args:
            subscription_order_ref: PortOne's reference of the subscription.
            merchant_order_ref: Your unique reference of this deduction.
            amount: The amount in the currency's unit; more than 0, and refused before
                sending when it cannot travel exactly.
            currency: ISO 4217 code such as ``"THB"`` (the subscription's).
            description: What the charge is for.
            source: PortOne's ``source`` field: ``"api"`` (default) or ``"checkout"``.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            The accepted deduction (``status`` ``"Initiated"``); its outcome comes later.

        Raises:
            AmbiguousResultError: The deduction was sent and its outcome is unknown.
        """
        subscription = text("subscription_order_ref", subscription_order_ref)
        ref = text("merchant_order_ref", merchant_order_ref)
        code = check_currency(currency)
        number = wire_amount(amount, currency=code)
        body: dict[str, Any] = {
            "portone_key": self._client.client_key,
            "merchant_order_ref": ref,
            "subscription_order_ref": subscription,
            "source": check_choice("source", source, DEDUCTION_SOURCES),
            "amount": number,
            "currency": code,
            "environment": check_environment(environment, self._client.environment),
        }
        if description is not None:
            body["description"] = free_text("description", description)
        body["signature_hash"] = self._client.signer.deduction(
            amount=number,
            currency=code,
            merchant_order_ref=ref,
            subscription_order_ref=subscription,
        )
        # subscription.yaml's path; the guide page (creating-an-on-demand-deduction) writes
        # /api/subscription/deduct, which no spec declares.
        data = await write_once(
            self._client,
            "POST",
            "/api/subscription/createDeduction",
            body,
            what=f"The deduction {ref!r} from {subscription!r}",
            how_to_check=_check_payments(subscription, ref),
        )
        return Deduction.from_json(data, ref)

    async def trigger_next_deduction(
        self, subscription_order_ref: str, *, environment: Environment | None = None
    ) -> None:
        """Make a regular subscription's next scheduled deduction now, not at its date.

        PortOne processes it shortly after answering; ``subscriptions.transactions()`` shows
        it. Never replayed: after an unknown outcome :class:`AmbiguousResultError` is raised,
        since a second call could charge the following installment too.

        Args:
            subscription_order_ref: PortOne's reference of the subscription.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Raises:
            AmbiguousResultError: The request was sent and its outcome is unknown.
        """
        subscription = text("subscription_order_ref", subscription_order_ref)
        body = {
            "portone_key": self._client.client_key,
            "subscription_order_ref": subscription,
            "environment": check_environment(environment, self._client.environment),
        }
        await write_once(
            self._client,
            "PUT",
            "/api/subscription/triggerNextDeduction",
            body,
            what=f"Triggering the next deduction of {subscription!r}",
            how_to_check=_check_payments(subscription, None),
            answer_ref=False,
        )


def _check_payments(subscription: str, ref: str | None) -> str:
    deduction = f"one with merchant_order_ref {ref!r}" if ref else "a new one"
    return (
        f"call await portone.subscriptions.transactions({subscription!r}) and look for "
        f"{deduction} before deducting again."
    )
