"""Build a region from its manifest's raw inputs, cache it on disk, load it back.

Cache layout: ``<work_dir>/regions/<slug>/<cache_key>/`` with ``info.json``,
``networks/<mode>.npz`` (:meth:`geo.network.Network.save`) and GeoParquet files for the
vector layers (cells, districts, pois with tags as JSON text, addresses, basemap
layers). The cache key hashes the input files' contents, the manifest, the source of
the modules that produce a region, and :data:`BUILD_VERSION`, so a changed input or
builder rebuilds and an unchanged one loads.

A build writes into a temporary folder next to the cache and renames it into place,
so an error never leaves a partial cache; afterwards, versions of other keys older
than :data:`KEEP_OLD_VERSIONS_SECONDS` are deleted. A load reads everything into
memory (about 0.5 s for Wolfsburg), so a deleted old version never breaks a session.
An ``fcntl.flock`` lock per region makes a second concurrent caller (another
pytest-xdist worker or app session) wait and then load what the first one built.

Stored layers are EPSG:4326; networks carry EPSG:25832 coordinates.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely
from shapely.errors import ShapelyError

from geo.agegroups import POP_COLUMNS
from geo.errors import BildungslandkarteError, InputDataError, NetworkBuildError
from geo.manifest import Manifest, load_manifest
from geo.network import Network
from geo.region import Region
from geo.settings import CRS_MEASURE, CRS_STORE, MODES, Paths, get_paths
from geo.streetclass import street_class

log = logging.getLogger(__name__)

#: Bump when the cache layout or build logic changes in a way the source hash misses.
BUILD_VERSION = "3"
#: Modules whose source is part of the cache key (a changed builder rebuilds).
_BUILDER_MODULES = (
    "build",
    "lines",
    "osm",
    "netbuild",
    "network",
    "region",
    "census",
    "districts",
    "routing",
    "streetclass",
    "addresses",
    "geocode",
    "agegroups",
    "textfile",
)
_GEO_DIR = Path(__file__).resolve().parent

#: Old cache versions (other keys) are deleted after a build once they are this old.
KEEP_OLD_VERSIONS_SECONDS = 3600.0

Progress = Callable[[float, str], None]

_BASEMAP_LAYERS = ("streets", "areas", "labels")
_ADDRESS_COLUMNS = ("street", "housenumber", "postcode", "city", "lon", "lat")


def cache_key(manifest: Manifest) -> str:
    """Hash of input file contents, the manifest, the builder source and BUILD_VERSION."""
    h = hashlib.sha256()
    h.update(f"build-version={BUILD_VERSION}\n".encode())
    h.update(manifest.manifest_path.read_bytes())
    for path in manifest.input_files():
        h.update(f"\n{path.name}\n".encode())
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    for name in _BUILDER_MODULES:
        src = _GEO_DIR / f"{name}.py"
        if src.exists():
            h.update(f"\n{name}\n".encode())
            h.update(src.read_bytes())
    return h.hexdigest()[:16]


def region_dir(slug: str, *, paths: Paths) -> Path:
    """The folder that holds a region's cache versions."""
    return paths.work_dir / "regions" / slug


def load_region(
    slug: str, *, paths: Paths | None = None, progress: Progress | None = None
) -> Region:
    """Load a region from cache, building it first if there is no valid cache.

    Parameters
    ----------
    slug : str
        Region slug (a manifest ``data/regions/<slug>.toml``).
    paths : Paths, optional
        Folders; defaults to :func:`geo.settings.get_paths`.
    progress : callable, optional
        ``progress(fraction, message)``, called during a build.

    Returns
    -------
    Region
        Layers in EPSG:4326, networks in EPSG:25832.

    Raises
    ------
    RegionNotFoundError, ManifestError, InputDataError
        Unknown slug, bad manifest or bad input (nothing is cached then).
    """
    paths = paths or get_paths()
    manifest = load_manifest(slug, paths=paths)
    key = cache_key(manifest)
    target = region_dir(manifest.slug, paths=paths) / key
    _remove_stale_temp(manifest.slug, paths=paths)
    if _valid_cache(target, key):
        try:
            return _read_region(target, manifest)
        except _DamagedCacheError as exc:
            log.warning("region %s: %s; rebuilding", manifest.slug, exc)
    with _region_lock(manifest.slug, paths=paths):
        if _valid_cache(target, key):
            try:
                return _read_region(target, manifest)
            except _DamagedCacheError as exc:
                log.warning("region %s: %s; rebuilding", manifest.slug, exc)
        return _build_locked(manifest, paths=paths, progress=progress, key=key)


