"""Districts: reading them, tagging cells with them, and population per district.

Districts come from polygon files (GeoJSON, GPKG, SHP) or OSM boundary relations; cell
population is aggregated to them by the area share of each census square.

CRS: districts are stored in EPSG:4326; areas are measured in EPSG:25832 and census
square shares in EPSG:3035 (where the cells are exact squares).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.agegroups import POP_COLUMNS
from geo.census import CRS_CENSUS, cell_squares
from geo.errors import InputDataError
from geo.settings import CRS_MEASURE, CRS_STORE

_DISTRICT_COLUMNS = ["name", "geometry"]


def _empty_districts() -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(
        {"name": pd.Series(dtype=object)},
        geometry=gpd.GeoSeries([], crs=CRS_STORE),
        crs=CRS_STORE,
    )
    out.index = pd.Index([], dtype=object, name="district_id")
    return out


def _polygonal(geom: Any) -> Any:
    """The polygonal part of a (repaired) geometry, or None when it has none."""
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        return geom
    if isinstance(geom, shapely.GeometryCollection):
        polys = [g for g in geom.geoms if isinstance(g, shapely.Polygon | shapely.MultiPolygon)]
        if polys:
            return shapely.union_all(polys)
    return None


#: Germany with a margin, EPSG:4326 (lon_min, lat_min, lon_max, lat_max): districts
#: outside it are a swapped axis order or a wrong CRS, not a German municipality.
GERMANY_BBOX: tuple[float, float, float, float] = (5.0, 46.5, 16.0, 55.5)
#: Two districts may share this share of the smaller one's area (digitising slivers);
#: more means people would be counted in both.
MAX_OVERLAP_SHARE = 0.01


def _safe_name(value: object) -> str:
    """A column name for a message, or its position-free stand-in (never file content)."""
    text = str(value)
    return (
        repr(text)
        if len(text) <= 40 and text.replace(" ", "").replace("_", "").isalnum()
        else "(a column with an unusual name)"
    )


def districts_from_file(
    path: Path, *, name_column: str, key_column: str | None
) -> gpd.GeoDataFrame:
    """Read district polygons from a vector file (GeoJSON, GeoPackage, Shapefile …).

    Invalid polygons are repaired with ``make_valid`` and named in
    ``attrs["repaired"]``; rows sharing a key are merged into one multipolygon. A file
    without CRS is taken as EPSG:4326 when its coordinates look like degrees; a
    GeoJSON (always read as EPSG:4326) with projected coordinates is refused, as in
    the street reader (:func:`geo.lines.checked_crs`).

    Parameters
    ----------
    path : Path
        The polygon file.
    name_column : str
        Column with the district name (shown in the app).
    key_column : str or None
        Column with a stable key; None uses the name (which must then be unique).

    Returns
    -------
    GeoDataFrame
        EPSG:4326 polygons, index ``district_id`` (str), column ``name``.
        ``attrs["repaired"]`` lists the names of repaired polygons and
        ``attrs["dropped"]`` counts dropped rows (always 0 now: a row without a
        polygon is an error).

    Raises
    ------
    InputDataError
        Missing or unreadable file, a missing column, no or a wrong CRS, rows without
        a polygon (points, null or non-finite geometry), districts outside Germany
        (lon/lat swapped), overlapping districts, an empty key or one key used for
        different names.
    """
    from geo.lines import checked_crs

    path = Path(path)
    if not path.exists():
        raise InputDataError(
            "district file not found", path=path, hint="check districts.file in the manifest"
        )
    if path.is_dir():
        raise InputDataError(
            "the district path is a folder, not a file",
            path=path,
            hint="name the GeoJSON/GeoPackage/Shapefile inside it in districts.file",
        )
    try:
        raw = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises many types for broken files
        raise InputDataError(
            f"cannot read the district file ({type(exc).__name__})",
            path=path,
            hint="use a GeoJSON, GeoPackage or Shapefile with polygons",
        ) from exc
    available = [_safe_name(c) for c in raw.columns if c != raw.geometry.name]
    for field_name, col in (
        ("districts.name_column", name_column),
        ("districts.key_column", key_column),
    ):
        if col is not None and col not in raw.columns:
            raise InputDataError(
                f"column {col!r} not found; available columns: {', '.join(available)}",
                path=path,
                field=col,
                hint=f"set {field_name} in the manifest to one of them",
            )
    if raw.empty:
        raise InputDataError(
            "the district file holds no features",
            path=path,
            hint="export the district polygons again, or remove districts.file",
        )
    names = raw[name_column].astype(object).where(raw[name_column].notna(), "")
    names = names.map(lambda v: str(v).strip())
    geoms_in = raw.geometry.to_numpy()
    missing = np.array([g is None or g.is_empty for g in geoms_in])
    nonfinite = np.array(
        [
            not m and not np.isfinite(shapely.get_coordinates(g)).all()
            for g, m in zip(geoms_in, missing, strict=True)
        ]
    )
    kinds = pd.Series([None if m else g.geom_type for g, m in zip(geoms_in, missing, strict=True)])
    polygonal = kinds.isin(["Polygon", "MultiPolygon", "GeometryCollection"]).to_numpy()
    bad = missing | nonfinite | ~polygonal
    if bad.any():
        rows = np.flatnonzero(bad)
        what = (
            "no polygon in the file: every feature is a " + "/".join(sorted(set(kinds.dropna())))
            if (~polygonal | missing).all() and not missing.all()
            else f"{len(rows)} of {len(raw)} features have no usable polygon "
            f"({int(missing.sum())} without geometry, {int(nonfinite.sum())} with NaN or "
            f"infinite coordinates, {int((~polygonal & ~missing).sum())} points or lines)"
        )
        raise InputDataError(
            f"{what}; first: row {rows[0] + 1} ({names.iloc[rows[0]] or 'no name'})",
            path=path,
            row=int(rows[0]) + 1,
            hint="districts must be polygons with valid coordinates: fix or remove these rows",
        )
    gdf = checked_crs(raw, path, error=InputDataError).to_crs(CRS_STORE)
    _check_in_germany(gdf, path)
    key_src = gdf[key_column] if key_column is not None else names
    keys = key_src.map(_key_text)
    for i, k in enumerate(keys):
        if not k:
            raise InputDataError(
                "empty district key",
                path=path,
                row=i + 1,
                field=key_column or name_column,
                hint="give every district a key (or choose another key column)",
            )
    names = names.where(names != "", keys)
    invalid = ~gdf.geometry.is_valid.to_numpy()
    geoms = [_polygonal(g) for g in gdf.geometry]
    empty_after = np.array([g is None for g in geoms])
    if empty_after.any():
        row = int(np.flatnonzero(empty_after)[0])
        raise InputDataError(
            "a district polygon is empty after repairing it (zero area)",
            path=path,
            row=row + 1,
            hint="redraw the polygon of this district",
        )
    frame = pd.DataFrame({"district_id": keys, "name": names, "geometry": geoms})
    merged = []
    for key, grp in frame.groupby("district_id", sort=False):
        if grp["name"].nunique() > 1:
            row = int(grp.index[1]) + 1
            raise InputDataError(
                f"key {key!r} is used for different names {sorted(grp['name'].unique())}",
                path=path,
                row=row,
                field=key_column or name_column,
                hint="make the key column unique per district",
            )
        geom = grp["geometry"].iloc[0] if len(grp) == 1 else shapely.union_all(grp["geometry"])
        merged.append((key, grp["name"].iloc[0], geom))
    out = gpd.GeoDataFrame(
        {"name": [m[1] for m in merged]},
        index=pd.Index([m[0] for m in merged], name="district_id", dtype=object),
        geometry=[m[2] for m in merged],
        crs=CRS_STORE,
    )
    _check_no_overlaps(out, path)
    out.attrs["dropped"] = {"non_polygon_rows": 0}
    out.attrs["repaired"] = {
        "invalid_polygons": int(invalid.sum()),
        "names": sorted(names[invalid].astype(str)),
        "method": "shapely.make_valid",
    }
    return out


def _check_in_germany(gdf: gpd.GeoDataFrame, path: Path) -> None:
    minx, miny, maxx, maxy = gdf.total_bounds
    lo_x, lo_y, hi_x, hi_y = GERMANY_BBOX
    if lo_x <= minx and maxx <= hi_x and lo_y <= miny and maxy <= hi_y:
        return
    swapped = lo_x <= miny and maxy <= hi_x and lo_y <= minx and maxx <= hi_y
    raise InputDataError(
        f"the districts lie outside Germany (lon {minx:.2f}–{maxx:.2f}, "
        f"lat {miny:.2f}–{maxy:.2f})"
        + ("; with the axes swapped they would fit" if swapped else ""),
        path=path,
        field="geometry",
        hint=(
            "the file has longitude and latitude swapped: write coordinates as [lon, lat]"
            if swapped
            else "check the file's CRS; GeoJSON must be EPSG:4326 (lon, lat)"
        ),
    )


def _check_no_overlaps(districts: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse districts that overlap: their people would be counted twice."""
    polys = districts.to_crs(CRS_MEASURE).geometry.to_numpy()
    a, b = shapely.STRtree(polys).query(polys, predicate="intersects")
    pairs = a < b
    a, b = a[pairs], b[pairs]
    if not len(a):
        return
    shared = shapely.area(shapely.intersection(polys[a], polys[b]))
    smaller = np.minimum(shapely.area(polys[a]), shapely.area(polys[b]))
    share = shared / np.where(smaller > 0, smaller, 1.0)
    worst = int(np.argmax(share))
    if share[worst] > MAX_OVERLAP_SHARE:
        names = districts["name"].to_numpy()
        raise InputDataError(
            f"districts {names[a[worst]]!r} and {names[b[worst]]!r} overlap "
            f"({share[worst]:.0%} of the smaller one, {shared[worst] / 1e6:.2f} km²); "
            f"{int((share > MAX_OVERLAP_SHARE).sum())} pair(s) overlap in all",
            path=path,
            field="geometry",
            hint="people there would be counted twice: remove the copied polygon or fix "
            "the shared borders",
        )


