"""The app's in-memory region store (held by st.cache_resource) on the real regions."""

from __future__ import annotations

from typing import Any

from views.common import RegionCache


def test_region_cache_is_bounded_and_loads_built_regions_without_progress(
    wolfsburg: Any, lauf: Any
) -> None:
    cache = RegionCache(maxsize=1)
    calls: list[float] = []
    first = cache.get("wolfsburg", progress=lambda fraction, message: calls.append(fraction))
    assert first.slug == "wolfsburg"
    assert cache.loaded("wolfsburg") is first
    assert cache.get("wolfsburg") is first  # from memory
    assert calls == []  # already built: loaded from the disk cache, no build progress
    other = cache.get("lauf")
    assert other.slug == "lauf"
    assert cache.loaded("wolfsburg") is None  # evicted: at most one region in memory
    assert cache.loaded("lauf") is other
