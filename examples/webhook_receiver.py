"""Receive PortOne webhooks with ``aioportone.webhooks.webhook_handler``.

POST /portone/webhooks/payment   payment webhooks: signed, verified before your code runs
POST /portone/webhooks/refund    refund webhooks: NOT signed, so only a hint to go and ask
                                 PortOne (``portone.refunds.get``) what really happened

python examples/webhook_receiver.py           # demo against a fake PortOne, then exit
python examples/webhook_receiver.py --serve   # keep serving on http://127.0.0.1:8001
"""

from __future__ import annotations

import argparse
import logging
from contextlib import AsyncExitStack, suppress

import aiohttp
import anyio
from aiohttp import web

from aioportone import Clock, NotFoundError, PortOneClient, RefundSummary, SystemClock, webhooks
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne

PAYMENT_PATH = "/portone/webhooks/payment"
REFUND_PATH = "/portone/webhooks/refund"


class Receiver:
    """Records what arrives; a real one would update its orders."""

    def __init__(self, portone: PortOneClient) -> None:
        self.portone = portone
        self.payments: list[webhooks.PaymentEvent] = []
        self.refunds: list[RefundSummary] = []
        self.ignored: list[webhooks.RefundEvent] = []

    async def on_payment(self, event: webhooks.PaymentEvent) -> None:
        # The signed fields are genuine. PortOne still asks merchants to compare amount and
        # currency with their own record of the order before shipping anything.
        self.payments.append(event)
        print(
            f"  received: payment {event.merchant_order_ref} {event.status}, "
            f"{event.amount} {event.currency} (signature verified)"
        )

    async def on_refund(self, event: webhooks.RefundEvent) -> None:
        # Unsigned: anyone who knows this URL can post one. PortOne's own answer is the truth.
        try:
            summary = await self.portone.refunds.get(event.order_ref)
        except NotFoundError:
            self.ignored.append(event)
            print(f"  ignored: refund hint for {event.order_ref}, a payment PortOne does not know")
            return
        self.refunds.append(summary)
        print(
            f"  received: refund hint for {event.order_ref}; refunds.get confirms "
            f"{len(summary.refunds)} refund(s), {summary.amount_to_refund} {event.currency or ''} "
            "still refundable"
        )


def make_app(secret_key: str, receiver: Receiver) -> web.Application:
    """The two webhook routes. A bad signature is answered 401 and never reaches ``receiver``."""
    app = web.Application()
    app.router.add_post(PAYMENT_PATH, webhooks.webhook_handler(secret_key, receiver.on_payment))
    app.router.add_post(
        REFUND_PATH, webhooks.webhook_handler(secret_key, receiver.on_refund, kind="refund")
    )
    return app


async def main(
    *,
    fake: FakePortOne | None = None,
    clock: Clock | None = None,
    serve: bool = False,
    port: int = 8001,
) -> Receiver:
    """Run the receiver, have the fake PortOne (given, or started here) post it a payment
    webhook, a forged one and a refund hint; keep serving if ``serve``."""
    async with AsyncExitStack() as stack:
        if fake is None:
            fake = await stack.enter_async_context(FakePortOne(clock=clock or SystemClock()))
        portone = await stack.enter_async_context(
            PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=fake.clock)
        )
        receiver = Receiver(portone)
        runner = web.AppRunner(make_app(DEMO_SECRET_KEY, receiver))
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, "127.0.0.1", port if serve else 0)
        await site.start()
        host, bound = runner.addresses[0][:2]
        base = f"http://{host}:{bound}"
        print(f"webhook receiver on {base}{PAYMENT_PATH}")

        await portone.webhook_endpoints.register(
            name="orders", url=base + PAYMENT_PATH, type="payment_status"
        )
        txn = fake.state.add_transaction("ORDER-42", amount=1500, currency="THB")
        deliveries = await fake.state.send_webhooks(txn)
        print(f"  PortOne posted the payment webhook; receiver answered {deliveries[0].status}")

        forged = {**fake.state.payment_webhook(txn), "amount": 1}
        async with aiohttp.ClientSession() as stranger:
            async with stranger.post(base + PAYMENT_PATH, json=forged) as resp:
                print(f"  forged webhook (amount changed): receiver answered {resp.status}")

            await portone.refunds.create(
                txn.order_ref, amount=500, channel=txn.channel_key, reason="damaged in transit"
            )
            # https://docs.portone.cloud/docs/refund-webhook: the payload PortOne posts.
            hint = {"payment_txn_ref": txn.order_ref, "amount": 500, "currency": "THB"}
            async with stranger.post(base + REFUND_PATH, json=hint) as resp:
                print(f"  refund webhook: receiver answered {resp.status}")
        if serve:
            print("serving until Ctrl-C")
            await anyio.sleep_forever()
    return receiver


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="keep serving after the demo")
    parser.add_argument("--port", type=int, default=8001, help="with --serve (default: 8001)")
    args = parser.parse_args()
    # The library prints nothing unless asked; this script shows its warnings (a failed refresh).
    logging.basicConfig(level=logging.WARNING)
    with suppress(KeyboardInterrupt):  # Ctrl-C ends --serve
        anyio.run(lambda: main(serve=args.serve, port=args.port))