def _key_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # keys read as float (1.0) stay "1"
    return str(value).strip()


def districts_from_osm(osm_path: Path, *, admin_levels: Sequence[int]) -> gpd.GeoDataFrame:
    """Districts from OSM ``boundary=administrative`` areas with the given levels.

    Uses pyosmium's area assembly (closed ways and multipolygon/boundary relations);
    boundaries that cannot be assembled because the extract cuts them are skipped and
    counted in ``attrs["dropped"]``.

    Parameters
    ----------
    osm_path : Path
        ``.osm.pbf``, ``.osm``, ``.osm.gz`` or ``.osm.bz2``.
    admin_levels : sequence of int
        e.g. ``(9, 10)`` for Stadtbezirke and Stadtteile.

    Returns
    -------
    GeoDataFrame
        EPSG:4326 polygons, index ``district_id`` (``r<relation id>`` or
        ``w<way id>``), column ``name``. Possibly empty.
    """
    import osmium

    from geo.osm import area_geometry, stream_osm

    levels = {str(int(lv)) for lv in admin_levels}
    wkb = osmium.geom.WKBFactory()
    rows: list[tuple[str, str, Any]] = []
    candidates = 0
    objects = stream_osm(
        osm_path,
        area_filter=osmium.filter.TagFilter(("boundary", "administrative")),
        error=InputDataError,
    )
    for obj in objects:
        if obj.is_relation() or obj.is_way():
            if (
                obj.tags.get("boundary") == "administrative"
                and obj.tags.get("admin_level") in levels
                and (obj.is_relation() or obj.is_closed())
            ):
                candidates += 1
            continue
        if not obj.is_area():
            continue
        tags = obj.tags
        if tags.get("boundary") != "administrative" or tags.get("admin_level") not in levels:
            continue
        geom = area_geometry(wkb, obj)
        if geom is None:
            continue  # incomplete ring (clipped extract): counted below
        geom = _polygonal(geom)
        if geom is None:
            continue
        key = f"{'w' if obj.from_way() else 'r'}{obj.orig_id()}"
        rows.append((key, tags.get("name", key), geom))
    if not rows:
        out = _empty_districts()
    else:
        out = gpd.GeoDataFrame(
            {"name": [r[1] for r in rows]},
            index=pd.Index([r[0] for r in rows], name="district_id", dtype=object),
            geometry=[r[2] for r in rows],
            crs=CRS_STORE,
        )
    out.attrs["dropped"] = {"incomplete_boundaries": max(candidates - len(rows), 0)}
    return out


