"""The fake's reconciliation routes (recon.yaml): data sources, upload, create, summary, records,
export.

Recon answers put their data under ``data`` rather than ``content``; the data sources answer
alone carries ``success`` instead of a status code. The JWT check (in the fake's middleware) is
as strict as anywhere.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime
from email import policy
from email.parser import BytesParser
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._recon_state import MSM_ID
from ._routes_common import (
    bad_environment,
    envelope,
    invalid,
    json_object,
    missing_field,
    owner_key,
    required,
)

if TYPE_CHECKING:
    from ._recon_state import ReconState
    from ._routes_common import Server

__all__ = ["install"]

# recon.yaml, the required fields of each request body.
CREATE_REQUIRED = ("file_key", "file_link", "file_name", "recon_id", "data_source", "environment")
SUMMARY_REQUIRED = ("from", "to", "data_source_a", "data_source_b", "record_type", "environment")
RECORDS_REQUIRED = (
    "from",
    "to",
    "data_source",
    "status",
    "msm_id",
    "record_type",
    "page",
    "page_size",
    "environment",
)
EXPORT_REQUIRED = tuple(name for name in RECORDS_REQUIRED if name not in ("page", "page_size"))
RECORD_TYPES = ("payment", "refund")
STATUSES = ("reconciled", "unreconciled", "SankeyReconOrders", "SankeyUnmatchedSku")


def install(app: web.Application, fake: Server) -> None:
    routes = _ReconRoutes(fake)
    app.router.add_get("/api/recon/v3/data-sources", routes.data_sources)
    app.router.add_post("/api/recon/v3/create-recon", routes.create)
    app.router.add_post("/api/recon/v3/summary", routes.summary)
    app.router.add_post("/api/recon/v3/dashboard-records", routes.records)
    app.router.add_post("/api/recon/v3/export-dashboard-records", routes.export)
    app.router.add_post("/api/recon/v3/upload-file", routes.upload)


def _form(request: web.Request, body: bytes) -> dict[str, tuple[str | None, bytes]] | None:
    """A multipart body's fields (name -> (filename, bytes)), or None when it is not one.

    The fake's recording middleware has read the body already, so it is parsed from bytes.
    """
    if request.content_type != "multipart/form-data":
        return None
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=policy.default).parsebytes(head + body)
    if not message.is_multipart():
        return None
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            fields[name] = (part.get_filename(), payload)
    return fields


def _window(body: dict[str, Any]) -> tuple[float, float] | None:
    try:
        start = datetime.fromisoformat(str(body["from"]))
        end = datetime.fromisoformat(str(body["to"]))
    except ValueError:
        return None
    if start.tzinfo is None or end.tzinfo is None:
        return None
    return start.timestamp(), end.timestamp()


def _source_error() -> web.Response:
    # recon.yaml's create-recon 400 example.
    body = {
        "error": "record not found",
        "message": "Error while getting data source",
        "status_code": "4000",
        "status_reason": "BAD_REQUEST",
    }
    return web.json_response(body, status=400)


class _ReconRoutes:
    def __init__(self, fake: Server) -> None:
        self.fake = fake

    @property
    def state(self) -> ReconState:
        return self.fake.state.recon

    async def data_sources(self, request: web.Request) -> web.Response:
        if (problem := bad_environment(request.query.get("environment"))) is not None:
            return problem
        data = {
            "list": list(self.state.sources.values()),
            "map": dict(self.state.sources),
            "selection": self.state.selection(),
        }
        return web.json_response(
            {"data": data, "message": "Data sources fetched successfully!", "success": True}
        )

    async def create(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        missing = missing_field(body, CREATE_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "file_key")
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        if body["data_source"] not in self.state.sources:
            return _source_error()
        self.state.recons.append({**body, "owner_key": owner_key(request)})
        return envelope(message="File Uploaded Successfully!")

    async def summary(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        missing = missing_field(body, SUMMARY_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "from")
        problem = self._common(body)
        if isinstance(problem, web.Response):
            return problem
        a, b = body["data_source_a"], body["data_source_b"]
        if a == b or a not in self.state.sources or b not in self.state.sources:
            return invalid("Invalid Data Source mapping")
        key = owner_key(request)
        data = self.state.summary(
            self.state.matching(key, body, a, problem),
            self.state.matching(key, body, b, problem),
            body,
        )
        return envelope(message="Dashboard Summary fetched successfully!", data=data)

    async def records(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        missing = missing_field(body, RECORDS_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "from")
        found = self._box(request, body, body["page"], body["page_size"])
        if isinstance(found, web.Response):
            return found
        page, size = body["page"], body["page_size"]
        chunk = found[(page - 1) * size : page * size]
        data = {
            "content": [r.as_json() for r in chunk],
            "numberOfElements": len(chunk),
            "page": page,
            "size": size,
            "totalElements": len(found),
            "totalPages": max(1, math.ceil(len(found) / size)),
        }
        return envelope(message="Dashboard Source Data fetched successfully!", data=data)

    async def export(self, request: web.Request) -> web.Response:
        # recon.yaml answers an xlsx (``attachment; filename=source-records.xlsx``); the fake
        # sends the same records as CSV, which a test can read without a spreadsheet library.
        body = await json_object(request)
        missing = missing_field(body, EXPORT_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "from")
        found = self._box(request, body)
        if isinstance(found, web.Response):
            return found
        rows = [r.as_json() for r in found]
        columns = sorted({name for row in rows for name in row}) or ["transaction_id"]
        out = io.StringIO()
        writer = csv.DictWriter(out, columns, restval="", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: v for k, v in row.items() if not isinstance(v, dict)} for row in rows)
        return web.Response(
            body=out.getvalue().encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": 'attachment; filename="source-records.csv"'},
        )

    async def upload(self, request: web.Request) -> web.Response:
        fields = _form(request, await request.read())
        if fields is None:
            # recon.yaml's upload 400 example.
            return invalid("file is corrupted - http: no such file")
        environment = fields.get("environment", (None, b""))[1].decode("utf-8", "replace")
        if (problem := bad_environment(environment)) is not None:
            return problem
        name, content = fields.get("file", (None, b""))
        if not name or not content:
            return invalid("file is corrupted - http: no such file")
        self.state.uploads.append(
            {
                "file_name": name,
                "content": content,
                "environment": environment,
                "owner_key": owner_key(request),
            }
        )
        key = f"UPLOAD/{name}"
        data = {
            "file_key": key,
            "file_link": f"{self.fake.url}/files/{key}",
            "file_name": name,
            "original_file_name": name,
            "recon_id": f"recon-{len(self.state.uploads)}",
        }
        return envelope(message="File Uploaded Successfully!", data=data)

    def _box(
        self, request: web.Request, body: dict[str, Any], *paging: Any
    ) -> list[Any] | web.Response:
        """The records of the dashboard box ``body`` names, or the refusal."""
        window = self._common(body)
        if isinstance(window, web.Response):
            return window
        if body["status"] not in STATUSES:
            return invalid("Invalid Request, err : status must be one of the dashboard statuses")
        for value in (*paging, body["msm_id"]):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                return invalid("Invalid Request, err : page, page_size and msm_id are integers")
        if body["msm_id"] != MSM_ID or body["data_source"] not in self.state.sources:
            return invalid("Invalid Data Source mapping")
        found = self.state.matching(owner_key(request), body, body["data_source"], window)
        return [r for r in found if _in_box(r.status, r.mismatches, body)]

    def _common(self, body: dict[str, Any]) -> tuple[float, float] | web.Response:
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        if body["record_type"] not in RECORD_TYPES:
            return invalid("Invalid Request, err : record_type must be payment or refund")
        window = _window(body)
        if window is None:
            return invalid("Invalid Request, err : from and to must be ISO 8601 date-times")
        return window


def _in_box(status: str, mismatches: dict[str, Any], body: dict[str, Any]) -> bool:
    """Whether a record belongs to the dashboard box the request names."""
    wanted = body["status"]
    if wanted in ("reconciled", "SankeyReconOrders") and status != "reconciled":
        return False
    if wanted == "unreconciled" and status == "reconciled":
        return False
    kind = body.get("mismatches")
    if kind is None or kind == "mismatch_no":
        return kind is None or not any(mismatches.values())
    return bool(mismatches.get(kind))
