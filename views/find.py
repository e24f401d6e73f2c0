"""Angebote finden: offers within reach of an address or a map click, ranked by travel time.

The view (address, clicked point, mode, time budget, categories) lives in
``st.query_params`` so the browser's address bar can be shared.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import Future
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from geo.errors import BildungslandkarteError, OutOfReachError
from geo.settings import MODES
from views.common import (
    address_picker,
    background_pool,
    category_label,
    clicked_point,
    for_map,
    frame_bounds,
    get_access_cache,
    get_offers,
    get_region,
    lang,
    language_label,
    language_options,
    md,
    mode_label,
    new_map,
    pending_click,
    region_cache,
    region_name,
    region_slug,
    run_quietly,
    show_map,
    styled,
    tr,
    view_for_bounds,
)
from views.i18n import fmt_number

BUDGETS_MIN: tuple[int, ...] = (5, 10, 15, 20, 30, 45, 60)
#: A prefetch waits this long, so the answer it follows reaches the browser first.
PREFETCH_DELAY_SECONDS = 0.4
ZOOM_BY_MODE: dict[str, int] = {"walk": 15, "bike": 13, "drive": 12}
_QP_KEYS = ("addr", "mode", "min", "cat", "lon", "lat")


def _init_from_query() -> None:
    """Seed the controls from the URL once per session (shared links)."""
    if st.session_state.get("find_qp_done"):
        return
    qp = st.query_params
    if qp.get("addr") and not qp.get("lon"):  # a shared map point wins over an address
        st.session_state["find_addr_query"] = qp["addr"]
    if qp.get("mode") in MODES:
        st.session_state["find_mode"] = qp["mode"]
    try:
        minutes = int(qp.get("min", ""))
        if minutes in BUDGETS_MIN:
            st.session_state["find_budget"] = minutes
    except ValueError:
        pass
    if qp.get("cat"):
        st.session_state["find_cats_qp"] = [c for c in qp["cat"].split(",") if c]
    try:
        lon, lat = float(qp.get("lon", "")), float(qp.get("lat", ""))
        st.session_state["find_origin"] = (lon, lat, tr("common.map_click_origin"), "click")
    except ValueError:
        pass
    st.session_state["find_qp_done"] = True


def _write_query(*, addr: str, mode: str, budget_min: int, cats: list[str]) -> None:
    origin = st.session_state.get("find_origin")
    wanted: dict[str, str] = {"mode": mode, "min": str(budget_min)}
    if addr and not (origin and origin[3] == "click"):
        wanted["addr"] = addr
    if cats:
        wanted["cat"] = ",".join(cats)
    if origin and origin[3] == "click":
        wanted["lon"], wanted["lat"] = f"{origin[0]:.6f}", f"{origin[1]:.6f}"
    for key in _QP_KEYS:
        if key in wanted:
            if st.query_params.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def filter_offers(
    offers: Any,
    *,
    categories: list[str],
    age: int | None,
    languages: list[str],
    wheelchair: bool,
    open_now: bool,
) -> Any:
    """Apply the page's filters with ``offers.search.search_offers`` (EPSG:4326 kept)."""
    from offers.search import search_offers

    return search_offers(
        offers,
        categories=categories or None,
        age=age,
        languages=languages or None,
        wheelchair=True if wheelchair else None,
        open_at=dt.datetime.now() if open_now else None,
    )


def band_minutes(budget_min: int) -> tuple[int, ...]:
    """At most four isochrone bands up to the budget (each band costs time to draw)."""
    if budget_min <= 20:
        return tuple(m for m in (5, 10, 15, 20) if m <= budget_min)
    step = 10 if budget_min == 30 else 15
    return tuple(range(step, budget_min + 1, step))


def drawn_bands(
    cache: Any,
    region: Any,
    bands: Any,
    *,
    mode: str,
    origin: tuple[float, float],
    budget_min: int,
    zoom: int | None,
    language: str,
) -> list[dict[str, Any]]:
    """The bands as drawn at ``zoom`` (``layers.isochrones.band_features``), kept in
    the region's AccessCache per build, start point, mode, budget, zoom and language.

    Parameters
    ----------
    cache : geo.access.AccessCache
        The region's cache (shared by sessions and the background worker).
    region : geo.region.Region
        Its ``info["cache_key"]`` keys the drawing to the build.
    bands : GeoDataFrame
        The bands of that start, mode and budget (EPSG:4326).
    mode, origin, budget_min
        What ``bands`` were computed for; ``origin`` is (lon, lat) in EPSG:4326,
        rounded to about 1 cm in the key as in ``AccessCache.isochrones``.
    zoom : int or None
        Web-map zoom the drawing is simplified for.
    language : {"de", "en"}
        Language of the tooltips.

    Returns
    -------
    list of dict
        GeoJSON features in EPSG:4326; shared, so never changed by the caller.
    """
    from layers.isochrones import band_features

    key = (
        "drawn-bands",
        region.info.get("cache_key"),
        mode,
        round(float(origin[0]), 7),
        round(float(origin[1]), 7),
        int(budget_min),
        zoom,
        language,
    )
    return cache.get_or_compute(key, lambda: band_features(bands, lang=language, zoom=zoom))


