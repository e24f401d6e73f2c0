"""Planung: duplicate structures, best new sites, need weighting, scenarios and norms.

The page only draws: every figure comes from ``geo.plan`` (reach matrix, overlap,
site selection), ``geo.need``, ``geo.supply``, ``geo.plan_scenarios`` and
``offers.scenarios``. Heavy results (the reach matrices) are kept in the region's
``AccessCache``; an exact solve runs in its own process (``geo.plan.ExactSolveJob``)
so the page shows its progress and can cancel it.
"""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from geo.settings import MODES
from offers.safety import html_text
from views.common import (
    category_label,
    get_access_cache,
    get_offers,
    get_region,
    lang,
    md,
    mode_label,
    new_map,
    offers_version,
    pending_click,
    region_slug,
    show_error,
    show_map,
    styled,
    to_csv,
    tr,
)
from views.i18n import fmt_number

FIRST_CATEGORY = "kita"
#: Exact solves stop after this long; the gap then says how far from proven they are.
EXACT_TIME_LIMIT_S = 120.0


# --------------------------------------------------------------------------- data (cached)


def _norm_stamp(slug: str) -> int:
    from geo.norms import NormStore

    try:
        return NormStore(slug).path.stat().st_mtime_ns
    except OSError:
        return 0


def planning_setting(
    slug: str, *, category: str, mode: str, minutes: float | None, profile: str | None
) -> Any:
    """``offers.planning.plan_setting`` for the page, kept in the region's AccessCache."""
    from geo.norms import NormStore
    from offers.planning import plan_setting

    region = get_region()
    cache = get_access_cache(slug)
    version = offers_version(slug)
    key = (
        "plan-setting",
        region.info.get("cache_key"),
        category,
        mode,
        minutes,
        profile,
        version,
        _norm_stamp(slug),
    )

    def compute() -> Any:
        store = NormStore(slug)
        return plan_setting(
            region,
            get_offers(slug),
            category=category,
            mode=mode,
            minutes=minutes,
            profile=profile,
            norms=tuple(store.norms()),
            speeds=store.speeds(),
            router=cache.router(region.networks[mode]),
        )

    return cache.get_or_compute(key, compute)


def candidate_reach(slug: str, setting: Any, points: gpd.GeoDataFrame, tag: str) -> Any:
    """The candidates' reach matrix (cached per setting and candidate set)."""
    from geo import plan

    region = get_region()
    key = (
        "plan-candidates",
        region.info.get("cache_key"),
        setting.mode,
        setting.threshold_min,
        tag,
        len(points),
    )
    return get_access_cache(slug).get_or_compute(
        key,
        lambda: plan.reach_matrix(
            setting.router, points, region.cells, threshold_min=setting.threshold_min
        ),
    )


def need_weights(slug: str, source: str) -> Any | None:
    """Need weights of the region (None when the source is not available)."""
    from geo import need
    from geo.settings import get_paths

    region = get_region()
    cache = get_access_cache(slug)
    if source == "census":
        path = need.census_attribute_path(slug, paths=get_paths())
        if not path.exists():
            return None
        return cache.get_or_compute(
            ("need-census", region.info.get("cache_key")),
            lambda: need.weights_from_census(region.cells, need.read_census_attributes(path)),
        )
    if source == "district_index":
        index = district_need_index(region)
        if index is None:
            return None
        return need.weights_from_district_index(
            region.cells, index, district_population=region.districts.get("pop_total")
        )
    return None


def district_need_index(region: Any) -> pd.Series | None:
    """The monitoring package's Bedarfsindex per district, if that package offers one."""
    try:
        from monitor import need_index  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        index = need_index(region)
    except Exception:  # the monitoring data of this region may be missing
        return None
    return index if isinstance(index, pd.Series) and len(index) else None


# --------------------------------------------------------------------------- texts


