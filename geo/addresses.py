"""House addresses from OSM ``addr:*`` tags, for the offline geocoder.

Addresses come from nodes (entrances, address points) and from buildings mapped as
ways or multipolygon relations. Extracts cut at a bounding box reference nodes that
are missing; such ways keep their address at the centre of the nodes that exist.

CRS: ``lon``/``lat`` are EPSG:4326; polygon positions are computed in EPSG:25832.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.errors import InputDataError
from geo.settings import CRS_MEASURE, CRS_STORE

#: Columns of :func:`read_osm_addresses`.
ADDRESS_COLUMNS: tuple[str, ...] = (
    "street", "housenumber", "postcode", "city", "lon", "lat", "osm_type", "osm_id",
)  # fmt: skip


def read_osm_addresses(osm_path: Path) -> pd.DataFrame:
    """Every object with ``addr:housenumber`` in an OSM file, as one row each.

    Nodes give their position; ways and multipolygon relations give a point inside
    their polygon (``representative_point`` of the repaired polygon, in EPSG:25832),
    or for open ways and ways clipped by the extract the centre of their known nodes.
    ``addr:place`` stands in for ``addr:street`` where a place has no street names.

    Parameters
    ----------
    osm_path : Path
        ``.osm.pbf``, ``.osm``, ``.osm.gz`` or ``.osm.bz2``.

    Returns
    -------
    DataFrame
        Columns ``street``, ``housenumber``, ``postcode``, ``city`` (str, "" when not
        tagged), ``lon``, ``lat`` (EPSG:4326), ``osm_type`` (node/way/relation) and
        ``osm_id``. ``attrs["dropped"]`` counts ways without any known node and
        relations that could not be assembled.

    Raises
    ------
    InputDataError
        The file is missing, empty or not an OSM file.
    """
    import osmium

    from geo.osm import area_geometry, stream_osm

    to_measure = Transformer.from_crs(CRS_STORE, CRS_MEASURE, always_xy=True)
    to_store = Transformer.from_crs(CRS_MEASURE, CRS_STORE, always_xy=True)
    wkb = osmium.geom.WKBFactory()
    rows: list[tuple[str, str, str, str, float, float, str, int]] = []
    dropped = {"ways_without_nodes": 0, "relations_not_assembled": 0, "clipped_ways": 0}
    relation_ids: set[int] = set()
    assembled: set[int] = set()

    def tag_row(tags: osmium.osm.TagList) -> tuple[str, str, str, str]:
        street = tags.get("addr:street") or tags.get("addr:place") or ""
        return (
            street.strip(),
            tags.get("addr:housenumber", "").strip(),
            tags.get("addr:postcode", "").strip(),
            tags.get("addr:city", "").strip(),
        )

    objects = stream_osm(
        osm_path, area_filter=osmium.filter.KeyFilter("addr:housenumber"), error=InputDataError
    )
    for obj in objects:
        tags = obj.tags
        if "addr:housenumber" not in tags:
            continue
        if obj.is_node():
            loc = obj.location
            if loc.valid():
                rows.append((*tag_row(tags), loc.lon, loc.lat, "node", obj.id))
        elif obj.is_way():
            lonlat = np.array(
                [(n.location.lon, n.location.lat) for n in obj.nodes if n.location.valid()],
                dtype=float,
            ).reshape(-1, 2)
            if len(lonlat) == 0:
                dropped["ways_without_nodes"] += 1
                continue
            if len(lonlat) < len(obj.nodes):
                dropped["clipped_ways"] += 1
            # a clipped ring is no polygon: use the centre of its known nodes
            whole_ring = obj.is_closed() and len(lonlat) == len(obj.nodes)
            lon, lat = _inner_point(
                lonlat, closed=whole_ring, to_measure=to_measure, to_store=to_store
            )
            rows.append((*tag_row(tags), lon, lat, "way", obj.id))
        elif obj.is_relation():
            relation_ids.add(obj.id)
        elif obj.is_area() and not obj.from_way():
            geom = area_geometry(wkb, obj)
            if geom is None:
                continue
            lonlat = np.asarray(shapely.get_coordinates(geom))
            lon, lat = _polygon_point(geom, lonlat, to_measure=to_measure, to_store=to_store)
            rows.append((*tag_row(tags), lon, lat, "relation", obj.orig_id()))
            assembled.add(obj.orig_id())
    dropped["relations_not_assembled"] = len(relation_ids - assembled)
    out = pd.DataFrame(rows, columns=list(ADDRESS_COLUMNS))
    out["osm_id"] = out["osm_id"].astype(np.int64)
    out.attrs["dropped"] = dropped
    return out


def _inner_point(
    lonlat: np.ndarray, *, closed: bool, to_measure: Transformer, to_store: Transformer
) -> tuple[float, float]:
    """A point for a way: inside its polygon when closed, else its vertex centre."""
    if closed and len(lonlat) >= 4:
        return _polygon_point(
            shapely.Polygon(lonlat), lonlat, to_measure=to_measure, to_store=to_store
        )
    return float(lonlat[:, 0].mean()), float(lonlat[:, 1].mean())


def _polygon_point(
    geom: shapely.Geometry,
    lonlat: np.ndarray,
    *,
    to_measure: Transformer,
    to_store: Transformer,
) -> tuple[float, float]:
    mx, my = to_measure.transform(lonlat[:, 0], lonlat[:, 1])
    projected = shapely.transform(geom, lambda _: np.column_stack([mx, my]))
    if not projected.is_valid:
        projected = shapely.make_valid(projected)
    if projected.is_empty or projected.area == 0:
        return float(lonlat[:, 0].mean()), float(lonlat[:, 1].mean())
    # the centroid of a building lies inside it for all but odd shapes; use it when so
    pt = projected.centroid
    if not projected.contains(pt):
        pt = projected.representative_point()
    lon, lat = to_store.transform(pt.x, pt.y)
    return float(lon), float(lat)


#: Header aliases of official address lists (ALKIS/INSPIRE exports, Hauskoordinaten),
#: normalised to lower case without spaces, underscores or hyphens.
_POINT_COLUMNS: dict[str, tuple[str, ...]] = {
    "street": ("strasse", "straße", "street", "strassenname", "str"),
    "housenumber": ("nummer", "hausnummer", "hausnr", "housenumber", "hnr"),
    "suffix": ("zusatz", "hausnummerzusatz", "adressierungszusatz", "hnrzusatz"),
    "postcode": ("plz", "postleitzahl", "postcode"),
    "city": ("stadt", "ort", "gemeinde", "city", "ortsteil"),
    "lon": ("lon", "lng", "longitude", "laenge", "länge"),
    "lat": ("lat", "latitude", "breite"),
}


def read_address_points(path: Path) -> pd.DataFrame:
    """Official address points (ALKIS, INSPIRE AD) from a CSV with lat/lon columns.

    Lines starting with ``#`` before the header are comments (source and licence
    lines). The house-number suffix (``zusatz``) is appended to the number (``12a``).
    Rows without a street, number or finite coordinates are dropped and counted in
    ``attrs["dropped"]``.

    Parameters
    ----------
    path : Path
        A comma-, semicolon- or tab-separated text file; ``lat``/``lon`` in EPSG:4326.

    Returns
    -------
    DataFrame
        The columns of :func:`read_osm_addresses` (``osm_type`` ``"alkis"``,
        ``osm_id`` -1), lon/lat in EPSG:4326.

    Raises
    ------
    InputDataError
        Unreadable file or a missing street, number or coordinate column.
    """
    import csv
    import io

    from geo.textfile import decode_table_bytes

    path = Path(path)
    try:
        text = decode_table_bytes(path.read_bytes(), path=path)[0]
    except OSError as exc:
        raise InputDataError(
            f"cannot read the address file ({exc.strerror}).",
            path=path,
            hint="Check addresses.files in the manifest.",
        ) from exc
    lines = text.splitlines()
    while lines and lines[0].lstrip().startswith("#"):
        lines.pop(0)
    if not lines:
        raise InputDataError(
            "the address file has no header row.", path=path, hint="Export it with a header."
        )
    sep = max(",;\t|", key=lines[0].count)
    frame = pd.read_csv(
        io.StringIO("\n".join(lines)),
        sep=sep,
        dtype=str,
        keep_default_na=False,
        quoting=csv.QUOTE_MINIMAL,
    )
    norm = {str(c).lower().replace(" ", "").replace("_", "").replace("-", ""): c for c in frame}
    cols: dict[str, str] = {}
    for key, aliases in _POINT_COLUMNS.items():
        found = next((norm[a] for a in aliases if a in norm), None)
        if found is None and key != "suffix" and key != "city" and key != "postcode":
            raise InputDataError(
                f"no {key} column in the address file.",
                path=path,
                field=key,
                hint=f"Name one of the columns {', '.join(aliases)}.",
            )
        if found is not None:
            cols[key] = found

    def col(key: str) -> pd.Series:
        if key not in cols:
            return pd.Series("", index=frame.index)
        return frame[cols[key]].astype(str).str.strip()

    number = col("housenumber") + col("suffix")
    lon = pd.to_numeric(col("lon").str.replace(",", ".", regex=False), errors="coerce")
    lat = pd.to_numeric(col("lat").str.replace(",", ".", regex=False), errors="coerce")
    finite = np.isfinite(lon.to_numpy(float)) & np.isfinite(lat.to_numpy(float))
    in_range = finite & lon.between(-180, 180).to_numpy() & lat.between(-90, 90).to_numpy()
    named = (col("street") != "").to_numpy() & (number != "").to_numpy()
    keep = in_range & named
    out = pd.DataFrame(
        {
            "street": col("street")[keep].to_numpy(),
            "housenumber": number[keep].to_numpy(),
            "postcode": col("postcode")[keep].to_numpy(),
            # official names carry the municipality type: "Flensburg, Stadt"
            "city": col("city").str.replace(r",\s*Stadt$", "", regex=True)[keep].to_numpy(),
            "lon": lon[keep].to_numpy(float),
            "lat": lat[keep].to_numpy(float),
            "osm_type": "alkis",
            "osm_id": np.full(int(keep.sum()), -1, dtype=np.int64),
        }
    )
    out.attrs["dropped"] = {
        "address_points_without_coordinates": int((~in_range).sum()),
        "address_points_without_street_or_number": int((in_range & ~named).sum()),
    }
    return out