@st.cache_data(show_spinner=False, max_entries=32)
def _isochrones(slug: str, build: str, mode: str, lon: float, lat: float, budget_min: int) -> Any:
    """Bands (EPSG:4326) from the region's AccessCache; ``build`` (the region's cache
    key) only keys this cache, so a rebuilt region never gets an old build's bands."""
    del build
    return region_bands(
        get_access_cache(slug),
        region_cache().get(slug),
        (lon, lat),
        mode=mode,
        budget_min=budget_min,
    )


def region_bands(
    cache: Any, region: Any, origin: tuple[float, float], *, mode: str, budget_min: int
) -> Any:
    """The page's bands for ``origin`` ((lon, lat), EPSG:4326) from the region's
    AccessCache; the page and the prefetch both ask here, so they share one key."""
    return cache.isochrones(
        region.networks[mode],
        origin,
        region_key=region.info.get("cache_key"),
        minutes=band_minutes(budget_min),
        cells=region.cells,
    )


def _warm_isochrones(
    cache: Any,
    region: Any,
    origin: tuple[float, float],
    *,
    mode: str,
    budget_min: int,
    language: str,
    not_before: float,
) -> None:
    """Compute (into the region's AccessCache) the bands ``_isochrones`` will ask for,
    and their drawing at the zoom the page will frame them at. ``origin`` is
    (lon, lat) in EPSG:4326.

    Runs in the prefetch worker: it gets plain objects and touches no Streamlit API.
    It starts at ``not_before`` (``time.monotonic()``) at the earliest, so the answer
    it follows reaches the browser first; a job queued behind another does not wait again.
    """
    time.sleep(max(0.0, not_before - time.monotonic()))
    try:
        bands = region_bands(cache, region, origin, mode=mode, budget_min=budget_min)
        fit = frame_bounds(bands)
        if fit is not None:
            zoom = view_for_bounds(fit)[1]
            drawn_bands(
                cache,
                region,
                bands,
                mode=mode,
                origin=origin,
                budget_min=budget_min,
                zoom=zoom,
                language=language,
            )
    except BildungslandkarteError:
        pass  # e.g. out of reach by car: the page says so if the user switches


def prefetch_other_modes(
    slug: str, origin: tuple[float, float], *, mode: str, budget_min: int
) -> None:
    """Start computing the other modes' bands for ``origin`` ((lon, lat), EPSG:4326)
    in the background.

    Switching between walk, bike and car is what people do next; the first bike or
    car band costs about 0.2 s, which the switch then no longer waits for. Jobs of an
    earlier start point that have not begun are cancelled.
    """
    origin = (float(origin[0]), float(origin[1]))
    wanted = (slug, round(origin[0], 7), round(origin[1], 7), int(budget_min), lang())
    if st.session_state.get("find_prefetched") == wanted:
        return
    old: list[Future[None]] = st.session_state.get("find_prefetch_jobs", [])
    for job in old:
        job.cancel()
    cache, region, pool = get_access_cache(slug), region_cache().get(slug), background_pool()
    not_before = time.monotonic() + PREFETCH_DELAY_SECONDS
    st.session_state["find_prefetch_jobs"] = [
        pool.submit(
            run_quietly,
            _warm_isochrones,
            cache,
            region,
            origin,
            mode=other,
            budget_min=int(budget_min),
            language=lang(),
            not_before=not_before,
        )
        for other in MODES
        if other != mode
    ]
    st.session_state["find_prefetched"] = wanted


def rank(offers: Any, seconds: pd.Series, *, budget_min: int, origin: tuple[float, float]) -> Any:
    """Offers within the budget by travel time (``offers.search.rank_by_travel``)."""
    from offers.search import rank_by_travel

    return rank_by_travel(offers, seconds, origin=origin, max_minutes=budget_min)