def norm_caption(setting: Any) -> str:
    """ "Schwelle … (Quelle …); Gehtempo …" for the chosen setting (escaped)."""
    minutes = fmt_number(setting.minutes, lang(), decimals=1)
    net = fmt_number(setting.threshold_min, lang(), decimals=1)
    if setting.norm is not None and setting.norm.distance_m is not None:
        text = tr(
            "plan.norm_distance",
            metres=fmt_number(setting.norm.distance_m, lang()),
            network=net,
            source=md(setting.norm.source),
        )
    elif setting.norm is not None:
        text = tr("plan.norm_minutes", minutes=minutes, network=net, source=md(setting.norm.source))
    else:
        text = tr("plan.norm_custom", minutes=minutes, network=net)
    if setting.mode == "walk":
        text += " " + tr(
            "plan.speed_line",
            profile=tr(f"plan.profile.{setting.speed.key}"),
            kmh=fmt_number(setting.speed.kmh, lang(), decimals=1),
            source=md(setting.speed.source),
        )
    return text


def duplicate_reasons(
    result: Any, names: pd.Series, *, minutes: float, escape: Any = str
) -> list[str]:
    """One sentence per offer: who else reaches its people, and what closing it costs.

    ``escape`` wraps the partner's name: ``str`` for table cells, ``md`` for markdown.
    """
    out = []
    for row in result.offers.itertuples():
        cost = fmt_number(100.0 * float(row.essential_share or 0.0), lang(), decimals=1)
        people = fmt_number(float(row.essential_people), lang())
        if row.partner is None or not row.partner_share > 0:
            out.append(tr("plan.reason_alone", cost=cost, people=people))
            continue
        out.append(
            tr(
                "plan.reason",
                share=fmt_number(100.0 * float(row.partner_share), lang(), decimals=0),
                partner=escape(str(names.get(row.partner, row.partner))),
                minutes=fmt_number(minutes, lang(), decimals=0),
                cost=cost,
                people=people,
            )
        )
    return out


# --------------------------------------------------------------------------- render


def render() -> None:
    """The planning page."""
    st.header(tr("plan.header"))
    st.caption(tr("plan.intro"))
    region = get_region()
    slug = region_slug()
    offers = get_offers(slug)
    cats = sorted(offers["category"].dropna().unique(), key=category_label)
    if not cats:
        st.warning(tr("cov.no_offers"))
        return
    c1, c2, c3, c4 = st.columns(4)
    st.session_state.setdefault("plan_cat", FIRST_CATEGORY if FIRST_CATEGORY in cats else cats[0])
    category = c1.selectbox(tr("common.category"), cats, format_func=category_label, key="plan_cat")
    st.session_state.setdefault("plan_mode", "walk")
    mode = c2.radio(
        tr("common.mode"), list(MODES), format_func=mode_label, horizontal=True, key="plan_mode"
    )
    use_norm = c3.toggle(tr("plan.use_norm"), value=True, key="plan_use_norm")
    minutes = None
    if not use_norm:
        minutes = float(
            c3.select_slider(
                tr("cov.threshold"),
                options=[5, 8, 10, 15, 20, 30, 45],
                value=10,
                key="plan_minutes",
            )
        )
    need_choice = c4.radio(
        tr("plan.need"),
        ["none", "census", "district_index"],
        format_func=lambda k: tr(f"plan.need.{k}"),
        key="plan_need",
    )
    try:
        setting = planning_setting(
            slug, category=category, mode=mode, minutes=minutes, profile=None
        )
    except Exception as exc:  # a statute norm without a number, unknown mode
        show_error(exc)
        return
    st.markdown(norm_caption(setting))
    weights = None if need_choice == "none" else need_weights(slug, need_choice)
    if need_choice != "none" and weights is None:
        st.info(tr(f"plan.need_missing.{need_choice}"))
    if weights is not None:
        _need_formula(weights)
    demand_w = (
        None
        if weights is None
        else setting.demand * weights.weights.reindex(region.cells.index).to_numpy(float)
    )
    # one section per run (tabs would compute all four on every click)
    if "plan_section_next" in st.session_state:
        st.session_state["plan_section"] = st.session_state.pop("plan_section_next")
    section = st.radio(
        tr("plan.section"),
        ["duplicates", "sites", "scenarios", "norms"],
        format_func=lambda k: tr(f"plan.tab.{k}"),
        horizontal=True,
        key="plan_section",
        label_visibility="collapsed",
    )
    if section == "duplicates":
        _duplicates(region, setting, demand_w)
    elif section == "sites":
        _sites(slug, region, setting, demand_w)
    elif section == "scenarios":
        _scenarios(slug, region, setting, weights)
    else:
        _norms(slug)


