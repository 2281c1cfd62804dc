"""The fake's subscription routes: plans, subscription links, deductions (subscription.yaml).

Requests are checked as strictly as the payment routes: required fields, the caller's key in
``portone_key``, and the ``signature_hash`` recomputed with the fake's own copy of the recipe
(:func:`portone_signature`). Failures answer 400 in PortOne's error shape with
``is_success: false`` where subscription.yaml shows it.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._recipes import portone_signature, signed_fields
from ._routes_common import (
    CLIENT_KEY_HEADER,
    ENVIRONMENTS,
    json_object,
    missing_field,
    owner_key,
)
from ._state_subscriptions import (
    FINAL_SUBSCRIPTION_STATUSES,
    Plan,
    Subscription,
    SubscriptionBook,
)

if TYPE_CHECKING:
    from ._routes_common import Server

__all__ = ["install"]

# subscription.yaml: the required fields of each request.
PLAN_REQUIRED = (
    "portone_key",
    "signature_hash",
    "merchant_order_ref",
    "source",
    "currency",
    "environment",
    "name",
    "plan_type",
)
SUBSCRIPTION_REQUIRED = (
    "portone_key",
    "signature_hash",
    "merchant_order_ref",
    "source",
    "currency",
    "environment",
    "plan_order_ref",
    "success_url",
    "failure_url",
    "pending_url",
    "subscription_type",
)
DEDUCTION_REQUIRED = (
    "portone_key",
    "signature_hash",
    "merchant_order_ref",
    "subscription_order_ref",
    "source",
    "currency",
    "amount",
    "environment",
)
TRIGGER_REQUIRED = ("portone_key", "subscription_order_ref", "environment")
PERIODS = ("H", "D", "W", "M", "Q", "Y")
SOURCES = ("default", "api", "checkout")


def install(app: web.Application, fake: Server) -> None:
    routes = _SubscriptionRoutes(fake)
    add = app.router
    add.add_post("/api/subscription/createPlan", routes.create_plan)
    add.add_get("/api/subscription/plan/{ref}", routes.get_plan)
    add.add_put("/api/subscription/plan/{ref}/status/{status}", routes.set_plan_status)
    add.add_post("/api/subscription/createSubscription", routes.create_subscription)
    add.add_post("/api/subscription/createDeduction", routes.create_deduction)
    add.add_put("/api/subscription/triggerNextDeduction", routes.trigger_next)
    add.add_get("/api/subscription/{ref}", routes.get_subscription)
    add.add_get("/api/subscription/{ref}/txns-records", routes.payments)
    add.add_put("/api/subscription/{ref}/status/{status}", routes.set_subscription_status)


def _error(code: str, reason: str, message: str, *, flag: Any = False) -> web.Response:
    """A 400 in subscription.yaml's error shape; ``flag`` is its ``is_success`` (None: none)."""
    body: dict[str, Any] = {"message": message, "status_code": code, "status_reason": reason}
    if flag is not None:
        body = {"is_success": flag, **body}
    return web.json_response(body, status=400)


def _invalid(message: str, *, flag: Any = False) -> web.Response:
    return _error("4001", "INVALID_REQUEST", message, flag=flag)


def _required(name: str) -> web.Response:
    return _invalid(f"{name} is a required field")


def _success(**fields: Any) -> web.Response:
    return web.json_response({**fields, "status_code": "2000", "status_reason": "SUCCESS"})