def build_region(manifest: Manifest, *, paths: Paths, progress: Progress | None = None) -> Region:
    """Build a region from its inputs and (re)write its cache.

    Parameters
    ----------
    manifest : Manifest
        A validated manifest (:func:`geo.manifest.load_manifest`).
    paths : Paths
        Folders; the cache goes to ``paths.work_dir / "regions" / slug / key``.
    progress : callable, optional
        ``progress(fraction, message)`` for a progress bar; also logged.

    Returns
    -------
    Region
        Layers in EPSG:4326, networks in EPSG:25832.
    """
    with _region_lock(manifest.slug, paths=paths):
        return _build_locked(manifest, paths=paths, progress=progress, key=cache_key(manifest))


@contextlib.contextmanager
def _region_lock(slug: str, *, paths: Paths) -> Iterator[None]:
    folder = region_dir(slug, paths=paths)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove_stale_temp(slug: str, *, paths: Paths) -> None:
    """Delete temporary folders a killed build left, if no build is running now.

    A build holds the region lock while its temporary folder exists, so when the lock
    can be taken without waiting, every ``.tmp-*`` folder is a leftover.
    """
    folder = region_dir(slug, paths=paths)
    if not folder.exists() or not any(folder.glob(".tmp-*")):
        return
    with open(folder / ".lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a build is running; it cleans up itself
        try:
            for stale in folder.glob(".tmp-*"):
                log.info("region %s: removing %s left by a killed build", slug, stale.name)
                shutil.rmtree(stale, ignore_errors=True)
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _valid_cache(target: Path, key: str) -> bool:
    info = target / "info.json"
    if not info.exists():
        return False
    try:
        data = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return data.get("cache_key") == key and data.get("build_version") == BUILD_VERSION


def _build_locked(
    manifest: Manifest, *, paths: Paths, progress: Progress | None, key: str
) -> Region:
    def report(fraction: float, message: str) -> None:
        log.info("region %s: %3.0f%% %s", manifest.slug, fraction * 100, message)
        if progress is not None:
            progress(fraction, message)

    started = time.perf_counter()
    folder = region_dir(manifest.slug, paths=paths)
    # We hold the lock, so any temp folder here is left over from a killed build.
    for stale in folder.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    region = _assemble(manifest, report=report)
    target = folder / key
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=folder))
    try:
        report(0.92, "Schreibe Cache")
        info = dict(region.info)
        info["cache_key"] = key
        info["build_version"] = BUILD_VERSION
        info["build_seconds"] = round(time.perf_counter() - started, 3)
        _write_region(tmp, region, info)
        if target.exists():
            # A forced rebuild: move the old version aside first, so the swap is two
            # renames and a reader never meets a half-deleted folder.
            old = Path(tempfile.mkdtemp(prefix=f".tmp-old-{key}-", dir=folder))
            os.replace(target, old / key)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune_old_versions(folder, keep=key)
    report(1.0, "Fertig")
    return Region(
        manifest=manifest,
        networks=region.networks,
        cells=region.cells,
        districts=region.districts,
        pois=region.pois,
        addresses=region.addresses,
        boundary=region.boundary,
        basemap=region.basemap,
        info=info,
        subdistricts=region.subdistricts,
    )


def _prune_old_versions(folder: Path, *, keep: str) -> None:
    """Delete cache versions of other keys that nobody has built for an hour.

    A process that loaded an old version holds all its data in memory, so deleting
    the folder does not hurt it; the hour spares a concurrent reader mid-load.
    """
    now = time.time()
    for entry in folder.iterdir():
        if entry.name.startswith(".") or entry.name == keep or not entry.is_dir():
            continue
        if now - entry.stat().st_mtime > KEEP_OLD_VERSIONS_SECONDS:
            log.info("region cache: removing old version %s", entry)
            shutil.rmtree(entry, ignore_errors=True)


