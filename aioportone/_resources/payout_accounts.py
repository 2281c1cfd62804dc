"""The accounts around payouts: beneficiaries (who is paid) and virtual accounts (paid from)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, get_args

from .._config import path_segment, text
from .._download import Download
from ._models_payouts import (
    AccountVerification,
    Beneficiary,
    StatementEntry,
    VirtualAccount,
    VirtualAccountBalance,
)
from ._payout_common import check_page_size, check_window, items, more_pages
from ._validate import (
    Environment,
    check_choice,
    check_environment,
    expect_object,
    free_text,
    parse_object,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["Beneficiaries", "VirtualAccounts"]

AccountType = Literal["BANK", "CARD"]
_ACCOUNT_TYPES: tuple[AccountType, ...] = get_args(AccountType)


class Beneficiaries:
    """``portone.payouts.beneficiaries``: the people and businesses payouts go to.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def create(
        self,
        *,
        name: str,
        bank_account_number: str,
        bank_account_name: str,
        bank_name: str,
        bank_no: str,
        payout_channel: str,
        signature_hash: str,
        email: str | None = None,
        phone: str | None = None,
        address: str | None = None,
        country: str | None = None,
        bank_account_middle_name: str | None = None,
        bank_account_last_name: str | None = None,
        environment: Environment | None = None,
    ) -> Beneficiary:
        """Register a beneficiary with their bank account.

        PortOne documents no recipe for this request's ``signature_hash``, so it cannot be
        computed here: pass the one your PortOne integration gives you. Not retried once sent
        (a second try could register them twice): :meth:`list` shows who is registered.

        Args:
            name: The beneficiary's name.
            bank_account_number: Their account number.
            bank_account_name: The name on the account.
            bank_name: Their bank.
            bank_no: Their bank's number.
            payout_channel: The payout channel, e.g. ``"GBPRIMEPAY_PAYOUT"``.
            signature_hash: The request's signature (PortOne's recipe is undocumented).
            email: Their e-mail address.
            phone: Their phone number.
            address: Their address.
            country: Their country (ISO 3166 alpha-2).
            bank_account_middle_name: The account holder's middle name.
            bank_account_last_name: The account holder's last name.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        body: dict[str, Any] = {
            "name": free_text("name", name),
            "bank_account_number": text("bank_account_number", bank_account_number),
            "bank_account_name": free_text("bank_account_name", bank_account_name),
            "bank_name": free_text("bank_name", bank_name),
            "bank_no": text("bank_no", bank_no),
            # payout.yaml: "BANK" is the only account type a beneficiary may have.
            "bank_account_type": "BANK",
            "payout_channel": text("payout_channel", payout_channel),
            "environment": check_environment(environment, self._client.environment),
            "signature_hash": text("signature_hash", signature_hash),
        }
        optional = {
            "email": email,
            "phone": phone,
            "address": address,
            "country": country,
            "bank_account_middle_name": bank_account_middle_name,
            "bank_account_last_name": bank_account_last_name,
        }
        body.update({k: free_text(k, v) for k, v in optional.items() if v is not None})
        path = f"/api/merchants/{self._client.key_segment}/payout/createBeneficiary"
        return await self._client.request(
            "POST",
            path,
            json=body,
            parse=parse_object(Beneficiary.from_json, "the beneficiary creation"),
        )

    def list(
        self, *, page_size: int = 50, environment: Environment | None = None
    ) -> AsyncIterator[Beneficiary]:
        """Every registered beneficiary, fetched a page at a time as you iterate.

        Args:
            page_size: Beneficiaries per page, 1 to 100.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            An async iterator over the beneficiaries.
        """
        size = check_page_size(page_size)
        env = check_environment(environment, self._client.environment)
        return self._pages(size, env)

    async def _pages(self, size: int, environment: str) -> AsyncIterator[Beneficiary]:
        path = f"/api/merchants/{self._client.key_segment}/payout/createBeneficiary"
        page = 1
        while True:
            params = {"environment": environment, "page": str(page), "pageSize": str(size)}
            data = expect_object(
                await self._client.request("GET", path, params=params), "the beneficiaries"
            )
            found = items(data)
            for item in found:
                yield Beneficiary.from_json(item)
            if not more_pages(page, size, len(found), data):
                return
            page += 1

    async def verify_account(
        self,
        *,
        channel_key: str,
        account_number: str,
        account_name: str,
        bank_name: str,
        bank_number: str,
        request_id: str,
        type: AccountType = "BANK",
        signature_hash: str | None = None,
        environment: Environment | None = None,
    ) -> AccountVerification:
        """Ask the beneficiary's bank whether the account exists, and under which name.

        Retried like a read: the check moves no money. ``signature_hash`` is optional in
        PortOne's spec and its recipe undocumented: pass one when your integration requires it.

        Args:
            channel_key: The payout channel, e.g. ``"EPAY_PAYOUT"``.
            account_number: The account (or card) number.
            account_name: The name you were given for it.
            bank_name: The bank.
            bank_number: The bank's number.
            request_id: Your id of this check, echoed in the answer.
            type: ``"BANK"`` (default) or ``"CARD"``.
            signature_hash: The request's signature, when your integration needs one.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        body: dict[str, Any] = {
            "portone_key": self._client.client_key,
            "channel_key": text("channel_key", channel_key),
            "bank_name": free_text("bank_name", bank_name),
            "bank_number": text("bank_number", bank_number),
            "account_number": text("account_number", account_number),
            "account_name": free_text("account_name", account_name),
            "request_id": text("request_id", request_id),
            # payout.yaml's schema says BANK or CARD; its example's "account" is neither.
            "type": check_choice("type", type, _ACCOUNT_TYPES),
            "environment": check_environment(environment, self._client.environment),
        }
        if signature_hash is not None:
            body["signature_hash"] = text("signature_hash", signature_hash)
        return await self._client.request(
            "POST",
            "/api/payout/vendor/account/verification",
            json=body,
            idempotent=True,
            parse=parse_object(AccountVerification.from_json, "the account verification"),
        )


