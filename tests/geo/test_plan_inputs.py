"""Norms, walking speeds, need weights and honest supply figures (real data where it matters)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import need, norms, supply
from geo.errors import CensusFormatError, InputDataError
from geo.routing import Router, nearest_offer
from geo.settings import get_paths


@pytest.fixture(scope="module")
def kitas(wolfsburg):
    from offers.catalogue import load_offers

    offers = load_offers(wolfsburg)
    return offers[offers["category"] == "kita"]


def test_default_norms_carry_their_sources():
    kita = norms.norm_for("kita", "walk")
    assert kita.distance_m == 500.0 and kita.range_m == (350.0, 500.0)
    assert "IÖR Schriften 49" in kita.source
    assert "2 LA 585/07" in norms.norm_for("grundschule", "drive").source
    assert norms.norm_for("gymnasium", "walk").distance_m == 4000.0
    assert "13 L 3502/00" in norms.norm_for("realschule", "walk").source
    statute = norms.norm_for("oberschule", "drive")
    assert statute.kind == "statute" and "§ 114 NSchG" in statute.source
    assert statute.network_minutes() is None
    assert norms.norm_for("bibliothek", "walk").kind == "assumption"
    assert all(n.source for n in norms.DEFAULT_NORMS)


def test_distance_norms_ignore_speed_and_time_norms_scale_with_it():
    kita = norms.norm_for("kita", "walk")
    # 500 m at the network's 4.5 km/h, whoever walks them
    assert kita.network_minutes(profile_kmh=3.6) == pytest.approx(500 / (4500 / 60))
    timed = norms.Norm("x", "walk", minutes=10.0, source="s")
    assert timed.network_minutes(profile_kmh=3.6) == pytest.approx(8.0)
    assert timed.network_minutes(profile_kmh=4.5) == pytest.approx(10.0)
    bike = norms.Norm("x", "bike", minutes=10.0, source="s")
    assert bike.network_minutes(profile_kmh=3.6) == pytest.approx(10.0)
    assert norms.profile_for_ages(0, 5) == "child"
    assert norms.profile_for_ages(65, None) == "senior"
    assert norms.profile_for_ages(18, 64) == "adult"


def test_scaled_threshold_equals_scaled_travel_times(wolfsburg, kitas):
    """A slower walker within T minutes = the network within T * v/v_net minutes."""
    router = Router(wolfsburg.networks["walk"])
    near = nearest_offer(router, kitas, cells=wolfsburg.cells)
    slow = near.cells["minutes"] * (4.5 / 3.6)  # every metre takes 4.5/3.6 times longer
    threshold = norms.network_minutes(10.0, profile_kmh=3.6)
    assert ((slow <= 10.0 + 1e-9) == (near.cells["minutes"] <= threshold + 1e-9)).all()
    assert (slow <= 10.0).sum() < (near.cells["minutes"] <= 10.0).sum()


def test_norm_store_round_trip_and_history(tmp_path):
    paths = get_paths(work_dir=tmp_path)
    store = norms.NormStore("wolfsburg", paths=paths)
    with pytest.raises(InputDataError, match="signed-in planner"):
        store.set_norm(norms.Norm("kita", "walk", distance_m=400.0, source="Rat"), user="")
    with pytest.raises(InputDataError, match="source"):
        store.set_norm(norms.Norm("kita", "walk", distance_m=400.0, source=" "), user="anna")
    store.set_norm(
        norms.Norm("kita", "walk", distance_m=400.0, source="Ratsbeschluss 2026"), user="anna"
    )
    store.set_speed("child", 3.2, source="Messung 2026", user="anna")
    again = norms.NormStore("wolfsburg", paths=paths)
    kita = norms.norm_for("kita", "walk", norms=again.norms())
    assert (kita.distance_m, kita.source, kita.edited_by) == (400.0, "Ratsbeschluss 2026", "anna")
    assert again.speeds()["child"].kmh == 3.2
    assert [h["what"] for h in again.history()] == ["norm", "speed"]
    again.reset("kita", "walk", user="anna")
    assert norms.norm_for("kita", "walk", norms=again.norms()).distance_m == 500.0


def test_district_weights_spread_keeps_the_weighted_population(wolfsburg):
    cells = wolfsburg.cells
    rng = np.random.default_rng(3)
    index = pd.Series(rng.normal(size=len(wolfsburg.districts)), index=wolfsburg.districts.index)
    result = need.weights_from_district_index(
        cells, index, district_population=wolfsburg.districts["pop_0_5"]
    )
    weighted = need.weighted_population(cells, "pop_0_5", result.weights)
    # oracle: per-district population times the district's weight, plus unweighted rest
    pop = cells["pop_0_5"].fillna(0.0)
    per_district = pop.groupby(cells["district_id"]).sum()
    district_w = result.weights.groupby(cells["district_id"]).first()
    outside = pop[cells["district_id"].isna()].sum()
    expected = (per_district * district_w.reindex(per_district.index)).sum() + outside
    assert weighted.sum() == pytest.approx(expected)
    assert result.weights.between(result.floor, result.cap).all()
    assert result.weights.nunique() > 5
    assert result.formula()["parts"][0]["key"] == "district_index"


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("wolfsburg", (2042, 11970, 4362)),
        ("lauf", (387, 2475, 867)),
        ("flensburg", (1239, 5948, 3453)),
    ],
)
def test_census_attribute_files_read(data_root, slug, expected):
    """Counts as documented in ../shared/data/README.md."""
    table = need.read_census_attributes(data_root / slug / need.ATTRIBUTE_FILE)
    got = (len(table), table["foreign"].sum(), table["single_parent_households"].sum())
    assert got == expected


def test_census_weights_on_wolfsburg(wolfsburg, data_root):
    attrs = need.read_census_attributes(data_root / "wolfsburg" / need.ATTRIBUTE_FILE)
    cells = wolfsburg.cells
    result = need.weights_from_census(cells, attrs)
    w = result.weights
    assert w.index.equals(cells.index)
    assert (w >= result.floor).all() and (w <= result.cap).all()
    assert w.std() > 0
    # independent: the populated cell with the highest foreign rate outweighs one with none
    rate = attrs["foreign"].reindex(cells.index).fillna(0) / cells["pop_total"]
    populated = (cells["pop_total"] > 20) & (
        attrs["single_parent_households"].reindex(cells.index).fillna(0) == 0
    )
    top = rate[populated].idxmax()
    none = rate[populated & (rate == 0)].index[0]
    assert w[top] > w[none]
    assert {"census_suppressed_below_3", "households_not_persons"} <= set(result.caveats)
    weighted = need.weighted_population(cells, "pop_0_5", w)
    assert weighted.sum() == pytest.approx((cells["pop_0_5"].fillna(0) * w).sum())


def test_census_reader_names_the_bad_row(tmp_path):
    path = tmp_path / need.ATTRIBUTE_FILE
    path.write_text(
        "GITTER_ID_100m;x_mp_100m;y_mp_100m;Auslaender;HH_Alleinerziehende\nA;1;2;3;0\nB;1;2;x;0\n",
        encoding="utf-8",
    )
    with pytest.raises(CensusFormatError, match="row 2"):
        need.read_census_attributes(path)


def test_capacity_knowledge_and_assumptions(kitas):
    info = supply.capacity_knowledge(kitas)
    assert info.known == int((pd.to_numeric(kitas["capacity"], errors="coerce") > 0).sum())
    assert not info.sufficient  # Wolfsburg's OSM Kitas rarely carry capacities
    frame = kitas.copy()
    frame["capacity"] = np.nan
    frame.iloc[:3, frame.columns.get_loc("capacity")] = [20.0, 40.0, 100.0]
    filled, used = supply.apply_capacity_assumption(frame, rule="median")
    assert used.assumed_places == 40.0 and used.assumed_offers == len(frame) - 3
    assert filled["capacity"].notna().all()
    kept, _ = supply.apply_capacity_assumption(frame, rule="exclude")
    assert len(kept) == 3
    frame["capacity"] = np.nan
    with pytest.raises(InputDataError, match="no median"):
        supply.apply_capacity_assumption(frame, rule="median")


def test_bfca_district_places_add_up_to_the_real_places(wolfsburg, kitas):
    frame = kitas.copy()
    rng = np.random.default_rng(5)
    frame["capacity"] = rng.integers(20, 120, size=len(frame)).astype(float)
    router = Router(wolfsburg.networks["walk"])
    result = supply.bfca(
        router,
        frame,
        wolfsburg.cells,
        pop_columns="pop_0_5",
        catchment_min=15.0,
        districts=wolfsburg.districts,
    )
    d = result.districts
    assert d.loc["__total__", "places"] == pytest.approx(d["places"].iloc[:-1].sum())
    # every place is allocated to a district or listed as unallocated
    in_district = result.cells["places"][wolfsburg.cells["district_id"].notna().to_numpy()].sum()
    assert in_district + result.places_unallocated == pytest.approx(result.places_total)
    assert result.places_unallocated < result.places_total
    # per offer: allocated demand x level of service = capacity where anyone is reached
    reached = result.offers["allocated_demand"] > 0
    np.testing.assert_allclose(
        (result.offers["allocated_demand"] * result.offers["level_of_service"])[reached],
        result.offers["capacity"][reached],
    )
    with pytest.raises(InputDataError, match="capacity for every offer"):
        supply.bfca(
            router,
            kitas.assign(capacity=np.nan),
            wolfsburg.cells,
            pop_columns="pop_0_5",
            catchment_min=15.0,
        )
