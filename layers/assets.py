"""Offline browser assets: Leaflet & co. served by the app itself, and the base map factory.

folium 0.20 and streamlit-folium 0.27 load Leaflet, jQuery, Bootstrap, awesome-markers,
Font Awesome and markercluster from public CDNs. With no internet the map stays blank.
``npm ci`` installs the packages listed in ``package.json``; ``python -m layers.assets
install`` copies the files the browser needs to ``static/vendor/`` (git-ignored), which
Streamlit serves at ``/app/static/vendor/...`` (``server.enableStaticServing``).

:func:`new_map` returns a :class:`folium.Map` whose JS/CSS point at those files, and
:func:`localize` rewrites every element of a finished map the same way (and refuses any
remaining external URL), so nothing is fetched from another host.

Environment variables
---------------------
BLK_STATIC_URL
    URL prefix under which ``static/`` is served. Default ``/app/static``.
BLK_TILES
    ``osm`` adds the online OpenStreetMap tile layer (deployments with internet).
    Anything else (default): no tiles, the offline basemap from the region's data.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import branca
import folium
from folium.elements import JSCSSMixin

from geo.errors import BildungslandkarteError
from geo.settings import REPO_ROOT
from layers.plainscript import PlainScript

#: Shown in the map's attribution control (the basemap and the grid are drawn from these).
ATTRIBUTION = "© OpenStreetMap contributors, © Destatis Zensus 2011"
OSM_TILE_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

#: Files copied from ``node_modules`` (source, destination below ``static/vendor``).
#: Directories are copied whole.
VENDOR_FILES: tuple[tuple[str, str], ...] = (
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images", "leaflet/images"),
    ("leaflet/LICENSE", "leaflet/LICENSE"),
    ("jquery/dist/jquery.min.js", "jquery/jquery.min.js"),
    ("jquery/LICENSE.txt", "jquery/LICENSE.txt"),
    (
        "leaflet.markercluster/dist/leaflet.markercluster.js",
        "markercluster/leaflet.markercluster.js",
    ),
    ("leaflet.markercluster/dist/MarkerCluster.css", "markercluster/MarkerCluster.css"),
    (
        "leaflet.markercluster/dist/MarkerCluster.Default.css",
        "markercluster/MarkerCluster.Default.css",
    ),
    ("leaflet.markercluster/MIT-LICENCE.txt", "markercluster/MIT-LICENCE.txt"),
    (
        "leaflet.awesome-markers/dist/leaflet.awesome-markers.js",
        "awesome-markers/leaflet.awesome-markers.js",
    ),
    (
        "leaflet.awesome-markers/dist/leaflet.awesome-markers.css",
        "awesome-markers/leaflet.awesome-markers.css",
    ),
    ("leaflet.awesome-markers/dist/images", "awesome-markers/images"),
    ("leaflet.awesome-markers/LICENSE", "awesome-markers/LICENSE"),
    ("@fortawesome/fontawesome-free/css/all.min.css", "fontawesome/css/all.min.css"),
    ("@fortawesome/fontawesome-free/webfonts", "fontawesome/webfonts"),
    ("@fortawesome/fontawesome-free/LICENSE.txt", "fontawesome/LICENSE.txt"),
)

#: Our own small browser files (committed), copied to ``static/vendor/blk``.
WEB_SOURCE_DIR = Path(__file__).resolve().parent / "web"

#: Local replacement per folium/plugin resource name (path below ``static/vendor``).
LOCAL_JS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    # folium.Popup builds its content with jQuery's $().
    "jquery": "jquery/jquery.min.js",
    "awesome_markers": "awesome-markers/leaflet.awesome-markers.js",
    "markerclusterjs": "markercluster/leaflet.markercluster.js",
}
LOCAL_CSS: dict[str, str] = {
    "leaflet_css": "leaflet/leaflet.css",
    "awesome_markers_font_css": "fontawesome/css/all.min.css",
    "awesome_markers_css": "awesome-markers/leaflet.awesome-markers.css",
    "awesome_rotate_css": "blk/blk.css",
    "markerclustercss": "markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/MarkerCluster.Default.css",
}
#: folium defaults nothing here uses (no Bootstrap widgets, no glyphicons: use prefix="fa").
UNUSED: frozenset[str] = frozenset({"bootstrap", "bootstrap_css", "glyphicons_css"})

# Order matters: Leaflet before its plugins.
_MAP_JS: tuple[str, ...] = ("leaflet", "jquery", "awesome_markers", "markerclusterjs")
_MAP_CSS: tuple[str, ...] = (
    "leaflet_css",
    "awesome_markers_font_css",
    "awesome_markers_css",
    "awesome_rotate_css",
    "markerclustercss",
    "markerclusterdefaultcss",
)


class OfflineAssetError(BildungslandkarteError):
    """A map element would load a resource from another host, or the assets are missing."""


def static_url(*, base: str | None = None) -> str:
    """URL prefix of the app's static folder (``BLK_STATIC_URL``, default ``/app/static``)."""
    prefix = base if base is not None else os.environ.get("BLK_STATIC_URL", "/app/static")
    return prefix.rstrip("/")


