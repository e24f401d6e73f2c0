"""Need-weighted demand: a need weight on the population of every 100 m cell.

Two sources, one shape of result (:class:`NeedWeights`):

(a) **district indicators**: a per-district weight (e.g. from the Bedarfsindex of the
    monitoring package, a z-score composite) spread to the cells of each district
    (:func:`weights_from_district_index`, :func:`district_weights_to_cells`);
(b) **census cell attributes**: the Zensus 2011 100 m counts of foreign citizens and
    single-parent households (``zensus2011_100m_auslaender_alleinerziehende.csv``),
    read by :func:`read_census_attributes`, turned into rates per resident and a
    z-score composite (:func:`weights_from_census`).

The formula, in both cases::

    z_i      = Σ_k β_k · z_ik / Σ_k β_k          (composite of standardised parts)
    weight_i = min(cap, max(floor, 1 + strength · z_i))
    demand_i = population_i · weight_i

``NeedWeights.parts`` holds every part (column, β, mean, standard deviation) so the
app can show the formula with its numbers. Cells without a value get weight 1 and are
counted (``cells_default``).

Caveats of the census file (``../shared/data/README.md``): cells are listed only where
either value is >= 3 (disclosure control), so a missing cell is 0 *or* suppressed;
the second column counts households, not persons. Both are recorded in ``caveats``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import CensusFormatError, InputDataError
from geo.settings import Paths, get_paths
from geo.textfile import decode_table_bytes

__all__ = [
    "ATTRIBUTE_FILE",
    "NeedPart",
    "NeedWeights",
    "census_attribute_path",
    "district_weights_to_cells",
    "read_census_attributes",
    "weighted_population",
    "weights_from_census",
    "weights_from_district_index",
]

ATTRIBUTE_FILE = "zensus2011_100m_auslaender_alleinerziehende.csv"
#: Census columns -> our names.
ATTRIBUTES = {"Auslaender": "foreign", "HH_Alleinerziehende": "single_parent_households"}


@dataclass(frozen=True)
class NeedPart:
    """One standardised part of the need composite.

    Attributes
    ----------
    key : str
        ``"foreign"``, ``"single_parent_households"`` or ``"district_index"``.
    beta : float
        Its weight in the composite.
    mean, sd : float
        Population-weighted mean and standard deviation of the rate (or index) used
        for the z-score.
    rate_of : str or None
        Denominator of the rate (``"pop_total"``), None for a district index.
    """

    key: str
    beta: float
    mean: float
    sd: float
    rate_of: str | None = "pop_total"


@dataclass(frozen=True, eq=False)
class NeedWeights:
    """A need weight per cell with its formula.

    Attributes
    ----------
    weights : Series
        Indexed like the cells, >= ``floor``.
    source : str
        ``"district_index"`` or ``"census"``.
    parts : tuple of NeedPart
    strength, floor, cap : float
        ``weight = min(cap, max(floor, 1 + strength * z))``.
    cells_default : int
        Cells that got weight 1 for lack of a value.
    caveats : tuple of str
        Codes: ``"census_suppressed_below_3"``, ``"households_not_persons"``,
        ``"district_spread_uniform"``.
    """

    weights: pd.Series
    source: str
    parts: tuple[NeedPart, ...]
    strength: float
    floor: float
    cap: float
    cells_default: int
    caveats: tuple[str, ...] = ()

    def formula(self) -> dict[str, object]:
        """The formula as structured parts (for display and export)."""
        return {
            "weight": "min(cap, max(floor, 1 + strength * z))",
            "z": "sum(beta_k * (x_k - mean_k) / sd_k) / sum(beta_k)",
            "strength": self.strength,
            "floor": self.floor,
            "cap": self.cap,
            "parts": [
                {"key": p.key, "beta": p.beta, "mean": p.mean, "sd": p.sd, "rate_of": p.rate_of}
                for p in self.parts
            ],
        }


def _clip(z: np.ndarray, *, strength: float, floor: float, cap: float) -> np.ndarray:
    if not 0 <= floor <= 1 <= cap:
        raise ValueError("need floor <= 1 <= cap and floor >= 0")
    return np.clip(1.0 + strength * z, floor, cap)


def district_weights_to_cells(
    cells: pd.DataFrame, weights: pd.Series, *, default: float = 1.0
) -> tuple[pd.Series, int]:
    """Spread a per-district weight to the cells of each district.

    Parameters
    ----------
    cells : DataFrame
        Census cells with ``district_id``.
    weights : Series
        Weight per ``district_id`` (>= 0).
    default : float
        Weight of cells in no listed district.

    Returns
    -------
    (Series, int)
        Weight per cell (indexed like ``cells``) and the number of cells that got
        ``default``.
    """
    if "district_id" not in cells.columns:
        raise InputDataError(
            "the cells table lacks district_id.", field="district_id", hint="Use region.cells."
        )
    w = pd.to_numeric(weights, errors="coerce")
    if (w < 0).any():
        raise InputDataError("district weights must be >= 0.", field="weight")
    per_cell = cells["district_id"].map(w)
    missing = per_cell.isna()
    return per_cell.fillna(default).astype(float), int(missing.sum())


def weights_from_district_index(
    cells: pd.DataFrame,
    index: pd.Series,
    *,
    district_population: pd.Series | None = None,
    strength: float = 0.5,
    floor: float = 0.25,
    cap: float = 3.0,
) -> NeedWeights:
    """Need weights from a per-district index (e.g. ``monitor``'s Bedarfsindex).

    The index is standardised again (population-weighted over the districts when
    ``district_population`` is given, so 0 = the city average), then
    ``1 + strength * z`` clipped to ``[floor, cap]`` and spread to the cells.
    """
    idx = pd.to_numeric(index, errors="coerce").dropna()
    pop = (
        pd.to_numeric(district_population, errors="coerce").reindex(idx.index).fillna(0.0)
        if district_population is not None
        else pd.Series(1.0, index=idx.index)
    )
    mean, sd = _weighted_mean_sd(idx.to_numpy(float), pop.to_numpy(float))
    z = (idx - mean) / sd if sd > 0 else idx * 0.0
    district_w = pd.Series(
        _clip(z.to_numpy(float), strength=strength, floor=floor, cap=cap), index=idx.index
    )
    per_cell, default = district_weights_to_cells(cells, district_w)
    return NeedWeights(
        weights=per_cell,
        source="district_index",
        parts=(NeedPart("district_index", 1.0, mean, sd, rate_of=None),),
        strength=strength,
        floor=floor,
        cap=cap,
        cells_default=default,
        caveats=("district_spread_uniform",),
    )


def census_attribute_path(slug: str, *, paths: Paths | None = None) -> Path:
    """Where the region's attribute file lies (``<data root>/<slug>/`` + file name)."""
    return (paths or get_paths()).data_root / slug / ATTRIBUTE_FILE


def read_census_attributes(path: str | Path) -> pd.DataFrame:
    """The Zensus 2011 100 m attribute counts (foreign citizens, single-parent households).

    Parameters
    ----------
    path : str or Path
        A ``zensus2011_100m_auslaender_alleinerziehende.csv`` (``;``-separated,
        ``GITTER_ID_100m``, centres ``x_mp_100m``/``y_mp_100m`` in EPSG:3035).

    Returns
    -------
    DataFrame
        Index ``cell_id`` (the ``GITTER_ID_100m``): ``foreign``,
        ``single_parent_households`` (float counts).

    Raises
    ------
    CensusFormatError
        Missing columns, or a row whose counts are not numbers (named by row).
    """
    path = Path(path)
    text, _ = decode_table_bytes(path.read_bytes(), path=path, error=CensusFormatError)
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    for col in ("GITTER_ID_100m", *ATTRIBUTES):
        if col not in frame.columns:
            raise CensusFormatError(
                "the attribute file lacks a column.",
                path=path,
                field=col,
                hint="Use the Zensus 2011 100 m file with Auslaender and HH_Alleinerziehende.",
            )
    out = pd.DataFrame(index=pd.Index(frame["GITTER_ID_100m"].str.strip(), name="cell_id"))
    for col, name in ATTRIBUTES.items():
        values = pd.to_numeric(frame[col].str.strip(), errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            raise CensusFormatError(
                "a count is not a non-negative number.",
                path=path,
                row=int(np.flatnonzero(bad.to_numpy())[0]) + 1,
                field=col,
                hint="Check the row; suppressed cells are left out of this file, not marked.",
            )
        out[name] = values.to_numpy(dtype=float)
    if out.index.has_duplicates:
        raise CensusFormatError(
            f"cell {out.index[out.index.duplicated()][0]!r} occurs twice.",
            path=path,
            field="GITTER_ID_100m",
        )
    return out


def _to_cell_ids(attributes: pd.DataFrame, cell_index: pd.Index) -> pd.DataFrame:
    """Attribute counts on the region's cell ids (100 m direct, 1 km summed)."""
    if len(cell_index) and str(cell_index[0]).startswith("CRS3035RES1000m"):
        parts = attributes.index.str.extract(r"N(\d+)E(\d+)$").astype(int)
        km = (
            "CRS3035RES1000mN"
            + (parts[0] // 1000).astype(str)
            + "E"
            + (parts[1] // 1000).astype(str)
        )
        return attributes.groupby(km.to_numpy()).sum()
    return attributes


def weights_from_census(
    cells: pd.DataFrame,
    attributes: pd.DataFrame,
    *,
    betas: Mapping[str, float] | None = None,
    strength: float = 0.5,
    floor: float = 0.25,
    cap: float = 3.0,
) -> NeedWeights:
    """Need weights from census cell attributes: rates per resident, z-scored, combined.

    Parameters
    ----------
    cells : DataFrame
        ``region.cells`` (index = census cell id; ``pop_total``; ``in_region``).
    attributes : DataFrame
        :func:`read_census_attributes` output.
    betas : mapping, optional
        Weight per part (default 1 each for ``foreign`` and
        ``single_parent_households``).
    strength, floor, cap : float
        See the module formula.

    Returns
    -------
    NeedWeights
        Cells without residents, or without any attribute row in the file, get the
        weight of a zero count (the file omits cells below 3; see ``caveats``).
    """
    betas = dict(betas or {"foreign": 1.0, "single_parent_households": 1.0})
    unknown = set(betas) - set(ATTRIBUTES.values())
    if unknown:
        raise InputDataError(
            f"unknown need part(s) {sorted(unknown)}.",
            field="betas",
            hint=f"Use {sorted(ATTRIBUTES.values())}.",
        )
    attrs = _to_cell_ids(attributes, cells.index).reindex(cells.index)
    listed = attrs.notna().any(axis=1).to_numpy()
    pop = pd.to_numeric(cells["pop_total"], errors="coerce").to_numpy(float)
    has_pop = np.nan_to_num(pop) > 0
    in_region = (
        cells["in_region"].fillna(False).astype(bool).to_numpy()
        if "in_region" in cells.columns
        else np.ones(len(cells), bool)
    )
    basis = has_pop & in_region
    z_sum = np.zeros(len(cells))
    parts = []
    for key, beta in betas.items():
        count = np.nan_to_num(attrs[key].to_numpy(float))
        rate = np.divide(count, pop, out=np.zeros(len(cells)), where=has_pop)
        # rates above 1 come from counts perturbed by the census' disclosure control
        rate = np.minimum(rate, 1.0)
        mean, sd = _weighted_mean_sd(rate[basis], pop[basis])
        z = (rate - mean) / sd if sd > 0 else np.zeros(len(cells))
        z_sum += beta * np.where(has_pop, z, 0.0)
        parts.append(NeedPart(key, float(beta), mean, sd))
    total_beta = sum(betas.values())
    z = z_sum / total_beta if total_beta > 0 else z_sum
    weights = _clip(z, strength=strength, floor=floor, cap=cap)
    weights = np.where(has_pop, weights, 1.0)
    caveats = ["census_suppressed_below_3"]
    if "single_parent_households" in betas:
        caveats.append("households_not_persons")
    return NeedWeights(
        weights=pd.Series(weights, index=cells.index),
        source="census",
        parts=tuple(parts),
        strength=strength,
        floor=floor,
        cap=cap,
        cells_default=int((~has_pop).sum() + (has_pop & ~listed).sum()),
        caveats=tuple(caveats),
    )


def weighted_population(cells: pd.DataFrame, pop_column: str, weights: pd.Series) -> pd.Series:
    """Population times need weight per cell (NaN population counts 0)."""
    pop = pd.to_numeric(cells[pop_column], errors="coerce").fillna(0.0)
    return pop * weights.reindex(cells.index).astype(float)


def _weighted_mean_sd(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    w = np.where(np.isfinite(values), weights, 0.0)
    if not w.sum() > 0:
        return 0.0, 0.0
    v = np.nan_to_num(values)
    mean = float((w * v).sum() / w.sum())
    sd = float(np.sqrt((w * (v - mean) ** 2).sum() / w.sum()))
    return mean, sd
