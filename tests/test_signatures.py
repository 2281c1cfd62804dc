"""PortOne's HMAC signatures, checked against a reference written out here from the recipe.

The reference below (``_go_query_escape``, ``_reference_message``, ``_reference_signature``,
``_reference_amount``) does not use aioportone: it re-derives each step from the published
recipe, with Go's ``url.Values.Encode`` escaping rules spelled out byte by byte and amounts
expanded digit by digit. The literal vectors were computed with ``openssl dgst -sha256 -hmac``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import string
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import MultiDict

from aioportone._errors import ConfigurationError, SignatureError
from aioportone._events_webhook import PaymentEvent, PaymentLinkEvent, RedirectResult
from aioportone._refund_webhook import parse_refund_webhook
from aioportone._signatures import (
    WebhookPayloadError,
    format_amount,
    plausible_amount,
    sign_payment_request,
    verify_payment_link_webhook,
    verify_payment_webhook,
    verify_subscription_link_webhook,
)
from aioportone._signatures_redirect import verify_redirect

SECRET = "PORTONE_SECRET"
LEAKY_SECRET = "s3cr3t-MUST-NOT-LEAK-9f8e7d"
SUCCESS_URL = "https://checkout.portone.cloud/success.html"
FAILURE_URL = "https://checkout.portone.cloud/failure.html"

PAYMENT_FIELDS = (
    "amount",
    "channel_key",
    "channel_order_ref",
    "country_code",
    "currency",
    "merchant_order_ref",
    "method_name",
    "order_ref",
    "status",
)
REDIRECT_FIELDS = ("channel_order_ref", "merchant_order_ref", "order_ref", "status")
LINK_FIELDS = ("amount", "country_code", "currency", "link_ref", "merchant_order_ref", "status")
SUBSCRIPTION_FIELDS = ("currency", "merchant_order_ref", "order_ref", "status")

# Values from the docs' sample payment webhook (https://docs.portone.cloud/docs/payment-webhook).
SAMPLE_PAYMENT = {
    "currency": "USD",
    "amount": 500,
    "order_ref": "2mbbExY77pp8iC0AQ1ucWymnd3c",
    "channel_order_ref": "20240926HULUNYGP6MA2",
    "merchant_order_ref": "2mbbDi9wX3wAgLUDCnRMbQwkwZm_1",
    "country_code": "US",
    "status": "Success",
    "channel_key": "PAYLETTER",
    "method_name": "Payletter Credit Card",
    "status_code": "2000",
    "buyer_email": "buyer@example.com",
}
SAMPLE_LINK = {
    "link_ref": "2mbaHZ6VVokmHJNtKafVCyIZIxv",
    "currency": "JPY",
    "amount": 500,
    "countryCode": "JP",
    "status": "Success",
    "merchant_order_ref": "1779AA6E40071177",
    "portone_key": "qcFJvupbcbdcyNFg",
}
SAMPLE_SUBSCRIPTION = {
    "currency": "VND",
    "merchant_order_ref": "Subscription_1727351941734",
    "order_ref": "2mbiztAoKWCBpciTKJiqKLjHu7A",
    "status": "Active",
    "collected_amount": 103,
}

NO_DB = settings(database=None, max_examples=150, deadline=None)
RESERVED = "&=+ %/?#~*"
texts = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(RESERVED), max_size=24)


# --- the reference, written from the recipe ------------------------------------------------


def _go_query_escape(value: str) -> str:
    """Go's url.QueryEscape: keep A-Z a-z 0-9 - _ . ~, space as '+', every other byte %XX."""
    keep = string.ascii_letters + string.digits + "-_.~"
    out = []
    for byte in value.encode("utf-8"):
        char = chr(byte)
        if char in keep:
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def _reference_message(fields: Mapping[str, str]) -> str:
    return "&".join(
        f"{_go_query_escape(key)}={_go_query_escape(fields[key])}" for key in sorted(fields)
    )


