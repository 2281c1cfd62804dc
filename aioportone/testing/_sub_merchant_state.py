"""What the fake PortOne remembers of master merchants and their sub-merchants.

Reached as ``fake.state.sub_merchants``. Adding a sub-merchant gives it a PortOne key and secret
of its own, which the fake then accepts like any merchant's: a client built with them acts as
the sub-merchant. A master merchant reads its sub-merchants' payment links, and the attempts
paid on them, from the fake's payment-link state (links a master created with
``X-Portone-SubMerchant-Key``, or a sub-merchant created itself).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._records import PaymentLink, Transaction, iso_time

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from ._context import Registry

__all__ = ["SubMerchantRecord", "SubMerchantState"]


@dataclass
class SubMerchantRecord:
    """A sub-merchant of a master merchant.

    Attributes:
        master_key: The master merchant's PortOne key.
        key: Its own PortOne key.
        secret: Its own PortOne secret (the fake accepts JWTs signed with it).
        name: Its name.
        email_address: Its e-mail address.
        country: Its country.
        flags: The creation request's flags (``is_login_allowed``, ...).
        created_at: When, in the fake's time.
        merchant_status: ``"ACTIVE"`` or ``"INACTIVE"``.
        kyc_status: Its KYC's progress.
        payment_methods: Its payment methods' settings, by (channel, method).
        uuid: Its id.
    """

    master_key: str
    key: str
    secret: str
    name: str
    email_address: str
    country: str
    flags: dict[str, bool]
    created_at: float
    merchant_status: str = "ACTIVE"
    kyc_status: str = "PENDING"
    payment_methods: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def kyc_link(self) -> str:
        return f"https://kyc.portone.cloud/{self.key}"

    def as_json(self) -> dict[str, Any]:
        # mastermerchant.yaml, FetchAllSubMerchantContent.
        return {
            "uuid": self.uuid,
            "name": self.name,
            "email_address": self.email_address,
            "merchant_status": self.merchant_status,
            "key": self.key,
            "master_merchant_access": True,
            **self.flags,
            "kyc_link": self.kyc_link,
            "kyc_status": self.kyc_status,
        }

    def invitation(self) -> dict[str, Any]:
        # mastermerchant.yaml, FetchInvitedSubMerchantContent: its flags are declared as strings.
        return {
            "email_address": self.email_address,
            "status": "INVITED",
            "created_at": iso_time(self.created_at),
            "invite_link": f"https://admin.portone.cloud/register?countryCode={self.country}",
            **{name: str(value).lower() for name, value in self.flags.items()},
            "country": self.country,
            "name": self.name,
        }


class SubMerchantState:
    """The fake's sub-merchants, by key.

    Args:
        fake: The fake server it belongs to.
        links: The fake's payment links, as they stand when called.
    """

    def __init__(self, fake: Registry, links: Callable[[], Iterable[PaymentLink]]) -> None:
        self._fake = fake
        self._links = links
        self.merchants: dict[str, SubMerchantRecord] = {}

    def add(self, master_key: str, body: dict[str, Any]) -> SubMerchantRecord:
        """Store a sub-merchant as its creation request would, with a key and secret of its own.

        Args:
            master_key: The master merchant's PortOne key.
            body: The creation request's JSON body.
        """
        key = secrets.token_urlsafe(12)[:16].replace("-", "x").replace("_", "y")
        secret = secrets.token_urlsafe(24)
        flag_names = (
            "use_master_merchant_creds",
            "is_login_allowed",
            "is_invite_merchant",
            "send_kyc_link_email",
        )
        record = SubMerchantRecord(
            master_key=master_key,
            key=key,
            secret=secret,
            name=str(body["name"]),
            email_address=str(body["email_address"]),
            country=str(body["country"]),
            flags={name: body.get(name) is True for name in flag_names},
            created_at=self._fake.now(),
        )
        self.merchants[key] = record
        # The fake's JWT check knows every merchant's key: the sub-merchant becomes one.
        self._fake.add_merchant(key, secret)
        return record

    def of(self, master_key: str) -> list[SubMerchantRecord]:
        """The sub-merchants of ``master_key``, oldest first.

        Args:
            master_key: The master merchant's PortOne key.
        """
        return [m for m in self.merchants.values() if m.master_key == master_key]

    def get(self, master_key: str, key: str) -> SubMerchantRecord | None:
        """The sub-merchant ``key`` of ``master_key``, or None.

        Args:
            master_key: The master merchant's PortOne key.
            key: The sub-merchant's key.
        """
        record = self.merchants.get(key)
        return record if record is not None and record.master_key == master_key else None

    def links(
        self, master_key: str, keys: list[str]
    ) -> list[tuple[SubMerchantRecord, PaymentLink]]:
        """The payment links of the sub-merchants ``keys`` of ``master_key`` (all when empty).

        Args:
            master_key: The master merchant's PortOne key.
            keys: The sub-merchants' keys.
        """
        subs = {m.key: m for m in self.of(master_key) if not keys or m.key in keys}
        return [(subs[link.owner_key], link) for link in self._links() if link.owner_key in subs]

    def transactions(
        self, master_key: str, keys: list[str]
    ) -> list[tuple[SubMerchantRecord, Transaction]]:
        """The attempts paid on those sub-merchants' payment links, oldest first.

        Args:
            master_key: The master merchant's PortOne key.
            keys: The sub-merchants' keys (all when empty).
        """
        found = [(sub, t) for sub, link in self.links(master_key, keys) for t in link.attempts]
        return sorted(found, key=lambda pair: pair[1].created_at)
