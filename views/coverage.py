"""Versorgung & Lücken: coverage, supply per head and gaps per district, with a what-if mode.

All analysis is done by ``geo.access`` (called, never reimplemented here); this page
picks the inputs, caches results at the UI edge and draws them with ``layers``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from geo.agegroups import AGE_GROUPS, groups_for_ages
from geo.errors import OutOfReachError
from geo.metrics import TOTAL
from geo.settings import MODES
from views.common import (
    ColumnFormat,
    age_group_label,
    category_label,
    clicked_point,
    for_map,
    forget_control,
    get_access_cache,
    get_offers,
    get_region,
    lang,
    md,
    mode_label,
    new_map,
    offers_version,
    pending_click,
    region_cache,
    region_slug,
    show_map,
    stop_without_network,
    styled,
    to_csv,
    to_xlsx,
    tr,
)
from views.i18n import fmt_number

THRESHOLDS_MIN: tuple[int, ...] = (5, 10, 15, 20, 30, 45, 60)
#: The category the page opens with (when the region has it).
FIRST_CATEGORY = "kita"
METRICS: tuple[str, ...] = ("share", "supply", "population", "median")
#: metric -> column of the district table
METRIC_COLUMN: dict[str, str] = {
    "share": "share",
    "supply": "supply_per_head",
    "population": "population",
    "median": "median_min",
}


def default_groups(category: str) -> list[str]:
    """The category's target age groups (from the taxonomy), as age-group keys."""
    from offers.taxonomy import CATEGORIES

    cat = CATEGORIES.get(category)
    if cat is None:
        return [AGE_GROUPS[0].key]
    return list(groups_for_ages(int(cat.target_min_age), cat.target_max_age))


