"""Work done ahead of a click: the coverage page's first view is computed in the background."""

from __future__ import annotations

from typing import Any

import pytest

from tests.views.test_app import PAGES, assert_clean, open_page

pytestmark = pytest.mark.xdist_group("app")


def test_warm_first_view_fills_what_the_page_asks_for(wolfsburg: Any) -> None:
    from geo.access import AccessCache
    from offers.catalogue import load_offers
    from views.common import for_map
    from views.coverage import (
        FIRST_CATEGORY,
        cell_corner_json,
        current_state,
        default_groups,
        district_shapes,
        warm_first_view,
    )

    cache = AccessCache()
    offers = for_map(load_offers(wolfsburg))
    warm_first_view(cache, wolfsburg, offers)
    misses, hits = cache.misses, cache.hits
    assert misses == 4  # outlines, squares, nearest, E2SFCA
    shapes = district_shapes(cache, wolfsburg)
    assert set(shapes) == set(wolfsburg.districts.index)
    assert len(cell_corner_json(cache, wolfsburg)) == len(wolfsburg.cells)
    chosen = offers[offers["category"] == FIRST_CATEGORY]
    groups = default_groups(FIRST_CATEGORY)
    nearest, fca = current_state(
        cache, wolfsburg, chosen, category=FIRST_CATEGORY, mode="walk", groups=groups
    )
    assert len(nearest.cells) == len(wolfsburg.cells)
    assert fca.districts is not None  # the districts and the region total
    assert len(fca.districts) == len(wolfsburg.districts) + 1
    assert (cache.misses, cache.hits) == (misses, hits + 4)


def test_opening_coverage_after_start_computes_nothing_new(wolfsburg: Any) -> None:
    from views.common import _warm_pages, background_pool, get_access_cache
    from views.coverage import analyse

    cache = get_access_cache("wolfsburg")
    cache.clear()
    _warm_pages.clear()
    analyse.clear()
    at = open_page(None)  # the start page starts the warm-up after it is drawn
    assert_clean(at)
    background_pool().submit(lambda: None).result(timeout=120)  # one worker: FIFO
    misses = cache.misses
    assert misses >= 4
    at.switch_page(PAGES["coverage"]).run()
    assert_clean(at)
    assert any(m.value.startswith("Insgesamt erreichen") for m in at.markdown)
    assert cache.misses == misses
