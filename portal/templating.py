"""The Jinja environment every page renders with.

A page of this portal imports a dozen or more GOV.UK macros, and most GOV.UK
macros import others each time they are called (the radios macro imports the
label, hint, fieldset and error-message macros for every call). At each import
Jinja compares the importing page's globals with the imported template's, to
decide whether the cached module can serve it: ``page_keys - template.globals.keys()``.
Jinja keeps a template's globals in a ``collections.ChainMap`` so that a
template never writes into the environment's, and a ChainMap's key view answers
each membership test in Python, walking every map: about 30 such tests an
import. That comparison was a quarter of the time of a form field's macro.

``Environment.make_globals`` is the documented place to choose that mapping. Ours
is still a ChainMap (same lookups, same protection of the environment's
globals), whose ``keys()`` is a plain dictionary's key view, so the comparison
runs as one set operation in C. The answer is the same set of keys.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import KeysView, MutableMapping
from typing import Any

from flask.templating import Environment


class _TemplateGlobals(ChainMap[str, Any]):
    def keys(self) -> KeysView[str]:
        merged: dict[str, Any] = {}
        for mapping in reversed(self.maps):
            merged.update(mapping)
        return merged.keys()


class PortalEnvironment(Environment):
    def make_globals(
        self, d: MutableMapping[str, Any] | None
    ) -> MutableMapping[str, Any]:
        return _TemplateGlobals({} if d is None else d, self.globals)
