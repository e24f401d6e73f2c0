"""The split of the pins: the app runs on requirements.txt alone.

Every import in the app's packages is read from the source (as the layering test does)
and must not need a package that only ``requirements-dev.txt`` installs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNTIME_DIRS = ("geo", "offers", "monitor", "layers", "views")
#: import name -> pip name, for the dev-only pins whose import name differs
IMPORT_NAMES = {"pytest-xdist": "xdist"}
#: (file, module) pairs that may import a dev-only package: documented helpers for tests
ALLOWED = {("geo/network.py", "networkx")}


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (REPO / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            pkg, _, version = line.partition("==")
            assert version, f"{name}: {line!r} is not pinned with =="
            pins[pkg.strip().lower()] = version.strip()
    return pins


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_dev_requirements_include_the_runtime_and_add_only_new_pins() -> None:
    lines = (REPO / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
    first = next(ln for ln in lines if ln.strip() and not ln.startswith("#"))
    assert first.strip() == "-r requirements.txt"
    assert not set(_pins("requirements.txt")) & set(_pins("requirements-dev.txt"))


def test_the_app_imports_no_dev_only_package() -> None:
    dev_only = {IMPORT_NAMES.get(p, re.sub(r"[-.]", "_", p)) for p in _pins("requirements-dev.txt")}
    files = [REPO / "app.py", *(p for d in RUNTIME_DIRS for p in (REPO / d).rglob("*.py"))]
    assert len(files) > 20, "the scan found too few files"
    bad = sorted(
        (str(f.relative_to(REPO)), m)
        for f in files
        for m in _imports(f) & dev_only
        if (str(f.relative_to(REPO)), m) not in ALLOWED
    )
    assert bad == []
