"""Isochrone bands, district choropleth, gap cells, what-if pins and legends."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geo.settings import CRS_MEASURE, CRS_STORE
from layers.cells import cell_corner_json, cell_corners, gap_layer
from layers.choropleth import NO_DATA_COLOR, classify, district_layer, district_shapes
from layers.isochrones import BLUES, band_colors, isochrone_layer
from layers.legend import Legend, LegendItem, legend_html
from layers.whatif import whatif_layer
from tests.layers.helpers import XSS, feature_collection, render, unsafe_lines


def _legends(page: str) -> list[str]:
    return [json.loads(m) for m in re.findall(r"div.innerHTML = (\".*\");", page)]


# ---------------------------------------------------------------- isochrones


@pytest.mark.parametrize("n", [1, 2, 4, 7])
def test_band_colors_darken_with_shorter_time(n: int) -> None:
    colors = band_colors(n)
    assert len(colors) == n
    ranks = [BLUES.index(c) for c in colors]
    assert ranks == sorted(ranks, reverse=True)


def test_isochrone_layer(bands: gpd.GeoDataFrame) -> None:
    page = render(isochrone_layer(bands, lang="de"))
    data = feature_collection(page)
    minutes = [f["properties"]["minutes"] for f in data["features"]]
    assert minutes == [15.0, 10.0, 5.0]  # longest drawn first, shortest on top
    colors = {f["properties"]["minutes"]: f["properties"]["color"] for f in data["features"]}
    assert BLUES.index(colors[5.0]) > BLUES.index(colors[10.0]) > BLUES.index(colors[15.0])
    tip = data["features"][0]["properties"]["tip"]
    assert tip.startswith("bis 15 min · ") and "12.345 Einwohner" in tip
    assert "≤ 5 min" in _legends(page)[0]


def test_isochrone_layer_english_and_checks(bands: gpd.GeoDataFrame) -> None:
    data = feature_collection(render(isochrone_layer(bands, lang="en")))
    assert "12,345 residents" in data["features"][0]["properties"]["tip"]
    with pytest.raises(ValueError, match="minutes"):
        isochrone_layer(bands.drop(columns="minutes"), lang="de")
    with pytest.raises(ValueError, match="EPSG:4326"):
        isochrone_layer(bands.to_crs(CRS_MEASURE), lang="de")


# ---------------------------------------------------------------- choropleth


def _with_area(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = districts.copy()
    out["area_km2"] = out.geometry.to_crs(CRS_MEASURE).area / 1e6
    return out


@pytest.mark.parametrize(
    ("scheme", "k"), [("Quantiles", 5), ("EqualInterval", 4), ("FisherJenks", 3)]
)
def test_district_layer_classes(districts: gpd.GeoDataFrame, scheme: str, k: int) -> None:
    d = _with_area(districts)
    page = render(
        district_layer(
            d, column="area_km2", label="Fläche", unit="km²", lang="de", scheme=scheme, k=k
        )
    )
    data = feature_collection(page)
    assert len(data["features"]) == len(d)
    colors = {f["properties"]["color"] for f in data["features"]}
    assert len(colors) == k
    legend = _legends(page)[0]
    assert legend.count("blk-legend-row") == k
    assert f"{scheme}, k = {k}" in legend
    # German numbers in the tooltip: "Fläche: 12,34 km²"
    assert any(
        re.search(r"Fläche: \d+,\d+\u00a0km²", f["properties"]["tip"]) for f in data["features"]
    )


def test_district_layer_no_data_and_escaping(districts: gpd.GeoDataFrame) -> None:
    d = _with_area(districts)
    d.iloc[0, d.columns.get_loc("area_km2")] = np.nan
    d.iloc[1, d.columns.get_loc("name")] = XSS
    page = render(district_layer(d, column="area_km2", label="Fläche", unit="km²", lang="de"))
    assert "<img src=x" not in page and unsafe_lines(page) == []
    feats = {f["id"]: f["properties"] for f in feature_collection(page)["features"]}
    assert feats[str(d.index[0])]["color"] == NO_DATA_COLOR
    assert "keine Daten" in feats[str(d.index[0])]["tip"]
    assert "&lt;img" in feats[str(d.index[1])]["tip"]
    assert "keine Daten" in _legends(page)[0]


def test_district_layer_share_unit(districts: gpd.GeoDataFrame) -> None:
    d = districts.copy()
    d["share"] = np.random.default_rng(7).random(len(d))
    page = render(district_layer(d, column="share", label="Abdeckung", unit="%", lang="de"))
    assert re.search(r"\d+\u00a0% – \d+\u00a0%", _legends(page)[0])


def test_district_layer_unknown_column(districts: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="no column 'nope'"):
        district_layer(districts, column="nope", label="x", unit="", lang="de")


def test_district_layer_with_precomputed_shapes_draws_the_same(
    districts: gpd.GeoDataFrame,
) -> None:
    d = _with_area(districts)
    kw = {"column": "area_km2", "label": "Fläche", "unit": "km²", "lang": "de"}
    plain = feature_collection(render(district_layer(d, **kw)))
    shapes = district_shapes(d)
    assert set(shapes) == set(d.index)
    assert feature_collection(render(district_layer(d, shapes=shapes, **kw))) == plain
    # a district without an outline is left out, the others keep their colours
    gone = d.index[2]
    fewer = {k: v for k, v in shapes.items() if k != gone}
    drawn = feature_collection(render(district_layer(d, shapes=fewer, **kw)))["features"]
    assert [f["id"] for f in drawn] == [f["id"] for f in plain["features"] if f["id"] != str(gone)]


def test_district_shapes_need_epsg_4326(districts: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="EPSG:4326"):
        district_shapes(districts.to_crs(CRS_MEASURE))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(float("nan"))), min_size=1, max_size=60),
    st.integers(1, 7),
)
def test_classes_bound_every_value(values: list[float], k: int) -> None:
    series = pd.Series(values, index=[f"d{i}" for i in range(len(values))])
    classes = classify(series, k=k)
    assert list(classes.row_class.index) == list(series.index)
    assert len(classes.colors) == len(classes.edges) <= k
    for value, cls in zip(series, classes.row_class, strict=True):
        if np.isnan(value):
            assert cls == -1
            continue
        assert 0 <= cls < len(classes.edges)
        assert value <= classes.edges[cls] + 1e-9 * max(1.0, abs(value))
        if cls > 0:
            assert value > classes.edges[cls - 1] - 1e-9 * max(1.0, abs(value))


# ---------------------------------------------------------------- cells


def test_cell_corners_are_100_m_squares(cells: gpd.GeoDataFrame) -> None:
    sample = cells.sample(200, random_state=3)
    corners = cell_corners(sample)
    to_m = Transformer.from_crs(CRS_STORE, CRS_MEASURE, always_xy=True)
    x, y = to_m.transform(corners[..., 1], corners[..., 0])
    side = np.hypot(np.diff(x, axis=1), np.diff(y, axis=1))
    np.testing.assert_allclose(side, 100.0, atol=0.01)
    np.testing.assert_allclose(x.mean(axis=1), sample["x"], atol=0.01)
    np.testing.assert_allclose(y.mean(axis=1), sample["y"], atol=0.01)
    # without x/y the EPSG:4326 point gives the same squares
    from_points = cell_corners(sample.drop(columns=["x", "y"]))
    np.testing.assert_allclose(from_points, corners, atol=1e-6)


def test_gap_layer_draws_every_cell(cells: gpd.GeoDataFrame) -> None:
    gaps = cells[cells["pop_total"] >= 50].copy()
    gaps["minutes"] = np.random.default_rng(11).uniform(15, 45, len(gaps))
    page = render(gap_layer(gaps, value_column="minutes", label="Gehzeit", unit="min", lang="de"))
    rows = json.loads(re.search(r"^\s*var rows = (.*);$", page, flags=re.M).group(1))
    assert len(rows) == len(gaps) > 500
    assert all(0 <= r[4] < 4 for r in rows)
    assert re.search(r"Gehzeit: \d+\u00a0min<br>[\d.]+ Einwohner", rows[0][5])
    assert "L.canvas" in page


def _rows(page: str) -> list:
    return json.loads(re.search(r"^\s*var rows = (.*);$", page, flags=re.M).group(1))


@pytest.mark.parametrize("pop_column", [None, "pop_total"])
def test_gap_layer_with_precomputed_corners_draws_the_same(
    cells: gpd.GeoDataFrame, pop_column: str | None
) -> None:
    everywhere = cell_corners(cells)
    gaps = cells[cells["pop_total"] >= 30].sample(300, random_state=5).copy()
    gaps["people"] = gaps["pop_total"].round(0)
    kw = {"value_column": "people", "label": "Menschen", "lang": "en", "pop_column": pop_column}
    plain = _rows(render(gap_layer(gaps, **kw)))
    picked = everywhere[cells.index.get_indexer(gaps.index)]
    assert _rows(render(gap_layer(gaps, corners=picked, **kw))) == plain
    with pytest.raises(ValueError, match=r"corners must have shape \(300, 4, 2\)"):
        gap_layer(gaps, corners=picked[:-1], **kw)
    # the same squares encoded once for all cells, then picked
    encoded = cell_corner_json(everywhere)
    chosen = [encoded[i] for i in cells.index.get_indexer(gaps.index)]
    assert _rows(render(gap_layer(gaps, corner_json=chosen, **kw))) == plain
    with pytest.raises(ValueError, match="must have 300 rows, got 299"):
        gap_layer(gaps, corner_json=chosen[:-1], **kw)
    with pytest.raises(ValueError, match="not both"):
        gap_layer(gaps, corners=picked, corner_json=chosen, **kw)


def test_cell_corner_json_marks_cells_without_coordinates(cells: gpd.GeoDataFrame) -> None:
    corners = cell_corners(cells.iloc[:3])
    corners[1, 2, 0] = np.nan
    encoded = cell_corner_json(corners)
    assert encoded[1] is None
    assert json.loads(f"[{encoded[0]}]") == np.round(corners[0], 6).tolist()
    gaps = cells.iloc[:3].assign(people=[5.0, 6.0, 7.0])
    with pytest.raises(ValueError, match="no finite corner coordinates"):
        gap_layer(gaps, value_column="people", lang="de", corner_json=encoded)
    # a cell left undrawn (no value) may lack coordinates
    gaps.loc[gaps.index[1], "people"] = np.nan
    rows = _rows(render(gap_layer(gaps, value_column="people", lang="de", corner_json=encoded)))
    assert len(rows) == 2


def test_gap_layer_text_is_not_read_as_a_template(cells: gpd.GeoDataFrame) -> None:
    gaps = cells[cells["pop_total"] >= 50].copy()
    label = "{{ 7 * 7 }} {% if x %}"
    page = render(gap_layer(gaps, value_column="pop_total", label=label, lang="de"))
    assert _rows(page)[0][5].startswith(label + ": ")


def test_gap_layer_empty_and_missing_column(cells: gpd.GeoDataFrame) -> None:
    group = gap_layer(cells.iloc[:0].assign(v=[]), value_column="v", lang="de")
    assert not group._children
    with pytest.raises(ValueError, match="no column"):
        gap_layer(cells, value_column="nope", lang="de")


# ---------------------------------------------------------------- what-if and legend


def test_whatif_layer(offers: gpd.GeoDataFrame) -> None:
    planned = offers.iloc[[0]].assign(capacity=40)
    page = render(whatif_layer(planned, offers.iloc[[1]], lang="de"))
    assert "<img src=x" not in page and unsafe_lines(page) == []
    assert "Kapazität 40" in page
    assert "fa-plus" in page and "fa-xmark" in page
    legend = _legends(page)[0]
    assert "geplant" in legend and "entfernt" in legend


def test_legend_escapes_and_validates() -> None:
    html = legend_html(XSS, [LegendItem(XSS, "#ff0000")])
    assert "<img" not in html
    with pytest.raises(ValueError, match="not a CSS colour"):
        LegendItem("x", "red;background:url(x)")
    with pytest.raises(ValueError, match="position"):
        Legend("t", [], position="middle")


def test_long_legends_fold() -> None:
    items = [LegendItem(f"Kategorie {i}", "#000000") for i in range(12)]
    assert legend_html("Angebote", items).startswith("<details>")
    assert not legend_html("Angebote", items[:3]).startswith("<details>")
