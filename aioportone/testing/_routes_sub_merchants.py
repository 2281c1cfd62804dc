"""The fake's master-merchant routes (mastermerchant.yaml): sub-merchants, their status, payment
methods, transactions (and their export) and payment links.

Every path names the master merchant's key, which must be the caller's (``X-Portone-Client-Key``);
the JWT check (in the fake's middleware) is as strict as anywhere. Listings answer with numbers
for their counts, as mastermerchant.yaml declares them.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._records import iso_time
from ._routes_common import (
    CLIENT_KEY_HEADER,
    bad_environment,
    envelope,
    invalid,
    json_object,
    missing_field,
    portone_error,
    required,
)

if TYPE_CHECKING:
    from ._routes_common import Server
    from ._sub_merchant_state import SubMerchantState

__all__ = ["install"]

# mastermerchant.yaml, the required fields of each request body.
ADD_REQUIRED = ("email_address", "name", "country")
ADD_FLAGS = (
    "is_login_allowed",
    "is_invite_merchant",
    "use_master_merchant_creds",
    "send_kyc_link_email",
)
PAGE_REQUIRED = ("page", "pagesize", "to", "from", "environment")
METHODS_REQUIRED = (
    "merchants_keys",
    "payment_channel_key",
    "payment_method_key",
    "action_type",
    "method_sub_type",
    "environment",
)
STATUSES = ("ACTIVE", "INACTIVE")
# The window layout of mastermerchant.yaml's examples ("2006-01-02 15:04:05").
_WINDOW = "%Y-%m-%d %H:%M:%S"


def install(app: web.Application, fake: Server) -> None:
    routes = _SubMerchantRoutes(fake)
    base = "/api/master-merchant/{mkey}"
    add = app.router
    add.add_post(f"{base}/add-merchant", routes.add)
    add.add_get(f"{base}/merchants-invite", routes.invited)
    add.add_get(f"{base}/merchants", routes.all)
    add.add_post(f"{base}/merchants/paginated", routes.paginated)
    add.add_put(f"{base}/merchants/{{key}}/status/{{status}}", routes.set_status)
    add.add_post(f"{base}/merchants/payment-methods", routes.payment_methods)
    add.add_post(f"{base}/merchants/transactions", routes.transactions)
    add.add_post(f"{base}/merchants/export-transactions", routes.export_transactions)
    add.add_post(f"{base}/merchants/payment-links", routes.payment_links)


def _not_found() -> web.Response:
    # https://docs.portone.cloud/docs/error-codes: 4016 MERCHANT_NOT_FOUND.
    return portone_error(400, "4016", "MERCHANT_NOT_FOUND", "Merchant not found")


def _paging(body: dict[str, Any]) -> tuple[int, int, float, float] | web.Response:
    if (problem := bad_environment(body["environment"])) is not None:
        return problem
    page, size = body["page"], body["pagesize"]
    for value in (page, size):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return invalid("Invalid Request, err : page and pagesize must be positive integers")
    try:
        start = datetime.strptime(str(body["from"]), _WINDOW).replace(tzinfo=UTC)
        end = datetime.strptime(str(body["to"]), _WINDOW).replace(tzinfo=UTC)
    except ValueError:
        return invalid(
            "Invalid Request, err : from and to must be dates such as 2006-01-02 15:04:05"
        )
    # The layout has whole seconds: the window's end covers its whole second.
    return page, size, start.timestamp(), end.timestamp() + 1


def _page(found: list[dict[str, Any]], page: int, size: int) -> dict[str, Any]:
    chunk = found[(page - 1) * size : page * size]
    return {
        "content": chunk,
        "total_elements": len(found),
        "total_pages": max(1, math.ceil(len(found) / size)),
        "size": size,
        "page": page,
        "number_of_elements": len(chunk),
    }


def _keys(body: dict[str, Any], name: str) -> list[str] | None:
    keys = body.get(name, [])
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        return None
    return keys


class _SubMerchantRoutes:
    def __init__(self, fake: Server) -> None:
        self.fake = fake

    @property
    def state(self) -> SubMerchantState:
        return self.fake.state.sub_merchants

    def _master(self, request: web.Request) -> str | web.Response:
        key = request.match_info["mkey"]
        if key != request.headers.get(CLIENT_KEY_HEADER):
            return portone_error(
                401, "4010", "INVALID_UNAUTHORISED_TRANSACTION_IAMPORTKEY_ERROR", "invalid auth key"
            )
        return key

    async def add(self, request: web.Request) -> web.Response:
        master = self._master(request)
        if isinstance(master, web.Response):
            return master
        body = await json_object(request)
        missing = missing_field(body, ADD_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "email_address")
        if not all(isinstance(body.get(flag), bool) for flag in ADD_FLAGS):
            return invalid("Invalid Request, err : the merchant's flags must be booleans")
        record = self.state.add(master, body)
        return envelope({"kyc_link": record.kyc_link}, message="Merchant added successfully!")

    async def invited(self, request: web.Request) -> web.Response:
        master = self._master(request)
        if isinstance(master, web.Response):
            return master
        found = [m.invitation() for m in self.state.of(master) if m.flags["is_invite_merchant"]]
        return envelope(found, message="Invited merchants fetched successfully!")

    async def all(self, request: web.Request) -> web.Response:
        master = self._master(request)
        if isinstance(master, web.Response):
            return master
        if (problem := bad_environment(request.query.get("environment"))) is not None:
            return problem
        found = [m.as_json() for m in self.state.of(master)]
        return envelope(found, message="Merchants fetched successfully!")

    async def paginated(self, request: web.Request) -> web.Response:
        paged = await self._paged(request)
        if isinstance(paged, web.Response):
            return paged
        master, body, (page, size, start, end) = paged
        filters = body.get("filters") or {}
        statuses = filters.get("merchant_status") if isinstance(filters, dict) else None
        found = [
            m.as_json()
            for m in self.state.of(master)
            if start <= m.created_at < end and (not statuses or m.merchant_status in statuses)
        ]
        # The example answers the page's counts beside content (the schema declares none).
        return envelope(message="Merchants fetched successfully!", **_page(found, page, size))

    async def set_status(self, request: web.Request) -> web.Response:
        master = self._master(request)
        if isinstance(master, web.Response):
            return master
        status = request.match_info["status"]
        if status not in STATUSES:
            return invalid("Invalid Request, err : status must be ACTIVE or INACTIVE")
        record = self.state.get(master, request.match_info["key"])
        if record is None:
            return _not_found()
        record.merchant_status = status
        return envelope(record.as_json(), message="Merchant status updated successfully!")

    async def payment_methods(self, request: web.Request) -> web.Response:
        master = self._master(request)
        if isinstance(master, web.Response):
            return master
        body = await json_object(request)
        missing = missing_field(body, METHODS_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "merchants_keys")
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        keys = _keys(body, "merchants_keys")
        if not keys:
            return required("merchants_keys")
        if not all(isinstance(body.get(f), bool) for f in ("enable", "default")):
            return invalid("Invalid Request, err : enable and default must be booleans")
        records = [self.state.get(master, k) for k in keys]
        if any(r is None for r in records):
            return _not_found()
        method = (str(body["payment_channel_key"]), str(body["payment_method_key"]))
        for record in records:
            assert record is not None
            record.payment_methods[method] = {
                "enable": body["enable"],
                "default": body["default"],
                "method_sub_type": body["method_sub_type"],
            }
        return envelope(message="Payment Methods updated successfully!")

    async def _listing(
        self, request: web.Request
    ) -> tuple[str, list[str], tuple[int, int, float, float], dict[str, Any]] | web.Response:
        paged = await self._paged(request)
        if isinstance(paged, web.Response):
            return paged
        master, body, paging = paged
        keys = _keys(body, "merchant_keys")
        if keys is None:
            return invalid("Invalid Request, err : merchant_keys must be a list of keys")
        return master, keys, paging, body

    async def _paged(
        self, request: web.Request
    ) -> tuple[str, dict[str, Any], tuple[int, int, float, float]] | web.Response:
        """The master key, the body and its paging fields of a paged request, or the refusal."""
        master = self._master(request)
        if isinstance(master, web.Response):
            return master
        body = await json_object(request)
        missing = missing_field(body, PAGE_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "page")
        paging = _paging(body)
        if isinstance(paging, web.Response):
            return paging
        return master, body, paging

    async def transactions(self, request: web.Request) -> web.Response:
        listing = await self._listing(request)
        if isinstance(listing, web.Response):
            return listing
        found, (page, size) = self._transactions(*listing)
        return web.json_response(_page(found, page, size))

    async def export_transactions(self, request: web.Request) -> web.Response:
        # mastermerchant.yaml answers "Excel File Stream to download"; the fake sends the
        # page's transactions as CSV, readable in a test without a spreadsheet library.
        listing = await self._listing(request)
        if isinstance(listing, web.Response):
            return listing
        found, (page, size) = self._transactions(*listing)
        rows = found[(page - 1) * size : page * size]
        columns = sorted({k for row in rows for k, v in row.items() if not isinstance(v, dict)})
        out = io.StringIO()
        writer = csv.DictWriter(
            out,
            columns or ["merchant_key"],
            restval="",
            extrasaction="ignore",
            lineterminator="\r\n",
        )
        writer.writeheader()
        writer.writerows(rows)
        return web.Response(
            body=out.getvalue().encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": 'attachment; filename="transactions.csv"'},
        )

    def _transactions(
        self,
        master: str,
        keys: list[str],
        paging: tuple[int, int, float, float],
        body: dict[str, Any],
    ) -> tuple[list[dict[str, Any]], tuple[int, int]]:
        page, size, start, end = paging
        found = []
        for sub, txn in self.state.transactions(master, keys):
            if start <= txn.created_at < end and txn.environment == body["environment"]:
                found.append(
                    {
                        **txn.details(),
                        "date": iso_time(txn.created_at),
                        "merchant_name": sub.name,
                        "merchant_key": sub.key,
                        "merchant_email_address": sub.email_address,
                    }
                )
        return found, (page, size)

    async def payment_links(self, request: web.Request) -> web.Response:
        listing = await self._listing(request)
        if isinstance(listing, web.Response):
            return listing
        master, keys, (page, size, start, end), body = listing
        found = []
        for sub, link in self.state.links(master, keys):
            shown = link.body
            if start <= link.created_at < end and shown.get("environment") == body["environment"]:
                found.append(
                    {
                        "link": link.url,
                        "currency": shown.get("currency", ""),
                        "link_ref": link.ref,
                        "amount": shown.get("amount"),
                        "countryCode": shown.get("country_code", ""),
                        "portone_key": sub.key,
                        "status": link.status,
                        "merchant_order_ref": link.merchant_order_id,
                        "created_at": iso_time(link.created_at),
                        "description": shown.get("description", ""),
                        "merchant_key": sub.key,
                        "merchant_email_address": sub.email_address,
                    }
                )
        return web.json_response(_page(found, page, size))