def _need_formula(weights: Any) -> None:
    parts = ", ".join(
        tr(
            "plan.need_part",
            key=tr(f"plan.need_key.{p.key}"),
            beta=fmt_number(p.beta, lang(), decimals=1),
            mean=fmt_number(p.mean, lang(), decimals=3),
            sd=fmt_number(p.sd, lang(), decimals=3),
        )
        for p in weights.parts
    )
    st.caption(
        tr(
            "plan.need_formula",
            strength=fmt_number(weights.strength, lang(), decimals=2),
            floor=fmt_number(weights.floor, lang(), decimals=2),
            cap=fmt_number(weights.cap, lang(), decimals=2),
            parts=parts,
            default=weights.cells_default,
        )
    )
    for code in weights.caveats:
        st.caption(tr(f"plan.caveat.{code}"))


def _duplicates(region: Any, setting: Any, demand_w: np.ndarray | None) -> None:
    from geo import plan
    from layers.cells import gap_layer
    from layers.offers import offer_layer

    level = st.slider(tr("plan.level"), 0.1, 1.0, 0.5, 0.05, key="plan_level")
    demand = setting.demand if demand_w is None else demand_w
    kitas = setting.offers
    result = plan.overlap_analysis(
        setting.existing,
        demand,
        capacity=kitas["capacity"],
        providers=kitas["provider"],
        level=level,
    )
    names = kitas["name"].astype(str)
    st.markdown(
        tr(
            "plan.covered_line",
            covered=fmt_number(result.covered_people, lang()),
            total=fmt_number(result.target_population, lang()),
            offers=len(result.offers),
        )
    )
    ranked = result.offers.sort_values("duplicate_rank")
    reasons = duplicate_reasons(result, names, minutes=setting.minutes)
    reason_of = dict(zip(result.offers.index, reasons, strict=True))
    table = pd.DataFrame(index=ranked.index)
    table[tr("plan.col.rank")] = ranked["duplicate_rank"]
    table[tr("common.name")] = names.reindex(ranked.index)
    table[tr("common.provider")] = ranked["provider"].replace("", "–")
    table[tr("plan.col.redundancy")] = (ranked["redundancy"] * 100).round(1)
    table[tr("plan.col.essential")] = ranked["essential_people"].round(0)
    table[tr("plan.col.utilisation")] = (ranked["utilisation"] * 100).round(0)
    table[tr("plan.col.reason")] = [reason_of[i] for i in ranked.index]
    st.markdown(f"#### {tr('plan.dup_table')}")
    # the strongest candidates in words (the table below holds all of them)
    top = ranked.index[: min(5, len(ranked))]
    words = dict(
        zip(
            result.offers.index,
            duplicate_reasons(result, names, minutes=setting.minutes, escape=md),
            strict=True,
        )
    )
    st.markdown("\n".join(f"1. **{md(names.get(i, i))}**: {words[i]}" for i in top))
    st.caption(
        tr(
            "plan.utilisation_note",
            method=tr(f"plan.method.{result.utilisation_method}"),
            known=int(ranked["capacity"].notna().sum()),
            n=len(ranked),
        )
    )
    st.dataframe(
        styled(
            table,
            formats={
                tr("plan.col.redundancy"): "%",
                tr("plan.col.essential"): 0,
                tr("plan.col.utilisation"): "%",
            },
        ),
        hide_index=True,
        width="stretch",
    )
    st.download_button(
        tr("common.download_csv"),
        functools.partial(to_csv, table),
        f"doppelstrukturen_{region.slug}_{setting.target.key}.csv",
        "text/csv",
        key="plan_dup_csv",
        on_click="ignore",
    )
    left, right = st.columns(2)
    with left:
        st.markdown(f"#### {tr('plan.pairs')}")
        pairs = pd.DataFrame(
            {
                tr("plan.col.offer_a"): names.reindex(result.pairs["offer_a"]).to_numpy(),
                tr("plan.col.offer_b"): names.reindex(result.pairs["offer_b"]).to_numpy(),
                tr("plan.col.overlap"): (result.pairs["overlap"] * 100).round(1).to_numpy(),
                tr("plan.col.shared"): result.pairs["shared_people"].round(0).to_numpy(),
            }
        )
        st.dataframe(
            styled(pairs, formats={tr("plan.col.overlap"): "%", tr("plan.col.shared"): 0}),
            hide_index=True,
            width="stretch",
            height=260,
        )
    with right:
        st.markdown(f"#### {tr('plan.providers')}")
        prov = result.providers
        ptable = pd.DataFrame(
            {
                tr("common.provider"): [
                    p if k else tr("plan.no_provider")
                    for p, k in zip(prov.index, prov["provider_known"], strict=True)
                ],
                tr("plan.col.offers"): prov["offers"].to_numpy(),
                tr("plan.col.redundancy"): (prov["redundancy"] * 100).round(1).to_numpy(),
                tr("plan.col.essential"): prov["essential_people"].round(0).to_numpy(),
                tr("plan.col.partner_share"): (prov["partner_share"] * 100).round(0).to_numpy(),
            }
        )
        st.dataframe(
            styled(
                ptable,
                formats={
                    tr("plan.col.redundancy"): "%",
                    tr("plan.col.essential"): 0,
                    tr("plan.col.partner_share"): "%",
                },
            ),
            hide_index=True,
            width="stretch",
            height=260,
        )
    st.markdown(f"#### {tr('plan.multiplicity')}")
    cells = region.cells
    shown = cells.loc[result.cells["demand"].to_numpy() > 0].copy()
    shown["multiplicity"] = result.cells["multiplicity"].reindex(shown.index).to_numpy()
    m = new_map(region)
    layers = [
        gap_layer(
            shown,
            value_column="multiplicity",
            lang=lang(),
            label=tr("plan.multiplicity_label"),
            name=tr("plan.multiplicity"),
            scheme="EqualInterval",
            k=min(5, max(1, int(shown["multiplicity"].max()) + 1)),
            pop_column=None,
        ),
        offer_layer(kitas, lang=lang(), cluster=False, legend=False),
    ]
    show_map(m, key=f"plan_dup_map_{region.slug}", layers=layers, returned_objects=[], height=460)


