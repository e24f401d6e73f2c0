"""Package boundaries: geo/, offers/, monitor/ and layers/ are pure (no UI), and lower
packages do not import higher ones (geo < offers < monitor < layers < views)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from geo.settings import REPO_ROOT

#: package -> top-level modules it must not import
FORBIDDEN: dict[str, set[str]] = {
    "geo": {"streamlit", "streamlit_folium", "offers", "monitor", "layers", "views", "app"},
    "offers": {"streamlit", "streamlit_folium", "monitor", "layers", "views", "app"},
    "monitor": {"streamlit", "streamlit_folium", "layers", "views", "app"},
    "layers": {"streamlit", "streamlit_folium", "views", "app"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):  # also the imports inside functions
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_stay_below_it(package: str) -> None:
    files = sorted((REPO_ROOT / package).rglob("*.py"))
    assert len(files) >= 5
    ui = {"streamlit", "streamlit_folium", "views", "app"}
    # A command line (__main__) may report with a higher package (geo info counts offers).
    bad = {
        str(f.relative_to(REPO_ROOT)): sorted(
            _imports(f) & (ui if f.name == "__main__.py" else FORBIDDEN[package])
        )
        for f in files
    }
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_scan_sees_function_level_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from streamlit_folium import st_folium\n", encoding="utf-8")
    assert _imports(probe) == {"streamlit_folium"}


def test_importing_the_pure_packages_loads_no_streamlit() -> None:
    code = (
        "import sys, geo.build, geo.access, offers.store, offers.catalogue, monitor.store, "
        "monitor.imports, monitor.snapshot, monitor.need, layers.offers, "
        "layers.handout, layers.basemap; print('streamlit' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.strip() == "False"
