"""What PortOne's reconciliation answers become: frozen records with typed fields and the raw JSON.

The recon answers nest their data under ``data`` (not ``content``) and count their pages in
camelCase (``totalPages``), unlike the rest of the API. As everywhere, a missing text field reads
as ``""``, a missing number or flag as ``None``, and ``raw`` keeps everything PortOne sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .._events_webhook import frozen
from ._models import _decimal, _flag, _objects, _text
from ._payout_common import count

__all__ = [
    "ReconDataSource",
    "ReconDataSources",
    "ReconFlow",
    "ReconRecord",
    "ReconSummary",
    "ReconSummaryField",
    "ReconUpload",
]


def _data(answer: Mapping[str, Any]) -> Mapping[str, Any]:
    data = answer.get("data")
    return data if isinstance(data, Mapping) else {}


@dataclass(frozen=True, slots=True)
class ReconDataSource:
    """A source of records reconciliation compares, e.g. a marketplace's order export.

    Attributes:
        source_name: Its name, what the other reconciliation calls take (``"LAZADA_ORDER"``).
        display_name: Its name as the dashboard shows it.
        category: Its kind, e.g. ``"MARKETPLACE"``.
        currency: ISO 4217 currency code of its amounts.
        is_sku_level: Whether its records are per SKU (None: not reported).
        raw: The source as PortOne sent it, read-only (left out of ``repr``).
    """

    source_name: str
    display_name: str
    category: str
    currency: str
    is_sku_level: bool | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReconDataSource:
        """Read one item of the data sources' ``list``.

        Args:
            data: The decoded JSON item.
        """
        config = data.get("config")
        return cls(
            source_name=_text(data, "source_name"),
            display_name=_text(data, "display_name"),
            category=_text(data, "category"),
            currency=_text(data, "currency"),
            is_sku_level=_flag(config, "is_sku_level") if isinstance(config, Mapping) else None,
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class ReconDataSources:
    """The merchant's reconciliation data sources.

    Attributes:
        sources: Each source, in PortOne's order.
        raw: PortOne's whole answer, read-only (left out of ``repr``); ``raw["data"]["selection"]``
            holds the date range each source has records for.
    """

    sources: tuple[ReconDataSource, ...]
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, answer: Mapping[str, Any]) -> ReconDataSources:
        """Read PortOne's answer.

        Args:
            answer: The decoded JSON answer.
        """
        found = _objects(_data(answer).get("list"))
        return cls(sources=tuple(ReconDataSource.from_json(s) for s in found), raw=frozen(answer))


@dataclass(frozen=True, slots=True)
class ReconSummaryField:
    """One box of the reconciliation summary (``Matched Orders``, ``Fee Mismatch``...).

    Attributes:
        id: Its id, e.g. ``"reconciled_sale_settlements"`` or ``"mismatch_fee"``.
        name: Its label.
        column_category: ``"transaction"``, ``"settlement"`` or ``"mismatch"``.
        status: The dashboard status it stands for (what ``records(status=...)`` takes).
        data_source: The data source it counts.
        msm_id: The merchant's recon id (what ``records(msm_id=...)`` takes).
        count: How many records (None: not reported).
        count_sku: How many SKUs (None: not reported).
        value: Their value.
        amount_value: The mismatching amount, for mismatch boxes.
        raw: The field as PortOne sent it, read-only (left out of ``repr``).
    """

    id: str
    name: str
    column_category: str
    status: str
    data_source: str
    msm_id: int | None
    count: int | None
    count_sku: int | None
    value: Decimal | None
    amount_value: Decimal | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReconSummaryField:
        """Read one item of the summary's ``dataFields``.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            id=_text(data, "id"),
            name=_text(data, "name"),
            column_category=_text(data, "column_category"),
            status=_text(data, "status"),
            data_source=_text(data, "data_source_id"),
            msm_id=count(data.get("msm_id")),
            count=count(data.get("count")),
            count_sku=count(data.get("count_sku")),
            value=_decimal(data, "value"),
            amount_value=_decimal(data, "amount_value"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class ReconFlow:
    """A flow between two summary boxes (the dashboard draws them as a Sankey diagram).

    Attributes:
        source: The ``id`` of the box it leaves.
        target: The ``id`` of the box it enters.
        value: How many records flow.
    """

    source: str
    target: str
    value: Decimal | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReconFlow:
        """Read one item of the summary's ``dataNodes``.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            source=_text(data, "from"), target=_text(data, "to"), value=_decimal(data, "value")
        )


@dataclass(frozen=True, slots=True)
class ReconSummary:
    """How two data sources reconcile over a period.

    Attributes:
        fields: The summary's boxes.
        flows: The flows between them.
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    fields: tuple[ReconSummaryField, ...]
    flows: tuple[ReconFlow, ...]
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, answer: Mapping[str, Any]) -> ReconSummary:
        """Read PortOne's answer.

        Args:
            answer: The decoded JSON answer.
        """
        data = _data(answer)
        return cls(
            fields=tuple(ReconSummaryField.from_json(f) for f in _objects(data.get("dataFields"))),
            flows=tuple(ReconFlow.from_json(n) for n in _objects(data.get("dataNodes"))),
            raw=frozen(answer),
        )

    def box(self, box_id: str) -> ReconSummaryField | None:
        """The box with that ``id`` (e.g. ``"mismatch_fee"``), or None.

        Args:
            box_id: The box's id.
        """
        return next((f for f in self.fields if f.id == box_id), None)


