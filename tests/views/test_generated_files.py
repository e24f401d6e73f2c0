"""Generated files stay in the work folder (BLK_WORK_DIR), never in the code folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.settings import REPO_ROOT, Paths

pytestmark = pytest.mark.xdist_group("app")

APP = str(REPO_ROOT / "app.py")


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.json")} if folder.exists() else set()


def test_basemap_is_written_to_the_work_folder(wolfsburg: Any, paths: Paths) -> None:
    code_folder = REPO_ROOT / "static" / "basemap"
    before = _files(code_folder)
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["region"] = "wolfsburg"
    at.run()
    at.switch_page("views/pages/find.py").run()
    assert not at.exception, [e.value for e in at.exception]
    name = f"wolfsburg-{wolfsburg.info['cache_key']}.json"
    assert name in _files(paths.work_dir / "basemap")
    assert _files(code_folder) == before and name not in before
    # the map fetches it through the component route that serves the work folder
    html = "\n".join(str(getattr(el, "proto", "")) for el in at.get("iframe"))
    html += "\n".join(str(el.proto) for el in at.get("component_instance"))
    assert f"/component/views.common.blk_basemap_files/{name}" in html
