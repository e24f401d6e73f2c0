"""Settings read from the environment, with defaults that work in a fresh clone.

Environment variables
---------------------
BLK_DATA_ROOT
    Folder with the raw input data (read-only). Default: ``<repo>/../shared/data``.
BLK_WORK_DIR
    Git-ignored working folder for build caches and offer stores.
    Default: ``<repo>/data/cache``. Never inside the data root.
BLK_REGIONS_DIR
    Folder with region manifests. Default: ``<repo>/data/regions``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Store and draw in this CRS.
CRS_STORE = "EPSG:4326"
#: Measure (distances, areas, buffers) in this CRS.
CRS_MEASURE = "EPSG:25832"

MODES: tuple[str, ...] = ("walk", "bike", "drive")


@dataclass(frozen=True)
class Paths:
    """Resolved folders; see the module docstring for the variables."""

    data_root: Path
    work_dir: Path
    regions_dir: Path


def get_paths(
    *,
    data_root: str | Path | None = None,
    work_dir: str | Path | None = None,
    regions_dir: str | Path | None = None,
) -> Paths:
    """Resolve the data root, working folder and manifest folder.

    Explicit arguments win over environment variables, which win over defaults.
    """
    dr = data_root or os.environ.get("BLK_DATA_ROOT") or REPO_ROOT.parent / "shared" / "data"
    wd = work_dir or os.environ.get("BLK_WORK_DIR") or REPO_ROOT / "data" / "cache"
    rd = regions_dir or os.environ.get("BLK_REGIONS_DIR") or REPO_ROOT / "data" / "regions"
    return Paths(Path(dr).resolve(), Path(wd).resolve(), Path(rd).resolve())