@dataclass(frozen=True, slots=True)
class ReconRecord:
    """One record of a data source with its reconciliation outcome.

    Attributes:
        record_ref: Its reference (order and SKU for SKU-level sources).
        transaction_id: The order or transaction it belongs to.
        source_name: The data source it came from.
        record_type: ``"payment"`` or ``"refund"``.
        status: ``"reconciled"``, ``"unreconciled"``...
        amount: Its amount.
        currency: ISO 4217 currency code (often ``""``).
        quantity: How many items (None: not reported).
        amount_mismatch: The amount difference found.
        fee_mismatch: The fee difference found.
        tax_mismatch: The tax difference found.
        quantity_mismatch: The quantity difference found.
        raw: The record as PortOne sent it, read-only (left out of ``repr``).
    """

    record_ref: str
    transaction_id: str
    source_name: str
    record_type: str
    status: str
    amount: Decimal | None
    currency: str
    quantity: int | None
    amount_mismatch: Decimal | None
    fee_mismatch: Decimal | None
    tax_mismatch: Decimal | None
    quantity_mismatch: Decimal | None
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReconRecord:
        """Read one item of the dashboard records' ``content``.

        Args:
            data: The decoded JSON item.
        """
        return cls(
            record_ref=_text(data, "record_ref"),
            transaction_id=_text(data, "transaction_id"),
            source_name=_text(data, "source_name"),
            record_type=_text(data, "record_type"),
            status=_text(data, "status"),
            amount=_decimal(data, "amount"),
            currency=_text(data, "currency"),
            quantity=count(data.get("quantity")),
            amount_mismatch=_decimal(data, "amount_mismatch"),
            fee_mismatch=_decimal(data, "fee_mismatch"),
            tax_mismatch=_decimal(data, "tax_mismatch"),
            quantity_mismatch=_decimal(data, "quantity_mismatch"),
            raw=frozen(data),
        )


@dataclass(frozen=True, slots=True)
class ReconUpload:
    """A file PortOne stored for reconciliation: what :meth:`Reconciliation.create` then takes.

    Attributes:
        file_key: The stored file's key (``create(file_key=...)``).
        file_link: Where PortOne stored it (``create(file_link=...)``).
        file_name: The name PortOne stored it under (``create(file_name=...)``).
        original_file_name: The name it was uploaded with.
        recon_id: The id PortOne gave the reconciliation of this file (``create(recon_id=...)``).
        raw: PortOne's whole answer, read-only (left out of ``repr``).
    """

    file_key: str
    file_link: str
    file_name: str
    original_file_name: str
    recon_id: str
    raw: Mapping[str, Any] = field(repr=False, hash=False)

    @classmethod
    def from_json(cls, answer: Mapping[str, Any]) -> ReconUpload:
        """Read PortOne's answer.

        Args:
            answer: The decoded JSON answer.
        """
        data = _data(answer)
        return cls(
            file_key=_text(data, "file_key"),
            file_link=_text(data, "file_link"),
            file_name=_text(data, "file_name"),
            original_file_name=_text(data, "original_file_name"),
            recon_id=_text(data, "recon_id"),
            raw=frozen(answer),
        )
