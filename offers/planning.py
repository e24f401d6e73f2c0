"""The planning setting for a category (or group): its offers, target population and threshold.

One place that turns "Kitas, walking, 10 minutes" into what :mod:`geo.plan` needs, so
the command line (``python -m geo sites|overlap``), ``bench/plan.py`` and the planning
page agree: the offers of the kind, the target age columns from the taxonomy, the
walking-speed profile of the target group and the threshold in network minutes
(:mod:`geo.norms`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from geo.agegroups import AGE_GROUP_BY_KEY, groups_for_ages
from geo.errors import InputDataError
from geo.norms import (
    DEFAULT_NORMS,
    DEFAULT_SPEEDS,
    Norm,
    SpeedProfile,
    network_minutes,
    norm_for,
    profile_for_ages,
)
from offers.taxonomy import CATEGORIES, GROUPS

if TYPE_CHECKING:
    from geo.plan import ReachMatrix
    from geo.region import Region
    from geo.routing import Router

__all__ = ["PlanSetting", "Target", "plan_setting", "target_of"]


@dataclass(frozen=True)
class Target:
    """A category or group with its target ages.

    Attributes
    ----------
    key : str
        Category or group key.
    categories : tuple of str
        The category keys it covers.
    pop_columns : tuple of str
        Census columns of the target population (``pop_<group>``).
    min_age, max_age : int, int or None
        Target ages (the union over the categories).
    profile : str
        Walking-speed profile (``child``, ``adult``, ``senior``).
    """

    key: str
    categories: tuple[str, ...]
    pop_columns: tuple[str, ...]
    min_age: int
    max_age: int | None
    profile: str


def target_of(key: str) -> Target:
    """The target of a category key (``"kita"``) or a group key (``"schule"``).

    Raises
    ------
    InputDataError
        Unknown key (the message lists the known ones).
    """
    if key in CATEGORIES:
        cats = [CATEGORIES[key]]
    elif key in GROUPS:
        cats = [c for c in CATEGORIES.values() if c.group == key]
    else:
        raise InputDataError(
            f"unknown category {key!r}.",
            field="category",
            hint=f"Use a category ({', '.join(sorted(CATEGORIES))}) or a group "
            f"({', '.join(sorted(GROUPS))}).",
        )
    lo = min(int(c.target_min_age) for c in cats)
    his = [c.target_max_age for c in cats]
    hi = None if any(h is None for h in his) else max(int(h) for h in his if h is not None)
    groups = groups_for_ages(lo, hi)
    return Target(
        key=key,
        categories=tuple(c.key for c in cats),
        pop_columns=tuple(AGE_GROUP_BY_KEY[g].column for g in groups),
        min_age=lo,
        max_age=hi,
        profile=profile_for_ages(lo, hi),
    )


@dataclass(frozen=True, eq=False)
class PlanSetting:
    """Everything one planning question needs.

    Attributes
    ----------
    target : Target
    mode : str
    minutes : float
        The threshold as asked (minutes at the profile's walking speed when walking).
    threshold_min : float
        The same in network minutes (what the engine uses).
    norm : Norm or None
        The norm the threshold came from (None when given explicitly).
    speed : SpeedProfile
    offers : GeoDataFrame
        The offers of the kind (EPSG:4326), indexed by ``offer_id``.
    router : Router
    existing : ReachMatrix
        The offers' reach at ``threshold_min``.
    demand : ndarray
        Target population per cell (unweighted).
    """

    target: Target
    mode: str
    minutes: float
    threshold_min: float
    norm: Norm | None
    speed: SpeedProfile
    offers: gpd.GeoDataFrame
    router: Router
    existing: ReachMatrix
    demand: np.ndarray


def plan_setting(
    region: Region,
    offers: gpd.GeoDataFrame,
    *,
    category: str,
    mode: str,
    minutes: float | None = None,
    profile: str | None = None,
    norms: tuple[Norm, ...] = DEFAULT_NORMS,
    speeds: dict[str, SpeedProfile] | None = None,
    router: Router | None = None,
) -> PlanSetting:
    """Assemble the planning setting of a category, mode and threshold.

    Parameters
    ----------
    region : Region
        The built region.
    offers : GeoDataFrame
        All offers (``offers.catalogue.load_offers``), EPSG:4326.
    category : str
        Category or group key.
    mode : str
        ``walk``, ``bike`` or ``drive``.
    minutes : float, optional
        Threshold in minutes at the profile's walking speed (walk) or on the network
        (bike, drive). Default: the norm of the category and mode.
    profile : str, optional
        Walking-speed profile; default the target group's.
    norms, speeds : optional
        Norms and speeds (a region's :class:`geo.norms.NormStore` edits).
    router : Router, optional
        A prepared router for the mode's network.

    Raises
    ------
    InputDataError
        Unknown category or mode, or a norm without a number (a statute the planner
        has not entered yet) and no ``minutes``.
    """
    from geo.plan import demand_vector, reach_matrix
    from geo.routing import Router

    target = target_of(category)
    if mode not in region.networks:
        raise InputDataError(
            f"unknown mode {mode!r}.", field="mode", hint=f"Use one of {sorted(region.networks)}."
        )
    speeds = speeds or dict(DEFAULT_SPEEDS)
    speed = speeds[profile or target.profile]
    norm: Norm | None = None
    if minutes is None:
        norm = norm_for(category, mode, norms=norms)
        threshold = norm.network_minutes(profile_kmh=speed.kmh)
        if threshold is None:
            raise InputDataError(
                f"the norm for {category!r} by {mode} has no number yet ({norm.source}).",
                field="minutes",
                hint="Enter the distance of the Landkreis' Satzung as the norm, or give minutes.",
            )
        asked = norm.minutes if norm.minutes is not None else threshold
    else:
        if not minutes > 0:
            raise InputDataError("minutes must be positive.", field="minutes")
        asked = float(minutes)
        threshold = network_minutes(asked, profile_kmh=speed.kmh) if mode == "walk" else asked
    kind = offers[offers["category"].isin(target.categories)]
    router = router or Router(region.networks[mode])
    existing = reach_matrix(router, kind, region.cells, threshold_min=threshold)
    return PlanSetting(
        target=target,
        mode=mode,
        minutes=float(asked),
        threshold_min=float(threshold),
        norm=norm,
        speed=speed,
        offers=kind,
        router=router,
        existing=existing,
        demand=demand_vector(region.cells, list(target.pop_columns)),
    )