def _candidate_points(slug: str, region: Any, setting: Any) -> tuple[gpd.GeoDataFrame, str]:
    from geo import plan

    source = st.radio(
        tr("plan.candidates"),
        ["cells", "upload", "clicks"],
        format_func=lambda k: tr(f"plan.candidates.{k}"),
        horizontal=True,
        key="plan_cand_source",
    )
    if source == "upload":
        up = st.file_uploader(tr("plan.upload"), type=["csv", "geojson", "json"], key="plan_upload")
        if up is None:
            return plan.candidate_cells(region.cells, mode=setting.mode), "cells"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(up.name).name
            path.write_bytes(up.getvalue())
            points = plan.read_candidates(path)
        return points, f"upload-{up.file_id}"
    if source == "clicks":
        clicks = st.session_state.setdefault("plan_clicks", [])
        st.caption(tr("plan.click_hint", n=len(clicks)))
        if clicks and st.button(tr("plan.clear_clicks"), key="plan_clear_clicks"):
            clicks.clear()
        if not clicks:
            return plan.candidate_cells(region.cells, mode=setting.mode).iloc[:0], "clicks-0"
        pts = gpd.GeoDataFrame(
            {"label": [f"P{i + 1}" for i in range(len(clicks))]},
            geometry=gpd.points_from_xy([c[0] for c in clicks], [c[1] for c in clicks]),
            index=pd.Index([f"klick-{i + 1}" for i in range(len(clicks))], name="candidate_id"),
            crs="EPSG:4326",
        )
        return pts, "clicks-" + json.dumps(clicks)
    return plan.candidate_cells(region.cells, mode=setting.mode), "cells"


