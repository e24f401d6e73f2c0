"""Folium elements whose rendered script reaches the figure as plain text.

branca's ``MacroElement.render`` wraps each element's rendered script in a new Jinja
``Template`` before adding it to the figure. For a layer that carries its data as one
JSON literal (thousands of cells, district outlines, offer pins) that means lexing and
compiling the whole data as a template on every render, tens of milliseconds per
Streamlit rerun, and a ``{{`` or ``{%`` in a name would be read as Jinja. The mixin
adds the script as it is; everything else stays branca's.
"""

from __future__ import annotations

from typing import Any

import branca


class PlainScript:
    """Mixin for a ``branca.element.MacroElement``: its ``script`` macro output is final.

    Put it directly before ``MacroElement`` in the bases and after render mixins such
    as folium's ``JSCSSMixin`` (whose ``render`` adds the asset links, then calls this
    one): ``class Squares(PlainScript, folium.MacroElement)``,
    ``class Markers(JSCSSMixin, PlainScript, folium.MacroElement)``. Header and html
    macros are rendered as branca does (no data layer puts data in them).
    """

    def render(self, **kwargs: Any) -> None:
        """Add the header, html and script of this element (and its children) to the figure."""
        figure = self.get_root()  # type: ignore[attr-defined]
        if not isinstance(figure, branca.element.Figure):
            raise TypeError(
                f"{type(self).__name__} can only be rendered inside a Figure (add it to a map)"
            )
        macros = self._template.module.__dict__  # type: ignore[attr-defined]
        name = self.get_name()  # type: ignore[attr-defined]
        for part in ("header", "html"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(
                    branca.element.Element(macro(self, kwargs)), name=name
                )
        script = macros.get("script")
        if script is not None:
            figure.script.add_child(Text(script(self, kwargs)), name=name)
        for child in self._children.values():  # type: ignore[attr-defined]
            child.render(**kwargs)


class Text(branca.element.Element):
    """Already rendered text, returned as it is (no Jinja pass)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """The text itself."""
        return self.text