class VirtualAccounts:
    """``portone.payouts.virtual_accounts``: the accounts payouts are paid from.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def list(self, *, environment: Environment | None = None) -> tuple[VirtualAccount, ...]:
        """Every virtual account of the merchant.

        Args:
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        env = check_environment(environment, self._client.environment)
        path = f"/api/merchant/{self._client.key_segment}/payout/va"
        return await self._client.request(
            "GET", path, params={"environment": env}, parse=_virtual_accounts
        )

    async def balance(self, account_no: str) -> VirtualAccountBalance:
        """What the virtual account holds now.

        Args:
            account_no: The virtual account (``VirtualAccount.account_no``).
        """
        ref = path_segment("account_no", account_no)
        return await self._client.request(
            "GET",
            f"/api/payout/va/{ref}/balance",
            parse=parse_object(VirtualAccountBalance.from_json, "a balance", account_no),
        )

    async def download_statement(
        self, account_no: str, *, start: datetime, end: datetime
    ) -> Download:
        """The virtual account's statement between ``start`` and ``end``, as a file.

        ::

            statement = await portone.payouts.virtual_accounts.download_statement(
                "902000229313", start=start, end=end
            )
            Path(statement.filename or "statement.csv").write_bytes(statement.content)

        payout.yaml declares a JSON answer here (its example belongs to another operation);
        should PortOne answer JSON after all, it comes back as a ``Download`` of that JSON
        (``content_type`` ``application/json``), nothing lost.

        Args:
            account_no: The virtual account (``VirtualAccount.account_no``).
            start: The start of the window (timezone-aware; sent as ISO 8601 with its offset,
                as payout.yaml's example writes it).
            end: The end of the window (timezone-aware, not before ``start``).

        Returns:
            The file: its bytes, content type and the file name PortOne gave.
        """
        ref = path_segment("account_no", account_no)
        check_window(start, end)  # both timezone-aware datetimes, in order
        params = {"from": start.isoformat(), "to": end.isoformat()}
        data = await self._client.request(
            "GET", f"/api/payout/va/{ref}/download-statement", params=params, expect="file"
        )
        if isinstance(data, Download):
            return data
        content = b"" if data is None else json.dumps(data, ensure_ascii=False).encode()
        return Download(content=content, content_type="application/json", filename=None)

    def statement(
        self, account_no: str, *, start: datetime, end: datetime, page_size: int = 50
    ) -> AsyncIterator[StatementEntry]:
        """The movements on a virtual account between ``start`` and ``end``, a page at a time.

        Args:
            account_no: The virtual account (``VirtualAccount.account_no``).
            start: The start of the window (timezone-aware; sent in UTC).
            end: The end of the window (timezone-aware, not before ``start``).
            page_size: Entries per page, 1 to 100.

        Returns:
            An async iterator over the entries.
        """
        ref = path_segment("account_no", account_no)
        window = check_window(start, end)
        size = check_page_size(page_size)
        return self._statement(f"/api/payout/va/{ref}/statement", window, size)

    async def _statement(
        self, path: str, window: dict[str, str], size: int
    ) -> AsyncIterator[StatementEntry]:
        page = 1
        while True:
            body = {**window, "page": page, "pagesize": size}
            # A POST that only reads: replaying it is harmless.
            data = expect_object(
                await self._client.request("POST", path, json=body, idempotent=True),
                "the statement",
            )
            found = items(data)
            for item in found:
                yield StatementEntry.from_json(item)
            if not more_pages(page, size, len(found), data):
                return
            page += 1


def _virtual_accounts(data: Any) -> tuple[VirtualAccount, ...]:
    return tuple(
        VirtualAccount.from_json(item)
        for item in items(expect_object(data, "the virtual accounts"))
    )
