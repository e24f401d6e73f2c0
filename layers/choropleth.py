"""Districts coloured by a value, classed with mapclassify, with tooltips and a legend."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import shapely

from geo.settings import CRS_MEASURE, CRS_STORE
from layers.geojson import FeatureLayer
from layers.legend import Legend, class_items, no_data_item
from layers.text import css_color, esc, format_value, layer_name, t

#: ColorBrewer YlGnBu (light = low, dark = high), 7 classes.
YLGNBU: tuple[str, ...] = (
    "#ffffcc",
    "#c7e9b4",
    "#7fcdbb",
    "#41b6c4",
    "#1d91c0",
    "#225ea8",
    "#0c2c84",
)
NO_DATA_COLOR = "#bdbdbd"
SIMPLIFY_M = 8.0
SCHEMES: tuple[str, ...] = (
    "Quantiles",
    "EqualInterval",
    "NaturalBreaks",
    "FisherJenks",
    "JenksCaspall",
    "MaximumBreaks",
    "Percentiles",
    "StdMean",
    "BoxPlot",
    "HeadTailBreaks",
)


class DistrictFeatures(FeatureLayer):
    """The district polygons: a :class:`layers.geojson.FeatureLayer` (whose script, the
    outlines as one JSON literal, reaches the figure as plain text, not re-lexed as Jinja).
    """


@dataclass(frozen=True)
class Classes:
    """A classification: upper class edges, colour per class and class per row.

    ``row_class`` is aligned with the input index; -1 marks rows without a value.
    """

    edges: tuple[float, ...]
    colors: tuple[str, ...]
    row_class: pd.Series
    lower: float | None


def pick_colors(k: int, *, palette: Sequence[str] = YLGNBU, reverse: bool = False) -> list[str]:
    """``k`` colours spread over ``palette`` (light to dark; reversed on request)."""
    if k <= 0:
        return []
    pal = [css_color(c) for c in palette]
    if reverse:
        pal = pal[::-1]
    if k == 1:
        return [pal[len(pal) // 2]]
    idx = np.linspace(0, len(pal) - 1, k)
    return [pal[round(i)] for i in idx]


def classify(
    values: pd.Series,
    *,
    scheme: str = "Quantiles",
    k: int = 5,
    palette: Sequence[str] = YLGNBU,
    reverse: bool = False,
) -> Classes:
    """Class the finite values with mapclassify; fewer distinct values -> fewer classes.

    Raises
    ------
    ValueError
        Unknown scheme or ``k`` < 1.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    ok = np.isfinite(numeric.to_numpy())
    # classes on a plain array, one Series at the end: masked Series writes cost ms each
    row = np.full(len(values), -1, dtype="int64")
    if not ok.any():
        return Classes((), (), pd.Series(row, index=values.index), None)
    y = numeric.to_numpy()[ok]
    distinct = np.unique(y)
    if len(distinct) <= 1:
        row[ok] = 0
        colors = tuple(pick_colors(1, palette=palette))
        return Classes((float(distinct[0]),), colors, pd.Series(row, index=values.index), None)
    k_eff = min(k, len(distinct))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns when it reduces k itself
        if scheme in ("Quantiles", "EqualInterval", "NaturalBreaks", "FisherJenks", "JenksCaspall"):
            clf = mapclassify.classify(y, scheme, k=k_eff)
        else:
            clf = mapclassify.classify(y, scheme)
    edges = tuple(float(b) for b in clf.bins)
    row[ok] = np.asarray(clf.yb, dtype="int64")
    colors = tuple(pick_colors(len(edges), palette=palette, reverse=reverse))
    return Classes(edges, colors, pd.Series(row, index=values.index), float(y.min()))


def _decimals(values: pd.Series, unit: str) -> int:
    if unit == "%":
        return 0
    finite = pd.to_numeric(values, errors="coerce").abs()
    top = float(finite.max()) if finite.notna().any() else 0.0
    return 2 if top < 10 else 1 if top < 100 else 0


def district_shapes(districts: gpd.GeoDataFrame) -> dict[Hashable, dict[str, Any]]:
    """The drawn outline of each district: simplified GeoJSON geometry, EPSG:4326.

    Simplified by :data:`SIMPLIFY_M` metres in EPSG:25832 and snapped to 1e-6 degrees;
    missing or empty geometries are left out. The outlines change only with the
    region, so a page can compute them once and pass them to :func:`district_layer`.

    Parameters
    ----------
    districts : GeoDataFrame
        EPSG:4326 polygons.

    Returns
    -------
    dict
        Index label -> GeoJSON geometry mapping (EPSG:4326).
    """
    if districts.crs is not None and districts.crs.to_epsg() != 4326:
        raise ValueError(f"districts must be in EPSG:4326, got {districts.crs}")
    geoms = districts.geometry.to_crs(CRS_MEASURE).simplify(SIMPLIFY_M).to_crs(CRS_STORE)
    return {
        idx: shapely.geometry.mapping(shapely.set_precision(geom, 1e-6))
        for idx, geom in zip(districts.index, geoms, strict=True)
        if geom is not None and not geom.is_empty
    }


