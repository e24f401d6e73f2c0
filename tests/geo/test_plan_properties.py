"""Invariants of geo.plan on random small instances, against brute force (hypothesis)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import plan


def _reach(mask: np.ndarray, prefix: str) -> plan.ReachMatrix:
    rows, cols = np.nonzero(mask)
    minutes = sp.csr_array((np.full(rows.size, 5.0), (rows, cols)), shape=mask.shape)
    return plan.ReachMatrix(
        ids=pd.Index([f"{prefix}{i}" for i in range(mask.shape[0])]),
        cells=pd.Index([f"c{j}" for j in range(mask.shape[1])]),
        minutes=minutes,
        threshold_min=10.0,
        skipped=pd.DataFrame({"reason": pd.Series(dtype=object)}),
    )


instances = st.integers(0, 2**31 - 1).map(np.random.default_rng)


@settings(max_examples=25, deadline=None)
@given(rng=instances, n_offers=st.integers(1, 6), n_cells=st.integers(1, 15))
def test_overlap_and_essentiality_against_brute_force(rng, n_offers, n_cells):
    mask = rng.random((n_offers, n_cells)) < 0.35
    demand = rng.integers(0, 30, n_cells).astype(float)
    result = plan.overlap_analysis(_reach(mask, "o"), demand)
    covered = demand[mask.any(axis=0)].sum()
    for i in range(n_offers):
        others = np.delete(mask, i, axis=0).any(axis=0)
        lost = covered - demand[others].sum()
        assert result.offers["essential_people"].iloc[i] == lost
        for j in range(n_offers):
            a, b = demand[mask[i]].sum(), demand[mask[j]].sum()
            value = result.overlap.iloc[i, j]
            if min(a, b) == 0:
                assert np.isnan(value)
            else:
                assert value == demand[mask[i] & mask[j]].sum() / min(a, b)
                assert value == result.overlap.iloc[j, i]
                assert 0.0 <= value <= 1.0


@settings(max_examples=25, deadline=None)
@given(
    rng=instances,
    n_cand=st.integers(1, 7),
    n_cells=st.integers(1, 12),
    k=st.integers(1, 3),
)
def test_exact_is_the_brute_force_optimum_and_greedy_is_within_its_bound(rng, n_cand, n_cells, k):
    existing = rng.random((2, n_cells)) < 0.2
    cand = rng.random((n_cand, n_cells)) < 0.3
    demand = rng.integers(0, 20, n_cells).astype(float)
    ex, ca = _reach(existing, "o"), _reach(cand, "k")
    free = ~existing.any(axis=0)
    best = max(
        demand[free & cand[list(combo)].any(axis=0)].sum()
        for r in range(min(k, n_cand) + 1)
        for combo in itertools.combinations(range(n_cand), r)
    )
    exact = plan.propose_sites(ex, ca, demand, k=k, method="exact")
    greedy = plan.propose_sites(ex, ca, demand, k=k, method="greedy")
    assert exact.objective == best
    assert greedy.objective <= exact.objective
    assert greedy.objective >= (1 - 1 / np.e) * exact.objective - 1e-9


@settings(max_examples=15, deadline=None)
@given(rng=instances, n_cand=st.integers(1, 5), n_cells=st.integers(1, 10))
def test_capacitated_never_exceeds_capacity_or_demand(rng, n_cand, n_cells):
    cand = rng.random((n_cand, n_cells)) < 0.5
    demand = rng.integers(0, 20, n_cells).astype(float)
    existing = _reach(np.zeros((1, n_cells), dtype=bool), "o")
    res = plan.propose_sites(
        existing,
        _reach(cand, "k"),
        demand,
        k=2,
        method="exact",
        capacity=7.0,
        existing_capacity=pd.Series([5.0], index=existing.ids),
    )
    alloc = res.allocation
    assert (alloc.groupby("site_id")["served"].sum() <= 7.0 + 1e-6).all()
    per_cell = alloc.groupby("cell_id")["served"].sum()
    assert (
        per_cell <= pd.Series(demand, index=existing.cells).reindex(per_cell.index) + 1e-6
    ).all()
    # LP optimum of the chosen sites: never more than capacity x sites or the reachable demand
    reachable = demand[cand.any(axis=0)].sum()
    assert res.objective <= min(2 * 7.0, reachable) + 1e-6
