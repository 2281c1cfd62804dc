"""Reconciliation: match a merchant's data sources (marketplace orders, settlements...) record by
record, and read the outcome.

https://docs.portone.cloud/docs/overview-reconciliation: a file is uploaded for a data source,
a reconciliation is created from it, and the dashboard then summarises how two sources match and
lists (or exports) the records behind each box.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, get_args

from .._config import text
from .._download import Download
from .._errors import ConfigurationError
from ._files import check_file, export
from ._models_recon import ReconDataSources, ReconRecord, ReconSummary, ReconUpload
from ._payout_common import check_page_size, count, items
from ._validate import (
    Environment,
    check_choice,
    check_environment,
    check_iso_datetime,
    expect_object,
    parse_object,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["Reconciliation"]

RecordType = Literal["payment", "refund"]
RecordStatus = Literal["reconciled", "unreconciled", "SankeyReconOrders", "SankeyUnmatchedSku"]
Mismatch = Literal[
    "mismatch_no", "mismatch_fee", "mismatch_tax", "mismatch_amount", "mismatch_quantity"
]
_RECORD_TYPES: tuple[RecordType, ...] = get_args(RecordType)
_STATUSES: tuple[RecordStatus, ...] = get_args(RecordStatus)
_MISMATCHES: tuple[Mismatch, ...] = get_args(Mismatch)
# recon.yaml's optional filters, each a list of values; the argument names are the plurals.
_FILTERS = {
    "brand_ids": "brand_id",
    "marketplace_ids": "marketplace_id",
    "countries": "country",
    "currencies": "currency",
}


def _window(start: Any, end: Any) -> dict[str, str]:
    # recon.yaml's examples write the window as ISO 8601 in UTC with milliseconds.
    window = {"from": check_iso_datetime("start", start), "to": check_iso_datetime("end", end)}
    if start > end:
        raise ConfigurationError("end", "must not be before start")
    return window


def _filters(**values: Any) -> dict[str, list[str]]:
    """The optional list filters, under recon.yaml's names; None leaves one out."""
    body: dict[str, list[str]] = {}
    for name, value in values.items():
        wire = _FILTERS[name]
        if value is None:
            continue
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ConfigurationError(name, "must be a list of strings")
        body[wire] = [text(name, v) for v in value]
    return body


