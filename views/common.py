"""Shared helpers of the Streamlit pages: language, region, caches at the UI edge, maps.

Only this package and ``app.py`` import streamlit. Caches live here, at the UI edge:
``st.cache_resource`` holds the built region (networks), the geocoder and the access
cache; ``st.cache_data`` holds frames. Slow project modules are imported inside the
functions that need them, so that importing this module stays quick.
"""

from __future__ import annotations

import html
import importlib
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import MappingProxyType
from typing import Any

import folium
import streamlit as st

from geo.errors import BildungslandkarteError, GeocodeError, InputDataError, OutOfReachError
from geo.settings import REPO_ROOT
from views.i18n import DEFAULT_LANG, LANGS, fmt_number, t

log = logging.getLogger("bildungslandkarte.app")

STATIC_DIR = REPO_ROOT / "static"


# --------------------------------------------------------------------------- text

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$:])")


def md(text: Any) -> str:
    """Data or user text made inert for ``st.markdown`` and its kin (warning, caption).

    HTML is escaped and every Markdown, LaTeX (``$``) and emoji-shortcode (``:``)
    character is backslash-escaped, so a name like ``[x](javascript:…)`` or
    ``<img src=x onerror=alert(1)>`` shows as the text it is.
    """
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


# --------------------------------------------------------------------------- language


def lang() -> str:
    """The user's language, ``"de"`` (default) or ``"en"``."""
    value = st.session_state.get("lang")
    if value not in LANGS:
        value = st.query_params.get("lang", DEFAULT_LANG)
        if value not in LANGS:
            value = DEFAULT_LANG
        st.session_state["lang"] = value
    return str(value)


def tr(key: str, /, **values: Any) -> str:
    """The text ``key`` in the user's language."""
    return t(key, lang(), **values)


def mode_label(mode: str) -> str:
    return tr(f"mode.{mode}")


def category_label(key: str) -> str:
    """The category's label in the user's language (the key when it is not a known category)."""
    from offers.taxonomy import CATEGORIES

    cat = CATEGORIES.get(key)
    if cat is None:
        return key
    return cat.label_en if lang() == "en" else cat.label_de


def language_options(offers: Any) -> list[str]:
    """Languages to choose from: the known ISO codes plus any other value in the data."""
    from offers.search import LANGUAGE_NAMES

    values = set(LANGUAGE_NAMES)
    if offers is not None and "languages" in offers.columns:
        for items in offers["languages"]:
            if isinstance(items, list | tuple):
                values.update(str(v) for v in items if v)
    return sorted(values, key=lambda v: language_label(v).casefold())


def language_label(code: str) -> str:
    from offers.search import LANGUAGE_NAMES

    if code in LANGUAGE_NAMES:
        de, en = LANGUAGE_NAMES[code]
        return en if lang() == "en" else de
    return code


def age_group_label(key: str) -> str:
    from geo.agegroups import AGE_GROUP_BY_KEY

    g = AGE_GROUP_BY_KEY[key]
    return g.label_en if lang() == "en" else g.label_de


# --------------------------------------------------------------------------- region


class RegionCache:
    """A small bounded, thread-safe store of built regions, one per slug.

    Held by ``st.cache_resource`` (one per server process). Loading happens outside any
    cached function so that the progress bar of a first build is a normal element, not
    one that Streamlit would replay on every rerun.
    """

    def __init__(self, *, maxsize: int = 2) -> None:
        self.maxsize = maxsize
        self._regions: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def loaded(self, slug: str) -> Any | None:
        """The region if it is already in memory (never builds)."""
        with self._lock:
            return self._regions.get(slug)

    def get(self, slug: str, *, progress: Callable[[float, str], None] | None = None) -> Any:
        with self._lock:
            if slug in self._regions:
                self._regions.move_to_end(slug)
                return self._regions[slug]
            build = importlib.import_module("geo.build")
            region = build.load_region(slug, progress=progress)
            self._regions[slug] = region
            while len(self._regions) > self.maxsize:
                self._regions.popitem(last=False)
            return region


@st.cache_resource(show_spinner=False)
def region_cache() -> RegionCache:
    return RegionCache(maxsize=2)


def region_slugs() -> list[str]:
    from geo.manifest import list_regions

    return list_regions()


