"""The portal's Jinja environment (portal/templating.py): template globals answer
Jinja's import check with the same keys as a ChainMap, and imports still see what
the importing page's globals add."""

from __future__ import annotations

from collections import ChainMap

from flask import Flask
from jinja2 import DictLoader

from portal.templating import PortalEnvironment


def test_template_globals_have_the_keys_of_every_map_and_write_to_their_own() -> None:
    env = PortalEnvironment(Flask(__name__))
    env.globals.clear()
    env.globals.update({"url_for": 1, "shared": 2})
    own = {"shared": 3, "mine": 4}

    globals_ = env.make_globals(own)

    assert set(globals_.keys()) == set(ChainMap(own, dict(env.globals)).keys())
    assert globals_["shared"] == 3 and globals_["url_for"] == 1
    globals_["new"] = 5
    assert "new" in own and "new" not in env.globals, "the environment is not written"
    env.globals["added_later"] = 6
    assert "added_later" in globals_.keys(), "the environment's globals stay live"


def test_an_imported_macro_sees_globals_only_its_importer_has() -> None:
    """Jinja gives an imported template the importing page's extra globals by
    comparing the two key sets, which is what ``keys()`` answers."""
    env = PortalEnvironment(Flask(__name__), loader=DictLoader({
        "macros.html": "{% macro who() %}{{ department }}{% endmacro %}",
        "plain.html": "{% from 'macros.html' import who %}[{{ who() }}]",
        "own.html": "{% from 'macros.html' import who %}[{{ who() }}]",
    }))  # fmt: skip
    plain = env.get_template("plain.html")
    own = env.get_template("own.html", globals={"department": "Children's services"})

    assert plain.render() == "[]"
    assert own.render() == "[Children's services]"
    assert plain.render() == "[]", "the importer's globals stay its own"


def test_the_app_renders_with_the_portal_environment(app: Flask) -> None:
    assert isinstance(app.jinja_env, PortalEnvironment)