def _reference_signature(secret: str, fields: Mapping[str, str]) -> str:
    message = _reference_message(fields).encode("ascii")
    mac = hmac.new(secret.encode("utf-8"), message, hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def _reference_amount(amount: int | float | Decimal) -> str:
    """Expand repr/str digits by hand: shift the point by the exponent, drop padding zeros."""
    text = repr(amount) if isinstance(amount, float) else str(amount)
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    mantissa, _, exp = text.lower().partition("e")
    whole, _, frac = mantissa.partition(".")
    digits, point = whole + frac, len(whole) + int(exp or 0)
    if point <= 0:
        digits, point = "0" * (1 - point) + digits, 1
    digits += "0" * max(0, point - len(digits))
    result = (digits[:point].lstrip("0") or "0") + "." + digits[point:]
    return sign + result.rstrip("0").rstrip(".")


def _signed(
    payload: Mapping[str, Any], names: tuple[str, ...], secret: str = SECRET
) -> dict[str, Any]:
    fields = {name: str(payload[name]) for name in names}
    if "amount" in fields:
        fields["amount"] = _reference_amount(payload["amount"])
    return {**payload, "signature_hash": _reference_signature(secret, fields)}


def _link_signed(payload: Mapping[str, Any], secret: str = SECRET) -> dict[str, Any]:
    with_country = {**payload, "country_code": payload["countryCode"]}
    signature = _signed(with_country, LINK_FIELDS, secret)["signature_hash"]
    return {**payload, "signature_hash": signature}


# --- the reference itself ------------------------------------------------------------------


@NO_DB
@given(texts)
def test_go_escaping_matches_python_quote_plus(value: str) -> None:
    """Go's escaping and Python's quote_plus agree on every string, '~' and '*' included."""
    assert _go_query_escape(value) == quote_plus(value, safe="")


# --- literal vectors -----------------------------------------------------------------------


def test_payment_request_literal_vector() -> None:
    """A payment request signature equals the one computed by hand with openssl."""
    signature = sign_payment_request(
        secret_key=SECRET,
        portone_key="PORTONE_KEY",
        amount=100.50,
        currency="USD",
        merchant_order_id="MERCHANT1647433108462",
        success_url=SUCCESS_URL,
        failure_url=FAILURE_URL,
    )
    assert signature == "4JYmyPUSJzfTBzo7dUdIQl3WN6KcxAFpXwBREU6EZhc="


def test_reserved_characters_literal_vector() -> None:
    """Reserved characters are escaped the Go way, giving the hand-computed signature."""
    fields = {"a": "&=+ %/?#~*é"}
    assert _reference_message(fields) == "a=%26%3D%2B+%25%2F%3F%23~%2A%C3%A9"
    assert _reference_signature(SECRET, fields) == "q14lfYaqLsylgJrA7q/rHQs/XRiqFE5dmxHf6hPXeWc="


@pytest.mark.parametrize(
    ("verify", "payload", "signature"),
    [
        (verify_payment_webhook, SAMPLE_PAYMENT, "s1WPfsDVVGy/1hBr8ZdcR13GLSYNDEq5oph5ryyOsc8="),
        (verify_payment_link_webhook, SAMPLE_LINK, "+xY6MrdvOiEypOxIwfr1BZLUGOx/qeGhfAlYkft1CAs="),
        (
            verify_subscription_link_webhook,
            SAMPLE_SUBSCRIPTION,
            "AwmETsvSeS2vN0kl3WjNDIaPQ39ALmVs/cKkiDYnz1k=",
        ),
    ],
)
def test_webhook_literal_vectors(verify: Any, payload: dict[str, Any], signature: str) -> None:
    """Each webhook kind accepts the signature computed by hand with openssl."""
    event = verify(json.dumps({**payload, "signature_hash": signature}), SECRET)
    assert event.merchant_order_ref == payload["merchant_order_ref"]


def test_redirect_literal_vector() -> None:
    """A redirect query string with the hand-computed signature verifies."""
    query = (
        "order_ref=2mbbExY77pp8iC0AQ1ucWymnd3c&channel_order_ref=20240926HULUNYGP6MA2"
        "&merchant_order_ref=2mbbDi9wX3wAgLUDCnRMbQwkwZm_1&status=Success&amount=500"
        "&signature_hash=ZUmPVJnLlKI2g9IHJ17FeBmRhF0gLlcy2m6%2B2PbmoFg%3D"
    )
    result = verify_redirect(query, SECRET)
    assert result == RedirectResult(
        order_ref="2mbbExY77pp8iC0AQ1ucWymnd3c",
        merchant_order_ref="2mbbDi9wX3wAgLUDCnRMbQwkwZm_1",
        channel_order_ref="20240926HULUNYGP6MA2",
        status="Success",
        raw=result.raw,
    )
    assert result.raw["amount"] == "500"


# --- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (500, "500"),
        (100.50, "100.5"),
        (100.0, "100"),
        ("100.50", "100.5"),
        (Decimal("100.50"), "100.5"),
        (1e-7, "0.0000001"),
        ("1e-7", "0.0000001"),
        (Decimal("1E+2"), "100"),
        (1e22, "10000000000000000000000"),
        (0.1 + 0.2, "0.30000000000000004"),
        (Decimal("0.000"), "0"),
        (0, "0"),
        (-5, "-5"),
    ],
)
def test_format_amount_examples(amount: int | float | Decimal | str, text: str) -> None:
    """Amounts are written as the shortest plain decimal, as PortOne signs them."""
    assert format_amount(amount) == text


