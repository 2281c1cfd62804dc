"""Every public parameter is documented: the API reference is generated from these docstrings.

The rule checked (Google style): a function's or method's parameters are listed in its
docstring's ``Args:`` section; a class's constructor parameters in the class docstring's
``Args:`` or ``Attributes:`` section (a dataclass documents its fields as attributes), or in its
``__init__`` docstring's ``Args:``.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import aioportone
import aioportone.testing
import aioportone.webhooks
from aioportone.testing import DEMO_CLIENT_KEY, DEMO_SECRET_KEY

_SECTION = re.compile(r"^(\s*)(\w[\w ]*):\s*$")
_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:")
_PARAM_SECTIONS = frozenset({"Args", "Arguments", "Parameters"})
_FIELD_SECTIONS = _PARAM_SECTIONS | {"Attributes"}


def documented(doc: str | None, sections: frozenset[str] = _PARAM_SECTIONS) -> set[str]:
    """The names listed in the given sections of a Google-style docstring."""
    names: set[str] = set()
    lines = inspect.cleandoc(doc or "").splitlines()
    i = 0
    while i < len(lines):
        header = _SECTION.match(lines[i])
        i += 1
        if header is None or header.group(2) not in sections:
            continue
        indent = len(header.group(1))
        entry_indent: int | None = None
        while i < len(lines):
            line = lines[i]
            if line.strip():
                depth = len(line) - len(line.lstrip())
                if depth <= indent:
                    break
                if entry_indent is None:
                    entry_indent = depth
                if depth == entry_indent and (entry := _ENTRY.match(line.strip())):
                    names.add(entry.group(1))
            i += 1
    return names


def parameters(func: Callable[..., Any]) -> list[str]:
    """The parameter names a caller can pass (``self``/``cls`` left out)."""
    names = list(inspect.signature(func).parameters)
    return [n for n in names if n not in ("self", "cls")]


def _own_init(cls: type) -> tuple[type, Callable[..., Any]] | None:
    """The class whose ``__init__`` ``cls`` uses and that ``__init__``, when it is aioportone
    code (not object's, Exception's or a Protocol's)."""
    for klass in cls.__mro__:
        if "__init__" in vars(klass):
            if not klass.__module__.startswith("aioportone") or getattr(
                klass, "_is_protocol", False
            ):
                return None
            return klass, vars(klass)["__init__"]
    return None


def _methods(cls: type) -> Iterator[tuple[str, Callable[..., Any]]]:
    """The public methods ``cls`` defines or inherits from aioportone code (``Subscriptions``
    takes its plan and deduction methods from two bases, TokenManager its synchronous half
    from TokenDesk)."""
    seen: set[str] = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("aioportone") or getattr(klass, "_is_protocol", False):
            continue
        for name, member in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            if isinstance(member, classmethod | staticmethod):
                yield name, member.__func__
            elif inspect.isfunction(member):
                yield name, member


def undocumented_in_class(cls: type, label: str) -> Iterator[str]:
    """``label.param`` for each constructor or method parameter the docstrings do not list."""
    own = _own_init(cls)
    if own is not None:
        # An inherited constructor (an error subclass) is documented where it is defined.
        owner, init = own
        known = (
            documented(cls.__doc__, _FIELD_SECTIONS)
            | documented(owner.__doc__, _FIELD_SECTIONS)
            | documented(init.__doc__)
        )
        for name in parameters(init):
            if name not in known:
                yield f"{label}({name}=...)"
    for name, method in _methods(cls):
        known = documented(method.__doc__)
        for param in parameters(method):
            if param not in known:
                yield f"{label}.{name}({param}=...)"


def undocumented(obj: Any, label: str) -> Iterator[str]:
    if inspect.isclass(obj):
        yield from undocumented_in_class(obj, label)
    elif inspect.isfunction(obj):
        known = documented(obj.__doc__)
        yield from (f"{label}({p}=...)" for p in parameters(obj) if p not in known)


def _exported(module: ModuleType) -> Iterator[tuple[str, Any]]:
    for name in module.__all__:
        yield f"{module.__name__}.{name}", getattr(module, name)


def _resources() -> Iterator[tuple[str, type]]:
    client = aioportone.PortOneClient(DEMO_CLIENT_KEY, DEMO_SECRET_KEY)
    found = [(f"PortOneClient.{attr}", value) for attr, value in vars(client).items()]
    while found:
        label, value = found.pop(0)
        if type(value).__module__.startswith("aioportone._resources"):
            yield label, type(value)
            # A resource's own resources (portone.payouts.beneficiaries...).
            found += [(f"{label}.{a}", v) for a, v in vars(value).items() if a != "_client"]


def test_every_public_parameter_is_documented() -> None:
    """Each parameter of the public API appears in its docstring's Args (or Attributes)."""
    objects = [
        *_exported(aioportone),
        *_exported(aioportone.testing),
        *_exported(aioportone.webhooks),
        *_resources(),
    ]
    missing = [gap for label, obj in objects for gap in undocumented(obj, label)]
    assert missing == []


def test_resources_are_found_on_the_client() -> None:
    """The check above really covers the client's resources (none slips through unseen)."""
    found = {label for label, _ in _resources()}
    assert found == {
        "PortOneClient.transactions",
        "PortOneClient.payment_links",
        "PortOneClient.refunds",
        "PortOneClient.webhook_endpoints",
        "PortOneClient.signatures",
        "PortOneClient.checkout",
        "PortOneClient.subscriptions",
        "PortOneClient.payouts",
        "PortOneClient.payouts.beneficiaries",
        "PortOneClient.payouts.virtual_accounts",
        "PortOneClient.payouts.approvals",
        "PortOneClient.reconciliation",
        "PortOneClient.sub_merchants",
    }


def test_the_parser_reads_google_sections() -> None:
    """A parameter listed under Args counts; one only mentioned in prose or Returns does not."""

    def sample(alpha: int, beta: int, *gamma: int, **delta: int) -> int:
        """Do it with ``beta``.

        Args:
            alpha: the first,
                continued here: not_a_name: still alpha's text.
            *gamma: the rest.
            **delta (int): options.

        Returns:
            beta: not an argument section.
        """
        return alpha

    assert documented(sample.__doc__) == {"alpha", "gamma", "delta"}
    assert list(undocumented(sample, "sample")) == ["sample(beta=...)"]


def test_inherited_methods_are_checked() -> None:
    """A public class's methods from a private aioportone base are checked with its own."""
    names = {name for name, _ in _methods(aioportone.TokenManager)}
    assert {"usable", "current", "get", "invalidate", "rejected", "observe_answer"} <= names


def test_dataclass_fields_count_as_attributes() -> None:
    """A dataclass may document its fields under Attributes; an unlisted field is reported."""

    @dataclasses.dataclass
    class Sample:
        """A sample.

        Attributes:
            listed: documented.
        """

        listed: int
        unlisted: int

    Sample.__module__ = "aioportone.sample"
    assert list(undocumented(Sample, "Sample")) == ["Sample(unlisted=...)"]


def test_the_api_reference_covers_the_public_api() -> None:
    """Every public name has an entry (``::: name``) in the API reference pages under docs/."""
    pages = Path(__file__).parent.parent / "docs" / "reference"
    entries = {
        line.removeprefix(":::").strip()
        for page in pages.glob("*.md")
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith(":::")
    }
    public = [label for label, _ in _exported(aioportone)] + [
        label for label, _ in _exported(aioportone.testing)
    ]
    missing = [name for name in public if name not in entries]
    assert "aioportone.webhooks" in entries  # the module page lists its __all__
    assert missing == []
