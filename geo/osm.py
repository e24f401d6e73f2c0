"""Reading OSM extracts (``.osm.pbf``, ``.osm``, ``.osm.gz``, ``.osm.bz2``) with pyosmium.

One streaming pass (two with area assembly, done by pyosmium) yields everything a
region needs from an extract:

* highway ways with their routing tags, noded at shared OSM nodes into a
  :class:`geo.netbuild.Segments` table (EPSG:25832);
* points of interest (nodes, and ways/areas as a representative point) with all tags;
* basemap features: water, green, forest and residential areas and place labels.

Extracts cut at a bounding box have ways that reference nodes outside the file. Such
ways are trimmed to their runs of present nodes, or dropped if no run keeps two nodes;
both are counted in the stats, never an error. We read with pyosmium rather than
OSMnx' XML parser because it reads PBF directly and is an order of magnitude faster;
the per-mode filters and speeds in :mod:`geo.netbuild` follow OSMnx' network types.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import pyproj
import shapely

from geo.errors import InputDataError, NetworkBuildError
from geo.netbuild import ROUTING_TAGS, Segments, node_lines
from geo.settings import CRS_MEASURE, CRS_STORE

OSM_SUFFIXES: tuple[str, ...] = (".osm.pbf", ".pbf", ".osm", ".osm.gz", ".osm.bz2")

#: Keys that make an object a point of interest (any value).
POI_KEYS: frozenset[str] = frozenset(
    {"amenity", "leisure", "office", "social_facility", "healthcare", "club"}
)
#: Key/value pairs that make an object a POI on their own.
POI_VALUES: dict[str, frozenset[str]] = {
    "building": frozenset({"school", "kindergarten", "college", "university"}),
    "tourism": frozenset({"museum", "gallery", "zoo", "theme_park"}),
}
_PLACE_VALUES = frozenset(
    {
        "city",
        "town",
        "village",
        "suburb",
        "borough",
        "quarter",
        "neighbourhood",
        "hamlet",
        "locality",
        "isolated_dwelling",
    }
)
_AREA_CLASSES: tuple[tuple[str, frozenset[str], str], ...] = (
    ("natural", frozenset({"water"}), "water"),
    ("waterway", frozenset({"riverbank"}), "water"),
    ("landuse", frozenset({"reservoir", "basin"}), "water"),
    ("landuse", frozenset({"forest"}), "forest"),
    ("natural", frozenset({"wood"}), "forest"),
    ("leisure", frozenset({"park", "garden", "playground", "recreation_ground", "pitch"}), "green"),
    (
        "landuse",
        frozenset(
            {"grass", "meadow", "recreation_ground", "village_green", "allotments", "cemetery"}
        ),
        "green",
    ),
    ("landuse", frozenset({"residential"}), "residential"),
)


@dataclass(frozen=True, eq=False)
class OsmExtract:
    """What one pass over an OSM file yields.

    Attributes
    ----------
    segments : Segments
        Noded highway ways, EPSG:25832.
    pois : GeoDataFrame
        EPSG:4326 points; columns ``osm_type``, ``osm_id``, ``name``, ``tags`` (dict).
    areas : GeoDataFrame
        EPSG:4326 polygons; column ``cls`` (water/green/forest/residential).
    labels : GeoDataFrame
        EPSG:4326 points; columns ``name``, ``cls`` (the OSM ``place`` value).
    bbox : tuple of float or None
        The header bounding box (min lon, min lat, max lon, max lat).
    stats : dict
        ``ways_missing_nodes_trimmed``, ``ways_missing_nodes_dropped`` and counts.
    """

    segments: Segments
    pois: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    labels: gpd.GeoDataFrame
    bbox: tuple[float, float, float, float] | None
    stats: dict[str, Any] = field(default_factory=dict)


def check_osm_path(path: str | Path, *, error: type[InputDataError] = NetworkBuildError) -> Path:
    """Return ``path`` if it names an existing, non-empty OSM file we can read, else raise.

    Parameters
    ----------
    path : str or Path
        ``.osm.pbf``, ``.pbf``, ``.osm``, ``.osm.gz`` or ``.osm.bz2``.
    error : type of InputDataError
        The class raised (the caller's error: network, addresses, districts).

    Raises
    ------
    InputDataError
        (``error``) Missing or empty file or unknown suffix, naming the file.
    """
    path = Path(path)
    if not path.exists():
        raise error(
            "OSM file does not exist.",
            path=path,
            hint="Check the path in the manifest's network.osm.",
        )
    if not path.name.lower().endswith(OSM_SUFFIXES):
        raise error(
            "unknown OSM file type.",
            path=path,
            hint=f"Use one of {', '.join(OSM_SUFFIXES)}.",
        )
    if path.stat().st_size == 0:
        raise error("the OSM file is empty.", path=path, hint="Download the extract again.")
    return path


def _read_error(path: Path, exc: Exception, error: type[InputDataError]) -> InputDataError:
    return error(
        f"cannot read the OSM file ({exc}).",
        path=path,
        hint="The file is corrupt or not OSM data; download or export it again.",
    )


def stream_osm(
    path: str | Path,
    *,
    area_filter: Any = None,
    error: type[InputDataError] = NetworkBuildError,
) -> Iterator[Any]:
    """The objects of an OSM file, with pyosmium's area assembly (EPSG:4326 locations).

    Nodes come with their locations, ways with their node locations (invalid where the
    extract lacks the node), then the assembled areas. The one reader of OSM files:
    :func:`read_osm`, :func:`geo.addresses.read_osm_addresses` and
    :func:`geo.districts.districts_from_osm` stream through it.

    Parameters
    ----------
    path : str or Path
        The OSM file (checked with :func:`check_osm_path`).
    area_filter : osmium filter, optional
        Only objects passing it are assembled into areas (all by default).
    error : type of InputDataError
        Raised, naming the file, when the file cannot be read.

    Yields
    ------
    osmium object
        Valid only until the next one is requested (copy what you keep).

    Raises
    ------
    InputDataError
        (``error``) Missing, empty, corrupt or truncated file. Errors raised by the
        caller's loop body are not touched.
    """
    path = check_osm_path(path, error=error)
    try:
        fp = osmium.FileProcessor(str(path))
        objects = iter(fp.with_areas() if area_filter is None else fp.with_areas(area_filter))
    except Exception as exc:  # osmium raises RuntimeError and friends for broken input
        raise _read_error(path, exc, error) from exc
    while True:
        try:
            obj = next(objects)
        except StopIteration:
            return
        except Exception as exc:
            raise _read_error(path, exc, error) from exc
        yield obj


def osm_header_box(path: str | Path, *, error: type[InputDataError] = NetworkBuildError) -> Any:
    """The header bounding box of an OSM file (``osmium.osm.Box``, maybe invalid)."""
    path = check_osm_path(path, error=error)
    try:
        return osmium.FileProcessor(str(path)).header.box()
    except Exception as exc:
        raise _read_error(path, exc, error) from exc


def area_geometry(wkb: Any, area: Any) -> shapely.Geometry | None:
    """An assembled area as a shapely (multi)polygon in EPSG:4326, ``None`` when broken.

    Rings of a clipped extract can fail to build; callers skip (and count) those.
    """
    try:
        return shapely.from_wkb(wkb.create_multipolygon(area))
    except Exception:  # osmium raises RuntimeError, shapely a GEOS error for bad rings
        return None


def _poi_tags(tags: Any) -> bool:
    for key in POI_KEYS:
        if key in tags:
            return True
    for key, values in POI_VALUES.items():
        value = tags.get(key)
        if value is not None and value in values:
            return True
    return False


def _area_class(tags: Any) -> str | None:
    for key, values, cls in _AREA_CLASSES:
        value = tags.get(key)
        if value is not None and value in values:
            return cls
    return None


def read_osm(path: str | Path) -> OsmExtract:
    """Read streets, POIs and basemap features from an OSM file.

    Parameters
    ----------
    path : str or Path
        ``.osm.pbf``, ``.osm``, ``.osm.gz`` or ``.osm.bz2``.

    Returns
    -------
    OsmExtract
        Segments in EPSG:25832, the vector layers in EPSG:4326.

    Raises
    ------
    NetworkBuildError
        Missing, corrupt or empty file (no highway ways), naming the file.
    """
    path = check_osm_path(path)
    way_tags: list[dict[str, str]] = []
    way_ids: list[int] = []
    runs_nodes: list[np.ndarray] = []
    runs_lonlat: list[np.ndarray] = []
    run_way: list[int] = []
    poi_rows: list[tuple[str, int, str, dict[str, str], float, float]] = []
    closed_poi_ways: dict[int, tuple[str, int, str, dict[str, str], float, float]] = {}
    area_rows: list[tuple[str, Any]] = []
    label_rows: list[tuple[str, str, float, float]] = []
    trimmed = dropped = n_nodes = n_ways = n_rel = ways_missing = 0
    wkb = osmium.geom.WKBFactory()
    bbox_box = osm_header_box(path)
    for obj in stream_osm(path):
        if obj.is_node():
            n_nodes += 1
            tags = obj.tags
            if not len(tags):
                continue
            loc = obj.location
            if not loc.valid():
                continue
            if _poi_tags(tags):
                d = dict(tags)
                poi_rows.append(("node", obj.id, d.get("name", ""), d, loc.lon, loc.lat))
            place = tags.get("place")
            if place in _PLACE_VALUES and "name" in tags:
                label_rows.append((tags["name"], place, loc.lon, loc.lat))
        elif obj.is_way():
            n_ways += 1
            tags = obj.tags
            if not all(n.location.valid() for n in obj.nodes):
                ways_missing += 1
            hw = tags.get("highway")
            if hw is not None:
                ids = np.fromiter((n.ref for n in obj.nodes), np.int64)
                valid = np.fromiter((n.location.valid() for n in obj.nodes), bool)
                lonlat = np.array(
                    [
                        (n.location.lon, n.location.lat) if ok else (0.0, 0.0)
                        for n, ok in zip(obj.nodes, valid, strict=True)
                    ],
                    np.float64,
                ).reshape(-1, 2)
                runs = _present_runs(valid)
                if not valid.all():
                    if runs:
                        trimmed += 1
                    else:
                        dropped += 1
                if runs:
                    wi = len(way_tags)
                    way_tags.append({k: tags.get(k, "") for k in ROUTING_TAGS})
                    way_ids.append(obj.id)
                    for a, b in runs:
                        runs_nodes.append(ids[a:b])
                        runs_lonlat.append(lonlat[a:b])
                        run_way.append(wi)
            if _poi_tags(tags):
                pts = [(n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()]
                if pts:
                    rp = (
                        shapely.LineString(pts).interpolate(0.5, normalized=True)
                        if len(pts) > 1
                        else shapely.Point(pts[0])
                    )
                    row = ("way", obj.id, tags.get("name", ""), dict(tags), rp.x, rp.y)
                    if obj.is_closed():
                        # Normally comes back as an area with a point inside; this
                        # point is the fallback when the ring cannot be assembled.
                        closed_poi_ways[obj.id] = row
                    else:
                        poi_rows.append(row)
        elif obj.is_relation():
            n_rel += 1
        elif obj.is_area():
            tags = obj.tags
            is_poi = _poi_tags(tags)
            cls = _area_class(tags)
            if not is_poi and cls is None:
                continue
            geom = area_geometry(wkb, obj)
            if geom is None:  # broken rings in a clipped extract: skip the area
                continue
            if is_poi:
                d = dict(tags)
                rp = geom.representative_point()
                kind = "way" if obj.from_way() else "relation"
                if obj.from_way():
                    closed_poi_ways.pop(obj.orig_id(), None)
                poi_rows.append((kind, obj.orig_id(), d.get("name", ""), d, rp.x, rp.y))
            if cls is not None:
                area_rows.append((cls, geom))
    if not runs_nodes:
        raise NetworkBuildError(
            f"the OSM file holds no highway ways ({n_nodes} nodes, {n_ways} ways).",
            path=path,
            field="highway",
            hint="Use an extract that contains the streets of the region.",
        )

    poi_rows.extend(closed_poi_ways.values())
    lengths = np.array([r.shape[0] for r in runs_nodes], np.int64)
    offsets = np.zeros(lengths.shape[0] + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    node_ids = np.concatenate(runs_nodes)
    lonlat = np.concatenate(runs_lonlat)
    to_m = pyproj.Transformer.from_crs(CRS_STORE, CRS_MEASURE, always_xy=True)
    x, y = to_m.transform(lonlat[:, 0], lonlat[:, 1])
    tags_df = pd.DataFrame(way_tags, columns=list(ROUTING_TAGS)).iloc[run_way]
    tags_df = tags_df.reset_index(drop=True)
    tags_df["way_id"] = np.asarray(way_ids, np.int64)[run_way]
    stats: dict[str, Any] = {
        "source": "osm",
        "file": path.name,
        "osm_nodes": n_nodes,
        "osm_ways": n_ways,
        "osm_relations": n_rel,
        "highway_ways": len(way_tags),
        "ways_missing_nodes": ways_missing,
        "ways_missing_nodes_trimmed": trimmed,
        "ways_missing_nodes_dropped": dropped,
        "oneway_tagged": int((tags_df["oneway"] != "").sum()),
    }
    segments = node_lines(
        node_ids, np.column_stack([x, y]), offsets, tags_df, osmids=node_ids, stats=stats
    )

    pois = _pois_frame(poi_rows)
    areas = gpd.GeoDataFrame(
        {"cls": [r[0] for r in area_rows]}, geometry=[r[1] for r in area_rows], crs=CRS_STORE
    )
    labels = gpd.GeoDataFrame(
        {"name": [r[0] for r in label_rows], "cls": [r[1] for r in label_rows]},
        geometry=gpd.points_from_xy([r[2] for r in label_rows], [r[3] for r in label_rows]),
        crs=CRS_STORE,
    )
    bbox = None
    if bbox_box.valid():
        bbox = (
            bbox_box.bottom_left.lon,
            bbox_box.bottom_left.lat,
            bbox_box.top_right.lon,
            bbox_box.top_right.lat,
        )
    stats["pois"] = len(pois)
    stats["areas"] = len(areas)
    stats["labels"] = len(labels)
    return OsmExtract(
        segments=segments, pois=pois, areas=areas, labels=labels, bbox=bbox, stats=stats
    )


def _present_runs(valid: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges of consecutive present nodes with at least two nodes."""
    if valid.all():
        return [(0, int(valid.shape[0]))] if valid.shape[0] >= 2 else []
    padded = np.concatenate([[False], valid, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= 2]


def _pois_frame(rows: list[tuple[str, int, str, dict[str, str], float, float]]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        {
            "osm_type": [r[0] for r in rows],
            "osm_id": np.array([r[1] for r in rows], np.int64),
            "name": [r[2] for r in rows],
            "tags": [r[3] for r in rows],
        }
    )
    gdf = gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy([r[4] for r in rows], [r[5] for r in rows]),
        crs=CRS_STORE,
    )
    # A node-tagged POI inside an area-tagged one can both be real; only exact repeats go.
    return gdf.drop_duplicates(subset=["osm_type", "osm_id"]).reset_index(drop=True)


def pois_from_geojson(path: str | Path) -> gpd.GeoDataFrame:
    """POIs from a point file whose properties are OSM tags (Wolfsburg's facilities).

    Parameters
    ----------
    path : str or Path
        GeoJSON/GPKG of points (other geometries become representative points) with
        OSM tags as properties; ``_type`` or ``osm_type`` says node/way/relation and
        ``_id``/``osm_id``/``id`` the OSM id where present.

    Returns
    -------
    GeoDataFrame
        EPSG:4326; columns ``osm_type``, ``osm_id``, ``name``, ``tags`` (dict of the
        non-empty properties, without the id/type fields).
    """
    path = Path(path)
    if not path.exists():
        raise NetworkBuildError(
            "POI file does not exist.",
            path=path,
            field="pois.file",
            hint="Check the path in the manifest.",
        )
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:
        raise NetworkBuildError(
            f"cannot read the POI file ({exc}).",
            path=path,
            hint="Check that it is valid GeoJSON/GPKG.",
        ) from exc
    if gdf.crs is None:
        gdf = gdf.set_crs(CRS_STORE)
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty].to_crs(CRS_STORE)
    geom = gdf.geometry
    if not (geom.geom_type == "Point").all():
        geom = geom.representative_point()
    type_col = next((c for c in ("_type", "osm_type", "@type") if c in gdf.columns), None)
    id_col = next((c for c in ("_id", "osm_id", "@id", "id") if c in gdf.columns), None)
    meta = {c for c in (type_col, id_col) if c}
    tag_cols = [c for c in gdf.columns if c != "geometry" and c not in meta]
    values = gdf[tag_cols].to_numpy(dtype=object)
    present = ~pd.isna(values)
    present[present] = values[present] != ""
    names = np.asarray(tag_cols, dtype=object)
    tags = [
        {str(k): _tag_text(v) for k, v in zip(names[row], values[i, row], strict=True)}
        for i, row in enumerate(present)
    ]
    osm_type = (
        gdf[type_col].fillna("node").astype(str).to_numpy()
        if type_col
        else np.full(len(gdf), "node")
    )
    if id_col:
        raw_id = gdf[id_col].astype(str).str.extract(r"(\d+)$", expand=False)
        osm_id = pd.to_numeric(raw_id, errors="coerce").fillna(-1).astype(np.int64).to_numpy()
    else:
        osm_id = np.full(len(gdf), -1, np.int64)
    return gpd.GeoDataFrame(
        {
            "osm_type": osm_type,
            "osm_id": osm_id,
            "name": [t.get("name", "") for t in tags],
            "tags": tags,
        },
        geometry=geom.to_numpy(),
        crs=CRS_STORE,
    ).reset_index(drop=True)


def _tag_text(value: Any) -> str:
    # A numeric column with gaps is float; OSM wrote "25", not "25.0".
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
