"""The OSM tag mapping on the real Wolfsburg and Lauf POIs and on single tag sets."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo.agegroups import groups_for_ages
from offers.osm import (
    TAG_TABLE,
    WHEELCHAIR_TABLE,
    categorise,
    offer_from_tags,
    offers_from_pois,
    unnamed_label,
)
from offers.schema import OFFER_COLUMNS
from offers.taxonomy import CATEGORIES


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"amenity": "school", "school:de": "Grundschule"}, "grundschule"),
        ({"amenity": "school", "school:de": "Mittelschule"}, "hauptschule"),
        ({"amenity": "school", "school:de": "Integrierte Gesamtschule"}, "gesamtschule"),
        ({"amenity": "school", "school:de": "Förderzentrum"}, "foerderschule"),
        ({"amenity": "school", "isced:level": "1"}, "grundschule"),
        ({"amenity": "school", "grades": "1-4"}, "grundschule"),
        ({"amenity": "school", "name": "VHS Unteres Pegnitztal"}, "volkshochschule"),
        ({"amenity": "school", "name": "Bertleinschule"}, "schule_sonstige"),
        ({"amenity": "kindergarten", "name": "Kinderkrippe Zwergenland"}, "krippe"),
        ({"amenity": "kindergarten"}, "kita"),
        ({"amenity": "college", "name": "Staatliche Berufsschule"}, "berufsschule"),
        ({"amenity": "university"}, "hochschule"),
        ({"amenity": "library"}, "bibliothek"),
        ({"amenity": "music_school"}, "musikschule"),
        ({"amenity": "language_school"}, "sprachkurs"),
        ({"amenity": "community_centre", "community_centre": "youth_centre"}, "jugendzentrum"),
        ({"amenity": "community_centre", "name": "Familienzentrum Mitte"}, "familienzentrum"),
        ({"amenity": "community_centre", "name": "Dorfgemeinschaftshaus"}, "sonstige"),
        ({"amenity": "social_facility", "social_facility:for": "juvenile"}, "jugendzentrum"),
        ({"amenity": "social_facility", "social_facility": "nursing_home"}, None),
        ({"office": "employment_agency"}, "beratung_beruf"),
        ({"amenity": "doctors", "name": "Dr. Schule"}, None),
        # A refinement never leaves the tag's family: no school from a village hall's name.
        (
            {
                "amenity": "community_centre",
                "community_centre": "village_hall",
                "name": "Alte Schule",
            },
            "sonstige",
        ),
        ({"amenity": "kindergarten", "name": "Aktion Vorschule Erziehung e.V"}, "kita"),
        ({"amenity": "kindergarten", "name": "Hort Grußendorf"}, "kita"),
        ({"amenity": "community_centre", "name": "Jugendcafé Grußendorf"}, "jugendzentrum"),
        ({"amenity": "community_centre", "name": "Haus der Jugend"}, "jugendzentrum"),
        ({"amenity": "community_centre", "name": "Mütterzentrum"}, "familienzentrum"),
        (
            {"amenity": "community_centre", "community_centre": "club_home", "name": "Tennisheim"},
            None,
        ),
        (
            {
                "amenity": "community_centre",
                "community_centre": "club_home",
                "name": "Pfadfinderheim Stamm Weiße Rose",
            },
            "jugendzentrum",
        ),
        # amenity=college: the operator says which kind of college it is.
        ({"amenity": "college", "name": "Haus F", "operator": "Ostfalia Hochschule"}, "hochschule"),
        ({"amenity": "college", "name": "Studierenden-Servicebüro, Cafeteria"}, "hochschule"),
        ({"amenity": "college", "name": "Haus F", "operator": "Stadt"}, "berufsschule"),
        ({"amenity": "school", "name": "Haus F", "operator": "Hochschule"}, "schule_sonstige"),
        ({"shop": "bakery"}, None),
    ],
)
def test_categorise(tags: dict[str, str], expected: str | None) -> None:
    assert categorise(tags) == expected


@pytest.mark.parametrize(
    ("category", "tags", "expected"),
    [
        ("kita", {"addr:street": "Krugstraße", "addr:housenumber": "3"}, "Kita, Krugstraße 3"),
        ("schule_sonstige", {"addr:street": "Hauptstraße"}, "Schule, Hauptstraße"),
        ("kita", {"addr:place": "Am Anger", "addr:city": "Lauf"}, "Kita, Am Anger"),
        ("kita", {"addr:city": "Weyhausen"}, "Kita, Weyhausen"),
        ("sonstige", {}, "Einrichtung (ohne Namen)"),
        ("hochschule", {"addr:housenumber": "3"}, "Hochschule (ohne Namen)"),
    ],
)
def test_unnamed_offers_get_a_display_name(
    category: str, tags: dict[str, str], expected: str
) -> None:
    assert unnamed_label(category, tags) == expected
    rec = offer_from_tags({"amenity": "kindergarten", **tags})
    assert rec is not None and rec["name"] == unnamed_label("kita", tags)
    named = offer_from_tags({"amenity": "kindergarten", "name": " Kita Sonne ", **tags})
    assert named is not None and named["name"] == "Kita Sonne"


def test_campus_buildings_follow_the_hochschule_in_the_table() -> None:
    def poi(osm_id: int, name: str, amenity: str) -> dict[str, object]:
        return {
            "osm_type": "node",
            "osm_id": osm_id,
            "name": name,
            "tags": {"amenity": amenity, "name": name},
            "geometry": shapely.Point(10.78 + osm_id / 1000, 52.42),
        }

    rows = [
        poi(1, "Ostfalia Hochschule für angewandte Wissenschaften", "university"),
        poi(2, "Ostfalia Gebäude F", "college"),
        poi(3, "Hansa Gebäude F", "college"),
        poi(4, "Ostfalia BBS", "college"),
    ]
    table = gpd.GeoDataFrame(rows, crs="EPSG:4326")
    got = offers_from_pois(table)["category"].to_dict()
    assert got == {
        "osm-n1": "hochschule",
        "osm-n2": "hochschule",
        "osm-n3": "berufsschule",
        "osm-n4": "berufsschule",  # its own keyword wins over the campus word
    }
    # Without the university in the table nothing changes.
    alone = offers_from_pois(table.iloc[1:])["category"]
    assert (alone == "berufsschule").all()


def test_tag_table_targets_exist() -> None:
    for _key, _value, base, fallback in TAG_TABLE:
        assert base is None or base in CATEGORIES
        assert fallback is None or fallback in CATEGORIES


@pytest.mark.parametrize(
    ("tags", "field", "expected"),
    [
        ({"amenity": "school", "grades": "5-10"}, "age_min", 10),
        ({"amenity": "school", "grades": "5-10"}, "age_max", 16),
        ({"amenity": "school", "operator:type": "religious"}, "provider_type", "church"),
        ({"amenity": "kindergarten", "operator": "AWO"}, "provider_type", "free"),
        ({"amenity": "kindergarten", "capacity": "45"}, "capacity", 45),
        ({"amenity": "kindergarten", "capacity": "ca. 45"}, "capacity", None),
        ({"amenity": "library", "wheelchair": "limited"}, "wheelchair", "limited"),
        ({"amenity": "library", "wheelchair": "bumpy"}, "wheelchair", ""),
        (
            {"amenity": "library", "opening_hours": "Mo 10:00-12:00"},
            "opening_hours",
            "Mo 10:00-12:00",
        ),
        ({"amenity": "library", "fee": "no"}, "fees", "kostenlos"),
        (
            {"amenity": "language_school", "language:ar": "yes", "language:de": "yes"},
            "languages",
            ["ar", "de"],
        ),
        ({"amenity": "library", "contact:phone": "+49 1"}, "phone", "+49 1"),
    ],
)
def test_offer_fields(tags: dict[str, str], field: str, expected: object) -> None:
    rec = offer_from_tags(tags)
    assert rec is not None
    assert rec[field] == expected


def _check_table(offers: gpd.GeoDataFrame, pois: gpd.GeoDataFrame) -> None:
    assert list(offers.columns) == list(OFFER_COLUMNS)
    assert offers.crs.to_epsg() == 4326
    assert offers.index.name == "offer_id" and offers.index.is_unique
    assert offers.index.str.fullmatch(r"osm-[nwr]\d+").all()
    assert offers["category"].isin(list(CATEGORIES)).all()
    assert (offers.geometry.geom_type == "Point").all()
    for rec in offers[["age_min", "age_max", "target_groups"]].to_dict("records"):
        hi = (
            None if rec["age_max"] is None or str(rec["age_max"]) == "<NA>" else int(rec["age_max"])
        )
        assert tuple(rec["target_groups"]) == groups_for_ages(int(rec["age_min"]), hi)
    # Every school and kindergarten POI becomes an offer; nothing outside the table does.
    amenity = pois["tags"].map(lambda t: t.get("amenity"))
    edu = pois[amenity.isin(["school", "kindergarten", "library", "music_school"])]
    ids = {f"osm-{t[0]}{i}" for t, i in zip(edu["osm_type"], edu["osm_id"], strict=True)}
    assert ids <= set(offers.index)
    other = pois[amenity.isin(["doctors", "pharmacy", "bank", "fuel"])]
    other_ids = {f"osm-{t[0]}{i}" for t, i in zip(other["osm_type"], other["osm_id"], strict=True)}
    assert not other_ids & set(offers.index)


def test_wolfsburg_pois(wolfsburg_pois: gpd.GeoDataFrame) -> None:
    offers = offers_from_pois(wolfsburg_pois, updated="2026-05")
    _check_table(offers, wolfsburg_pois)
    amenity = wolfsburg_pois["tags"].map(lambda t: t.get("amenity"))
    kg = wolfsburg_pois[amenity == "kindergarten"]
    kg_ids = [f"osm-{t[0]}{i}" for t, i in zip(kg["osm_type"], kg["osm_id"], strict=True)]
    groups = offers.loc[kg_ids, "category"].map(lambda c: CATEGORIES[c].group)
    # A kindergarten may be refined (Familienzentrum, Krippe) but never leaves its family.
    assert groups.isin(["fruehe_bildung", "jugend_familie"]).all()
    assert (groups == "fruehe_bildung").mean() > 0.9
    # Village and parish halls are no schools, whatever their name ("Alte Schule").
    cc = wolfsburg_pois["tags"].map(lambda t: t.get("community_centre"))
    halls = wolfsburg_pois[cc.isin(["village_hall", "parish_hall"])]
    hall_ids = [f"osm-{t[0]}{i}" for t, i in zip(halls["osm_type"], halls["osm_id"], strict=True)]
    assert len(hall_ids) >= 4
    assert (offers.loc[hall_ids, "category"] == "sonstige").all()
    # Club homes (tennis, sports, landlords' association) are offers only by their name.
    clubs = wolfsburg_pois[cc == "club_home"]
    club_ids = {f"osm-{t[0]}{i}" for t, i in zip(clubs["osm_type"], clubs["osm_id"], strict=True)}
    kept = offers.loc[sorted(club_ids & set(offers.index)), "category"]
    assert len(club_ids) >= 8 and kept.tolist() == ["jugendzentrum"]  # the scouts' home
    # Unnamed offers carry category and street; "(ohne Namen)" only without an address.
    unnamed = offers["name"].str.endswith("(ohne Namen)")
    assert (offers.loc[unnamed, "street"] == "").all()
    assert (offers.loc[unnamed, "city"] == "").all()
    named_by_address = [
        oid
        for oid, rec in offers.iterrows()
        if rec["street"]
        and rec["name"].endswith(f", {rec['street']} {rec['housenumber']}".rstrip())
    ]
    assert len(named_by_address) >= 3
    assert offers["name"].str.strip().ne("").all()
    assert (offers["updated"] != "").all()
    # The mapping keeps the point (ways are represented by one point).
    poi_geom = dict(
        zip(
            [
                f"osm-{t[0]}{i}"
                for t, i in zip(wolfsburg_pois["osm_type"], wolfsburg_pois["osm_id"], strict=True)
            ],
            wolfsburg_pois.geometry,
            strict=True,
        )
    )
    for oid, geom in offers.geometry.items():
        assert shapely.equals_exact(geom, poi_geom[oid], tolerance=1e-7)


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Christoph-Jacob-Treu-Gymnasium", "gymnasium"),
        ("Kunigunden Haupt-u. Mittelschule", "hauptschule"),
        ("VHS Unteres Pegnitztal", "volkshochschule"),
        ("Sonderpädagogisches Förderzentrum Lauf", "foerderschule"),
        ("Staatliche Berufsschule Nürnberger Land", "berufsschule"),
        ("Städt. KiTa Kunigundenstraße", "kita"),
        ("Stadtbücherei Lauf", "bibliothek"),
        ("Aktion Vorschule Erziehung e.V", "kita"),
    ],
)
def test_lauf_pois(lauf_pois: gpd.GeoDataFrame, name: str, category: str) -> None:
    offers = offers_from_pois(lauf_pois)
    _check_table(offers, lauf_pois)
    row = offers[offers["name"] == name]
    assert len(row) == 1
    assert row["category"].iloc[0] == category
    poi = lauf_pois[lauf_pois["name"] == name].iloc[0]
    assert row["wheelchair"].iloc[0] == WHEELCHAIR_TABLE.get(poi["tags"].get("wheelchair"), "")
    assert row["source_ref"].iloc[0] == f"{poi['osm_type']}/{poi['osm_id']}"


@pytest.mark.parametrize(
    ("name", "category"),
    [
        # campus buildings of the Ostfalia Hochschule, tagged amenity=college
        ("Studierenden-Servicebüro, Cafeteria, Hörsaalgebäude", "hochschule"),
        ("Ostfalia Gebäude F", "hochschule"),
        ("Ostfalia  Gebäude E", "hochschule"),
        ("Ostfalia Atelier Material + Technisches Design", "hochschule"),
        ("BBS Anne-Marie Tausch", "berufsschule"),
        ("Berufsbildende Schulen II", "berufsschule"),
        ("Volkshochschule Wolfsburg", "volkshochschule"),
        ("Alte Schule", "sonstige"),
        ("Jugendcafé Grußendorf", "jugendzentrum"),
        ("Haus der Jugend", "jugendzentrum"),
        ("Mütterzentrum", "familienzentrum"),
        ("Hort Grußendorf", "kita"),
        ("Grundschule Weyhausen", "grundschule"),
    ],
)
def test_wolfsburg_categories_by_name(
    wolfsburg_pois: gpd.GeoDataFrame, name: str, category: str
) -> None:
    offers = offers_from_pois(wolfsburg_pois)
    row = offers[offers["name"] == name]
    assert len(row) == 1, name
    assert row["category"].iloc[0] == category
    if category == "hochschule":  # re-labelled campus buildings get the Hochschule's ages
        assert row["age_min"].iloc[0] == CATEGORIES["hochschule"].target_min_age
        assert row["subtype"].iloc[0] == CATEGORIES["hochschule"].label_de


def test_input_index_and_crs_are_respected(lauf_pois: gpd.GeoDataFrame) -> None:
    projected = lauf_pois.to_crs("EPSG:25832")
    a = offers_from_pois(lauf_pois)
    b = offers_from_pois(projected)
    assert list(a.index) == list(b.index)
    for ga, gb in zip(a.geometry, b.geometry, strict=True):
        assert shapely.equals_exact(ga, gb, tolerance=1e-7)
    assert len(offers_from_pois(lauf_pois.iloc[0:0])) == 0
