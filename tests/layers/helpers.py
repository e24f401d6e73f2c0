"""Helpers shared by the layer tests."""

from __future__ import annotations

import json
import re

import shapely

#: Around Wolfsburg's centre (Porschestraße), EPSG:4326.
CENTRE_LONLAT = (10.7865, 52.4227)
CUT = shapely.box(10.74, 52.40, 10.83, 52.45)
#: Markup, a template-literal expression, a backtick and a script end in one name.
XSS = "<img src=x onerror=alert(1)> ${alert(2)} `tick` </script>"


def script_strings(html_text: str) -> list[str]:
    """Every <script> body of a rendered page."""
    return re.findall(r"<script[^>]*>(.*?)</script>", html_text, flags=re.S)


def render(element) -> str:
    """The full standalone HTML of a folium map (or of a new map holding ``element``)."""
    import folium

    from layers.assets import finish_map, new_map

    if isinstance(element, folium.Map):
        m = element
    else:
        m = new_map(location=(CENTRE_LONLAT[1], CENTRE_LONLAT[0]), tiles=None)
        element.add_to(m)
    finish_map(m)
    return m.get_root().render()


def feature_collection(page: str) -> dict:
    """The first GeoJSON FeatureCollection a :class:`layers.geojson.FeatureLayer` wrote."""
    match = re.search(r"^\s*var features = (\{.*\});\s*$", page, flags=re.M)
    assert match, "no GeoJSON in page"
    return json.loads(match.group(1))


def unsafe_lines(page: str) -> list[str]:
    """Lines of a rendered page that carry the XSS payload outside a JSON string.

    Our elements pass data as JSON (``var rows = [...]``, ``bindTooltip("...")``,
    ``innerHTML = "..."``) or as GeoJSON data (``var features = {...}``); folium's
    ``Tooltip`` pastes raw text into a JavaScript template literal, where ``${...}``
    would run.
    """
    bad = []
    for line in page.splitlines():
        if "alert(" not in line:
            continue
        text = line.strip()
        if text.startswith(("var rows = ", "[")) or re.search(
            r'(bindTooltip|innerHTML = )\(?"', text
        ):
            continue
        if text.startswith("var features = {"):  # layers.geojson data, JSON-encoded
            continue
        bad.append(text[:200])
    return bad
