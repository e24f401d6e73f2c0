"""Daten: import, edit and remove offers, and the change history (signed-in planners only).

Sign-in compares a password with the bcrypt hash in ``.streamlit/secrets.toml``
(``[auth] planner_password_hash``) or the environment variable
``BLK_PLANNER_PASSWORD_HASH``. Without a hash the page explains how to enable editing.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from geo.errors import InputDataError, OfferStoreError
from offers.catalogue import import_into_region
from views.common import (
    bump_offers_version,
    category_label,
    get_offers,
    get_region,
    lang,
    log,
    md,
    region_slug,
    tr,
)

HASH_ENV = "BLK_PLANNER_PASSWORD_HASH"
HISTORY_COLUMNS = ("change_id", "ts", "user", "source", "offer_id", "action")
EDITABLE_TEXT = (
    "name",
    "provider",
    "street",
    "housenumber",
    "postcode",
    "city",
    "phone",
    "email",
    "website",
    "opening_hours",
    "fees",
)


def planner_password_hash() -> str | None:
    """The configured bcrypt hash (secrets first, then the environment), or None."""
    try:
        value = st.secrets.get("auth", {}).get("planner_password_hash")
    except Exception:  # no secrets file: streamlit raises its own error type
        value = None
    value = value or os.environ.get(HASH_ENV)
    return str(value).strip() if value else None


def check_password(password: str, hashed: str) -> bool:
    """True when ``password`` matches the bcrypt ``hashed`` (a malformed hash never matches)."""
    import bcrypt

    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("utf-8"))
    except ValueError:
        log.error("the configured planner password hash is not a bcrypt hash")
        return False


def _sign_in(hashed: str) -> None:
    st.subheader(tr("data.signin"))
    with st.form("data_signin"):
        user = st.text_input(tr("data.user"), key="data_user_input")
        password = st.text_input(tr("data.password"), type="password", key="data_password")
        submitted = st.form_submit_button(tr("data.signin_button"))
    if submitted:
        if check_password(password, hashed):
            st.session_state["planner"] = user.strip() or "planner"
            st.rerun()
        else:
            st.error(tr("data.wrong_password"))


def _import_tab(store: Any, region: Any, user: str) -> None:
    slug = region.slug
    upload = st.file_uploader(
        tr("data.upload"), type=["csv", "xlsx", "geojson", "json", "gpkg"], key="data_upload"
    )
    from offers.taxonomy import CATEGORIES

    keys = list(CATEGORIES)
    default_category = st.selectbox(
        tr("data.default_category"),
        [None, *keys],
        format_func=lambda k: tr("data.from_file") if k is None else category_label(k),
        key="data_default_category",
    )
    if upload is not None and st.button(tr("data.import_button"), key="data_import"):
        suffix = Path(upload.name).suffix
        with tempfile.TemporaryDirectory() as tmp:
            # keep the uploaded name: the store records it as the import's source
            path = Path(tmp) / (Path(upload.name).name or f"upload{suffix}")
            path.write_bytes(upload.getvalue())
            try:
                # the offers package's entry: region geocoder, rows outside the region rejected
                report = import_into_region(
                    region, path, user=user, default_category=default_category
                )
            except (InputDataError, OfferStoreError) as exc:
                st.error(tr("data.import_failed", reason=md(getattr(exc, "reason", exc))))
                return
        bump_offers_version(slug)
        st.session_state["data_report"] = report.to_dict()
    report = st.session_state.get("data_report")
    if report is not None:
        _show_report(store, report)


def rejected_csv(store: Any, import_id: int | None) -> bytes:
    """The rejected rows of an import as CSV (``offers.export``: German headers, safe cells)."""
    from offers.export import export_rejected

    with tempfile.TemporaryDirectory() as tmp:
        path = export_rejected(store.rejected(import_id=import_id), Path(tmp) / "rejected.csv")
        return Path(path).read_bytes()


def _show_report(store: Any, report: dict[str, Any]) -> None:
    st.markdown(f"#### {tr('data.report')}: {md(Path(str(report.get('path', ''))).name)}")
    cols = st.columns(6)
    for col, (key, label) in zip(
        cols,
        (
            ("rows_read", "data.rows_read"),
            ("imported", "data.imported"),
            ("updated", "data.updated"),
            ("unchanged", "data.unchanged"),
            ("rejected", "data.rejected"),
            ("duplicates_merged", "data.duplicates"),
        ),
        strict=True,
    ):
        value = report.get(key, 0)
        col.metric(tr(label), len(value) if isinstance(value, list) else value)
    decisions = report.get("merge_decisions") or []
    if decisions:
        with st.expander(tr("data.merges", n=len(decisions))):
            st.caption(md(report.get("duplicate_rule", "")))
            st.dataframe(pd.DataFrame(decisions).astype(str), hide_index=True, width="stretch")
    rejected = report.get("rejected") or []
    if rejected:
        frame = pd.DataFrame(rejected)
        st.dataframe(frame.astype(str), hide_index=True, width="stretch")
        st.download_button(
            tr("data.rejected_download"),
            data=functools.partial(rejected_csv, store, report.get("import_id")),
            file_name="abgelehnte_zeilen.csv",
            mime="text/csv",
            key="data_rejected_dl",
            on_click="ignore",
        )


def _edit_tab(store: Any, offers: Any, slug: str, user: str) -> None:
    if offers is None or not len(offers):
        st.info(tr("data.history_empty"))
        return
    term = st.text_input(tr("data.search"), key="data_search").strip().lower()
    ids = [i for i in offers.index if not term or term in str(offers.at[i, "name"]).lower()]
    if not ids:
        return
    pick = st.selectbox(
        tr("data.pick_offer"),
        ids,
        format_func=lambda i: (
            f"{offers.at[i, 'name']} · {category_label(offers.at[i, 'category'])}"
        ),
        key="data_pick",
    )
    row = offers.loc[pick]
    with st.form(f"data_edit_{pick}"):
        values: dict[str, Any] = {}
        for field in EDITABLE_TEXT:
            values[field] = st.text_input(
                tr(f"field.{field}"),
                value=str(row.get(field, "") or ""),
                key=f"data_f_{field}_{pick}",
            )
        cap = row.get("capacity")
        free = row.get("free_places")
        values["capacity"] = st.number_input(
            tr("common.places"), min_value=0, value=None if pd.isna(cap) else int(cap), step=1
        )
        values["free_places"] = st.number_input(
            tr("common.free_places"),
            min_value=0,
            value=None if pd.isna(free) else int(free),
            step=1,
        )
        save = st.form_submit_button(tr("data.save"))
    if save:
        changes = {}
        for key, value in values.items():
            old = row.get(key)
            old = None if (not isinstance(old, list | tuple) and pd.isna(old)) else old
            if key in EDITABLE_TEXT:
                old = "" if old is None else str(old)
            if value != old:
                changes[key] = value
        if not changes:
            st.info(tr("data.no_changes"))
        else:
            try:
                store.update(pick, changes, user=user)
            except (InputDataError, OfferStoreError, KeyError) as exc:
                st.error(tr("data.invalid", reason=md(getattr(exc, "reason", exc))))
            else:
                bump_offers_version(slug)
                st.success(tr("data.saved"))
                st.rerun()
    with st.expander(tr("data.delete")):
        if st.checkbox(tr("data.confirm_delete"), key=f"data_confirm_{pick}") and st.button(
            tr("data.delete"), key="data_delete"
        ):
            store.delete(pick, user=user)
            bump_offers_version(slug)
            st.success(tr("data.deleted"))
            st.rerun()


def catalogue_file(store: Any, *, suffix: str) -> bytes:
    """The whole catalogue as CSV or XLSX (``offers.export``: German headers, safe cells)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = store.export(Path(tmp) / f"angebote{suffix}", what="offers", lang=lang())
        return Path(path).read_bytes()


