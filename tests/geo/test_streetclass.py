"""The one street-class table (geo.streetclass), shared by the build and the basemap."""

from __future__ import annotations

import pytest

from geo.streetclass import HIGHWAY_CLASS, NOT_DRAWN, STREET_CLASSES, street_class


@pytest.mark.parametrize(
    ("highway", "cls"),
    [
        ("motorway", "motorway"),
        ("tertiary", "secondary"),
        ("residential", "minor"),
        ("footway", "path"),
        (" Living_Street ", "minor"),
        ("road", "minor"),  # routable but unusual: drawn as a minor street, as the build does
        ("construction", None),
        ("", None),
        (None, None),
    ],
)
def test_street_class(highway: str | None, cls: str | None) -> None:
    assert street_class(highway) == cls


def test_not_drawn_are_the_ways_no_network_routes() -> None:
    # the build draws network segments: a class of NOT_DRAWN would hide a routed street
    from geo.netbuild import _NEVER

    assert NOT_DRAWN <= _NEVER


def test_every_listed_highway_has_a_known_class() -> None:
    assert set(HIGHWAY_CLASS.values()) == set(STREET_CLASSES)
    assert not set(HIGHWAY_CLASS) & NOT_DRAWN
