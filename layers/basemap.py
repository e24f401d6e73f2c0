"""Offline basemap drawn from the region's own data, served as one static GeoJSON file.

:func:`write_basemap` simplifies the region's streets, areas and place/district names
into ``static/basemap/<slug>-<cache key>.json`` once per region build and returns its
URL; :func:`basemap_layer` is a small Leaflet layer that fetches that file in the browser
(canvas renderer, styled by class, minor streets and paths only when zoomed in). Because
the file is static and cache-keyed, Streamlit reruns never resend it.

All geometry is stored in EPSG:4326; simplification tolerances are metres in EPSG:25832.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import branca
import folium
import geopandas as gpd
import numpy as np
import shapely
from folium.elements import JSCSSMixin

from geo.atomic import write_text_atomic
from geo.settings import CRS_MEASURE, CRS_STORE
from geo.streetclass import STREET_CLASSES, street_class
from layers.assets import default_static_dir, static_url, vendor_url
from layers.plainscript import PlainScript
from layers.text import layer_name, t

AREA_CLASSES: tuple[str, ...] = ("water", "green", "forest", "residential")

#: Douglas-Peucker tolerance per street class, metres (EPSG:25832).
SIMPLIFY_M: dict[str, float] = {
    "motorway": 4.0,
    "primary": 3.0,
    "secondary": 3.0,
    "minor": 2.5,
    "path": 2.5,
}
AREA_SIMPLIFY_M = 5.0
#: Areas smaller than this are not drawn (invisible at city zoom, costly to ship).
MIN_AREA_M2 = 400.0
#: 5 decimals of a degree are about 1 m: enough for a basemap, half the bytes of 15.
COORD_DECIMALS = 5

_SLUG_SAFE = re.compile(r"[^a-z0-9_-]+")


def _segments_as_streets(region: Any) -> gpd.GeoDataFrame:
    """Streets from the walk (else any) network's segments when the region has none."""
    nets: Mapping[str, Any] = region.networks or {}
    net = nets.get("walk") or next(iter(nets.values()), None)
    if net is None or net.n_segments == 0:
        return gpd.GeoDataFrame({"cls": []}, geometry=[], crs=CRS_STORE)
    cls = np.array([street_class(h) for h in net.seg_highway], dtype=object)
    keep = np.array([c is not None for c in cls])
    geoms = gpd.GeoSeries(net.segment_geometries[keep], crs=net.crs)
    return gpd.GeoDataFrame({"cls": cls[keep]}, geometry=geoms.values, crs=net.crs).to_crs(
        CRS_STORE
    )


def _layer(region: Any, name: str) -> gpd.GeoDataFrame | None:
    layers = getattr(region, "basemap", None) or {}
    gdf = layers.get(name)
    if gdf is None or len(gdf) == 0:
        return None
    return gdf


def _round(geoms: np.ndarray) -> np.ndarray:
    # set_precision snaps to a grid and may collapse tiny parts: that is what we want.
    return shapely.set_precision(geoms, 10.0**-COORD_DECIMALS)


