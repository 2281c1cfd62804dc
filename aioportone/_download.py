"""Answers that are files (exports, statements) and multipart bodies. Pure: values in, values out.

PortOne's exports answer a file rather than JSON. Which answers may be files is the caller's
word (``request(..., expect="file")``): elsewhere a non-JSON 2xx stays unreadable, so an HTML
error page with status 200 is never taken for a download.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from pathlib import PurePosixPath
from typing import Any

import aiohttp

from ._errors import ConfigurationError

__all__ = ["Download", "FormFields", "build_form", "check_form", "file_answer", "filename_of"]

#: ``form=`` of :meth:`PortOneClient.request`: a field name → its text, or a file as
#: ``(filename, content, content_type)``.
FormFields = Mapping[str, "str | tuple[str, bytes, str]"]

# Media types that are never a file: JSON is PortOne's own answer, HTML a proxy's error page.
_NOT_FILES = re.compile(r"\s*(?:application/(?:[\w.+-]*\+)?json|text/html)\s*(?:;|\Z)", re.I)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Download:
    """A file PortOne answered (a CSV, XLSX or PDF export, a statement).

    Args:
        content: The file's bytes, as received (within the client's ``max_response_size``).
        content_type: The answer's ``Content-Type`` (``application/octet-stream`` when absent).
        filename: The name from ``Content-Disposition``, reduced to a bare file name (no
            directory, no control characters); None when PortOne sent none.
    """

    content: bytes = field(repr=False)
    content_type: str
    filename: str | None = None

    def __repr__(self) -> str:
        return (
            f"Download(content_type={self.content_type!r}, filename={self.filename!r}, "
            f"size={len(self.content)})"
        )


def file_answer(status: int, headers: Mapping[str, str], body: bytes) -> Download | None:
    """The :class:`Download` a 2xx answer carries, or None when it is not a file.

    Empty bodies, JSON and HTML are not files: they go through the usual JSON rules.
    """
    if not 200 <= status < 300 or not body:
        return None
    # RFC 9110 8.3: a body without a Content-Type may be taken as application/octet-stream.
    content_type = headers.get("Content-Type") or "application/octet-stream"
    if _NOT_FILES.match(content_type):
        return None
    return Download(
        content=body,
        content_type=content_type.strip(),
        filename=filename_of(headers.get("Content-Disposition")),
    )


def filename_of(disposition: str | None) -> str | None:
    """The bare file name a ``Content-Disposition`` header gives (RFC 6266), or None.

    The name is PortOne's text: a directory part (``../../etc/x``) and control characters are
    dropped, so it can be used as a local file name without surprises.
    """
    if not disposition:
        return None
    message = Message()
    message["Content-Disposition"] = disposition
    try:
        name = message.get_filename()
    except (ValueError, LookupError, TypeError):
        return None
    if not isinstance(name, str):
        return None
    name = PurePosixPath(_CONTROL.sub("", name).replace("\\", "/")).name.strip()
    return name if name not in {"", ".", ".."} else None


def check_form(form: Any) -> FormFields:
    """``form=`` checked: a mapping of field names to texts or file triples.

    Not an :class:`aiohttp.FormData`: aiohttp empties one as it encodes it, so a retry (after
    a token rejection, or a connection that never opened) would send an empty form.
    """
    if isinstance(form, aiohttp.FormData):
        raise ConfigurationError(
            "form",
            "give a mapping of name -> str or (filename, bytes, content_type), not a FormData "
            "(aiohttp empties a FormData once sent, and a retry would send it empty)",
        )
    if not isinstance(form, Mapping) or not form:
        raise ConfigurationError("form", "must be a non-empty mapping of field names")
    for name, value in form.items():
        if not isinstance(name, str) or not name or _CONTROL.search(name):
            raise ConfigurationError("form", f"field names must be plain text (got {name!r})")
        if isinstance(value, str):
            continue
        if not (
            isinstance(value, tuple)
            and len(value) == 3
            and isinstance(value[0], str)
            and isinstance(value[1], bytes | bytearray)
            and isinstance(value[2], str)
        ):
            raise ConfigurationError(
                "form",
                f"field {name!r} must be a str or a (filename, bytes, content_type) tuple",
            )
        if _CONTROL.search(value[0]) or _CONTROL.search(value[2]) or not value[2]:
            raise ConfigurationError(
                "form", f"field {name!r}: filename and content type must be plain text"
            )
    return form


def build_form(form: FormFields) -> aiohttp.FormData:
    """A fresh multipart body: aiohttp encodes a FormData once, and each attempt needs one.

    Names go out as written (RFC 7578 section 4.2: UTF-8, quotes escaped), not percent-encoded
    as aiohttp's ``quote_fields`` default does: a multipart server reads ``filename`` literally,
    and would store ``Paid out.csv`` as ``Paid%20out.csv``.
    """
    data = aiohttp.FormData(default_to_multipart=True, quote_fields=False)
    for name, value in form.items():
        if isinstance(value, str):
            data.add_field(name, value)
        else:
            filename, content, content_type = value
            data.add_field(name, bytes(content), filename=filename, content_type=content_type)
    return data
