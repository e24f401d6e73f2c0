"""layers.plainscript: rendered scripts reach the figure as text, never as Jinja."""

from __future__ import annotations

import re
from typing import ClassVar

import branca
import folium
import geopandas as gpd
import numpy as np
import pytest
from folium.elements import JSCSSMixin
from jinja2 import TemplateSyntaxError

from layers.choropleth import district_layer
from layers.plainscript import PlainScript
from tests.layers.helpers import feature_collection, render

TEMPLATE = """
    {% macro header(this, kwargs) %}<meta name="probe" content="{{ this.tag }}">{% endmacro %}
    {% macro script(this, kwargs) %}var {{ this.get_name() }} = {{ this.payload }};{% endmacro %}
"""


class Probe(folium.MacroElement):
    """The element under test; combined with branca's render or the mixin's below."""

    _template = branca.element.Template(TEMPLATE)

    def __init__(self, payload: str) -> None:
        super().__init__()
        self._name = "Probe"
        self._id = "fixed"
        self.tag = "t1"
        self.payload = payload


# the asset lists on the subclasses: JSCSSMixin's own empty lists come first in the MRO
class BrancaProbe(JSCSSMixin, Probe):
    default_js: ClassVar[list[tuple[str, str]]] = [("probe_js", "/app/static/probe.js")]
    default_css: ClassVar[list[tuple[str, str]]] = [("probe_css", "/app/static/probe.css")]


class PlainProbe(JSCSSMixin, PlainScript, Probe):
    default_js = BrancaProbe.default_js
    default_css = BrancaProbe.default_css


@pytest.mark.parametrize("payload", ['{"a": [1, 2]}', '[["x", 3.5]]', "null"])
def test_plain_script_renders_the_same_page_as_branca(payload: str) -> None:
    plain, branca_page = render(PlainProbe(payload)), render(BrancaProbe(payload))
    # folium gives the map and its controls random ids per render: compare without them
    assert strip_ids(plain) == strip_ids(branca_page)
    assert f"var probe_fixed = {payload};" in plain
    assert "/app/static/probe.js" in plain and '<meta name="probe" content="t1">' in plain


@pytest.mark.parametrize("payload", ['"{{ 7 * 7 }}"', '"{% if x %}"', '"{# note"'])
def test_plain_script_does_not_read_data_as_jinja(payload: str) -> None:
    page = render(PlainProbe(payload))
    assert f"var probe_fixed = {payload};" in page


def test_branca_would_read_the_data_as_jinja() -> None:
    # why the mixin exists: branca evaluates (or fails on) template syntax in data
    assert "var probe_fixed = 49;" in render(BrancaProbe("{{ 7 * 7 }}"))
    with pytest.raises(TemplateSyntaxError, match=r"end of template"):
        render(BrancaProbe('"{% if x %}"'))


class BareProbe(PlainScript, folium.MacroElement):
    _template = Probe._template


def test_plain_script_needs_a_figure() -> None:
    with pytest.raises(TypeError, match="BareProbe can only be rendered inside a Figure"):
        BareProbe().render()


def test_district_names_with_template_syntax_are_drawn_verbatim(
    districts: gpd.GeoDataFrame,
) -> None:
    d = districts.copy()
    d["share"] = np.linspace(0, 1, len(d))
    d.iloc[0, d.columns.get_loc("name")] = "{% if x %}{{ 7 * 7 }}"
    page = render(district_layer(d, column="share", label="Abdeckung", unit="%", lang="de"))
    tips = [f["properties"]["tip"] for f in feature_collection(page)["features"]]
    assert tips[0].startswith("<b>{% if x %}{{ 7 * 7 }}</b>")


def strip_ids(page: str) -> str:
    return re.sub(r"_[0-9a-f]{32}(?![0-9a-f])", "_id", page)