@pytest.mark.parametrize(
    "amount",
    [
        math.nan,
        math.inf,
        -math.inf,
        True,
        -0.0,
        Decimal("-0"),
        Decimal("NaN"),
        "NaN",
        "1e",
        " 1",
        "1_000",
        "Infinity",
        "0x10",
        "",
        None,
        [1],
    ],
)
def test_format_amount_rejects_non_numbers(amount: Any) -> None:
    """Bools, NaN, infinities, negative zero and odd strings are refused with a clear error."""
    with pytest.raises(ConfigurationError) as info:
        format_amount(amount)
    assert info.value.argument == "amount"


# Every size money can have: below 10^30, and no finer than 10^-12 (amounts outside that are
# refused before formatting; see test_absurd_amounts_are_refused_at_once).
money_ints = st.integers(-(10**29) + 1, 10**29 - 1)
money_floats = (
    st.floats(allow_nan=False, allow_infinity=False)
    .filter(lambda x: x == 0 or 1e-12 <= abs(x) < 1e29)
    .map(lambda x: x + 0.0)
)


@NO_DB
@given(money_ints | money_floats)
def test_format_amount_matches_reference(amount: int | float) -> None:
    """Any int or float formats like the hand-expanded shortest round-trip digits."""
    assert format_amount(amount) == _reference_amount(amount)


@NO_DB
@given(
    st.decimals(allow_nan=False, allow_infinity=False).filter(
        lambda d: not (d.is_zero() and d.is_signed()) and plausible_amount(d)
    )
)
def test_format_amount_decimals_keep_their_value(amount: Decimal) -> None:
    """A Decimal keeps its exact value and is written with no exponent and no trailing zeros."""
    text = format_amount(amount)
    assert Decimal(text) == amount
    assert "e" not in text.lower()
    assert text == _reference_amount(amount)


@pytest.mark.parametrize(
    "amount",
    [
        "1e999999999",
        "1" * 100,
        pytest.param(10**5000, id="10**5000"),
        Decimal("1e1000000"),
        Decimal("1e-100"),
        1e-117,
    ],
)
def test_absurd_amounts_are_refused_at_once(amount: int | float | str | Decimal) -> None:
    """An amount no currency has is refused before it is written out (no memory blow-up)."""
    with pytest.raises(ConfigurationError, match="amount"):
        format_amount(amount)


def test_webhook_with_a_huge_amount_is_refused_cheaply() -> None:
    """A forged webhook whose amount is 1e999999999 is refused without formatting it."""
    body = json.dumps({**SAMPLE_PAYMENT, "amount": "1e999999999", "signature_hash": "x"}).encode()
    with pytest.raises(SignatureError, match="amount"):
        verify_payment_webhook(body, SECRET)


