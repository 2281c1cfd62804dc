"""File answers and file arguments of the resources (exports, uploads). Pure: values in, values out.

recon.yaml shows an export answering status 200 with a JSON error as ``text/plain``
(``{"message":"Data source mapping not found for Merchant","status_code":"4001",...}``): a file
that is PortOne's error envelope is raised as that error, never handed over as a spreadsheet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from .._config import text
from .._decipher import decode_json, error_for, succeeded
from .._download import Download
from .._errors import ConfigurationError

if TYPE_CHECKING:
    from ._base import Caller

__all__ = ["MAX_UPLOAD_SIZE", "check_file", "export", "export_answer"]

#: The largest file an upload takes (25 MiB). PortOne documents no limit; the bound stops a
#: mistaken argument (a whole archive, a disk image) from going out as a reconciliation file.
MAX_UPLOAD_SIZE = 25 * 1024 * 1024
# An envelope is a few hundred bytes; a file larger than this is not read as one.
_ENVELOPE_SIZE = 64 * 1024
# A media type as RFC 9110 writes it (type/subtype, parameters allowed).
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(?:\s*;.*)?")


def export(client: Caller, path: str, body: Mapping[str, Any]) -> Coroutine[Any, Any, Download]:
    """POST an export's ``body`` to ``path`` and answer its :class:`Download`.

    A read (replayed like one); the answer is parsed inside the request, so no frame of the
    caller's ever holds it.
    """
    return client.request(
        "POST",
        path,
        json=body,
        idempotent=True,
        expect="file",
        parse=lambda data: export_answer(data, method="POST", path=path),
    )


def export_answer(data: Any, *, method: str, path: str) -> Download:
    """The :class:`Download` an export answered, or the :class:`APIError` it carries.

    Args:
        data: What ``request(..., expect="file")`` returned.
        method: The request's method, for the error message.
        path: The request's path, for the error message.
    """
    if isinstance(data, Download):
        # A small body that reads as PortOne's envelope is its answer, not a file.
        small = len(data.content) <= _ENVELOPE_SIZE and data.content[:1] == b"{"
        decoded = decode_json(data.content) if small else None
        if isinstance(decoded, dict) and "status_code" in decoded and not succeeded(200, decoded):
            raise error_for(200, {}, decoded, method=method, url=path)
        return data
    if data is not None and not succeeded(200, data):
        raise error_for(200, {}, data, method=method, url=path)
    # A JSON answer (PortOne's spec declares one for some exports): kept whole, as a file.
    content = b"" if data is None else json.dumps(data, ensure_ascii=False).encode()
    return Download(content=content, content_type="application/json", filename=None)


def check_file(name: str, value: Any) -> tuple[str, bytes, str]:
    """A ``(filename, content, content_type)`` file argument, checked.

    Args:
        name: The argument's name, for the error.
        value: The argument.
    """
    if not (isinstance(value, tuple) and len(value) == 3):
        raise ConfigurationError(name, "must be a (filename, content, content_type) tuple")
    filename, content, content_type = value
    filename = text(name, filename)
    if "/" in filename or "\\" in filename or filename in (".", ".."):
        raise ConfigurationError(name, "the filename must be a bare name, without a directory")
    if not isinstance(content, bytes | bytearray | memoryview):
        raise ConfigurationError(name, "the content must be bytes")
    content = bytes(content)
    if not content:
        raise ConfigurationError(name, "the content must not be empty")
    if len(content) > MAX_UPLOAD_SIZE:
        raise ConfigurationError(
            name, f"the content is {len(content)} bytes, more than {MAX_UPLOAD_SIZE}"
        )
    if not isinstance(content_type, str) or not _MEDIA_TYPE.fullmatch(content_type):
        raise ConfigurationError(name, "the content type must be a media type such as text/csv")
    text(name, content_type)
    return filename, content, content_type
