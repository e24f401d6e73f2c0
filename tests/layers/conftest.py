"""Small real-data fixtures for the layer tests (Wolfsburg files, cut where it helps)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo.settings import CRS_MEASURE, CRS_STORE
from geo.streetclass import street_class
from tests.layers.helpers import CENTRE_LONLAT, CUT, XSS


@pytest.fixture(scope="session")
def wolfsburg_dir(data_root: Path) -> Path:
    return data_root / "wolfsburg"


@pytest.fixture(scope="session")
def offers_all(wolfsburg_dir: Path) -> gpd.GeoDataFrame:
    """Offers mapped from the real facilities file (offers.osm)."""
    from geo.osm import pois_from_geojson
    from offers.osm import offers_from_pois

    return offers_from_pois(pois_from_geojson(wolfsburg_dir / "facilities.geojson"))


@pytest.fixture
def offers(offers_all: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A fresh copy of 60 offers, the first one named with markup."""
    out = offers_all.head(60).copy()
    out.iloc[0, out.columns.get_loc("name")] = XSS
    return out


@pytest.fixture(scope="session")
def districts(wolfsburg_dir: Path) -> gpd.GeoDataFrame:
    d = gpd.read_file(wolfsburg_dir / "ortsteile.geojson")
    d["id"] = d["id"].astype(str)
    return d.set_index("id")[["name", "geometry"]]


@pytest.fixture(scope="session")
def streets(wolfsburg_dir: Path) -> gpd.GeoDataFrame:
    """Roads and footways in the centre cut, with basemap classes."""
    parts = []
    for name in ("roads.geojson", "footways.geojson"):
        gdf = gpd.read_file(wolfsburg_dir / name, bbox=CUT.bounds)
        parts.append(gdf[["highway", "name", "geometry"]])
    lines = pd.concat(parts, ignore_index=True)
    lines["cls"] = lines["highway"].map(street_class)
    lines = lines.dropna(subset=["cls"])
    return gpd.GeoDataFrame(lines[["cls", "name", "geometry"]], crs=CRS_STORE)


def _cell_frame(csv: Path) -> gpd.GeoDataFrame:
    raw = pd.read_csv(csv, sep=";")
    to_ll = Transformer.from_crs("EPSG:3035", CRS_STORE, always_xy=True)
    to_m = Transformer.from_crs("EPSG:3035", CRS_MEASURE, always_xy=True)
    lon, lat = to_ll.transform(raw["x_mp_100m"].to_numpy(), raw["y_mp_100m"].to_numpy())
    x, y = to_m.transform(raw["x_mp_100m"].to_numpy(), raw["y_mp_100m"].to_numpy())
    frame = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "cell_size_m": 100.0,
            "pop_total": raw["Einwohner"].astype(float).to_numpy(),
        },
        index=pd.Index(raw["GITTER_ID_100m"], name="cell_id"),
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs=CRS_STORE)


@pytest.fixture(scope="session")
def cells(wolfsburg_dir: Path) -> gpd.GeoDataFrame:
    """The real 100 m census cells of Wolfsburg (EPSG:4326 centres, x/y in EPSG:25832)."""
    return _cell_frame(wolfsburg_dir / "zensus2011_100m_alter.csv")


@pytest.fixture(scope="session")
def bands() -> gpd.GeoDataFrame:
    """Nested catchment discs around the centre, like geo.access.isochrones output."""
    to_m = Transformer.from_crs(CRS_STORE, CRS_MEASURE, always_xy=True)
    x, y = to_m.transform(*CENTRE_LONLAT)
    minutes = [5, 10, 15]
    geoms = [shapely.Point(x, y).buffer(m * 75.0) for m in minutes]
    gdf = gpd.GeoDataFrame(
        {
            "minutes": minutes,
            "area_km2": [g.area / 1e6 for g in geoms],
            "pop_total": [1234.0, 5678.0, 12345.0],
        },
        geometry=geoms,
        crs=CRS_MEASURE,
    )
    return gdf.to_crs(CRS_STORE)


@pytest.fixture
def mini_region(districts, streets, paths):
    """A Region made by hand from real files: manifest, districts, basemap streets."""
    from geo.manifest import load_manifest
    from geo.region import Region

    empty = gpd.GeoDataFrame({"cls": []}, geometry=[], crs=CRS_STORE)
    labels = gpd.GeoDataFrame(
        {"name": ["Wolfsburg"], "cls": ["city"]},
        geometry=[shapely.Point(*CENTRE_LONLAT)],
        crs=CRS_STORE,
    )
    return Region(
        manifest=load_manifest("wolfsburg", paths=paths),
        networks={},
        cells=gpd.GeoDataFrame(geometry=[], crs=CRS_STORE),
        districts=districts,
        pois=gpd.GeoDataFrame(geometry=[], crs=CRS_STORE),
        addresses=pd.DataFrame(),
        boundary=shapely.union_all(districts.geometry.values),
        basemap={"streets": streets, "areas": empty, "labels": labels},
        info={"cache_key": "test-key"},
    )
