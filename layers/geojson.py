"""A GeoJSON layer styled from its features' properties, embedded as one JSON literal.

folium's ``GeoJson`` applies Python style functions to every feature, builds a style
map, and re-serialises the data through Jinja; on a drive isochrone with thousands of
holes that costs more than computing the isochrone. This element serialises the
features once (:func:`layers.text.js_json`) and lets Leaflet style each feature from
its properties in the browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import branca
import folium

from layers.plainscript import PlainScript
from layers.text import js_json


class FeatureLayer(PlainScript, folium.MacroElement):
    """``L.geoJson`` of ``features`` with a base style, per-feature style and tooltips.

    Parameters
    ----------
    features : sequence of dict
        GeoJSON features in EPSG:4326. ``properties["tip"]``, when present, is bound
        as the tooltip and must already be escaped HTML (:func:`layers.text.esc`).
    style : mapping
        Leaflet path options shared by all features (``weight``, ``fillOpacity`` …).
    style_from : mapping
        Path option -> property name whose value sets it per feature, e.g.
        ``{"fillColor": "color"}``.
    hover : mapping
        Path options while the pointer is over a feature (reset on leave).
    sticky : bool
        Tooltip follows the pointer.
    """

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var base = {{ this.style_json }}, from = {{ this.style_from_json }};
                var hover = {{ this.hover_json }};
                var features = {{ this.data_json }};
                var layer = L.geoJson(features, {
                    style: function (f) {
                        var s = Object.assign({}, base);
                        for (var k in from) { s[k] = f.properties[from[k]]; }
                        return s;
                    },
                    onEachFeature: function (f, l) {
                        if (f.properties.tip) {
                            l.bindTooltip(f.properties.tip, { sticky: {{ this.sticky_js }} });
                        }
                        l.on("mouseover", function () { l.setStyle(hover); });
                        l.on("mouseout", function () { layer.resetStyle(l); });
                    }
                });
                return layer.addTo({{ this._parent.get_name() }});
            })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        features: Sequence[Mapping[str, Any]],
        *,
        style: Mapping[str, Any],
        style_from: Mapping[str, str] | None = None,
        hover: Mapping[str, Any] | None = None,
        sticky: bool = False,
    ) -> None:
        super().__init__()
        self._name = "FeatureLayer"
        self.data = {"type": "FeatureCollection", "features": list(features)}
        try:
            self.data_json = js_json(self.data)
        except ValueError as exc:
            raise ValueError(f"{_first_bad_feature(self.data['features'])}: {exc}") from exc
        self.style_json = js_json(dict(style))
        self.style_from_json = js_json(dict(style_from or {}))
        self.hover_json = js_json(dict(hover or {}))
        self.sticky_js = "true" if sticky else "false"


def _first_bad_feature(features: Sequence[Mapping[str, Any]]) -> str:
    """Which feature (by position) and property JSON cannot encode (NaN, inf)."""
    for i, feature in enumerate(features):
        for key, value in (feature.get("properties") or {}).items():
            try:
                js_json(value)
            except ValueError:
                return f"feature {i}, property {key!r} is {value!r} (use None for no value)"
        try:
            js_json(feature.get("geometry"))
        except ValueError:
            return f"feature {i} has coordinates that are not finite"
    return "a feature cannot be encoded"