def test_duplicate_keys_are_refused() -> None:
    """A body giving a key twice is refused: parsers disagree on which value counts."""
    good = _signed(SAMPLE_PAYMENT, PAYMENT_FIELDS)
    text = json.dumps(good)[:-1] + ', "status": "Failed"}'
    with pytest.raises(SignatureError, match="twice"):
        verify_payment_webhook(text.encode(), SECRET)


# --- agreement with the reference ----------------------------------------------------------


@NO_DB
@given(
    amount=st.integers(0, 10**12)
    | st.decimals(0, 10**9, places=4)
    | st.floats(0, 1e9).filter(lambda x: x == 0 or x >= 1e-12),
    key=texts.filter(bool),
    currency=texts,
    order=texts,
    success=texts,
    failure=texts,
)
def test_payment_request_matches_reference(
    amount: int | float | Decimal, key: str, currency: str, order: str, success: str, failure: str
) -> None:
    """sign_payment_request agrees with the recipe for any amount and any text."""
    expected = _reference_signature(
        LEAKY_SECRET,
        {
            "amount": _reference_amount(amount),
            "client_key": key,
            "currency": currency,
            "failure_url": failure,
            "merchant_order_id": order,
            "success_url": success,
        },
    )
    actual = sign_payment_request(
        secret_key=LEAKY_SECRET,
        portone_key=key,
        amount=amount,
        currency=currency,
        merchant_order_id=order,
        success_url=success,
        failure_url=failure,
    )
    assert actual == expected


@NO_DB
@given(values=st.lists(texts, min_size=8, max_size=8), amount=st.integers(1, 10**9))
def test_payment_webhook_matches_reference(values: list[str], amount: int) -> None:
    """A payment webhook signed by the recipe verifies into a typed event, any text included."""
    payload: dict[str, Any] = dict(zip(PAYMENT_FIELDS[1:], values, strict=True))
    payload["amount"] = amount / 100
    event = verify_payment_webhook(json.dumps(_signed(payload, PAYMENT_FIELDS)), SECRET)
    assert event.amount == Decimal(repr(amount / 100))
    assert event.method_name == payload["method_name"]
    assert event.order_ref == payload["order_ref"]


@NO_DB
@given(values=st.lists(texts, min_size=4, max_size=4))
def test_redirect_and_subscription_match_reference(values: list[str]) -> None:
    """Redirect and subscription-link signatures agree with the recipe for any text."""
    redirect = dict(zip(REDIRECT_FIELDS, values, strict=True))
    assert verify_redirect(_signed(redirect, REDIRECT_FIELDS), SECRET).status == values[3]
    subscription = dict(zip(SUBSCRIPTION_FIELDS, values, strict=True))
    event = verify_subscription_link_webhook(_signed(subscription, SUBSCRIPTION_FIELDS), SECRET)
    assert event.currency == values[0]


@NO_DB
@given(values=st.lists(texts, min_size=4, max_size=4))
def test_redirect_verifies_from_its_encoded_query_string(values: list[str]) -> None:
    """A redirect verifies from the raw query string, however its values are escaped."""
    params = _signed(dict(zip(REDIRECT_FIELDS, values, strict=True)), REDIRECT_FIELDS)
    query = "?" + "&".join(f"{k}={_go_query_escape(v)}" for k, v in params.items())
    assert verify_redirect(query, SECRET).order_ref == values[2]


def test_string_amount_verifies_like_a_number() -> None:
    """A webhook whose amount is a JSON string verifies as if it were the number."""
    signed = _signed({**SAMPLE_PAYMENT, "amount": 100.5}, PAYMENT_FIELDS)
    event = verify_payment_webhook({**signed, "amount": "100.50"}, SECRET)
    assert event.amount == Decimal("100.5")


