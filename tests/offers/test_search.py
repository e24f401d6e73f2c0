"""Search filters, fuzzy text, ranking by travel time and counsellor matching."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from offers.hours import open_status
from offers.osm import offers_from_pois
from offers.search import (
    match_profile,
    rank_by_travel,
    search_offers,
    text_score,
    text_scores,
)
from offers.taxonomy import CATEGORIES


@pytest.fixture(scope="module")
def offers(wolfsburg_pois: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return offers_from_pois(wolfsburg_pois)


def test_filters_keep_index_and_are_subsets(offers: gpd.GeoDataFrame) -> None:
    schools = search_offers(offers, categories=["schule"])
    assert (
        len(schools) and schools["category"].map(lambda c: CATEGORIES[c].group).eq("schule").all()
    )
    assert set(schools.index) <= set(offers.index)
    kitas = search_offers(offers, categories=["kita", "krippe"])
    assert set(kitas["category"]) <= {"kita", "krippe"}
    assert len(search_offers(offers)) == len(offers)


@pytest.mark.parametrize("age", [1, 7, 12, 40])
def test_age_filter(offers: gpd.GeoDataFrame, age: int) -> None:
    hit = search_offers(offers, age=age)
    lo = hit["age_min"].to_numpy(dtype="float64", na_value=0.0)
    hi = hit["age_max"].to_numpy(dtype="float64", na_value=np.inf)
    assert ((lo <= age) & (age <= hi)).all()
    missed = offers.drop(index=hit.index)
    lo = missed["age_min"].to_numpy(dtype="float64", na_value=0.0)
    hi = missed["age_max"].to_numpy(dtype="float64", na_value=np.inf)
    assert not ((lo <= age) & (age <= hi)).any()


def test_wheelchair_and_provider(offers: gpd.GeoDataFrame) -> None:
    yes = search_offers(offers, wheelchair="yes")
    some = search_offers(offers, wheelchair=True)
    assert (yes["wheelchair"] == "yes").all() and set(yes.index) <= set(some.index)
    assert set(some["wheelchair"]) <= {"yes", "limited"}
    public = search_offers(offers, provider_types=["public"])
    assert (public["provider_type"] == "public").all()


def test_open_at(offers: gpd.GeoDataFrame) -> None:
    tuesday_10 = dt.datetime(2026, 11, 24, 10, 0)
    sunday_3 = dt.datetime(2026, 11, 29, 3, 0)
    open_day = search_offers(offers, open_at=tuesday_10)
    open_night = search_offers(offers, open_at=sunday_3)
    assert len(open_night) < len(open_day)
    for found, when in ((open_day, tuesday_10), (open_night, sunday_3)):
        # closed offers are left out; unknown hours stay, flagged, instead of vanishing
        want = offers["opening_hours"].map(lambda h, when=when: open_status(h, when))
        assert found.index.equals(want.index[want != "closed"])
        assert found["open_status"].tolist() == want[want != "closed"].tolist()
    known = open_night[open_night["open_status"] == "open"]
    assert (known["opening_hours"] == "24/7").all()
    assert (open_night["open_status"] == "unknown").any()
    assert "open_status" not in search_offers(offers).columns


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Grundschle Rühen", "Grundschule Rühen"),  # typo
        ("muehlenbergschule", "Mühlenbergschule"),  # umlaut spelled out
        ("Muhlenbergschule", "Mühlenbergschule"),  # umlaut dropped
        ("käferschule", "Grundschule Käferschule"),
    ],
)
def test_text_search(offers: gpd.GeoDataFrame, query: str, expected: str) -> None:
    hit = search_offers(offers, text=query)
    assert expected in hit["name"].head(3).tolist()
    assert hit["text_score"].is_monotonic_decreasing


@pytest.mark.parametrize("query", ["Grundschle Rühen", "kita", "muehlenberg", "", "zzz qqq"])
def test_text_scores_agree_with_single(offers: gpd.GeoDataFrame, query: str) -> None:
    names = offers["name"].tolist()
    bulk = text_scores(query, names)
    single = np.array([text_score(query, n) for n in names])
    assert np.allclose(bulk, single)


def test_text_score_bounds() -> None:
    assert text_score("kita", "Kita Sonnenschein") == 100
    assert text_score("xyzzy", "Kita Sonnenschein") < 50
    assert text_score("", "anything") == 100


def test_topics_and_languages(offers: gpd.GeoDataFrame) -> None:
    small = offers.head(4).copy()
    small["topics"] = [["Musik", "Tanz"], ["Lesen"], [], ["musik"]]
    small["languages"] = [["ar", "de"], ["tr"], [], ["de"]]
    assert list(search_offers(small, topics=["MUSIK"]).index) == [small.index[0], small.index[3]]
    assert list(search_offers(small, languages=["Arabisch"]).index) == [small.index[0]]
    assert list(search_offers(small, languages=["turkish", "ar"]).index) == list(small.index[:2])


def test_rank_by_travel(offers: gpd.GeoDataFrame) -> None:
    rng = np.random.default_rng(7)
    seconds = pd.Series(rng.uniform(60, 3600, len(offers)), index=offers.index)
    unreachable = offers.index[:5]
    seconds[unreachable] = np.inf
    origin = (10.7865, 52.4231)
    ranked = rank_by_travel(offers, seconds, origin=origin)
    assert set(ranked.index) == set(offers.index)
    reach = ranked[ranked["seconds"].notna()]
    assert reach["seconds"].is_monotonic_increasing
    assert set(ranked.index[-5:]) == set(unreachable)
    assert np.allclose(reach["minutes"], np.round(reach["seconds"] / 60, 1))
    pts = offers.geometry.to_crs("EPSG:25832")
    o = gpd.GeoSeries.from_xy([origin[0]], [origin[1]], crs="EPSG:4326").to_crs("EPSG:25832")[0]
    expected = pts.distance(o).round(0)
    assert np.allclose(ranked["distance_m"], expected.loc[ranked.index])
    limited = rank_by_travel(offers, seconds, max_minutes=20)
    assert (limited["minutes"] <= 20).all() and len(limited) < len(offers)


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:25832"])
def test_rank_by_travel_measures_any_geometry_in_its_crs(
    offers: gpd.GeoDataFrame, crs: str
) -> None:
    from shapely.geometry import Point

    few = offers.iloc[:4].copy()
    square = few.geometry.iloc[1].buffer(0.001, cap_style="square")
    few["geometry"] = [few.geometry.iloc[0], square, None, Point()]
    seconds = pd.Series([300.0, 120.0, 60.0, np.nan], index=few.index)
    origin = (10.7865, 52.4231)
    ranked = rank_by_travel(few.to_crs(crs), seconds, origin=origin)
    assert list(ranked.index) == [few.index[i] for i in (2, 1, 0, 3)]
    o = gpd.GeoSeries.from_xy([origin[0]], [origin[1]], crs="EPSG:4326").to_crs("EPSG:25832")[0]
    # a polygon is measured from a point inside it; no geometry has no distance
    inside = gpd.GeoSeries([square.centroid], crs="EPSG:4326").to_crs("EPSG:25832")[0]
    first = few.geometry.iloc[[0]].to_crs("EPSG:25832").iloc[0]
    assert ranked.at[few.index[0], "distance_m"] == pytest.approx(round(first.distance(o)), abs=1)
    assert ranked.at[few.index[1], "distance_m"] == pytest.approx(inside.distance(o), abs=2)
    assert ranked.loc[[few.index[2], few.index[3]], "distance_m"].isna().all()


def test_match_profile_reasons(offers: gpd.GeoDataFrame) -> None:
    pool = offers[offers["category"] == "sonstige"].head(3).copy()
    pool["age_min"] = pd.array([0, 0, 30], dtype="Int64")
    pool["age_max"] = pd.array([None, None, 40], dtype="Int64")
    pool["languages"] = [["ar"], ["de"], ["ar"]]
    pool["free_places"] = pd.array([4, 0, 2], dtype="Int64")
    pool["topics"] = [["Deutsch lernen"], ["Deutsch lernen", "Beruf"], []]
    pool["wheelchair"] = ["yes", "no", "yes"]
    a, b, c = pool.index
    seconds = {a: 14 * 60, b: 5 * 60, c: 2 * 60}
    result = match_profile(
        pool,
        age=16,
        topics=["Deutsch lernen"],
        languages=["Arabisch"],
        wheelchair=False,
        seconds_by_offer=seconds,
        budget_min=30,
        mode="bike",
    )
    assert list(result.index) == [a, b]  # c: age 30-40 does not fit
    assert (
        result.loc[a, "reasons_de"] == "14 min mit dem Rad, freie Plätze, Deutsch lernen, Arabisch"
    )
    assert result.loc[a, "reasons_en"] == "14 min by bike, free places, Deutsch lernen, Arabic"
    assert "keine freien Plätze" in result.loc[b, "reasons_de"]
    assert result["score"].is_monotonic_decreasing
    wheel = match_profile(pool, age=16, wheelchair=True, seconds_by_offer=seconds, budget_min=30)
    assert b not in wheel.index and "rollstuhlgerecht" in wheel.loc[a, "reasons_de"]
    tight = match_profile(pool, age=16, seconds_by_offer=seconds, budget_min=10)
    assert list(tight.index) == [b]
    none = match_profile(pool, age=16, seconds_by_offer=seconds, budget_min=1)
    assert none.empty and list(none.columns) == list(result.columns)
