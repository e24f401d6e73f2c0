"""Every page renders for regions without a street network (Flensburg, Lübeck).

Pages that need travel times say plainly that the region has no street network yet
and how to add one; no page shows a person's name from the source files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.build import load_region
from geo.settings import Paths

pytestmark = pytest.mark.xdist_group("app")

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["start", "find", "coverage", "advice", "data"]
TRAVEL_PAGES = {"find", "coverage", "advice"}


@pytest.fixture(scope="module", params=["flensburg", "luebeck"])
def slug(request: pytest.FixtureRequest, paths: Paths) -> str:
    load_region(request.param, paths=paths)  # built before the app asks for it
    return request.param


def _open(slug: str, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["region"] = slug
    at.run()
    at.switch_page(f"views/pages/{page}.py").run()
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [i.value for i in at.info]
    for frame in at.dataframe:
        parts.append(pd.DataFrame(frame.value).to_csv())
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_a_network(slug: str, page: str, data_root: Path) -> None:
    at = _open(slug, page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="region_switch").value == slug
    notices = [i.value for i in at.info if "kein Straßennetz" in i.value]
    if page in TRAVEL_PAGES:
        assert len(notices) == 1
        assert f"data/regions/{slug}.toml" in notices[0]
        assert f"python -m geo build {slug}" in notices[0]
    else:
        assert notices == []
    if page == "start":
        # the census has no age classes here: no table of zeros, a plain caption
        assert any("keine Altersgruppen" in c.value for c in at.caption)
        assert not any("Altersgruppe" in pd.DataFrame(f.value).columns for f in at.dataframe)
    if slug == "flensburg":
        kitas = json.loads((data_root / "flensburg" / "kitas.geojson").read_text("utf-8"))
        names = {f["properties"].get("director") or "" for f in kitas["features"]}
        shown = _texts(at)
        assert not [n for n in names if len(n) > 5 and n in shown]