def _sites(slug: str, region: Any, setting: Any, demand_w: np.ndarray | None) -> None:
    from geo import plan
    from layers.offers import offer_layer
    from layers.whatif import whatif_layer

    c1, c2 = st.columns(2)
    k = int(c1.number_input(tr("plan.k"), min_value=1, max_value=20, value=3, key="plan_k"))
    capacity = float(
        c2.number_input(
            tr("plan.capacity"), min_value=0, max_value=500, value=0, key="plan_capacity"
        )
    )
    try:
        points, tag = _candidate_points(slug, region, setting)
    except Exception as exc:
        show_error(exc)
        return
    if len(points) == 0:
        st.info(tr("plan.no_candidates"))
        cand = None
    else:
        cand = candidate_reach(slug, setting, points, tag)
    kwargs: dict[str, Any] = dict(
        candidate_points=points,
        cells=region.cells,
        districts=region.districts,
        capacity=capacity or None,
        existing_capacity=setting.offers["capacity"],
    )
    results: dict[str, Any] = {}
    if cand is not None and len(cand.ids):
        results["people"] = plan.propose_sites(
            setting.existing, cand, setting.demand, k=k, **kwargs
        )
        if demand_w is not None:
            results["need"] = plan.propose_sites(
                setting.existing, cand, demand_w, k=k, people=setting.demand, **kwargs
            )
    job_key = "plan_exact_job"
    exact = st.session_state.get("plan_exact_result")
    b1, b2 = st.columns(2)
    if cand is not None and b1.button(tr("plan.exact_start"), key="plan_exact_go"):
        old = st.session_state.pop(job_key, None)
        if old is not None:
            old.cancel()
        demand = setting.demand if demand_w is None else demand_w
        st.session_state[job_key] = plan.propose_sites(
            setting.existing,
            cand,
            demand,
            k=k,
            method="exact",
            background=True,
            time_limit_s=EXACT_TIME_LIMIT_S,
            people=None if demand_w is None else setting.demand,
            **kwargs,
        )
        st.session_state.pop("plan_exact_result", None)
        exact = None
    if st.session_state.pop("plan_exact_cancelled", False):
        st.info(tr("plan.exact_cancelled"))
    if st.session_state.get(job_key) is not None:
        with b2:
            _exact_progress()
    shown = exact or results.get("need") or results.get("people")
    if shown is None:
        return
    if exact is not None:
        st.success(
            tr(
                "plan.exact_done",
                gap=fmt_number(100.0 * (exact.gap or 0.0), lang(), decimals=2),
                seconds=fmt_number(exact.seconds, lang(), decimals=1),
            )
        )
    cols = st.columns(len(results) or 1)
    for col, (which, res) in zip(cols, results.items(), strict=False):
        with col:
            st.markdown(f"##### {tr(f'plan.objective.{which}')}")
            st.markdown(
                tr(
                    "plan.before_after",
                    before=fmt_number(res.covered_people_before, lang()),
                    after=fmt_number(res.covered_people_after, lang()),
                    total=fmt_number(float(setting.demand.sum()), lang()),
                    method=tr(f"plan.method.{res.method.split('-')[0]}"),
                )
            )
            st.dataframe(_site_table(res), hide_index=True, width="stretch")
    if exact is not None:
        st.markdown(f"##### {tr('plan.method.exact')}")
        st.dataframe(_site_table(exact), hide_index=True, width="stretch")
    st.markdown(f"#### {tr('plan.by_district')}")
    dist = shown.districts[shown.districts["gain"] > 0]
    dtable = pd.DataFrame(
        {
            tr("common.district"): dist["name"].to_numpy(),
            tr("plan.col.before"): dist["covered_before"].round(0).to_numpy(),
            tr("plan.col.after"): dist["covered_after"].round(0).to_numpy(),
            tr("plan.col.gain_people"): dist["gain"].round(0).to_numpy(),
        }
    )
    st.dataframe(
        styled(
            dtable,
            formats={
                tr("plan.col.before"): 0,
                tr("plan.col.after"): 0,
                tr("plan.col.gain_people"): 0,
            },
        ),
        hide_index=True,
        width="stretch",
    )
    d1, d2 = st.columns(2)
    d1.download_button(
        tr("common.download_csv"),
        functools.partial(to_csv, _site_table(shown)),
        f"standorte_{region.slug}_{setting.target.key}.csv",
        "text/csv",
        key="plan_sites_csv",
        on_click="ignore",
    )
    if d2.button(tr("plan.take_over"), key="plan_take_over"):
        st.session_state["plan_draft"] = _draft_from(shown, setting, capacity or None)
        # the section radio is drawn already: switch it at the start of the next run
        st.session_state["plan_section_next"] = "scenarios"
        st.rerun()
    planned = gpd.GeoDataFrame(
        {
            "name": [tr("plan.proposal", n=int(r)) for r in shown.sites["rank"]],
            "capacity": [capacity or np.nan] * len(shown.sites),
        },
        geometry=gpd.points_from_xy(shown.sites["lon"], shown.sites["lat"]),
        crs="EPSG:4326",
    )
    m = new_map(region)
    wanted = ["last_clicked"] if st.session_state.get("plan_cand_source") == "clicks" else []
    map_key = f"plan_sites_map_{region.slug}_{'-'.join(wanted)}"
    click = pending_click(map_key) if wanted else None
    if click is not None and click not in st.session_state.setdefault("plan_clicks", []):
        st.session_state["plan_clicks"].append(click)
        st.rerun()
    show_map(
        m,
        key=map_key,
        layers=[
            whatif_layer(planned, lang=lang(), name=tr("plan.proposals")),
            offer_layer(setting.offers, lang=lang(), cluster=False, legend=False),
        ],
        returned_objects=wanted,
        height=460,
    )


