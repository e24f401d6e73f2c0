"""The duplicate rule: one offer from several sources becomes one record.

Rule (:func:`DuplicateFinder.match`): an incoming record is the same offer as an
existing one when the categories are compatible (:func:`compatible_categories`: the
same group, e.g. "schule", and either the same category, or one of them generic such
as "school, type unknown", or Krippe/Kita; a Grundschule and an Oberschule sharing a
name and campus stay two offers, so coverage per school type stays right), the
points are at most :data:`DEDUP_DISTANCE_M` apart (measured in EPSG:25832; at most
:data:`DEDUP_AREA_DISTANCE_M` when one of them is an OSM way or relation, whose point
stands for a whole area), and the
names are similar: rapidfuzz ``token_set_ratio`` of the normalised names (lower case,
umlauts folded, punctuation removed) is at least :data:`NAME_SIMILARITY_MIN` and their
numbers agree. The
closest such record wins. Every candidate within the distance is reported as a
:class:`MergeDecision` (merged or kept apart, with distance and score), so the rule
and its decisions are visible in the import report and the store.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from typing import Any

from pyproj import Transformer
from rapidfuzz import fuzz

from geo.settings import CRS_MEASURE, CRS_STORE
from geo.textfold import fold_text
from offers.taxonomy import CATEGORIES

DEDUP_DISTANCE_M = 30.0
#: OSM ways and relations are areas reduced to one inner point, which can lie far from
#: the address point of a list; their radius is larger.
DEDUP_AREA_DISTANCE_M = 80.0
NAME_SIMILARITY_MIN = 80.0


_NUMBER_TOKEN = re.compile(r"^(?:\d+[a-z]?|i{1,3}|iv|v|vi{1,3}|ix|x)$")


def name_similarity(a: str, b: str) -> float:
    """0–100; token-set ratio of the normalised names (word order and extra words ignored).

    Names whose numbers differ ("BBS I" and "BBS II", "Kita 3" and "Kita 4") are
    different offers, so their score is capped at 50.
    """
    na, nb = fold_text(a), fold_text(b)
    score = float(fuzz.token_set_ratio(na, nb))
    nums_a = {t for t in na.split() if _NUMBER_TOKEN.match(t)}
    nums_b = {t for t in nb.split() if _NUMBER_TOKEN.match(t)}
    if nums_a != nums_b:
        score = min(score, 50.0)
    return score


@dataclass(frozen=True)
class MergeDecision:
    """One application of the duplicate rule to a pair within the distance."""

    row: int
    offer_id: str
    name: str
    other_name: str
    distance_m: float
    name_score: float
    merged: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Categories that only say "some offer of this group": they merge with any of the group.
GENERIC_CATEGORIES: frozenset[str] = frozenset({"schule_sonstige", "sonstige"})
_SAME_OFFER: tuple[frozenset[str], ...] = (frozenset({"krippe", "kita"}),)


def compatible_categories(a: str, b: str) -> bool:
    """Whether two category keys may describe the same offer (see the module docstring)."""
    if CATEGORIES[a].group != CATEGORIES[b].group:
        return False
    if a == b or a in GENERIC_CATEGORIES or b in GENERIC_CATEGORIES:
        return True
    return any({a, b} <= pair for pair in _SAME_OFFER)


def _radius(record: dict[str, Any]) -> float:
    refs = str(record.get("source_ref", ""))
    is_area = "way/" in refs or "relation/" in refs
    return DEDUP_AREA_DISTANCE_M if is_area else DEDUP_DISTANCE_M


class DuplicateFinder:
    """Candidates for the duplicate rule, with points in EPSG:25832.

    Points sit in a hash grid of :data:`DEDUP_AREA_DISTANCE_M` cells, so a match looks at
    3 × 3 cells instead of every record (imports stay linear in the number of rows).

    Parameters
    ----------
    records : mapping of offer_id to record
        Existing records (``lon``/``lat`` in EPSG:4326, ``category``, ``name``).
    """

    def __init__(self, records: dict[str, dict[str, Any]]) -> None:
        self._to_measure = Transformer.from_crs(CRS_STORE, CRS_MEASURE, always_xy=True)
        # offer_id -> (x, y, name, category, cell, radius); cell -> offer_ids
        self._items: dict[str, tuple[float, float, str, str, tuple[int, int], float]] = {}
        self._grid: dict[tuple[int, int], set[str]] = {}
        for oid, rec in records.items():
            self.add(oid, rec)

    @staticmethod
    def _cell(x: float, y: float) -> tuple[int, int]:
        return math.floor(x / DEDUP_AREA_DISTANCE_M), math.floor(y / DEDUP_AREA_DISTANCE_M)

    def add(self, offer_id: str, record: dict[str, Any]) -> None:
        """Add (or move) a record as a candidate."""
        if record.get("lon") is None or record.get("lat") is None:
            return
        self.remove(offer_id)
        x, y = self._to_measure.transform(record["lon"], record["lat"])
        cell = self._cell(x, y)
        radius = _radius(record)
        self._items[offer_id] = (
            x,
            y,
            str(record.get("name", "")),
            str(record["category"]),
            cell,
            radius,
        )
        self._grid.setdefault(cell, set()).add(offer_id)

    def remove(self, offer_id: str) -> None:
        item = self._items.pop(offer_id, None)
        if item is not None:
            self._grid[item[4]].discard(offer_id)

    def match(
        self, record: dict[str, Any], *, row: int = 0, exclude: frozenset[str] = frozenset()
    ) -> tuple[str | None, list[MergeDecision]]:
        """The offer_id this record duplicates (or ``None``) and the decisions taken."""
        if not self._items or record.get("lon") is None:
            return None, []
        x, y = self._to_measure.transform(record["lon"], record["lat"])
        cx, cy = self._cell(x, y)
        category = str(record["category"])
        decisions: list[MergeDecision] = []
        best: tuple[float, str] | None = None
        near = sorted(
            oid
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for oid in self._grid.get((cx + dx, cy + dy), ())
        )
        radius = _radius(record)
        for oid in near:
            ox, oy, other_name, other_category, _, other_radius = self._items[oid]
            dist = math.hypot(ox - x, oy - y)
            if (
                dist > max(radius, other_radius)
                or oid in exclude
                or not compatible_categories(category, other_category)
            ):
                continue
            score = name_similarity(record["name"], other_name)
            decisions.append(
                MergeDecision(
                    row=row,
                    offer_id=oid,
                    name=str(record["name"]),
                    other_name=other_name,
                    distance_m=round(dist, 1),
                    name_score=round(score, 1),
                    merged=False,
                )
            )
            if score >= NAME_SIMILARITY_MIN and (best is None or dist < best[0]):
                best = (dist, oid)
        if best is None:
            return None, decisions
        decisions = [
            MergeDecision(**{**d.to_dict(), "merged": d.offer_id == best[1]}) for d in decisions
        ]
        return best[1], decisions