def _street_features(streets: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    measured = streets.to_crs(CRS_MEASURE)
    features: list[dict[str, Any]] = []
    for cls in STREET_CLASSES:
        part = measured.geometry[measured["cls"].astype(str) == cls]
        if part.empty:
            continue
        simple = shapely.simplify(part.values, SIMPLIFY_M[cls], preserve_topology=False)
        lines = gpd.GeoSeries(simple, crs=CRS_MEASURE).to_crs(CRS_STORE).explode().values
        lines = _round(np.asarray(lines))
        lines = lines[~shapely.is_empty(lines) & (shapely.get_num_coordinates(lines) >= 2)]
        if len(lines) == 0:
            continue
        # One MultiLineString per class: one style, one canvas pass, few properties.
        merged = shapely.multilinestrings(list(lines))
        features.append({"k": "street", "c": cls, "geometry": merged})
    return features


def _area_features(areas: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    measured = areas.to_crs(CRS_MEASURE)
    measured = measured[measured.geometry.area >= MIN_AREA_M2]
    features: list[dict[str, Any]] = []
    for cls in AREA_CLASSES:
        part = measured.geometry[measured["cls"].astype(str) == cls]
        if part.empty:
            continue
        simple = shapely.simplify(part.values, AREA_SIMPLIFY_M, preserve_topology=True)
        polys = gpd.GeoSeries(simple, crs=CRS_MEASURE).to_crs(CRS_STORE).values
        polys = _round(np.asarray(polys))
        polys = polys[~shapely.is_empty(polys)]
        if len(polys) == 0:
            continue
        features.append({"k": "area", "c": cls, "geometry": shapely.union_all(polys)})
    return features


def _label_features(region: Any) -> list[dict[str, Any]]:
    features: list[dict[str, Any]] = []
    labels = _layer(region, "labels")
    if labels is not None:
        for name, cls, geom in zip(
            labels["name"].astype(str), labels["cls"].astype(str), labels.geometry, strict=True
        ):
            if name.strip() and geom is not None and not geom.is_empty:
                pt = geom if geom.geom_type == "Point" else geom.representative_point()
                features.append({"k": "label", "c": cls, "n": name.strip(), "geometry": pt})
    districts = getattr(region, "districts", None)
    # The build may already list district names as labels; draw each name once.
    have = {(f["n"], f["c"]) for f in features}
    if districts is not None and len(districts) > 0 and "name" in districts:
        # Label points inside the polygon (centroids can fall outside concave districts).
        points = districts.to_crs(CRS_MEASURE).representative_point().to_crs(CRS_STORE)
        for name, pt in zip(districts["name"].astype(str), points, strict=True):
            if name.strip() and (name.strip(), "district") not in have:
                features.append({"k": "label", "c": "district", "n": name.strip(), "geometry": pt})
    return features


def basemap_geojson(region: Any) -> dict[str, Any]:
    """The simplified basemap of ``region`` as a GeoJSON FeatureCollection (EPSG:4326).

    Streets come from ``region.basemap["streets"]`` (else the network segments),
    areas from ``region.basemap["areas"]``, labels from ``region.basemap["labels"]``
    plus the district names. Feature properties: ``k`` (street/area/label), ``c``
    (class), ``n`` (label text).
    """
    streets = _layer(region, "streets")
    if streets is None:
        streets = _segments_as_streets(region)
    features = []
    areas = _layer(region, "areas")
    if areas is not None:
        features += _area_features(areas)
    if len(streets):
        features += _street_features(streets)
    features += _label_features(region)
    out = []
    for feat in features:
        geom = feat.pop("geometry")
        out.append(
            {
                "type": "Feature",
                "properties": feat,
                "geometry": json.loads(shapely.to_geojson(geom)),
            }
        )
    fc: dict[str, Any] = {"type": "FeatureCollection", "features": out}
    boundary = getattr(region, "boundary", None)
    if boundary is not None and not boundary.is_empty:
        fc["bbox"] = [round(v, COORD_DECIMALS) for v in boundary.bounds]
    return fc


def _cache_key(region: Any) -> str:
    key = str((getattr(region, "info", None) or {}).get("cache_key") or "")
    if key:
        return _SLUG_SAFE.sub("-", key.lower())[:40]
    # No build key (hand-made regions in tests): hash what the basemap is drawn from.
    digest = hashlib.sha256()
    for name in ("streets", "areas", "labels"):
        gdf = _layer(region, name)
        if gdf is not None:
            digest.update(name.encode())
            digest.update(b"".join(shapely.to_wkb(gdf.geometry.values)))
    districts = getattr(region, "districts", None)
    if districts is not None and len(districts):
        digest.update("|".join(districts["name"].astype(str)).encode())
    return digest.hexdigest()[:16]


def basemap_filename(region: Any) -> str:
    """``<slug>-<cache key>.json``: a new build gets a new name, so no browser sees stale data."""
    slug = _SLUG_SAFE.sub("-", str(region.slug).lower()).strip("-") or "region"
    return f"{slug}-{_cache_key(region)}.json"


def write_basemap(
    region: Any,
    *,
    static_dir: str | Path | None = None,
    base: str | None = None,
    folder: str | Path | None = None,
    url_prefix: str | None = None,
) -> str:
    """Write the region's basemap once per cache key and return its URL.

    Parameters
    ----------
    region : geo.region.Region
        A built region (EPSG:4326 layers).
    static_dir : str or Path, optional
        The folder Streamlit serves as ``/app/static`` (default ``<repo>/static``);
        the file goes to its ``basemap`` subfolder.
    base : str, optional
        Static URL prefix (default ``BLK_STATIC_URL`` or ``/app/static``).
    folder, url_prefix : optional
        Write into ``folder`` itself and return ``<url_prefix>/<file>`` instead: the app
        keeps generated files in the work folder (``BLK_WORK_DIR``), served under
        ``url_prefix``, never in the code folder.

    Returns
    -------
    str
        URL of ``basemap/<slug>-<key>.json`` below the static prefix (or below
        ``url_prefix``). The file is written atomically (temp file, then rename) and
        reused when present.
    """
    if folder is not None:
        folder = Path(folder)
    else:
        folder = (Path(static_dir) if static_dir else default_static_dir()) / "basemap"
    name = basemap_filename(region)
    target = folder / name
    if not target.exists():
        text = json.dumps(basemap_geojson(region), separators=(",", ":"), ensure_ascii=False)
        # 0o644: the file is public web content.
        write_text_atomic(target, text, mode=0o644)
    if url_prefix is not None:
        return f"{url_prefix.rstrip('/')}/{name}"
    return f"{static_url(base=base)}/basemap/{name}"


class BasemapLayer(JSCSSMixin, PlainScript, folium.map.Layer):
    """A Leaflet layer group filled in the browser from the static basemap file.

    The script lives in ``static/vendor/blk/basemap.js`` (installed by
    ``python -m layers.assets install``); the page only carries the URL.
    """

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.layerGroup();
            {% if this.show %}
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {% endif %}
            if (window.BLK && window.BLK.basemap) {
                window.BLK.basemap({{ this._parent.get_name() }}, {{ this.get_name() }},
                                   {{ this.url|tojson }});
            }
        {% endmacro %}
        """
    )

    def __init__(
        self,
        url: str,
        *,
        name: str = "Grundkarte",
        show: bool = True,
        control: bool = True,
        base: str | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "BasemapLayer"
        self.url = url
        self.default_js = [("blk_basemap", vendor_url("blk/basemap.js", base=base))]
        self.default_css = [("blk_css", vendor_url("blk/blk.css", base=base))]


def basemap_layer(
    url: str,
    *,
    name: str | None = None,
    lang: str = "de",
    show: bool = True,
    base: str | None = None,
) -> BasemapLayer:
    """The offline basemap as a folium layer; ``url`` comes from :func:`write_basemap`.

    ``name`` in the layer control defaults to "Grundkarte"/"Base map" by ``lang``. Add
    it first, so every other layer draws above it (it also uses its own panes below
    Leaflet's overlay pane).
    """
    return BasemapLayer(url, name=layer_name(name or t("basemap", lang)), show=show, base=base)