def _site_table(res: Any) -> pd.DataFrame:
    s = res.sites
    return pd.DataFrame(
        {
            tr("plan.col.rank"): s["rank"].to_numpy(),
            tr("common.district"): s["district"].fillna("–").to_numpy(),
            tr("plan.col.gain_people"): s["gain_people"].round(0).to_numpy(),
            tr("plan.col.gain"): s["gain"].round(1).to_numpy(),
            "lon": s["lon"].round(6).to_numpy(),
            "lat": s["lat"].round(6).to_numpy(),
        }
    )


@st.fragment(run_every=1.0)
def _exact_progress() -> None:
    """Poll the background exact solve: elapsed time, cancel button, result when done."""
    job = st.session_state.get("plan_exact_job")
    if job is None:
        return
    if job.done():
        try:
            st.session_state["plan_exact_result"] = job.result(timeout_s=5)
        except Exception as exc:
            st.session_state["plan_exact_result"] = None
            show_error(exc)
        st.session_state.pop("plan_exact_job", None)
        st.rerun(scope="app")
    share = min(1.0, job.elapsed_s / EXACT_TIME_LIMIT_S)
    st.progress(
        share,
        text=tr(
            "plan.exact_running",
            seconds=fmt_number(job.elapsed_s, lang(), decimals=0),
            limit=fmt_number(EXACT_TIME_LIMIT_S, lang(), decimals=0),
        ),
    )
    if st.button(tr("plan.exact_cancel"), key="plan_exact_cancel"):
        job.cancel()
        st.session_state.pop("plan_exact_job", None)
        st.session_state["plan_exact_cancelled"] = True
        st.rerun(scope="app")


def _draft_from(res: Any, setting: Any, capacity: float | None) -> Any:
    from geo.plan_scenarios import PlannedOffer, Scenario

    return Scenario(
        name=tr("plan.draft_name"),
        category=setting.target.key,
        mode=setting.mode,
        minutes=setting.minutes,
        threshold_min=setting.threshold_min,
        add=tuple(
            PlannedOffer(
                f"neu-{int(r['rank'])}",
                float(r["lon"]),
                float(r["lat"]),
                capacity,
                tr("plan.proposal", n=int(r["rank"])),
            )
            for _, r in res.sites.iterrows()
        ),
    )


