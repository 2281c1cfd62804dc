"""What the fake's records see of the server and of each other.

The fake builds its state and its routes and hands itself to them; they are typed against these
views, so none of them imports the fake back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._records import Delivery, Transaction, WebhookEndpoint

__all__ = ["Host", "Ledger", "Registry"]


class Host(Protocol):
    """The fake server as its records see it: its merchants and its idea of the time."""

    @property
    def merchants(self) -> Mapping[str, str]: ...

    def now(self) -> float: ...


class Registry(Host, Protocol):
    """The fake server as its sub-merchant book sees it: it can accept a new merchant."""

    def add_merchant(self, client_key: str, secret_key: str) -> None: ...


class Ledger(Protocol):
    """The fake's payments and webhooks, as the subscription book adds to them."""

    @property
    def webhooks(self) -> list[WebhookEndpoint]: ...
    @property
    def deliveries(self) -> list[Delivery]: ...

    def new_ref(self, prefix: str = "") -> str: ...

    def add_transaction(
        self,
        merchant_order_ref: str,
        *,
        amount: float = ...,
        currency: str = ...,
        status: str = ...,
        **extra: Any,
    ) -> Transaction: ...
