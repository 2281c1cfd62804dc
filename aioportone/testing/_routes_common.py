"""Request checks the fake's routes share, answering in PortOne's documented error shapes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web

from ._fake import portone_error

__all__ = [
    "CLIENT_KEY",
    "SUB_MERCHANT_KEY",
    "invalid",
    "json_object",
    "key_mismatch",
    "missing_field",
    "owner_key",
    "required",
]

CLIENT_KEY = "X-Portone-Client-Key"
SUB_MERCHANT_KEY = "X-Portone-SubMerchant-Key"


async def json_object(request: web.Request) -> dict[str, Any] | None:
    try:
        data = await request.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def owner_key(request: web.Request) -> str:
    """The merchant a request acts for: the sub-merchant when a master merchant names one."""
    return request.headers.get(SUB_MERCHANT_KEY) or request.headers.get(CLIENT_KEY) or ""


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


def key_mismatch(request: web.Request, key: str) -> web.Response | None:
    """A 401 when the PortOne key in the path is not the caller's (header) key."""
    if key in (request.headers.get(CLIENT_KEY), request.headers.get(SUB_MERCHANT_KEY)):
        return None
    return portone_error(
        401, "4010", "INVALID_UNAUTHORISED_TRANSACTION_IAMPORTKEY_ERROR", "invalid auth key"
    )
