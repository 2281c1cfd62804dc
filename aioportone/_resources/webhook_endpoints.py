"""Webhook endpoints: tell PortOne where to post its webhooks, and list what is registered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, get_args

from ._models import WebhookEndpoint
from ._validate import (
    Environment,
    check_choice,
    check_environment,
    check_url,
    expect_object,
    free_text,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["WebhookEndpoints"]

# https://docs.portone.cloud/docs/webhook-configuration (the enum of payment.yaml).
WebhookType = Literal[
    "payment_status",
    "payment_link_status",
    "refund_status",
    "subscription_status",
    "payout_status",
    "onboarding_status",
]
_TYPES: tuple[WebhookType, ...] = get_args(WebhookType)


class WebhookEndpoints:
    """``portone.webhook_endpoints``. PortOne offers no update or delete: use its console.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def register(
        self,
        *,
        name: str,
        url: str,
        type: WebhookType,
        environment: Environment | None = None,
    ) -> WebhookEndpoint:
        """Have PortOne post ``type`` webhooks (e.g. ``"payment_status"``) to ``url``.

        Args:
            name: A name for the endpoint.
            url: Where PortOne posts (http or https).
            type: ``"payment_status"``, ``"payment_link_status"``, ``"refund_status"``,
                ``"subscription_status"``, ``"payout_status"`` or ``"onboarding_status"``.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        body = {
            "name": free_text("name", name),
            "url": check_url("url", url),
            "type": check_choice("type", type, _TYPES),
            "environment": check_environment(environment, self._client.environment),
        }
        key = self._client.key_segment
        data = expect_object(
            await self._client.request("POST", f"/api/merchant/{key}/webhook", json=body),
            "the webhook registration",
        )
        # The whole answer: the endpoint is read from its "content", .raw keeps the envelope.
        return WebhookEndpoint.from_json(data)

    async def list(self, *, environment: Environment | None = None) -> tuple[WebhookEndpoint, ...]:
        """Every webhook endpoint registered for ``environment`` (the client's by default).

        Args:
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        env = check_environment(environment, self._client.environment)
        key = self._client.key_segment
        data = expect_object(
            await self._client.request(
                "GET", f"/api/merchant/{key}/webhook", params={"environment": env}
            ),
            "the webhook listing",
        )
        content = data.get("content")
        items = content if isinstance(content, list) else []
        return tuple(WebhookEndpoint.from_json(item) for item in items if isinstance(item, dict))
