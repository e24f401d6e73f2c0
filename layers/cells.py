"""Underserved 100 m census cells as squares, drawn on a canvas from one JSON array.

Thousands of cells stay fast: one element, one canvas renderer, no per-cell folium
object. Squares are the cells' true outlines (EPSG:25832 square around the centre,
projected to EPSG:4326).
"""

from __future__ import annotations

from collections.abc import Sequence

import branca
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.settings import CRS_MEASURE, CRS_STORE
from layers.choropleth import classify, pick_colors
from layers.legend import Legend, class_items
from layers.plainscript import PlainScript
from layers.text import esc, format_number, format_value, js_json, layer_name, t

#: ColorBrewer OrRd (light to dark): the darker, the worse the gap.
ORRD: tuple[str, ...] = ("#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000")


class CellSquares(PlainScript, folium.MacroElement):
    """Squares from ``[[lat, lon] x 4, colour index, tooltip]`` rows on a canvas.

    The rows reach the figure as plain text (:class:`layers.plainscript.PlainScript`).
    """

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var parent = {{ this._parent.get_name() }};
                var colors = {{ this.colors_json }};
                var rows = {{ this.data_json }};
                var renderer = L.canvas({ padding: 0.3 });
                rows.forEach(function (r) {
                    var c = colors[r[4]];
                    L.polygon([r[0], r[1], r[2], r[3]], {
                        renderer: renderer, stroke: true, weight: 0.5, color: c,
                        fillColor: c, fillOpacity: {{ this.fill_opacity }}
                    }).bindTooltip(r[5], { sticky: true }).addTo(parent);
                });
            })();
        {% endmacro %}
        """
    )

    def __init__(
        self, rows: Sequence[Sequence[object]], colors: Sequence[str], *, fill_opacity: float
    ) -> None:
        super().__init__()
        self._name = "CellSquares"
        self.data_json = js_json([list(r) for r in rows])
        self.colors_json = js_json(list(colors))
        self.fill_opacity = float(fill_opacity)

    @classmethod
    def from_json(
        cls, data_json: str, colors: Sequence[str], *, fill_opacity: float
    ) -> CellSquares:
        """Squares from rows already encoded as one JSON array (:func:`layers.text.js_json`)."""
        squares = cls((), colors, fill_opacity=fill_opacity)
        squares.data_json = data_json
        return squares


def cell_corners(cells: gpd.GeoDataFrame, *, size_m: float | pd.Series = 100.0) -> np.ndarray:
    """Corner coordinates (lat, lon) of each cell square, shape (n, 4, 2), EPSG:4326.

    Uses the ``x``/``y`` columns (EPSG:25832 centre) when present, else the geometry.
    """
    if {"x", "y"} <= set(cells.columns):
        x = cells["x"].to_numpy(dtype=float)
        y = cells["y"].to_numpy(dtype=float)
    else:
        pts = cells.geometry.to_crs(CRS_MEASURE)
        x, y = pts.x.to_numpy(), pts.y.to_numpy()
    half = np.broadcast_to(np.asarray(size_m, dtype=float) / 2.0, x.shape)
    dx = np.array([-1, 1, 1, -1], dtype=float)
    dy = np.array([-1, -1, 1, 1], dtype=float)
    cx = x[:, None] + dx[None, :] * half[:, None]
    cy = y[:, None] + dy[None, :] * half[:, None]
    to_store = Transformer.from_crs(CRS_MEASURE, CRS_STORE, always_xy=True)
    lon, lat = to_store.transform(cx.ravel(), cy.ravel())
    return np.stack([np.asarray(lat), np.asarray(lon)], axis=-1).reshape(len(x), 4, 2)


def cell_corner_json(corners: np.ndarray) -> list[str | None]:
    """Each cell's four corners as JSON text, ``[lat,lon],[lat,lon],[lat,lon],[lat,lon]``.

    Rounded to 6 decimals (EPSG:4326, from :func:`cell_corners`), exactly as
    :func:`gap_layer` writes them; None for a cell without finite coordinates. Encoding
    the numbers is most of a large gap layer's cost, and the squares never change for a
    region, so a page can encode them once and pass them as ``corner_json``.
    """
    rounded = np.round(np.asarray(corners, dtype=float), 6)
    finite = np.isfinite(rounded).all(axis=(1, 2))
    out: list[str | None] = [None] * len(rounded)
    rows = rounded[finite].tolist()
    if rows:
        # one encoding for all rows, cut between rows (numbers hold no brackets):
        # a js_json call per row costs more than the whole array
        pieces = js_json(rows)[3:-3].split("]],[[")
        for i, piece in zip(np.flatnonzero(finite).tolist(), pieces, strict=True):
            out[i] = f"[{piece}]"
    return out


def gap_layer(
    cells: gpd.GeoDataFrame,
    *,
    value_column: str,
    lang: str,
    label: str | None = None,
    unit: str = "",
    name: str | None = None,
    pop_column: str | None = "pop_total",
    scheme: str = "Quantiles",
    k: int = 4,
    palette: Sequence[str] = ORRD,
    fill_opacity: float = 0.6,
    decimals: int = 0,
    legend: bool = True,
    show: bool = True,
    corners: np.ndarray | None = None,
    corner_json: Sequence[str | None] | None = None,
) -> folium.FeatureGroup:
    """Underserved cells as coloured squares (darker = worse), with tooltips and legend.

    Parameters
    ----------
    cells : GeoDataFrame
        The cells to draw (already filtered to the gaps), EPSG:4326 centre points with
        ``x``/``y`` (EPSG:25832) and ``cell_size_m`` as in ``Region.cells``.
    value_column : str
        Numeric column that colours the cells (e.g. travel minutes or unserved people).
    lang : {"de", "en"}
    label, unit : str
        Name and unit of the value in tooltip and legend.
    pop_column : str, optional
        Population column shown in the tooltip.
    scheme, k, palette : mapclassify scheme, class count, colours light to dark.
    corners : ndarray, optional
        The squares' corners from :func:`cell_corners`, shape (len(cells), 4, 2),
        (lat, lon) in EPSG:4326 and aligned with ``cells``; computed when not given
        (a page can compute them once per region and pick the gap rows).
    corner_json : sequence of str, optional
        The same corners already encoded by :func:`cell_corner_json`, aligned with
        ``cells`` (instead of ``corners``).

    Returns
    -------
    folium.FeatureGroup
    """
    if value_column not in cells.columns:
        raise ValueError(f"cells have no column {value_column!r}")
    title = name or t("gaps", lang)
    label = label or value_column
    group = folium.FeatureGroup(name=layer_name(title), show=show)
    if cells.empty:
        return group
    values = pd.to_numeric(cells[value_column], errors="coerce")
    classes = classify(values, scheme=scheme, k=k, palette=palette)
    if corner_json is not None:
        if corners is not None:
            raise ValueError("give corners or corner_json, not both")
        if len(corner_json) != len(cells):
            raise ValueError(f"corner_json must have {len(cells)} rows, got {len(corner_json)}")
    else:
        if corners is None:
            size = cells["cell_size_m"] if "cell_size_m" in cells.columns else 100.0
            corners = cell_corners(cells, size_m=size)
        elif corners.shape != (len(cells), 4, 2):
            raise ValueError(f"corners must have shape ({len(cells)}, 4, 2), got {corners.shape}")
    colors = list(classes.colors) or pick_colors(1, palette=palette)
    pops = (
        cells[pop_column].to_numpy(dtype=float)
        if pop_column and pop_column in cells.columns
        else None
    )
    # Positional arrays: label lookups per cell cost more than the drawing itself.
    klass = classes.row_class.to_numpy()
    vals = values.to_numpy(dtype=float)
    drawn = np.flatnonzero(klass >= 0)
    if corner_json is None:
        assert corners is not None
        corner_json = dict(zip(drawn.tolist(), cell_corner_json(corners[drawn]), strict=True))
    head = f"{esc(label)}: "
    tail = f" {esc(t('residents', lang))}"
    # cells share few distinct values (people, minutes): format and encode each once
    shown: dict[float, str] = {}
    residents: dict[float, str] = {}
    encoded: dict[str, str] = {}
    # the rows array written piece by piece: the same text as js_json(rows), whose
    # float encoding was most of a large layer's cost
    parts = []
    for i in drawn.tolist():
        value = vals[i]
        text = shown.get(value)
        if text is None:
            text = shown[value] = esc(format_value(value, lang=lang, unit=unit, decimals=decimals))
        tip = head + text
        if pops is not None:
            pop = pops[i]
            people = residents.get(pop)
            if people is None:
                people = residents[pop] = "<br>" + esc(format_number(pop, lang=lang)) + tail
            tip += people
        tip_json = encoded.get(tip)
        if tip_json is None:
            tip_json = encoded[tip] = js_json(tip)
        square = corner_json[i]
        if square is None:
            raise ValueError(f"cell {cells.index[i]!r} has no finite corner coordinates")
        parts.append(f"[{square},{int(klass[i])},{tip_json}]")
    data_json = "[" + ",".join(parts) + "]"
    CellSquares.from_json(data_json, colors, fill_opacity=fill_opacity).add_to(group)
    if legend and classes.edges:
        items = class_items(
            classes.edges,
            classes.colors,
            lang=lang,
            unit=unit,
            decimals=decimals,
            lower=classes.lower,
        )
        Legend(title, items, note=label, position="bottomleft").add_to(group)
    return group