def district_layer(
    districts: gpd.GeoDataFrame,
    *,
    column: str,
    label: str,
    unit: str,
    lang: str,
    scheme: str = "Quantiles",
    k: int = 5,
    name: str | None = None,
    name_column: str = "name",
    palette: Sequence[str] = YLGNBU,
    reverse: bool = False,
    decimals: int | None = None,
    legend: bool = True,
    show: bool = True,
    shapes: Mapping[Hashable, Mapping[str, Any]] | None = None,
) -> folium.FeatureGroup:
    """Districts as a choropleth of ``column`` with tooltips and a class legend.

    Parameters
    ----------
    districts : GeoDataFrame
        EPSG:4326 polygons (``geo.region.Region.districts`` joined with results).
    column : str
        Numeric column to colour by; NaN is drawn grey ("keine Daten").
    label : str
        What the value is, shown in tooltip and legend title (plain text).
    unit : str
        Unit after the number; ``"%"`` means the column holds shares 0–1.
    lang : {"de", "en"}
        Tooltip/legend language and number format (1.234,5 in German).
    scheme, k : str, int
        mapclassify scheme (see :data:`SCHEMES`) and class count.
    name_column : str
        Column with the district name (the index is used when missing).
    palette, reverse : sequence of str, bool
        Colours light to dark; ``reverse`` when high values are bad (travel time).
    decimals : int, optional
        Decimals in tooltips/legend (guessed from the value range by default).
    shapes : mapping, optional
        The outlines from :func:`district_shapes` of these districts (EPSG:4326),
        computed here when not given; rows without a shape are not drawn.

    Returns
    -------
    folium.FeatureGroup
    """
    if column not in districts.columns:
        raise ValueError(
            f"district table has no column {column!r}; available: {', '.join(districts.columns)}"
        )
    if districts.crs is not None and districts.crs.to_epsg() != 4326:
        raise ValueError(f"districts must be in EPSG:4326, got {districts.crs}")
    values = pd.to_numeric(districts[column], errors="coerce")
    classes = classify(values, scheme=scheme, k=k, palette=palette, reverse=reverse)
    dec = _decimals(values, unit) if decimals is None else decimals
    names = (
        districts[name_column].astype(str)
        if name_column in districts.columns
        else pd.Series(districts.index.astype(str), index=districts.index)
    )
    if shapes is None:
        shapes = district_shapes(districts)
    # positional arrays: label lookups per district cost more than building the features
    klass = classes.row_class.to_numpy()
    vals = values.to_numpy(dtype=float)
    name_list = names.tolist()
    features = []
    for i, idx in enumerate(districts.index):
        geom = shapes.get(idx)
        if geom is None:
            continue
        cls = int(klass[i])
        color = classes.colors[cls] if cls >= 0 else NO_DATA_COLOR
        shown = format_value(vals[i], lang=lang, unit=unit, decimals=dec)
        if shown == "–":
            shown = t("no_data", lang)
        tip = f"<b>{esc(name_list[i])}</b><br>{esc(label)}: {esc(shown)}"
        features.append(
            {
                "type": "Feature",
                "id": str(idx),
                "geometry": geom,
                "properties": {
                    "color": color,
                    "opacity": 0.4 if cls < 0 else 0.55,
                    "tip": tip,
                    "nodata": cls < 0,
                },
            }
        )
    title = name or label
    group = folium.FeatureGroup(name=layer_name(title), show=show)
    DistrictFeatures(
        features,
        style={"color": "#555555", "weight": 1},
        style_from={"fillColor": "color", "fillOpacity": "opacity"},
        hover={"weight": 3, "color": "#222222"},
        sticky=True,
    ).add_to(group)
    if legend:
        items = class_items(
            classes.edges,
            classes.colors,
            lang=lang,
            unit=unit,
            decimals=dec,
            lower=classes.lower,
        )
        if (classes.row_class < 0).any():
            items.append(no_data_item(lang=lang, color=NO_DATA_COLOR))
        note = f"{scheme}, k = {len(classes.edges)}"
        if unit and unit != "%":
            note += f" · {unit}"
        Legend(label, items, note=note, position="bottomright").add_to(group)
    return group
