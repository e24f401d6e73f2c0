"""Standards (Normen): default thresholds per category and mode, each with its source.

A :class:`Norm` is either a distance (``distance_m``, e.g. 500 m walking to a Kita)
or a time (``minutes``, e.g. 45 min per way). The engine works in *network minutes*:
times on the region's network, whose walk edges run at the network's own speed
(:func:`geo.routing.Router`, 4.5 km/h for the built regions).

How a walking-speed profile applies (one rule everywhere: coverage, gaps, what-if,
the optimiser): a person walking at ``profile_kmh`` needs ``network_kmh / profile_kmh``
times the network's time for every metre (the access walk included, since it runs
at the same speed on walk networks). So "covered within T minutes at the profile
speed" is exactly "covered within ``T * profile_kmh / network_kmh`` network minutes":
:func:`network_minutes` scales the threshold instead of every travel time. A distance
norm does not depend on the speed (500 m are 500 m), so it converts at the network
speed. Bike and drive networks are not scaled.

Planners edit norms and speeds per region; :class:`NormStore` keeps them as JSON in
``BLK_WORK_DIR/norms/<slug>.json`` (atomic writes, with a history of who changed what).
Texts here are bibliographic sources (data); labels and explanations live in
``views/i18n.py`` under the ``note`` codes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo.atomic import write_text_atomic
from geo.errors import InputDataError
from geo.settings import Paths, get_paths

__all__ = [
    "DEFAULT_NORMS",
    "DEFAULT_SPEEDS",
    "Norm",
    "NormStore",
    "SpeedProfile",
    "network_minutes",
    "norm_for",
    "profile_for_ages",
]

#: Speed of the built walk networks (km/h); see :data:`geo.routing.ACCESS_WALK_KMH`.
NETWORK_WALK_KMH = 4.5


@dataclass(frozen=True)
class SpeedProfile:
    """A walking speed with its source.

    Attributes
    ----------
    key : str
        ``"adult"``, ``"child"`` or ``"senior"``.
    kmh : float
        Walking speed in km/h.
    source : str
        Where the value comes from.
    """

    key: str
    kmh: float
    source: str


DEFAULT_SPEEDS: dict[str, SpeedProfile] = {
    "adult": SpeedProfile(
        "adult",
        4.5,
        "Planungswert der Fußwegnetze (geo.netbuild); Weidmann (1993), Transporttechnik der "
        "Fussgänger, IVT ETH Zürich: mittlere Gehgeschwindigkeit 1,34 m/s (4,8 km/h)",
    ),
    "child": SpeedProfile(
        "child",
        3.6,
        "FGSV, Richtlinien für Lichtsignalanlagen RiLSA (2015): Räumgeschwindigkeit 1,0 m/s "
        "statt 1,2 m/s, wo viele Kinder, Ältere oder mobilitätseingeschränkte Menschen gehen",
    ),
    "senior": SpeedProfile(
        "senior",
        3.6,
        "FGSV, Richtlinien für Lichtsignalanlagen RiLSA (2015): Räumgeschwindigkeit 1,0 m/s "
        "statt 1,2 m/s, wo viele Kinder, Ältere oder mobilitätseingeschränkte Menschen gehen",
    ),
}


@dataclass(frozen=True)
class Norm:
    """One threshold for a category (or a category group) and a mode.

    Attributes
    ----------
    category : str
        Category key (``offers.taxonomy``) or group key.
    mode : str
        ``"walk"``, ``"bike"`` or ``"drive"``.
    distance_m : float or None
        The norm as a distance along the network (metres).
    minutes : float or None
        The norm as a travel time (minutes at the profile's speed when walking).
    range_m : (float, float) or None
        The range the source gives (the norm uses the upper end).
    kind : str
        ``"guide"`` (a planning guide value), ``"court"`` (held reasonable by a court),
        ``"statute"`` (set by a statute/Satzung; a number only after the planner enters
        it) or ``"assumption"`` (no published value; an editable default).
    source : str
        Bibliographic source.
    edited_by : str or None
        The planner who changed it (None = the default).
    """

    category: str
    mode: str
    distance_m: float | None = None
    minutes: float | None = None
    range_m: tuple[float, float] | None = None
    kind: str = "guide"
    source: str = ""
    edited_by: str | None = None

    def network_minutes(
        self, *, profile_kmh: float | None = None, network_kmh: float = NETWORK_WALK_KMH
    ) -> float | None:
        """The threshold in network minutes (None for a statute without a number)."""
        if self.distance_m is not None:
            if self.mode != "walk":
                raise InputDataError(
                    "a distance norm needs the walk network.",
                    field="distance_m",
                    hint="Give bike and drive norms in minutes.",
                )
            return self.distance_m / (network_kmh / 3.6) / 60.0
        if self.minutes is None:
            return None
        if self.mode != "walk" or profile_kmh is None:
            return self.minutes
        return network_minutes(self.minutes, profile_kmh=profile_kmh, network_kmh=network_kmh)


def network_minutes(
    minutes: float, *, profile_kmh: float, network_kmh: float = NETWORK_WALK_KMH
) -> float:
    """Minutes at a walking speed -> minutes on the network (see the module docstring)."""
    if not profile_kmh > 0 or not network_kmh > 0:
        raise ValueError("walking speeds must be positive")
    return float(minutes) * float(profile_kmh) / float(network_kmh)


_IOER = (
    "IÖR Schriften 49 (2008), Leibniz-Institut für ökologische Raumentwicklung: "
    "350–500 m Fußweg zum Kindergarten"
)
_GS = "Planungsrichtwerte der Stadtplanung für Grundschulen: 600–700 m Fußweg"
_OVG_2 = "Nds. OVG, Beschluss 2 LA 585/07: 45 Minuten Schulweg je Weg im Primarbereich zumutbar"
_OVG_13 = "Nds. OVG, 13 L 3502/00: 4 km Fußweg für die Sekundarstufe I zumutbar"
_NSCHG = "§ 114 NSchG: Mindestentfernungen der Schülerbeförderung setzt der Landkreis per Satzung"
_ASSUME = "Planungsannahme (kein veröffentlichter Richtwert); vom Planungsteam änderbar"
_SEK1 = ("hauptschule", "realschule", "oberschule", "gymnasium", "gesamtschule")

DEFAULT_NORMS: tuple[Norm, ...] = (
    Norm("kita", "walk", distance_m=500.0, range_m=(350.0, 500.0), source=_IOER),
    Norm("krippe", "walk", distance_m=500.0, range_m=(350.0, 500.0), source=_IOER),
    Norm("kita", "bike", minutes=10.0, kind="assumption", source=_ASSUME),
    Norm("kita", "drive", minutes=10.0, kind="assumption", source=_ASSUME),
    Norm("grundschule", "walk", distance_m=700.0, range_m=(600.0, 700.0), source=_GS),
    Norm("grundschule", "drive", minutes=45.0, kind="court", source=_OVG_2),
    *(Norm(c, "walk", distance_m=4000.0, kind="court", source=_OVG_13) for c in _SEK1),
    *(Norm(c, "drive", minutes=None, kind="statute", source=_NSCHG) for c in _SEK1),
)

#: Used where no norm exists for a category and mode.
FALLBACK_MINUTES = {"walk": 10.0, "bike": 10.0, "drive": 15.0}


def norm_for(category: str, mode: str, *, norms: Iterable[Norm] = DEFAULT_NORMS) -> Norm:
    """The norm for a category (or group) and mode; an ``assumption`` if none is known."""
    for n in norms:
        if n.category == category and n.mode == mode:
            return n
    return Norm(
        category, mode, minutes=FALLBACK_MINUTES.get(mode, 10.0), kind="assumption", source=_ASSUME
    )


def profile_for_ages(min_age: int | None, max_age: int | None) -> str:
    """The walking-speed profile of a target group: children up to 10, seniors from 65."""
    if max_age is not None and max_age <= 10:
        return "child"
    if min_age is not None and min_age >= 65:
        return "senior"
    return "adult"


@dataclass
class NormStore:
    """A region's edited norms and speeds, stored as JSON in the work folder.

    Parameters
    ----------
    slug : str
        Region slug.
    paths : Paths, optional
        Folders (``BLK_WORK_DIR``).
    """

    slug: str
    paths: Paths = field(default_factory=get_paths)

    @property
    def path(self) -> Path:
        return self.paths.work_dir / "norms" / f"{self.slug}.json"

    def _read(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"norms": [], "speeds": {}, "history": []}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputDataError(
                f"cannot read the stored norms ({exc}).",
                path=self.path,
                hint="Restore the file from a backup or delete it to return to the defaults.",
            ) from exc
        return data

    def norms(self) -> list[Norm]:
        """Defaults with the planner's edits applied (edited ones replace defaults)."""
        edited = {
            (d["category"], d["mode"]): Norm(
                **{**d, "range_m": tuple(d["range_m"]) if d.get("range_m") else None}
            )
            for d in self._read()["norms"]
        }
        out = [edited.pop((n.category, n.mode), n) for n in DEFAULT_NORMS]
        return out + list(edited.values())

    def speeds(self) -> dict[str, SpeedProfile]:
        """Default speed profiles with the planner's edits."""
        out = dict(DEFAULT_SPEEDS)
        for key, d in self._read()["speeds"].items():
            out[key] = SpeedProfile(key, float(d["kmh"]), str(d["source"]))
        return out

    def history(self) -> list[dict[str, Any]]:
        """Who changed what, oldest first."""
        return list(self._read()["history"])

    def set_norm(self, norm: Norm, *, user: str) -> Norm:
        """Store an edited norm (a planner's change needs a source too)."""
        _check_user(user)
        if norm.distance_m is None and norm.minutes is None and norm.kind != "statute":
            raise InputDataError(
                "a norm needs a distance or a time.",
                field="distance_m",
                hint="Enter metres (walking) or minutes.",
            )
        for name in ("distance_m", "minutes"):
            value = getattr(norm, name)
            if value is not None and not value > 0:
                raise InputDataError(f"{name} must be positive.", field=name)
        if not norm.source.strip():
            raise InputDataError(
                "a norm needs its source.",
                field="source",
                hint="Name the guideline, court decision or council decision.",
            )
        norm = replace(norm, edited_by=user)
        data = self._read()
        data["norms"] = [
            d for d in data["norms"] if (d["category"], d["mode"]) != (norm.category, norm.mode)
        ] + [asdict(norm)]
        data["history"].append(_entry(user, "norm", asdict(norm)))
        write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1))
        return norm

    def set_speed(self, key: str, kmh: float, *, source: str, user: str) -> SpeedProfile:
        """Store an edited walking speed."""
        _check_user(user)
        if key not in DEFAULT_SPEEDS:
            raise InputDataError(
                f"unknown speed profile {key!r}.",
                field="key",
                hint=f"Use one of {sorted(DEFAULT_SPEEDS)}.",
            )
        if not 0.5 <= kmh <= 8.0:
            raise InputDataError("a walking speed must lie between 0.5 and 8 km/h.", field="kmh")
        if not source.strip():
            raise InputDataError("a speed needs its source.", field="source")
        data = self._read()
        data["speeds"][key] = {"kmh": float(kmh), "source": source}
        data["history"].append(_entry(user, "speed", {"key": key, "kmh": kmh, "source": source}))
        write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1))
        return SpeedProfile(key, float(kmh), source)

    def reset(self, category: str, mode: str, *, user: str) -> None:
        """Return one norm to its default."""
        _check_user(user)
        data = self._read()
        data["norms"] = [d for d in data["norms"] if (d["category"], d["mode"]) != (category, mode)]
        data["history"].append(_entry(user, "reset", {"category": category, "mode": mode}))
        write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1))


def _check_user(user: str) -> None:
    if not user or not user.strip():
        raise InputDataError(
            "only a signed-in planner may change norms.",
            field="user",
            hint="Sign in as a planner first.",
        )


def _entry(user: str, what: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "user": user,
        "what": what,
        "value": value,
    }
