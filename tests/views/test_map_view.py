"""The map view helpers: a region or a catchment fills the map at the largest zoom."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from views.common import frame_bounds, region_bounds, view_for_bounds


def _pixels(bounds: Any, zoom: int) -> tuple[float, float]:
    (south, west), (north, east) = bounds

    def merc_y(lat: float) -> float:
        rad = math.radians(lat)
        return math.log(math.tan(math.pi / 4 + rad / 2)) / (2 * math.pi)

    world = 256 * 2**zoom
    return (east - west) / 360 * world, (merc_y(north) - merc_y(south)) * world


@settings(max_examples=200, deadline=None)
@given(
    south=st.floats(47.0, 55.0),
    west=st.floats(5.0, 15.0),
    dlat=st.floats(0.0005, 1.5),
    dlon=st.floats(0.0005, 2.0),
)
def test_bounds_fit_at_the_zoom_and_not_one_level_closer(
    south: float, west: float, dlat: float, dlon: float
) -> None:
    bounds = ((south, west), (south + dlat, west + dlon))
    (lat, lon), zoom = view_for_bounds(bounds, width_px=640, height_px=500, max_zoom=30)
    assert south < lat < south + dlat and west < lon < west + dlon
    w, h = _pixels(bounds, zoom)
    assert w <= 640 + 1e-6 and h <= 500 + 1e-6
    w2, h2 = _pixels(bounds, zoom + 1)
    assert w2 > 640 or h2 > 500


def test_zoom_is_capped() -> None:
    _, zoom = view_for_bounds(((52.0, 10.0), (52.0001, 10.0001)), max_zoom=17)
    assert zoom == 17


@pytest.mark.parametrize("name", ["wolfsburg", "lauf"])
def test_region_bounds_hold_the_region(name: str, request: pytest.FixtureRequest) -> None:
    region = request.getfixturevalue(name)
    (south, west), (north, east) = region_bounds(region)
    bx0, by0, bx1, by1 = region.boundary.bounds
    if len(region.districts):
        assert (west, south) <= (bx0 + 0.05, by0 + 0.05)  # districts cover the town
    else:
        assert (west, south, east, north) == pytest.approx((bx0, by0, bx1, by1))
    assert south < north and west < east


def test_frame_bounds_of_nothing_is_none(wolfsburg: Any) -> None:
    assert frame_bounds(None) is None
    assert frame_bounds(wolfsburg.districts.iloc[:0]) is None
    (south, west), (north, east) = frame_bounds(wolfsburg.districts.iloc[:1])
    assert south < north and west < east
