"""A griffe extension for the docs build: Sphinx-style roles become mkdocstrings references.

The docstrings write ``:class:`TokenManager``` and ``:meth:`get``` (readable in ``help()``);
mkdocstrings' Google parser does not know roles. Each role is resolved in the scope of the
object whose docstring holds it and becomes ``[`get`][aioportone._manager.TokenManager.get]``;
a name outside aioportone (``str``, ``aiohttp.ClientSession``) stays plain code. A reference
that resolves but is not rendered anywhere fails the strict build, as it should. A line that
is only ``::`` (reStructuredText's "code follows") is dropped: the indented block after it is
already a Markdown code block.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|attr|exc|mod|data|obj):`(~?)([\w.]+)`")
_LITERAL_MARK = re.compile(r"^[ \t]*::[ \t]*$", re.MULTILINE)


def _target(obj: griffe.Object, name: str) -> str | None:
    """The full path ``name`` means in ``obj``'s docstring, or None outside aioportone."""
    if name.startswith("aioportone."):
        return name
    head, _, rest = name.partition(".")
    try:
        resolved = obj.resolve(head)
    except griffe.NameResolutionError:
        # A method's docstring names its siblings (":meth:`get`"): look in its class too,
        # inherited members included (they are rendered under the class's own path).
        parent = obj.parent
        if parent is None or head not in parent.all_members:
            return None
        resolved = f"{parent.path}.{head}"
    if not resolved.startswith("aioportone"):
        return None
    return f"{resolved}.{rest}" if rest else resolved


def _rewrite(obj: griffe.Object) -> None:
    docstring = obj.docstring
    if docstring is not None:

        def link(match: re.Match[str]) -> str:
            tilde, name = match.groups()
            shown = name.rsplit(".", 1)[-1] if tilde else name
            target = _target(obj, name)
            return f"[`{shown}`][{target}]" if target else f"`{shown}`"

        docstring.value = _LITERAL_MARK.sub("", _ROLE.sub(link, docstring.value))
    for member in obj.members.values():
        if not member.is_alias:
            _rewrite(member)  # type: ignore[arg-type]


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring of a package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        _rewrite(pkg)
