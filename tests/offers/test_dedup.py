"""The duplicate rule on its own: distance, category group, name similarity, numbers."""

from __future__ import annotations

import pytest
from pyproj import Transformer

from offers.dedup import (
    DEDUP_AREA_DISTANCE_M,
    DEDUP_DISTANCE_M,
    DuplicateFinder,
    name_similarity,
)

_TO_LONLAT = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
_X0, _Y0 = 619000.0, 5809000.0  # Wolfsburg, EPSG:25832


def rec(name: str, category: str, dx_m: float = 0.0, ref: str = "list.csv row 1") -> dict:
    lon, lat = _TO_LONLAT.transform(_X0 + dx_m, _Y0)
    return {"name": name, "category": category, "lon": lon, "lat": lat, "source_ref": ref}


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("Theodor-Heuss-Gymnasium", "Theodor-Heuss-Gymnasium Wolfsburg", True),
        ("Grundschule Käferschule", "GS Käferschule Grundschule", True),
        ("Mühlenbergschule", "Muehlenbergschule", True),
        ("Berufsbildende Schulen I", "Berufsbildende Schulen II", False),
        ("Kita Nummer 1", "Kita Nummer 12", False),
        ("Albert-Schweitzer-Gymnasium", "Wolfsburger Oberschule", False),
    ],
)
def test_name_similarity(a: str, b: str, similar: bool) -> None:
    assert (name_similarity(a, b) >= 80) is similar


@pytest.mark.parametrize(
    ("existing", "incoming", "dx_m", "merged"),
    [
        (("Grundschule Mörse", "grundschule"), ("Grundschule Mörse", "grundschule"), 12.0, True),
        # same group (school), other category: still the same building and offer
        (("Neue Schule", "schule_sonstige"), ("Neue Schule Wolfsburg", "gesamtschule"), 17.0, True),
        (
            ("Grundschule Mörse", "grundschule"),
            ("Grundschule Mörse", "grundschule"),
            DEDUP_DISTANCE_M + 5,
            False,
        ),
        (("Kita Mörse", "kita"), ("Grundschule Mörse", "grundschule"), 0.0, False),
        (("Kita Mörse", "krippe"), ("Kita Mörse", "kita"), 0.0, True),
        # same name and campus, two school types: two offers (coverage per type)
        (("Eichendorffschule", "oberschule"), ("Eichendorffschule", "grundschule"), 0.0, False),
        (("Kita Sonne", "kita"), ("Kita Sonne", "grundschule"), 0.0, False),  # other group
    ],
)
def test_rule(existing: tuple, incoming: tuple, dx_m: float, merged: bool) -> None:
    finder = DuplicateFinder({"a": rec(*existing)})
    target, decisions = finder.match(rec(*incoming, dx_m=dx_m), row=7)
    assert (target == "a") is merged
    if merged:
        assert decisions[0].merged and decisions[0].row == 7
        assert decisions[0].distance_m == pytest.approx(dx_m, abs=0.5)


def test_closest_wins_and_decisions_listed() -> None:
    finder = DuplicateFinder(
        {
            "far": rec("Grundschule Mörse", "grundschule", 25.0),
            "near": rec("Grundschule Mörse", "grundschule", 5.0),
            "other": rec("Heideschule Nord", "schule_sonstige", 2.0),
        }
    )
    target, decisions = finder.match(rec("Grundschule Mörse", "grundschule"))
    assert target == "near"
    assert {d.offer_id: d.merged for d in decisions} == {"far": False, "near": True, "other": False}
    finder.remove("near")
    assert finder.match(rec("Grundschule Mörse", "grundschule"))[0] == "far"


@pytest.mark.parametrize(
    ("ref", "dx_m", "merged"),
    [
        ("node/1", DEDUP_DISTANCE_M + 10, False),
        ("way/1", DEDUP_DISTANCE_M + 10, True),  # an area's point may sit far from the door
        ("relation/1", DEDUP_AREA_DISTANCE_M - 1, True),
        ("way/1", DEDUP_AREA_DISTANCE_M + 1, False),
    ],
)
def test_area_radius(ref: str, dx_m: float, merged: bool) -> None:
    finder = DuplicateFinder({"osm": rec("Christoph-Jacob-Treu-Gymnasium", "gymnasium", ref=ref)})
    incoming = rec("Christoph-Jacob-Treu-Gymnasium Lauf a.d.Pegnitz", "gymnasium", dx_m)
    assert (finder.match(incoming)[0] == "osm") is merged