def test_payment_event_fields_and_raw() -> None:
    """A verified payment webhook gives typed fields and keeps the whole payload read-only."""
    body = json.dumps(_signed(SAMPLE_PAYMENT, PAYMENT_FIELDS)).encode()
    event = verify_payment_webhook(body, SECRET)
    assert event == PaymentEvent(
        order_ref="2mbbExY77pp8iC0AQ1ucWymnd3c",
        merchant_order_ref="2mbbDi9wX3wAgLUDCnRMbQwkwZm_1",
        channel_order_ref="20240926HULUNYGP6MA2",
        channel_key="PAYLETTER",
        method_name="Payletter Credit Card",
        country_code="US",
        status="Success",
        amount=Decimal(500),
        currency="USD",
        raw=json.loads(body),
    )
    assert event.raw["status_code"] == "2000"
    assert "buyer@example.com" not in repr(event)
    with pytest.raises(TypeError):
        event.raw["status"] = "Failed"  # type: ignore[index]


def test_unsigned_fields_can_change_without_failing() -> None:
    """Only the listed fields are signed: changing another one still verifies."""
    signed = _signed(SAMPLE_PAYMENT, PAYMENT_FIELDS)
    event = verify_payment_webhook({**signed, "status_code": "5000"}, SECRET)
    assert event.raw["status_code"] == "5000"


def test_null_field_is_signed_as_empty_text() -> None:
    """A JSON null in a signed field is signed as the empty string."""
    signed = _signed({**SAMPLE_PAYMENT, "channel_order_ref": ""}, PAYMENT_FIELDS)
    event = verify_payment_webhook({**signed, "channel_order_ref": None}, SECRET)
    assert event.channel_order_ref == ""


# --- the countryCode quirk -----------------------------------------------------------------


def test_payment_link_reads_country_code_from_camel_case() -> None:
    """A payment-link webhook signs country_code with the value of its countryCode key."""
    event = verify_payment_link_webhook(_link_signed(SAMPLE_LINK), SECRET)
    assert event == PaymentLinkEvent(
        link_ref="2mbaHZ6VVokmHJNtKafVCyIZIxv",
        merchant_order_ref="1779AA6E40071177",
        status="Success",
        amount=Decimal(500),
        currency="JPY",
        country_code="JP",
        raw=event.raw,
    )


def test_payment_link_prefers_snake_case_country_code() -> None:
    """When a payment-link webhook carries country_code too, that is the signed value."""
    payload = {**SAMPLE_LINK, "country_code": "SG"}
    signed = _signed(payload, LINK_FIELDS)
    assert verify_payment_link_webhook(signed, SECRET).country_code == "SG"


def test_payment_link_without_any_country_names_both_keys() -> None:
    """A payment-link webhook with no country at all is refused, naming both spellings."""
    signed = _link_signed(SAMPLE_LINK)
    del signed["countryCode"]
    with pytest.raises(SignatureError, match=r"'country_code'.*'countryCode'"):
        verify_payment_link_webhook(signed, SECRET)


def test_payment_link_country_is_covered_by_the_signature() -> None:
    """Changing countryCode in a payment-link webhook breaks its signature."""
    signed = {**_link_signed(SAMPLE_LINK), "countryCode": "US"}
    with pytest.raises(SignatureError, match="does not match"):
        verify_payment_link_webhook(signed, SECRET)


# --- rejections ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAYMENT_FIELDS)
def test_tampered_payment_field_is_rejected(name: str) -> None:
    """Changing any signed field of a payment webhook makes verification fail."""
    signed = _signed(SAMPLE_PAYMENT, PAYMENT_FIELDS)
    signed[name] = 501 if name == "amount" else signed[name] + "x"
    with pytest.raises(SignatureError, match="signature does not match"):
        verify_payment_webhook(signed, SECRET)


@pytest.mark.parametrize("name", PAYMENT_FIELDS)
def test_missing_payment_field_is_named(name: str) -> None:
    """A payment webhook missing a signed field is refused with that field's name."""
    signed = _signed(SAMPLE_PAYMENT, PAYMENT_FIELDS)
    del signed[name]
    with pytest.raises(SignatureError, match=f"no '{name}' field"):
        verify_payment_webhook(signed, SECRET)


