"""What PortOne answers to a transaction-details update (the fields it now stores)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._events_webhook import frozen
from ._models import _content, _text

__all__ = ["USER_FIELDS", "TransactionDetailsUpdate"]

# payment.yaml, PUT /api/{portOneKey}/update-transaction-details/{merchant_order_ref}.
USER_FIELDS = tuple(f"user_configured_field{n}" for n in range(1, 6))


@dataclass(frozen=True, slots=True)
class TransactionDetailsUpdate:
    """The merchant fields of a payment after ``transactions.update_details``.

    PortOne echoes the fields it updated in ``content``; one it did not echo reads as ``""``
    here (``raw`` tells which were sent back).

    Attributes:
        merchant_order_ref: Your reference of the payment that was updated.
        description: The payment's description.
        user_configured_field1: Your first free field.
        user_configured_field2: Your second free field.
        user_configured_field3: Your third free field.
        user_configured_field4: Your fourth free field.
        user_configured_field5: Your fifth free field.
        message: PortOne's message (``"Transaction details updated successfully"``).
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    merchant_order_ref: str
    description: str
    user_configured_field1: str
    user_configured_field2: str
    user_configured_field3: str
    user_configured_field4: str
    user_configured_field5: str
    message: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], merchant_order_ref: str
    ) -> TransactionDetailsUpdate:
        """Read PortOne's answer.

        Args:
            data: The decoded JSON answer.
            merchant_order_ref: The reference the update was sent for.
        """
        content = _content(data)
        # PortOne's example echoes " " for a field set to a blank: kept as sent, not stripped.
        fields = {name: _raw_text(content, name) for name in ("description", *USER_FIELDS)}
        return cls(
            merchant_order_ref=merchant_order_ref,
            message=_text(data, "message"),
            raw=frozen(data),
            **fields,
        )


def _raw_text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""
