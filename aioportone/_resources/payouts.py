"""Payouts: send money from a virtual account to a bank account; look payouts up, cancel them.

A payout is created (``Created``), optionally verified and then approved by a person holding a
one-time code PortOne sends them (``payout_approvals``), or cancelled before that. Creation and
approval move money and are never replayed after a failure that may have reached PortOne.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, get_args

from .._config import path_segment, text
from .._errors import AmbiguousResultError, ConfigurationError, PortOneError
from ._models_payouts import Payout, PayoutAccepted, PayoutStatus
from ._money import may_have_acted, money_object
from ._payout_common import (
    check_flag,
    check_page_size,
    check_window,
    items,
    more_pages,
)
from ._validate import (
    Environment,
    check_choice,
    check_currency,
    check_environment,
    expect_object,
    free_text,
    parse_object,
    wire_amount,
)
from .payout_accounts import Beneficiaries, VirtualAccounts
from .payout_approvals import PayoutApprovals

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["Payouts"]

AccountType = Literal["BANK", "CARD"]
_ACCOUNT_TYPES: tuple[AccountType, ...] = get_args(AccountType)


class Payouts:
    """``portone.payouts``: pay out to bank accounts from a virtual account.

    Beneficiaries are ``portone.payouts.beneficiaries``, the virtual accounts and their
    balances ``portone.payouts.virtual_accounts``, the verify and approve steps (with their
    one-time codes) ``portone.payouts.approvals``.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client
        self.beneficiaries = Beneficiaries(client)
        self.virtual_accounts = VirtualAccounts(client)
        self.approvals = PayoutApprovals(client)

    async def create(
        self,
        *,
        txn_ref: str,
        virtual_account: str,
        amount: int | float | Decimal,
        currency: str,
        channel_key: str,
        account_no: str,
        account_name: str,
        signature_hash: str,
        account_type: AccountType = "BANK",
        bank_name: str | None = None,
        bank_no: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        address: str | None = None,
        country: str | None = None,
        remarks: str | None = None,
        user_message: str | None = None,
        send_email: bool | None = None,
        send_sms: bool | None = None,
        recipient_emails: Sequence[str] | None = None,
        split_payouts: bool | None = None,
        environment: Environment | None = None,
    ) -> PayoutAccepted:
        """Pay ``amount`` ``currency`` from ``virtual_account`` to the account ``account_no``.

        PortOne documents no recipe for this request's ``signature_hash``, so it cannot be
        computed here: pass the one your PortOne integration gives you.

        PortOne documents no deduplication of payouts by ``txn_ref``, so this request is
        **never** sent twice by the library: when the connection drops after it went out, it
        times out, PortOne answers with a server error, or its success answer cannot be read,
        :class:`AmbiguousResultError` is raised. Then look for ``txn_ref`` with :meth:`find`
        before paying again. (A connection that never opened is retried: PortOne saw nothing.)

        Args:
            txn_ref: Your unique reference of the payout (``Payout.merchant_txn_ref`` later).
            virtual_account: The virtual account it is paid from
                (``VirtualAccount.account_no``).
            amount: The amount in the currency's unit; more than 0, and refused before sending
                when it cannot travel exactly.
            currency: ISO 4217 code such as ``"THB"``.
            channel_key: The payout channel, e.g. ``"GBPRIMEPAY_PAYOUT"``.
            account_no: The beneficiary's account (or card) number.
            account_name: The name on that account.
            signature_hash: The request's signature (PortOne's recipe is undocumented).
            account_type: ``"BANK"`` (default) or ``"CARD"``.
            bank_name: The beneficiary's bank.
            bank_no: The beneficiary bank's number.
            email: The beneficiary's e-mail address.
            phone: The beneficiary's phone number.
            address: The beneficiary's address.
            country: The beneficiary's country (ISO 3166 alpha-2).
            remarks: Your remarks on the payout.
            user_message: A message for the beneficiary.
            send_email: Whether PortOne e-mails the beneficiary.
            send_sms: Whether PortOne texts the beneficiary.
            recipient_emails: Further addresses PortOne notifies.
            split_payouts: PortOne's ``split_payouts`` flag.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            PortOne's acceptance; the payout is then ``Created``.

        Raises:
            AmbiguousResultError: The payout was sent and its outcome is unknown.
        """
        ref = text("txn_ref", txn_ref)
        code = check_currency(currency)
        bank: dict[str, Any] = {
            "account_no": text("account_no", account_no),
            "account_type": check_choice("account_type", account_type, _ACCOUNT_TYPES),
            "account_name": free_text("account_name", account_name),
        }
        optional = {
            "bank_name": bank_name,
            "bank_no": bank_no,
            "email": email,
            "phone": phone,
            "address": address,
            "country": country,
        }
        bank.update({k: free_text(k, v) for k, v in optional.items() if v is not None})
        details: dict[str, Any] = {
            "virtual_acc_no": text("virtual_account", virtual_account),
            "amount": wire_amount(amount, currency=code),
            "currency": code,
            "txn_ref": ref,
            "bank_details": bank,
        }
        for name, value in (("remarks", remarks), ("user_message", user_message)):
            if value is not None:
                details[name] = free_text(name, value)
        for name, flag in (("send_email", send_email), ("send_sms", send_sms)):
            if flag is not None:
                details[name] = check_flag(name, flag)
        if recipient_emails is not None:
            if isinstance(recipient_emails, str) or not isinstance(recipient_emails, Sequence):
                raise ConfigurationError("recipient_emails", "must be a list of e-mail addresses")
            details["recipient_emails"] = [text("recipient_emails", e) for e in recipient_emails]
        body: dict[str, Any] = {
            "key": self._client.client_key,
            "channel_key": text("channel_key", channel_key),
            "signature_hash": text("signature_hash", signature_hash),
            "environment": check_environment(environment, self._client.environment),
            "txn_details": details,
        }
        if split_payouts is not None:
            body["split_payouts"] = check_flag("split_payouts", split_payouts)
        check = (
            f"look for merchant_txn_ref {ref!r} with await portone.payouts.find({ref!r}, "
            "start=..., end=...) before paying out again."
        )
        try:
            data = await self._client.request(
                "POST", "/api/payout/transaction", json=body, parse=money_object
            )
        except PortOneError as exc:
            if not may_have_acted(exc):
                raise
            raise AmbiguousResultError(
                f"The payout {ref!r} was sent but got no clear answer from PortOne, "
                "and was not retried.",
                how_to_check=check,
            ) from exc
        if not isinstance(data, Mapping):
            # A 2xx we cannot read: PortOne may well have created the payout.
            raise AmbiguousResultError(
                f"PortOne answered the payout {ref!r} with a success it did not spell out.",
                how_to_check=check,
            )
        return PayoutAccepted.from_json(data, ref)

    def status(self, txn_ref: str) -> Coroutine[Any, Any, PayoutStatus]:
        """A payout's status (``Created``, ``Cancelled``...) by PortOne's reference.

        Args:
            txn_ref: PortOne's reference of the payout (``Payout.txn_ref``).
        """
        # The request's coroutine, which parses the answer itself (see Transactions.status).
        ref = path_segment("txn_ref", txn_ref)
        parse = parse_object(PayoutStatus.from_json, "a payout status", txn_ref)
        return self._client._fetch(f"/api/payout/{ref}/status", parse)

    async def cancel(self, txn_ref: str) -> None:
        """Cancel a payout that was not approved yet; its amount returns to the virtual account.

        Retried like a read: cancelling is the one status a merchant may set, and setting it
        twice leaves the same payout.

        Args:
            txn_ref: PortOne's reference of the payout (``Payout.txn_ref``).
        """
        ref = path_segment("txn_ref", txn_ref)
        await self._client.request("PUT", f"/api/payout/{ref}/status/Cancelled", idempotent=True)

    def list(
        self,
        *,
        start: datetime,
        end: datetime,
        page_size: int = 50,
        filters: Mapping[str, Any] | None = None,
        environment: Environment | None = None,
    ) -> AsyncIterator[Payout]:
        """Every payout created between ``start`` and ``end`` (timezone-aware datetimes).

        ::

            async for payout in portone.payouts.list(start=since, end=now):
                ...

        Pages are fetched one at a time as you iterate. Arguments are checked here, before the
        first page is asked for.

        Args:
            start: The start of the window (timezone-aware; sent in UTC).
            end: The end of the window (timezone-aware, not before ``start``).
            page_size: Payouts per page, 1 to 100.
            filters: PortOne's ``filters`` object, as it spells it (undocumented: none by
                default).
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            An async iterator over the payouts.
        """
        window = check_window(start, end)
        size = check_page_size(page_size)
        if filters is not None and not isinstance(filters, Mapping):
            raise ConfigurationError("filters", "must be a mapping")
        body: dict[str, Any] = {
            **window,
            "filters": dict(filters or {}),
            "environment": check_environment(environment, self._client.environment),
        }
        return self._pages(f"/api/merchant/{self._client.key_segment}/payouts", body, size)

    async def _pages(self, path: str, body: dict[str, Any], size: int) -> AsyncIterator[Payout]:
        page = 1
        while True:
            data = expect_object(
                await self._client.request(
                    "POST", path, json={"page": page, "pagesize": size, **body}, idempotent=True
                ),
                "the payouts listing",
            )
            found = items(data)
            for item in found:
                yield Payout.from_json(item)
            if not more_pages(page, size, len(found), data):
                return
            page += 1

    async def find(
        self,
        txn_ref: str,
        *,
        start: datetime,
        end: datetime,
        environment: Environment | None = None,
    ) -> Payout | None:
        """The payout you created under ``txn_ref`` in that window, or None.

        This is how to settle an :class:`AmbiguousResultError` from :meth:`create`: None means
        PortOne has no such payout, so creating it again cannot pay twice. PortOne's listing
        filters are undocumented, so the window is walked page by page.

        Args:
            txn_ref: Your reference of the payout.
            start: The start of the window (timezone-aware).
            end: The end of the window (timezone-aware).
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        ref = text("txn_ref", txn_ref)
        async for payout in self.list(start=start, end=end, page_size=100, environment=environment):
            if payout.merchant_txn_ref == ref:
                return payout
        return None
