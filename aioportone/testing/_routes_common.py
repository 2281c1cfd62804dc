"""Request checks the fake's routes share, answering in PortOne's documented error shapes."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from aiohttp import web

from .._headers import CLIENT_KEY_HEADER, SUB_MERCHANT_HEADER
from ._fake import portone_error

__all__ = [
    "CLIENT_KEY_HEADER",
    "ENVIRONMENTS",
    "SUB_MERCHANT_HEADER",
    "bad_amount",
    "bad_environment",
    "invalid",
    "json_object",
    "key_mismatch",
    "missing_field",
    "owner_key",
    "required",
    "unknown_reference",
]

ENVIRONMENTS = ("live", "sandbox")


async def json_object(request: web.Request) -> dict[str, Any] | None:
    try:
        data = await request.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def owner_key(request: web.Request) -> str:
    """The merchant a request acts for: the sub-merchant when a master merchant names one."""
    return request.headers.get(SUB_MERCHANT_HEADER) or request.headers.get(CLIENT_KEY_HEADER) or ""


def invalid(message: str, status: int = 400) -> web.Response:
    return portone_error(status, "4001", "INVALID_REQUEST", message)


def missing_field(body: dict[str, Any] | None, names: Iterable[str]) -> str | None:
    """The first of ``names`` absent (or empty) from ``body``, as Go's validator reports it."""
    for name in names:
        value = None if body is None else body.get(name)
        if value is None or value == "":
            return name
    return None


def required(name: str, status: int = 400) -> web.Response:
    # The message PortOne's validator writes (payment.yaml examples).
    return invalid(f"Invalid Request, err : {name} is a required field", status)


def bad_amount(message: str = "amount must be more than 0") -> web.Response:
    return portone_error(400, "4041", "INVALID_AMOUNT", message)


def unknown_reference(message: str = "Invalid order reference", status: int = 400) -> web.Response:
    return portone_error(status, "4096", "INVALID_REFERENCE", message)


def bad_environment(
    value: object,
    allowed: Collection[str] = ENVIRONMENTS,
    message: str = "environment must be live or sandbox",
) -> web.Response | None:
    """A 4034 when ``value`` is not one of the ``allowed`` environments, else None."""
    if value in allowed:
        return None
    return portone_error(400, "4034", "INVALID_ENVIRONMENT", message)


def key_mismatch(request: web.Request, key: str) -> web.Response | None:
    """A 401 when the PortOne key in the path is not the caller's (header) key."""
    if key in (request.headers.get(CLIENT_KEY_HEADER), request.headers.get(SUB_MERCHANT_HEADER)):
        return None
    return portone_error(
        401, "4010", "INVALID_UNAUTHORISED_TRANSACTION_IAMPORTKEY_ERROR", "invalid auth key"
    )
