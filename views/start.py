"""Start page: the region at a glance, the three ways in, the data sources."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo.agegroups import AGE_GROUPS
from views.common import (
    age_group_label,
    category_label,
    get_offers,
    get_region,
    lang,
    md,
    region_slug,
    styled,
    tr,
)
from views.i18n import fmt_number


def population_by_age(region: Any) -> pd.DataFrame:
    """Residents per canonical age group inside the region (cells with ``in_region``)."""
    cells = region.cells
    if "in_region" in cells.columns:
        cells = cells[cells["in_region"].astype(bool)]
    rows = [
        {
            tr("start.age_group"): age_group_label(g.key),
            tr("start.count"): round(float(cells[g.column].sum())),
        }
        for g in AGE_GROUPS
        # a group no cell knows (a census without age classes) is unknown, not 0
        if g.column in cells.columns and cells[g.column].notna().any()
    ]
    return pd.DataFrame(rows)


def offers_by_category(offers: Any) -> pd.DataFrame:
    counts = offers["category"].value_counts()
    return pd.DataFrame(
        {
            tr("common.category"): [category_label(k) for k in counts.index],
            tr("start.count"): counts.to_numpy(),
        }
    )


def render() -> None:
    """The page: region facts, the three ways in, offers and population, sources."""
    st.title(tr("app.title"))
    st.write(tr("start.intro"))
    region = get_region()
    st.subheader(md(region.name))
    offers = get_offers(region_slug())
    cells = region.cells
    if "in_region" in cells.columns:
        cells = cells[cells["in_region"].astype(bool)]
    c1, c2, c3 = st.columns(3)
    c1.metric(tr("start.n_population"), fmt_number(float(cells["pop_total"].sum()), lang()))
    c2.metric(tr("start.n_districts"), len(region.districts))
    c3.metric(tr("start.n_offers"), fmt_number(len(offers), lang()))

    st.markdown(f"#### {tr('start.ways_in')}")
    st.markdown(
        "\n".join(f"- {tr(k)}" for k in ("start.way_find", "start.way_cov", "start.way_adv"))
    )

    left, right = st.columns(2)
    with left:
        st.markdown(f"#### {tr('start.offers_by_cat')}")
        table = offers_by_category(offers)
        st.dataframe(
            styled(table, formats={tr("start.count"): 0}), hide_index=True, width="stretch"
        )
    with right:
        st.markdown(f"#### {tr('start.pop_by_age')}")
        table = population_by_age(region)
        if table.empty:
            st.caption(tr("start.no_age_groups"))
        else:
            st.dataframe(
                styled(table, formats={tr("start.count"): 0}), hide_index=True, width="stretch"
            )
        estimated = region.info.get("age_groups_estimated") or {}
        if estimated:
            with st.expander(tr("start.estimated")):
                for key, how in estimated.items():
                    st.markdown(f"- **{age_group_label(key)}**: {md(how)}")

    if len(region.districts):
        st.markdown(f"#### {tr('common.districts')}")
        cols = ["name", "area_km2", "pop_total"]
        table = region.districts[[c for c in cols if c in region.districts.columns]].rename(
            columns={
                "name": tr("common.name"),
                "area_km2": "km²",
                "pop_total": tr("common.population"),
            }
        )
        formats = {"km²": 1, tr("common.population"): 0}
        st.dataframe(styled(table, formats=formats), hide_index=True, width="stretch")
    else:
        st.info(tr("start.no_districts"))

    st.markdown(f"#### {tr('app.sources')}")
    rows = []
    for src in region.info.get("sources", []):
        item = src if isinstance(src, dict) else vars(src)
        rows.append(
            {
                tr("start.src_title"): item.get("title", ""),
                tr("start.src_date"): item.get("date", ""),
                tr("start.src_attr"): item.get("attribution", ""),
            }
        )
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