#: Census cells whose centre lies farther than this from the region boundary are left
#: out (and counted): the real clips reach 1–1.5 km beyond a city, a stray cell of
#: another region hundreds of kilometres.
FAR_CELL_M = 10_000.0
#: Share of the districts' area the street network must cover (a network of another
#: city, or districts of another one, shares none).
MIN_NETWORK_COVER_SHARE = 0.05

NO_NETWORK_NOTE = (
    "no street network: travel times cannot be computed and distances are straight "
    "lines; add network.osm (an .osm.pbf extract) or network.lines to the manifest "
    "and rebuild"
)


def _assemble(manifest: Manifest, *, report: Progress) -> Region:
    # Imported here, not at the top: a warm load needs none of the builders (~0.5 s).
    from geo.districts import aggregate_to_districts
    from geo.osm import pois_from_geojson, read_osm
    from geo.routing import snap_cells

    info: dict[str, Any] = {
        "slug": manifest.slug,
        "name": manifest.name,
        "has_network": manifest.has_network,
    }
    report(0.0, "Lese Straßennetz")
    extract = None
    if manifest.osm_file is not None:
        extract = read_osm(manifest.osm_file)
    dropped: dict[str, Any] = {}
    networks = _build_networks(manifest, extract=extract, info=info, dropped=dropped)

    report(0.35, "Lese Einrichtungen (POIs)")
    if manifest.pois_file is not None:
        pois = pois_from_geojson(manifest.pois_file)
    elif extract is not None and manifest.pois_from_osm:
        pois = extract.pois
    else:
        pois = _empty_pois()
    info["pois"] = len(pois)

    report(0.45, "Lese Bezirke")
    districts = _read_districts(manifest)
    dropped["districts"] = dict(districts.attrs.get("dropped", {}))
    repaired: dict[str, Any] = {}
    if districts.attrs.get("repaired", {}).get("invalid_polygons"):
        repaired["districts"] = dict(districts.attrs["repaired"])
    if len(districts):
        boundary = shapely.union_all(districts.geometry.to_numpy())
        info["boundary_source"] = "districts"
        if networks:
            _check_network_covers(networks["walk"], districts, manifest)
    elif networks:
        boundary = _network_hull(networks["walk"])
        info["boundary_source"] = "network hull"
        info["districts_note"] = "no districts in the inputs: the app falls back to the grid"
    else:
        raise BildungslandkarteError(  # the manifest loader refuses this; stay honest
            f"{manifest.manifest_path}: the region has neither districts nor a network."
        )
    subdistricts = _read_subdistricts(manifest, districts)
    if subdistricts is not None and subdistricts.attrs.get("repaired", {}).get("invalid_polygons"):
        repaired["subdistricts"] = dict(subdistricts.attrs["repaired"])
    info["repaired"] = repaired

    report(0.55, "Lese Zensus-Gitter")
    cells, info["age_groups_estimated"], info["census"] = _read_cells(manifest, districts, boundary)
    if len(cells):
        cells, dropped["census_far_cells"] = _drop_far_cells(cells, boundary, manifest)
        if len(districts) and not cells["in_region"].any():
            raise InputDataError(
                f"no census cell lies inside the districts ({len(cells)} cells near them)",
                path=manifest.districts_file or manifest.manifest_path,
                field="districts",
                hint="the census grid and the districts must cover the same place; check "
                "both files' coordinates",
            )
    # Also for no districts: the empty table then has the population columns too.
    districts = aggregate_to_districts(cells, districts)
    if subdistricts is not None:
        subdistricts = aggregate_to_districts(cells, subdistricts)
        info["subdistricts"] = len(subdistricts)
    info["districts"] = len(districts)
    info["cells"] = len(cells)
    info["population_total"] = float(cells["pop_total"].sum()) if len(cells) else 0.0
    if "in_region" in cells:
        info["population_in_region"] = float(cells.loc[cells["in_region"], "pop_total"].sum())

    report(0.65, "Verknüpfe Zellen mit dem Netz")
    if len(cells) and networks:
        cells = snap_cells(cells, networks)

    report(0.75, "Baue Adressindex")
    addresses, dropped["addresses"] = _read_addresses(manifest, networks=networks, pois=pois)
    info["addresses"] = len(addresses)
    info["dropped"] = dropped

    report(0.85, "Baue Grundkarte")
    basemap = _basemap(networks, extract=extract, districts=districts)
    info["sources"] = [
        {"title": s.title, "file": s.path.name, "date": s.date, "attribution": s.attribution}
        for s in manifest.sources
    ]
    return Region(
        manifest=manifest,
        networks=networks,
        cells=cells,
        districts=districts,
        pois=pois,
        addresses=addresses,
        boundary=boundary,
        basemap=basemap,
        info=info,
        subdistricts=subdistricts,
    )


