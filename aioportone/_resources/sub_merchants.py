"""Sub-merchants: for a master merchant (a marketplace), the merchants it runs and what they sell.

https://docs.portone.cloud/docs/port-platform: a master merchant adds sub-merchants (each with a
PortOne key of its own), turns them on and off, manages their payment methods, and reads their
transactions (or exports them as a file) and payment links. Every path names the master
merchant's key: the client's own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args

from .._config import path_segment, text
from .._download import Download
from .._errors import ConfigurationError
from ._files import export
from ._models_sub_merchants import (
    InvitedSubMerchant,
    SubMerchant,
    SubMerchantAdded,
    SubMerchantPaymentLink,
    SubMerchantTransaction,
)
from ._payout_common import check_flag, check_page_size, check_window, items, more_pages
from ._validate import (
    Environment,
    _letters,
    check_choice,
    check_environment,
    expect_object,
    parse_object,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._base import Caller

__all__ = ["SubMerchants"]

# The statuses a master merchant sets (mastermerchant.yaml's examples; no enum is declared).
MerchantStatus = Literal["ACTIVE", "INACTIVE"]
_STATUSES: tuple[MerchantStatus, ...] = get_args(MerchantStatus)
T = TypeVar("T")


def _keys(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigurationError(name, "must be a list of sub-merchant keys")
    return [text(name, v) for v in value]


def _filters(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigurationError("filters", "must be a mapping")
    return dict(value)


class SubMerchants:
    """``portone.sub_merchants``: the sub-merchants of a master merchant (the client's key).

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    @property
    def _base(self) -> str:
        return f"/api/master-merchant/{self._client.key_segment}"

    async def add(
        self,
        *,
        email_address: str,
        name: str,
        country: str,
        is_login_allowed: bool = False,
        is_invite_merchant: bool = False,
        use_master_merchant_creds: bool = False,
        send_kyc_link_email: bool = False,
    ) -> SubMerchantAdded:
        """Add a sub-merchant (with ``is_invite_merchant=True``, invite it by e-mail).

        Not replayed once it may have reached PortOne: PortOne documents no deduplication by
        e-mail address, and a second request could add a second sub-merchant or send a second
        invitation. Nothing moves money, so an unclear outcome raises the transport's error:
        look for the address in :meth:`list` or :meth:`invited` before adding it again.

        Args:
            email_address: The sub-merchant's e-mail address.
            name: Its name.
            country: Its country (ISO 3166 alpha-2, e.g. ``"VN"``).
            is_login_allowed: Whether it may log in to the PortOne dashboard.
            is_invite_merchant: Whether PortOne e-mails it an invitation to register.
            use_master_merchant_creds: Whether it uses the master merchant's payment channels.
            send_kyc_link_email: Whether PortOne e-mails it the KYC link.
        """
        body = {
            "email_address": text("email_address", email_address),
            "name": text("name", name),
            "country": _letters("country", country, 2, "VN"),
            "is_login_allowed": check_flag("is_login_allowed", is_login_allowed),
            "is_invite_merchant": check_flag("is_invite_merchant", is_invite_merchant),
            "use_master_merchant_creds": check_flag(
                "use_master_merchant_creds", use_master_merchant_creds
            ),
            "send_kyc_link_email": check_flag("send_kyc_link_email", send_kyc_link_email),
        }
        return await self._client.request(
            "POST",
            f"{self._base}/add-merchant",
            json=body,
            parse=parse_object(SubMerchantAdded.from_json, "the sub-merchant creation"),
        )

    async def invited(self) -> tuple[InvitedSubMerchant, ...]:
        """The sub-merchants invited by e-mail, registered or not."""
        data = expect_object(
            await self._client.request("GET", f"{self._base}/merchants-invite"),
            "the sub-merchant invitations",
        )
        return tuple(InvitedSubMerchant.from_json(i) for i in items(data))

    async def all(self, *, environment: Environment | None = None) -> tuple[SubMerchant, ...]:
        """Every sub-merchant at once (:meth:`list` pages through them and filters them).

        Args:
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        env = check_environment(environment, self._client.environment)
        data = expect_object(
            await self._client.request(
                "GET", f"{self._base}/merchants", params={"environment": env}
            ),
            "the sub-merchants",
        )
        return tuple(SubMerchant.from_json(m) for m in items(data))

    def list(
        self,
        *,
        start: datetime,
        end: datetime,
        statuses: Sequence[str] | None = None,
        page_size: int = 50,
        environment: Environment | None = None,
    ) -> AsyncIterator[SubMerchant]:
        """The sub-merchants added between ``start`` and ``end``, page by page as you iterate.

        Arguments are checked here, before the first page is asked for; each page is a read
        (sent as a POST), retried like one.

        Args:
            start: The start of the window (timezone-aware; sent in UTC).
            end: The end of the window (timezone-aware, not before ``start``).
            statuses: Only sub-merchants in these statuses, e.g. ``["ACTIVE"]``.
            page_size: Sub-merchants per page, 1 to 100.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            An async iterator over the sub-merchants.
        """
        filters: dict[str, Any] = {}
        if statuses is not None:
            filters["merchant_status"] = _keys("statuses", statuses)
        body = {
            **check_window(start, end),
            "filters": filters,
            "environment": check_environment(environment, self._client.environment),
        }
        path = f"{self._base}/merchants/paginated"
        return self._pages(path, body, check_page_size(page_size), SubMerchant.from_json)

    def transactions(
        self,
        *,
        start: datetime,
        end: datetime,
        merchant_keys: Sequence[str] | None = None,
        page_size: int = 50,
        environment: Environment | None = None,
    ) -> AsyncIterator[SubMerchantTransaction]:
        """The sub-merchants' payment attempts between ``start`` and ``end``, page by page.

        Arguments are checked here, before the first page is asked for.

        Args:
            start: The start of the window (timezone-aware; sent in UTC).
            end: The end of the window (timezone-aware, not before ``start``).
            merchant_keys: Only these sub-merchants (``SubMerchant.key``); all when None.
            page_size: Transactions per page, 1 to 100.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            An async iterator over the transactions.
        """
        body = {
            **check_window(start, end),
            "merchant_keys": _keys("merchant_keys", merchant_keys),
            "environment": check_environment(environment, self._client.environment),
        }
        path = f"{self._base}/merchants/transactions"
        return self._pages(path, body, check_page_size(page_size), SubMerchantTransaction.from_json)

    async def export_transactions(
        self,
        *,
        start: datetime,
        end: datetime,
        merchant_keys: Sequence[str] | None = None,
        page: int = 1,
        page_size: int = 100,
        environment: Environment | None = None,
    ) -> Download:
        """The sub-merchants' payment attempts between ``start`` and ``end``, as a file.

        ::

            export = await portone.sub_merchants.export_transactions(start=since, end=now)
            Path(export.filename or "transactions.xlsx").write_bytes(export.content)

        PortOne answers an Excel file. mastermerchant.yaml requires ``page`` and ``pagesize``
        on the export as on the listing, without saying what they bound: the defaults ask for
        the first page of 100. A read (sent as a POST): retried like one.

        Args:
            start: The start of the window (timezone-aware; sent in UTC).
            end: The end of the window (timezone-aware, not before ``start``).
            merchant_keys: Only these sub-merchants (``SubMerchant.key``); all when None.
            page: The page to export, from 1.
            page_size: Transactions per page, 1 to 100.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            The file: its bytes, content type and the file name PortOne gave.
        """
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise ConfigurationError("page", "must be an integer from 1")
        body = {
            "page": page,
            "pagesize": check_page_size(page_size),
            **check_window(start, end),
            "merchant_keys": _keys("merchant_keys", merchant_keys),
            "environment": check_environment(environment, self._client.environment),
        }
        path = f"{self._base}/merchants/export-transactions"
        return await export(self._client, path, body)

    def payment_links(
        self,
        *,
        start: datetime,
        end: datetime,
        merchant_keys: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        page_size: int = 50,
        environment: Environment | None = None,
    ) -> AsyncIterator[SubMerchantPaymentLink]:
        """The sub-merchants' payment links created between ``start`` and ``end``, page by page.

        Arguments are checked here, before the first page is asked for.

        Args:
            start: The start of the window (timezone-aware; sent in UTC).
            end: The end of the window (timezone-aware, not before ``start``).
            merchant_keys: Only these sub-merchants (``SubMerchant.key``); all when None.
            filters: PortOne's ``filters`` object, as it spells it (undocumented: none by
                default).
            page_size: Links per page, 1 to 100.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            An async iterator over the links.
        """
        body = {
            **check_window(start, end),
            "merchant_keys": _keys("merchant_keys", merchant_keys),
            "filters": _filters(filters),
            "environment": check_environment(environment, self._client.environment),
        }
        path = f"{self._base}/merchants/payment-links"
        return self._pages(path, body, check_page_size(page_size), SubMerchantPaymentLink.from_json)

    async def _pages(
        self,
        path: str,
        body: dict[str, Any],
        size: int,
        read: Callable[[Mapping[str, Any]], T],
    ) -> AsyncIterator[T]:
        page = 1
        while True:
            data = expect_object(
                await self._client.request(
                    "POST", path, json={"page": page, "pagesize": size, **body}, idempotent=True
                ),
                "the sub-merchant listing",
            )
            found = items(data)
            for item in found:
                yield read(item)
            if not more_pages(page, size, len(found), data):
                return
            page += 1

    async def set_status(self, key: str, *, status: MerchantStatus) -> SubMerchant:
        """Turn a sub-merchant on (``"ACTIVE"``) or off (``"INACTIVE"``).

        Retried like a read: it sets a status, and setting it twice leaves the same
        sub-merchant.

        Args:
            key: The sub-merchant's PortOne key (``SubMerchant.key``).
            status: ``"ACTIVE"`` or ``"INACTIVE"``.

        Returns:
            The sub-merchant as it now is.
        """
        ref = path_segment("key", key)
        wanted = check_choice("status", status, _STATUSES)
        return await self._client.request(
            "PUT",
            f"{self._base}/merchants/{ref}/status/{wanted}",
            json={},
            idempotent=True,
            parse=parse_object(SubMerchant.from_json, "the sub-merchant status change"),
        )

    async def set_payment_method(
        self,
        *,
        merchant_keys: Sequence[str],
        payment_channel_key: str,
        payment_method_key: str,
        method_sub_type: str,
        enable: bool,
        default: bool = False,
        action_type: str = "UPDATE_ENABLE_STATUS",
        environment: Environment | None = None,
    ) -> None:
        """Enable or disable a payment method for some sub-merchants.

        Retried like a read: it sets a state, and setting it twice leaves the same one.
        ``enable`` and ``default`` go out as JSON booleans, as PortOne's example writes them
        (its schema declares strings).

        Args:
            merchant_keys: The sub-merchants (``SubMerchant.key``); at least one.
            payment_channel_key: The payment channel, e.g. ``"MOMOPAY"``.
            payment_method_key: The method, e.g. ``"MOMOPAY_WALLET"``.
            method_sub_type: The method's kind, e.g. ``"WALLET"``.
            enable: Whether the method is enabled.
            default: Whether it becomes the default method.
            action_type: PortOne's action, ``"UPDATE_ENABLE_STATUS"`` by default.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        keys = _keys("merchant_keys", merchant_keys)
        if not keys:
            raise ConfigurationError("merchant_keys", "must name at least one sub-merchant")
        body = {
            "merchants_keys": keys,
            "payment_channel_key": text("payment_channel_key", payment_channel_key),
            "payment_method_key": text("payment_method_key", payment_method_key),
            "enable": check_flag("enable", enable),
            "default": check_flag("default", default),
            "action_type": text("action_type", action_type),
            "method_sub_type": text("method_sub_type", method_sub_type),
            "environment": check_environment(environment, self._client.environment),
        }
        await self._client.request(
            "POST", f"{self._base}/merchants/payment-methods", json=body, idempotent=True
        )