def details(row: pd.Series) -> None:
    """Details of one offer: the name (made inert by :func:`md`) and a facts table."""
    st.markdown(f"**{md(row.get('name', ''))}**")
    address = " ".join(str(row.get(c, "") or "") for c in ("street", "housenumber")).strip()
    town = " ".join(str(row.get(c, "") or "") for c in ("postcode", "city")).strip()
    facts = {
        tr("common.category"): category_label(str(row.get("category", ""))),
        tr("find.address_line"): ", ".join(p for p in (address, town) if p),
        tr("common.provider"): row.get("provider", ""),
        tr("common.phone"): row.get("phone", ""),
        tr("common.email"): row.get("email", ""),
        tr("common.website"): row.get("website", ""),
        tr("common.hours"): row.get("opening_hours", ""),
        tr("common.places"): row.get("capacity", ""),
        tr("common.free_places"): row.get("free_places", ""),
        tr("common.languages"): ", ".join(row.get("languages") or []),
        tr("common.wheelchair"): row.get("wheelchair", ""),
    }
    table = pd.DataFrame(
        {
            "": list(facts.keys()),
            " ": [_fact(v) for v in facts.values()],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")


def _fact(value: Any) -> str:
    """A detail value as text; counts of places as whole numbers in the UI language."""
    if isinstance(value, float | int | np.number) and not isinstance(value, bool):
        return fmt_number(float(value), lang())
    return "" if value is None or pd.isna(value) else str(value)


def render() -> None:
    """The page: controls, map with isochrones and offers, ranked list, details."""
    st.header(tr("find.header"))
    region = get_region()
    slug = region_slug()
    _init_from_query()
    offers = get_offers(slug)
    get_access_cache(slug)  # routers prepared while the user still types

    ctrl, main = st.columns([1, 2], gap="large")
    with ctrl:
        hit = address_picker(key="find_addr")
        query = st.session_state.get("find_addr_query", "").strip()
        if hit is not None and st.session_state.get("find_last_hit") != hit:
            st.session_state["find_last_hit"] = hit
            st.session_state["find_origin"] = (hit[0], hit[1], hit[2], "address")
        st.session_state.setdefault("find_mode", "walk")
        st.session_state.setdefault("find_budget", 15)
        mode = st.radio(
            tr("common.mode"),
            list(MODES),
            format_func=mode_label,
            horizontal=True,
            key="find_mode",
        )
        budget_min = st.select_slider(
            tr("common.budget"), options=list(BUDGETS_MIN), key="find_budget"
        )
        cat_options: list[str] = sorted(offers["category"].dropna().unique(), key=category_label)
        if "find_cats_qp" in st.session_state:
            st.session_state["find_cats"] = [
                c for c in st.session_state.pop("find_cats_qp") if c in cat_options
            ]
        with st.expander(tr("find.filters"), expanded=True):
            cats = st.multiselect(
                tr("common.categories"),
                cat_options,
                format_func=category_label,
                key="find_cats",
                placeholder=tr("common.any"),
            )
            age = st.number_input(
                tr("common.age"),
                min_value=0,
                max_value=120,
                value=None,
                step=1,
                key="find_age",
                placeholder=tr("find.age_any"),
            )
            langs = st.multiselect(
                tr("common.languages"),
                language_options(offers),
                format_func=language_label,
                key="find_langs",
                placeholder=tr("common.any"),
            )
            wheelchair = st.checkbox(tr("common.wheelchair"), key="find_wheelchair")
            open_now = st.checkbox(tr("common.open_now"), key="find_open_now")
    _write_query(addr=query, mode=mode, budget_min=int(budget_min), cats=list(cats))

    map_key = f"find_map_{slug}"
    click = pending_click(map_key)
    if click is not None and click != st.session_state.get("find_last_click"):
        st.session_state["find_last_click"] = click
        st.session_state["find_origin"] = (*click, tr("common.map_click_origin"), "click")
    origin = st.session_state.get("find_origin")
    if origin is not None and origin[3] == "click":
        # a map point is named in the current language, even after a switch
        origin = (origin[0], origin[1], tr("common.map_click_origin"), "click")
    bands = None
    ranked = None
    problem: str | None = None
    if origin is not None:
        try:
            # travel times first: they refuse a point outside the region's boundary
            if len(offers):
                chosen = filter_offers(
                    offers,
                    categories=list(cats),
                    age=None if age is None else int(age),
                    languages=list(langs),
                    wheelchair=wheelchair,
                    open_now=open_now,
                )
                from geo.access import offer_seconds

                router = get_access_cache(slug).router(region.networks[mode])
                seconds = offer_seconds(router, origin[:2], chosen, boundary=region.boundary)
                ranked = rank(chosen, seconds, budget_min=int(budget_min), origin=origin[:2])
            build = str(region.info.get("cache_key", ""))
            bands = _isochrones(slug, build, mode, origin[0], origin[1], int(budget_min))
        except OutOfReachError:
            bands, ranked = None, None
            problem = tr("common.outside", region=region_name(slug))

    view = None  # without a start the base map shows the whole region
    if origin is not None:
        fit = frame_bounds(bands)
        # the catchment fills the map; without one (outside, no access) the point does
        view = view_for_bounds(fit) if fit else ((origin[1], origin[0]), ZOOM_BY_MODE[mode])
    with main:
        import folium

        from layers import isochrones as layers_iso
        from layers import offers as layers_offers

        m = new_map(region)
        groups: list[folium.FeatureGroup] = []
        if bands is not None:
            # simplified to half a pixel at the zoom the catchment is framed at
            zoom = None if view is None else view[1]
            features = drawn_bands(
                get_access_cache(slug),
                region,
                bands,
                mode=mode,
                origin=origin[:2],
                budget_min=int(budget_min),
                zoom=zoom,
                language=lang(),
            )
            groups.append(layers_iso.isochrone_layer(None, lang=lang(), features=features))
        shown = ranked if ranked is not None else offers
        if len(shown):
            groups.append(layers_offers.offer_layer(for_map(shown), lang=lang()))
        if origin is not None:
            pin = layers_offers.origin_marker(origin[0], origin[1], label=origin[2], lang=lang())
            start = folium.FeatureGroup(name=tr("find.start_layer"), control=False)
            pin.add_to(start)
            groups.append(start)
        out = show_map(
            m,
            key=map_key,
            layers=groups,
            center=None if view is None else view[0],
            zoom=None if view is None else view[1],
            returned_objects=["last_clicked"],
        )
        click = clicked_point(out)  # normally already taken by pending_click above
        if click is not None and click != st.session_state.get("find_last_click"):
            st.session_state["find_last_click"] = click
            st.session_state["find_origin"] = (*click, tr("common.map_click_origin"), "click")
            st.rerun()

    with ctrl:
        st.caption(tr("find.share"))

    _results(origin, problem=problem, bands=bands, ranked=ranked, mode=mode, budget_min=budget_min)
    if bands is not None:
        # after everything is drawn, so the prefetch never delays this answer
        prefetch_other_modes(slug, origin[:2], mode=mode, budget_min=int(budget_min))


def _results(
    origin: tuple[float, float, str, str] | None,
    *,
    problem: str | None,
    bands: Any,
    ranked: Any,
    mode: str,
    budget_min: int,
) -> None:
    """Below the map: the start, the bands' reach, the ranked table and one offer's details."""
    if origin is None:
        st.info(tr("find.pick_origin"))
        return
    st.markdown(tr("find.origin", label=md(origin[2])))
    if problem:
        st.warning(problem)
        return
    if bands is not None and len(bands):
        st.caption(
            " · ".join(
                tr(
                    "find.band_pop",
                    minutes=int(r["minutes"]),
                    area=fmt_number(float(r["area_km2"]), lang(), decimals=1),
                    pop=fmt_number(float(r.get("pop_total", float("nan"))), lang()),
                )
                for _, r in bands.iterrows()
            )
        )
    if ranked is None:
        return
    if not len(ranked):
        st.warning(tr("find.none", minutes=int(budget_min)))
        return
    st.subheader(tr("find.results", n=len(ranked), minutes=int(budget_min), mode=mode_label(mode)))
    table = pd.DataFrame(
        {
            tr("find.rank"): range(1, len(ranked) + 1),
            tr("common.name"): ranked["name"].astype(str).to_numpy(),
            tr("common.category"): [category_label(c) for c in ranked["category"]],
            tr("find.travel"): ranked["minutes"].round(1).to_numpy(),
            tr("find.walk_distance"): ranked["distance_m"].round(0).to_numpy()
            if "distance_m" in ranked.columns
            else None,
            tr("common.provider"): ranked["provider"].astype(str).to_numpy(),
        },
        index=ranked.index,
    )
    formats = {tr("find.rank"): 0, tr("find.travel"): 1, tr("find.walk_distance"): 0}
    st.dataframe(styled(table, formats=formats), hide_index=True, width="stretch")
    st.markdown(f"#### {tr('find.details')}")
    min_short = tr("common.min_short")
    labels = {
        i: f"{name} ({minutes:.0f} {min_short})"
        for i, name, minutes in zip(ranked.index, ranked["name"], ranked["minutes"], strict=True)
    }
    pick = st.selectbox(
        tr("find.pick_offer"), list(labels), format_func=labels.get, key="find_pick"
    )
    if pick in ranked.index:
        details(ranked.loc[pick])
