"""Data that looks like Jinja stays data: no element lets a name run as a template.

branca re-reads every element's rendered script as a Jinja template unless the element
uses :class:`layers.plainscript.PlainScript`; an offer named ``{{ 7*7 }}`` then showed
as ``49``, and worse expressions would run on the server.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from layers.assets import new_map
from layers.cells import gap_layer
from layers.choropleth import district_layer
from layers.geojson import FeatureLayer
from layers.legend import Legend, LegendItem
from layers.offers import offer_layer
from layers.pins import Pin
from layers.text import esc
from layers.whatif import whatif_layer
from tests.layers.helpers import CENTRE_LONLAT, render

LON, LAT = CENTRE_LONLAT
#: Evaluates to 49 and to "X" if read as Jinja; a broken tag would crash the render.
JINJA = "{{ 7*7 }} {% if true %}X{% endif %} {# c #} {% raw"


def _offers() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [JINJA], "category": ["kita"], "provider": [JINJA]},
        geometry=[shapely.Point(LON, LAT)],
        crs="EPSG:4326",
    )


def _districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [JINJA, "Mitte"], "value": [0.5, 0.7]},
        geometry=[
            shapely.box(LON - 0.02, LAT - 0.01, LON, LAT + 0.01),
            shapely.box(LON, LAT - 0.01, LON + 0.02, LAT + 0.01),
        ],
        crs="EPSG:4326",
    )


def _feature_layer() -> folium.Element:
    box = shapely.geometry.mapping(shapely.box(LON, LAT, LON + 0.01, LAT + 0.01))
    feature = {"type": "Feature", "geometry": box, "properties": {"tip": esc(JINJA)}}
    return FeatureLayer([feature], style={})


def _gap_squares() -> folium.Element:
    cells = gpd.GeoDataFrame({"people": [12.0]}, geometry=[shapely.Point(LON, LAT)], crs=4326)
    d = 0.001
    corners = np.array([[[LAT, LON], [LAT, LON + d], [LAT + d, LON + d], [LAT + d, LON]]])
    return gap_layer(cells, value_column="people", label=JINJA, lang="de", corners=corners)


def _whatif() -> folium.Element:
    planned = gpd.GeoDataFrame(
        {"name": [JINJA], "capacity": [40]}, geometry=[shapely.Point(LON, LAT)], crs=4326
    )
    return whatif_layer(planned, _offers()[["name", "geometry"]], lang="de")


ELEMENTS: dict[str, Callable[[], folium.Element]] = {
    "offer pins": lambda: offer_layer(_offers(), lang="de"),
    "pin tooltip": lambda: Pin(LAT, LON, icon="house", tooltip=JINJA),
    "legend": lambda: Legend(JINJA, [LegendItem(JINJA, "#08519c")]),
    "features": _feature_layer,
    "districts": lambda: district_layer(
        _districts(), column="value", label=JINJA, unit="%", lang="de"
    ),
    "gap squares": _gap_squares,
    "what-if pins": _whatif,
    "attribution": lambda: new_map(location=(LAT, LON), tiles=None, attribution=JINJA),
}


@pytest.mark.parametrize("kind", list(ELEMENTS))
def test_jinja_in_data_is_not_evaluated(kind: str) -> None:
    page = render(ELEMENTS[kind]())  # read as Jinja, the open "{% raw" fails the render
    assert "{{ 7*7 }}" in page
    assert "{% if true %}X{% endif %}" in page


def test_layer_control_names_are_not_evaluated() -> None:
    # the names reach folium's LayerControl script, which branca reads as Jinja again
    page = render(offer_layer(_offers(), lang="de", name=JINJA))
    control = page.split("overlays :", 1)[1]
    key = re.search(r'"((?:[^"\\]|\\.)*)"\s*:', control)
    assert key
    # Leaflet shows the name as HTML: it reads as the original text
    assert html.unescape(json.loads(f'"{key.group(1)}"')) == JINJA
