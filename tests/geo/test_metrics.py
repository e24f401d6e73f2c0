"""Coverage, 2SFCA/E2SFCA and underserved cells (geo.metrics via geo.access).

FCA results are compared with PySAL ``access`` on the same offer -> cell travel times;
coverage with a plain reference computed from the per-cell times.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from access import Access, weights
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.access import (
    Router,
    coverage,
    e2sfca,
    nearest_offer,
    offer_cell_seconds,
    two_sfca,
    underserved_cells,
)
from geo.errors import InputDataError
from geo.metrics import step_weights
from geo.synthetic import grid_network, synthetic_cells, synthetic_offers


def kitas(region, *, seed: int) -> gpd.GeoDataFrame:
    """OSM amenity=kindergarten POIs as offers, with seeded capacities (a fifth unknown)."""
    tags = region.pois["tags"].map(lambda t: json.loads(t) if isinstance(t, str) else t)
    mask = tags.map(lambda t: t.get("amenity") == "kindergarten").to_numpy(dtype=bool)
    pois = region.pois[mask]
    rng = np.random.default_rng(seed)
    cap = rng.integers(20, 150, len(pois)).astype(float)
    cap[rng.random(len(pois)) < 0.2] = np.nan
    index = pd.Index(
        [f"osm-{t}-{i}" for t, i in zip(pois["osm_type"], pois["osm_id"], strict=True)],
        name="offer_id",
    )
    return gpd.GeoDataFrame(
        {"capacity": cap}, geometry=pois.geometry.to_numpy(), index=index, crs=pois.crs
    )


@pytest.fixture(scope="module")
def walk(wolfsburg) -> Router:
    return Router(wolfsburg.networks["walk"])


@pytest.fixture(scope="module")
def kita_offers(wolfsburg) -> gpd.GeoDataFrame:
    return kitas(wolfsburg, seed=3)


def pysal(cells, ids, seconds, capacity, pop, *, max_cost, weight_fn, enhanced: bool):
    minutes = seconds / 60.0
    oi, ci = np.nonzero(np.isfinite(minutes) & (minutes <= max_cost))
    cost = pd.DataFrame({"origin": cells.index[ci], "dest": ids[oi], "cost": minutes[oi, ci]})
    demand = pd.DataFrame({"pop": pop}, index=pd.Index(cells.index, name="geoid"))
    supply = pd.DataFrame({"cap": capacity}, index=pd.Index(ids, name="geoid"))
    acc = Access(
        demand_df=demand,
        demand_index=True,
        demand_value="pop",
        supply_df=supply,
        supply_index=True,
        supply_value="cap",
        cost_df=cost,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    if enhanced:
        res = acc.enhanced_two_stage_fca(name="x", max_cost=max_cost, weight_fn=weight_fn)
    else:
        res = acc.two_stage_fca(name="x", max_cost=max_cost)
    return res["x_cap"].reindex(cells.index).fillna(0.0).to_numpy()


@pytest.mark.parametrize(
    "method, kwargs, weight_fn",
    [
        ("e2sfca", {}, weights.step_fn({10: 1, 20: 0.68, 30: 0.22})),
        ("e2sfca", {"gaussian_sigma_min": 8.0, "catchment_min": 25.0}, weights.gaussian(8.0)),
        ("2sfca", {"catchment_min": 15.0}, None),
    ],
)
def test_fca_equals_pysal_on_wolfsburg_kitas(
    wolfsburg, walk, kita_offers, method, kwargs, weight_fn
) -> None:
    cells = wolfsburg.cells
    fn = e2sfca if method == "e2sfca" else two_sfca
    ours = fn(walk, kita_offers, cells, pop_columns="pop_total", **kwargs)
    max_cost = kwargs.get("catchment_min", 30.0)
    ids, seconds, _ = offer_cell_seconds(walk, kita_offers, cells, limit_s=max_cost * 60)
    capacity = kita_offers["capacity"].reindex(ids).fillna(1.0).to_numpy()
    want = pysal(
        cells,
        ids,
        seconds,
        capacity,
        cells["pop_total"].to_numpy(),
        max_cost=max_cost,
        weight_fn=weight_fn,
        enhanced=method == "e2sfca",
    )
    got = ours.cells["access"].to_numpy()
    assert (want > 0).sum() > 100  # a real comparison, not zeros against zeros
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)
    assert ours.cells.index.equals(cells.index)


def test_offer_cell_seconds_agree_with_nearest_offer(wolfsburg, walk, kita_offers) -> None:
    _ids, seconds, _ = offer_cell_seconds(walk, kita_offers, wolfsburg.cells)
    nearest = nearest_offer(walk, kita_offers, cells=wolfsburg.cells)
    np.testing.assert_allclose(seconds.min(axis=0), nearest.cells["seconds"], atol=1e-6)


def test_unknown_capacity_counts_one_and_is_flagged(wolfsburg, walk, kita_offers) -> None:
    res = e2sfca(
        walk, kita_offers, wolfsburg.cells, pop_columns="pop_0_5", districts=wolfsburg.districts
    )
    unknown = kita_offers["capacity"].isna().reindex(res.offers.index)
    assert res.capacity_estimated == int(unknown.sum()) > 0
    assert (res.offers.loc[unknown.to_numpy(), "capacity"] == 1.0).all()
    assert res.offers["capacity_estimated"].equals(unknown.rename("capacity_estimated"))
    assert set(res.districts.index) == {*wolfsburg.districts.index, "__total__"}
    assert (res.districts["access"].dropna() >= 0).all()


def synthetic_world(seed: int, n_nodes: int = 900, n_cells: int = 150, n_offers: int = 5):
    net = grid_network(n_nodes, seed=seed)
    cells = synthetic_cells(net, n_cells, seed=seed)
    offers = synthetic_offers(net, n_offers, seed=seed)
    districts = pd.DataFrame(
        {"name": [f"D{i}" for i in range(4)]},
        index=pd.Index([f"d{i}" for i in range(4)], name="district_id"),
    )
    return Router(net), cells, offers, districts


FAST = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(seed=st.integers(0, 10_000), n_offers=st.integers(1, 8))
def test_unbounded_2sfca_is_total_supply_over_total_demand(seed: int, n_offers: int) -> None:
    router, cells, offers, _ = synthetic_world(seed, n_offers=n_offers)
    res = two_sfca(router, offers, cells, pop_columns="pop_total", catchment_min=None)
    supply = offers["capacity"].fillna(1.0).sum()
    demand = cells["pop_total"].sum()
    np.testing.assert_allclose(res.cells["access"], supply / demand, rtol=1e-12)


@FAST
@given(seed=st.integers(0, 10_000), t1=st.floats(0.5, 30), t2=st.floats(0.5, 30))
def test_coverage_monotone_and_bounded(seed: int, t1: float, t2: float) -> None:
    router, cells, offers, districts = synthetic_world(seed)
    nearest = nearest_offer(router, offers, cells=cells)
    lo, hi = sorted((t1, t2))
    a = coverage(cells, districts, nearest, threshold_min=lo, pop_columns="pop_0_5")
    b = coverage(cells, districts, nearest, threshold_min=hi, pop_columns="pop_0_5")
    assert (b["covered"] >= a["covered"]).all()
    for frame in (a, b):
        share = frame["share"].dropna()
        assert ((share >= 0) & (share <= 1)).all()
        assert (frame["covered"] <= frame["population"] + 1e-9).all()


def test_coverage_against_reference() -> None:
    router, cells, offers, districts = synthetic_world(42, n_cells=300)
    nearest = nearest_offer(router, offers, cells=cells)
    out = coverage(cells, districts, nearest, threshold_min=6.0, pop_columns=["pop_0_5", "pop_6_9"])
    pop = cells["pop_0_5"] + cells["pop_6_9"]
    minutes = nearest.cells["minutes"]
    used = cells["in_region"] & pop.notna()
    for did in [*districts.index, "__total__"]:
        sel = used if did == "__total__" else used & (cells["district_id"] == did)
        assert out.loc[did, "population"] == pytest.approx(pop[sel].sum())
        assert out.loc[did, "covered"] == pytest.approx(pop[sel & (minutes <= 6.0)].sum())
        # weighted median by expanding integer weights
        expanded = np.repeat(minutes[sel].to_numpy(), pop[sel].astype(int).to_numpy())
        assert out.loc[did, "median_min"] == pytest.approx(
            np.sort(expanded)[(len(expanded) - 1) // 2]
        )
    unknown = cells["in_region"] & pop.isna()
    assert out.loc["__total__", "unknown_cells"] == unknown.sum() > 0
    assert out.loc["__total__", "unknown_people"] == pytest.approx(
        cells.loc[unknown, "pop_total"].sum()
    )
    assert out.loc["d1", "name"] == "D1"


def test_coverage_on_wolfsburg(wolfsburg, walk, kita_offers) -> None:
    nearest = nearest_offer(walk, kita_offers, cells=wolfsburg.cells)
    out = coverage(
        wolfsburg.cells, wolfsburg.districts, nearest, threshold_min=15, pop_columns="pop_0_5"
    )
    assert len(out) == len(wolfsburg.districts) + 1
    total = out.loc["__total__"]
    assert total["population"] == pytest.approx(out["population"].drop("__total__").sum(), rel=0.02)
    assert 0.5 < total["share"] <= 1.0


def test_coverage_refuses_cells_without_districts() -> None:
    router, cells, offers, districts = synthetic_world(1)
    nearest = nearest_offer(router, offers, cells=cells)
    with pytest.raises(InputDataError, match="district_id"):
        coverage(
            cells.drop(columns="district_id"),
            districts,
            nearest,
            threshold_min=5,
            pop_columns="pop_0_5",
        )
    with pytest.raises(InputDataError, match="pop_0_6"):
        coverage(cells, districts, nearest, threshold_min=5, pop_columns="pop_0_6")


def test_underserved_cells_ranked_with_their_causes() -> None:
    router, cells, offers, _districts = synthetic_world(9, n_cells=400)
    nearest = nearest_offer(router, offers, cells=cells)
    fca = e2sfca(router, offers, cells, pop_columns="pop_0_5")
    level = float(fca.cells["access"].median())
    out = underserved_cells(
        cells,
        pop_columns="pop_0_5",
        nearest=nearest,
        threshold_min=4,
        fca=fca,
        min_supply_per_head=level,
    )
    assert out.crs.to_epsg() == 4326
    assert out["people"].is_monotonic_decreasing
    assert (out["people"] > 0).all()
    assert (out["beyond_threshold"] | out["low_supply"]).all()
    assert (out.loc[out["beyond_threshold"], "minutes"] > 4).all()
    assert (out.loc[out["low_supply"], "supply_per_head"] < level).all()
    assert "reasons" not in out.columns  # the flags are the reasons; the UI words them
    assert out.index.isin(cells.index).all()
    expected = (
        cells["in_region"]
        & (cells["pop_0_5"] > 0)
        & ((nearest.cells["minutes"] > 4) | (fca.cells["access"] < level))
    )
    assert set(out.index) == set(cells.index[expected])


@settings(max_examples=80, deadline=None)
@given(
    minutes=st.lists(
        st.one_of(st.floats(-5, 60), st.just(float("nan")), st.just(float("inf"))),
        min_size=0,
        max_size=40,
    ),
    steps=st.lists(
        st.tuples(st.floats(0.5, 45), st.floats(0.01, 1.0)),
        min_size=1,
        max_size=5,
        unique_by=lambda s: s[0],
    ),
)
def test_step_weights_take_the_first_bound_that_holds(
    minutes: list[float], steps: list[tuple[float, float]]
) -> None:
    m = np.array(minutes, dtype=float)
    bounds = np.array([b for b, _ in steps])
    values = np.array([w for _, w in steps])
    order = np.argsort(bounds)
    # reference: binary search for the first sorted bound >= the time
    pos = np.searchsorted(bounds[order], m, side="left")
    expected = np.zeros(m.shape)
    inside = pos < bounds.size
    expected[inside] = values[order][pos[inside]]
    np.testing.assert_array_equal(step_weights(m, steps), expected)


def _world_with_gaps(seed: int):
    """A synthetic world with cells outside any district and a district without cells."""
    router, cells, offers, districts = synthetic_world(seed, n_cells=300)
    cells = cells.copy()
    rng = np.random.default_rng(seed)
    cells.loc[rng.random(len(cells)) < 0.1, "district_id"] = np.nan
    empty = pd.DataFrame({"name": ["Leer"]}, index=pd.Index(["d_empty"], name="district_id"))
    return router, cells, offers, pd.concat([districts, empty])


@pytest.mark.parametrize("seed", [3, 17])
def test_district_access_equals_grouped_pandas_sums(seed: int) -> None:
    router, cells, offers, districts = _world_with_gaps(seed)
    res = e2sfca(router, offers, cells, pop_columns=["pop_0_5", "pop_6_9"], districts=districts)
    demand = res.cells["demand"].fillna(0.0)
    inside = cells["in_region"].astype(bool)
    frame = pd.DataFrame(
        {"d": cells["district_id"], "pop": demand, "w": demand * res.cells["access"]}
    )[inside]
    # the reference: pandas' grouped sums by district id, NaN ids left out
    sums = frame.groupby("d")[["pop", "w"]].sum().reindex(districts.index).fillna(0.0)
    out = res.districts
    assert out.index.tolist() == [*districts.index, "__total__"]
    # no UI text in geo: the total row has no name, the page gives it one
    assert out["name"].dtype == object and out.loc["__total__", "name"] is None
    np.testing.assert_allclose(out["population"].iloc[:-1], sums["pop"], rtol=1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = (sums["w"] / sums["pop"]).where(sums["pop"] > 0)
    np.testing.assert_allclose(out["access"].iloc[:-1], expected, rtol=1e-12)
    assert np.isnan(out.loc["d_empty", "access"]) and out.loc["d_empty", "population"] == 0
    assert out.loc["__total__", "population"] == frame["pop"].sum()


def test_coverage_district_without_cells_and_cells_without_district() -> None:
    router, cells, offers, districts = _world_with_gaps(5)
    nearest = nearest_offer(router, offers, cells=cells)
    out = coverage(cells, districts, nearest, threshold_min=5.0, pop_columns="pop_0_5")
    assert out["name"].dtype == object
    assert out.loc["d_empty", ["population", "covered", "unknown_cells"]].tolist() == [0, 0, 0]
    assert np.isnan(out.loc["d_empty", "share"]) and np.isnan(out.loc["d_empty", "median_min"])
    # cells without a district count in the total only
    pop = cells["pop_0_5"].where(cells["in_region"].astype(bool)).fillna(0.0)
    assert out.loc["__total__", "population"] == pytest.approx(pop.sum())
    assert out["population"].drop("__total__").sum() < out.loc["__total__", "population"]
