"""The Streamlit app, page by page, with ``streamlit.testing.v1.AppTest`` on real Wolfsburg data.

The region comes from the shared ``wolfsburg`` fixture (built once, then loaded from
the cache); the app's own ``st.cache_resource`` keeps it in memory across tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bcrypt
import pytest
from streamlit.testing.v1 import AppTest

from views.i18n import t

pytestmark = pytest.mark.xdist_group("app")

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT_S = 240

PAGES = {
    "start": "views/pages/start.py",
    "find": "views/pages/find.py",
    "coverage": "views/pages/coverage.py",
    "advice": "views/pages/advice.py",
    "data": "views/pages/data.py",
}
# Wolfsburg: the town hall square (Porschestraße) and a point in Fallersleben
CENTRE = (10.7865, 52.4227)
FALLERSLEBEN = (10.7230, 52.4190)
OUTSIDE = (10.2000, 52.9000)


@pytest.fixture(scope="module")
def region(wolfsburg: Any) -> Any:
    return wolfsburg


def open_page(
    page: str | None,
    *,
    query: dict[str, str] | None = None,
    state: dict[str, Any] | None = None,
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    if page is not None:
        at.switch_page(PAGES[page]).run()
    return at


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


CONTROLS = {
    "find": [
        ("text_input", "find_addr_query"),
        ("radio", "find_mode"),
        ("select_slider", "find_budget"),
        ("multiselect", "find_cats"),
        ("checkbox", "find_open_now"),
    ],
    "coverage": [
        ("selectbox", "cov_cat"),
        ("radio", "cov_mode"),
        ("select_slider", "cov_threshold"),
        ("radio", "cov_metric"),
        ("toggle", "cov_whatif"),
    ],
    "advice": [
        ("number_input", "adv_age"),
        ("multiselect", "adv_cats"),
        ("multiselect", "adv_topics"),
        ("multiselect", "adv_langs"),
        ("radio", "adv_mode"),
        ("select_slider", "adv_budget"),
        ("text_input", "adv_addr_query"),
        ("checkbox", "adv_wheelchair"),
    ],
    "start": [],
    "data": [],
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_with_its_controls(region: Any, page: str) -> None:
    at = open_page(page)
    assert_clean(at)
    for kind, key in CONTROLS[page]:
        widget = getattr(at, kind)(key=key)
        assert widget is not None, key
    # the sidebar's switches and the attribution footer are on every page
    assert at.radio(key="lang_switch").value == "de"
    assert at.selectbox(key="region_switch").value == "wolfsburg"
    assert any("OpenStreetMap" in c.value for c in at.caption)


def test_start_shows_region_facts(region: Any) -> None:
    at = open_page("start")
    assert_clean(at)
    labels = {m.label: m.value for m in at.metric}
    assert labels[t("start.n_districts", "de")] == str(len(region.districts))
    inside = region.cells[region.cells["in_region"].astype(bool)]["pop_total"].sum()
    shown = int(labels[t("start.n_population", "de")].replace(".", ""))
    assert shown == round(inside)
    # the data sources of the manifest with their dates
    sources = at.dataframe[-1].value
    assert "2011-05-09" in set(sources[t("start.src_date", "de")])


@pytest.mark.parametrize("page", ["find", "coverage", "advice"])
def test_language_switch_changes_every_text(region: Any, page: str) -> None:
    at = open_page(page)
    german = at.header[0].value
    at.radio(key="lang_switch").set_value("en").run()
    assert_clean(at)
    assert at.header[0].value != german
    assert (
        at.header[0].value
        == {
            "find": t("find.header", "en"),
            "coverage": t("cov.header", "en"),
            "advice": t("adv.header", "en"),
        }[page]
    )
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"


def test_language_from_the_url(region: Any) -> None:
    at = open_page("find", query={"lang": "en"})
    assert_clean(at)
    assert at.header[0].value == t("find.header", "en")
    assert at.radio(key="find_mode").options == ["Walking", "Bicycle", "Car"]


def _find_numbers(at: AppTest) -> tuple[str, list[str]]:
    bands = next(c.value for c in at.caption if "km²" in c.value)
    names = list(at.dataframe[0].value[t("common.name", "de")]) if at.dataframe else []
    return bands, names


def test_find_a_different_origin_gives_different_results(region: Any) -> None:
    a = open_page("find", query={"lon": str(CENTRE[0]), "lat": str(CENTRE[1]), "min": "10"})
    assert_clean(a)
    b = open_page(
        "find", query={"lon": str(FALLERSLEBEN[0]), "lat": str(FALLERSLEBEN[1]), "min": "10"}
    )
    assert_clean(b)
    bands_a, names_a = _find_numbers(a)
    bands_b, names_b = _find_numbers(b)
    assert names_a and names_b
    assert bands_a != bands_b
    assert names_a != names_b


def test_find_larger_budget_reaches_more(region: Any) -> None:
    at = open_page("find", query={"lon": str(CENTRE[0]), "lat": str(CENTRE[1]), "min": "5"})
    few = len(at.dataframe[0].value) if at.dataframe else 0
    at.select_slider(key="find_budget").set_value(20).run()
    assert_clean(at)
    many = len(at.dataframe[0].value)
    assert many > few
    # the view is in the URL, so it can be shared
    assert at.query_params["min"] in ("20", ["20"])


def test_find_category_filter(region: Any) -> None:
    at = open_page("find", query={"lon": str(CENTRE[0]), "lat": str(CENTRE[1]), "min": "20"})
    options = at.multiselect(key="find_cats").options
    assert options
    at.multiselect(key="find_cats").select(options[0]).run()
    assert_clean(at)
    shown = set(at.dataframe[0].value[t("common.category", "de")])
    assert shown == {options[0]}
    key = at.multiselect(key="find_cats").value[0]
    assert at.query_params["cat"] in (key, [key])  # shared links keep the filter
    shared = open_page("find", query={"lon": str(CENTRE[0]), "lat": str(CENTRE[1]), "cat": key})
    assert shared.multiselect(key="find_cats").value == [key]


def test_find_open_now_keeps_unknown_hours_and_says_so(region: Any) -> None:
    at = open_page("find", query={"lon": str(CENTRE[0]), "lat": str(CENTRE[1]), "min": "20"})
    every = set(at.dataframe[0].value[t("common.name", "de")])
    at.checkbox(key="find_open_now").check().run()
    assert_clean(at)
    table = at.dataframe[0].value
    hours = set(table[t("common.hours", "de")])
    # offers without readable hours are listed and flagged, not dropped
    assert t("common.hours_unknown", "de") in hours
    assert hours <= {t("common.hours_unknown", "de"), t("common.open_now", "de")}
    assert set(table[t("common.name", "de")]) <= every


def test_find_prefetches_the_other_modes(region: Any) -> None:
    from views.common import get_access_cache

    at = open_page("find", query={"lon": "10.7950", "lat": "52.4300", "min": "20"})
    assert_clean(at)
    jobs = at.session_state["find_prefetch_jobs"]
    assert len(jobs) == 2
    for job in jobs:
        job.result(timeout=120)  # the single worker ran every earlier job before these
    cache = get_access_cache("wolfsburg")
    misses, hits = cache.misses, cache.hits
    for mode in ("bike", "drive"):
        at.radio(key="find_mode").set_value(mode).run()
        assert_clean(at)
        assert any("km²" in c.value for c in at.caption)
    # both switches were answered from the prefetched bands and their drawings
    assert cache.misses == misses and cache.hits == hits + 4


def test_find_empty_result_says_what_to_try(region: Any) -> None:
    at = open_page("find", query={"lon": str(CENTRE[0]), "lat": str(CENTRE[1]), "min": "5"})
    at.multiselect(key="find_cats").select("hochschule").run()  # none within 5 min on foot
    assert_clean(at)
    assert [w.value for w in at.warning] == [t("find.none", "de", minutes=5)]
    assert not at.dataframe


def test_find_point_outside_the_region_is_a_friendly_warning(region: Any) -> None:
    at = open_page("find", query={"lon": str(OUTSIDE[0]), "lat": str(OUTSIDE[1])})
    assert_clean(at)
    assert any("außerhalb" in w.value for w in at.warning)


def _total_line(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Insgesamt erreichen"))


def test_coverage_threshold_changes_the_numbers(region: Any) -> None:
    at = open_page("coverage")
    assert_clean(at)
    at.select_slider(key="cov_threshold").set_value(5).run()
    low = _total_line(at)
    low_table = at.dataframe[0].value.copy()
    at.select_slider(key="cov_threshold").set_value(30).run()
    assert_clean(at)
    high = _total_line(at)
    assert low != high
    share = t("cov.col.share", "de")
    assert (at.dataframe[0].value[share].fillna(0) >= low_table[share].fillna(0)).all()
    assert len(at.dataframe[0].value) == len(region.districts)
    assert {b.label for b in at.download_button} >= {
        t("common.download_csv", "de"),
        t("common.download_xlsx", "de"),
    }


@pytest.mark.parametrize("metric", ["supply", "population", "median"])
def test_coverage_every_map_measure_renders(region: Any, metric: str) -> None:
    at = open_page("coverage")
    at.radio(key="cov_metric").set_value(metric).run()
    assert_clean(at)
    assert at.radio(key="cov_metric").value == metric


def test_coverage_category_sets_its_target_group(region: Any) -> None:
    at = open_page("coverage")
    cats = at.selectbox(key="cov_cat").options
    assert len(cats) > 1
    before = _total_line(at)
    at.selectbox(key="cov_cat").set_value(at.selectbox(key="cov_cat").options[-1])
    at.run()
    assert_clean(at)
    assert _total_line(at) != before


def test_coverage_what_if_shows_the_change(region: Any) -> None:
    at = open_page("coverage")
    at.toggle(key="cov_whatif").set_value(True).run()
    assert_clean(at)
    assert not any(m.value.startswith("#### " + t("cov.whatif_result", "de")) for m in at.markdown)
    # a planned offer with 200 places in Fallersleben, as a map click would add it
    at.session_state["cov_plan"] = {"added": [(*FALLERSLEBEN, 200)], "removed": []}
    at.run()
    assert_clean(at)
    assert any(m.value == "#### " + t("cov.whatif_result", "de") for m in at.markdown)
    assert any("→" in m.value for m in at.markdown)


def test_data_page_explains_how_to_enable_editing(
    region: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BLK_PLANNER_PASSWORD_HASH", raising=False)
    at = open_page("data")
    assert_clean(at)
    assert any("BLK_PLANNER_PASSWORD_HASH" in i.value for i in at.info)
    assert not at.text_input


@pytest.fixture
def planner_hash(monkeypatch: pytest.MonkeyPatch) -> str:
    hashed = bcrypt.hashpw(b"geheim-123", bcrypt.gensalt(rounds=4)).decode()
    monkeypatch.setenv("BLK_PLANNER_PASSWORD_HASH", hashed)
    return hashed


@pytest.mark.parametrize(("password", "signed_in"), [("falsch", False), ("geheim-123", True)])
def test_data_sign_in_gate(region: Any, planner_hash: str, password: str, signed_in: bool) -> None:
    at = open_page("data")
    assert_clean(at)
    at.text_input(key="data_user_input").input("Test")
    at.text_input(key="data_password").input(password)
    at.form_submit_button[0].click().run()
    assert not at.exception
    if signed_in:
        assert not at.error
        assert len(at.tabs) == 3
        assert any(t("data.signed_in", "de", user="Test") == c.value for c in at.caption)
    else:
        assert [e.value for e in at.error] == [t("data.wrong_password", "de")]
        assert not at.tabs


def test_error_boundary_shows_a_friendly_message(
    region: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import views.start

    def boom() -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.start, "render", boom)
    at = open_page(None)
    assert not at.exception
    assert [e.value for e in at.error] == [t("app.error", "de")]
    assert "secret internals" not in texts(at)


def _advice(budget: int) -> AppTest:
    at = open_page("advice")
    at.select_slider(key="adv_budget").set_value(budget)
    at.text_input(key="adv_addr_query").input("Porschestraße 1").run()
    assert_clean(at)
    return at


def test_advice_larger_budget_gives_a_longer_shortlist(region: Any) -> None:
    short = len(_advice(10).dataframe[0].value)
    long = len(_advice(45).dataframe[0].value)
    assert 0 < short < long


def test_advice_handout_and_nothing_logged(region: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    at = _advice(20)
    reasons = list(at.dataframe[0].value[t("adv.reasons", "de")])
    assert all("min" in r for r in reasons)  # every reason starts with the travel time
    pick = at.multiselect(key="adv_pick")
    pick.select(pick.options[0]).select(pick.options[1]).run()
    assert_clean(at)
    assert {b.label for b in at.download_button} == {t("adv.html", "de"), t("adv.pdf", "de")}
    assert "Porschestraße" not in caplog.text


def _school_rows(data_root: Path, n: int) -> bytes:
    import pandas as pd

    rows = pd.read_csv(data_root / "wolfsburg" / "schulen_2017.csv", sep=",", dtype=str).head(n)
    rows.loc[rows.index[-1], ["lat", "lon"]] = ["keine", "Angabe"]
    rows.loc[rows.index[-1], "address"] = ""
    return rows.to_csv(index=False).encode("utf-8")


def test_data_import_edit_and_history(
    region: Any,
    planner_hash: str,
    data_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BLK_WORK_DIR", str(tmp_path))  # a fresh offer store
    at = open_page("data")
    at.text_input(key="data_user_input").input("Planerin")
    at.text_input(key="data_password").input("geheim-123")
    at.form_submit_button[0].click().run()
    assert_clean(at)
    at.file_uploader(key="data_upload").set_value(
        ("schulen_test.csv", _school_rows(data_root, 5), "text/csv")
    )
    at.run()
    at.button(key="data_import").click().run()
    assert_clean(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("data.rows_read", "de")] == "5"
    assert int(metrics[t("data.imported", "de")]) + int(metrics[t("data.rejected", "de")]) == 5
    assert int(metrics[t("data.rejected", "de")]) >= 1
    labels = {b.label for b in at.download_button}
    assert {
        t("data.rejected_download", "de"),
        t("data.export_csv", "de"),
        t("data.export_xlsx", "de"),
    } <= labels
    # edit one offer's name; the history shows who did it
    at.text_input(key="data_search").input("Grundschule").run()
    picked = at.selectbox(key="data_pick").value
    at.text_input(key=f"data_f_name_{picked}").input("Grundschule Testweg")
    at.form_submit_button[0].click().run()
    assert_clean(at)
    history = at.dataframe[-1].value
    row = history.iloc[0]
    assert row[t("data.col.user", "de")] == "Planerin"
    assert row[t("data.col.offer_id", "de")] == picked
    assert row[t("common.name", "de")] == "Grundschule Testweg"
    # remove it (with confirmation); the history records the deletion
    at.checkbox(key=f"data_confirm_{picked}").check().run()
    at.button(key="data_delete").click().run()
    assert_clean(at)
    latest = at.dataframe[-1].value.iloc[0]
    assert latest[t("data.col.action", "de")] == "delete"
    assert latest[t("data.col.offer_id", "de")] == picked


def test_a_shared_map_point_wins_over_an_address(region: Any) -> None:
    at = open_page(
        "find",
        query={"addr": "Porschestraße 1", "lon": str(FALLERSLEBEN[0]), "lat": str(FALLERSLEBEN[1])},
    )
    assert_clean(at)
    assert at.session_state["find_origin"][:2] == FALLERSLEBEN
    assert "addr" not in at.query_params


def test_find_address_from_the_url_and_unknown_address(region: Any) -> None:
    at = open_page("find", query={"addr": "Porschestraße 1", "min": "10"})
    assert_clean(at)
    assert at.text_input(key="find_addr_query").value == "Porschestraße 1"
    assert any(m.value.startswith("Start: Porschestraße") for m in at.markdown)
    assert at.dataframe
    at.text_input(key="find_addr_query").input("Qxzvv Wkkjj 99").run()
    assert_clean(at)
    assert any("nicht gefunden" in w.value for w in at.warning)


def remove_kitas(n: int) -> AppTest:
    """The coverage page with the first ``n`` Kitas picked for removal in the what-if."""
    at = open_page("coverage")
    at.toggle(key="cov_whatif").set_value(True).run()
    at.radio(key="cov_action").set_value("remove").run()
    remove = at.multiselect(key="cov_remove_kita")
    for option in remove.options[:n]:
        remove.select(option)
    at.run()
    assert_clean(at)
    return at


def test_coverage_what_if_removing_an_offer_lowers_coverage(region: Any) -> None:
    at = remove_kitas(10)
    line = next(m.value for m in at.markdown if "→" in m.value)
    assert "(-" in line or "(−" in line  # the share falls
    # back to placing, then another category: the removed Kitas stay in the plan but
    # do not belong to it, and nothing breaks
    at.radio(key="cov_action").set_value("add").run()
    other = next(c for c in at.selectbox(key="cov_cat").options if c != "kita")
    at.selectbox(key="cov_cat").set_value(other).run()
    assert_clean(at)


@pytest.mark.slow
def test_region_switch_to_lauf(region: Any, lauf: Any) -> None:
    at = open_page("find", query={"lon": str(CENTRE[0]), "lat": str(CENTRE[1])})
    assert at.session_state["find_origin"][:2] == CENTRE
    at.selectbox(key="region_switch").set_value("lauf").run()
    assert_clean(at)
    assert "find_origin" not in at.session_state  # the Wolfsburg start point is gone
    assert at.info[0].value == t("find.pick_origin", "de")
    at.switch_page(PAGES["start"]).run()
    assert at.subheader[0].value == lauf.name
    assert at.query_params["region"] in ("lauf", ["lauf"])


def test_address_with_html_shows_as_text(region: Any) -> None:
    at = open_page("find")
    at.text_input(key="find_addr_query").input("<img src=x onerror=alert(1)>").run()
    assert_clean(at)
    warning = next(w.value for w in at.warning if "onerror" in w.value)
    assert "<img" not in warning
    assert "&lt;img" in warning


def shown(element: Any) -> Any:
    """The text a dataframe element displays (its Styler's display values)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    return convert_arrow_bytes_to_pandas_df(element.proto.arrow_data.styler.display_values)


@pytest.mark.parametrize(
    ("code", "pattern"),
    [("de", r"^\d{1,3}(\.\d{3})*,\d$"), ("en", r"^\d{1,3}(,\d{3})*\.\d$")],
)
def test_start_districts_table_follows_the_language(region: Any, code: str, pattern: str) -> None:
    at = open_page("start", query={"lang": code})
    assert_clean(at)
    table = next(d for d in at.dataframe if "km²" in d.value.columns)
    raw = table.value["km²"]
    assert raw.dtype.kind == "f"  # the data stays numeric, so sorting is numeric
    text = shown(table)
    assert text["km²"].str.match(pattern).all(), list(text["km²"])
    people = text[t("common.population", code)]
    big = (table.value[t("common.population", code)] >= 1000).to_numpy()
    assert big.any()
    sep = "." if code == "de" else ","
    assert people[big].str.contains(sep, regex=False).all(), list(people[big])


def test_coverage_table_shares_in_percent_and_places_per_100(region: Any) -> None:
    at = open_page("coverage")
    assert_clean(at)
    text = shown(at.dataframe[0])
    share = text[t("cov.col.share", "de")]
    assert share[share != "–"].str.match(r"^\d{1,3},\d\u00a0%$").all(), list(share)
    raw = at.dataframe[0].value[t("cov.col.supply", "de")]
    # places per 100 of the target group: Kita places are several per 100 children
    assert raw.max() > 1


@pytest.mark.parametrize(
    ("plan", "kept"),
    [([OUTSIDE], []), ([FALLERSLEBEN, OUTSIDE], [FALLERSLEBEN]), ([OUTSIDE, CENTRE], [CENTRE])],
)
def test_coverage_what_if_point_off_the_network_is_refused_kindly(
    region: Any, plan: list[tuple[float, float]], kept: list[tuple[float, float]]
) -> None:
    at = open_page("coverage")
    at.toggle(key="cov_whatif").set_value(True).run()
    at.session_state["cov_plan"] = {"added": [(*p, 80) for p in plan], "removed": []}
    at.run()
    assert_clean(at)
    warning = next(w.value for w in at.warning if "nicht übernommen" in w.value)
    assert "Planung zurück" in warning  # says what to try next
    assert [tuple(a[:2]) for a in at.session_state["cov_plan"]["added"]] == kept
    has_change = any(m.value == "#### " + t("cov.whatif_result", "de") for m in at.markdown)
    assert has_change == bool(kept)


def test_advice_handout_rows_carry_the_shortlists_reasons(region: Any) -> None:
    import datetime as dt

    from layers.handout import handout_html
    from offers.catalogue import load_offers
    from views.advice import handout_rows
    from views.common import for_map

    offers = for_map(load_offers(region))
    picked = list(offers.index[[5, 2]])
    ranked = offers.loc[picked].assign(
        minutes=[4.0, 9.0],
        reasons_de=[["4 min zu Fuß", "<b>Deutsch</b>"], ["9 min zu Fuß"]],
        reasons_en=[["4 min on foot"], ["9 min on foot"]],
    )
    rows = handout_rows(offers, ranked, picked, lang="de")
    assert list(rows.index) == picked  # pick order kept
    assert list(rows["reasons"].iloc[0]) == ["4 min zu Fuß", "<b>Deutsch</b>"]
    page = handout_html(rows, profile_summary="8 Jahre", lang="de", date=dt.date(2026, 1, 2))
    assert "Passt, weil" in page
    assert "4 min zu Fuß, &lt;b&gt;Deutsch&lt;/b&gt;" in page  # escaped
    assert "9 min on foot" in handout_html(
        handout_rows(offers, ranked, picked, lang="en"),
        profile_summary="8",
        lang="en",
        date=dt.date(2026, 1, 2),
    )


@pytest.mark.slow
def test_lauf_coverage_falls_back_to_the_grid(lauf: Any) -> None:
    assert not len(lauf.districts)  # the premise: Lauf has no districts
    at = open_page("coverage", query={"region": "lauf"})
    assert_clean(at)
    assert any(i.value == t("cov.no_districts", "de") for i in at.info)
    assert "cov_metric" not in [r.key for r in at.radio]  # no district measure to choose
    table = at.dataframe[0].value
    assert list(table[t("common.district", "de")]) == [t("cov.region_total", "de")]
    share = float(table[t("cov.col.share", "de")].iloc[0])
    assert share == pytest.approx(float(_total_line(at).split()[2].replace(",", ".")), abs=0.05)
    # what-if works without districts: the overall change, no per-district table
    at.toggle(key="cov_whatif").set_value(True).run()
    centre = lauf.boundary.representative_point()
    at.session_state["cov_plan"] = {"added": [(centre.x, centre.y, 300)], "removed": []}
    at.run()
    assert_clean(at)
    line = next(m.value for m in at.markdown if "→" in m.value)
    assert "Prozentpunkte" in line and "." not in line.split("(")[-1]  # German decimals
    assert len(at.dataframe) == 1


@pytest.mark.slow
@pytest.mark.parametrize("address", ["Marktplatz 1", "Marktplatz 14"])
def test_lauf_address_with_house_number(lauf: Any, address: str) -> None:
    at = open_page("find", query={"region": "lauf"})
    at.text_input(key="find_addr_query").input(address).run()
    assert_clean(at)
    assert at.selectbox(key="find_addr_pick").value.startswith(address + ",")
    import shapely

    origin = at.session_state["find_origin"]
    assert lauf.boundary.contains(shapely.Point(origin[0], origin[1]))
    assert at.dataframe  # offers in reach, ranked
    assert any(address in m.value for m in at.markdown)
