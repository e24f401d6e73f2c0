"""The properties-styled GeoJSON element used by isochrones and choropleths."""

from __future__ import annotations

import json
import re

import pytest
import shapely

from layers.geojson import FeatureLayer
from layers.text import esc
from tests.layers.helpers import XSS, feature_collection, render, unsafe_lines


def _feature(i: int, tip: str) -> dict:
    box = shapely.box(10.78 + i * 0.001, 52.42, 10.781 + i * 0.001, 52.421)
    return {
        "type": "Feature",
        "geometry": shapely.geometry.mapping(box),
        "properties": {"color": "#08519c", "tip": tip, "n": i},
    }


@pytest.mark.parametrize("n", [0, 1, 3])
def test_features_round_trip(n: int) -> None:
    features = [_feature(i, f"Band {i}") for i in range(n)]
    page = render(FeatureLayer(features, style={"weight": 1}, style_from={"fillColor": "color"}))
    data = feature_collection(page)
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["n"] for f in data["features"]] == list(range(n))


def test_style_options_reach_the_script() -> None:
    layer = FeatureLayer(
        [_feature(0, "x")],
        style={"weight": 1.5, "fillOpacity": 0.28},
        style_from={"color": "color", "fillColor": "color"},
        hover={"weight": 3},
        sticky=True,
    )
    page = render(layer)
    assert re.search(r'var base = \{"weight":1\.5,"fillOpacity":0\.28\}', page)
    assert 'from = {"color":"color","fillColor":"color"}' in page
    assert 'var hover = {"weight":3}' in page
    assert "sticky: true" in page


def test_escaped_tooltips_stay_inert_json() -> None:
    page = render(FeatureLayer([_feature(0, esc(XSS))], style={}))
    assert unsafe_lines(page) == []
    # no "</script>" from data can end the script block early
    script = page.split("var features = ", 1)[1].split("\n", 1)[0]
    assert "</script>" not in script and "<img" not in script
    assert json.loads(script.rstrip(";"))["features"][0]["properties"]["tip"] == esc(XSS)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_nan_is_refused(value: float) -> None:
    feature = _feature(0, "x")
    feature["properties"]["value"] = value
    named = r"feature 1, property 'value' is (nan|inf) .*JSON compliant"
    with pytest.raises(ValueError, match=named):
        FeatureLayer([_feature(0, "ok"), feature], style={})


def test_non_finite_coordinates_are_refused() -> None:
    feature = _feature(0, "x")
    feature["geometry"] = {"type": "Point", "coordinates": [float("nan"), 52.4]}
    with pytest.raises(ValueError, match="feature 0 has coordinates that are not finite"):
        FeatureLayer([feature], style={})
