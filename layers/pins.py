"""Single round pins with a Font Awesome icon and an escaped tooltip.

folium's ``Tooltip`` puts its text into a JavaScript template literal, where a
``${...}`` in data would run as code; these pins pass every text as JSON instead.
"""

from __future__ import annotations

import branca
import folium

from layers.plainscript import PlainScript
from layers.text import esc, js_json

PIN_KINDS: tuple[str, ...] = ("origin", "planned", "removed", "plain")


class Pin(PlainScript, folium.MacroElement):
    """A ``L.marker`` with a ``divIcon`` pin; ``tooltip`` is plain text (escaped here)."""

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.marker({{ this.location_json }}, {
                icon: L.divIcon({
                    className: "blk-pin-icon",
                    html: {{ this.icon_json }},
                    iconSize: [30, 30], iconAnchor: [15, 15], tooltipAnchor: [12, 0]
                }),
                zIndexOffset: {{ this.z_index_offset }},
                keyboard: false
            }).addTo({{ this._parent.get_name() }});
            {% if this.tooltip_json %}
            {{ this.get_name() }}.bindTooltip({{ this.tooltip_json }}, { direction: "right" });
            {% endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        lat: float,
        lon: float,
        *,
        icon: str,
        kind: str = "plain",
        tooltip: str | None = None,
        z_index_offset: int = 1000,
    ) -> None:
        super().__init__()
        if kind not in PIN_KINDS:
            raise ValueError(f"kind must be one of {PIN_KINDS}, got {kind!r}")
        self._name = "Pin"
        name = "".join(ch for ch in icon.lower() if ch.isalnum() or ch == "-")
        self.location = (float(lat), float(lon))
        self.location_json = js_json([round(self.location[0], 7), round(self.location[1], 7)])
        self.icon_json = js_json(
            f'<span class="blk-pin blk-pin-{kind}"><i class="fa-solid fa-{name}"></i></span>'
        )
        self.tooltip_json = js_json(esc(tooltip)) if tooltip else ""
        self.z_index_offset = int(z_index_offset)
