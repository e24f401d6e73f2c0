"""The offer table contract: columns, dtypes, CRS, and a lossless record round trip."""

from __future__ import annotations

import geopandas as gpd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offers.schema import (
    INT_COLUMNS,
    LIST_COLUMNS,
    OFFER_COLUMNS,
    TEXT_COLUMNS,
    empty_offers,
    frame_to_records,
    normalise_record,
    offer_id,
    records_to_frame,
)
from offers.taxonomy import CATEGORIES


def test_empty_frame() -> None:
    empty = empty_offers()
    assert isinstance(empty, gpd.GeoDataFrame)
    assert list(empty.columns) == list(OFFER_COLUMNS) and len(empty) == 0
    assert empty.crs.to_epsg() == 4326 and empty.index.name == "offer_id"
    for col in INT_COLUMNS:
        assert str(empty[col].dtype) == "Int64"


def test_contract_names() -> None:
    required = [
        "name",
        "category",
        "subtype",
        "age_min",
        "age_max",
        "target_groups",
        "topics",
        "languages",
        "provider",
        "provider_type",
        "street",
        "housenumber",
        "postcode",
        "city",
        "phone",
        "email",
        "website",
        "opening_hours",
        "wheelchair",
        "capacity",
        "free_places",
        "fees",
        "source",
        "source_ref",
        "updated",
        "geometry",
    ]
    assert [c for c in OFFER_COLUMNS if c in required] == required
    assert OFFER_COLUMNS[-1] == "geometry"


@pytest.mark.parametrize(("prefix", "key"), [("imp", "a.csv|id:1"), ("imp", "a.csv|id:2")])
def test_offer_id_is_stable(prefix: str, key: str) -> None:
    assert offer_id(prefix, key) == offer_id(prefix, key)
    assert offer_id(prefix, key).startswith(f"{prefix}-") and len(offer_id(prefix, key)) == 16


_text = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20).map(
    str.strip
)
_record = st.fixed_dictionaries(
    {
        **{c: _text for c in TEXT_COLUMNS if c != "category"},
        "category": st.sampled_from(sorted(CATEGORIES)),
        **{
            c: st.lists(_text.filter(lambda s: s and ";" not in s), max_size=3)
            for c in LIST_COLUMNS
        },
        **{c: st.one_of(st.none(), st.integers(0, 10_000)) for c in INT_COLUMNS},
        "location_score": st.one_of(st.none(), st.floats(0, 1)),
        "lon": st.floats(5.5, 15.5),
        "lat": st.floats(47.0, 55.0),
    }
)


@settings(max_examples=30, deadline=None)
@given(records=st.lists(_record, min_size=0, max_size=6))
def test_round_trip(records: list[dict]) -> None:
    by_id = {f"x-{i}": normalise_record(r) for i, r in enumerate(records)}
    frame = records_to_frame(by_id)
    assert list(frame.index) == list(by_id)
    assert frame_to_records(frame) == by_id
    assert frame_to_records(frame.to_crs("EPSG:25832")).keys() == by_id.keys()
