"""Quickstart: a payment link's whole life, and the token behind every request.

    python examples/quickstart.py          # against a fake PortOne started in this process
    python examples/quickstart.py --live   # PortOne's sandbox; needs PORTONE_CLIENT_KEY and
                                           # PORTONE_SECRET_KEY (read-only, plus one link)

Offline, the fake PortOne runs on a fake clock, so two token lifetimes pass in an instant and
the background refreshes show up as events of the client's ``on_event`` hook.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from contextlib import AsyncExitStack

import anyio

from aioportone import PaymentLink, PortOneClient, PortOneError, TokenEvent
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakeClock, FakePortOne

PORTONE_API = "https://api.portone.cloud"


async def create_link(portone: PortOneClient, order_id: str) -> PaymentLink:
    """A 2,500 THB payment link; PortOne sends the buyer back to one of the two URLs."""
    return await portone.payment_links.create(
        merchant_order_id=order_id,
        amount=2500,
        currency="THB",
        country_code="TH",
        merchant_name="Quickstart Shop",
        success_url="https://shop.example/paid",
        failure_url="https://shop.example/failed",
    )


def step(name: str, text: str) -> None:
    print(f"  {name:<9} {text}")


async def main(
    *,
    live: bool = False,
    fake: FakePortOne | None = None,
    clock: FakeClock | None = None,
    base_url: str = PORTONE_API,
    client_key: str | None = None,
    secret_key: str | None = None,
) -> int:
    """Run the story against a fake PortOne (given, or started here), or ``live`` against
    ``base_url`` with the given credentials or those of the environment. Returns an exit code."""
    if live:
        client_key = client_key or os.environ.get("PORTONE_CLIENT_KEY")
        secret_key = secret_key or os.environ.get("PORTONE_SECRET_KEY")
        if not (client_key and secret_key):
            print(
                "quickstart --live needs your sandbox credentials: set PORTONE_CLIENT_KEY and "
                "PORTONE_SECRET_KEY (PortOne admin portal, sandbox mode), or run without --live "
                "to use a fake PortOne.",
                file=sys.stderr,
            )
            return 2
        try:
            await run_live(base_url, client_key, secret_key)
        except PortOneError as exc:
            print(f"PortOne said no: {exc}", file=sys.stderr)
            return 1
        return 0
    async with AsyncExitStack() as stack:
        if fake is None:
            clock = clock or FakeClock()
            fake = await stack.enter_async_context(FakePortOne(clock=clock))
        elif clock is None:
            if not isinstance(fake.clock, FakeClock):
                raise ValueError("the offline demo needs a FakePortOne on a FakeClock")
            clock = fake.clock
        await run_offline(fake, clock)
    return 0


async def run_offline(fake: FakePortOne, clock: FakeClock) -> None:
    events: list[tuple[float, TokenEvent]] = []
    start = clock.time()

    def on_event(event: TokenEvent) -> None:
        events.append((clock.time() - start, event))

    print(f"aioportone quickstart against a fake PortOne at {fake.url} (simulated time)")
    async with PortOneClient(
        DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url, clock=clock, on_event=on_event
    ) as portone:
        token = portone.tokens.current()
        step("token", f"minted locally: {token!r}")
        step("", f"expires in {token.remaining(clock.time()):.0f} s; refreshed in the background")

        order_id = f"QUICKSTART-{secrets.token_hex(4)}"
        link = await create_link(portone, order_id)
        step("link", f"created {link.payment_link_ref} for 2500 THB: {link.url}")

        fake.state.pay_link(link.payment_link_ref)  # the buyer pays, at the fake PortOne
        step("buyer", "paid the link (played by the fake PortOne)")

        status = await portone.payment_links.status(link.payment_link_ref)
        attempt = status.transactions[0]
        step("link", f"status {status.status}, attempt {attempt.merchant_order_ref}")

        payment = await portone.transactions.status(attempt.merchant_order_ref)
        step("payment", f"{payment.status}, PortOne order_ref {payment.order_ref}")

        details = await portone.transactions.details(payment.order_ref)
        refund = await portone.refunds.create(
            payment.order_ref, amount=500, channel=details.channel_key, reason="quickstart demo"
        )
        latest = refund.latest
        assert latest is not None
        step("refund", f"{latest.amount} {latest.currency} refunded: {latest.status}")

        summary = await portone.refunds.get(payment.order_ref)
        step(
            "refunds",
            f"{len(summary.refunds)} on record, {summary.amount_to_refund} THB still refundable",
        )

        seen = len(events)
        lifetime = token.lifetime
        await clock.advance(2 * lifetime)
        refreshed = [(at, e) for at, e in events[seen:] if e.name == "refreshed"]
        step("time", f"+{2 * lifetime:.0f} s (simulated time): {len(refreshed)} refreshes")
        for at, event in refreshed:
            step("", f"at +{at:.0f} s: token refreshed, expires in {event.expires_in:.0f} s")

        again = await portone.transactions.status(attempt.merchant_order_ref)
        fresh = portone.tokens.current()
        changed = "a new" if fresh.value != token.value else "the same"
        step("request", f"payment still {again.status}, sent with {changed} token: {fresh!r}")
    print("done: every request carried a valid JWT, and none was minted per request.")


async def run_live(base_url: str, client_key: str, secret_key: str) -> None:
    print(f"aioportone quickstart against {base_url} (sandbox)")
    async with PortOneClient(
        client_key, secret_key, base_url=base_url, environment="sandbox"
    ) as portone:
        token = portone.tokens.current()
        step("token", f"minted locally: {token!r}")
        order_id = f"QUICKSTART-{secrets.token_hex(6)}"
        link = await create_link(portone, order_id)
        step("link", f"created {link.payment_link_ref}: {link.url}")
        status = await portone.payment_links.status(link.payment_link_ref)
        step("link", f"status {status.status}, {len(status.transactions)} payment attempts")
        by_ref = await portone.payment_links.status_by_merchant_ref(order_id)
        step("lookup", f"by merchant order id {order_id}: {by_ref.status}")
    print("done: open the link to pay it in the sandbox; refunds are left to you.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="use PortOne's sandbox API")
    args = parser.parse_args()
    # The library prints nothing unless asked; this script shows its warnings (a failed refresh).
    logging.basicConfig(level=logging.WARNING)
    sys.exit(anyio.run(lambda: main(live=args.live)))
