"""Map legends as Leaflet controls (no branca colormap: that would load d3 from a CDN).

A :class:`Legend` added to a layer (``FeatureGroup``) appears and disappears with that
layer in the layer control; added to the map it is always shown. All labels are escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import branca
import folium

from layers.plainscript import PlainScript
from layers.text import css_color, esc, format_value, js_json, t

SHAPES: tuple[str, ...] = ("square", "round", "line", "pin")
POSITIONS: tuple[str, ...] = ("topleft", "topright", "bottomleft", "bottomright")


@dataclass(frozen=True)
class LegendItem:
    """One legend row.

    Attributes
    ----------
    label : str
        Plain text (escaped when drawn).
    color : str
        CSS colour (hex or name).
    icon : str, optional
        Font Awesome 6 solid icon name without ``fa-``.
    shape : str
        ``square``, ``round``, ``line`` or ``pin``.
    opacity : float
        Swatch fill opacity, 0–1.
    """

    label: str
    color: str
    icon: str | None = None
    shape: str = "square"
    opacity: float = 1.0

    def __post_init__(self) -> None:
        css_color(self.color)
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {SHAPES}, got {self.shape!r}")
        if not 0.0 <= self.opacity <= 1.0:
            raise ValueError(f"opacity must be within 0..1, got {self.opacity}")


def _icon_class(icon: str) -> str:
    # Font Awesome names are [a-z0-9-]; anything else would be markup.
    clean = "".join(ch for ch in icon.lower() if ch.isalnum() or ch == "-")
    return f"fa-solid fa-{clean}"


def _swatch(item: LegendItem) -> str:
    color = css_color(item.color)
    if item.shape == "pin" and item.icon:
        return (
            f'<span class="blk-pin blk-pin-small" style="background:{color}">'
            f'<i class="{_icon_class(item.icon)}"></i></span>'
        )
    if item.icon:
        return (
            f'<span class="blk-icon" style="color:{color}">'
            f'<i class="{_icon_class(item.icon)}"></i></span>'
        )
    if item.shape == "line":
        return f'<span class="blk-swatch" style="height:3px;border:none;background:{color}"></span>'
    extra = " blk-round" if item.shape == "round" else ""
    return (
        f'<span class="blk-swatch{extra}" style="background:{color};opacity:{item.opacity:.2f}">'
        "</span>"
    )


#: Legends with more rows start folded (a native <details>, no script needed).
FOLD_ROWS = 8


def legend_html(
    title: str,
    items: Sequence[LegendItem],
    *,
    note: str | None = None,
    folded: bool | None = None,
) -> str:
    """The legend's inner HTML (every text escaped).

    ``folded`` (default: more than :data:`FOLD_ROWS` rows) shows only the title until
    clicked.
    """
    rows = "".join(
        f'<div class="blk-legend-row">{_swatch(item)}<span>{esc(item.label)}</span></div>'
        for item in items
    )
    foot = f'<div class="blk-legend-note">{esc(note)}</div>' if note else ""
    fold = len(items) > FOLD_ROWS if folded is None else folded
    if fold:
        return (
            f'<details><summary class="blk-legend-title">{esc(title)}</summary>'
            f"{rows}{foot}</details>"
        )
    return f'<div class="blk-legend-title">{esc(title)}</div>{rows}{foot}'


class Legend(PlainScript, folium.MacroElement):
    """A legend control; follows its parent layer's visibility.

    Parameters
    ----------
    title : str
        Heading (plain text).
    items : sequence of LegendItem
        Rows, top to bottom.
    note : str, optional
        Small print below the rows (units, source).
    position : str
        Leaflet control corner.
    """

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var parent = {{ this._parent.get_name() }};
                var legend = L.control({ position: {{ this.position|tojson }} });
                legend.onAdd = function () {
                    var div = L.DomUtil.create("div", "blk-legend leaflet-control");
                    div.innerHTML = {{ this.html_json }};
                    L.DomEvent.disableClickPropagation(div);
                    return div;
                };
                if (parent instanceof L.Map) {
                    legend.addTo(parent);
                } else {
                    parent.on("add", function () { legend.addTo(parent._map); });
                    parent.on("remove", function () { legend.remove(); });
                    if (parent._map) { legend.addTo(parent._map); }
                }
            })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        title: str,
        items: Sequence[LegendItem],
        *,
        note: str | None = None,
        position: str = "bottomright",
        folded: bool | None = None,
    ) -> None:
        super().__init__()
        if position not in POSITIONS:
            raise ValueError(f"position must be one of {POSITIONS}, got {position!r}")
        self._name = "Legend"
        self.position = position
        self.html = legend_html(title, items, note=note, folded=folded)
        self.html_json = js_json(self.html)


def class_items(
    edges: Sequence[float],
    colors: Sequence[str],
    *,
    lang: str,
    unit: str = "",
    decimals: int = 0,
    lower: float | None = None,
) -> list[LegendItem]:
    """Rows for a classified map: ``lower–edge1``, ``edge1–edge2``, … (German numbers)."""
    if len(edges) != len(colors):
        raise ValueError(f"{len(edges)} class edges but {len(colors)} colours")
    items = []
    prev = lower
    for edge, color in zip(edges, colors, strict=True):
        hi = format_value(edge, lang=lang, unit=unit, decimals=decimals)
        if prev is None:
            label = f"≤ {hi}"
        else:
            lo = format_value(prev, lang=lang, unit="%" if unit == "%" else "", decimals=decimals)
            bare = format_value(edge, lang=lang, unit="%" if unit == "%" else "", decimals=decimals)
            # A class holding one value (common with counts) reads "2", not "2 – 2".
            label = hi if lo == bare else f"{lo} – {hi}"
        items.append(LegendItem(label, color, opacity=0.8))
        prev = edge
    return items


def no_data_item(*, lang: str, color: str = "#bdbdbd") -> LegendItem:
    """The grey "no data" row."""
    return LegendItem(t("no_data", lang), color, opacity=0.6)
