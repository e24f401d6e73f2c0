"""Small pure helpers of the coverage page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.errors import OutOfReachError
from views.coverage import _refused_index, cell_rows


def test_cell_rows_finds_positions_in_any_order() -> None:
    cells = pd.DataFrame({"pop_total": [1, 2, 3]}, index=["a", "b", "c"])
    np.testing.assert_array_equal(cell_rows(cells, pd.Index(["c", "a"])), [2, 0])


def test_cell_rows_refuses_unknown_cells() -> None:
    cells = pd.DataFrame({"pop_total": [1, 2]}, index=["a", "b"])
    with pytest.raises(ValueError, match=r"not in the region's cells: \['x'\]"):
        cell_rows(cells, pd.Index(["a", "x"]))


@pytest.mark.parametrize(
    "offer_id, n_added, want",
    [("geplant-2", 3, 1), ("geplant-1", 3, 0), ("geplant-9", 3, 2), (None, 2, 1)],
)
def test_refused_index_reads_the_errors_offer_id(offer_id, n_added: int, want: int) -> None:
    # the message names another offer on purpose: only the attribute counts
    exc = OutOfReachError("the new offer 'geplant-3' cannot be reached", offer_id=offer_id)
    assert _refused_index(exc, n_added) == want
