"""Test helpers that ship with aioportone: a fake PortOne server and a clock you can step.

::

    async with FakePortOne(clock=clock) as fake:
        async with PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY, base_url=fake.url,
                                 clock=clock) as portone:
            ...

With pytest, the ``portone_clock``, ``portone_fake`` and ``portone_client`` fixtures of
:mod:`aioportone.testing.pytest_plugin` give the same set-up per test, with no conftest.
"""

from ._clock import FakeClock
from ._fake import DEMO_CLIENT_KEY, DEMO_SECRET_KEY, FakePortOne, Fault, RecordedRequest
from ._state import Delivery, FakeState, PaymentLink, Refund, Transaction, WebhookEndpoint
from ._state_subscriptions import Plan, Subscription, SubscriptionBook

__all__ = [
    "DEMO_CLIENT_KEY",
    "DEMO_SECRET_KEY",
    "Delivery",
    "FakeClock",
    "FakePortOne",
    "FakeState",
    "Fault",
    "PaymentLink",
    "Plan",
    "RecordedRequest",
    "Refund",
    "Subscription",
    "SubscriptionBook",
    "Transaction",
    "WebhookEndpoint",
]
