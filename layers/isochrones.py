"""Isochrone bands as translucent polygons, darkest for the shortest travel time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo.settings import CRS_MEASURE, CRS_STORE
from layers.geojson import FeatureLayer
from layers.legend import Legend, LegendItem
from layers.text import esc, format_number, layer_name, t

#: ColorBrewer Blues, light to dark.
BLUES: tuple[str, ...] = (
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
    "#08306b",
)
#: Smallest drawing tolerance: sharper than this no screen shows a band edge.
SIMPLIFY_M = 5.0
#: Drawn coordinates are rounded to this many degrees (1e-5 deg is about 1 m).
PRECISION_DEG = 1e-5
#: Half a pixel at the zoom the band is shown at: the simplified edge is indistinguishable.
TOLERANCE_PX = 0.5
_EARTH_PX_M = 156543.03392  # metres per pixel at zoom 0 on the equator (web mercator)


def draw_tolerance_m(zoom: int | None, *, lat: float, pixels: float = TOLERANCE_PX) -> float:
    """Simplification tolerance in metres (EPSG:25832) for drawing at web-map ``zoom``.

    ``pixels`` screen pixels at ``zoom`` and latitude ``lat`` (EPSG:4326), but never
    below :data:`SIMPLIFY_M`; without a zoom the floor is used.
    """
    if zoom is None:
        return SIMPLIFY_M
    metres_per_px = _EARTH_PX_M * np.cos(np.radians(lat)) / 2.0**zoom
    return max(SIMPLIFY_M, float(pixels * metres_per_px))


def draw_geometry(bands: gpd.GeoDataFrame, *, tolerance_m: float = SIMPLIFY_M) -> gpd.GeoSeries:
    """Band polygons as drawn: simplified in EPSG:25832, rounded to :data:`PRECISION_DEG`.

    Plain Douglas-Peucker: the topology-preserving variant costs ten times as much on
    the thousands of holes of a drive band and differs only where a hole narrower than
    about ``2 * tolerance_m`` (a pixel) closes. Leaflet fills rings even-odd, so a ring
    that touches itself after simplification still draws as the band.

    Parameters
    ----------
    bands : GeoDataFrame
        EPSG:4326 band polygons.
    tolerance_m : float
        Simplification tolerance in metres.

    Returns
    -------
    GeoSeries
        EPSG:4326, same index; every edge within about ``tolerance_m`` + 1 m of the input.
    """
    simple = bands.geometry.to_crs(CRS_MEASURE).simplify(tolerance_m, preserve_topology=False)
    # rounding (not a precision grid) keeps the JSON short and never fails on a touching ring
    decimals = round(-np.log10(PRECISION_DEG))
    rounded = shapely.transform(simple.to_crs(CRS_STORE).to_numpy(), lambda c: c.round(decimals))
    return gpd.GeoSeries(rounded, index=bands.index, crs=CRS_STORE)


def band_colors(n: int) -> list[str]:
    """``n`` colours from dark (shortest time) to light (longest)."""
    if n <= 0:
        return []
    idx = np.linspace(len(BLUES) - 1, 1, n) if n > 1 else np.array([len(BLUES) - 2])
    return [BLUES[round(i)] for i in idx]


def band_tooltip(minutes: float, area_km2: float | None, pop: float | None, *, lang: str) -> str:
    """``"bis 10 min · 3,2 km² · 12.345 Einwohner"`` (escaped)."""
    parts = [f"{t('within', lang)} {format_number(minutes, lang=lang)} min"]
    if area_km2 is not None and area_km2 == area_km2:
        parts.append(f"{format_number(area_km2, lang=lang, decimals=1)} km²")
    if pop is not None and pop == pop:
        parts.append(f"{format_number(pop, lang=lang)} {t('residents', lang)}")
    return esc(" · ".join(parts))


def band_features(
    bands: gpd.GeoDataFrame, *, lang: str, zoom: int | None = None
) -> list[dict[str, Any]]:
    """The bands as drawn: GeoJSON features (EPSG:4326), longest band first.

    The costly part of :func:`isochrone_layer` (simplifying thousands of holes), split
    out so that a caller can keep the result per start point, mode and zoom.

    Parameters
    ----------
    bands : GeoDataFrame
        EPSG:4326 polygons, one row per band, with ``minutes`` and optionally
        ``area_km2`` and ``pop_total`` (as from ``geo.access.isochrones``).
    lang : {"de", "en"}
        Language of the tooltips.
    zoom : int, optional
        Web-map zoom the bands are first shown at: edges are simplified to half a
        pixel there (:func:`draw_tolerance_m`), at least :data:`SIMPLIFY_M`. The
        tooltip's area and population come from ``bands`` and stay exact.

    Returns
    -------
    list of dict
        One feature per non-empty band; properties ``minutes``, ``color`` and the
        escaped tooltip ``tip``.
    """
    if "minutes" not in bands.columns:
        raise ValueError("bands need a 'minutes' column (geo.access.isochrones)")
    if bands.crs is not None and bands.crs.to_epsg() != 4326:
        raise ValueError(f"bands must be in EPSG:4326, got {bands.crs}")
    valid = bands[bands.geometry.notna() & ~bands.geometry.is_empty]
    if valid.empty:
        return []
    minutes_sorted = sorted({float(m) for m in valid["minutes"]})
    colors = dict(zip(minutes_sorted, band_colors(len(minutes_sorted)), strict=True))
    lat = float(np.mean(valid.total_bounds[1::2]))
    simple = draw_geometry(valid, tolerance_m=draw_tolerance_m(zoom, lat=lat))
    features = []
    for (_, row), geom in zip(valid.iterrows(), simple, strict=True):
        minutes = float(row["minutes"])
        area = row.get("area_km2")
        pop = row.get("pop_total")
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(geom),
                "properties": {
                    "minutes": minutes,
                    "color": colors[minutes],
                    "tip": band_tooltip(
                        minutes,
                        None if area is None else float(area),
                        None if pop is None else float(pop),
                        lang=lang,
                    ),
                },
            }
        )
    # Longest first, so the shortest (darkest) band is on top and gets the hover.
    features.sort(key=lambda f: -f["properties"]["minutes"])
    return features


def isochrone_layer(
    bands: gpd.GeoDataFrame | None,
    *,
    lang: str,
    name: str | None = None,
    fill_opacity: float = 0.28,
    legend: bool = True,
    show: bool = True,
    zoom: int | None = None,
    features: Sequence[dict[str, Any]] | None = None,
) -> folium.FeatureGroup:
    """Isochrone bands as a layer: translucent fills, darkest for the shortest time.

    Parameters
    ----------
    bands : GeoDataFrame or None
        EPSG:4326 band polygons (see :func:`band_features`); None when ``features``
        are given.
    lang : {"de", "en"}
    name : str, optional
        Layer control name (default "Einzugsbereich"/"Catchment area").
    fill_opacity : float
        Opacity of each band's fill (overlaps deepen the centre).
    legend, show : bool
    zoom : int, optional
        Web-map zoom the bands are first shown at (see :func:`band_features`).
    features : sequence of dict, optional
        ``band_features(bands, lang=lang, zoom=zoom)`` computed (and kept) earlier.

    Returns
    -------
    folium.FeatureGroup
    """
    if features is None:
        if bands is None:
            raise ValueError("isochrone_layer needs bands or their features")
        features = band_features(bands, lang=lang, zoom=zoom)
    group = folium.FeatureGroup(name=layer_name(name or t("catchment", lang)), show=show)
    if not features:
        return group
    FeatureLayer(
        features,
        style={"weight": 1.5, "fillOpacity": fill_opacity},
        style_from={"color": "color", "fillColor": "color"},
        hover={"weight": 3},
    ).add_to(group)
    if legend:
        colors = {f["properties"]["minutes"]: f["properties"]["color"] for f in features}
        items = [
            LegendItem(f"≤ {format_number(m, lang=lang)} min", colors[m], opacity=0.7)
            for m in sorted(colors)
        ]
        Legend(t("catchment", lang), items, position="bottomleft").add_to(group)
    return group