def _build_networks(
    manifest: Manifest, *, extract: Any, info: dict[str, Any], dropped: dict[str, Any]
) -> dict[str, Network]:
    """The per-mode networks (EPSG:25832), or none for a region without streets."""
    from geo.lines import segments_from_lines
    from geo.netbuild import network_for_mode

    if not manifest.has_network:
        info["nodes"] = {}
        info["edges"] = {}
        info["network_note"] = NO_NETWORK_NOTE
        return {}
    if manifest.network_lines:
        segments = segments_from_lines(manifest.network_lines)
    else:
        segments = extract.segments
    networks: dict[str, Network] = {}
    for mode in MODES:
        networks[mode] = network_for_mode(
            segments,
            mode=mode,
            walk_kmh=manifest.walk_kmh,
            bike_kmh=manifest.bike_kmh,
            drive_default_kmh=manifest.drive_default_kmh,
        )
        if networks[mode].n_nodes == 0:
            raise NetworkBuildError(
                f"the {mode} network is empty.",
                path=manifest.manifest_path,
                field="network",
                hint="Check that the input holds streets with highway tags.",
            )
    reader = dict(segments.stats)
    info["network_source"] = reader
    info["nodes"] = {m: n.n_nodes for m, n in networks.items()}
    info["edges"] = {m: n.n_edges for m, n in networks.items()}
    dropped.update(
        {
            m: {"nodes": n.stats["dropped_nodes"], "edges": n.stats["dropped_edges"]}
            for m, n in networks.items()
        }
    )
    if extract is not None:
        dropped["ways_missing_nodes"] = extract.stats["ways_missing_nodes"]
        dropped["highway_ways_missing_nodes_trimmed"] = extract.stats["ways_missing_nodes_trimmed"]
        dropped["highway_ways_missing_nodes_dropped"] = extract.stats["ways_missing_nodes_dropped"]
    info["oneway_segments"] = {m: n.stats["oneway_segments"] for m, n in networks.items()}
    if "oneway_note" in reader:
        info["oneway_note"] = reader["oneway_note"]
    return networks


def _check_network_covers(net: Network, districts: gpd.GeoDataFrame, manifest: Manifest) -> None:
    """The street network must lie where the districts are (one city, one CRS)."""
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([net.x, net.y])))
    polys = districts.to_crs(CRS_MEASURE).geometry
    area = float(polys.area.sum())
    covered = float(polys.intersection(hull).area.sum())
    if area > 0 and covered / area < MIN_NETWORK_COVER_SHARE:
        raise NetworkBuildError(
            f"the street network covers {covered / area:.1%} of the districts' area: "
            "they do not show the same place.",
            path=manifest.districts_file or manifest.manifest_path,
            field="districts",
            hint="Check that the district file and the network are of the same region "
            "and that the district file's CRS is right.",
        )


