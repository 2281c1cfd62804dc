"""The ``signature_hash`` of subscription requests: plans, subscriptions, on-demand deductions.

The same recipe as every PortOne signature (see :mod:`aioportone._signatures`: listed fields
only, sorted, form-encoded, HMAC-SHA256 with the secret, base64), over the fields each request
type's page lists. Whole numbers (``frequency``, ``quantity``) are written as Go's
``strconv.Itoa`` writes them; amounts as the shortest plain decimal. Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

from ._errors import ConfigurationError
from ._secrets import Secret
from ._signatures import Amount, _compute, as_secret, format_amount

__all__ = ["sign_deduction", "sign_plan", "sign_subscription"]


def _whole(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigurationError(name, f"must be a whole number, not {type(value).__name__}")
    return str(value)


def _amount(value: Amount) -> str:
    formatted = format_amount(value)
    if formatted.startswith("-"):
        raise ConfigurationError("amount", "must not be negative")
    return formatted


def sign_plan(
    *,
    secret_key: str | Secret,
    portone_key: str,
    currency: str,
    merchant_order_ref: str,
    amount: Amount | None = None,
    frequency: int | None = None,
) -> str:
    """The ``signature_hash`` of a plan: a regular plan (``amount`` and ``frequency`` given)
    or an on-demand plan (neither given)."""
    fields = {
        "client_key": portone_key,
        "currency": currency,
        "merchant_order_ref": merchant_order_ref,
    }
    if (amount is None) != (frequency is None):
        raise ConfigurationError("amount", "a regular plan signs amount and frequency together")
    if amount is not None:
        # https://docs.portone.cloud/docs/regular-plan: amount, client_key, currency,
        # frequency, merchant_order_ref.
        fields["amount"] = _amount(amount)
        fields["frequency"] = _whole("frequency", frequency)
    # else https://docs.portone.cloud/docs/ondemand-plan: client_key, currency,
    # merchant_order_ref.
    return _compute(as_secret(secret_key), fields)


def sign_subscription(
    *,
    secret_key: str | Secret,
    portone_key: str,
    currency: str,
    merchant_order_ref: str,
    success_url: str,
    failure_url: str,
    quantity: int | None = None,
) -> str:
    """The ``signature_hash`` of a subscription: a regular one signs ``quantity`` too, an
    on-demand one (``quantity`` None) does not."""
    fields = {
        "client_key": portone_key,
        "currency": currency,
        "failure_url": failure_url,
        "merchant_order_ref": merchant_order_ref,
        "success_url": success_url,
    }
    if quantity is not None:
        # https://docs.portone.cloud/docs/regular-subscription: the five fields of
        # https://docs.portone.cloud/docs/ondemand-subscription, and quantity.
        fields["quantity"] = _whole("quantity", quantity)
    return _compute(as_secret(secret_key), fields)


def sign_deduction(
    *,
    secret_key: str | Secret,
    portone_key: str,
    amount: Amount,
    currency: str,
    merchant_order_ref: str,
    subscription_order_ref: str,
) -> str:
    """The ``signature_hash`` of an on-demand deduction."""
    # https://docs.portone.cloud/docs/ondemand-deduction
    return _compute(
        as_secret(secret_key),
        {
            "amount": _amount(amount),
            "client_key": portone_key,
            "currency": currency,
            "merchant_order_ref": merchant_order_ref,
            "subscription_order_ref": subscription_order_ref,
        },
    )