def vendor_url(relative: str, *, base: str | None = None) -> str:
    """URL of a file below ``static/vendor``."""
    return f"{static_url(base=base)}/vendor/{relative.lstrip('/')}"


def default_static_dir() -> Path:
    """``<repo>/static``: the folder Streamlit serves (next to ``app.py``)."""
    return REPO_ROOT / "static"


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:")


def _is_local(url: str) -> bool:
    # Same-origin paths need no other host; a scheme (except data:) or "//host" does.
    text = url.strip().lower()
    if text.startswith("//"):
        return False
    match = _SCHEME.match(text)
    return match is None or match.group(0) == "data:"


def _localized(
    links: Sequence[tuple[str, str]],
    table: dict[str, str],
    *,
    owner: str,
    base: str | None,
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, url in links:
        if name in UNUSED:
            continue
        if name in table:
            out.append((name, vendor_url(table[name], base=base)))
        elif _is_local(url):
            out.append((name, url))
        else:
            raise OfflineAssetError(
                f"{owner} loads {name!r} from {url}, which is not available offline. "
                "How to fix: add the npm package to package.json and a mapping to "
                "layers.assets.LOCAL_JS/LOCAL_CSS, or use another element."
            )
    return out


def _walk(element: branca.element.Element) -> Iterator[branca.element.Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def localize(element: branca.element.Element, *, base: str | None = None) -> branca.element.Element:
    """Point every JS/CSS link of ``element`` and its children at the local copies.

    Sets per-instance ``default_js``/``default_css`` (folium's class lists stay untouched)
    and returns the same element for chaining. Call it on the finished map right before
    ``st_folium`` (also on a ``feature_group_to_add``).

    Raises
    ------
    OfflineAssetError
        When an element needs a resource that has no local copy, or is a branca
        colormap (streamlit-folium then loads d3 from a CDN; use :mod:`layers.legend`).
    """
    for el in _walk(element):
        owner = type(el).__name__
        if isinstance(el, branca.colormap.ColorMap):
            raise OfflineAssetError(
                f"{owner} makes streamlit-folium load d3 from a CDN. "
                "How to fix: draw the legend with layers.legend instead."
            )
        if isinstance(el, folium.Icon) and el.options.get("prefix") == "glyphicon":
            # Glyphicons are not served; Font Awesome has the common names (home, star, ...).
            el.options["prefix"] = "fa"
        if isinstance(el, JSCSSMixin):
            el.default_js = _localized(el.default_js, LOCAL_JS, owner=owner, base=base)
            el.default_css = _localized(el.default_css, LOCAL_CSS, owner=owner, base=base)
    return element


def external_urls(element: branca.element.Element) -> list[str]:
    """Every JS/CSS URL of ``element``'s tree that points at another host (for checks)."""
    urls: list[str] = []
    for el in _walk(element):
        for _, url in [*getattr(el, "default_js", []), *getattr(el, "default_css", [])]:
            if not _is_local(url):
                urls.append(url)
    return urls


class _Attribution(PlainScript, folium.MacroElement):
    """Adds a fixed text to the map's attribution control."""

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


def tiles_setting() -> str | None:
    """The online tile setting: ``"osm"`` when ``BLK_TILES=osm``, else ``None`` (offline)."""
    value = os.environ.get("BLK_TILES", "").strip().lower()
    return "osm" if value == "osm" else None


def new_map(
    *,
    location: tuple[float, float] | Sequence[float],
    zoom_start: int = 12,
    min_zoom: int = 9,
    max_zoom: int = 19,
    tiles: str | None = "setting",
    attribution: str = ATTRIBUTION,
    prefer_canvas: bool = True,
    base: str | None = None,
) -> folium.Map:
    """A folium map that loads everything from the app itself.

    Parameters
    ----------
    location : (lat, lon)
        Initial centre in EPSG:4326, in Leaflet's (lat, lon) order.
    zoom_start, min_zoom, max_zoom : int
        Web-map zoom levels.
    tiles : {"setting", "osm", None}
        ``"setting"`` follows ``BLK_TILES``; ``"osm"`` adds the online OpenStreetMap
        layer; ``None`` draws no tiles (add :func:`layers.basemap.basemap_layer`).
    attribution : str
        Text for the attribution control (plain text, escaped by Leaflet's DOM insert).
    prefer_canvas : bool
        Draw vectors on a canvas (fast for thousands of features).
    base : str, optional
        Static URL prefix; default from ``BLK_STATIC_URL``.

    Returns
    -------
    folium.Map
        With scale bar and attribution; add layers, then call :func:`finish_map`.
    """
    choice = tiles_setting() if tiles == "setting" else tiles
    m = folium.Map(
        location=list(location),
        zoom_start=zoom_start,
        min_zoom=min_zoom,
        max_zoom=max_zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=prefer_canvas,
    )
    # Without tiles Leaflet has no zoom limits, and markercluster refuses a map without maxZoom.
    m.options["max_zoom"] = max_zoom
    m.options["min_zoom"] = min_zoom
    m.default_js = [(name, vendor_url(LOCAL_JS[name], base=base)) for name in _MAP_JS]
    m.default_css = [(name, vendor_url(LOCAL_CSS[name], base=base)) for name in _MAP_CSS]
    if choice == "osm":
        folium.TileLayer(
            tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            attr=OSM_TILE_ATTRIBUTION,
            name="OpenStreetMap",
            max_zoom=19,
            overlay=False,
            control=True,
        ).add_to(m)
    _Attribution(attribution).add_to(m)
    return m


def finish_map(m: folium.Map, *, collapsed: bool = True, base: str | None = None) -> folium.Map:
    """Add the layer control (last, so it sees every layer) and localize all assets.

    Returns the same map; call it once, right before ``st_folium``.
    """
    if not any(isinstance(c, folium.LayerControl) for c in m._children.values()):
        folium.LayerControl(collapsed=collapsed).add_to(m)
    localize(m, base=base)
    return m


# --------------------------------------------------------------------------- install


def _package_versions(node_modules: Path) -> dict[str, str]:
    versions: dict[str, str] = {}
    for src, _ in VENDOR_FILES:
        parts = src.split("/")
        pkg = "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]
        meta = node_modules / pkg / "package.json"
        if meta.exists() and pkg not in versions:
            versions[pkg] = json.loads(meta.read_text(encoding="utf-8")).get("version", "?")
    return versions


def install(
    *,
    node_modules: str | Path | None = None,
    static_dir: str | Path | None = None,
) -> Path:
    """Copy the served files from ``node_modules`` to ``<static_dir>/vendor`` atomically.

    The new folder is assembled next to the old one and swapped in by rename, so a
    running app never sees half a folder.

    Returns
    -------
    Path
        The ``vendor`` folder.

    Raises
    ------
    OfflineAssetError
        When a file is missing (``npm ci`` not run).
    """
    nm = Path(node_modules) if node_modules else REPO_ROOT / "node_modules"
    static = Path(static_dir) if static_dir else default_static_dir()
    missing = [src for src, _ in VENDOR_FILES if not (nm / src).exists()]
    if missing:
        raise OfflineAssetError(
            f"{nm}: missing {', '.join(missing)}. How to fix: run `npm ci` in {REPO_ROOT}."
        )
    static.mkdir(parents=True, exist_ok=True)
    target = static / "vendor"
    tmp = Path(tempfile.mkdtemp(prefix=".vendor-", dir=static))
    try:
        for src, dst in VENDOR_FILES:
            out = tmp / dst
            out.parent.mkdir(parents=True, exist_ok=True)
            if (nm / src).is_dir():
                shutil.copytree(nm / src, out)
            else:
                shutil.copy2(nm / src, out)
        shutil.copytree(WEB_SOURCE_DIR, tmp / "blk")
        (tmp / "versions.json").write_text(
            json.dumps(_package_versions(nm), indent=2, sort_keys=True), encoding="utf-8"
        )
        old = None
        if target.exists():
            old = static / f".vendor-old-{os.getpid()}"
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def missing_files(*, static_dir: str | Path | None = None) -> list[str]:
    """Vendor files a map needs that are not in ``<static_dir>/vendor`` (empty when ready)."""
    vendor = (Path(static_dir) if static_dir else default_static_dir()) / "vendor"
    needed = [*LOCAL_JS.values(), *LOCAL_CSS.values()]
    return [rel for rel in needed if not (vendor / rel).exists()]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: ``python -m layers.assets install|check``."""
    parser = argparse.ArgumentParser(prog="python -m layers.assets", description=__doc__)
    parser.add_argument("command", choices=("install", "check"))
    parser.add_argument("--static-dir", type=Path, default=None)
    parser.add_argument("--node-modules", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            target = install(node_modules=args.node_modules, static_dir=args.static_dir)
            print(f"offline assets installed in {target}")
            return 0
        missing = missing_files(static_dir=args.static_dir)
    except OfflineAssetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if missing:
        print("missing: " + ", ".join(missing), file=sys.stderr)
        return 1
    print("offline assets complete")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