def assign_cells_to_districts(
    cells: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, boundary: Any
) -> gpd.GeoDataFrame:
    """Tag every cell with the district and the region that contain its centre.

    Parameters
    ----------
    cells : GeoDataFrame
        Census cells (EPSG:4326 points).
    districts : GeoDataFrame
        EPSG:4326 polygons indexed by ``district_id``; may be empty.
    boundary : shapely geometry or None
        The region outline in EPSG:4326; None counts every cell as inside.

    Returns
    -------
    GeoDataFrame
        A copy of ``cells`` (same index) with ``district_id`` (str or None; the first
        district in table order where polygons overlap) and ``in_region`` (bool).
    """
    out = cells.copy()
    pts = cells.to_crs(CRS_MEASURE).geometry.to_numpy()
    district_id = np.full(len(cells), None, dtype=object)
    if len(districts):
        polys = districts.to_crs(CRS_MEASURE).geometry.to_numpy()
        tree = shapely.STRtree(polys)
        pt_idx, poly_idx = tree.query(pts, predicate="within")
        # lowest district position wins where polygons overlap
        order = np.lexsort((poly_idx, pt_idx))
        pt_idx, poly_idx = pt_idx[order], poly_idx[order]
        first = np.unique(pt_idx, return_index=True)[1]
        ids = districts.index.to_numpy()
        district_id[pt_idx[first]] = ids[poly_idx[first]]
    out["district_id"] = district_id
    if boundary is None:
        out["in_region"] = True
    else:
        b = gpd.GeoSeries([boundary], crs=CRS_STORE).to_crs(CRS_MEASURE).iloc[0]
        out["in_region"] = (
            shapely.contains_xy(b, cells["x"].to_numpy(), cells["y"].to_numpy())
            if not b.is_empty
            else False
        )
    return out