class Reconciliation:
    """``portone.reconciliation``: PortOne's reconciliation of a merchant's data sources.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def data_sources(self, *, environment: Environment | None = None) -> ReconDataSources:
        """The data sources reconciliation can compare, and the dates each has records for.

        Args:
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        env = check_environment(environment, self._client.environment)
        return await self._client.request(
            "GET",
            "/api/recon/v3/data-sources",
            params={"environment": env},
            parse=parse_object(ReconDataSources.from_json, "the recon data sources"),
        )

    async def create(
        self,
        *,
        recon_id: str,
        data_source: str,
        file_key: str,
        file_link: str,
        file_name: str,
        environment: Environment | None = None,
    ) -> None:
        """Reconcile an uploaded file of ``data_source`` records.

        Not replayed once it may have reached PortOne: PortOne documents no deduplication by
        ``recon_id``, and a second run could ingest the same file twice. Nothing moves money,
        so an unclear outcome raises the transport's error: look at the dashboard
        (:meth:`summary`) before creating it again.

        Args:
            recon_id: Your id of this reconciliation.
            data_source: The data source the file holds (``ReconDataSource.source_name``).
            file_key: The uploaded file's key, as the upload answered it.
            file_link: The uploaded file's link, as the upload answered it.
            file_name: The file's name.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        body = {
            "file_key": text("file_key", file_key),
            "file_link": text("file_link", file_link),
            "file_name": text("file_name", file_name),
            "recon_id": text("recon_id", recon_id),
            "data_source": text("data_source", data_source),
            "environment": check_environment(environment, self._client.environment),
        }
        await self._client.request("POST", "/api/recon/v3/create-recon", json=body)

    async def summary(
        self,
        *,
        start: datetime,
        end: datetime,
        data_source_a: str,
        data_source_b: str,
        record_type: RecordType = "payment",
        brand_ids: Sequence[str] | None = None,
        marketplace_ids: Sequence[str] | None = None,
        countries: Sequence[str] | None = None,
        currencies: Sequence[str] | None = None,
        environment: Environment | None = None,
    ) -> ReconSummary:
        """How the records of ``data_source_a`` and ``data_source_b`` match between two dates.

        A read (sent as a POST): retried like one.

        Args:
            start: The start of the period (timezone-aware; sent in UTC).
            end: The end of the period (timezone-aware, not before ``start``).
            data_source_a: The first data source, e.g. ``"LAZADA_ORDER"``.
            data_source_b: The data source it is matched with, e.g. ``"LAZADA_SETTLEMENT"``.
            record_type: ``"payment"`` (default) or ``"refund"``.
            brand_ids: Only these brands.
            marketplace_ids: Only these marketplaces.
            countries: Only these countries.
            currencies: Only these currencies.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        body: dict[str, Any] = {
            **_window(start, end),
            "data_source_a": text("data_source_a", data_source_a),
            "data_source_b": text("data_source_b", data_source_b),
            "record_type": check_choice("record_type", record_type, _RECORD_TYPES),
            **_filters(
                brand_ids=brand_ids,
                marketplace_ids=marketplace_ids,
                countries=countries,
                currencies=currencies,
            ),
            "environment": check_environment(environment, self._client.environment),
        }
        return await self._client.request(
            "POST",
            "/api/recon/v3/summary",
            json=body,
            idempotent=True,
            parse=parse_object(ReconSummary.from_json, "the recon summary"),
        )

    def records(
        self,
        *,
        start: datetime,
        end: datetime,
        data_source: str,
        status: RecordStatus,
        msm_id: int,
        record_type: RecordType = "payment",
        mismatch: Mismatch | None = None,
        brand_ids: Sequence[str] | None = None,
        marketplace_ids: Sequence[str] | None = None,
        countries: Sequence[str] | None = None,
        currencies: Sequence[str] | None = None,
        page_size: int = 50,
        environment: Environment | None = None,
    ) -> AsyncIterator[ReconRecord]:
        """The records of one dashboard box, page by page as you iterate.

        ::

            box = summary.box("mismatch_fee")
            async for record in portone.reconciliation.records(
                start=since, end=now, data_source=box.data_source, status=box.status,
                msm_id=box.msm_id, mismatch="mismatch_fee",
            ):
                ...

        Arguments are checked here, before the first page is asked for; each page is a read
        (sent as a POST), retried like one.

        Args:
            start: The start of the period (timezone-aware; sent in UTC).
            end: The end of the period (timezone-aware, not before ``start``).
            data_source: The data source whose records are listed.
            status: The box's status: ``"reconciled"``, ``"unreconciled"``,
                ``"SankeyReconOrders"`` or ``"SankeyUnmatchedSku"``.
            msm_id: The merchant's recon id (``ReconSummaryField.msm_id``).
            record_type: ``"payment"`` (default) or ``"refund"``.
            mismatch: Only records with this mismatch, e.g. ``"mismatch_fee"`` (recon.yaml
                declares one value; its example shows a list, which is not followed).
            brand_ids: Only these brands.
            marketplace_ids: Only these marketplaces.
            countries: Only these countries.
            currencies: Only these currencies.
            page_size: Records per page, 1 to 100.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            An async iterator over the records.
        """
        body = self._box(
            start=start,
            end=end,
            data_source=data_source,
            status=status,
            msm_id=msm_id,
            record_type=record_type,
            mismatch=mismatch,
            brand_ids=brand_ids,
            marketplace_ids=marketplace_ids,
            countries=countries,
            currencies=currencies,
            environment=environment,
        )
        return self._pages(body, check_page_size(page_size))

    async def export_records(
        self,
        *,
        start: datetime,
        end: datetime,
        data_source: str,
        status: RecordStatus,
        msm_id: int,
        record_type: RecordType = "payment",
        mismatch: Mismatch | None = None,
        brand_ids: Sequence[str] | None = None,
        marketplace_ids: Sequence[str] | None = None,
        countries: Sequence[str] | None = None,
        currencies: Sequence[str] | None = None,
        environment: Environment | None = None,
    ) -> Download:
        """The records of one dashboard box as a file (PortOne sends an xlsx).

        ::

            export = await portone.reconciliation.export_records(
                start=since, end=now, data_source=box.data_source, status=box.status,
                msm_id=box.msm_id,
            )
            Path(export.filename or "records.xlsx").write_bytes(export.content)

        A read (sent as a POST): retried like one. recon.yaml shows PortOne answering an error
        with status 200 as ``text/plain`` JSON; such an answer raises that error.

        Args:
            start: The start of the period (timezone-aware; sent in UTC).
            end: The end of the period (timezone-aware, not before ``start``).
            data_source: The data source whose records are exported.
            status: The box's status, as :meth:`records` takes it.
            msm_id: The merchant's recon id (``ReconSummaryField.msm_id``).
            record_type: ``"payment"`` (default) or ``"refund"``.
            mismatch: Only records with this mismatch, e.g. ``"mismatch_fee"``.
            brand_ids: Only these brands.
            marketplace_ids: Only these marketplaces.
            countries: Only these countries.
            currencies: Only these currencies.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            The file: its bytes, content type and the file name PortOne gave.
        """
        body = self._box(
            start=start,
            end=end,
            data_source=data_source,
            status=status,
            msm_id=msm_id,
            record_type=record_type,
            mismatch=mismatch,
            brand_ids=brand_ids,
            marketplace_ids=marketplace_ids,
            countries=countries,
            currencies=currencies,
            environment=environment,
        )
        path = "/api/recon/v3/export-dashboard-records"
        return await export(self._client, path, body)

    async def upload_file(
        self, *, file: tuple[str, bytes, str], environment: Environment | None = None
    ) -> ReconUpload:
        """Upload a data source's file (a marketplace's orders, a settlement report) to reconcile.

        ::

            upload = await portone.reconciliation.upload_file(
                file=("lazada-payout.xlsx", Path("lazada-payout.xlsx").read_bytes(), XLSX)
            )
            await portone.reconciliation.create(
                recon_id=upload.recon_id, data_source="LAZADA_SETTLEMENT",
                file_key=upload.file_key, file_link=upload.file_link, file_name=upload.file_name,
            )

        Sent as ``multipart/form-data`` (recon.yaml: ``file`` and ``environment``). Not replayed
        once it may have reached PortOne: recon.yaml documents no deduplication, and each upload
        is stored under a new ``recon_id``. An unclear outcome raises the transport's error;
        nothing moves money, and uploading again stores a second copy, not a second payment.

        Args:
            file: ``(filename, content, content_type)``: a bare file name, the bytes (not
                empty, at most 25 MiB) and their media type, e.g. ``"text/csv"``.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Returns:
            Where PortOne stored the file: what :meth:`create` takes.
        """
        checked = check_file("file", file)
        form = {
            "file": checked,
            "environment": check_environment(environment, self._client.environment),
        }
        # idempotent left at None: a POST, replayed only when it cannot have been processed.
        return await self._client.request(
            "POST",
            "/api/recon/v3/upload-file",
            form=form,
            parse=parse_object(ReconUpload.from_json, "the recon file upload"),
        )

    def _box(
        self,
        *,
        start: Any,
        end: Any,
        data_source: Any,
        status: Any,
        msm_id: Any,
        record_type: Any,
        mismatch: Any,
        brand_ids: Any,
        marketplace_ids: Any,
        countries: Any,
        currencies: Any,
        environment: Any,
    ) -> dict[str, Any]:
        """The body naming one dashboard box, shared by :meth:`records` and the export."""
        if isinstance(msm_id, bool) or not isinstance(msm_id, int) or msm_id < 0:
            raise ConfigurationError("msm_id", "must be a non-negative integer")
        body: dict[str, Any] = {
            **_window(start, end),
            "data_source": text("data_source", data_source),
            "record_type": check_choice("record_type", record_type, _RECORD_TYPES),
            "status": check_choice("status", status, _STATUSES),
            "msm_id": msm_id,
            **_filters(
                brand_ids=brand_ids,
                marketplace_ids=marketplace_ids,
                countries=countries,
                currencies=currencies,
            ),
            "environment": check_environment(environment, self._client.environment),
        }
        if mismatch is not None:
            body["mismatches"] = check_choice("mismatch", mismatch, _MISMATCHES)
        return body

    async def _pages(self, body: dict[str, Any], size: int) -> AsyncIterator[ReconRecord]:
        page = 1
        while True:
            answer = expect_object(
                await self._client.request(
                    "POST",
                    "/api/recon/v3/dashboard-records",
                    json={**body, "page": page, "page_size": size},
                    idempotent=True,
                ),
                "the recon records",
            )
            data = answer.get("data")
            data = data if isinstance(data, Mapping) else {}
            found = items(data)
            for item in found:
                yield ReconRecord.from_json(item)
            # An empty page ends the walk whatever the counts say; else totalPages decides.
            total = count(data.get("totalPages"))
            if not found or (page >= total if total is not None else len(found) < size):
                return
            page += 1
