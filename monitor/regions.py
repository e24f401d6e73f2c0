"""A region's districts for the monitor, and the indicator imports its manifest names.

The districts are those of the built region (:func:`geo.build.load_region`), so the
keys match the map. A manifest may name ``[indicators] imports = [...]`` (files or
folders, relative to the data root); :func:`ensure_indicators` imports each of them
once (again when the file changes), like ``[offers] imports``.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from geo.settings import Paths, get_paths
from monitor.areas import AreaMatcher
from monitor.imports import MonitorImportReport, _sha256, import_path
from monitor.store import MonitorStore

SEED_USER = "system"


def matcher_for_region(slug: str, *, paths: Paths | None = None) -> AreaMatcher:
    """An :class:`AreaMatcher` on the built region's districts (name = manifest name)."""
    from geo.build import load_region

    region = load_region(slug, paths=paths or get_paths())
    return AreaMatcher(region.districts, region_name=region.name, region_keys=(slug,))


def manifest_imports(slug: str, *, paths: Paths | None = None) -> list[Path]:
    """The ``[indicators] imports`` of the region's manifest, as absolute paths."""
    from geo.manifest import load_manifest

    paths = paths or get_paths()
    manifest = load_manifest(slug, paths=paths)
    declared = getattr(manifest, "indicator_imports", None)
    if declared is None:
        declared = (manifest.raw.get("indicators") or {}).get("imports", [])
    return [Path(p) if Path(p).is_absolute() else paths.data_root / p for p in declared]


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]


def ensure_indicators(
    slug: str, *, paths: Paths | None = None, matcher: AreaMatcher | None = None
) -> list[MonitorImportReport]:
    """Import the manifest's indicator files that the store has not seen in this version.

    Each file or folder is remembered by its SHA-256 in the store's meta table; an
    unchanged one is skipped, a changed one imported again (values it matches are
    updated, the old ones stay in the history).
    """
    paths = paths or get_paths()
    imports = manifest_imports(slug, paths=paths)
    if not imports:
        return []
    store = MonitorStore(slug, paths=paths)
    reports = []
    for path in imports:
        stamp = _sha256(_files(path))
        if store.meta(f"imported:{path.name}") == stamp:
            continue
        matcher = matcher or matcher_for_region(slug, paths=paths)
        reports.append(import_path(store, path, matcher, user=SEED_USER))
        store.set_meta(f"imported:{path.name}", stamp)
    return reports


def current_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no passwd entry in some containers
        return "cli"
