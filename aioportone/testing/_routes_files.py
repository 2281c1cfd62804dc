"""The fake's routes that answer a file rather than JSON: the virtual-account statement download.

payout.yaml declares a JSON answer for ``GET /api/payout/va/{va_number}/download-statement``,
with an example copied from another operation (the invited sub-merchants); a download answers a
file, so the fake sends the statement as CSV with a ``Content-Disposition`` naming it.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import TYPE_CHECKING

from aiohttp import web

from ._routes_common import invalid, owner_key, portone_error

if TYPE_CHECKING:
    from ._routes_common import Server

__all__ = ["STATEMENT_COLUMNS", "install"]

#: The CSV's columns: payout.yaml's VirtualAccountStatementContent fields.
STATEMENT_COLUMNS = (
    "created_at",
    "vaaccount_no",
    "txn_ref",
    "to_account_no",
    "channel_ref",
    "amount",
    "txn_type",
    "balance",
    "actual_txn_time",
    "currency",
)


def install(app: web.Application, fake: Server) -> None:
    routes = _FileRoutes(fake)
    app.router.add_get("/api/payout/va/{va}/download-statement", routes.download_statement)


class _FileRoutes:
    def __init__(self, fake: Server) -> None:
        self.fake = fake

    async def download_statement(self, request: web.Request) -> web.Response:
        number = request.match_info["va"]
        account = self.fake.state.payouts.virtual_accounts.get(number)
        if account is None or account.owner_key != owner_key(request):
            # https://docs.portone.cloud/docs/error-codes: 4061 INVALID_VIRTUAL_ACCOUNT
            return portone_error(400, "4061", "INVALID_VIRTUAL_ACCOUNT", "Invalid virtual account")
        # payout.yaml's example: ISO 8601 with an offset, '2021-08-20T13:00:00+05:30'.
        start, end = _moment(request.query.get("from")), _moment(request.query.get("to"))
        if start is None or end is None:
            return invalid("Invalid Request, err : from and to are required ISO 8601 times")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(STATEMENT_COLUMNS)
        for entry in account.entries:
            if start.timestamp() <= entry["at"] <= end.timestamp():
                writer.writerow([entry.get(name, "") for name in STATEMENT_COLUMNS])
        return web.Response(
            body=out.getvalue().encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="statement-{number}.csv"'},
        )


def _moment(value: str | None) -> datetime | None:
    """A timezone-aware ISO 8601 time, or None."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