def region_slug() -> str:
    """The selected region's slug (query parameter ``region``, else the default)."""
    slugs = region_slugs()
    value = st.session_state.get("region")
    if value not in slugs:
        value = st.query_params.get("region")
        if value not in slugs:
            value = slugs[0]
        st.session_state["region"] = value
    return str(value)


def region_name(slug: str) -> str:
    from geo.manifest import load_manifest

    try:
        return load_manifest(slug).name
    except BildungslandkarteError:
        return slug


def get_region() -> Any:
    """The selected region, built with a progress bar on first use."""
    slug = region_slug()
    name = region_name(slug)
    bar = st.empty()

    def progress(fraction: float, message: str) -> None:
        pct = round(max(0.0, min(1.0, fraction)) * 100)
        bar.progress(
            max(0.0, min(1.0, fraction)),
            text=tr("app.building_region", name=name, pct=pct, message=message),
        )

    try:
        with st.spinner(tr("app.loading_region", name=name), show_time=False):
            region = region_cache().get(slug, progress=progress)
    finally:
        bar.empty()
    return region


@st.cache_resource(show_spinner=False, max_entries=4)
def get_geocoder(slug: str) -> Any:
    """The offline geocoder of a region."""
    from geo.geocode import Geocoder

    region = region_cache().get(slug)
    return Geocoder(region.addresses)


@st.cache_resource(show_spinner=False, max_entries=4)
def get_access_cache(slug: str) -> Any:
    """The bounded memo cache of accessibility results for a region."""
    from geo.access import AccessCache

    cache = AccessCache()
    region = region_cache().get(slug)
    for net in region.networks.values():
        # prepare every mode once, so that switching mode later waits for nothing
        router = cache.router(net)
        for name in ("csr", "csr_reverse", "segment_edges", "to_measure", "to_store"):
            getattr(router, name, None)
        for name in ("node_tree", "segment_tree"):
            getattr(net, name, None)
    return cache


def offers_version(slug: str) -> int:
    """A counter that changes whenever a planner edits the offers of ``slug``."""
    return int(st.session_state.get(f"offers_version_{slug}", 0)) + _store_mtime_ns(slug)


def _store_mtime_ns(slug: str) -> int:
    from geo.settings import get_paths

    path = get_paths().work_dir / "offers" / f"{slug}.sqlite"
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def bump_offers_version(slug: str) -> None:
    key = f"offers_version_{slug}"
    st.session_state[key] = int(st.session_state.get(key, 0)) + 1
    offers_frame.clear()


@st.cache_data(show_spinner=False, max_entries=8)
def offers_frame(slug: str, version: int) -> Any:
    """The offer table of a region (GeoDataFrame, EPSG:4326, index ``offer_id``).

    ``version`` only keys the cache, so an edit in the store shows at once.
    """
    del version
    from offers.catalogue import load_offers

    region = region_cache().get(slug)
    # nullable Int64 -> float (NaN): the search and the map layers expect NaN, not pd.NA
    return for_map(load_offers(region))


def get_offers(slug: str) -> Any:
    return offers_frame(slug, offers_version(slug))


def for_map(offers: Any) -> Any:
    """Offers with nullable integer columns as float (NaN instead of ``pd.NA``) for drawing."""
    cols = [c for c in ("age_min", "age_max", "capacity", "free_places") if c in offers.columns]
    todo = {c: "float64" for c in cols if offers[c].dtype != "float64"}
    return offers.astype(todo) if todo else offers.copy(deep=False)


# --------------------------------------------------------------------------- ahead of time


@st.cache_resource(show_spinner=False)
def background_pool() -> ThreadPoolExecutor:
    """One worker per server process for work done ahead of a click (never crowds out
    the sessions' own runs). Jobs get plain objects and touch no Streamlit API."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="blk-ahead")


def run_quietly(job: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run a background ``job``; a failure is logged, never raised (the page the user
    opens later computes, and reports, the same thing itself)."""
    try:
        job(*args, **kwargs)
    except Exception:
        log.exception("background job %s failed", getattr(job, "__name__", job))


@st.cache_resource(show_spinner=False, max_entries=8)
def _warm_pages(slug: str, cache_key: str, version: int) -> Future[None]:
    """Start, once per region build and offers version, the pages' first views."""
    from views.coverage import warm_first_view

    del cache_key  # keys the once-only start
    region = region_cache().get(slug)
    offers = offers_frame(slug, version)
    return background_pool().submit(
        run_quietly, warm_first_view, get_access_cache(slug), region, offers
    )


