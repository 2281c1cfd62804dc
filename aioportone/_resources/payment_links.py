"""Payment links: create (signed locally, safe to retry), look up, update, cancel."""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeGuard, get_args

from .._config import path_segment, text
from .._errors import (
    AmbiguousResultError,
    ConfigurationError,
    DuplicateError,
    NotFoundError,
    PortOneError,
)
from ._models_links import PaymentLink, PaymentLinkDetails, PaymentLinkStatus
from ._money import expect_money_object, may_have_acted, money_object
from ._validate import (
    Environment,
    body_fields,
    check_choice,
    check_country,
    check_currency,
    check_environment,
    check_iso_datetime,
    check_url,
    free_text,
    parse_record,
    wire_amount,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["PaymentLinks"]

_STATUS = parse_record(PaymentLinkStatus.from_json, "a payment-link status")


Source = Literal["default", "api", "checkout"]
_SOURCES: tuple[Source, ...] = get_args(Source)
# Fields create() sets from its own arguments; ``extra`` may not override them, above all not
# the six the signature covers.
_CREATE_FIELDS = frozenset(
    {
        "portone_key",
        "merchant_order_id",
        "amount",
        "currency",
        "country_code",
        "signature_hash",
        "merchant_details",
        "success_url",
        "failure_url",
        "pending_url",
        "description",
        "expiry_date",
        "source",
        "environment",
    }
)
# https://docs.portone.cloud/docs/life-cycle: a link is Created, then Processing while paid.
_OPEN_STATES = frozenset({"Created", "Processing"})
_UPDATE_FIELDS = frozenset(
    {"amount", "currency", "description", "expiry_date", "success_url", "failure_url"}
)


class PaymentLinks:
    """``portone.payment_links``: hosted checkout links you send to buyers.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def create(
        self,
        *,
        merchant_order_id: str,
        amount: int | float | Decimal | str,
        currency: str,
        country_code: str,
        merchant_name: str,
        success_url: str,
        failure_url: str,
        pending_url: str | None = None,
        description: str | None = None,
        expires_at: datetime | None = None,
        source: Source = "api",
        environment: Environment | None = None,
        extra: Mapping[str, Any] | None = None,
        resolve_duplicate: bool = False,
        sub_merchant_key: str | None = None,
    ) -> PaymentLink:
        """Create a payment link for ``amount`` ``currency``; its ``signature_hash`` is computed
        here with your secret (no call to PortOne's generate-signature API).

        PortOne refuses a second link with the same ``merchant_order_id`` (``4002``), which
        makes one retry safe: when the first try may have reached PortOne without a clear
        answer (a lost connection, 5xx, 429, a token rejection, a 2xx that cannot be read), the
        very same signed request is sent once more, and if PortOne answers that it already has
        the link, that link is looked up and returned with ``recovered=True``. The request
        reaches PortOne at most twice; if the second try is unclear too,
        :class:`AmbiguousResultError` says how to find out. A duplicate on the *first* try raises
        :class:`DuplicateError`, unless ``resolve_duplicate=True`` says the existing link is the
        one you mean (only the id is compared: PortOne's lookup does not return the amount).

        A success answer without the link's ``payment_link_ref`` (``{}``) is unclear too: the
        link may exist, so it takes the same path. A recovered link has ``url=None``: PortOne's
        status lookup carries no URL, and the library does not guess one (see
        :class:`PaymentLink`).

        ``extra`` carries further documented body fields (``customer_details``,
        ``billing_details``, ``order_details``, ``notes``, ...) as PortOne spells them.
        ``customer_details`` (``name``, ``email_address``, ``phone_number``) is documented by
        PortOne's payment-link page but not declared in payment.yaml's creation schema; the
        client follows the page and sends it when ``extra`` has it.

        ``amount`` is an int, a Decimal, a decimal string (``"12.50"``) or a float whose
        shortest form has no more decimals than ``currency`` allows (ISO 4217: none for KRW,
        VND, JPY; ``0.1 + 0.2`` is refused, never sent as ``0.30000000000000004``).

        Args:
            merchant_order_id: Your unique id of the order; PortOne refuses a second link
                under the same id.
            amount: The amount in the currency's unit (e.g. ``2500`` for 2,500 THB); more
                than 0, and refused before sending when it cannot travel exactly.
            currency: ISO 4217 code such as ``"THB"``.
            country_code: ISO 3166 alpha-2 code such as ``"TH"``.
            merchant_name: The shop name shown on the checkout page.
            success_url: Where PortOne sends the buyer after paying (http or https).
            failure_url: Where PortOne sends the buyer after a failed payment.
            pending_url: Where PortOne sends the buyer while a payment is pending.
            description: A description of the order, shown to the buyer.
            expires_at: When the link stops working (a timezone-aware datetime).
            source: PortOne's ``source`` field: ``"api"`` (default), ``"default"`` or
                ``"checkout"``.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
            extra: Further body fields; they may not override the ones set from the
                arguments above.
            resolve_duplicate: Return the existing link when PortOne already has one for
                ``merchant_order_id`` instead of raising :class:`DuplicateError`.
            sub_merchant_key: The sub-merchant the link is for (``X-Portone-SubMerchant-Key``);
                the client's ``sub_merchant_key`` when None.

        Returns:
            The link; ``url`` is the checkout page to send the buyer to.

        Raises:
            DuplicateError: PortOne already has a link for ``merchant_order_id`` (and
                ``resolve_duplicate`` is False).
            AmbiguousResultError: The creation was sent, retried, and still got no clear
                answer (or an answer without ``payment_link_ref``): check with
                :meth:`status_by_merchant_ref`.
        """
        order_id = text("merchant_order_id", merchant_order_id)
        code = check_currency(currency)
        number = wire_amount(amount, currency=code)
        success = check_url("success_url", success_url)
        failure = check_url("failure_url", failure_url)
        body: dict[str, Any] = {
            "portone_key": self._client.client_key,
            "merchant_order_id": order_id,
            "amount": number,
            "currency": code,
            "country_code": check_country(country_code),
            # https://docs.portone.cloud/docs/payment-link-api: name, promo_discount and
            # shipping_charges are required by the spec; the extras default to none.
            "merchant_details": {
                "name": free_text("merchant_name", merchant_name),
                "promo_discount": 0,
                "shipping_charges": 0,
            },
            "success_url": success,
            "failure_url": failure,
            "source": check_choice("source", source, _SOURCES),
            "environment": check_environment(environment, self._client.environment),
        }
        body.update(
            _optional(pending_url=pending_url, description=description, expires_at=expires_at)
        )
        body.update(body_fields(extra, _CREATE_FIELDS))
        if not isinstance(resolve_duplicate, bool):
            raise ConfigurationError("resolve_duplicate", "must be True or False")
        sub = self._sub_merchant(sub_merchant_key)
        # https://docs.portone.cloud/docs/payment-request: the link is signed like a payment
        # request. The amount signed is the number sent, so both sides format the same value.
        body["signature_hash"] = self._client.signer.payment_request(
            amount=number,
            currency=code,
            merchant_order_id=order_id,
            success_url=success,
            failure_url=failure,
        )
        try:
            data = await self._client.request(
                "POST", "/api/paymentLink", json=body, sub_merchant_key=sub, parse=money_object
            )
        except DuplicateError as exc:
            if not resolve_duplicate:
                raise
            return await self._recover(order_id, exc, sub)
        except PortOneError as exc:
            if not may_have_acted(exc):
                raise  # PortOne saw nothing (the transport already retried that), or said no
            return await self._create_again(body, order_id, sub)
        if not _names_a_link(data):
            # A 2xx PortOne probably acted on, in a shape we cannot read or without the link's
            # reference (``{}``): the link may exist, and the dedup path tells.
            return await self._create_again(body, order_id, sub)
        return PaymentLink.created(data, order_id)

    def _sub_merchant(self, sub_merchant_key: str | None) -> str | None:
        """The sub-merchant a call acts for: its own argument, else the client's."""
        if sub_merchant_key is None:
            return self._client.sub_merchant_key
        return text("sub_merchant_key", sub_merchant_key)

    async def _create_again(
        self, body: dict[str, Any], order_id: str, sub: str | None
    ) -> PaymentLink:
        """The first try may or may not have reached PortOne: send it again, which is safe
        because PortOne answers 4002 to a second link with the same merchant_order_id.

        The transport never replays a payment-link request once it may have reached PortOne
        (the path is in its money table), so this second try is the last one to get there.
        """
        how_to_check = (
            f"call await portone.payment_links.status_by_merchant_ref("
            f"{order_id!r}), or create it again with resolve_duplicate=True."
        )
        try:
            data = await self._client.request(
                "POST", "/api/paymentLink", json=body, sub_merchant_key=sub, parse=money_object
            )
        except DuplicateError as exc:
            return await self._recover(order_id, exc, sub, retried=True)
        except PortOneError as exc:
            # Whatever the retry met (a lost answer again, 429, a rejected token), the first
            # try may have created the link: a plain error here would invite the caller to
            # create another under a new id, and the buyer could pay twice.
            raise AmbiguousResultError(
                f"Creating the payment link {order_id!r} got no clear answer from PortOne, "
                "even when retried.",
                how_to_check=how_to_check,
            ) from exc
        answer = expect_money_object(data, "the payment-link creation", how_to_check)
        if not _names_a_link(answer):
            raise AmbiguousResultError(
                f"PortOne's answer to creating the payment link {order_id!r} carries no "
                "payment_link_ref: the link may exist.",
                how_to_check=how_to_check,
            )
        return PaymentLink.created(answer, order_id)

    async def _recover(
        self, order_id: str, duplicate: DuplicateError, sub: str | None, *, retried: bool = False
    ) -> PaymentLink:
        try:
            status = await self.status_by_merchant_ref(order_id, sub_merchant_key=sub)
        except NotFoundError:
            # 4002 without a link under that id: the id was used by something else (a
            # payment, not a link). Nothing to return; the duplicate error says what happened.
            raise duplicate from None
        # A link that is already paid, expired or cancelled cannot be the one just created:
        # the id was used before. PortOne's lookup carries no amount, so an open link under a
        # reused id is taken as the caller's (merchant_order_id must be unique per order).
        if retried and status.status not in _OPEN_STATES:
            raise duplicate
        return PaymentLink.recovered_from(status, order_id)

    def status(self, payment_link_ref: str) -> Coroutine[Any, Any, PaymentLinkStatus]:
        """The link's status and payment attempts, by PortOne's ``payment_link_ref``.

        Args:
            payment_link_ref: PortOne's reference of the link (``PaymentLink.payment_link_ref``).
        """
        # The request's coroutine, which parses the answer itself (see Transactions.status).
        ref = path_segment("payment_link_ref", payment_link_ref)
        return self._client._fetch(f"/api/paymentLink/{ref}/fetch-status", _STATUS)

    def status_by_merchant_ref(
        self, merchant_order_id: str, *, sub_merchant_key: str | None = None
    ) -> Coroutine[Any, Any, PaymentLinkStatus]:
        """The link's status and payment attempts, by your ``merchant_order_id``.

        The lookup is scoped to the sub-merchant key (in the path) when there is one, else to
        the client key: a master merchant acting for a sub-merchant created the link there.

        Args:
            merchant_order_id: The id the link was created under.
            sub_merchant_key: The sub-merchant the link was created for; the client's
                ``sub_merchant_key`` when None.
        """
        sub = self._sub_merchant(sub_merchant_key)
        owner = path_segment(
            "sub_merchant_key" if sub else "client_key", sub or self._client.client_key
        )
        ref = path_segment("merchant_order_id", merchant_order_id)
        path = f"/api/merchant/{owner}/paymentLink/{ref}/status"
        return self._client._fetch(path, _STATUS)

    async def cancel(self, payment_link_ref: str) -> None:
        """Cancel the link: buyers can no longer pay with it. Cancelling twice is harmless.

        Args:
            payment_link_ref: PortOne's reference of the link.
        """
        ref = path_segment("payment_link_ref", payment_link_ref)
        # Only "cancelled" is a status a merchant may set (payment.yaml); the request is
        # idempotent, so it is retried like a read.
        await self._client.request(
            "PUT", f"/api/paymentLink/{ref}/status/cancelled", idempotent=True
        )

    async def update(
        self,
        payment_link_ref: str,
        *,
        amount: int | float | Decimal | str | None = None,
        currency: str | None = None,
        description: str | None = None,
        expires_at: datetime | None = None,
        success_url: str | None = None,
        failure_url: str | None = None,
        extra: Mapping[str, Any] | None = None,
        sub_merchant_key: str | None = None,
    ) -> PaymentLinkDetails:
        """Change some fields of a link that has not been paid; the others keep their value.

        Give at least one field. Retried like a read: the same update twice leaves the same link.

        Args:
            payment_link_ref: PortOne's reference of the link.
            amount: A new amount, in the currency's unit.
            currency: A new ISO 4217 currency code.
            description: A new description.
            expires_at: A new expiry (a timezone-aware datetime).
            success_url: A new success redirect URL.
            failure_url: A new failure redirect URL.
            extra: Further body fields PortOne's update accepts, as it spells them.
            sub_merchant_key: The sub-merchant the link belongs to
                (``X-Portone-SubMerchant-Key``); the client's ``sub_merchant_key`` when None.
        """
        ref = path_segment("payment_link_ref", payment_link_ref)
        body: dict[str, Any] = {}
        if currency is not None:
            body["currency"] = check_currency(currency)
        if amount is not None:
            # Without a currency, the link's own is not known here: the rule for any currency.
            body["amount"] = wire_amount(amount, currency=body.get("currency"))
        body.update(
            _optional(
                description=description,
                expires_at=expires_at,
                success_url=success_url,
                failure_url=failure_url,
            )
        )
        body.update(body_fields(extra, _UPDATE_FIELDS | {"portone_key", "signature_hash"}))
        if not body:
            raise ConfigurationError("update", "give at least one field to change")
        sub = self._sub_merchant(sub_merchant_key)
        # The same partial update sent twice leaves the same link: safe to retry.
        return await self._client.request(
            "PUT",
            f"/api/update-paylink/{ref}",
            json=body,
            idempotent=True,
            sub_merchant_key=sub,
            parse=parse_record(PaymentLinkDetails.from_json, "the payment-link update"),
        )


def _names_a_link(data: Any) -> TypeGuard[Mapping[str, Any]]:
    """Whether a creation answer is an object carrying the link's reference."""
    if not isinstance(data, Mapping):
        return False
    return bool(PaymentLink.created(data, "").payment_link_ref)


def _optional(
    *,
    description: str | None = None,
    expires_at: datetime | None = None,
    pending_url: str | None = None,
    success_url: str | None = None,
    failure_url: str | None = None,
) -> dict[str, Any]:
    """The body fields for the optional arguments that were given, each checked."""
    fields: dict[str, Any] = {}
    if description is not None:
        fields["description"] = free_text("description", description)
    if expires_at is not None:
        fields["expiry_date"] = check_iso_datetime("expires_at", expires_at)
    for name, url in (
        ("pending_url", pending_url),
        ("success_url", success_url),
        ("failure_url", failure_url),
    ):
        if url is not None:
            fields[name] = check_url(name, url)
    return fields
