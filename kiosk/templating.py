"""The templates' environment: Flask's, with `{% from … import … %}` that costs nothing a page."""

from __future__ import annotations

from collections import ChainMap
from typing import Any

from flask.templating import Environment
from jinja2 import Template
from jinja2.runtime import Context


class _Template(Template):
    def _get_default_module(self, ctx: Context | None = None) -> Any:
        # An imported template gets a module of its own when the importing page has globals
        # it lacks; Jinja finds them as a set minus a ChainMap's keys, one Python-level lookup
        # per global (two dozen here) for every macro import of every page (3 % of a phone's
        # status page). The same difference, taken in C over the ChainMap's dicts; when it is
        # empty, Jinja's own answer is its cached module, which it returns for no context.
        maps = self.globals.maps if isinstance(self.globals, ChainMap) else None
        if ctx is not None and maps is not None and not ctx.globals_keys.difference(*maps):
            ctx = None
        return super()._get_default_module(ctx)


class KioskEnvironment(Environment):
    """Flask's template environment, with the quick macro imports above."""

    template_class = _Template