def warm_ahead() -> None:
    """After a page is drawn: compute the other pages' first views in the background,
    so that opening "Versorgung & Lücken" does not wait for its first analysis."""
    slug = region_slug()
    region = region_cache().loaded(slug)
    if region is not None:
        _warm_pages(slug, str(region.info.get("cache_key", "")), offers_version(slug))


# --------------------------------------------------------------------------- page state

#: Controls whose values outlive a visit to another page, by their page's url path;
#: names ending in "_" are prefixes (per-category keys). Buttons, uploads, passwords
#: and maps are left out: Streamlit refuses to set them, or they should not stay.
KEPT_CONTROLS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "angebote": (
            "find_addr_query",
            "find_addr_pick",
            "find_mode",
            "find_budget",
            "find_cats",
            "find_age",
            "find_langs",
            "find_wheelchair",
            "find_open_now",
            "find_pick",
        ),
        "versorgung": (
            "cov_cat",
            "cov_groups_",
            "cov_mode",
            "cov_threshold",
            "cov_metric",
            "cov_gaps",
            "cov_whatif",
            "cov_action",
            "cov_capacity",
            "cov_remove_",
        ),
        "beratung": (
            "adv_age",
            "adv_cats",
            "adv_topics",
            "adv_langs",
            "adv_wheelchair",
            "adv_mode",
            "adv_budget",
            "adv_addr_query",
            "adv_addr_pick",
            "adv_pick",
        ),
    }
)


KEPT_SUFFIX = "__kept"


def _is_control(key: str, names: Iterable[str]) -> bool:
    return any(key == n or (n.endswith("_") and key.startswith(n)) for n in names)


def keep_controls(current_url_path: str) -> None:
    """Keep every page's control values through visits to other pages.

    On a page change the browser sends only the new page's widget values, so
    Streamlit forgets a typed address or a chosen mode. Each run copies the controls'
    values to plain keys (``<key>__kept``, which carry the page prefix, so a region
    switch drops them too) and gives the current page's missing controls their kept
    values back before its widgets are drawn.
    """
    every = [n for names in KEPT_CONTROLS.values() for n in names]
    own = KEPT_CONTROLS.get(current_url_path, ())
    present = [str(k) for k in st.session_state]
    for key in present:
        if key.endswith(KEPT_SUFFIX):
            control = key.removesuffix(KEPT_SUFFIX)
            if control not in st.session_state and _is_control(control, own):
                st.session_state[control] = st.session_state[key]
        elif _is_control(key, every):
            st.session_state[key + KEPT_SUFFIX] = st.session_state[key]


def forget_control(key: str) -> None:
    """Reset a control to its default on the next run, with its kept copy.

    Dropping only ``key`` would not do: :func:`keep_controls` would give the control
    its kept value back before it is drawn again.
    """
    st.session_state.pop(key, None)
    st.session_state.pop(key + KEPT_SUFFIX, None)


# --------------------------------------------------------------------------- geocoding


def address_picker(*, key: str, default: str = "") -> tuple[float, float, str] | None:
    """A text input with a selectbox of suggestions; returns ``(lon, lat, label)`` or None.

    Coordinates are EPSG:4326. Shows a friendly message when nothing matches.
    """
    # built before anything is typed: the first address then answers as fast as the next
    geocoder = get_geocoder(region_slug())
    query = st.text_input(
        tr("common.address"), value=default, key=f"{key}_query", help=tr("common.address_help")
    ).strip()
    if not query:
        return None
    try:
        suggestions = list(geocoder.suggest(query, limit=8))
    except GeocodeError:
        suggestions = []
    if not suggestions:
        try:
            hit = geocoder.geocode(query)
        except GeocodeError:
            st.warning(tr("common.not_found", query=md(query)))
            return None
        label = str(hit.label)
        if hit.note_code:  # e.g. the house number is unknown and the street is shown
            label = tr(f"geocode.{hit.note_code}", label=label, value=hit.note_value)
        return float(hit.lon), float(hit.lat), label
    labels = [str(s.label) for s in suggestions]
    choice = st.selectbox(tr("common.suggestions"), labels, index=0, key=f"{key}_pick")
    hit = suggestions[labels.index(choice)] if choice in labels else suggestions[0]
    return float(hit.lon), float(hit.lat), str(hit.label)


# --------------------------------------------------------------------------- maps


#: (south, west), (north, east) in EPSG:4326 degrees, Leaflet's bounds order
Bounds = tuple[tuple[float, float], tuple[float, float]]


