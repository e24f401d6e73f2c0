"""Planning decisions on real Wolfsburg data: Doppelstrukturen and best new sites.

Oracles: a full :func:`geo.access.what_if` removal per offer (essentiality), separate
:func:`geo.access.nearest_offer` runs per offer (overlap), spopt's ``MCLP`` on the same
travel-time matrix (exact), and the 1 - 1/e bound (greedy).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geo import plan
from geo.access import nearest_offer
from geo.routing import Router
from tests.geo.plan_oracle import essential_by_what_if, spopt_mclp_objective

THRESHOLD_MIN = 10.0


@pytest.fixture(scope="module")
def setting(wolfsburg):
    from offers.catalogue import load_offers

    offers = load_offers(wolfsburg)
    kitas = offers[offers["category"] == "kita"]
    router = Router(wolfsburg.networks["walk"])
    existing = plan.reach_matrix(router, kitas, wolfsburg.cells, threshold_min=THRESHOLD_MIN)
    demand = plan.demand_vector(wolfsburg.cells, "pop_0_5")
    return wolfsburg, kitas, router, existing, demand


@pytest.fixture(scope="module")
def candidates(setting):
    region, _, router, _, _ = setting
    points = plan.candidate_cells(region.cells, mode="walk", pop_columns="pop_0_5")
    # every sixth candidate (about 300) keeps the spopt (CBC) cross-check quick
    points = points.iloc[::6]
    return points, plan.reach_matrix(router, points, region.cells, threshold_min=THRESHOLD_MIN)


def test_reach_matrix_matches_nearest_offer_coverage(setting):
    region, kitas, router, existing, _demand = setting
    near = nearest_offer(router, kitas, cells=region.cells)
    covered = (near.cells["minutes"] <= THRESHOLD_MIN).to_numpy()
    assert np.array_equal(existing.covered(), covered)
    assert existing.minutes.data.max() <= THRESHOLD_MIN
    assert set(existing.skipped.index) == set(near.skipped.index)


def test_essentiality_equals_a_what_if_removal_of_each_offer(setting):
    region, kitas, router, existing, demand = setting
    result = plan.overlap_analysis(existing, demand, capacity=kitas["capacity"])
    expected = essential_by_what_if(
        router,
        kitas,
        region.cells,
        region.districts,
        existing.ids,
        pop_columns="pop_0_5",
        threshold_min=THRESHOLD_MIN,
    )
    assert (expected > 0).any() and (expected == 0).any()  # both kinds occur
    np.testing.assert_allclose(
        result.offers["essential_people"].reindex(expected.index), expected, atol=1e-6
    )


def test_overlap_is_symmetric_in_range_and_matches_separate_routing(setting):
    region, kitas, router, existing, demand = setting
    result = plan.overlap_analysis(existing, demand, level=0.5)
    matrix = result.overlap.to_numpy()
    finite = ~np.isnan(matrix)
    assert np.array_equal(finite, finite.T)
    np.testing.assert_allclose(matrix[finite], matrix.T[finite])
    assert ((matrix[finite] >= 0) & (matrix[finite] <= 1)).all()
    assert (result.pairs["overlap"] >= 0.5).all()
    # the top pair against two independent single-offer nearest_offer runs
    a, b = result.pairs.iloc[0][["offer_a", "offer_b"]]
    cover = {}
    for oid in (a, b):
        near = nearest_offer(router, kitas.loc[[oid]], cells=region.cells)
        cover[oid] = (near.cells["minutes"] <= THRESHOLD_MIN).to_numpy()
    both = demand[cover[a] & cover[b]].sum()
    expected = both / min(demand[cover[a]].sum(), demand[cover[b]].sum())
    assert result.pairs.iloc[0]["overlap"] == pytest.approx(expected)
    assert result.pairs.iloc[0]["shared_people"] == pytest.approx(both)
    # redundancy: the share of the catchment that another offer covers too
    others = nearest_offer(router, kitas.drop(index=a), cells=region.cells)
    twice = cover[a] & (others.cells["minutes"] <= THRESHOLD_MIN).to_numpy()
    assert result.offers.loc[a, "redundancy"] == pytest.approx(
        demand[twice].sum() / demand[cover[a]].sum()
    )
    assert result.cells["multiplicity"].max() >= 2


def test_utilisation_is_unknown_without_capacity_and_huff_keeps_every_person_once(setting):
    _, _kitas, _, existing, demand = setting
    capacity = pd.Series(np.nan, index=existing.ids)
    capacity.iloc[:5] = 50.0
    result = plan.overlap_analysis(existing, demand, capacity=capacity)
    assert result.offers["utilisation"].iloc[5:].isna().all()
    assert result.offers["utilisation"].iloc[:5].notna().all()
    assert result.utilisation_method == "huff"
    assert result.offers["expected_demand"].sum() == pytest.approx(result.covered_people)
    inflated = plan.overlap_analysis(existing, demand, utilisation_method="e2sfca")
    assert inflated.offers["expected_demand"].sum() > result.covered_people


def test_provider_table_merges_catchments(setting):
    _, kitas, _, existing, demand = setting
    result = plan.overlap_analysis(existing, demand, providers=kitas["provider"])
    table = result.providers
    assert table["offers"].sum() == len(existing.ids)
    # merged catchments: a provider's people are at most the sum of its offers' people
    per_offer = result.offers.groupby("provider")["catchment_people"].sum()
    assert (table["catchment_people"] <= per_offer.reindex(table.index) + 1e-9).all()
    assert table["essential_people"].sum() == pytest.approx(
        result.covered_people
        - float(demand[result.cells["multiplicity"] >= 2].sum())
        + float(
            demand[
                (result.cells["multiplicity"] >= 2).to_numpy()
                & _single_provider(existing, result.offers["provider"])
            ].sum()
        )
    )


def _single_provider(existing: plan.ReachMatrix, providers: pd.Series) -> np.ndarray:
    """Per cell: all offers reaching it belong to one provider (brute force)."""
    reach = existing.reach.toarray() > 0
    names = providers.reindex(existing.ids).to_numpy()
    return np.array([len(set(names[reach[:, c]])) == 1 for c in range(reach.shape[1])])


@pytest.mark.parametrize("k", [1, 3, 5])
def test_exact_equals_spopt_and_greedy_never_beats_it(setting, candidates, k):
    _region, _, _, existing, demand = setting
    points, cand = candidates
    exact = plan.propose_sites(existing, cand, demand, k=k, method="exact", candidate_points=points)
    greedy = plan.propose_sites(
        existing, cand, demand, k=k, method="greedy", candidate_points=points
    )
    spopt_value, _ = spopt_mclp_objective(existing, cand, demand, k=k)
    assert exact.gap == pytest.approx(0.0, abs=1e-9)
    assert exact.objective == pytest.approx(spopt_value, rel=1e-9)
    assert greedy.objective <= exact.objective + 1e-9
    assert greedy.objective >= (1 - 1 / np.e) * exact.objective
    for res in (exact, greedy):
        assert len(res.sites) == k
        assert res.sites["gain"].is_monotonic_decreasing
        assert res.sites["gain"].sum() == pytest.approx(res.objective)
        assert res.covered_after - res.covered_before == pytest.approx(res.objective)
        assert res.sites["lon"].between(10.5, 11.1).all()
        assert res.sites["district"].notna().all()


def test_site_districts_add_up(setting, candidates):
    region, _, _, existing, demand = setting
    points, cand = candidates
    res = plan.propose_sites(
        existing,
        cand,
        demand,
        k=3,
        candidate_points=points,
        cells=region.cells,
        districts=region.districts,
    )
    assert res.districts["gain"].sum() == pytest.approx(res.objective)
    assert res.districts["covered_before"].sum() == pytest.approx(res.covered_before)
    assert res.covered_before == pytest.approx(float(demand[existing.covered()].sum()))


@pytest.mark.parametrize("method", ["exact", "greedy"])
def test_capacitated_solution_respects_every_capacity(setting, candidates, method):
    _region, _kitas, _, existing, demand = setting
    points, cand = candidates
    rng = np.random.default_rng(11)
    known = pd.Series(np.where(rng.random(len(existing.ids)) < 0.5, 30.0, np.nan), existing.ids)
    res = plan.propose_sites(
        existing,
        cand,
        demand,
        k=4,
        method=method,
        capacity=45.0,
        existing_capacity=known,
        candidate_points=points,
    )
    alloc = res.allocation
    per_site = alloc.groupby("site_id")["served"].sum()
    new = alloc.loc[~alloc["existing"], "site_id"].unique()
    assert set(new) <= set(res.sites.index)
    assert (per_site.reindex(new) <= 45.0 + 1e-6).all()
    old = alloc.loc[alloc["existing"], "site_id"].unique()
    assert len(old) > 0
    assert (per_site.reindex(old) <= known.reindex(old) + 1e-6).all()
    per_cell = alloc.groupby("cell_id")["served"].sum()
    cell_demand = pd.Series(demand, index=existing.cells)
    assert (per_cell <= cell_demand.reindex(per_cell.index) + 1e-6).all()
    # each served cell lies in the site's catchment
    reach = {
        **{cid: set(cand.cells[cand.reach[[i]].indices]) for i, cid in enumerate(cand.ids)},
        **{
            oid: set(existing.cells[existing.reach[[i]].indices])
            for i, oid in enumerate(existing.ids)
        },
    }
    assert all(c in reach[s] for s, c in zip(alloc["site_id"], alloc["cell_id"], strict=True))
    assert any(n.startswith("existing_unknown_capacity_uncapped:") for n in res.notes)
    uncapacitated = plan.propose_sites(existing, cand, demand, k=4, method="exact")
    assert res.objective <= uncapacitated.objective + 1e-6
    assert res.objective <= 4 * 45.0 + 1e-6


def test_capacitated_greedy_never_beats_exact(setting, candidates):
    _, _, _, existing, demand = setting
    _, cand = candidates
    results = {
        m: plan.propose_sites(existing, cand, demand, k=3, method=m, capacity=25.0)
        for m in ("greedy", "exact")
    }
    assert results["greedy"].objective <= results["exact"].objective + 1e-6


def test_weighted_objective_counts_people_separately(setting, candidates):
    region, _, _, existing, demand = setting
    points, cand = candidates
    weights = np.where(region.cells["district_id"].to_numpy() == "278", 3.0, 1.0)
    res = plan.propose_sites(
        existing, cand, demand * weights, k=2, people=demand, candidate_points=points
    )
    assert res.weighted
    assert res.covered_people_after - res.covered_people_before == pytest.approx(
        res.sites["gain_people"].sum()
    )
    assert res.objective >= res.sites["gain_people"].sum() - 1e-9


def test_background_exact_job_gives_the_same_answer_and_can_be_cancelled(setting, candidates):
    _, _, _, existing, demand = setting
    _points, cand = candidates
    direct = plan.propose_sites(existing, cand, demand, k=2, method="exact")
    job = plan.propose_sites(existing, cand, demand, k=2, method="exact", background=True)
    assert job.result(timeout_s=120).objective == pytest.approx(direct.objective)
    job = plan.propose_sites(existing, cand, demand, k=5, method="exact", background=True)
    job.cancel()
    with pytest.raises(plan.SolveCancelledError):
        job.result(timeout_s=5)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("name;lon;lat\nA;10,78;52,42\nB;x;52.4\n", "row 2"),
        ("name,x_wert\nA,1\n", "no coordinate columns"),
    ],
)
def test_read_candidates_reports_the_bad_row(tmp_path, text, match):
    path = tmp_path / "plots.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(plan.InputDataError, match=match):
        plan.read_candidates(path)


def test_read_candidates_csv_and_geojson(tmp_path):
    csv = tmp_path / "plots.csv"
    csv.write_text("id;name;lon;lat\np1;Fläche Nord;10,78;52,42\n", encoding="utf-8")
    table = plan.read_candidates(csv)
    assert table.index.tolist() == ["p1"] and table.loc["p1", "label"] == "Fläche Nord"
    assert table.geometry.iloc[0].x == pytest.approx(10.78)
    gj = tmp_path / "plots.geojson"
    gj.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Gemeinbedarf"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [[10.0, 52.0], [10.01, 52.0], [10.01, 52.01], [10.0, 52.0]]
                            ],
                        },
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    table = plan.read_candidates(gj)
    assert table.index.tolist() == ["k1"]
    assert table.geometry.iloc[0].geom_type == "Point"
