"""Independent oracles for the planning tests and bench: spopt's MCLP on the same matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.plan import ReachMatrix


def essential_by_what_if(
    router, offers, cells, districts, ids, *, pop_columns: str, threshold_min: float
) -> pd.Series:
    """Coverage lost per offer, from one full :func:`geo.access.what_if` removal each.

    The baseline of ``bench/plan.py`` and the oracle of the essentiality test; it uses
    an :class:`geo.access.AccessCache`, the fast path the app takes.
    """
    from geo.access import AccessCache, what_if

    cache = AccessCache()
    lost = {}
    for oid in ids:
        change = what_if(
            router,
            offers,
            cells,
            districts,
            pop_columns=pop_columns,
            threshold_min=threshold_min,
            remove=[oid],
            cache=cache,
            cache_key="oracle",
        ).districts
        lost[oid] = -change.loc["__total__", "covered_change"]
    return pd.Series(lost)


def spopt_mclp_objective(
    existing: ReachMatrix, candidates: ReachMatrix, demand: np.ndarray, *, k: int
) -> tuple[float, list[str]]:
    """Newly covered demand of spopt's ``MCLP`` (CBC) on the cells existing offers miss.

    The cost matrix is the candidates' travel minutes (cells x candidates, dense; a
    missing entry is beyond the threshold) for the still uncovered cells; spopt gets
    ``service_radius`` = the threshold, ``p_facilities`` = k.
    """
    import pulp
    from spopt.locate import MCLP

    residual = np.where(existing.covered(), 0.0, np.asarray(demand, dtype=float))
    minutes = candidates.minutes.toarray()
    reach = candidates.reach.toarray() > 0
    cells = np.flatnonzero(reach.any(axis=0) & (residual > 0))
    cands = np.flatnonzero(reach[:, cells].any(axis=1))
    beyond = candidates.threshold_min + 1.0
    cost = np.where(reach[np.ix_(cands, cells)], minutes[np.ix_(cands, cells)], beyond).T
    model = MCLP.from_cost_matrix(
        cost, residual[cells], service_radius=candidates.threshold_min, p_facilities=k
    )
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = [
        str(candidates.ids[cands[j]]) for j, v in enumerate(model.fac_vars) if v.value() > 0.5
    ]
    return float(pulp.value(model.problem.objective)), chosen
