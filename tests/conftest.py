"""Shared fixtures: the real regions from ../shared/data, built once and cached."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.settings import Paths, get_paths


@pytest.fixture(scope="session")
def paths() -> Paths:
    """Default folders (BLK_DATA_ROOT / BLK_WORK_DIR respected)."""
    p = get_paths()
    if not p.data_root.exists():
        pytest.fail(f"real data missing: {p.data_root} (set BLK_DATA_ROOT)")
    return p


@pytest.fixture(scope="session")
def data_root(paths: Paths) -> Path:
    return paths.data_root


@pytest.fixture(scope="session")
def wolfsburg(paths: Paths):
    """The built Wolfsburg region (built on first use, then loaded from cache)."""
    from geo.build import load_region

    return load_region("wolfsburg", paths=paths)


@pytest.fixture(scope="session")
def lauf(paths: Paths):
    """The built Lauf an der Pegnitz region."""
    from geo.build import load_region

    return load_region("lauf", paths=paths)