def _drop_far_cells(
    cells: gpd.GeoDataFrame, boundary: shapely.Geometry, manifest: Manifest
) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Cells within :data:`FAR_CELL_M` of the boundary; the others are counted.

    Raises when no cell is near the region: nobody would live in it.
    """
    b = gpd.GeoSeries([boundary], crs=CRS_STORE).to_crs(CRS_MEASURE).iloc[0]
    pts = shapely.points(cells["x"].to_numpy(), cells["y"].to_numpy())
    dist = shapely.distance(b, pts)
    far = dist > FAR_CELL_M
    if far.all():
        raise InputDataError(
            f"no census cell lies within {FAR_CELL_M / 1000:.0f} km of the region (the "
            f"nearest is {dist.min() / 1000:,.0f} km away): nobody would live in it.",
            path=manifest.census_files[0],
            field="census.files",
            hint="The census files are of another region, or their coordinates are "
            "wrong: use the grid cells of this region.",
        )
    facts = {
        "cells": int(far.sum()),
        "population": float(np.nansum(cells["pop_total"].to_numpy()[far])),
        "beyond_m": FAR_CELL_M,
    }
    if not far.any():
        return cells, facts
    log.warning(
        "region %s: %d census cells (%.0f people) lie more than %.0f km outside; left out",
        manifest.slug,
        facts["cells"],
        facts["population"],
        FAR_CELL_M / 1000,
    )
    return cells.loc[~far], facts


def _read_subdistricts(manifest: Manifest, districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """The second district level (EPSG:4326) with ``parent_id``; None when not named."""
    from geo.districts import districts_from_file

    if manifest.subdistricts_file is None:
        return None
    sub = districts_from_file(
        manifest.subdistricts_file,
        name_column=manifest.subdistricts_name_column,
        key_column=manifest.subdistricts_key_column,
    )
    if manifest.subdistricts_parent_column is not None:
        raw = gpd.read_file(manifest.subdistricts_file, ignore_geometry=True)
        if manifest.subdistricts_parent_column not in raw.columns:
            raise InputDataError(
                f"column {manifest.subdistricts_parent_column!r} not found",
                path=manifest.subdistricts_file,
                field="subdistricts.parent_column",
                hint="name the column that holds the key of the containing district",
            )
        key_col = manifest.subdistricts_key_column or manifest.subdistricts_name_column
        parents = dict(
            zip(
                raw[key_col].map(str).str.strip(),
                raw[manifest.subdistricts_parent_column].map(str).str.strip(),
                strict=True,
            )
        )
        parent = sub.index.map(lambda k: parents.get(str(k)))
        unknown = sorted({p for p in parent if p is not None and p not in districts.index})
        if unknown:
            raise InputDataError(
                f"{len(unknown)} parent key(s) match no district, first {unknown[0]!r}",
                path=manifest.subdistricts_file,
                field="subdistricts.parent_column",
                hint="the parent column must hold the keys of districts.key_column",
            )
        sub["parent_id"] = list(parent)
    else:
        # the district that holds most of each subdistrict
        inner = sub.to_crs(CRS_MEASURE).representative_point()
        outer = districts.to_crs(CRS_MEASURE)
        joined = gpd.sjoin(
            gpd.GeoDataFrame(geometry=inner), outer[["geometry"]], predicate="within"
        )
        sub["parent_id"] = joined.groupby(level=0)["index_right"].first().reindex(sub.index)
    return sub


def _read_districts(manifest: Manifest) -> gpd.GeoDataFrame:
    from geo.districts import districts_from_file, districts_from_osm

    if manifest.districts_file is not None:
        return districts_from_file(
            manifest.districts_file,
            name_column=manifest.districts_name_column,
            key_column=manifest.districts_key_column,
        )
    if manifest.districts_from_osm and manifest.osm_file is not None:
        return districts_from_osm(manifest.osm_file, admin_levels=manifest.districts_admin_levels)
    return gpd.GeoDataFrame(
        {"name": pd.Series(dtype=object)},
        geometry=[],
        crs=CRS_STORE,
        index=pd.Index([], dtype=object, name="district_id"),
    )


def _read_cells(
    manifest: Manifest,
    districts: gpd.GeoDataFrame,
    boundary: shapely.Geometry,
) -> tuple[gpd.GeoDataFrame, dict[str, Any], dict[str, Any]]:
    """Census cells (EPSG:4326), how age groups were estimated, and the census facts.

    The facts (per file name: layout, suppressed and ignored counts) are taken from
    ``cells.attrs["census"]`` before later steps can drop the attrs.
    """
    from geo.census import read_census
    from geo.districts import assign_cells_to_districts

    if not manifest.census_files:
        empty = gpd.GeoDataFrame(
            {c: pd.Series(dtype=float) for c in POP_COLUMNS}, geometry=[], crs=CRS_STORE
        )
        return empty, {}, {}
    cells, estimated = read_census(manifest.census_files)
    census = _census_facts(cells.attrs.get("census", {}))
    cells = assign_cells_to_districts(cells, districts, boundary)
    return cells, dict(estimated), census


def _census_facts(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-ready part of ``cells.attrs["census"]``, files named without their folder."""

    def by_name(per_path: Mapping[str, Any]) -> dict[str, Any]:
        return {Path(path).name: value for path, value in per_path.items()}

    return {
        "files": [Path(p).name for p in attrs.get("files", [])],
        "layouts": by_name(attrs.get("layouts", {})),
        "cell_size_m": attrs.get("cell_size_m"),
        "cells_age_unknown": int(attrs.get("cells_age_unknown", 0)),
        "suppressed": by_name(attrs.get("suppressed", {})),
        "suppressed_total": int(attrs.get("suppressed_total", 0)),
        "ignored": by_name(attrs.get("ignored", {})),
        "pop_total_source": attrs.get("pop_total_source"),
    }


