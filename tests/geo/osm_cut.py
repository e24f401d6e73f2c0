"""Test helper: cut a small piece out of the Lauf extract and write it in any OSM format."""

from __future__ import annotations

from pathlib import Path

import osmium

LAUF_PBF = "lauf/lauf-an-der-pegnitz-2020-01-15.osm.pbf"
#: A piece of central Lauf (min lon, min lat, max lon, max lat), EPSG:4326.
CENTRE_BBOX: tuple[float, float, float, float] = (11.275, 49.505, 11.29, 49.515)


def _inside(loc: osmium.osm.Location, bbox: tuple[float, float, float, float]) -> bool:
    return loc.valid() and bbox[0] <= loc.lon <= bbox[2] and bbox[1] <= loc.lat <= bbox[3]


def write_osm_cut(
    src: Path,
    dst: Path,
    *,
    bbox: tuple[float, float, float, float] = CENTRE_BBOX,
    complete_ways: bool = False,
) -> dict[str, int]:
    """Write the highway ways touching ``bbox`` and the nodes inside it to ``dst``.

    Nodes outside the box are left out, so ways that cross its edge reference
    missing nodes, like a real extract clipped at a bounding box; with
    ``complete_ways`` every node of the chosen ways is kept (present in the source).
    The format follows the suffix of ``dst`` (``.osm``, ``.osm.gz``, ``.osm.bz2``, ``.osm.pbf``).

    Returns
    -------
    dict
        ``ways`` written and ``ways_cut`` (ways with at least one node left out).
    """
    way_ids: set[int] = set()
    nodes_inside: set[int] = set()
    refs: set[int] = set()
    ways_cut = 0
    for obj in osmium.FileProcessor(str(src), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if obj.is_node():
            if _inside(obj.location, bbox):
                nodes_inside.add(obj.id)
        elif "highway" in obj.tags:
            inside = [_inside(n.location, bbox) for n in obj.nodes]
            if any(inside):
                way_ids.add(obj.id)
                refs.update(n.ref for n in obj.nodes)
                ways_cut += not all(inside) and not complete_ways
    dst.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(dst)) as writer:
        for obj in osmium.FileProcessor(str(src), osmium.osm.NODE | osmium.osm.WAY):
            if obj.is_node() and obj.id in refs and (complete_ways or obj.id in nodes_inside):
                writer.add_node(obj)
            elif obj.is_way() and obj.id in way_ids:
                writer.add_way(obj)
    return {"ways": len(way_ids), "ways_cut": ways_cut}


def copy_osm(src: Path, dst: Path) -> None:
    """Write every node, way and relation of ``src`` to ``dst`` (format from its suffix)."""
    dst.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(dst)) as writer:
        for obj in osmium.FileProcessor(str(src)):
            if obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
            elif obj.is_relation():
                writer.add_relation(obj)
