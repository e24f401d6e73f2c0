"""Drawn isochrone bands: simplified per zoom, yet within a pixel of the exact bands."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Transformer

from geo.settings import CRS_MEASURE, CRS_STORE
from layers.isochrones import (
    PRECISION_DEG,
    SIMPLIFY_M,
    band_features,
    band_tooltip,
    draw_geometry,
    draw_tolerance_m,
    isochrone_layer,
)
from tests.layers.helpers import CENTRE_LONLAT, feature_collection, render

RADII_M = (1500.0, 3000.0, 6000.0)


@pytest.fixture(scope="module")
def cell_bands(cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Nested staircase bands from the real 100 m cells (holes where nobody lives), EPSG:4326."""
    to_m = Transformer.from_crs(CRS_STORE, CRS_MEASURE, always_xy=True)
    cx, cy = to_m.transform(*CENTRE_LONLAT)
    dist = np.hypot(cells["x"] - cx, cells["y"] - cy)
    geoms, pops = [], []
    for radius in RADII_M:
        inside = cells[dist <= radius]
        boxes = shapely.box(inside["x"] - 50, inside["y"] - 50, inside["x"] + 50, inside["y"] + 50)
        geoms.append(shapely.union_all(boxes))
        pops.append(float(inside["pop_total"].sum()))
    frame = gpd.GeoDataFrame(
        {
            "minutes": [5.0, 10.0, 15.0],
            "area_km2": [g.area / 1e6 for g in geoms],
            "pop_total": pops,
        },
        geometry=geoms,
        crs=CRS_MEASURE,
    )
    return frame.to_crs(CRS_STORE)


def _features(page: str) -> list[dict]:
    return feature_collection(page)["features"]


@pytest.mark.parametrize("zoom", [None, 11, 13, 15])
def test_drawn_bands_stay_within_tolerance(cell_bands: gpd.GeoDataFrame, zoom: int | None) -> None:
    lat = CENTRE_LONLAT[1]
    tolerance_m = draw_tolerance_m(zoom, lat=lat)
    drawn = draw_geometry(cell_bands, tolerance_m=tolerance_m)
    assert drawn.index.equals(cell_bands.index) and drawn.crs.to_epsg() == 4326
    slack_m = tolerance_m + 2.0  # rounding to 1e-5 degrees moves a vertex by about 1 m
    exact_m = cell_bands.geometry.to_crs(CRS_MEASURE)
    for exact, shown in zip(exact_m, drawn.to_crs(CRS_MEASURE), strict=True):
        shown = shapely.make_valid(shown)
        assert shown.within(exact.buffer(slack_m))
        assert exact.buffer(-slack_m).within(shown)
        assert abs(shown.area - exact.area) / exact.area < 0.1


def test_coarser_zoom_draws_fewer_vertices(cell_bands: gpd.GeoDataFrame) -> None:
    lat = CENTRE_LONLAT[1]
    counts = [
        int(
            shapely.get_num_coordinates(
                draw_geometry(cell_bands, tolerance_m=draw_tolerance_m(z, lat=lat))
            ).sum()
        )
        for z in (15, 11, 9)
    ]
    exact = int(shapely.get_num_coordinates(cell_bands.geometry).sum())
    assert exact > counts[0] >= counts[1] > counts[2]


def test_layer_keeps_exact_area_and_population(cell_bands: gpd.GeoDataFrame) -> None:
    before = cell_bands.copy()
    features = _features(render(isochrone_layer(cell_bands, lang="de", zoom=11)))
    assert cell_bands.equals(before)  # the input is not simplified in place
    by_minutes = {f["properties"]["minutes"]: f for f in features}
    for _, row in cell_bands.iterrows():
        tip = band_tooltip(row["minutes"], row["area_km2"], row["pop_total"], lang="de")
        assert by_minutes[row["minutes"]]["properties"]["tip"] == tip
    coords = np.concatenate(
        [shapely.get_coordinates(shapely.geometry.shape(f["geometry"])) for f in features]
    )
    assert np.allclose(coords, np.round(coords, 5), rtol=0, atol=PRECISION_DEG / 100)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_kept_features_draw_the_same_layer(cell_bands: gpd.GeoDataFrame, lang: str) -> None:
    features = band_features(cell_bands, lang=lang, zoom=12)
    assert [f["properties"]["minutes"] for f in features] == sorted(
        cell_bands["minutes"], reverse=True
    )
    direct = _features(render(isochrone_layer(cell_bands, lang=lang, zoom=12)))
    kept = _features(render(isochrone_layer(None, lang=lang, features=features)))
    assert kept == direct == json.loads(json.dumps(features))


def test_layer_needs_bands_or_features() -> None:
    with pytest.raises(ValueError, match="needs bands or their features"):
        isochrone_layer(None, lang="de")


@given(zoom=st.integers(min_value=0, max_value=19), lat=st.floats(min_value=-80, max_value=80))
def test_draw_tolerance_is_half_a_pixel_with_a_floor(zoom: int, lat: float) -> None:
    tolerance_m = draw_tolerance_m(zoom, lat=lat)
    pixel_m = 156543.03392 * np.cos(np.radians(lat)) / 2**zoom
    assert tolerance_m == pytest.approx(max(SIMPLIFY_M, pixel_m / 2))
    assert draw_tolerance_m(zoom + 1, lat=lat) <= tolerance_m
    assert draw_tolerance_m(None, lat=lat) == SIMPLIFY_M