def aggregate_to_districts(
    cells: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Population per district, by the area share of each cell square inside it.

    Shares are computed in EPSG:3035, where the cells are exact squares of equal area.
    Age groups sum only cells whose age breakdown is known.

    Parameters
    ----------
    cells : GeoDataFrame
        Census cells from :func:`geo.census.read_census` (EPSG:4326).
    districts : GeoDataFrame
        EPSG:4326 polygons indexed by ``district_id``.

    Returns
    -------
    GeoDataFrame
        A copy of ``districts`` (same index) with ``area_km2`` (EPSG:25832) and the
        population columns of :data:`geo.agegroups.POP_COLUMNS` (float; NaN where
        no cell in the district knows the value, e.g. age groups of a census grid
        without age classes).
    """
    out = districts.copy()
    out["area_km2"] = districts.to_crs(CRS_MEASURE).area.to_numpy() / 1e6
    sums = np.zeros((len(districts), len(POP_COLUMNS)))
    if len(districts) and len(cells):
        squares = cell_squares(cells)
        polys = districts.to_crs(CRS_CENSUS).geometry.to_numpy()
        d_idx, c_idx = shapely.STRtree(squares).query(polys, predicate="intersects")
        share = shapely.area(shapely.intersection(squares[c_idx], polys[d_idx]))
        share = share / shapely.area(squares[c_idx])
        vals = cells[list(POP_COLUMNS)].to_numpy(float)[c_idx] * share[:, None]
        known = np.zeros_like(sums)
        np.add.at(known, d_idx, np.isfinite(vals) & (share[:, None] > 0))
        np.add.at(sums, d_idx, np.nan_to_num(vals, nan=0.0))
        # a group no overlapping cell knows (a census without age classes) is unknown,
        # not 0: a district with people but "0 children" would be a wrong figure
        touched = np.zeros(len(districts))
        np.add.at(touched, d_idx, share > 0)
        sums[(known == 0) & (touched[:, None] > 0)] = np.nan
    for j, col in enumerate(POP_COLUMNS):
        out[col] = sums[:, j]
    return out
