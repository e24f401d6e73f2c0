"""The canonical age groups of the population model.

Every population table (grid cells, districts, isochrone bands) carries one column
``pop_<key>`` per group plus ``pop_total``. Where a census source is coarser than a
group (Zensus 2011 gives "under 10", not "under 6"), the loader splits it by single
years of age and records that in the region's ``info["age_groups_estimated"]``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AgeGroup:
    key: str
    min_age: int
    max_age: int | None  # inclusive; None = open
    label_de: str
    label_en: str

    @property
    def column(self) -> str:
        return f"pop_{self.key}"


AGE_GROUPS: tuple[AgeGroup, ...] = (
    AgeGroup("0_5", 0, 5, "unter 6 Jahre", "under 6"),
    AgeGroup("6_9", 6, 9, "6 bis 9 Jahre", "6 to 9"),
    AgeGroup("10_17", 10, 17, "10 bis 17 Jahre", "10 to 17"),
    AgeGroup("18_29", 18, 29, "18 bis 29 Jahre", "18 to 29"),
    AgeGroup("30_64", 30, 64, "30 bis 64 Jahre", "30 to 64"),
    AgeGroup("65_plus", 65, None, "65 Jahre und älter", "65 and older"),
)
AGE_GROUP_BY_KEY: dict[str, AgeGroup] = {g.key: g for g in AGE_GROUPS}
POP_COLUMNS: tuple[str, ...] = ("pop_total", *(g.column for g in AGE_GROUPS))


def groups_for_ages(min_age: int, max_age: int | None) -> tuple[str, ...]:
    """Keys of the groups that overlap the age range ``[min_age, max_age]`` (inclusive)."""
    hi = 200 if max_age is None else max_age
    keys = []
    for g in AGE_GROUPS:
        g_hi = 200 if g.max_age is None else g.max_age
        if g.min_age <= hi and min_age <= g_hi:
            keys.append(g.key)
    return tuple(keys)