def _read_addresses(
    manifest: Manifest,
    *,
    networks: Mapping[str, Network],
    pois: gpd.GeoDataFrame,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The geocoder's address index (lon/lat in EPSG:4326) and the reader's dropped counts."""
    from geo.addresses import read_address_points, read_osm_addresses
    from geo.geocode import build_address_index

    frames = []
    dropped: dict[str, int] = {}
    if manifest.osm_file is not None:
        frames.append(read_osm_addresses(manifest.osm_file))
    # official address lists (ALKIS) come in the same columns as OSM addresses
    frames.extend(read_address_points(p) for p in manifest.addresses_files)
    for frame in frames:
        for k, v in frame.attrs.get("dropped", {}).items():
            dropped[str(k)] = dropped.get(str(k), 0) + int(v)
    if frames:
        raw = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    else:
        raw = pd.DataFrame(
            {c: pd.Series(dtype=float if c in ("lon", "lat") else str) for c in _ADDRESS_COLUMNS}
        )
    return build_address_index(addresses=raw, networks=networks, pois=pois), dropped


def _network_hull(net: Network) -> shapely.Geometry:
    pts = shapely.multipoints(np.column_stack([net.x, net.y]))
    hull = shapely.concave_hull(pts, ratio=0.2)
    return gpd.GeoSeries([hull], crs=CRS_MEASURE).to_crs(CRS_STORE).iloc[0]


def _basemap(
    networks: Mapping[str, Network], *, extract: Any, districts: gpd.GeoDataFrame
) -> dict[str, gpd.GeoDataFrame]:
    # The walk network covers footpaths, the drive network the motorways walkers may not use.
    parts = [pd.DataFrame({"hw": [], "name": [], "geometry": np.array([], dtype=object)})]
    for mode in ("walk", "drive"):
        if mode not in networks:
            continue  # a region without a street network
        net = networks[mode]
        parts.append(
            pd.DataFrame(
                {"hw": net.seg_highway, "name": net.seg_name, "geometry": net.segment_geometries}
            )
        )
    streets = pd.concat(parts, ignore_index=True)
    wkb = shapely.to_wkb(streets["geometry"].to_numpy())
    streets = streets.loc[~pd.Series(wkb).duplicated().to_numpy()]
    streets["cls"] = [street_class(h) for h in streets["hw"]]
    streets = streets.loc[streets["cls"].notna()]
    streets = gpd.GeoDataFrame(
        {
            "cls": streets["cls"].to_numpy(),
            "name": streets["name"].to_numpy(),
        },
        geometry=streets["geometry"].to_numpy(),
        crs=CRS_MEASURE,
    )
    streets = streets.set_geometry(streets.geometry.simplify(2.0)).to_crs(CRS_STORE)
    streets = streets.reset_index(drop=True)
    if extract is not None:
        areas = extract.areas.reset_index(drop=True)
        labels = extract.labels.reset_index(drop=True)
    else:
        areas = gpd.GeoDataFrame({"cls": pd.Series(dtype=str)}, geometry=[], crs=CRS_STORE)
        labels = gpd.GeoDataFrame(
            {"name": pd.Series(dtype=str), "cls": pd.Series(dtype=str)}, geometry=[], crs=CRS_STORE
        )
    if len(districts) and "name" in districts:
        pts = districts.to_crs(CRS_MEASURE).representative_point().to_crs(CRS_STORE)
        dl = gpd.GeoDataFrame(
            {"name": districts["name"].astype(str).to_numpy(), "cls": "district"},
            geometry=pts.to_numpy(),
            crs=CRS_STORE,
        )
        labels = pd.concat([labels, dl], ignore_index=True)
    return {"streets": streets, "areas": areas, "labels": labels}


def _empty_pois() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "osm_type": pd.Series(dtype=str),
            "osm_id": pd.Series(dtype=np.int64),
            "name": pd.Series(dtype=str),
            "tags": pd.Series(dtype=object),
        },
        geometry=[],
        crs=CRS_STORE,
    )


def _write_region(folder: Path, region: Region, info: dict[str, Any]) -> None:
    (folder / "networks").mkdir()
    for mode, net in region.networks.items():
        net.save(folder / "networks" / f"{mode}.npz")
    _write_gdf(region.cells, folder / "cells.parquet")
    _write_gdf(region.districts, folder / "districts.parquet")
    if region.subdistricts is not None:
        _write_gdf(region.subdistricts, folder / "subdistricts.parquet")
    pois = region.pois.copy()
    pois["tags"] = [json.dumps(t, ensure_ascii=False, sort_keys=True) for t in pois["tags"]]
    _write_gdf(pois, folder / "pois.parquet")
    region.addresses.to_parquet(folder / "addresses.parquet")
    for name in _BASEMAP_LAYERS:
        _write_gdf(region.basemap[name], folder / f"basemap_{name}.parquet")
    (folder / "boundary.wkb").write_bytes(shapely.to_wkb(region.boundary))
    (folder / "info.json").write_text(
        json.dumps(info, ensure_ascii=False, indent=1, default=_json_default), encoding="utf-8"
    )


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _write_gdf(gdf: gpd.GeoDataFrame, path: Path) -> None:
    gdf = gdf.set_crs(CRS_STORE) if gdf.crs is None else gdf.to_crs(CRS_STORE)
    gdf.to_parquet(path)


def _read_gdf(path: Path) -> gpd.GeoDataFrame:
    # Read through pyarrow and set the CRS by code: parsing the stored PROJJSON with
    # pyproj costs ~0.1 s per layer, a quarter of the warm-load budget.
    frame = pq.read_table(path).to_pandas()
    geometry = shapely.from_wkb(frame.pop("geometry").to_numpy())
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS_STORE)


class _DamagedCacheError(BildungslandkarteError):
    """A cache folder with a valid info.json but unreadable layers (load_region rebuilds)."""


def _read_region(folder: Path, manifest: Manifest) -> Region:
    try:
        info = json.loads((folder / "info.json").read_text(encoding="utf-8"))
        modes = MODES if info.get("has_network", True) else ()
        networks = {m: Network.load(folder / "networks" / f"{m}.npz") for m in modes}
        sub_path = folder / "subdistricts.parquet"
        subdistricts = _read_gdf(sub_path) if info.get("subdistricts") is not None else None
        pois = _read_gdf(folder / "pois.parquet")
        pois["tags"] = [json.loads(t) for t in pois["tags"]]
        region = Region(
            manifest=manifest,
            networks=networks,
            cells=_read_gdf(folder / "cells.parquet"),
            districts=_read_gdf(folder / "districts.parquet"),
            pois=pois,
            addresses=pd.read_parquet(folder / "addresses.parquet"),
            boundary=shapely.from_wkb((folder / "boundary.wkb").read_bytes()),
            basemap={
                name: _read_gdf(folder / f"basemap_{name}.parquet") for name in _BASEMAP_LAYERS
            },
            info=info,
            subdistricts=subdistricts,
        )
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, ShapelyError) as exc:
        raise _DamagedCacheError(f"the region cache {folder} is damaged ({exc})") from exc
    log.info("region %s: loaded from %s", manifest.slug, folder)
    return region
