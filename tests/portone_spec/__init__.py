"""PortOne's OpenAPI specs as data, for the contract tests (origin and licence: NOTICE.md)."""