@st.cache_data(show_spinner=False, max_entries=32)
def analyse(
    slug: str,
    *,
    category: str,
    groups: tuple[str, ...],
    mode: str,
    threshold_min: int,
    version: int,
    added: tuple[tuple[float, float, int], ...] = (),
    removed: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Coverage, supply per head (E2SFCA) and gap cells for one setting.

    ``geo.access`` does all the work; results are memoised twice: the heavy network
    results in the region's ``AccessCache``, the frames here. ``added`` holds planned
    offers as (lon, lat, capacity) in EPSG:4326, ``removed`` offer ids; with either,
    the what-if helper also returns the per-district change.

    Returns
    -------
    dict
        ``districts`` (per district: name, population, covered, share, median_min,
        supply_per_head), ``total`` (the same for the region), ``gaps`` (underserved
        cells, EPSG:4326), ``capacity_unknown`` (offers counted as 1 place) and
        ``change`` (what-if table or None).
    """
    from geo import access
    from views.common import offers_frame

    region = region_cache().get(slug)
    cache = get_access_cache(slug)
    router = cache.router(region.networks[mode])
    offers = offers_frame(slug, version)
    chosen = offers[offers["category"] == category]
    cols = [f"pop_{g}" for g in groups]
    cells, districts = region.cells, region.districts
    change = None
    rk = region.info.get("cache_key")
    # the current state: a cache hit when the page was shown without a plan before
    nearest, fca = current_state(cache, region, chosen, category=category, mode=mode, groups=groups)
    if added or removed:
        plan = [
            access.NewOffer(lon=lon, lat=lat, capacity=float(cap), offer_id=f"geplant-{i + 1}")
            for i, (lon, lat, cap) in enumerate(added)
        ]
        res = access.what_if(
            router,
            chosen,
            cells,
            districts,
            pop_columns=cols,
            threshold_min=threshold_min,
            add=plan,
            remove=list(removed),
            cache=cache,
            cache_key=rk,
            before=(nearest, fca),
        )
        nearest, fca, change = res.nearest_after, res.fca_after, res.districts
    cov = access.coverage(cells, districts, nearest, threshold_min=threshold_min, pop_columns=cols)
    if fca.districts is not None:
        cov["supply_per_head"] = fca.districts["access"].reindex(cov.index)
    gaps = access.underserved_cells(
        cells, pop_columns=cols, nearest=nearest, threshold_min=threshold_min
    )
    return {
        "districts": cov.drop(index=TOTAL),
        "total": cov.loc[TOTAL],
        "gaps": gaps,
        "capacity_unknown": int(fca.capacity_estimated),
        "change": change,
    }


def current_state(
    cache: Any, region: Any, chosen: Any, *, category: str, mode: str, groups: Sequence[str]
) -> tuple[Any, Any]:
    """Nearest offer and E2SFCA of ``chosen`` (one category's offers) from the AccessCache.

    Plain objects in, no Streamlit: :func:`warm_first_view` runs it in the background.
    """
    net, rk = region.networks[mode], region.info.get("cache_key")
    nearest = cache.nearest(net, chosen, cells=region.cells, region_key=rk, categories=[category])
    fca = cache.e2sfca(
        net,
        chosen,
        region.cells,
        pop_columns=[f"pop_{g}" for g in groups],
        region_key=rk,
        categories=[category],
        districts=region.districts,
    )
    return nearest, fca


def district_shapes(cache: Any, region: Any) -> dict[Any, dict[str, Any]]:
    """The region's drawn district outlines (``layers.choropleth.district_shapes``).

    They change only with the build, so they are kept in the region's AccessCache per
    build: simplifying and projecting them on every rerun cost more than colouring
    them. EPSG:4326 GeoJSON geometries.
    """
    from layers import choropleth

    return cache.get_or_compute(
        ("district-shapes", region.info.get("cache_key")),
        lambda: choropleth.district_shapes(region.districts),
    )


def cell_corner_json(cache: Any, region: Any) -> list[str | None]:
    """Every census cell square's corners as JSON text (EPSG:4326), per build.

    Row order follows ``region.cells``; the gap layer picks its rows from it instead
    of projecting and encoding the squares (most of a large gap layer's cost) on
    every rerun. See ``layers.cells.cell_corner_json``.
    """
    from layers import cells as cells_mod

    def compute() -> list[str | None]:
        cells = region.cells
        size = cells["cell_size_m"] if "cell_size_m" in cells.columns else 100.0
        return cells_mod.cell_corner_json(cells_mod.cell_corners(cells, size_m=size))

    return cache.get_or_compute(("cell-corner-json", region.info.get("cache_key")), compute)


def cell_rows(cells: pd.DataFrame, ids: pd.Index) -> np.ndarray:
    """Row positions of the cells ``ids`` in ``cells``; an unknown id is an error (a -1
    from ``get_indexer`` would silently draw the last cell's square)."""
    rows = cells.index.get_indexer(ids)
    if (rows < 0).any():
        missing = list(ids[rows < 0][:3])
        raise ValueError(f"gap cells not in the region's cells: {missing}")
    return rows


def warm_first_view(cache: Any, region: Any, offers: Any) -> None:
    """Compute what this page first shows (Kita, on foot) before anyone opens it.

    Runs in the background worker with plain objects; the page then finds the
    district outlines, cell squares, nearest Kita and E2SFCA in the AccessCache.
    """
    if not region.has_network:
        return  # the page shows only a notice without a street network
    district_shapes(cache, region)
    cell_corner_json(cache, region)
    if len(region.districts) and (offers["category"] == FIRST_CATEGORY).any():
        chosen = offers[offers["category"] == FIRST_CATEGORY]
        groups = default_groups(FIRST_CATEGORY)
        current_state(cache, region, chosen, category=FIRST_CATEGORY, mode="walk", groups=groups)


def district_table(result: dict[str, Any], districts: Any) -> pd.DataFrame:
    """The per-district table in the user's language (index district_id)."""
    cov = result["districts"]
    table = pd.DataFrame(index=cov.index)
    table[tr("common.district")] = cov["name"] if "name" in cov else districts["name"]
    table[tr("cov.col.population")] = cov["population"].round(0)
    table[tr("cov.col.covered")] = cov["covered"].round(0)
    table[tr("cov.col.share")] = (cov["share"] * 100).round(1)
    table[tr("cov.col.median")] = cov["median_min"].round(1)
    if "supply_per_head" in cov:
        # places per 100 of the target group: per head the values read 0.0123
        table[tr("cov.col.supply")] = (cov["supply_per_head"] * 100).round(2)
    return table


def total_table(result: dict[str, Any]) -> pd.DataFrame:
    """The region-wide row of :func:`district_table` (for regions without districts)."""
    total = result["total"]
    frame = pd.DataFrame([total.to_dict()], index=[TOTAL])
    frame["name"] = tr("cov.region_total")
    return district_table({"districts": frame}, frame)


def district_formats() -> dict[str, ColumnFormat]:
    """Display formats of :func:`district_table`'s columns."""
    return {
        tr("cov.col.population"): 0,
        tr("cov.col.covered"): 0,
        tr("cov.col.share"): "%",
        tr("cov.col.median"): 1,
        tr("cov.col.supply"): 1,
    }


def render() -> None:
    """The page: controls, choropleth + gaps + what-if map, totals, district table."""
    st.header(tr("cov.header"))
    region = get_region()
    slug = region_slug()
    if stop_without_network(region):
        return
    offers = get_offers(slug)

    ctrl, main = st.columns([1, 2], gap="large")
    with ctrl:
        cats = sorted(offers["category"].dropna().unique(), key=category_label)
        if not cats:
            st.warning(tr("cov.no_offers"))
            return
        first = FIRST_CATEGORY if FIRST_CATEGORY in cats else cats[0]
        st.session_state.setdefault("cov_cat", first)
        category = st.selectbox(
            tr("common.category"), cats, format_func=category_label, key="cov_cat"
        )
        groups = st.multiselect(
            tr("cov.target_groups"),
            [g.key for g in AGE_GROUPS],
            default=default_groups(category),
            format_func=age_group_label,
            key=f"cov_groups_{category}",
            placeholder=tr("common.choose"),
        )
        st.session_state.setdefault("cov_mode", "walk")
        st.session_state.setdefault("cov_threshold", 15)
        mode = st.radio(
            tr("common.mode"), list(MODES), format_func=mode_label, horizontal=True, key="cov_mode"
        )
        threshold = st.select_slider(
            tr("cov.threshold"), options=list(THRESHOLDS_MIN), key="cov_threshold"
        )
        has_districts = bool(len(region.districts))
        metric = "share"
        show_gaps = True
        if has_districts:
            metric = st.radio(
                tr("cov.metric"),
                list(METRICS),
                format_func=lambda k: tr(f"cov.metric.{k}"),
                key="cov_metric",
            )
            show_gaps = st.checkbox(tr("cov.show_gaps"), value=True, key="cov_gaps")
        st.markdown(f"#### {tr('cov.whatif')}")
        whatif = st.toggle(tr("cov.whatif_on"), key="cov_whatif")
        action = "add"
        capacity = 50
        plan = st.session_state.setdefault("cov_plan", {"added": [], "removed": []})
        if whatif:
            action = st.radio(
                tr("cov.whatif_action"),
                ["add", "remove"],
                format_func=lambda a: tr(f"cov.whatif_{a}"),
                key="cov_action",
            )
            if action == "add":
                capacity = int(
                    st.number_input(
                        tr("cov.whatif_capacity"),
                        min_value=1,
                        max_value=1000,
                        value=50,
                        key="cov_capacity",
                    )
                )
                st.caption(tr("cov.whatif_click"))
            else:
                # names by id: a label lookup in the offer table per option is slow
                names = offers.loc[offers["category"] == category, "name"]
                label = {i: str(name) for i, name in zip(names.index, names, strict=True)}
                removed = st.multiselect(
                    tr("cov.whatif_pick_remove"),
                    list(label),
                    format_func=label.__getitem__,
                    key=f"cov_remove_{category}",
                    placeholder=tr("common.choose"),
                )
                plan["removed"] = list(removed)
            if st.button(tr("cov.whatif_reset"), key="cov_reset"):
                st.session_state["cov_plan"] = {"added": [], "removed": []}
                forget_control(f"cov_remove_{category}")
                st.rerun()

    if not groups:
        groups = default_groups(category)
    # clicks matter only while placing a planned offer; otherwise nothing reruns
    wanted = ["last_clicked"] if whatif and action == "add" else []
    # streamlit-folium keeps returned_objects of a mounted map: remount when they change
    map_key = f"cov_map_{slug}_{'-'.join(wanted)}"
    click = pending_click(map_key) if wanted else None
    if click is not None and click != st.session_state.get("cov_last_click"):
        # a click reported before this run: plan it now, no second run needed
        st.session_state["cov_last_click"] = click
        plan["added"].append((click[0], click[1], capacity))
    setting = {
        "category": category,
        "groups": tuple(groups),
        "mode": mode,
        "threshold_min": int(threshold),
        "version": offers_version(slug),
    }
    base = analyse(slug, **setting)
    # only offers of the shown category can be removed (the plan may hold another's)
    same_ids = set(offers.index[offers["category"] == category])
    removed_ids = tuple(i for i in plan["removed"] if i in same_ids)
    planned = whatif and (plan["added"] or removed_ids)
    result = base
    refused = 0
    while planned:
        try:
            result = analyse(
                slug,
                **setting,
                added=tuple(tuple(a) for a in plan["added"]),
                removed=removed_ids,
            )
            break
        except OutOfReachError as exc:
            # drop the offer that cannot be routed (normally the click just made), keep the rest
            plan["added"].pop(_refused_index(exc, len(plan["added"])))
            refused += 1
            planned = bool(plan["added"] or removed_ids)
            result = base

    with main:
        if not has_districts:
            # no district map to colour: the underserved 100 m cells carry the picture
            st.info(tr("cov.no_districts"))
        m = new_map(region)
        groups = _layers(
            region,
            result,
            metric=metric,
            show_gaps=show_gaps,
            offers=offers,
            category=category,
            plan=plan if whatif else None,
        )
        out = show_map(m, key=map_key, layers=groups, returned_objects=wanted)
        click = clicked_point(out)
        if (
            whatif
            and action == "add"
            and click is not None
            and click != st.session_state.get("cov_last_click")
        ):
            st.session_state["cov_last_click"] = click
            plan["added"].append((click[0], click[1], capacity))
            st.rerun()

    if refused:
        with ctrl:
            st.warning(tr("cov.whatif_outside", region=md(region.name)))
    total = result["total"]
    st.markdown(
        tr(
            "cov.total_line",
            share=fmt_number(float(total["share"]) * 100, lang(), decimals=1),
            covered=fmt_number(float(total["covered"]), lang()),
            population=fmt_number(float(total["population"]), lang()),
            threshold=int(threshold),
            mode=mode_label(mode),
        )
    )
    known = _supply_honesty(offers[offers["category"] == category], result)
    if planned and result.get("change") is not None:
        _whatif_table(base, result, per_district=has_districts)

    if has_districts:
        st.markdown(f"#### {tr('cov.table')}")
        table = district_table(result, region.districts)
    else:
        st.markdown(f"#### {tr('cov.table_total')}")
        table = total_table(result)
    shown = styled(table, formats=district_formats())
    if not known.sufficient and tr("cov.col.supply") in table.columns:
        # too few known capacities: the supply column is greyed (explained above)
        shown = shown.set_properties(subset=[tr("cov.col.supply")], color="#9a9a9a")
    st.dataframe(shown, hide_index=True, width="stretch")
    d1, d2 = st.columns(2)
    stem = f"versorgung_{slug}_{category}_{mode}_{int(threshold)}min"
    # the files are written only when clicked (no cost on every rerun), without a rerun
    d1.download_button(
        tr("common.download_csv"),
        functools.partial(to_csv, table),
        f"{stem}.csv",
        "text/csv",
        key="cov_csv",
        on_click="ignore",
    )
    d2.download_button(
        tr("common.download_xlsx"),
        functools.partial(to_xlsx, table),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="cov_xlsx",
        on_click="ignore",
    )


def _supply_honesty(chosen: pd.DataFrame, result: dict[str, Any]) -> Any:
    """Next to the supply figures: how many capacities are known, the catchment, and a
    warning below the planner-visible level (``geo.supply.DEFAULT_MIN_KNOWN_SHARE``)."""
    from geo.metrics import DEFAULT_STEPS
    from geo.supply import capacity_knowledge

    known = capacity_knowledge(chosen)
    st.caption(
        tr(
            "cov.capacity_known",
            known=known.known,
            n=known.offers,
            share=fmt_number(
                100.0 * (known.share_known if known.offers else 0.0), lang(), decimals=0
            ),
            steps=" / ".join(f"{b:g}" for b, _ in DEFAULT_STEPS),
            unknown=int(result.get("capacity_unknown", 0)),
        )
    )
    if not known.sufficient:
        st.warning(
            tr("cov.capacity_low", level=fmt_number(100.0 * known.min_share, lang(), decimals=0))
        )
    return known


def _refused_index(exc: OutOfReachError, n_added: int) -> int:
    """Position in the plan of the planned offer ``geo.access.what_if`` refused.

    ``analyse`` names planned offers ``geplant-<n>`` (1-based); the error's ``offer_id``
    says which one; without it the latest one is meant.
    """
    ids = [f"geplant-{i + 1}" for i in range(n_added)]
    return ids.index(exc.offer_id) if exc.offer_id in ids else n_added - 1


def _whatif_table(base: dict[str, Any], after: dict[str, Any], *, per_district: bool) -> None:
    """The change from ``geo.access.what_if``: overall, and per changed district."""
    st.markdown(f"#### {tr('cov.whatif_result' if per_district else 'cov.whatif')}")
    change = after["change"]
    total = change.loc[TOTAL]
    delta = float(total["share_change"]) * 100
    st.markdown(
        tr(
            "cov.whatif_total",
            before=fmt_number(float(total["share_before"]) * 100, lang(), decimals=1),
            after=fmt_number(float(total["share_after"]) * 100, lang(), decimals=1),
            delta=("+" if delta >= 0 else "−") + fmt_number(abs(delta), lang(), decimals=1),
        )
    )
    if not per_district:
        return
    rows = change.drop(index=TOTAL)
    diff = pd.DataFrame(index=rows.index)
    diff[tr("common.district")] = rows["name"]
    diff[tr("cov.col.share_before")] = (rows["share_before"] * 100).round(1)
    diff[tr("cov.col.share_after")] = (rows["share_after"] * 100).round(1)
    diff[tr("cov.col.share_delta")] = (rows["share_change"] * 100).round(1)
    # places per 100 of the target group, as in the district table
    diff[tr("cov.col.supply_before")] = (rows["e2sfca_before"] * 100).round(2)
    diff[tr("cov.col.supply_after")] = (rows["e2sfca_after"] * 100).round(2)
    diff[tr("cov.col.supply_delta")] = (rows["e2sfca_change"] * 100).round(2)
    moved = (rows["share_change"].abs() > 1e-12) | (rows["e2sfca_change"].abs() > 1e-12)
    diff = diff[moved.to_numpy()].sort_values(tr("cov.col.share_delta"), ascending=False)
    formats: dict[str, ColumnFormat] = {
        tr("cov.col.share_before"): "%",
        tr("cov.col.share_after"): "%",
        tr("cov.col.share_delta"): 1,
        tr("cov.col.supply_before"): 1,
        tr("cov.col.supply_after"): 1,
        tr("cov.col.supply_delta"): 2,
    }
    st.dataframe(styled(diff, formats=formats), hide_index=True, width="stretch")


@st.cache_data(show_spinner=False, max_entries=32)
def offer_rows(
    slug: str, *, version: int, category: str, removed: tuple[str, ...], code: str
) -> list[list[Any]]:
    """Marker rows (``layers.offers.offer_rows``) of a category's offers minus ``removed``.

    The same rows as ``layers.offers.offer_layer`` draws, kept between reruns: a new
    threshold or a planned offer does not rebuild a popup per offer.
    """
    from layers import offers as layers_offers
    from views.common import offers_frame

    offers = offers_frame(slug, version)
    same = offers[offers["category"] == category].drop(index=list(removed), errors="ignore")
    return layers_offers.offer_rows(for_map(same), lang=code)


def _layers(
    region: Any,
    result: dict[str, Any],
    *,
    metric: str,
    show_gaps: bool,
    offers: Any,
    category: str,
    plan: dict[str, Any] | None,
) -> list[Any]:
    """The choropleth, gap cells, offers and what-if markers as folium feature groups."""
    import folium
    import geopandas as gpd

    from layers import cells as cells_mod
    from layers import choropleth, whatif
    from layers import offers as layers_offers
    from layers.text import layer_name
    from layers.text import t as layer_text

    groups: list[Any] = []
    if len(region.districts):
        cov = result["districts"]
        column = METRIC_COLUMN[metric]
        # only the drawn measure: joining every result column cost more than drawing
        frame = region.districts[["name", "geometry"]]
        if column in cov.columns:
            values = cov[column].reindex(frame.index)
            if column == "supply_per_head":
                values = values * 100  # per 100, as the table
            frame = frame.assign(**{column: values.to_numpy()})
        layer = choropleth.district_layer(
            frame,
            column=column,
            label=tr(f"cov.metric.{metric}"),
            unit=tr(f"cov.unit.{metric}"),
            lang=lang(),
            name=tr(f"cov.metric.{metric}"),
            reverse=metric == "median",  # long travel times are bad
            shapes=district_shapes(get_access_cache(region.slug), region),
        )
        groups.append(layer)
    gaps = result.get("gaps")
    if show_gaps and gaps is not None and len(gaps):
        squares = cell_corner_json(get_access_cache(region.slug), region)
        gap = cells_mod.gap_layer(
            gaps[["people", "geometry"]],  # the squares come from ``corner_json``
            corner_json=[squares[i] for i in cell_rows(region.cells, gaps.index)],
            value_column="people",
            lang=lang(),
            label=tr("cov.gap_people"),
            unit=tr("cov.unit.population"),
            pop_column=None,
            name=tr("cov.gaps"),
            # estimated age groups (2011 census) give fractions: "1 – 2" and "2" classes
            # would read as overlapping whole numbers
            decimals=0 if bool((gaps["people"] % 1 == 0).all()) else 1,
        )
        groups.append(gap)
    # ids and masks, not filtered copies: the offer table has many text columns
    in_category = (offers["category"] == category).to_numpy(dtype=bool)
    same_ids = set(offers.index[in_category])
    removed_ids = [i for i in (plan or {}).get("removed", []) if i in same_ids]
    removed = offers.loc[removed_ids, ["name", "geometry"]]
    if len(same_ids) > len(removed_ids):
        # the pins (popups, tooltips) change only with the category and the removals
        rows = offer_rows(
            region.slug,
            version=offers_version(region.slug),
            category=category,
            removed=tuple(removed.index),
            code=lang(),
        )
        group = folium.FeatureGroup(name=layer_name(layer_text("offers", lang())))
        layers_offers.OfferMarkers(rows, cluster=True).add_to(group)
        layers_offers.category_legend([category], lang=lang()).add_to(group)
        groups.append(group)
    if plan is not None and (plan["added"] or len(removed)):
        added = plan["added"]
        planned = gpd.GeoDataFrame(
            {
                "name": [f"{tr('cov.planned')} {i + 1}" for i in range(len(added))],
                "capacity": [cap for _, _, cap in added],
            },
            geometry=gpd.points_from_xy([a[0] for a in added], [a[1] for a in added]),
            crs="EPSG:4326",
        )
        groups.append(whatif.whatif_layer(planned, removed, lang=lang()))
    return groups
