"""What the fake PortOne remembers: payment links, the transactions paid on them, refunds of
those, webhook endpoints, and the webhooks it sent.

Tests drive the buyer's side through helpers: ``fake.state.pay_link(ref)`` is a buyer paying a
link, ``await fake.state.send_webhooks(txn)`` is PortOne notifying the merchant.
"""

from __future__ import annotations

import itertools
import secrets
import uuid
from typing import TYPE_CHECKING, Any

import aiohttp

from ._payout_state import PayoutState
from ._recipes import (
    PAYMENT_LINK_WEBHOOK_FIELDS,
    PAYMENT_WEBHOOK_FIELDS,
    portone_signature,
    signed_fields,
)
from ._recon_state import ReconState
from ._records import (
    FINAL_LINK_STATUSES,
    Delivery,
    PaymentLink,
    Refund,
    Transaction,
    WebhookEndpoint,
    iso_time,
)
from ._state_subscriptions import SubscriptionBook
from ._sub_merchant_state import SubMerchantState

if TYPE_CHECKING:
    from ._context import Registry

# The records are re-exported: aioportone.testing imports Transaction from this module.
__all__ = ["Delivery", "FakeState", "PaymentLink", "Refund", "Transaction", "WebhookEndpoint"]


class FakeState:
    """In-memory PortOne data, keyed the way PortOne's paths look things up.

    Reached as ``fake.state``.

    Args:
        fake: The fake server it belongs to.
    """

    def __init__(self, fake: Registry) -> None:
        self._fake = fake
        self._seq = itertools.count(1)
        self.transactions: dict[str, Transaction] = {}  # by merchant_order_ref
        self.links: dict[str, PaymentLink] = {}  # by payment_link_ref
        # Sub-merchant key -> the master merchant that named it on a payment link it created:
        # the master reads and cancels those links with its own key alone.
        self.masters: dict[str, str] = {}
        self.webhooks: list[WebhookEndpoint] = []
        self.deliveries: list[Delivery] = []
        self.subscriptions = SubscriptionBook(fake, self)
        self.payouts = PayoutState(fake)
        self.recon = ReconState(fake)
        self.sub_merchants = SubMerchantState(fake, lambda: self.links.values())

    def new_ref(self, prefix: str = "") -> str:
        """A PortOne-looking reference (27 characters, like ``2YGZp22ExeOu0As61wa7i0JyMJn``).

        Args:
            prefix: Put before the random part.
        """
        return prefix + secrets.token_urlsafe(20)[:27].replace("-", "x").replace("_", "y")

    def add_transaction(
        self,
        merchant_order_ref: str,
        *,
        amount: float = 100.0,
        currency: str = "THB",
        status: str = "Success",
        **extra: Any,
    ) -> Transaction:
        """Store a payment attempt; keyword arguments naming :class:`Transaction` fields
        (``channel_key``, ``is_refund_allowed``, ...) set them, any other goes to ``extra``.

        Args:
            merchant_order_ref: The merchant's reference, what ``transactions.status`` takes.
            amount: The amount paid.
            currency: ISO 4217 currency code.
            status: The attempt's status.
            **extra: Further :class:`Transaction` fields, or fields added to its JSON.

        Returns:
            The stored transaction; its ``order_ref`` is a new PortOne reference.
        """
        known = {k: extra.pop(k) for k in list(extra) if k in Transaction.__dataclass_fields__}
        txn = Transaction(
            order_ref=self.new_ref(),
            merchant_order_ref=merchant_order_ref,
            amount=amount,
            currency=currency,
            status=status,
            channel_order_ref=f"PSP{next(self._seq):08d}",
            created_at=self._fake.now(),
            extra=extra,
            **known,
        )
        self.transactions[merchant_order_ref] = txn
        return txn

    def by_order_ref(self, order_ref: str) -> Transaction | None:
        """The transaction with PortOne's reference ``order_ref``, or None.

        Args:
            order_ref: PortOne's reference.
        """
        return next((t for t in self.transactions.values() if t.order_ref == order_ref), None)

    # -- payment links --------------------------------------------------------------------------

    def add_link(self, owner_key: str, body: dict[str, Any]) -> PaymentLink:
        """Store a payment link as its creation request would.

        Args:
            owner_key: The merchant's PortOne key.
            body: The creation request's JSON body (needs ``merchant_order_id``).
        """
        link = PaymentLink(
            ref=self.new_ref(),
            owner_key=owner_key,
            merchant_order_id=body["merchant_order_id"],
            body=dict(body),
            created_at=self._fake.now(),
        )
        self.links[link.ref] = link
        return link

    def link_by_merchant_ref(self, owner_key: str, merchant_order_id: str) -> PaymentLink | None:
        """The link ``owner_key`` created under ``merchant_order_id``, or None.

        Args:
            owner_key: The merchant's PortOne key.
            merchant_order_id: The id the link was created under.
        """
        return next(
            (
                link
                for link in self.links.values()
                if link.owner_key == owner_key and link.merchant_order_id == merchant_order_id
            ),
            None,
        )

    def pay_link(self, link_ref: str, *, status: str = "Success", **fields: Any) -> Transaction:
        """A buyer pays (``status="Success"``) or fails to pay the link ``link_ref``.

        Creates the attempt's transaction under ``<link_ref>_<n>`` (PortOne gives each attempt
        its own merchant ref with a ``_1``, ``_2``... suffix) and moves the link to
        ``Success``, or ``Processing`` for an attempt that did not succeed.

        Args:
            link_ref: PortOne's reference of the link.
            status: The attempt's status.
            **fields: Further :class:`Transaction` fields of the attempt.

        Raises:
            KeyError: There is no such link.
            ValueError: The link was already paid, expired or cancelled.
        """
        link = self.links.get(link_ref)
        if link is None:
            raise KeyError(f"no payment link {link_ref!r}")
        if link.status in FINAL_LINK_STATUSES:
            raise ValueError(f"payment link {link_ref!r} is {link.status}: it cannot be paid")
        body = link.body
        txn = self.add_transaction(
            f"{link.ref}_{len(link.attempts) + 1}",
            amount=body["amount"],
            currency=body["currency"],
            status=status,
            country_code=body.get("country_code", "TH"),
            payment_link_ref=link.ref,
            link_order_ref=link.merchant_order_id,
            environment=body.get("environment", "sandbox"),
            **fields,
        )
        link.attempts.append(txn)
        # https://docs.portone.cloud/docs/life-cycle: Created -> Processing -> Success.
        link.status = "Success" if status == "Success" else "Processing"
        return txn

    # -- webhooks -------------------------------------------------------------------------------

    def add_webhook(
        self, owner_key: str, *, name: str, url: str, type: str, environment: str
    ) -> WebhookEndpoint:
        """Register a webhook endpoint, as PortOne's registration API does.

        Args:
            owner_key: The merchant's PortOne key.
            name: The endpoint's name.
            url: Where webhooks are posted.
            type: The webhook type, e.g. ``"payment_status"``.
            environment: ``"sandbox"`` or ``"live"``.
        """
        endpoint = WebhookEndpoint(
            owner_key=owner_key,
            name=name,
            url=url,
            type=type,
            environment=environment,
            uuid=str(uuid.uuid4()),
            created_at=self._fake.now(),
        )
        self.webhooks.append(endpoint)
        return endpoint

    def payment_webhook(self, txn: Transaction) -> dict[str, Any]:
        """The payment webhook PortOne sends for ``txn``, signed with its merchant's secret.

        Args:
            txn: The transaction.
        """
        # https://docs.portone.cloud/docs/payment-webhook (payload) and
        # https://docs.portone.cloud/docs/payment-webhook-response (what is signed).
        payload = {
            **txn.details(),
            "link_order_ref": txn.link_order_ref,
            "environment": txn.environment,
        }
        return self._signed(payload, PAYMENT_WEBHOOK_FIELDS, self._owner_of(txn))

    def payment_link_webhook(self, link: PaymentLink) -> dict[str, Any]:
        """The payment-link webhook PortOne sends for ``link``, signed.

        Args:
            link: The payment link.
        """
        # https://docs.portone.cloud/docs/payment-link-webhook: the country is "countryCode"
        # in the payload but signed as country_code
        # (https://docs.portone.cloud/docs/payment-link-webhook-response).
        payload = {
            "link_ref": link.ref,
            "link": link.url,
            "currency": link.body["currency"],
            "amount": link.body["amount"],
            "countryCode": link.body.get("country_code", ""),
            "chaipaykey": link.owner_key,
            "portone_key": link.owner_key,
            "status": link.status,
            "merchant_order_ref": link.merchant_order_id,
            "created_at": iso_time(link.created_at),
        }
        fields = {**payload, "country_code": payload["countryCode"]}
        signed = self._signed(fields, PAYMENT_LINK_WEBHOOK_FIELDS, link.owner_key)
        return {**payload, "signature_hash": signed["signature_hash"]}

    def _owner_of(self, txn: Transaction) -> str:
        link = self.links.get(txn.payment_link_ref)
        return link.owner_key if link is not None else next(iter(self._fake.merchants))

    def _signed(
        self, payload: dict[str, Any], names: tuple[str, ...], owner_key: str
    ) -> dict[str, Any]:
        secret = self._fake.merchants.get(owner_key) or next(iter(self._fake.merchants.values()))
        signed = portone_signature(secret, signed_fields(payload, names))
        return {**payload, "signature_hash": signed}

    async def send_webhooks(self, txn: Transaction) -> list[Delivery]:
        """Post the signed payment webhook for ``txn`` to every ``payment_status`` endpoint of
        its environment (and to the link's ``custom_txn_webhook_urls``), and the payment-link
        webhook to every ``payment_link_status`` endpoint when ``txn`` was paid on a link.

        Args:
            txn: The transaction to notify about.

        Returns:
            One :class:`Delivery` per post, also appended to ``deliveries``.
        """
        owner = self._owner_of(txn)
        targets: list[tuple[str, str, dict[str, Any]]] = []
        payment = self.payment_webhook(txn)
        link = self.links.get(txn.payment_link_ref)
        for endpoint in self._endpoints(owner, "payment_status", txn.environment):
            targets.append((endpoint.url, "payment_status", payment))
        if link is not None:
            for url in link.body.get("custom_txn_webhook_urls") or ():
                targets.append((str(url), "payment_status", payment))
            link_payload = self.payment_link_webhook(link)
            for endpoint in self._endpoints(owner, "payment_link_status", txn.environment):
                targets.append((endpoint.url, "payment_link_status", link_payload))
        sent: list[Delivery] = []
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for url, kind, payload in targets:
                try:
                    async with session.post(url, json=payload) as resp:
                        status: int | None = resp.status
                except (aiohttp.ClientError, TimeoutError):
                    status = None  # PortOne's retry schedule is undocumented: no retries here
                sent.append(Delivery(url=url, type=kind, payload=payload, status=status))
        self.deliveries.extend(sent)
        return sent

    def _endpoints(self, owner: str, kind: str, environment: str) -> list[WebhookEndpoint]:
        return [
            e
            for e in self.webhooks
            if e.owner_key == owner
            and e.type == kind
            and e.environment == environment
            and e.enabled
        ]
