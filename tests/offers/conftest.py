"""Fixtures for the offers tests: real POIs read the way ``Region.pois`` holds them."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import osmium
import pandas as pd
import pytest
import shapely

from geo.settings import CRS_STORE, Paths, get_paths

CORPUS = Path(__file__).parent / "corpus"


def _pois_from_geojson(path: Path) -> gpd.GeoDataFrame:
    """Wolfsburg facilities: every OSM tag is a property; ``_type``/``_id`` name the object."""
    raw = gpd.read_file(path)
    tag_cols = [c for c in raw.columns if c not in ("_id", "_type", "geometry")]
    tags = [
        {k: str(v) for k, v in row.items() if v is not None and not pd.isna(v)}
        for row in raw[tag_cols].to_dict("records")
    ]
    return gpd.GeoDataFrame(
        {
            "osm_type": raw["_type"].astype(str),
            "osm_id": raw["_id"].astype("int64"),
            "name": [t.get("name", "") for t in tags],
            "tags": tags,
        },
        geometry=raw.geometry.values,
        crs=CRS_STORE,
    )


def _pois_from_pbf(path: Path) -> gpd.GeoDataFrame:
    """Tagged nodes and ways of a PBF (ways as the centroid of their known nodes)."""
    rows = []
    fp = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(
            osmium.filter.KeyFilter("amenity", "office", "community_centre", "counselling")
        )
    )
    for obj in fp:
        if obj.is_node():
            geom = shapely.Point(obj.location.lon, obj.location.lat)
        elif obj.is_way():
            pts = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            if not pts:
                continue
            geom = shapely.MultiPoint(pts).centroid
        else:
            continue
        tags = dict(obj.tags)
        rows.append(
            (
                obj.type_str().replace("n", "node").replace("w", "way"),
                obj.id,
                tags.get("name", ""),
                tags,
                geom,
            )
        )
    return gpd.GeoDataFrame(
        rows, columns=["osm_type", "osm_id", "name", "tags", "geometry"], crs=CRS_STORE
    )


@pytest.fixture(scope="session")
def real_paths() -> Paths:
    p = get_paths()
    if not p.data_root.exists():
        pytest.fail(f"real data missing: {p.data_root} (set BLK_DATA_ROOT)")
    return p


@pytest.fixture(scope="session")
def wolfsburg_pois(real_paths: Paths) -> gpd.GeoDataFrame:
    return _pois_from_geojson(real_paths.data_root / "wolfsburg" / "facilities.geojson")


@pytest.fixture(scope="session")
def lauf_pois(real_paths: Paths) -> gpd.GeoDataFrame:
    return _pois_from_pbf(real_paths.data_root / "lauf" / "lauf-an-der-pegnitz-2020-01-15.osm.pbf")


@pytest.fixture()
def work_paths(tmp_path: Path, real_paths: Paths) -> Paths:
    """Real data root, a fresh working folder."""
    return get_paths(
        data_root=real_paths.data_root,
        work_dir=tmp_path / "work",
        regions_dir=real_paths.regions_dir,
    )


@pytest.fixture(scope="session")
def wolfsburg_area(real_paths: Paths) -> shapely.Geometry:
    """The city outline (union of the Ortsteile), EPSG:4326."""
    return gpd.read_file(real_paths.data_root / "wolfsburg" / "ortsteile.geojson").union_all()


@pytest.fixture()
def store(work_paths: Paths):
    from offers.store import OfferStore

    return OfferStore("wolfsburg", paths=work_paths)