def _scenarios(slug: str, region: Any, setting: Any, weights: Any) -> None:
    from geo.plan_scenarios import Scenario, compare_scenarios
    from offers.scenarios import ScenarioStore

    store = ScenarioStore(slug)
    user = st.session_state.get("planner")
    draft = st.session_state.get("plan_draft")
    from geo.supply import capacity_knowledge

    know = capacity_knowledge(setting.offers)
    median = "–" if know.median_known is None else fmt_number(know.median_known, lang())
    c1, c2 = st.columns(2)
    # the median assumption is offered only when some capacity is known
    rules = ["exclude", "median", "one"] if know.known else ["exclude", "one"]
    rule = c1.radio(
        tr("plan.capacity_rule"),
        rules,
        format_func=lambda r: _rule_label(r, median),
        key="plan_rule",
    )
    c2.caption(
        tr(
            "plan.capacity_known",
            known=know.known,
            n=know.offers,
            share=fmt_number(
                100.0 * (know.share_known if know.offers else 0.0), lang(), decimals=0
            ),
            median="–" if know.median_known is None else fmt_number(know.median_known, lang()),
        )
    )
    current = Scenario(
        tr("plan.current"),
        setting.target.key,
        setting.mode,
        setting.minutes,
        setting.threshold_min,
        capacity_rule=rule,
    )
    if draft is not None:
        name = st.text_input(tr("plan.scenario_name"), value=str(draft.name), key="plan_sc_name")
        draft = Scenario(**{**draft.__dict__, "name": name or draft.name, "capacity_rule": rule})
        if user:
            if st.button(tr("plan.save"), key="plan_save"):
                try:
                    version = store.save(draft, user=str(user))
                    st.success(tr("plan.saved", name=md(draft.name), version=version))
                except Exception as exc:
                    show_error(exc)
        else:
            st.caption(tr("plan.sign_in_to_save"))
    saved = store.names()
    picked = st.multiselect(
        tr("plan.compare_pick"),
        saved,
        default=saved[:2],
        key="plan_compare_pick",
        placeholder=tr("common.choose"),
    )
    chosen = [current]
    if draft is not None:
        chosen.append(draft)
    for name in picked:
        if name not in {c.name for c in chosen}:
            sc = store.get(name)
            chosen.append(Scenario(**{**sc.__dict__, "capacity_rule": rule}))
    if len(chosen) < 2:
        st.info(tr("plan.compare_need_two"))
        return
    try:
        comparison = compare_scenarios(
            setting.router,
            setting.offers,
            region.cells,
            region.districts,
            chosen,
            pop_columns=list(setting.target.pop_columns),
            weights=None if weights is None else weights.weights,
        )
    except Exception as exc:
        show_error(exc)
        return
    totals = comparison.totals
    table = pd.DataFrame(index=totals.index)
    table[tr("plan.col.offers")] = totals["offers"]
    table[tr("cov.col.population")] = totals["population"].round(0)
    table[tr("cov.col.covered")] = totals["covered"].round(0)
    table[tr("cov.col.share")] = (totals["share"] * 100).round(1)
    table[tr("plan.col.gap")] = totals["gap_population"].round(0)
    table[tr("plan.col.e2sfca")] = (totals["e2sfca"] * 100).round(2)
    table[tr("plan.col.bfca")] = (totals["bfca"] * 100).round(2)
    table[tr("plan.col.quote")] = totals["quote"].round(1)
    table[tr("plan.col.known")] = (totals["capacity_known_share"] * 100).round(0)
    table = table.reset_index(names=tr("plan.col.scenario"))
    st.markdown(f"#### {tr('plan.compare')}")
    st.caption(
        tr(
            "plan.compare_note",
            catchment=fmt_number(setting.threshold_min, lang(), decimals=1),
            rule=_rule_label(rule, median),
        )
    )
    shown = styled(
        table,
        formats={
            tr("cov.col.population"): 0,
            tr("cov.col.covered"): 0,
            tr("cov.col.share"): "%",
            tr("plan.col.gap"): 0,
            tr("plan.col.e2sfca"): 2,
            tr("plan.col.bfca"): 2,
            tr("plan.col.quote"): 1,
            tr("plan.col.known"): "%",
        },
    )
    if not bool(totals["supply_sufficient"].all()) and rule != "median":
        shown = shown.set_properties(
            subset=[tr("plan.col.e2sfca"), tr("plan.col.bfca"), tr("plan.col.quote")],
            color="#9a9a9a",
        )
        st.warning(tr("cov.capacity_low", level=fmt_number(80, lang())))
    st.markdown(
        "\n".join(
            "- "
            + tr(
                "plan.scenario_line",
                name=md(name),
                share=fmt_number(100.0 * float(row["share"]), lang(), decimals=1),
                gap=fmt_number(float(row["gap_population"]), lang()),
            )
            for name, row in totals.iterrows()
        )
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    long = comparison.districts
    pivot = (
        long[long["district_id"] != "__total__"]
        .pivot_table(
            index="name", columns="scenario", values="gap_population", aggfunc="sum", sort=False
        )
        .round(0)
    )
    pivot.index.name = tr("common.district")
    pivot.columns.name = None
    st.markdown(f"#### {tr('plan.gap_by_district')}")
    st.dataframe(pivot, width="stretch")
    e1, e2, e3 = st.columns(3)
    e1.download_button(
        tr("common.download_csv"),
        functools.partial(to_csv, long),
        f"szenarien_{slug}.csv",
        "text/csv",
        key="plan_sc_csv",
        on_click="ignore",
    )
    e2.download_button(
        tr("plan.export_json"),
        store.export_json(picked) if picked else "{}",
        f"szenarien_{slug}.json",
        "application/json",
        key="plan_sc_json",
        on_click="ignore",
    )
    e3.download_button(
        tr("plan.print"),
        functools.partial(_print_html, table, pivot),
        f"szenarien_{slug}.html",
        "text/html",
        key="plan_sc_html",
        on_click="ignore",
    )
    for name in picked:
        with st.expander(tr("plan.history", name=md(name))):
            st.dataframe(store.history(name), hide_index=True, width="stretch")


def _rule_label(rule: str, median: str) -> str:
    """The label of a capacity rule; the median one names its number of places."""
    return tr("plan.rule.median", places=median) if rule == "median" else tr(f"plan.rule.{rule}")


def _print_html(table: pd.DataFrame, pivot: pd.DataFrame) -> bytes:
    """A printable HTML page of the comparison (every text escaped)."""

    def html_table(frame: pd.DataFrame, *, index: bool) -> str:
        head = "".join(
            f"<th>{html_text(c)}</th>"
            for c in ([frame.index.name or ""] if index else []) + list(frame.columns)
        )
        rows = []
        for idx, row in frame.iterrows():
            cells = ([f"<td>{html_text(idx)}</td>"] if index else []) + [
                f"<td>{html_text(v)}</td>" for v in row.tolist()
            ]
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    body = (
        f"<h1>{html_text(tr('plan.compare'))}</h1>{html_table(table, index=False)}"
        f"<h2>{html_text(tr('plan.gap_by_district'))}</h2>{html_table(pivot, index=True)}"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        "body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px}@media print{h1{font-size:16pt}}"
        f"</style></head><body onload='window.print()'>{body}</body></html>"
    ).encode()


def _norms(slug: str) -> None:
    from geo.norms import Norm, NormStore

    store = NormStore(slug)
    norms = store.norms()
    table = pd.DataFrame(
        {
            tr("common.category"): [category_label(n.category) for n in norms],
            tr("common.mode"): [mode_label(n.mode) for n in norms],
            tr("plan.col.value"): [
                f"{fmt_number(n.distance_m, lang())} m"
                if n.distance_m is not None
                else ("–" if n.minutes is None else f"{fmt_number(n.minutes, lang())} min")
                for n in norms
            ],
            tr("plan.col.kind"): [tr(f"plan.kind.{n.kind}") for n in norms],
            tr("plan.col.source"): [n.source for n in norms],
            tr("plan.col.edited_by"): [n.edited_by or "–" for n in norms],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    speeds = store.speeds()
    st.dataframe(
        pd.DataFrame(
            {
                tr("plan.col.profile"): [tr(f"plan.profile.{k}") for k in speeds],
                "km/h": [s.kmh for s in speeds.values()],
                tr("plan.col.source"): [s.source for s in speeds.values()],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(tr("plan.speed_rule"))
    user = st.session_state.get("planner")
    if not user:
        st.caption(tr("plan.sign_in_to_edit"))
        return
    with st.form("plan_norm_form"):
        from offers.taxonomy import CATEGORIES

        c1, c2, c3 = st.columns(3)
        cat = c1.selectbox(tr("common.category"), sorted(CATEGORIES), format_func=category_label)
        mode = c2.selectbox(tr("common.mode"), list(MODES), format_func=mode_label)
        unit = c3.radio(tr("plan.unit"), ["m", "min"], horizontal=True)
        value = st.number_input(
            tr("plan.col.value"), min_value=1.0, max_value=100000.0, value=500.0
        )
        source = st.text_input(tr("plan.col.source"))
        if st.form_submit_button(tr("plan.save_norm")):
            try:
                store.set_norm(
                    Norm(
                        cat,
                        mode,
                        distance_m=value if unit == "m" else None,
                        minutes=value if unit == "min" else None,
                        kind="guide",
                        source=source,
                    ),
                    user=str(user),
                )
                st.success(tr("plan.norm_saved"))
            except Exception as exc:
                show_error(exc)
