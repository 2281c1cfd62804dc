"""Receive PortOne webhooks and redirects: verify their signatures, get typed events.

::

    from aioportone import webhooks

    event = webhooks.verify_payment_webhook(await request.read(), secret_key)
    result = webhooks.verify_redirect(request.query, secret_key)

    # or let aioportone answer PortOne for you
    async def on_payment(event: webhooks.PaymentEvent) -> None: ...
    app.router.add_post("/portone/webhook", webhooks.webhook_handler(secret_key, on_payment))

A signature covers only some fields; those are the typed attributes of the event, and the rest
of the payload is in ``event.raw``, unauthenticated. PortOne asks merchants to compare the
amount and currency with their own order record as well. Refund webhooks are **not signed**:
:func:`parse_refund_webhook` reads them, and ``portone.refunds.get(order_ref)`` confirms them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, Literal, overload

from aiohttp import web

from aioportone._errors import ConfigurationError, SignatureError
from aioportone._events_webhook import (
    PaymentEvent,
    PaymentLinkEvent,
    RedirectResult,
    RefundEvent,
    SubscriptionLinkEvent,
    WebhookEvent,
)
from aioportone._observe import is_async_callable as _is_async_callable
from aioportone._refund_webhook import parse_refund_webhook
from aioportone._secrets import Secret as _Secret
from aioportone._signatures import (
    WebhookPayloadError,
    verify_payment_link_webhook,
    verify_payment_webhook,
    verify_subscription_link_webhook,
)
from aioportone._signatures import as_secret as _as_secret
from aioportone._signatures_redirect import verify_redirect, verify_subscription_redirect

__all__ = [
    "Handler",
    "PaymentEvent",
    "PaymentLinkEvent",
    "RedirectResult",
    "RefundEvent",
    "SubscriptionLinkEvent",
    "WebhookEvent",
    "WebhookKind",
    "WebhookPayloadError",
    "parse_refund_webhook",
    "verify_payment_link_webhook",
    "verify_payment_webhook",
    "verify_redirect",
    "verify_subscription_link_webhook",
    "verify_subscription_redirect",
    "webhook_handler",
]

WebhookKind = Literal["payment", "payment_link", "subscription_link", "refund"]
"""The ``kind`` of webhook a :func:`webhook_handler` route receives."""
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
"""An ``aiohttp.web`` request handler, as :func:`webhook_handler` returns."""

_PARSERS: Final[Mapping[str, Callable[[bytes, _Secret], WebhookEvent]]] = {
    "payment": verify_payment_webhook,
    "payment_link": verify_payment_link_webhook,
    "subscription_link": verify_subscription_link_webhook,
    "refund": lambda payload, _secret: parse_refund_webhook(payload),
}


@overload
def webhook_handler(
    secret_key: str,
    on_event: Callable[[PaymentEvent], Awaitable[object]],
    *,
    kind: Literal["payment"] = ...,
) -> Handler: ...
@overload
def webhook_handler(
    secret_key: str,
    on_event: Callable[[PaymentLinkEvent], Awaitable[object]],
    *,
    kind: Literal["payment_link"],
) -> Handler: ...
@overload
def webhook_handler(
    secret_key: str,
    on_event: Callable[[SubscriptionLinkEvent], Awaitable[object]],
    *,
    kind: Literal["subscription_link"],
) -> Handler: ...
@overload
def webhook_handler(
    secret_key: str,
    on_event: Callable[[RefundEvent], Awaitable[object]],
    *,
    kind: Literal["refund"],
) -> Handler: ...
def webhook_handler(
    secret_key: str,
    on_event: Callable[[Any], Awaitable[object]],
    *,
    kind: WebhookKind = "payment",
) -> Handler:
    """An ``aiohttp.web`` handler that verifies one kind of PortOne webhook and hands it over.

    For each POST it reads the body, verifies it, awaits ``on_event(event)`` and answers 200
    ``{"received": true}``, the acknowledgement PortOne expects. A body that is not a JSON
    object (or is nested too deeply to read) gets 400; a missing or wrong signature gets 401
    and ``on_event`` is not called. If ``on_event`` raises, the exception propagates and aiohttp
    answers 500, so the delivery is not acknowledged.

    ``kind="refund"`` events are unsigned (see :class:`RefundEvent`) and skip verification;
    ``secret_key`` is checked all the same, so every kind is set up the same way.

    Args:
        secret_key: Your PortOne secret, the HMAC key.
        on_event: An async callable awaited with each verified event.
        kind: Which webhook the route receives: ``"payment"`` (default),
            ``"payment_link"``, ``"subscription_link"`` or ``"refund"``.

    Returns:
        The handler, for ``app.router.add_post(path, handler)``.

    Raises:
        ConfigurationError: A bad ``secret_key``, ``kind`` or ``on_event``.
    """
    # The handler's closure keeps the wrapper only: a traceback through it (``on_event``
    # raising) shows ``Secret(<n chars>)`` among its locals, never the secret.
    key = _as_secret(secret_key)
    del secret_key
    if kind not in _PARSERS:
        raise ConfigurationError("kind", f"must be one of {', '.join(_PARSERS)}, not {kind!r}")
    # Checked here, not at the first delivery: a handler that cannot await the callback would
    # answer 500 to every webhook, and PortOne would deliver each event again.
    if not callable(on_event) or not _is_async_callable(on_event):
        raise ConfigurationError(
            "on_event", "must be an 'async def' function (or async callable) taking the event"
        )
    parse = _PARSERS[kind]

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            event = parse(await request.read(), key)
        except WebhookPayloadError as exc:  # not a JSON object: malformed, not forged
            return _error(400, str(exc))
        except SignatureError as exc:
            # The messages name the failed check only, never the secret or expected signature.
            return _error(401, str(exc))
        await on_event(event)
        return web.json_response({"received": True})

    return handle


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"received": False, "error": message}, status=status)
