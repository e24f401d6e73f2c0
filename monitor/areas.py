"""Matching the area cells of statistics tables to a region's districts.

Statistics offices name areas in many ways. For a district with key ``STGT04`` and name
``04 Westliche Höhe`` all of ``04 Westliche Höhe``, ``Westliche_Höhe``, ``westliche
hoehe``, ``4``, ``STGT04`` and ``04 - Westliche Höhe`` find it. A cell that names the
whole region (``Gesamt``, ``Stadt``, ``Insgesamt``, the region's own name or key, e.g.
Lübeck's ``00 - Lübeck``) is the region total. Anything else is unmatched, with the
closest district names as a hint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from geo.textfold import fold_text as fold

#: Folded cell texts that mean "the whole region".
REGION_WORDS: frozenset[str] = frozenset(
    {
        "gesamt",
        "stadt",
        "insgesamt",
        "summe",
        "gesamtstadt",
        "stadt gesamt",
        "stadt insgesamt",
        "gesamt stadt",
        "total",
        "region",
        "kreis",
        "gemeinde",
        "alle",
    }
)
_PREFIX = re.compile(r"^(\d+)\s*(?:[-–:.)]\s*)?(.*)$")
_KEY_DIGITS = re.compile(r"^([a-z]*)\s*0*(\d+)$")


def fold_area(text: object) -> str:
    """Lower case ASCII words: ``"Westliche_Höhe"`` -> ``"westliche hoehe"``."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return fold(str(text).replace("_", " "))


def _split_number(folded: str) -> tuple[int | None, str]:
    """``"04 westliche hoehe"`` -> ``(4, "westliche hoehe")``; ``"4"`` -> ``(4, "")``."""
    m = _PREFIX.match(folded)
    if m is None:
        return None, folded
    return int(m.group(1)), m.group(2).strip()


@dataclass(frozen=True)
class AreaMatch:
    """Where a cell text points: ``level`` is ``"district"``, ``"region"`` or
    ``"unassigned"``; ``how`` says which rule matched (``key``, ``name``, ``number``,
    ``region``, ``empty``)."""

    level: str
    area_key: str
    name: str
    how: str


class AreaMatcher:
    """Find a region's district from a table cell.

    Parameters
    ----------
    districts : DataFrame
        Indexed by the district key (``district_id``) with a ``name`` column, e.g. the
        ``districts`` GeoDataFrame of :func:`geo.build.load_region` or of
        :func:`geo.districts.districts_from_file`.
    region_name : str
        The region's name (``"Lübeck"``); a cell naming it is the region total.
    region_keys : iterable of str
        Further texts that mean the whole region (the slug, an official key).
    level : str
        The level the districts are stored at (``"district"`` or ``"bezirk"``).
    """

    def __init__(
        self,
        districts: pd.DataFrame,
        *,
        region_name: str,
        region_keys: Iterable[str] = (),
        level: str = "district",
    ) -> None:
        self.level = level
        self.region_name = region_name
        self.names: dict[str, str] = {
            str(k): str(n) for k, n in zip(districts.index, districts["name"], strict=True)
        }
        self._by_text: dict[str, str] = {}
        self._by_number: dict[int, set[str]] = {}
        self._by_plain: dict[str, str] = {}
        for key, name in self.names.items():
            fk, fn = fold_area(key), fold_area(name)
            self._by_text.setdefault(fk, key)
            self._by_text.setdefault(fn, key)
            num_n, plain = _split_number(fn)
            if plain:
                self._by_plain.setdefault(plain, key)
            m = _KEY_DIGITS.match(fk)
            for num in (num_n, int(m.group(2)) if m else None):
                if num is not None:
                    self._by_number.setdefault(num, set()).add(key)
        self._region = {w for w in REGION_WORDS}
        for text in (region_name, *region_keys):
            f = fold_area(text)
            if f:
                self._region.add(f)
                self._region.add(_split_number(f)[1] or f)
        self._choices = {key: fold_area(name) for key, name in self.names.items()}

    def region(self) -> AreaMatch:
        return AreaMatch("region", "region", self.region_name, "region")

    def match(self, text: object) -> AreaMatch | None:
        """The area a cell names, or None (see :meth:`closest` for a hint)."""
        if text is None or (isinstance(text, float) and text != text):
            text = ""
        folded = fold_area(text)
        if not folded:
            return AreaMatch("unassigned", "unassigned", "", "empty")
        if folded in self._region:
            return self.region()
        key = self._by_text.get(folded)
        if key is not None:
            return AreaMatch(self.level, key, self.names[key], "name")
        number, plain = _split_number(folded)
        if plain:
            if plain in self._region:
                return self.region()
            key = self._by_plain.get(plain)
            if key is not None and (number is None or key in self._by_number.get(number, ())):
                return AreaMatch(self.level, key, self.names[key], "name")
            if number is not None:
                return None
        elif number is not None:
            keys = self._by_number.get(number, set())
            if len(keys) == 1:
                key = next(iter(keys))
                return AreaMatch(self.level, key, self.names[key], "number")
            return None
        m = _KEY_DIGITS.match(folded)
        if m is not None and m.group(1):
            keys = {
                k
                for k in self._by_number.get(int(m.group(2)), set())
                if fold_area(k).startswith(m.group(1))
            }
            if len(keys) == 1:
                key = next(iter(keys))
                return AreaMatch(self.level, key, self.names[key], "key")
        return None

    def closest(self, text: object, *, limit: int = 3) -> list[str]:
        """The district names most like ``text`` (rapidfuzz WRatio on folded names)."""
        folded = _split_number(fold_area(text))[1] or fold_area(text)
        hits = process.extract(folded, self._choices, scorer=fuzz.WRatio, limit=limit)
        return [self.names[key] for _, _, key in hits]

    def area_rows(self) -> list[tuple[str, str, str]]:
        """``(level, key, name)`` of every district and the region, for the store."""
        rows = [(self.level, k, n) for k, n in self.names.items()]
        rows.append(("region", "region", self.region_name))
        rows.append(("unassigned", "unassigned", ""))
        return rows
