"""Pure helpers of the find page (no Streamlit run needed)."""

from __future__ import annotations

from typing import Any

import pytest

from views.find import BUDGETS_MIN, band_minutes


@pytest.mark.parametrize("budget", BUDGETS_MIN)
def test_bands_end_at_the_budget_and_stay_few(budget: int) -> None:
    bands = band_minutes(budget)
    assert bands[-1] == budget
    assert 1 <= len(bands) <= 4
    assert list(bands) == sorted(set(bands))
    assert all(b > 0 for b in bands)


def test_drawn_bands_are_kept_per_language_zoom_and_start(wolfsburg: Any) -> None:
    from geo.access import AccessCache
    from views.find import drawn_bands

    cache = AccessCache()
    start = (10.7950, 52.4300)

    def draw(origin: tuple[float, float], *, zoom: int, language: str) -> list[dict[str, Any]]:
        bands = cache.isochrones(
            wolfsburg.networks["walk"],
            origin,
            region_key=wolfsburg.info.get("cache_key"),
            minutes=band_minutes(10),
            cells=wolfsburg.cells,
        )
        return drawn_bands(
            cache,
            wolfsburg,
            bands,
            mode="walk",
            origin=origin,
            budget_min=10,
            zoom=zoom,
            language=language,
        )

    de = draw(start, zoom=15, language="de")
    assert draw(start, zoom=15, language="de") is de  # kept, not drawn again
    en = draw(start, zoom=15, language="en")
    # the same outlines, but each language's tooltips: no shared key
    assert [f["geometry"] for f in en] == [f["geometry"] for f in de]
    assert [f["properties"]["tip"] for f in en] != [f["properties"]["tip"] for f in de]
    coarse = draw(start, zoom=12, language="de")
    assert [f["geometry"] for f in coarse] != [f["geometry"] for f in de]
    elsewhere = draw((10.7865, 52.4227), zoom=15, language="de")
    assert [f["geometry"] for f in elsewhere] != [f["geometry"] for f in de]
