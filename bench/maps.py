"""Speed of the map layers against plain folium, measured in the same run.

``python bench/maps.py [--repeat 3]`` builds the Wolfsburg region (or loads it from
cache), then times building + rendering the map script that streamlit-folium sends on
every rerun: all offers (clustered, popups, tooltips) and all populated 100 m cells,

- with :mod:`layers` (one JSON array per layer, canvas cells), and
- with the folium idiom as a baseline (one ``Marker``/``Popup``/``Tooltip`` per offer,
  cells as a ``GeoJson`` of squares),

and prints seconds, script size and the ratio baseline / ours. It lives in ``bench/``
(formerly ``layers/bench.py``) because it imports streamlit-folium, and only ``app.py``
and ``views/`` may import streamlit.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import folium
import folium.plugins
import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from geo.settings import CRS_MEASURE, CRS_STORE  # noqa: E402 - needs the repository on the path


def _script_size(m: folium.Map) -> int:
    from streamlit_folium import _get_map_string  # what st_folium sends

    m.render()
    return len(_get_map_string(m))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison and print one line per variant plus the ratio."""
    parser = argparse.ArgumentParser(prog="python bench/maps.py", description=__doc__)
    parser.add_argument("--region", default="wolfsburg")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from geo.build import load_region
    from layers.assets import finish_map, new_map
    from layers.cells import gap_layer
    from layers.offers import offer_layer
    from offers.osm import offers_from_pois

    region = load_region(args.region)
    offers = offers_from_pois(region.pois)
    cells = region.cells.assign(v=np.random.default_rng(1).random(len(region.cells)))
    centre = (region.boundary.centroid.y, region.boundary.centroid.x)
    squares = cells[["v", "geometry"]].assign(
        geometry=cells.to_crs(CRS_MEASURE).buffer(50, cap_style="square").to_crs(CRS_STORE)
    )

    def ours() -> int:
        m = new_map(location=centre, tiles=None)
        offer_layer(offers, lang="de").add_to(m)
        gap_layer(cells, value_column="v", lang="de").add_to(m)
        return _script_size(finish_map(m))

    def baseline() -> int:
        m = folium.Map(location=centre, tiles=None)
        cluster = folium.plugins.MarkerCluster().add_to(m)
        for _, row in offers.iterrows():
            folium.Marker(
                (row.geometry.y, row.geometry.x),
                popup=folium.Popup(str(row["name"])),
                tooltip=str(row["name"]),
                icon=folium.Icon(icon="child", prefix="fa"),
            ).add_to(cluster)
        folium.GeoJson(squares, tooltip=folium.GeoJsonTooltip(["v"])).add_to(m)
        return _script_size(m)

    results: dict[str, tuple[float, int]] = {}
    variants: dict[str, Callable[[], int]] = {"baseline (folium)": baseline, "layers": ours}
    for name, func in variants.items():
        best, size = float("inf"), 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            size = func()
            best = min(best, time.perf_counter() - start)
        results[name] = (best, size)
        print(f"{name:18s} {best:6.2f} s  script {size / 1e6:5.2f} MB")
    base_s, base_b = results["baseline (folium)"]
    ours_s, ours_b = results["layers"]
    print(
        f"{len(offers)} offers, {len(cells)} cells: layers is {base_s / ours_s:.1f}x faster, "
        f"script {base_b / ours_b:.1f}x smaller"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
