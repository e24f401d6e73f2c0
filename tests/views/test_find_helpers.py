"""Pure helpers of the find page (no Streamlit run needed)."""

from __future__ import annotations

import pytest

from views.find import BUDGETS_MIN, band_minutes


@pytest.mark.parametrize("budget", BUDGETS_MIN)
def test_bands_end_at_the_budget_and_stay_few(budget: int) -> None:
    bands = band_minutes(budget)
    assert bands[-1] == budget
    assert 1 <= len(bands) <= 4
    assert list(bands) == sorted(set(bands))
    assert all(b > 0 for b in bands)
