"""What the fake PortOne remembers of reconciliation: data sources, the reconciliations created,
and the records the dashboard counts.

Reached as ``fake.state.recon``. Tests play PortOne's matching with :meth:`ReconState.add_record`
(a record of a data source with its outcome); the summary and the dashboard records are computed
from those.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._records import iso_time, json_number

if TYPE_CHECKING:
    from ._context import Host

__all__ = ["MISMATCHES", "MSM_ID", "ReconRecordEntry", "ReconState"]

# The merchant's recon id in recon.yaml's examples.
MSM_ID = 27
# recon.yaml's mismatch kinds, each the field of a record that holds its difference.
MISMATCHES = {
    "mismatch_fee": "fee_mismatch",
    "mismatch_tax": "tax_mismatch",
    "mismatch_amount": "amount_mismatch",
    "mismatch_quantity": "quantity_mismatch",
}


@dataclass
class ReconRecordEntry:
    """One record of a data source with its reconciliation outcome.

    Attributes:
        owner_key: The merchant's PortOne key.
        data_source: The data source it came from.
        transaction_id: The order it belongs to.
        sku_id: Its SKU.
        amount: Its amount.
        status: ``"reconciled"`` or ``"unreconciled"``.
        record_type: ``"payment"`` or ``"refund"``.
        environment: ``"sandbox"`` or ``"live"``.
        created_at: When, in the fake's time.
        mismatches: Its differences, by mismatch kind (``"mismatch_fee"``...).
    """

    owner_key: str
    data_source: str
    transaction_id: str
    sku_id: str
    amount: Decimal
    status: str
    record_type: str
    environment: str
    created_at: float
    mismatches: dict[str, Decimal] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        # recon.yaml, the items of the dashboard records' data.content.
        when = iso_time(self.created_at)
        differences = {
            wire: json_number(self.mismatches.get(kind, Decimal(0)))
            for kind, wire in MISMATCHES.items()
        }
        return {
            "amount": json_number(self.amount),
            "created_at": when,
            "currency": "",
            "deleted_at": None,
            "marketplace_id": self.data_source.split("_", 1)[0],
            "metadata": None,
            "metadata_b": None,
            "quantity": 1,
            "raw_status": "confirmed",
            "record_created_at": when,
            "record_ref": f"{self.transaction_id}#{self.sku_id}",
            "record_type": self.record_type,
            "sku_id": self.sku_id,
            "source_display_name": "",
            "source_name": self.data_source,
            "status": self.status,
            "tags": [],
            "transaction_id": self.transaction_id,
            "updated_at": when,
            **differences,
        }


class ReconState:
    """The fake's reconciliation data.

    Args:
        fake: The fake server it belongs to.
    """

    def __init__(self, fake: Host) -> None:
        self._fake = fake
        # recon.yaml's example sources: a marketplace's orders and its settlements.
        self.sources: dict[str, dict[str, Any]] = {
            name: {
                "category": "MARKETPLACE",
                "config": {"is_sku_level": True},
                "currency": "INR",
                "display_name": display,
                "source_name": name,
            }
            for name, display in (
                ("LAZADA_ORDER", "Lazada Order"),
                ("LAZADA_SETTLEMENT", "Lazada Settlement"),
            )
        }
        self.recons: list[dict[str, Any]] = []
        # The files uploaded: file_name, content (bytes), environment, owner_key.
        self.uploads: list[dict[str, Any]] = []
        self.records: list[ReconRecordEntry] = []

    def add_record(
        self,
        transaction_id: str,
        *,
        owner_key: str,
        data_source: str = "LAZADA_ORDER",
        amount: float | int | Decimal = 100,
        status: str = "reconciled",
        record_type: str = "payment",
        environment: str = "sandbox",
        mismatches: dict[str, float | int | Decimal] | None = None,
    ) -> ReconRecordEntry:
        """Store a record as PortOne's matching would leave it.

        Args:
            transaction_id: The order it belongs to.
            owner_key: The merchant's PortOne key.
            data_source: The data source it came from.
            amount: Its amount.
            status: ``"reconciled"`` or ``"unreconciled"``.
            record_type: ``"payment"`` or ``"refund"``.
            environment: ``"sandbox"`` or ``"live"``.
            mismatches: Its differences, by kind (``{"mismatch_fee": -3.5}``).
        """
        entry = ReconRecordEntry(
            owner_key=owner_key,
            data_source=data_source,
            transaction_id=transaction_id,
            sku_id=f"SKU-{len(self.records) + 1}",
            amount=Decimal(repr(amount) if isinstance(amount, float) else amount),
            status=status,
            record_type=record_type,
            environment=environment,
            created_at=self._fake.now(),
            mismatches={
                k: Decimal(repr(v) if isinstance(v, float) else v)
                for k, v in (mismatches or {}).items()
            },
        )
        self.records.append(entry)
        return entry

    def selection(self) -> dict[str, list[dict[str, str]]]:
        # recon.yaml, data.selection: the dates each source has records for.
        shown: dict[str, list[dict[str, str]]] = {}
        for name in self.sources:
            times = [r.created_at for r in self.records if r.data_source == name]
            if times:
                span = {"max_date": iso_time(max(times)), "min_date": iso_time(min(times))}
                shown[name] = [{**span, "source_name": name}]
        return shown

    def matching(
        self, owner_key: str, body: dict[str, Any], source: str, window: tuple[float, float]
    ) -> list[ReconRecordEntry]:
        """The records of ``source`` in the window, of the request's type and environment.

        Args:
            owner_key: The merchant's PortOne key.
            body: The request's JSON body.
            source: The data source.
            window: The window's bounds, in the fake's time.
        """
        return [
            r
            for r in self.records
            if r.owner_key == owner_key
            and r.data_source == source
            and r.record_type == body["record_type"]
            and r.environment == body["environment"]
            and window[0] <= r.created_at <= window[1]
        ]

    def summary(
        self, a: list[ReconRecordEntry], b: list[ReconRecordEntry], body: dict[str, Any]
    ) -> dict[str, Any]:
        """recon.yaml's summary ``data``: boxes and the flows between them.

        Args:
            a: The records of ``data_source_a``.
            b: The records of ``data_source_b``.
            body: The request's JSON body.
        """
        kind = body["record_type"]

        def box(
            id_: str,
            name: str,
            category: str,
            records: list[ReconRecordEntry],
            source: str = body["data_source_a"],
            **more: Any,
        ) -> dict[str, Any]:
            return {
                "column_category": category,
                "count": len(records),
                "count_sku": len(records),
                "data_source_id": source,
                "id": id_,
                "msm_id": MSM_ID,
                "name": name,
                "record_type": kind,
                "sliceSettings": {"fill": "#2455B2", "stroke": "#2455B2"},
                "value": json_number(sum((r.amount for r in records), Decimal(0))),
                **more,
            }

        matched = [r for r in a if r.status == "reconciled"]
        fields = [
            box("sale_transactions", "Transactions", "transaction", a),
            box("sale_settlements", "Settlements", "settlement", b, body["data_source_b"]),
            box(
                "unreconciled_sale_transactions",
                "Missing in Settlements",
                "transaction",
                [r for r in a if r.status != "reconciled"],
                status="unreconciled",
            ),
            box(
                "reconciled_sale_settlements",
                "Matched Orders",
                "transaction",
                matched,
                status="SankeyReconOrders",
            ),
        ]
        nodes = [
            {
                "from": "sale_transactions",
                "to": "reconciled_sale_settlements",
                "value": len(matched),
            }
        ]
        for kind_, wire in MISMATCHES.items():
            hit = [r for r in matched if r.mismatches.get(kind_)]
            total = sum((abs(r.mismatches[kind_]) for r in hit), Decimal(0))
            fields.append(
                box(
                    kind_,
                    wire.replace("_", " ").title(),
                    "mismatch",
                    hit,
                    status="reconciled",
                    amount_value=json_number(total),
                )
            )
            nodes.append({"from": "reconciled_sale_settlements", "to": kind_, "value": len(hit)})
        return {"dataFields": fields, "dataNodes": nodes, "unConnectedNodes": []}
