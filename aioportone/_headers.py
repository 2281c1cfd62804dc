"""The header names PortOne reads, in one place: the manager sets them, the fake checks them.

https://docs.portone.cloud/docs/jwt-authentication: each call carries the merchant's PortOne key in
``X-Portone-Client-Key`` and the JWT as ``Authorization: Bearer <JWT>``; a master merchant acting
for a sub-merchant adds that merchant's key in ``X-Portone-SubMerchant-Key``.
"""

__all__ = ["AUTHORIZATION_HEADER", "CLIENT_KEY_HEADER", "SUB_MERCHANT_HEADER"]

AUTHORIZATION_HEADER = "Authorization"
CLIENT_KEY_HEADER = "X-Portone-Client-Key"
SUB_MERCHANT_HEADER = "X-Portone-SubMerchant-Key"
