"""The region's offer catalogue: seeded once from OSM and the manifest's lists.

:func:`load_offers` is what the app and the analysis call. On first use it fills the
region's store (:class:`offers.store.OfferStore`) from the region's OSM POIs
(:func:`offers.osm.offers_from_pois`) and then imports the manifest's
``offers.imports`` files (the 2017 school lists), whose rows merge with OSM records
under the duplicate rule of :mod:`offers.dedup`. The import reports, rejected rows and
merge decisions stay in the store (``store.imports()``, ``.rejected()``,
``.merges()``). Later calls only read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from geo.region import Region
from geo.settings import CRS_MEASURE, CRS_STORE, Paths, get_paths
from offers.osm import offers_from_pois
from offers.store import ImportReport, OfferStore

SEED_USER = "system"
#: Offers just outside the boundary still serve residents (the census clip reaches
#: 1 km beyond the region too).
AREA_MARGIN_M = 1000.0


def region_area(region: Region, *, margin_m: float = AREA_MARGIN_M) -> shapely.Geometry:
    """The region boundary grown by ``margin_m`` metres, in EPSG:4326."""
    series = gpd.GeoSeries([region.boundary], crs=CRS_STORE).to_crs(CRS_MEASURE)
    return series.buffer(margin_m).to_crs(CRS_STORE).iloc[0]


def _source_date(region: Region, path: Any) -> str:
    for src in region.manifest.sources:
        if src.path == path:
            return src.date
    return ""


def make_geocoder(region: Region) -> Any | None:
    """A :class:`geo.geocode.Geocoder` on the region's address index (None if empty)."""
    from geo.geocode import Geocoder

    if region.addresses is None or len(region.addresses) == 0:
        return None
    return Geocoder(region.addresses)


def ensure_seeded(region: Region, *, paths: Paths | None = None) -> list[ImportReport]:
    """Seed the region's store if that has not happened yet; returns the import reports.

    Each step is its own transaction and idempotent, so an interrupted seed is
    completed by the next call. A region with a new ``info["cache_key"]`` (rebuilt from
    changed inputs) is seeded again: new POIs are added, changed ones updated (edits
    survive where the POI did not change); POIs that disappeared stay in the store.
    """
    store = OfferStore(region.slug, paths=paths or get_paths())
    # A rebuilt region (new inputs, new cache key) is seeded again; the steps are
    # idempotent, so only new or changed POIs and rows cause changes.
    stamp = str(region.info.get("cache_key") or "yes")
    if store.meta("seeded") == stamp:
        return []
    poi_date = _source_date(region, region.manifest.pois_file or region.manifest.osm_file)
    store.seed(
        offers_from_pois(region.pois, updated=poi_date),
        user=SEED_USER,
        source="osm",
        key="seeded_osm",
    )
    reports = []
    area = region_area(region)
    manifest = region.manifest
    for path in manifest.offer_imports:
        reports.append(
            store.import_file(
                path,
                user=SEED_USER,
                mapping=manifest.offer_import_mappings.get(path),
                area=area,
                geocoder=None,
                # the school lists name no category: "schule_sonstige" unless the
                # manifest gives one ({file = ..., category = "kita"})
                default_category=manifest.offer_import_categories.get(path, "schule_sonstige"),
                updated=_source_date(region, path) or None,
            )
        )
    store.set_meta("seeded", stamp)
    return reports


def load_offers(region: Region, *, paths: Paths | None = None) -> gpd.GeoDataFrame:
    """The region's offers (EPSG:4326, index ``offer_id``), seeding the store on first use.

    Parameters
    ----------
    region : Region
        A loaded region (:func:`geo.build.load_region`).
    paths : Paths, optional
        Folders; the store is ``paths.work_dir / "offers" / f"{slug}.sqlite"``.
    """
    paths = paths or get_paths()
    ensure_seeded(region, paths=paths)
    return OfferStore(region.slug, paths=paths).offers()


def import_into_region(
    region: Region,
    path: str | Path,
    *,
    user: str,
    mapping: Mapping[str, str] | None = None,
    default_category: str | None = None,
    source: str | None = None,
    paths: Paths | None = None,
) -> ImportReport:
    """Import a file the way the CLI and the app should: seeded store, the region's
    geocoder for rows without coordinates, rows outside the region (+1 km) rejected.

    See :meth:`offers.store.OfferStore.import_file` for the parameters and errors.
    """
    paths = paths or get_paths()
    ensure_seeded(region, paths=paths)
    return OfferStore(region.slug, paths=paths).import_file(
        path,
        user=user,
        mapping=mapping,
        geocoder=make_geocoder(region),
        area=region_area(region),
        default_category=default_category,
        source=source,
    )
