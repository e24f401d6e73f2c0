"""Derived indicators, target status rules and the Bedarfsindex."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from geo.errors import FormulaError, MonitorStoreError
from monitor.areas import AreaMatcher
from monitor.derived import define_derived, parse_formula
from monitor.imports import import_path
from monitor.need import bedarfsindex, need_index
from monitor.store import MonitorStore
from monitor.targets import Target, statuses, target_status


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('echo x')",
        "residents.__class__",  # parses as a key, refused as unknown below
        "open('x')",
        "residents[0]",
        "residents ** 2",
        "lambda: 1",
        "residents if 1 else 2",
        "'text' + residents",
        "True * residents",
        "residents; 1",
        "",
    ],
)
def test_formulas_outside_the_whitelist_are_refused(store: MonitorStore, text: str) -> None:
    with pytest.raises(FormulaError):
        parsed = parse_formula(text)
        # a dotted name that parses is still checked against the store's keys
        define_derived(store, key="x", formula=parsed.text, label_de="x", user="t")


def test_formula_names_and_rate_parts() -> None:
    f = parse_formula("beneficiaries / (residents_age_18_to_under_65 + 0) * 100")
    assert f.names == ("beneficiaries", "residents_age_18_to_under_65")
    assert (f.numerator, f.denominator) == ("", "")  # not a plain A / B
    g = parse_formula("age_groups.age_0_to_under_7 / residents * 1000")
    assert (g.numerator, g.denominator) == ("age_groups.age_0_to_under_7", "residents")
    assert g.evaluate({"age_groups.age_0_to_under_7": 5.0, "residents": 2.0}) == 2500.0


def test_sgb2_quote_for_every_period_with_inputs(
    store: MonitorStore, flensburg: AreaMatcher, sozialatlas: Path
) -> None:
    import_path(store, sozialatlas, flensburg, user="t")
    ind, counts = define_derived(
        store,
        key="sgb2_quote",
        formula="beneficiaries / residents * 100",
        label_de="SGB-II-Quote",
        user="t",
        polarity="higher_worse",
    )
    assert ind.is_rate and ind.formula == "beneficiaries / residents * 100"
    vals = store.values(indicator="sgb2_quote")
    ben = pd.read_csv(sozialatlas / "fl_beneficiaries_by_district.csv")
    res = pd.read_csv(sozialatlas / "fl_residents_by_district.csv")
    both = ben.merge(res, on=["year", "district_id"], suffixes=("_b", "_r"))
    assert sorted(vals["period"].unique()) == sorted(str(y) for y in both["year"].unique())
    assert counts.new == len(vals) == len(both)
    row = both[(both["year"] == 2022) & (both["district_id"] == 3)].iloc[0]
    got = vals[(vals["area_key"] == "STGT03") & (vals["period"] == "2022")]["value"].iloc[0]
    assert got == pytest.approx(row["residents_b"] / row["residents_r"] * 100)


T = Target("quote", 45.0, "at_least", 2018, 2026)


@pytest.mark.parametrize(
    ("series", "target", "status", "slope", "expected"),
    [
        # the example: 2022 38.1 %, +0.9/year -> 41.7 % in 2026: gefährdet
        ({"2019": 35.4, "2020": 36.3, "2021": 37.2, "2022": 38.1}, T, "gefaehrdet", 0.9, 41.7),
        ({"2020": 30.0, "2021": 35.0, "2022": 40.0}, T, "auf_kurs", 5.0, 60.0),
        ({"2021": 44.0, "2022": 46.0}, T, "erreicht", 2.0, 54.0),
        ({"2025": 40.0, "2026": 44.0}, T, "verfehlt", 4.0, 44.0),
        ({"2022": 40.0}, T, "gefaehrdet", None, None),
        # lower is the goal
        (
            {"2020": 12.0, "2021": 11.0, "2022": 10.0},
            Target("sgb2", 8.0, "at_most", 2020, 2025),
            "auf_kurs",
            -1.0,
            7.0,
        ),
        # only the last five periods make the trend
        (
            {"2014": 90.0, "2018": 30.0, "2019": 31.0, "2020": 32.0, "2021": 33.0, "2022": 34.0},
            T,
            "gefaehrdet",
            1.0,
            38.0,
        ),
        ({"2022": math.nan}, T, "keine_daten", None, None),
    ],
)
def test_target_status_rules(
    series: dict, target: Target, status: str, slope: float | None, expected: float | None
) -> None:
    got = target_status(target, pd.Series(series, dtype=float))
    assert got.status == status
    if slope is None:
        assert got.slope_per_year is None and got.expected_value is None
    else:
        assert got.slope_per_year == pytest.approx(slope)
        assert got.expected_value == pytest.approx(expected)


def test_targets_stored_with_history(store: MonitorStore, flensburg, sozialatlas) -> None:
    import_path(store, sozialatlas, flensburg, user="t")
    t = Target(
        "unemployed_residents", 200.0, "at_most", 2017, 2024, "district", "STGT01", "Ratsbeschluss"
    )
    store.set_target(t, user="anna")
    store.set_target(t, user="anna")  # unchanged: no second history entry
    (st,) = statuses(store)
    vals = store.values(indicator="unemployed_residents")
    alt = vals[vals["area_key"] == "STGT01"].sort_values("period")
    assert st.latest_period == alt["period"].iloc[-1]
    assert st.latest_value == alt["value"].iloc[-1]
    assert len(store.history(kind="target")) == 1
    with pytest.raises(MonitorStoreError, match="direction"):
        Target("x", 1.0, "up", 2020, 2025)


def test_bedarfsindex_against_scipy(store: MonitorStore, flensburg, sozialatlas) -> None:
    import_path(store, sozialatlas, flensburg, user="t")
    frame = store.values_frame()
    weights = {
        "unemployed_residents": 2.0,
        "employed_with_pension_insurance.employment_rate": 1.0,
    }
    res = bedarfsindex(frame, indicators=weights, period="2022")
    d = frame[(frame["level"] == "district") & (frame["period"] == "2022")]
    ue = d[d["indicator"] == "unemployed_residents"].set_index("area_key")["value"].sort_index()
    er = d[d["indicator"] == "employed_with_pension_insurance.employment_rate"]
    er = er.set_index("area_key")["value"].sort_index()
    expected = (2 * stats.zscore(ue.to_numpy()) - 1 * stats.zscore(er.to_numpy())) / 3
    np.testing.assert_allclose(res.index.sort_index().to_numpy(), expected)
    assert res.signs == {
        "unemployed_residents": 1,
        "employed_with_pension_insurance.employment_rate": -1,
    }
    assert set(res.classes.dropna()) <= {1, 2, 3, 4, 5} and len(res.breaks) == 5
    assert res.missing == [] and "z(unemployed_residents)" in res.formula
    pd.testing.assert_series_equal(need_index(frame, indicators=weights, period="2022"), res.index)
    with pytest.raises(MonitorStoreError, match="periods with values: 2017"):
        bedarfsindex(frame, indicators={"unemployed_residents": 1}, period="2010")
