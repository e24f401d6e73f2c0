"""Street networks from line files (GeoJSON, GeoPackage, Shapefile) with ``highway`` tags.

Lines are read with pyogrio, reprojected to EPSG:25832 and noded where they share a
vertex (coordinates rounded to a centimetre), never at mere crossings: a bridge over a
road is no junction. The result is a :class:`geo.speeds.Segments` table, from which
:func:`geo.speeds.network_for_mode` builds each mode's network.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.errors import InputDataError, NetworkBuildError
from geo.netbuild import ROUTING_TAGS, Segments, network_for_mode, node_lines
from geo.network import Network
from geo.settings import CRS_MEASURE, CRS_STORE

#: Rounding of coordinates (EPSG:25832) that decides whether two vertices are one.
NODE_PRECISION_M = 0.01
_LINE_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}
# Shapefile field names are cut at 10 characters.
_SHP_ALIASES = {
    "motor_vehi": "motor_vehicle",
    "oneway:bic": "oneway:bicycle",
    "oneway_bic": "oneway:bicycle",
}


def read_lines(path: str | Path) -> gpd.GeoDataFrame:
    """Read one line file and return its lines in EPSG:25832.

    Parameters
    ----------
    path : str or Path
        A GeoJSON, GeoPackage or Shapefile with a ``highway`` column.

    Returns
    -------
    GeoDataFrame
        EPSG:25832, single-part LineStrings, the :data:`geo.speeds.ROUTING_TAGS`
        as string columns ("" where missing) and ``way_id`` (int64, -1 if unknown).

    Raises
    ------
    NetworkBuildError
        Missing or unreadable file, no ``highway`` column, no or wrong CRS.
    """
    path = Path(path)
    if not path.exists():
        raise NetworkBuildError(
            "line file does not exist.",
            path=path,
            hint="Check the path in the manifest's network.lines.",
        )
    if path.suffix.lower() not in _LINE_SUFFIXES:
        raise NetworkBuildError(
            f"unknown line file type {path.suffix!r}.",
            path=path,
            hint="Use GeoJSON, GeoPackage (.gpkg) or Shapefile (.shp).",
        )
    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several types for broken files
        raise NetworkBuildError(
            f"cannot read the line file ({exc}).",
            path=path,
            hint="Check that it is a valid GeoJSON/GPKG/SHP file.",
        ) from exc
    gdf = gdf.rename(columns={k: v for k, v in _SHP_ALIASES.items() if k in gdf.columns})
    if "highway" not in gdf.columns:
        raise NetworkBuildError(
            "the line file has no 'highway' column.",
            path=path,
            field="highway",
            hint="Export the OSM 'highway' tag as a property/column of every line "
            "(e.g. highway=residential).",
        )
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    gdf = checked_crs(gdf, path).to_crs(CRS_MEASURE)
    gdf = gdf.explode(index_parts=False)
    gdf = gdf[gdf.geom_type == "LineString"]
    out = gpd.GeoDataFrame(
        {c: _text(gdf[c]) if c in gdf.columns else "" for c in ROUTING_TAGS},
        geometry=gdf.geometry.to_numpy(),
        crs=CRS_MEASURE,
        index=gdf.index,
    )
    way = gdf["osm_id"] if "osm_id" in gdf.columns else pd.Series(-1, index=gdf.index)
    out["way_id"] = pd.to_numeric(way, errors="coerce").fillna(-1).astype(np.int64).to_numpy()
    return out


def _text(col: pd.Series) -> np.ndarray:
    return col.astype(object).where(col.notna(), "").astype(str).to_numpy()


def checked_crs(
    gdf: gpd.GeoDataFrame, path: Path, *, error: type[InputDataError] = NetworkBuildError
) -> gpd.GeoDataFrame:
    """``gdf`` with a trustworthy CRS (EPSG:4326 if it had none and looks like degrees).

    GeoJSON is always read as EPSG:4326, so projected coordinates in a GeoJSON without
    a ``crs`` member are caught here by their size. Raises ``error`` (default
    :class:`NetworkBuildError`; the district reader passes :class:`InputDataError`).
    """
    if gdf.empty:
        return gdf if gdf.crs is not None else gdf.set_crs(CRS_STORE)
    minx, miny, maxx, maxy = gdf.total_bounds
    degree_like = minx >= -180.0 and maxx <= 180.0 and miny >= -90.0 and maxy <= 90.0
    if gdf.crs is None:
        if not degree_like:
            raise error(
                "wrong CRS: the file has no CRS and its coordinates look projected "
                f"(bounds {minx:.0f}, {miny:.0f}, {maxx:.0f}, {maxy:.0f}).",
                path=path,
                field="crs",
                hint="Set the CRS in the file (e.g. ogr2ogr -a_srs EPSG:25832) "
                "or export it as EPSG:4326.",
            )
        return gdf.set_crs(CRS_STORE)
    if not gdf.crs.is_geographic and degree_like:
        raise error(
            f"wrong CRS: the file claims {gdf.crs.to_string()} (metres) but its coordinates "
            f"look like degrees (bounds {minx:.3f}, {miny:.3f}, {maxx:.3f}, {maxy:.3f}).",
            path=path,
            field="crs",
            hint="Set the file's CRS to EPSG:4326.",
        )
    if gdf.crs.is_geographic and not degree_like:
        raise error(
            f"wrong CRS: the file claims {gdf.crs.to_string()} (degrees) but its coordinates "
            f"look projected (bounds {minx:.0f}, {miny:.0f}, {maxx:.0f}, {maxy:.0f}).",
            path=path,
            field="crs",
            hint="Set the file's real CRS (e.g. EPSG:25832) instead of EPSG:4326.",
        )
    return gdf


def segments_from_lines(paths: Sequence[str | Path]) -> Segments:
    """Read line files, combine them and node them into a segment table.

    Parameters
    ----------
    paths : sequence of str or Path
        Line files (GeoJSON/GPKG/SHP) with ``highway`` tags; Wolfsburg combines
        ``roads.geojson`` and ``footways.geojson``.

    Returns
    -------
    Segments
        EPSG:25832; ``stats`` counts lines per file and whether any one-way tags exist.
    """
    if not paths:
        raise NetworkBuildError(
            "no line files given.",
            field="network.lines",
            hint="Name at least one line file in the manifest.",
        )
    frames = [read_lines(p) for p in paths]
    lines = pd.concat(frames, ignore_index=True)
    coords, offsets = _ragged(lines.geometry.to_numpy())
    keys = _coord_keys(coords)
    tags = pd.DataFrame(lines.drop(columns="geometry"))
    stats = {
        "source": "lines",
        "files": [Path(p).name for p in paths],
        "lines_read": len(lines),
        "oneway_tagged": int((tags["oneway"] != "").sum() + (tags["junction"] != "").sum()),
    }
    if stats["oneway_tagged"] == 0:
        stats["oneway_note"] = (
            "no oneway/junction tags in the line files: drive is two-way except motorways"
        )
    return node_lines(keys, coords, offsets, tags, stats=stats)


def _ragged(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(geoms) == 0:
        return np.zeros((0, 2)), np.zeros(1, np.int64)
    _, coords, (offsets,) = shapely.to_ragged_array(geoms)
    return np.asarray(coords[:, :2], np.float64), np.asarray(offsets, np.int64)


def _coord_keys(coords: np.ndarray) -> np.ndarray:
    if coords.shape[0] == 0:
        return np.zeros(0, np.int64)
    q = np.round(coords / NODE_PRECISION_M).astype(np.int64)
    q -= q.min(axis=0)
    span = int(q[:, 1].max()) + 1
    return q[:, 0] * span + q[:, 1]


def network_from_lines(
    paths: Sequence[str | Path],
    *,
    mode: str,
    walk_kmh: float = 4.5,
    bike_kmh: float = 15.0,
    drive_default_kmh: float = 50.0,
) -> Network:
    """One mode's network straight from line files.

    Convenience for :func:`segments_from_lines` + :func:`geo.speeds.network_for_mode`;
    the region build reads the files once and builds all modes from one segment table.

    Returns
    -------
    Network
        EPSG:25832.
    """
    seg = segments_from_lines(paths)
    net = network_for_mode(
        seg,
        mode=mode,
        walk_kmh=walk_kmh,
        bike_kmh=bike_kmh,
        drive_default_kmh=drive_default_kmh,
    )
    net.stats.update({f"reader_{k}": v for k, v in seg.stats.items()})
    return net