@pytest.mark.parametrize("signature", [None, "", 42])
def test_missing_signature_hash_is_named(signature: Any) -> None:
    """A webhook without a usable signature_hash is refused, saying so."""
    payload = {**SAMPLE_SUBSCRIPTION, "signature_hash": signature}
    with pytest.raises(SignatureError, match="no 'signature_hash'"):
        verify_subscription_link_webhook(payload, SECRET)
    del payload["signature_hash"]
    with pytest.raises(SignatureError, match="no 'signature_hash'"):
        verify_subscription_link_webhook(payload, SECRET)


def test_wrong_secret_is_rejected_without_leaking() -> None:
    """A wrong secret fails, and the error shows neither the secret nor the right signature."""
    signed = _signed(SAMPLE_PAYMENT, PAYMENT_FIELDS, secret="another-secret")
    expected = _signed(SAMPLE_PAYMENT, PAYMENT_FIELDS, secret=LEAKY_SECRET)["signature_hash"]
    with pytest.raises(SignatureError) as info:
        verify_payment_webhook(signed, LEAKY_SECRET)
    text = f"{info.value} {info.value!r}"
    assert "signature does not match" in text
    assert LEAKY_SECRET not in text
    assert expected not in text


def test_forged_non_ascii_signature_is_rejected() -> None:
    """A signature_hash holding non-ASCII text is a mismatch, not a crash."""
    payload = {**_signed(SAMPLE_SUBSCRIPTION, SUBSCRIPTION_FIELDS), "signature_hash": "é\ud800"}
    with pytest.raises(SignatureError, match="does not match"):
        verify_subscription_link_webhook(payload, SECRET)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not an object"),
        (b"\xff", "not valid JSON"),
        (b'{"amount": NaN}', "not valid JSON"),
    ],
)
def test_malformed_body_is_a_payload_error(body: bytes, problem: str) -> None:
    """A body that is not a JSON object is refused as malformed (a kind of SignatureError)."""
    with pytest.raises(WebhookPayloadError, match=problem):
        verify_payment_webhook(body, SECRET)


def test_bad_amount_in_webhook_is_named() -> None:
    """A webhook whose amount is not a number is refused, naming the amount."""
    signed = {**_signed(SAMPLE_PAYMENT, PAYMENT_FIELDS), "amount": "five"}
    with pytest.raises(SignatureError, match="'amount'"):
        verify_payment_webhook(signed, SECRET)


@pytest.mark.parametrize("secret", ["", None, 123, b"bytes-secret"])
def test_bad_secret_key_is_a_configuration_error(secret: Any) -> None:
    """Every function refuses an empty or non-text secret_key without echoing it."""
    calls: list[Callable[[], object]] = [
        lambda: verify_payment_webhook(SAMPLE_PAYMENT, secret),
        lambda: verify_payment_link_webhook(SAMPLE_LINK, secret),
        lambda: verify_subscription_link_webhook(SAMPLE_SUBSCRIPTION, secret),
        lambda: verify_redirect("order_ref=1", secret),
        lambda: sign_payment_request(
            secret_key=secret,
            portone_key="k",
            amount=1,
            currency="USD",
            merchant_order_id="m",
            success_url=SUCCESS_URL,
            failure_url=FAILURE_URL,
        ),
    ]
    for call in calls:
        with pytest.raises(ConfigurationError) as info:
            call()
        assert info.value.argument == "secret_key"
        assert "bytes-secret" not in str(info.value)


@pytest.mark.parametrize(
    ("changes", "argument"),
    [
        ({"amount": -1}, "amount"),
        ({"amount": math.nan}, "amount"),
        ({"portone_key": ""}, "portone_key"),
        ({"currency": None}, "currency"),
        ({"success_url": b"https://x"}, "success_url"),
    ],
)
def test_payment_request_arguments_are_checked(changes: dict[str, Any], argument: str) -> None:
    """sign_payment_request names the bad argument instead of signing nonsense."""
    arguments: dict[str, Any] = {
        "secret_key": SECRET,
        "portone_key": "k",
        "amount": 1,
        "currency": "USD",
        "merchant_order_id": "m",
        "success_url": SUCCESS_URL,
        "failure_url": FAILURE_URL,
        **changes,
    }
    with pytest.raises(ConfigurationError) as info:
        sign_payment_request(**arguments)
    assert info.value.argument == argument


