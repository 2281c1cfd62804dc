"""How many decimals each currency's amounts may have: ISO 4217 minor units.

Source: ISO 4217 "List one" (currency, fund and precious-metal codes), as published by SIX
Financial Information, the ISO 4217 maintenance agency:
https://www.six-group.com/en/products-services/financial-information/data-standards.html
Every active currency has 2 decimals except the ones listed here.

PortOne's docs name, among others, KRW, VND and JPY (0 decimals), THB, IDR, PHP, MYR, SGD,
USD, TWD and INR (2) and KWD, BHD, OMR and JOD (3). IDR and TWD keep the 2 decimals ISO gives
them even where local practice shows none: what a payment channel cannot take is PortOne's
to refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["MAX_MINOR_UNITS", "minor_units"]

_DEFAULT = 2
_EXCEPTIONS: Mapping[str, int] = MappingProxyType(
    {
        # No minor unit: whole amounts only.
        "BIF": 0,
        "CLP": 0,
        "DJF": 0,
        "GNF": 0,
        "ISK": 0,
        "JPY": 0,
        "KMF": 0,
        "KRW": 0,
        "PYG": 0,
        "RWF": 0,
        "UGX": 0,
        "UYI": 0,
        "VND": 0,
        "VUV": 0,
        "XAF": 0,
        "XOF": 0,
        "XPF": 0,
        # Thousandths.
        "BHD": 3,
        "IQD": 3,
        "JOD": 3,
        "KWD": 3,
        "LYD": 3,
        "OMR": 3,
        "TND": 3,
        # Ten-thousandths (units of account).
        "CLF": 4,
        "UYW": 4,
    }
)

#: The most decimals any currency has: the rule when the currency is not known.
MAX_MINOR_UNITS = max(_EXCEPTIONS.values())


def minor_units(currency: str | None) -> int:
    """Decimals ``currency`` (an upper-case ISO 4217 code) allows; :data:`MAX_MINOR_UNITS`
    when it is not known (``None``), so that no valid amount is refused."""
    if currency is None:
        return MAX_MINOR_UNITS
    return _EXCEPTIONS.get(currency, _DEFAULT)
