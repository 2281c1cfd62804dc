"""The fake's payout routes: virtual accounts, payouts, beneficiaries and the approval flow.

PortOne documents no recipe for the ``signature_hash`` of these requests, so the fake can only
insist that one is present; the JWT check (in the fake's middleware) is as strict as anywhere.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._routes_common import (
    CLIENT_KEY_HEADER,
    bad_amount,
    bad_environment,
    envelope,
    invalid,
    json_object,
    key_mismatch,
    missing_field,
    owner_key,
    portone_error,
    required,
    unknown_reference,
)

if TYPE_CHECKING:
    from ._payout_state import PayoutRecord, PayoutState, VirtualAccountRecord
    from ._routes_common import Server

__all__ = ["install"]

# payout.yaml, the required fields of each request body.
PAYOUT_REQUIRED = ("key", "channel_key", "signature_hash", "environment", "txn_details")
DETAILS_REQUIRED = ("virtual_acc_no", "bank_details", "amount", "currency", "txn_ref")
BANK_REQUIRED = ("account_no", "account_type", "account_name")
LIST_REQUIRED = ("page", "pagesize", "to", "from", "environment")
STATEMENT_REQUIRED = ("page", "pagesize", "to", "from")
BENEFICIARY_REQUIRED = (
    "name",
    "bank_account_number",
    "bank_account_name",
    "bank_name",
    "bank_no",
    "bank_account_type",
    "payout_channel",
    "environment",
    "signature_hash",
)
VERIFICATION_REQUIRED = (
    "portone_key",
    "channel_key",
    "account_number",
    "account_name",
    "request_id",
    "type",
    "bank_number",
    "bank_name",
    "environment",
)
OTP_REQUIRED = ("email", "two_fa_type", "environment")
APPROVAL_REQUIRED = (
    "approver_email",
    "otp",
    "approver_name",
    "txn_refs",
    "signature_hash",
    "environment",
)
# The window layout of payout.yaml's examples ("2006-01-02 15:04:05").
_WINDOW = "%Y-%m-%d %H:%M:%S"


def install(app: web.Application, fake: Server) -> None:
    routes = _PayoutRoutes(fake)
    add = app.router
    add.add_post("/api/payout/transaction", routes.create)
    add.add_get("/api/payout/{ref}/status", routes.status)
    add.add_put("/api/payout/{ref}/status/Cancelled", routes.cancel)
    add.add_post("/api/merchant/{key}/payouts", routes.list_payouts)
    add.add_get("/api/merchant/{key}/payout/va", routes.virtual_accounts)
    add.add_get("/api/payout/va/{va}/balance", routes.balance)
    add.add_post("/api/payout/va/{va}/statement", routes.statement)
    add.add_post("/api/payout/vendor/account/verification", routes.verify_account)
    add.add_post("/api/merchants/{key}/payout/createBeneficiary", routes.add_beneficiary)
    add.add_get("/api/merchants/{key}/payout/createBeneficiary", routes.beneficiaries)
    add.add_post(
        "/api/merchant/payout/{verb:generateOTP|resendOTP}/{step:verify|approve}", routes.send_code
    )
    add.add_post("/api/merchant/payout/{step:verify|approve}", routes.approval)


def _not_found(what: str) -> web.Response:
    # payout.yaml's 400 examples: 4042 with a "... not found" message.
    return portone_error(400, "4042", "DATA_NOT_FOUND", f"{what} not found")


def _invalid_account() -> web.Response:
    # https://docs.portone.cloud/docs/error-codes: 4061 INVALID_VIRTUAL_ACCOUNT
    return portone_error(400, "4061", "INVALID_VIRTUAL_ACCOUNT", "Invalid virtual account")


def _window(body: dict[str, Any]) -> tuple[float, float] | None:
    try:
        start = datetime.strptime(str(body["from"]), _WINDOW).replace(tzinfo=UTC)
        end = datetime.strptime(str(body["to"]), _WINDOW).replace(tzinfo=UTC)
    except ValueError:
        return None
    # The layout has whole seconds: the window's end covers its whole second.
    return start.timestamp(), end.timestamp() + 1


def _paging(body: dict[str, Any]) -> tuple[int, int] | None:
    page, size = body.get("page"), body.get("pagesize")
    for value in (page, size):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return None
    return page, size  # type: ignore[return-value]


def _page(found: list[dict[str, Any]], page: int, size: int) -> dict[str, Any]:
    """One page of ``found`` with payout.yaml's counts, written as the schema's strings."""
    chunk = found[(page - 1) * size : page * size]
    return {
        "content": chunk,
        "total_elements": str(len(found)),
        "total_pages": str(max(1, math.ceil(len(found) / size))),
        "size": str(size),
        "page": str(page),
        "number_of_elements": str(len(chunk)),
    }


class _PayoutRoutes:
    def __init__(self, fake: Server) -> None:
        self.fake = fake

    @property
    def state(self) -> PayoutState:
        return self.fake.state.payouts

    def _account(self, request: web.Request, number: object) -> VirtualAccountRecord | None:
        account = self.state.virtual_accounts.get(str(number))
        return account if account is not None and account.owner_key == owner_key(request) else None

    def _payout(self, request: web.Request) -> PayoutRecord | None:
        payout = self.state.payouts.get(request.match_info["ref"])
        return payout if payout is not None and payout.owner_key == owner_key(request) else None

    async def create(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        missing = missing_field(body, PAYOUT_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "key", 401 if missing == "key" else 400)
        if (problem := key_mismatch(request, str(body["key"]))) is not None:
            return problem
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        details = body["txn_details"]
        if not isinstance(details, dict):
            return invalid("Invalid Request, err : txn_details must be an object")
        missing = missing_field(details, DETAILS_REQUIRED)
        if missing is not None:
            return required(missing)
        bank = details["bank_details"]
        missing = (
            "bank_details" if not isinstance(bank, dict) else missing_field(bank, BANK_REQUIRED)
        )
        if missing is not None:
            return required(missing)
        account = self._account(request, details["virtual_acc_no"])
        if account is None or account.environment != body["environment"]:
            return _invalid_account()
        amount = details["amount"]
        if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
            return bad_amount()
        value = Decimal(repr(amount)) if isinstance(amount, float) else Decimal(amount)
        if details["currency"] != account.currency:
            return portone_error(
                400, "4076", "INVALID_AMOUNT_CURRENCY_ERROR", "currency does not match the account"
            )
        if value > account.balance:
            return bad_amount("amount is more than the virtual account balance")
        # PortOne documents no refusal of a second payout under the same txn_ref: none here.
        self.state.add_payout(account, details, value)
        return web.json_response(
            {
                "is_success": True,
                "message": "Payout created successfully",
                "status_code": "2000",
                "status_reason": "SUCCESS",
            }
        )

    async def status(self, request: web.Request) -> web.Response:
        payout = self._payout(request)
        if payout is None:
            return unknown_reference("Invalid payout reference")
        return web.json_response({"Status": payout.status})

    async def cancel(self, request: web.Request) -> web.Response:
        payout = self._payout(request)
        if payout is None:
            return unknown_reference("Invalid payout reference")
        if payout.status != "Cancelled":
            if payout.status != "Created":
                return invalid(f"A {payout.status} payout cannot be cancelled")
            self.state.cancel(payout)
        return envelope(message="The transaction status updated successfully to Cancelled state")

    async def list_payouts(self, request: web.Request) -> web.Response:
        if (problem := key_mismatch(request, request.match_info["key"])) is not None:
            return problem
        body = await json_object(request)
        missing = missing_field(body, LIST_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "page")
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        window, paging = _window(body), _paging(body)
        if window is None or paging is None:
            return invalid("Invalid Request, err : bad page or date window")
        owner = owner_key(request)
        found = [
            p.as_json()
            for p in self.state.payouts.values()
            if p.owner_key == owner
            and p.environment == body["environment"]
            and window[0] <= p.created_at < window[1]
        ]
        return web.json_response(_page(found, *paging))

    async def virtual_accounts(self, request: web.Request) -> web.Response:
        if (problem := key_mismatch(request, request.match_info["key"])) is not None:
            return problem
        environment = request.query.get("environment")
        if not environment:
            return required("environment")
        if (problem := bad_environment(environment)) is not None:
            return problem
        owner = owner_key(request)
        found = [
            a.as_json()
            for a in self.state.virtual_accounts.values()
            if a.owner_key == owner and a.environment == environment
        ]
        return web.json_response({"content": found, "total_elements": len(found)})

    async def balance(self, request: web.Request) -> web.Response:
        account = self._account(request, request.match_info["va"])
        if account is None:
            return _invalid_account()
        balance = account.balance
        return web.json_response({"Balance": int(balance) if balance % 1 == 0 else float(balance)})

    async def statement(self, request: web.Request) -> web.Response:
        account = self._account(request, request.match_info["va"])
        if account is None:
            return _invalid_account()
        body = await json_object(request)
        missing = missing_field(body, STATEMENT_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "page")
        window, paging = _window(body), _paging(body)
        if window is None or paging is None:
            return invalid("Invalid Request, err : bad page or date window")
        found = [
            {k: v for k, v in e.items() if k != "at"}
            for e in account.entries
            if window[0] <= e["at"] < window[1]
        ]
        return web.json_response(_page(found, *paging))

    async def verify_account(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        missing = missing_field(body, VERIFICATION_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "portone_key")
        if body["portone_key"] != request.headers.get(CLIENT_KEY_HEADER):
            return invalid("portone_key does not match the header")
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        owner = owner_key(request)
        known = next(
            (
                b
                for b in self.state.beneficiaries
                if b.owner_key == owner and b.body["bank_account_number"] == body["account_number"]
            ),
            None,
        )
        if known is None:
            return _not_found("Beneficiary with given account number")
        return web.json_response(
            {
                "is_verified": "true",
                "bank_number": str(body["bank_number"]),
                "account_number": str(body["account_number"]),
                # The bank's spelling of the holder's name: what the merchant compares.
                "account_name": str(known.body["bank_account_name"]),
                "request_id": str(body["request_id"]),
            }
        )

    async def add_beneficiary(self, request: web.Request) -> web.Response:
        if (problem := key_mismatch(request, request.match_info["key"])) is not None:
            return problem
        body = await json_object(request)
        missing = missing_field(body, BENEFICIARY_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "name")
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        if body["bank_account_type"] != "BANK":
            return invalid("Invalid Request, err : bank_account_type must be BANK")
        record = self.state.add_beneficiary(owner_key(request), body)
        return web.json_response(record.as_json())

    async def beneficiaries(self, request: web.Request) -> web.Response:
        if (problem := key_mismatch(request, request.match_info["key"])) is not None:
            return problem
        environment = request.query.get("environment")
        if not environment:
            return required("environment")
        if (problem := bad_environment(environment)) is not None:
            return problem
        try:
            page = int(request.query.get("page", "1"))
            size = int(request.query.get("pageSize", "10"))
        except ValueError:
            return invalid("Invalid Request, err : page and pageSize must be numbers")
        if page < 1 or size < 1:
            return invalid("Invalid Request, err : page and pageSize must be at least 1")
        owner = owner_key(request)
        found = [
            b.as_json()
            for b in self.state.beneficiaries
            if b.owner_key == owner and b.body.get("environment") == environment
        ]
        return envelope(found[(page - 1) * size : page * size], message="Beneficiaries fetched")

    async def send_code(self, request: web.Request) -> web.Response:
        step = request.match_info["step"]
        body = await json_object(request)
        missing = missing_field(body, OTP_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "email")
        if body["two_fa_type"] not in ("email", "phone"):
            return invalid("Invalid Request, err : two_fa_type must be email or phone")
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        self.state.new_code(owner_key(request), str(body["email"]), step)
        return envelope(
            message=f"OTP sent successfully on {body['email']}",
            action=step,
            type=body["two_fa_type"],
        )

    async def approval(self, request: web.Request) -> web.Response:
        step = request.match_info["step"]
        body = await json_object(request)
        missing = missing_field(body, APPROVAL_REQUIRED)
        if body is None or missing is not None:
            return required(missing or "otp")
        if (problem := bad_environment(body["environment"])) is not None:
            return problem
        refs = body["txn_refs"]
        if not isinstance(refs, list) or not refs:
            return invalid("Invalid Request, err : txn_refs must be a list")
        owner = owner_key(request)
        payouts = [self.state.payouts.get(str(ref)) for ref in refs]
        if any(p is None or p.owner_key != owner or p.status != "Created" for p in payouts):
            return unknown_reference("Invalid or not pending payout reference")
        # The code is checked last and never echoed.
        if not self.state.use_code(owner, str(body["approver_email"]), step, body["otp"]):
            # https://docs.portone.cloud/docs/error-codes: 4073 OTP_VERIFICATION_ERROR
            return portone_error(400, "4073", "OTP_VERIFICATION_ERROR", "Invalid OTP")
        who = str(body["approver_name"])
        for payout in payouts:
            assert payout is not None
            if step == "verify":
                payout.is_verified, payout.verified_by = True, who
            else:
                payout.is_approved, payout.approved_by = True, who
                payout.status = "Processing"
        done = "verified" if step == "verify" else "approved"
        return envelope(message=f"Transactions {done} successfully!")
