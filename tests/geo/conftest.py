"""Fixtures shared by the geo tests (the regions themselves come from tests/conftest.py)."""

from __future__ import annotations

import pytest

from geo.routing import Router


@pytest.fixture(scope="session")
def walk(wolfsburg) -> Router:
    """A prepared router on Wolfsburg's walk network (EPSG:25832)."""
    return Router(wolfsburg.networks["walk"])
