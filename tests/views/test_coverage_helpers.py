"""Small pure helpers of the coverage page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from views.coverage import cell_rows


def test_cell_rows_finds_positions_in_any_order() -> None:
    cells = pd.DataFrame({"pop_total": [1, 2, 3]}, index=["a", "b", "c"])
    np.testing.assert_array_equal(cell_rows(cells, pd.Index(["c", "a"])), [2, 0])


def test_cell_rows_refuses_unknown_cells() -> None:
    cells = pd.DataFrame({"pop_total": [1, 2]}, index=["a", "b"])
    with pytest.raises(ValueError, match=r"not in the region's cells: \['x'\]"):
        cell_rows(cells, pd.Index(["a", "x"]))
