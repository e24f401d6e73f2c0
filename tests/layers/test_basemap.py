"""Offline basemap: simplified, cache-keyed static GeoJSON and its Leaflet layer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.streetclass import STREET_CLASSES, street_class
from layers.basemap import (
    basemap_filename,
    basemap_geojson,
    basemap_layer,
    write_basemap,
)
from tests.layers.helpers import render


@pytest.mark.parametrize("region_name", ["wolfsburg", "lauf"])
def test_build_and_basemap_class_streets_alike(request, region_name: str) -> None:
    """The streets the build stored and the basemap's classes of the segments agree."""
    from layers.basemap import _segments_as_streets

    region = request.getfixturevalue(region_name)
    stored = region.basemap["streets"]
    segments = _segments_as_streets(region)
    assert set(segments["cls"]) <= set(stored["cls"]) <= set(STREET_CLASSES)
    # every walk segment has a class (none is silently dropped)
    walk = region.networks["walk"]
    assert all(street_class(h) is not None for h in walk.seg_highway)


def test_write_basemap_once_per_key(mini_region, tmp_path: Path) -> None:
    url = write_basemap(mini_region, static_dir=tmp_path)
    assert url == "/app/static/basemap/wolfsburg-test-key.json"
    target = tmp_path / "basemap" / "wolfsburg-test-key.json"
    first = target.stat().st_mtime_ns
    assert write_basemap(mini_region, static_dir=tmp_path) == url
    assert target.stat().st_mtime_ns == first  # reused, not rewritten
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temp files left
    assert target.stat().st_mode & 0o044 == 0o044  # readable by the web server


def test_write_basemap_into_a_work_folder(mini_region, tmp_path: Path) -> None:
    folder = tmp_path / "work" / "basemap"
    url = write_basemap(mini_region, folder=folder, url_prefix="/component/files/")
    assert url == "/component/files/wolfsburg-test-key.json"
    assert [p.name for p in folder.iterdir()] == ["wolfsburg-test-key.json"]
    assert not (tmp_path / "basemap").exists()


def test_basemap_content(mini_region, streets) -> None:
    fc = basemap_geojson(mini_region)
    kinds = {(f["properties"]["k"], f["properties"]["c"]) for f in fc["features"]}
    present = set(streets["cls"])
    assert {("street", c) for c in present} <= kinds
    assert {c for k, c in kinds if k == "street"} <= set(STREET_CLASSES)
    labels = [f["properties"]["n"] for f in fc["features"] if f["properties"]["k"] == "label"]
    assert "Wolfsburg" in labels
    assert set(mini_region.districts["name"]) <= set(labels)
    # Coordinates rounded to 5 decimals (~1 m) keep the file small.
    text = json.dumps(fc)
    assert len(text) < 0.5 * len(streets.to_json())
    coords = fc["features"][0]["geometry"]["coordinates"]
    flat = json.dumps(coords).replace("[", "").replace("]", "").split(",")
    assert all(len(v.strip().split(".")[-1]) <= 5 for v in flat if "." in v)


def test_labels_are_not_doubled(mini_region) -> None:
    import geopandas as gpd
    import shapely

    d = mini_region.districts
    labels = gpd.GeoDataFrame(
        {"name": list(d["name"]), "cls": ["district"] * len(d)},
        geometry=[shapely.Point(10.78, 52.42)] * len(d),
        crs="EPSG:4326",
    )
    region = type(mini_region)(
        **{**mini_region.__dict__, "basemap": {**mini_region.basemap, "labels": labels}}
    )
    fc = basemap_geojson(region)
    names = [f["properties"]["n"] for f in fc["features"] if f["properties"]["k"] == "label"]
    assert len(names) == len(set(names)) == len(d)


def test_new_build_gets_a_new_file(mini_region) -> None:
    other = type(mini_region)(**{**mini_region.__dict__, "info": {"cache_key": "other"}})
    assert basemap_filename(other) != basemap_filename(mini_region)
    nokey = type(mini_region)(**{**mini_region.__dict__, "info": {}})
    assert basemap_filename(nokey).startswith("wolfsburg-")
    assert basemap_filename(nokey) == basemap_filename(nokey)


@pytest.mark.parametrize(("lang", "name"), [("de", "Grundkarte"), ("en", "Base map")])
def test_basemap_layer_name(lang: str, name: str) -> None:
    assert basemap_layer("/x.json", lang=lang).layer_name == name


def test_basemap_layer_name_is_escaped_for_the_layer_control() -> None:
    # Leaflet shows the name as HTML; folium reads the control script as Jinja again
    layer = basemap_layer("/x.json", name="<b>Karte</b> {{ 7 * 7 }}")
    assert layer.layer_name == "&lt;b&gt;Karte&lt;/b&gt; &#123;&#123; 7 * 7 &#125;&#125;"


def test_basemap_layer_fetches_the_static_file() -> None:
    page = render(basemap_layer("/app/static/basemap/wolfsburg-x.json"))
    assert '"/app/static/basemap/wolfsburg-x.json"' in page
    assert 'src="/app/static/vendor/blk/basemap.js"' in page
    assert "window.BLK.basemap(" in page
