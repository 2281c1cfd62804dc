"""The approval of payouts: one-time codes, the verify step, and the approval that pays out.

PortOne sends the approver a code (by e-mail or text) per step; the code is a credential and is
never shown in a message, log or repr of this library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

from .._config import text
from .._errors import AmbiguousResultError, ConfigurationError, PortOneError
from ._models_payouts import OtpSent
from ._money import may_have_acted
from ._validate import (
    Environment,
    check_choice,
    check_environment,
    free_text,
    parse_object,
)

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["PayoutApprovals"]

Step = Literal["verify", "approve"]
_STEPS: tuple[Step, ...] = get_args(Step)
TwoFactor = Literal["email", "phone"]
_TWO_FACTOR: tuple[TwoFactor, ...] = get_args(TwoFactor)


def _refs(value: Any) -> list[str]:
    """PortOne payout references for the verify and approve steps: a non-empty list of texts."""
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise ConfigurationError("txn_refs", "must be a non-empty list of payout references")
    return [text("txn_refs", ref) for ref in value]


def _otp(value: Any) -> str:
    # The code is a credential: no message here shows it, nor its type.
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise ConfigurationError("otp", "must be the code PortOne sent, as a string")
    return value


class PayoutApprovals:
    """``portone.payouts.approvals``: verify and approve created payouts with one-time codes.

    Args:
        client: The client whose requests it makes (built by :class:`PortOneClient`).
    """

    def __init__(self, client: Caller) -> None:
        self._client = client

    async def send_otp(
        self,
        step: Step,
        *,
        email: str,
        two_fa_type: TwoFactor = "email",
        environment: Environment | None = None,
    ) -> OtpSent:
        """Have PortOne send the approver ``email`` a one-time code for ``step``.

        Args:
            step: ``"verify"`` or ``"approve"``: the step the code is for.
            email: The approver's e-mail address, as registered with PortOne.
            two_fa_type: ``"email"`` (default) or ``"phone"``: where PortOne sends the code.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        return await self._otp("generateOTP", step, email, two_fa_type, environment)

    async def resend_otp(
        self,
        step: Step,
        *,
        email: str,
        two_fa_type: TwoFactor = "email",
        environment: Environment | None = None,
    ) -> OtpSent:
        """Have PortOne send the code for ``step`` again.

        Args:
            step: ``"verify"`` or ``"approve"``.
            email: The approver's e-mail address.
            two_fa_type: ``"email"`` (default) or ``"phone"``.
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        return await self._otp("resendOTP", step, email, two_fa_type, environment)

    async def _otp(
        self, verb: str, step: Any, email: Any, two_fa_type: Any, environment: Any
    ) -> OtpSent:
        action = check_choice("step", step, _STEPS)
        body = {
            "email": text("email", email),
            "two_fa_type": check_choice("two_fa_type", two_fa_type, _TWO_FACTOR),
            "environment": check_environment(environment, self._client.environment),
        }
        path = f"/api/merchant/payout/{verb}/{action}"
        return await self._client.request(
            "POST",
            path,
            json=body,
            parse=parse_object(OtpSent.from_json, "the one-time code request"),
        )

    async def verify(
        self,
        txn_refs: Sequence[str],
        *,
        otp: str,
        approver_email: str,
        approver_name: str,
        signature_hash: str,
        environment: Environment | None = None,
    ) -> None:
        """Verify payouts with the code sent by ``send_otp("verify", ...)``: the first of the
        two steps, when the merchant's account has it enabled.

        ``signature_hash``: PortOne documents no recipe for it, so pass the one your PortOne
        integration gives you. The code is never shown in a message, log or repr.

        Args:
            txn_refs: PortOne's references of the payouts (``Payout.txn_ref``).
            otp: The one-time code the approver received.
            approver_email: The approver's e-mail address.
            approver_name: The approver's name.
            signature_hash: The request's signature (PortOne's recipe is undocumented).
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.
        """
        body = self._approval(txn_refs, otp, approver_email, approver_name, signature_hash)
        body["environment"] = check_environment(environment, self._client.environment)
        await self._client.request("POST", "/api/merchant/payout/verify", json=body)

    async def approve(
        self,
        txn_refs: Sequence[str],
        *,
        otp: str,
        approver_email: str,
        approver_name: str,
        signature_hash: str,
        environment: Environment | None = None,
    ) -> None:
        """Approve payouts with the code sent by ``send_otp("approve", ...)``: this releases
        the money.

        Approval moves money, so it is **never** replayed: a failure that may have reached
        PortOne raises :class:`AmbiguousResultError`; ``portone.payouts.status`` of each payout
        then tells.
        ``signature_hash``: PortOne documents no recipe for it, so pass the one your PortOne
        integration gives you. The code is never shown in a message, log or repr.

        Args:
            txn_refs: PortOne's references of the payouts (``Payout.txn_ref``).
            otp: The one-time code the approver received.
            approver_email: The approver's e-mail address.
            approver_name: The approver's name.
            signature_hash: The request's signature (PortOne's recipe is undocumented).
            environment: ``"sandbox"`` or ``"live"``; the client's ``environment`` when None.

        Raises:
            AmbiguousResultError: The approval was sent and its outcome is unknown.
        """
        body = self._approval(txn_refs, otp, approver_email, approver_name, signature_hash)
        body["environment"] = check_environment(environment, self._client.environment)
        try:
            await self._client.request("POST", "/api/merchant/payout/approve", json=body)
        except PortOneError as exc:
            if not may_have_acted(exc):
                raise
            refs = ", ".join(repr(r) for r in body["txn_refs"])
            raise AmbiguousResultError(
                f"The approval of {refs} was sent but got no clear answer from PortOne, "
                "and was not retried.",
                how_to_check="call await portone.payouts.status(ref) for each of them; a "
                "payout still Created was not approved.",
            ) from exc

    @staticmethod
    def _approval(
        txn_refs: Any, otp: Any, approver_email: Any, approver_name: Any, signature_hash: Any
    ) -> dict[str, Any]:
        # payout.yaml: the schema's names (approver_email, approver_name) are sent; the verify
        # example's "email"/"name" contradict the schema it illustrates.
        return {
            "approver_email": text("approver_email", approver_email),
            "approver_name": free_text("approver_name", approver_name),
            "otp": _otp(otp),
            "txn_refs": _refs(txn_refs),
            "signature_hash": text("signature_hash", signature_hash),
        }