# --- redirects -----------------------------------------------------------------------------


def test_redirect_from_aiohttp_style_multidict() -> None:
    """A redirect verifies from a MultiDict of decoded query parameters."""
    params = _signed(dict(zip(REDIRECT_FIELDS, "abcd", strict=True)), REDIRECT_FIELDS)
    assert verify_redirect(MultiDict(params), SECRET).merchant_order_ref == "b"


def test_redirect_with_plus_decoded_as_space_still_verifies() -> None:
    """A signature whose '+' arrived unescaped (decoded as a space) still verifies."""
    # With status "0" this signature happens to contain two "+" (checked by the assert below).
    signed = _signed(dict(zip(REDIRECT_FIELDS, "abc0", strict=True)), REDIRECT_FIELDS)
    assert "+" in signed["signature_hash"]
    signed["signature_hash"] = signed["signature_hash"].replace("+", " ")
    assert verify_redirect(signed, SECRET).order_ref == "c"


@pytest.mark.parametrize("name", ["status", "signature_hash"])
def test_redirect_with_repeated_signed_parameter_is_rejected(name: str) -> None:
    """A redirect repeating a signed parameter is refused, so the app cannot read the forged one."""
    signed = _signed(dict(zip(REDIRECT_FIELDS, "abcd", strict=True)), REDIRECT_FIELDS)
    params = MultiDict(signed)
    params.add(name, "Success")
    with pytest.raises(SignatureError, match=f"more than one '{name}'"):
        verify_redirect(params, SECRET)
    query = "&".join(f"{k}={quote_plus(v)}" for k, v in params.items())
    with pytest.raises(SignatureError, match=f"more than one '{name}'"):
        verify_redirect(query, SECRET)


def test_tampered_redirect_is_rejected() -> None:
    """Changing the status of a redirect makes verification fail."""
    signed = _signed(dict(zip(REDIRECT_FIELDS, "abcd", strict=True)), REDIRECT_FIELDS)
    with pytest.raises(SignatureError, match="redirect signature does not match"):
        verify_redirect({**signed, "status": "Success"}, SECRET)


# --- refunds -------------------------------------------------------------------------------


def test_refund_webhook_is_parsed_without_verification() -> None:
    """A refund webhook is read as-is: it carries no signature, and the docs say to reconcile."""
    body = {
        "refund_id": "oKYR4vZ7ddvEAbfm9U9w2c",
        "amount": 500,
        "currency": "JPY",
        "refund_status": "SUCCESS",
        "payment_txn_ref": "2mbZeehV4ZhkLTwVcL2fHukBg4J",
    }
    event = parse_refund_webhook(json.dumps(body))
    assert event.order_ref == "2mbZeehV4ZhkLTwVcL2fHukBg4J"
    assert (event.refund_id, event.refund_status) == ("oKYR4vZ7ddvEAbfm9U9w2c", "SUCCESS")
    assert (event.amount, event.currency) == (Decimal(500), "JPY")
    assert "refunds.get" in (parse_refund_webhook.__doc__ or "")


def test_refund_webhook_without_payment_ref_is_malformed() -> None:
    """A refund webhook without payment_txn_ref cannot be reconciled and is refused."""
    with pytest.raises(WebhookPayloadError, match="payment_txn_ref"):
        parse_refund_webhook({"refund_id": "r", "amount": 5})


def test_lone_surrogate_in_signed_field_is_refused() -> None:
    """A signed field holding text that is not valid Unicode is refused, not a crash."""
    body = json.dumps({**_signed(SAMPLE_SUBSCRIPTION, SUBSCRIPTION_FIELDS), "status": "\ud800"})
    with pytest.raises(SignatureError, match="not valid Unicode"):
        verify_subscription_link_webhook(body, SECRET)
