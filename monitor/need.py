"""The Bedarfsindex: a composite social-need index from district indicators.

For the chosen indicators ``i`` with planner weights ``w_i`` and one period:

    z_i(d) = (x_i(d) − mean_i) / sd_i            (over the districts, population sd)
    s_i    = +1 if higher is worse, −1 if higher is better, +1 if neutral
    index(d) = Σ_i w_i · s_i · z_i(d) / Σ_i |w_i|

so a higher index always means more need. A district lacking a value of one chosen
indicator gets no index (NaN) and is listed. Classes are quantiles of the index
(:class:`mapclassify.Quantiles`). :func:`need_index` is the planning issue's entry
point (a need weight per district).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.errors import MonitorStoreError


@dataclass(frozen=True)
class NeedIndex:
    """A Bedarfsindex and the parts of its formula.

    Attributes
    ----------
    index : Series
        Per district key (NaN where an indicator is missing).
    z : DataFrame
        z-scores, districts × indicators (before sign and weight).
    values : DataFrame
        The raw values used, districts × indicators.
    weights, signs : dict
        Per indicator.
    mean, sd : dict
        Per indicator (over the districts with a value).
    classes : Series
        Class number 1..k per district (NaN where no index).
    breaks : list of float
        Upper bounds of the classes.
    missing : list of str
        Districts without an index.
    period : str
    formula : str
        The formula in plain text with the weights and signs filled in.
    """

    index: pd.Series
    z: pd.DataFrame
    values: pd.DataFrame
    weights: dict[str, float]
    signs: dict[str, int]
    mean: dict[str, float]
    sd: dict[str, float]
    classes: pd.Series
    breaks: list[float]
    missing: list[str]
    period: str
    formula: str


def _sign(polarity: str) -> int:
    return -1 if polarity == "higher_better" else 1


def bedarfsindex(
    values_frame: pd.DataFrame,
    *,
    indicators: Mapping[str, float],
    period: str,
    level: str = "district",
    k: int = 5,
) -> NeedIndex:
    """The Bedarfsindex of the districts (see the module docstring).

    Parameters
    ----------
    values_frame : DataFrame
        :func:`monitor.store.values_frame` (uses ``level, area_key, indicator, period,
        value, polarity``).
    indicators : mapping key -> weight
        Planner weights (a weight of 0 leaves the indicator out; negative weights turn
        its direction around).
    period : str
        The period every chosen indicator is read at.
    level : str
        ``"district"`` (default) or ``"bezirk"``.
    k : int
        Number of classes.

    Raises
    ------
    MonitorStoreError
        No indicators, an unknown indicator, or one without values in ``period``.
    """
    chosen = {key: float(w) for key, w in indicators.items() if w}
    if not chosen:
        raise MonitorStoreError("choose at least one indicator with a weight other than 0.")
    sub = values_frame[(values_frame["level"] == level) & (values_frame["period"] == period)]
    cols: dict[str, pd.Series] = {}
    signs: dict[str, int] = {}
    for key in chosen:
        rows = sub[sub["indicator"] == key]
        if rows.empty:
            have = sorted(values_frame.loc[values_frame["indicator"] == key, "period"].unique())
            raise MonitorStoreError(
                f"indicator {key!r} has no values for {period!r} at level {level}; "
                f"periods with values: {', '.join(have) or 'none'}."
            )
        cols[key] = rows.set_index("area_key")["value"].astype(float)
        pol = rows["polarity"].iloc[0] if "polarity" in rows.columns else "neutral"
        signs[key] = _sign(str(pol))
    areas = sorted(set(values_frame.loc[values_frame["level"] == level, "area_key"]))
    raw = pd.DataFrame(cols).reindex(areas)
    mean = raw.mean(skipna=True)
    sd = raw.std(ddof=0, skipna=True)
    if (sd == 0).any():
        flat = [c for c in raw.columns if sd[c] == 0]
        raise MonitorStoreError(
            f"indicator(s) {', '.join(flat)} have the same value in every district in "
            f"{period}; they cannot be standardised."
        )
    z = (raw - mean) / sd
    weights = pd.Series(chosen)
    signed = z.mul(pd.Series(signs)).mul(weights)
    index = signed.sum(axis=1, min_count=len(chosen)).where(z.notna().all(axis=1))
    index = index / weights.abs().sum()
    index.name = "bedarfsindex"
    known = index.dropna()
    classes = pd.Series(np.nan, index=index.index)
    breaks: list[float] = []
    if len(known) >= 2:
        import mapclassify

        q = mapclassify.Quantiles(known.to_numpy(), k=min(k, len(known)))
        breaks = [float(b) for b in q.bins]
        classes.loc[known.index] = q.yb + 1
    terms = " + ".join(f"{weights[c]:g}·({signs[c]:+d})·z({c})" for c in chosen)
    formula = f"Index = ({terms}) / {weights.abs().sum():g}; z = (x − Mittel) / Standardabw."
    return NeedIndex(
        index=index,
        z=z,
        values=raw,
        weights=dict(chosen),
        signs=signs,
        mean={c: float(mean[c]) for c in raw.columns},
        sd={c: float(sd[c]) for c in raw.columns},
        classes=classes,
        breaks=breaks,
        missing=[str(a) for a in index.index[index.isna()]],
        period=period,
        formula=formula,
    )


def need_index(
    values_frame: pd.DataFrame, *, indicators: Mapping[str, float], period: str
) -> pd.Series:
    """The Bedarfsindex per district key (the need weight of the planning issue).

    See :func:`bedarfsindex` for the formula and the errors; higher means more need,
    0 is the districts' average, NaN where a chosen indicator is missing.
    """
    return bedarfsindex(values_frame, indicators=indicators, period=period).index
