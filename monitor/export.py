"""Open-data export of a region's indicator values: long CSV, XLSX, GeoJSON.

- CSV (``.csv``): exactly :data:`monitor.model.EXPORT_COLUMNS`, one row per stored value
  (region totals with ``level = "region"``), comma-separated UTF-8 with a decimal point,
  so any open-data tool reads it. The definitions and sources go into a sidecar
  ``<name>.indikatoren.csv`` next to it.
- XLSX (``.xlsx``): sheet ``Werte`` (the same columns plus labels and notes) and sheet
  ``Indikatoren`` (key, labels, unit, domain, polarity, definition, source, numerator,
  denominator, formula, data date).
- GeoJSON (``.geojson``): the districts (EPSG:4326) with the latest value of every
  indicator as properties ``<key>`` and ``<key>__period``; a top-level member
  ``indicators`` holds the definitions and sources.

Text cells are neutralised against spreadsheet formulas (:func:`offers.safety.neutralise_formula`);
writes are atomic.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.atomic import write_atomic, write_text_atomic
from geo.errors import MonitorStoreError
from geo.settings import CRS_STORE
from monitor.model import EXPORT_COLUMNS, Indicator
from monitor.store import MonitorStore
from offers.safety import neutralise_formula

INDICATOR_COLUMNS: tuple[str, ...] = (
    "key",
    "label_de",
    "label_en",
    "unit",
    "domain",
    "polarity",
    "definition",
    "source",
    "numerator",
    "denominator",
    "formula",
    "data_date",
)


def indicator_table(indicators: list[Indicator]) -> pd.DataFrame:
    """One row per indicator with :data:`INDICATOR_COLUMNS`."""
    rows = [{c: getattr(i, c) for c in INDICATOR_COLUMNS} for i in indicators]
    return pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))


def _inert(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_formula)
    return out


def latest_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Per district and indicator the value of the latest period that has a number:
    columns ``area_key, indicator, period, value``."""
    known = frame[(frame["level"] == "district") & frame["value"].notna()]
    known = known.sort_values("period")
    last = known.groupby(["area_key", "indicator"], sort=True).tail(1)
    return last[["area_key", "indicator", "period", "value"]].reset_index(drop=True)


def export_values(
    store: MonitorStore, path: str | Path, *, districts: gpd.GeoDataFrame | None = None
) -> Path:
    """Write the store's values to ``path`` (format by suffix; see the module docstring).

    Parameters
    ----------
    store : MonitorStore
    path : str or Path
        ``.csv``, ``.xlsx`` or ``.geojson``.
    districts : GeoDataFrame, optional
        EPSG:4326 polygons indexed by district key with ``name`` (required for GeoJSON).

    Raises
    ------
    MonitorStoreError
        Unknown suffix, or GeoJSON without districts.
    """
    path = Path(path)
    frame = store.values_frame()
    inds = indicator_table(store.indicators())
    suffix = path.suffix.lower()
    if suffix == ".csv":
        long = _inert(frame[list(EXPORT_COLUMNS)])
        write_atomic(path, lambda tmp: long.to_csv(tmp, index=False, encoding="utf-8"))
        side = path.with_name(f"{path.stem}.indikatoren.csv")
        ind_frame = _inert(inds)
        write_atomic(side, lambda tmp: ind_frame.to_csv(tmp, index=False, encoding="utf-8"))
        return path
    if suffix == ".xlsx":
        values = _inert(frame)
        defs = _inert(inds)

        def write(tmp: Path) -> None:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                values.to_excel(xw, sheet_name="Werte", index=False)
                defs.to_excel(xw, sheet_name="Indikatoren", index=False)

        write_atomic(path, write)
        return path
    if suffix in (".geojson", ".json"):
        if districts is None:
            raise MonitorStoreError(
                "a GeoJSON export needs the region's districts; pass districts=."
            )
        gdf = districts[["name", "geometry"]].to_crs(CRS_STORE).copy()
        gdf.index = gdf.index.astype(str)
        last = latest_values(frame)
        props: dict[str, pd.Series] = {}
        for key, grp in last.groupby("indicator", sort=True):
            props[str(key)] = grp.set_index("area_key")["value"]
            props[f"{key}__period"] = grp.set_index("area_key")["period"]
        wide = pd.DataFrame(props).reindex(gdf.index)
        out = gpd.GeoDataFrame(
            pd.concat([gdf.drop(columns="geometry"), wide], axis=1),
            geometry=gdf.geometry,
            crs=CRS_STORE,
        )
        out.insert(0, "area_key", out.index)
        data = json.loads(out.to_json(na="null", drop_id=True))
        data["indicators"] = inds.to_dict("records")
        data["source"] = f"Bildungslandkarte, indicator store of {store.slug}"
        write_text_atomic(path, json.dumps(data, ensure_ascii=False))
        return path
    raise MonitorStoreError(f"unknown export format {suffix!r}; use .csv, .xlsx or .geojson.")
