"""What-if markers: planned offers (dashed purple "+") and removed ones (grey "x")."""

from __future__ import annotations

import folium
import geopandas as gpd

from layers.legend import Legend, LegendItem
from layers.pins import Pin
from layers.text import format_number, is_missing, layer_name, t

PLANNED_COLOR = "#6a3d9a"
REMOVED_COLOR = "#777777"


def _points(frame: gpd.GeoDataFrame | None, what: str) -> gpd.GeoDataFrame:
    if frame is None:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise ValueError(f"{what} must be in EPSG:4326, got {frame.crs}")
    return frame[frame.geometry.notna() & ~frame.geometry.is_empty]


def whatif_layer(
    planned: gpd.GeoDataFrame | None,
    removed: gpd.GeoDataFrame | None = None,
    *,
    lang: str,
    name: str | None = None,
    legend: bool = True,
) -> folium.FeatureGroup:
    """Planned and removed offers of a what-if scenario.

    Parameters
    ----------
    planned : GeoDataFrame or None
        EPSG:4326 points of planned offers; optional ``name`` and ``capacity``.
    removed : GeoDataFrame or None
        EPSG:4326 points of existing offers taken out; optional ``name``.
    lang : {"de", "en"}

    Returns
    -------
    folium.FeatureGroup
        Tooltips (escaped): "geplant: <name> · Kapazität 40".
    """
    group = folium.FeatureGroup(name=layer_name(name or t("what_if", lang)))
    plan = _points(planned, "planned")
    gone = _points(removed, "removed")
    for _, row in plan.iterrows():
        text = t("planned", lang)
        if not is_missing(row.get("name")):
            text += f": {row.get('name')}"
        if not is_missing(row.get("capacity")):
            text += f" · {t('capacity', lang)} {format_number(row.get('capacity'), lang=lang)}"
        Pin(row.geometry.y, row.geometry.x, icon="plus", kind="planned", tooltip=text).add_to(group)
    for _, row in gone.iterrows():
        text = t("removed", lang)
        if not is_missing(row.get("name")):
            text += f": {row.get('name')}"
        Pin(row.geometry.y, row.geometry.x, icon="xmark", kind="removed", tooltip=text).add_to(
            group
        )
    if legend and (len(plan) or len(gone)):
        items = []
        if len(plan):
            items.append(LegendItem(t("planned", lang), PLANNED_COLOR, icon="plus", shape="pin"))
        if len(gone):
            items.append(LegendItem(t("removed", lang), REMOVED_COLOR, icon="xmark", shape="pin"))
        Legend(t("what_if", lang), items, position="topleft").add_to(group)
    return group
