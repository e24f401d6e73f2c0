"""Beratung: a short client profile, a ranked shortlist with reasons, and a handout.

Nothing about the client is stored: the profile lives only in this browser session's
widgets, is never logged, and the handout is generated in memory.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pandas as pd
import streamlit as st

from geo.errors import OutOfReachError
from geo.settings import MODES
from views.common import (
    address_picker,
    category_label,
    get_access_cache,
    get_offers,
    get_region,
    lang,
    language_label,
    language_options,
    mode_label,
    region_name,
    region_slug,
    styled,
    tr,
)

BUDGETS_MIN: tuple[int, ...] = (10, 15, 20, 30, 45, 60)


def _options(offers: Any, column: str) -> list[str]:
    values: set[str] = set()
    for items in offers[column]:
        if isinstance(items, list | tuple):
            values.update(str(v) for v in items if v)
    return sorted(values)


def shortlist(
    region: Any,
    offers: Any,
    *,
    origin: tuple[float, float],
    mode: str,
    age: int,
    topics: list[str],
    languages: list[str],
    wheelchair: bool,
    budget_min: int,
) -> pd.DataFrame:
    """Offers ranked for the profile by ``offers.search.match_profile`` (EPSG:4326 kept)."""
    from geo.access import offer_seconds
    from offers.search import match_profile

    router = get_access_cache(region.slug).router(region.networks[mode])
    seconds = offer_seconds(router, origin, offers, boundary=region.boundary)
    return match_profile(
        offers,
        age=age,
        topics=topics,
        languages=languages,
        wheelchair=wheelchair,
        seconds_by_offer=seconds,
        budget_min=budget_min,
        mode=mode,
    )


def render() -> None:
    """The page: profile, shortlist with reasons, picks, handout (print view + PDF)."""
    st.header(tr("adv.header"))
    st.caption(tr("adv.privacy"))
    region = get_region()
    slug = region_slug()
    offers = get_offers(slug)

    st.subheader(tr("adv.profile"))
    c1, c2 = st.columns(2)
    with c1:
        age = st.number_input(tr("common.age"), min_value=0, max_value=120, value=8, key="adv_age")
        cats = st.multiselect(
            tr("adv.interests"),
            sorted(offers["category"].dropna().unique(), key=category_label),
            format_func=category_label,
            key="adv_cats",
            placeholder=tr("common.any"),
        )
        topics = st.multiselect(
            tr("common.topics"),
            _options(offers, "topics"),
            key="adv_topics",
            placeholder=tr("common.any"),
        )
        languages = st.multiselect(
            tr("common.languages"),
            language_options(offers),
            format_func=language_label,
            key="adv_langs",
            placeholder=tr("common.any"),
        )
        wheelchair = st.checkbox(tr("common.wheelchair"), key="adv_wheelchair")
    with c2:
        st.session_state.setdefault("adv_mode", "walk")
        st.session_state.setdefault("adv_budget", 20)
        mode = st.radio(
            tr("common.mode"), list(MODES), format_func=mode_label, horizontal=True, key="adv_mode"
        )
        budget_min = st.select_slider(
            tr("common.budget"), options=list(BUDGETS_MIN), key="adv_budget"
        )
        hit = address_picker(key="adv_addr")

    if hit is None:
        st.info(tr("adv.start_needed"))
        return
    pool = offers if not cats else offers[offers["category"].isin(cats)]
    try:
        ranked = shortlist(
            region,
            pool,
            origin=hit[:2],
            mode=mode,
            age=int(age),
            topics=list(topics),
            languages=list(languages),
            wheelchair=wheelchair,
            budget_min=int(budget_min),
        )
    except OutOfReachError:
        st.warning(tr("common.outside", region=region_name(slug)))
        return
    if not len(ranked):
        st.warning(tr("adv.none"))
        return

    st.subheader(tr("adv.shortlist"))
    reasons = ranked[f"reasons_{lang()}"].map(
        lambda r: ", ".join(r) if isinstance(r, list | tuple) else r
    )
    table = pd.DataFrame(
        {
            tr("common.name"): ranked["name"].astype(str),
            tr("common.category"): [category_label(c) for c in ranked["category"]],
            tr("adv.reasons"): reasons.astype(str),
            tr("adv.score"): ranked["score"].round(1),
        },
        index=ranked.index,
    )
    st.dataframe(styled(table, formats={tr("adv.score"): 1}), hide_index=True, width="stretch")
    picked = st.multiselect(
        tr("adv.pick"),
        list(ranked.index),
        format_func=lambda i: (
            f"{ranked.at[i, 'name']} ({ranked.at[i, 'minutes']:.0f} {tr('common.min_short')})"
        ),
        key="adv_pick",
        placeholder=tr("common.choose"),
    )
    if not picked:
        st.info(tr("adv.pick_some"))
        return
    rows = handout_rows(offers, ranked, picked, lang=lang())
    _handout(region, rows, origin=hit[:2], age=int(age), mode=mode, budget_min=int(budget_min))


def handout_rows(offers: Any, ranked: Any, picked: list[Any], *, lang: str) -> Any:
    """The picked offers with their travel ``minutes`` and the shortlist's ``reasons``.

    ``reasons`` (a list of texts in ``lang``) becomes the handout's "Passt, weil …" row.
    Geometry stays EPSG:4326; the index (offer ids) and the pick order are kept.
    """
    return offers.loc[picked].assign(
        minutes=ranked.loc[picked, "minutes"],
        reasons=ranked.loc[picked, f"reasons_{lang}"],
    )


def _handout(
    region: Any, rows: Any, *, origin: tuple[float, float], age: int, mode: str, budget_min: int
) -> None:
    """Print view and PDF of the chosen offers (``layers.handout``), built in memory only."""
    from layers import handout

    st.subheader(tr("adv.handout"))
    summary = tr("adv.summary", age=age, mode=mode_label(mode), budget=budget_min)
    today = dt.date.today()
    streets = region.basemap.get("streets") if hasattr(region.basemap, "get") else None
    common = {
        "profile_summary": summary,
        "lang": lang(),
        "date": today,
        "streets": streets,
        "origin": origin,
    }
    page = handout.handout_html(rows, **common)
    with st.expander(tr("adv.print_view"), expanded=True):
        # an iframe keeps the handout's print styles out of the app page; every text in
        # it was escaped by layers.handout
        st.iframe(page, height=720)
    c1, c2 = st.columns(2)
    c1.download_button(
        tr("adv.html"),
        data=page.encode("utf-8"),
        file_name=f"handout-{today.isoformat()}.html",
        mime="text/html",
        key="adv_html_dl",
        on_click="ignore",
    )
    # the PDF (fonts, map sketch) is built only when clicked, in Streamlit's download
    # thread; "ignore": the click does not rerun the page
    c2.download_button(
        tr("adv.pdf"),
        data=functools.partial(handout.handout_pdf, rows, **common),
        file_name=f"handout-{today.isoformat()}.pdf",
        mime="application/pdf",
        key="adv_pdf_dl",
        on_click="ignore",
    )
