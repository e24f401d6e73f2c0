"""The one table of basemap street classes, shared by the region build and the map.

The build (:mod:`geo.build`) stores the basemap's streets with a class, and
:mod:`layers.basemap` classes network segments when a region has no stored streets;
both use :func:`street_class`, so a street looks the same either way.
"""

from __future__ import annotations

#: Street classes from widest to narrowest (the basemap draws them in this order).
STREET_CLASSES: tuple[str, ...] = ("motorway", "primary", "secondary", "minor", "path")

#: OSM ``highway`` -> street class. Values not listed are ``"minor"`` (a usable way
#: of an unusual kind, e.g. ``road`` or ``busway``) unless listed in :data:`NOT_DRAWN`.
HIGHWAY_CLASS: dict[str, str] = {
    **dict.fromkeys(["motorway", "motorway_link", "trunk", "trunk_link"], "motorway"),
    **dict.fromkeys(["primary", "primary_link"], "primary"),
    **dict.fromkeys(["secondary", "secondary_link", "tertiary", "tertiary_link"], "secondary"),
    **dict.fromkeys(["unclassified", "residential", "living_street", "service"], "minor"),
    **dict.fromkeys(
        ["pedestrian", "footway", "path", "steps", "cycleway", "track", "bridleway"], "path"
    ),
}

#: ``highway`` values that are no way on the ground (planned, gone, indoor, rails).
NOT_DRAWN: frozenset[str] = frozenset(
    {
        "construction",
        "proposed",
        "planned",
        "abandoned",
        "disused",
        "razed",
        "platform",
        "raceway",
        "bus_guideway",
        "escape",
        "elevator",
        "corridor",
        "via_ferrata",
    }
)


def street_class(highway: object) -> str | None:
    """Basemap class of an OSM ``highway`` value; ``None`` for no drawable way.

    Parameters
    ----------
    highway : object
        The tag value (case and surrounding spaces ignored); missing values and
        :data:`NOT_DRAWN` give ``None``, unlisted others ``"minor"``.

    Returns
    -------
    str or None
        One of :data:`STREET_CLASSES`, or ``None``.
    """
    if highway is None or highway != highway:  # None or NaN
        return None
    key = str(highway).strip().lower()
    if not key or key in NOT_DRAWN:
        return None
    return HIGHWAY_CLASS.get(key, "minor")