def region_bounds(region: Any) -> Bounds:
    """The view that shows the whole region: its districts' bounds, else its outline's.

    EPSG:4326, Leaflet order ``((south, west), (north, east))``.
    """
    districts = getattr(region, "districts", None)
    if districts is not None and len(districts):
        west, south, east, north = (float(v) for v in districts.total_bounds)
    else:
        west, south, east, north = (float(v) for v in region.boundary.bounds)
    return (south, west), (north, east)


def frame_bounds(frame: Any) -> Bounds | None:
    """Bounds of a GeoDataFrame in EPSG:4326 (Leaflet order), None when it is empty."""
    if frame is None or not len(frame):
        return None
    west, south, east, north = (float(v) for v in frame.to_crs("EPSG:4326").total_bounds)
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None
    return (south, west), (north, east)


def view_for_bounds(
    bounds: Bounds, *, width_px: int = 640, height_px: int = 500, max_zoom: int = 17
) -> tuple[tuple[float, float], int]:
    """Centre (lat, lon; EPSG:4326) and the largest web-map zoom that shows ``bounds``.

    The map's width is not known on the server (it fills its column), so a typical
    width is assumed; the zoom is rounded down so the bounds always fit.
    """
    (south, west), (north, east) = bounds

    def merc_y(lat: float) -> float:
        rad = math.radians(max(-85.0, min(85.0, lat)))
        return math.log(math.tan(math.pi / 4 + rad / 2)) / (2 * math.pi)

    lon_frac = max((east - west) / 360.0, 1e-9)
    lat_frac = max(merc_y(north) - merc_y(south), 1e-9)
    zoom_x = math.log2(width_px / 256 / lon_frac)
    zoom_y = math.log2(height_px / 256 / lat_frac)
    zoom = math.floor(min(zoom_x, zoom_y))
    centre = ((south + north) / 2.0, (west + east) / 2.0)
    return centre, int(max(1, min(max_zoom, zoom)))


def region_center(region: Any) -> tuple[float, float]:
    """(lat, lon) of the region's outline centre, EPSG:4326."""
    c = region.boundary.centroid
    return float(c.y), float(c.x)


@st.cache_resource(show_spinner=False, max_entries=4)
def basemap_url(slug: str, cache_key: str) -> str:
    """Write the region's offline basemap once per cache key and return its static URL."""
    from layers.basemap import write_basemap

    del cache_key
    region = region_cache().get(slug)
    return str(write_basemap(region, static_dir=STATIC_DIR))


def new_map(
    region: Any, *, zoom_start: int = 12, location: tuple[float, float] | None = None
) -> folium.Map:
    """A folium map with the offline assets and the region's basemap.

    Parameters
    ----------
    region : Region
        The loaded region (its outline gives the default centre).
    zoom_start : int
        Web-map zoom level (used only with ``location``).
    location : (lat, lon), optional
        Centre in EPSG:4326, Leaflet order; default: the view that fits the region's
        districts (or outline).
    """
    from layers.assets import new_map as assets_new_map
    from layers.basemap import basemap_layer

    if location is None:
        # open on the whole region; the same arguments each run keep the base map mounted
        location, zoom_start = view_for_bounds(region_bounds(region))
    m = assets_new_map(location=location, zoom_start=zoom_start)
    url = basemap_url(region.slug, str(region.info.get("cache_key", "")))
    if url:
        basemap_layer(url).add_to(m)
    return m


def show_map(
    m: folium.Map,
    *,
    key: str,
    layers: Sequence[folium.FeatureGroup] = (),
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    returned_objects: Iterable[str] = ("last_clicked",),
    height: int = 520,
) -> dict[str, Any]:
    """Render a map whose base stays mounted while its ``layers`` change.

    streamlit-folium rebuilds the whole map frame (Leaflet, basemap, every layer)
    whenever the map's script changes. So the base map (``m``: assets, basemap, scale)
    gets deterministic element ids and stays byte-identical across reruns, and the
    analysis layers travel as ``feature_group_to_add``: the browser swaps only them.
    Only ``returned_objects`` trigger reruns (never pan/zoom).

    Parameters
    ----------
    m : folium.Map
        The base map from :func:`new_map` (same arguments on every rerun).
    key : str
        Stable widget key.
    layers : sequence of folium.FeatureGroup
        The changing layers (from ``layers.*``), drawn in this order.
    center : (lat, lon), optional
        Move the view here when it changes (EPSG:4326).
    zoom : int, optional
        Zoom to this level when it changes.
    """
    from streamlit_folium import st_folium

    from layers.assets import localize

    for i, element in enumerate(_elements(m)):
        element._id = f"b{i}"  # same ids every run -> same script -> no remount
    groups = list(layers)
    for element in (m, *groups):
        localize(element)
    out = st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=list(returned_objects),
        feature_group_to_add=groups or None,
        layer_control=folium.LayerControl(collapsed=True),
        center=center,
        zoom=zoom,
    )
    return out or {}