def _history_tab(store: Any) -> None:
    history = store.history(limit=500)
    if history is None or not len(history):
        st.info(tr("data.history_empty"))
        return
    table = history[["change_id", "ts", "user", "source", "offer_id", "action"]].copy()
    names = [
        (after or before or {}).get("name", "")
        for before, after in zip(history["before"], history["after"], strict=True)
    ]
    table.insert(5, tr("common.name"), names)
    table.columns = [tr(f"data.col.{c}") if c in HISTORY_COLUMNS else c for c in table.columns]
    st.dataframe(table, hide_index=True, width="stretch")
    change_id = st.selectbox(tr("data.state_at"), list(history["change_id"]), key="data_state_at")
    if change_id is not None and st.toggle(tr("data.show_state"), key="data_show_state"):
        state = store.state_at(int(change_id))
        st.dataframe(
            pd.DataFrame(state.drop(columns="geometry")).astype(str),
            width="stretch",
        )


def render() -> None:
    """The page: sign-in gate, then import, edit/remove and change history."""
    st.header(tr("data.header"))
    hashed = planner_password_hash()
    if not hashed:
        st.info(tr("data.disabled"))
        return
    user = st.session_state.get("planner")
    if not user:
        _sign_in(hashed)
        return
    top_l, top_r = st.columns([3, 1])
    top_l.caption(tr("data.signed_in", user=md(user)))
    if top_r.button(tr("data.signout"), key="data_signout"):
        st.session_state.pop("planner", None)
        st.rerun()
    from offers.store import OfferStore

    region = get_region()
    slug = region_slug()
    offers = get_offers(slug)  # seeds the store on first use
    store = OfferStore(slug)
    tab_import, tab_edit, tab_history = st.tabs(
        [tr("data.tab_import"), tr("data.tab_edit"), tr("data.tab_history")]
    )
    with tab_import:
        _import_tab(store, region, user)
    with tab_edit:
        _edit_tab(store, offers, slug, user)
    with tab_history:
        _history_tab(store)
        c1, c2 = st.columns(2)
        # exported only when clicked, from the store as it is then
        c1.download_button(
            tr("data.export_csv"),
            functools.partial(catalogue_file, store, suffix=".csv"),
            f"angebote_{slug}.csv",
            "text/csv",
            key="data_export_csv",
            on_click="ignore",
        )
        c2.download_button(
            tr("data.export_xlsx"),
            functools.partial(catalogue_file, store, suffix=".xlsx"),
            f"angebote_{slug}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="data_export_xlsx",
            on_click="ignore",
        )
