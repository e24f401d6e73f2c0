"""The category taxonomy: complete, colour-blind-safe colours, Font Awesome free icons."""

from __future__ import annotations

import json

import pytest

from geo.agegroups import AGE_GROUP_BY_KEY
from geo.settings import REPO_ROOT
from offers.taxonomy import (
    CATEGORIES,
    GROUPS,
    category_from_text,
    provider_type_from,
    resolve_category,
)

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
FA_META = REPO_ROOT / "node_modules/@fortawesome/fontawesome-free/metadata/icon-families.json"


@pytest.mark.parametrize(
    "label",
    [
        "Krippe",
        "Kita",
        "Kindertagespflege",
        "Grundschule",
        "Hauptschule",
        "Realschule",
        "Oberschule",
        "Gymnasium",
        "Gesamtschule",
        "Förderschule",
        "Berufsbildende Schule",
        "Hochschule",
        "Volkshochschule",
        "Weitere Erwachsenenbildung",
        "Bibliothek",
        "Musikschule",
        "Jugendzentrum",
        "Familienzentrum",
        "Bildungsberatung",
        "Berufsberatung",
        "Familienberatung",
        "Sprach- und Integrationskurs",
        "Sonstiges non-formales Angebot",
    ],
)
def test_issue_categories_present(label: str) -> None:
    assert label in {c.label_de for c in CATEGORIES.values()}
    assert resolve_category(label) is not None


def test_categories_are_consistent() -> None:
    icons = [c.icon for c in CATEGORIES.values()]
    assert len(set(icons)) == len(icons), "every category needs its own icon"
    assert {g.color for g in GROUPS.values()} <= OKABE_ITO
    assert len({g.color for g in GROUPS.values()}) == len(GROUPS)
    for key, cat in CATEGORIES.items():
        assert key == cat.key and cat.group in GROUPS and cat.color == GROUPS[cat.group].color
        assert cat.target_max_age is None or cat.target_min_age <= cat.target_max_age
        assert cat.target_groups and all(g in AGE_GROUP_BY_KEY for g in cat.target_groups)
        assert cat.label_en and cat.label_de


def test_icons_are_font_awesome_free_solid() -> None:
    if not FA_META.exists():
        pytest.fail(f"{FA_META} missing; run `npm ci` (./run.sh installs it)")
    meta = json.loads(FA_META.read_text(encoding="utf-8"))
    for cat in CATEGORIES.values():
        styles = meta[cat.icon]["familyStylesByLicense"]["free"]
        assert {"family": "classic", "style": "solid"} in styles, cat.icon


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Grundschule Ganztagsschule", "grundschule"),
        ("Schulkindergarten", "grundschule"),
        ("IGS/FWS - SEK I -", "gesamtschule"),
        ("FöS Lernen", "foerderschule"),
        ("Berufsbildende Schule(n)", "berufsschule"),
        ("Städt. KiTa Kunigundenstraße", "kita"),
        ("VHS Unteres Pegnitztal", "volkshochschule"),
        ("Kunigunden Haupt-u. Mittelschule", "hauptschule"),
        ("Stadtbücherei Lauf", "bibliothek"),
        ("Heuchlinger Schule", "schule_sonstige"),
        ("Bäckerei Müller", None),
        ("", None),
    ],
)
def test_category_from_text(text: str, expected: str | None) -> None:
    assert category_from_text(text) == expected


@pytest.mark.parametrize(
    ("value", "provider", "expected"),
    [
        ("government", None, "public"),
        ("religious", None, "church"),
        ("private_non_profit", None, "free"),
        ("private", None, "private"),
        ("kirchlich", None, "church"),
        (None, "Stadt Wolfsburg", "public"),
        (None, "Ev.-luth. Kirchengemeinde", "church"),
        (None, "AWO Kreisverband", "free"),
        (None, "Kinderland GmbH", "private"),
        (None, "Frau Meier", ""),
    ],
)
def test_provider_type(value: str | None, provider: str | None, expected: str) -> None:
    assert provider_type_from(value, provider=provider) == expected