def _elements(element: Any) -> list[Any]:
    """``element`` and all its children, depth first."""
    found = [element]
    for child in element._children.values():
        found.extend(_elements(child))
    return found


def pending_click(key: str) -> tuple[float, float] | None:
    """The last click on the map ``key`` as reported before this run, (lon, lat) EPSG:4326.

    streamlit-folium copies its value to ``st.session_state[key]`` in its change
    callback, which runs before the script; reading it here lets a page use a click
    in the same run instead of drawing the map, reading the click and rerunning.
    """
    value = st.session_state.get(key)
    return clicked_point(value) if isinstance(value, dict) else None


def clicked_point(out: dict[str, Any]) -> tuple[float, float] | None:
    """The (lon, lat) of the last map click, EPSG:4326, or None."""
    last = out.get("last_clicked") if out else None
    if not last:
        return None
    return float(last["lng"]), float(last["lat"])


# --------------------------------------------------------------------------- tables

#: how a table column is shown: number of decimals, or "%" (one decimal and a % sign)
ColumnFormat = int | str


def styled(frame: Any, *, formats: dict[str, ColumnFormat]) -> Any:
    """``frame`` as a pandas Styler whose numbers follow the UI language.

    Only the display changes (German ``1.410,6`` and ``87,8 %``, English ``1,410.6``):
    ``st.dataframe`` still sorts and exports the numeric values. Columns not named in
    ``formats`` are shown as they are; NaN shows as an en dash.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (index kept).
    formats : dict
        Column -> decimals (``0`` for people, ``1`` for km² and minutes) or ``"%"``
        for a share already given in percent.
    """
    code = lang()

    def number(decimals: int, suffix: str = "") -> Callable[[Any], str]:
        def fmt(value: Any) -> str:
            try:
                number = float(value)
            except (TypeError, ValueError):
                return "" if value is None else str(value)
            text = fmt_number(number, code, decimals=decimals)
            return text if text == "–" else text + suffix

        return fmt

    formatter = {
        col: number(1, "\u00a0%") if spec == "%" else number(int(spec))
        for col, spec in formats.items()
        if col in frame.columns
    }
    return frame.style.format(formatter)


# --------------------------------------------------------------------------- errors


def show_error(exc: BaseException) -> None:
    """Show a friendly message for an exception in the user's language; log the details."""
    if isinstance(exc, OutOfReachError):
        name = region_name(st.session_state.get("region", ""))
        st.warning(tr("common.outside", region=name))
        return
    if isinstance(exc, InputDataError):
        log.error("input data error: %s", exc)
        st.error(tr("app.input_error", reason=md(exc)))
        return
    log.error("unexpected error on page", exc_info=exc)
    st.error(tr("app.error"))


def to_xlsx(frame: Any) -> bytes:
    """A frame as XLSX bytes (openpyxl); texts starting with = + - @ are written as text."""
    import io

    import pandas as pd

    safe = _neutralised(frame)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        safe.to_excel(writer, index=True)
    return buf.getvalue()


def to_csv(frame: Any) -> bytes:
    """A frame as UTF-8 CSV with BOM (Excel-friendly), formulas neutralised."""
    safe = _neutralised(frame)
    return safe.to_csv(index=True, sep=";", decimal=",").encode("utf-8-sig")


def _neutralised(frame: Any) -> Any:
    """A copy whose text cells starting with = + - @ are prefixed with ' (no formulas)."""
    import pandas as pd

    safe = frame.copy()
    for col in safe.columns:
        # pandas 3 stores text as the "str" dtype, older versions as object
        if pd.api.types.is_string_dtype(safe[col]) or pd.api.types.is_object_dtype(safe[col]):
            safe[col] = safe[col].map(_neutralise)
    return safe


def _neutralise(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