def _is_amount(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


class _SubscriptionRoutes:
    def __init__(self, fake: Server) -> None:
        self.fake = fake

    @property
    def book(self) -> SubscriptionBook:
        return self.fake.state.subscriptions

    def _checked(
        self, request: web.Request, body: dict[str, Any] | None, required: Iterable[str]
    ) -> web.Response | None:
        """A refusal of a body lacking a required field, for another merchant, or with a bad
        environment or source; None when it passes."""
        if body is None:
            return _invalid("Invalid Request body")
        missing = missing_field(body, required)
        if missing is not None:
            return _required(missing)
        if body["portone_key"] != request.headers.get(CLIENT_KEY_HEADER):
            return _error(
                "4010",
                "INVALID_UNAUTHORISED_TRANSACTION_IAMPORTKEY_ERROR",
                "portone_key does not match the client key",
            )
        if body["environment"] not in ENVIRONMENTS:
            return _error("4034", "INVALID_ENVIRONMENT", "environment must be live or sandbox")
        if "source" in body and body["source"] not in SOURCES:
            return _invalid("source must be default, api or checkout")
        return None

    def _signed(self, request: web.Request, body: dict[str, Any], names: Iterable[str]) -> bool:
        """Whether ``signature_hash`` is the recipe over ``names`` (client_key: the caller)."""
        key = request.headers.get(CLIENT_KEY_HEADER, "")
        try:
            fields = signed_fields({**body, "client_key": key}, names)
        except (KeyError, TypeError):
            return False
        expected = portone_signature(self.fake.merchants[key], fields).encode()
        received = body.get("signature_hash")
        return isinstance(received, str) and hmac.compare_digest(
            expected, received.encode("utf-8", "replace")
        )

    def _own(self, request: web.Request, found: Any) -> Any:
        return found if found is not None and found.owner_key == owner_key(request) else None

    # -- plans ----------------------------------------------------------------------------------

    async def create_plan(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if (problem := self._checked(request, body, PLAN_REQUIRED)) is not None:
            return problem
        assert body is not None
        kind = body["plan_type"]
        if kind not in ("REGULAR", "ONDEMAND"):
            return _invalid("plan_type must be REGULAR or ONDEMAND")
        # https://docs.portone.cloud/docs/regular-plan and .../ondemand-plan: what is signed.
        signed = ["client_key", "currency", "merchant_order_ref"]
        if kind == "REGULAR":
            for name in ("amount", "frequency", "period"):
                if body.get(name) is None:
                    return _required(name)
            if not _is_amount(body["amount"]):
                return _error("4041", "INVALID_AMOUNT", "amount must be more than 0")
            if not _is_count(body["frequency"]):
                return _invalid("frequency must be at least 1")
            if body["period"] not in PERIODS:
                return _invalid("period must be one of H, D, W, M, Q, Y")
            signed += ["amount", "frequency"]
        if not self._signed(request, body, signed):
            return _bad_signature()
        plan = self.book.add_plan(owner_key(request), body)
        # subscription.yaml: a bare object, no envelope.
        return web.json_response(
            {
                "merchant_order_ref": body["merchant_order_ref"],
                "order_ref": plan.order_ref,
                "status_code": "2000",
            }
        )

    async def get_plan(self, request: web.Request) -> web.Response:
        plan = self._own(request, self.book.plans.get(request.match_info["ref"]))
        if plan is None:
            return _invalid("Plan does not exist with this order ref", flag=None)
        return web.json_response(
            {"content": plan.as_json(), "status_code": "2000", "status_reason": "SUCCESS"}
        )

    async def set_plan_status(self, request: web.Request) -> web.Response:
        plan: Plan | None = self._own(request, self.book.plans.get(request.match_info["ref"]))
        if plan is None:
            return _invalid("Plan does not exist with this order ref", flag=None)
        if request.match_info["status"] != "cancelled":
            return _invalid("Invalid status! Only cancelled status is allowed", flag=None)
        plan.is_active = False
        return web.json_response(
            {
                "message": "Plan status updated successfully to cancelled",
                "status_code": "2000",
                "status_reason": "SUCCESS",
            }
        )

    # -- subscriptions --------------------------------------------------------------------------

    async def create_subscription(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if (problem := self._checked(request, body, SUBSCRIPTION_REQUIRED)) is not None:
            return problem
        assert body is not None
        plan = self._own(request, self.book.plans.get(body["plan_order_ref"]))
        if plan is None or not plan.is_active:
            return _invalid("Plan does not exist with this order ref or is not active")
        kind = body["subscription_type"]
        if kind != plan.plan_type:
            return _invalid(f"subscription_type must be the plan's type, {plan.plan_type}")
        if body["currency"] != plan.body["currency"]:
            return _invalid("currency must be the plan's currency")
        if body["environment"] != plan.body["environment"]:
            return _error("4034", "INVALID_ENVIRONMENT", "environment must be the plan's")
        # https://docs.portone.cloud/docs/ondemand-subscription: five signed fields;
        # https://docs.portone.cloud/docs/regular-subscription adds quantity.
        signed = ["client_key", "currency", "failure_url", "merchant_order_ref", "success_url"]
        if kind == "REGULAR":
            if not _is_count(body.get("quantity")):
                return _error("4086", "INVALID_QUANTITY", "quantity must be at least 1")
            if body.get("allow_accumulate") not in ("Y", "N"):
                # subscription.yaml's own example: this message under 4086.
                return _error("4086", "INVALID_QUANTITY", "Allow Accumulate must be Y or N only")
            if not _is_count(body.get("recurrance_count")):
                return _invalid("recurrance_count must be at least 1")
            signed.append("quantity")
        elif not _is_amount(body.get("initial_amount")):
            return _error("4041", "INVALID_AMOUNT", "initial_amount must be more than 0")
        if not self._signed(request, body, signed):
            return _bad_signature()
        sub = self.book.add_subscription(owner_key(request), plan, body)
        return web.json_response(
            {
                "is_success": True,
                "merchant_order_ref": body["merchant_order_ref"],
                "order_ref": sub.order_ref,
                "status_code": "2000",
                "subscription_link": sub.url,
            }
        )

    def _subscription(self, request: web.Request, ref: Any) -> Subscription | None:
        found: Subscription | None = self._own(request, self.book.subscriptions.get(ref))
        return found

    async def get_subscription(self, request: web.Request) -> web.Response:
        sub = self._subscription(request, request.match_info["ref"])
        if sub is None:
            return _invalid("Subscription does not exist with this order ref", flag=None)
        return _success(content=sub.as_json(self.fake.now()), is_success=True)

    async def payments(self, request: web.Request) -> web.Response:
        sub = self._subscription(request, request.match_info["ref"])
        if sub is None:
            return _invalid("Subscription does not exist with this order ref", flag=None)
        return _success(content=[sub.payment_json(t) for t in sub.payments])

    async def set_subscription_status(self, request: web.Request) -> web.Response:
        sub = self._subscription(request, request.match_info["ref"])
        # subscription.yaml types this operation's is_success as a string.
        if sub is None:
            return _invalid("Subscription does not exist with this order ref", flag="false")
        if request.match_info["status"] != "cancelled":
            return _invalid("Invalid status! Only cancelled status is allowed", flag="false")
        if sub.status in FINAL_SUBSCRIPTION_STATUSES - {"Cancelled"}:
            return _invalid(f"Subscription is {sub.status} and cannot be cancelled", flag="false")
        sub.status = "Cancelled"
        return _success(
            is_success="true", message="Subscription status updated successfully to cancelled"
        )

    # -- deductions -----------------------------------------------------------------------------

    async def create_deduction(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if (problem := self._checked(request, body, DEDUCTION_REQUIRED)) is not None:
            return problem
        assert body is not None
        if body["source"] not in ("api", "checkout"):
            return _invalid("source must be api or checkout")
        if not _is_amount(body["amount"]):
            return _error("4041", "INVALID_AMOUNT", "amount must be more than 0")
        sub = self._subscription(request, body["subscription_order_ref"])
        if sub is None:
            return _invalid("Subscription does not exist with this order ref")
        if sub.is_regular or sub.status != "Active":
            return _invalid("Deductions are made only on an active ONDEMAND subscription")
        if body["currency"] != sub.body["currency"]:
            return _invalid("currency must be the subscription's currency")
        if body["environment"] != sub.body["environment"]:
            return _error("4034", "INVALID_ENVIRONMENT", "environment must be the subscription's")
        # https://docs.portone.cloud/docs/ondemand-deduction
        names = ("amount", "client_key", "currency", "merchant_order_ref", "subscription_order_ref")
        if not self._signed(request, body, names):
            return _bad_signature()
        txn = self.book.deduct(sub, body["amount"], str(body["merchant_order_ref"]))
        return web.json_response(
            {
                "is_success": True,
                "merchant_order_ref": body["merchant_order_ref"],
                "order_ref": txn.order_ref,
                "status_code": "2000",
                "status": "Initiated",
            }
        )

    async def trigger_next(self, request: web.Request) -> web.Response:
        body = await json_object(request)
        if (problem := self._checked(request, body, TRIGGER_REQUIRED)) is not None:
            return problem
        assert body is not None
        sub = self._subscription(request, body["subscription_order_ref"])
        if sub is None or body["environment"] != sub.body["environment"] or not sub.due():
            return _invalid("Invalid request parameters")
        self.book.charge_next(sub.order_ref)
        return _success(is_success=True, message="The next deduction should happen shortly")


def _bad_signature() -> web.Response:
    # https://docs.portone.cloud/docs/error-codes: 4011, the signature does not match.
    return _error(
        "4011",
        "INVALID_UNAUTHORISED_TRANSACTION_SIGNATURE_ERROR",
        "signature_hash does not match the request",
    )
