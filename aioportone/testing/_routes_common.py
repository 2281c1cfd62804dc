"""What the fake's routes share: request checks and answers in PortOne's documented shapes."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from .._headers import CLIENT_KEY_HEADER, SUB_MERCHANT_HEADER

if TYPE_CHECKING:
    from ._state import FakeState

__all__ = [
    "CLIENT_KEY_HEADER",
    "ENVIRONMENTS",
    "SUB_MERCHANT_HEADER",
    "Server",
    "bad_amount",
    "bad_environment",
    "envelope",
    "invalid",
    "json_object",
    "key_mismatch",
    "missing_field",
    "owner_key",
    "portone_error",
    "required",
    "unknown_reference",
]

ENVIRONMENTS = ("live", "sandbox")


class Server(Protocol):
    """The fake server as its routes see it: its merchants, its time, its state, its tokens."""

    @property
    def merchants(self) -> Mapping[str, str]: ...
    @property
    def state(self) -> FakeState: ...
    @property
    def token_lifetime(self) -> int: ...
    @property
    def url(self) -> str: ...

    def now(self) -> float: ...

    def mint(self, client_key: str = ..., lifetime: int | None = None) -> str: ...


def portone_error(status: int, code: str, reason: str, message: str) -> web.Response:
    """An error in PortOne's documented shape."""
    return web.json_response(
        {"message": message, "status_code": code, "status_reason": reason}, status=status
    )


def envelope(content: Any = None, message: str = "Success", **extra: Any) -> web.Response:
    body: dict[str, Any] = {}
    if content is not None:
        body["content"] = content
    body.update(message=message, status_code="2000", status_reason="SUCCESS", **extra)
    return web.json_response(body)


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
