"""The signing callable the token layer hands to the resources: the secret stays inside it.

A resource signs a payment request, a plan, a subscription or a deduction without ever holding
the PortOne secret: the :class:`TokenManager` builds one :class:`Signer` from its key and secret
and the resources only call its methods. The recipes themselves stay in
:mod:`aioportone._signatures` and :mod:`aioportone._signatures_subscriptions`; each method here
only adds the two values every recipe signs with. Pure: no I/O.

No frame of a signing traceback shows the secret: a method's frame holds the signer (its
``repr`` names the key only) and the recipe's frame holds the :class:`Secret` wrapper.
"""

from __future__ import annotations

from ._secrets import Secret
from ._signatures import Amount, sign_payment_request
from ._signatures_subscriptions import sign_deduction, sign_plan, sign_subscription

__all__ = ["Signer"]


class Signer:
    """Signs PortOne requests as one merchant; its ``repr`` shows the PortOne key only.

    Args:
        portone_key: The merchant's PortOne key, signed as ``client_key``.
        secret: The merchant's PortOne secret, the HMAC key.
    """

    __slots__ = ("_portone_key", "_secret")

    def __init__(self, portone_key: str, secret: Secret) -> None:
        # Kept as given: each recipe checks both values, as it does when called directly.
        self._portone_key = portone_key
        self._secret = secret

    def __repr__(self) -> str:
        return f"Signer(portone_key={self._portone_key!r})"

    def payment_request(
        self,
        *,
        amount: Amount,
        currency: str,
        merchant_order_id: str,
        success_url: str,
        failure_url: str,
    ) -> str:
        """The ``signature_hash`` of a payment request, payment link or checkout.

        Args:
            amount: The amount sent, in the currency's unit.
            currency: The ISO 4217 code sent.
            merchant_order_id: Your id of the order.
            success_url: The success redirect URL sent.
            failure_url: The failure redirect URL sent.
        """
        return sign_payment_request(
            secret_key=self._secret,
            portone_key=self._portone_key,
            amount=amount,
            currency=currency,
            merchant_order_id=merchant_order_id,
            success_url=success_url,
            failure_url=failure_url,
        )

    def plan(
        self,
        *,
        currency: str,
        merchant_order_ref: str,
        amount: Amount | None = None,
        frequency: int | None = None,
    ) -> str:
        """The ``signature_hash`` of a plan: regular with ``amount`` and ``frequency``, on-demand
        with neither.

        Args:
            currency: The ISO 4217 code sent.
            merchant_order_ref: Your reference of the plan.
            amount: A regular plan's amount per deduction.
            frequency: Every how many periods a regular plan deducts.
        """
        return sign_plan(
            secret_key=self._secret,
            portone_key=self._portone_key,
            currency=currency,
            merchant_order_ref=merchant_order_ref,
            amount=amount,
            frequency=frequency,
        )

    def subscription(
        self,
        *,
        currency: str,
        merchant_order_ref: str,
        success_url: str,
        failure_url: str,
        quantity: int | None = None,
    ) -> str:
        """The ``signature_hash`` of a subscription: a regular one signs ``quantity`` too.

        Args:
            currency: The ISO 4217 code sent.
            merchant_order_ref: Your reference of the subscription.
            success_url: The success redirect URL sent.
            failure_url: The failure redirect URL sent.
            quantity: A regular subscription's quantity; None for an on-demand one.
        """
        return sign_subscription(
            secret_key=self._secret,
            portone_key=self._portone_key,
            currency=currency,
            merchant_order_ref=merchant_order_ref,
            success_url=success_url,
            failure_url=failure_url,
            quantity=quantity,
        )

    def deduction(
        self,
        *,
        amount: Amount,
        currency: str,
        merchant_order_ref: str,
        subscription_order_ref: str,
    ) -> str:
        """The ``signature_hash`` of an on-demand deduction.

        Args:
            amount: The amount sent, in the currency's unit.
            currency: The ISO 4217 code sent.
            merchant_order_ref: Your reference of the deduction.
            subscription_order_ref: PortOne's reference of the subscription charged.
        """
        return sign_deduction(
            secret_key=self._secret,
            portone_key=self._portone_key,
            amount=amount,
            currency=currency,
            merchant_order_ref=merchant_order_ref,
            subscription_order_ref=subscription_order_ref,
        )
