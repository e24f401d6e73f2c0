"""A built region: everything the app and the analysis need, loaded from cache.

The builder (:mod:`geo.build`) turns a manifest's raw inputs into a :class:`Region`
and caches it on disk; :func:`geo.build.load_region` builds or loads one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.manifest import Manifest
from geo.network import Network


@dataclass(frozen=True, eq=False)
class Region:
    """A ready region.

    Attributes
    ----------
    manifest : Manifest
        The validated manifest it was built from.
    networks : Mapping[str, Network]
        ``"walk"``, ``"bike"``, ``"drive"`` networks (EPSG:25832 coordinates); empty
        for a region without a street network (see :attr:`has_network`).
    cells : GeoDataFrame
        Populated census cells, EPSG:4326 points at the cell centre, index
        ``cell_id`` (the ``GITTER_ID_100m``/``_1km``). Columns: ``x``, ``y`` (centre in
        EPSG:25832), ``cell_size_m``, ``pop_total`` and ``pop_<group>`` for every
        :data:`geo.agegroups.AGE_GROUPS` (float, NaN where unknown), ``age_known``
        (bool), and per mode ``node_<mode>`` (int, nearest network node) and
        ``snap_m_<mode>`` (float, distance to it in metres).
    districts : GeoDataFrame
        EPSG:4326 polygons, index ``district_id`` (str). Columns: ``name``,
        ``area_km2`` and the population columns (aggregated from cells by area
        share). Empty (with these columns) when the region has no districts.
    pois : GeoDataFrame
        Raw OSM points of interest, EPSG:4326 points. Columns: ``osm_type``
        (node/way/relation), ``osm_id`` (int), ``name``, ``tags`` (dict of all tags).
    addresses : DataFrame
        The offline geocoder's index. Columns: ``kind`` (``address``, ``street``,
        ``poi``), ``label`` (display text), ``street``, ``housenumber``, ``postcode``,
        ``city``, ``name``, ``lon``, ``lat`` (EPSG:4326).
    boundary : shapely geometry
        The region's outline in EPSG:4326 (union of districts, else the data's hull).
    basemap : Mapping[str, GeoDataFrame]
        Offline basemap layers in EPSG:4326: ``"streets"`` (lines, column ``cls`` in
        motorway/primary/secondary/minor/path), ``"areas"`` (polygons, column
        ``cls`` in water/green/forest/residential), ``"labels"`` (points, ``name``,
        ``cls``). Layers may be empty.
    subdistricts : GeoDataFrame
        A second, finer district level (EPSG:4326, index ``district_id``, columns
        ``name``, ``parent_id`` (the containing district or None), ``area_km2`` and
        the population columns); empty when the manifest names none.
    info : dict
        Build facts: counts, ``dropped`` counts (per mode, ``addresses``,
        ``districts``), ``census`` (files, layouts, suppressed/ignored counts per file
        name, ``cells_age_unknown``), ``build_seconds``,
        ``age_groups_estimated`` (group key -> how it was derived), ``sources``
        (title, file, date, attribution), ``cache_key``.
    """

    manifest: Manifest
    networks: Mapping[str, Network]
    cells: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    addresses: pd.DataFrame
    boundary: shapely.Geometry
    basemap: Mapping[str, gpd.GeoDataFrame]
    info: dict[str, Any] = field(default_factory=dict)
    subdistricts: gpd.GeoDataFrame | None = None

    @property
    def has_network(self) -> bool:
        """Whether travel times can be computed (the region has a street network).

        Without one, pages say so (:attr:`network_note`) and any distance is a
        straight line in EPSG:25832.
        """
        return bool(self.networks)

    @property
    def network_note(self) -> dict[str, str] | None:
        """Why there are no travel times and how to add a network; None when there are.

        A structured fact for the views (no UI text): ``reason`` (``"no_network"``),
        ``manifest`` (the file to edit) and ``keys`` (the manifest keys that add one).
        """
        if self.has_network:
            return None
        return {
            "reason": "no_network",
            "manifest": str(self.manifest.manifest_path),
            "keys": "network.osm | network.lines",
        }

    @property
    def slug(self) -> str:
        return self.manifest.slug

    @property
    def name(self) -> str:
        return self.manifest.name
