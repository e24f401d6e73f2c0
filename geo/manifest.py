"""Region manifests: small TOML files in ``data/regions/<slug>.toml``.

A manifest names the input files of a region (relative to the data root) and its
settings. Unknown keys are errors with a did-you-mean hint, so a typo never
silently drops an input.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import ManifestError, RegionNotFoundError
from geo.settings import Paths, get_paths

_TOP_KEYS = {
    "slug",
    "name",
    "state",
    "default",
    "network",
    "pois",
    "census",
    "districts",
    "offers",
    "speeds",
    "sources",
}
_SECTION_KEYS: dict[str, set[str]] = {
    "network": {"lines", "osm"},
    "pois": {"file", "from_osm"},
    "census": {"files"},
    "districts": {"file", "name_column", "key_column", "from_osm", "admin_levels"},
    "offers": {"imports"},
    "speeds": {"walk_kmh", "bike_kmh", "drive_default_kmh"},
}
_SOURCE_KEYS = {"file", "title", "date", "attribution"}


@dataclass(frozen=True)
class Source:
    """One input file with its title, data date and attribution text."""

    path: Path
    title: str
    date: str
    attribution: str


@dataclass(frozen=True)
class Manifest:
    """A validated region manifest with absolute input paths.

    All paths point into the data root and are checked to exist.
    """

    slug: str
    name: str
    state: str
    manifest_path: Path
    data_root: Path
    is_default: bool = False
    network_lines: tuple[Path, ...] = ()
    osm_file: Path | None = None
    pois_file: Path | None = None
    pois_from_osm: bool = False
    census_files: tuple[Path, ...] = ()
    districts_file: Path | None = None
    districts_name_column: str = "name"
    districts_key_column: str | None = None
    districts_from_osm: bool = False
    districts_admin_levels: tuple[int, ...] = (9, 10)
    offer_imports: tuple[Path, ...] = ()
    walk_kmh: float = 4.5
    bike_kmh: float = 15.0
    drive_default_kmh: float = 50.0
    sources: tuple[Source, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def input_files(self) -> list[Path]:
        """Every input file of the region, for cache keys."""
        files = [*self.network_lines, *self.census_files, *self.offer_imports]
        for p in (self.osm_file, self.pois_file, self.districts_file):
            if p is not None:
                files.append(p)
        return sorted(set(files))


def _check_keys(found: dict[str, Any], allowed: set[str], where: str, path: Path) -> None:
    for key in found:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else f"allowed keys: {', '.join(sorted(allowed))}."
            )
            raise ManifestError(
                f"unknown key in {where}.", path=path, field=key, hint=f"Rename it; {hint}"
            )


def _resolve(rel: Any, *, key: str, path: Path, data_root: Path) -> Path:
    if not isinstance(rel, str) or not rel:
        raise ManifestError(
            "expected a file path (a string relative to the data root).",
            path=path,
            field=key,
            hint='Write it like "wolfsburg/roads.geojson".',
        )
    full = (data_root / rel).resolve()
    if not full.exists():
        raise ManifestError(
            f"input file {full} does not exist.",
            path=path,
            field=key,
            hint=f"Check the spelling, or set BLK_DATA_ROOT (now {data_root}).",
        )
    return full


def list_regions(*, paths: Paths | None = None) -> list[str]:
    """Slugs of all manifests in the regions folder, the default first."""
    paths = paths or get_paths()
    slugs = sorted(p.stem for p in paths.regions_dir.glob("*.toml"))
    default = default_region(paths=paths)
    return [default, *[s for s in slugs if s != default]] if default in slugs else slugs


def default_region(*, paths: Paths | None = None) -> str:
    """The slug of the manifest marked ``default = true`` (else the first by name)."""
    paths = paths or get_paths()
    slugs = sorted(p.stem for p in paths.regions_dir.glob("*.toml"))
    for slug in slugs:
        with open(paths.regions_dir / f"{slug}.toml", "rb") as fh:
            if tomllib.load(fh).get("default") is True:
                return slug
    if not slugs:
        raise RegionNotFoundError(f"no region manifests in {paths.regions_dir}")
    return slugs[0]


def load_manifest(slug_or_path: str | Path, *, paths: Paths | None = None) -> Manifest:
    """Read and validate a manifest.

    Parameters
    ----------
    slug_or_path : str or Path
        A region slug (``"wolfsburg"``) or the path of a ``.toml`` file.
    paths : Paths, optional
        Folders to use; defaults to :func:`geo.settings.get_paths`.

    Raises
    ------
    RegionNotFoundError
        No manifest with that slug.
    ManifestError
        Invalid TOML, unknown keys, missing or non-existent files.
    """
    paths = paths or get_paths()
    candidate = Path(slug_or_path)
    if candidate.suffix == ".toml":
        path = candidate.resolve()
    else:
        path = paths.regions_dir / f"{slug_or_path}.toml"
    if not path.exists():
        known = sorted(p.stem for p in paths.regions_dir.glob("*.toml"))
        close = difflib.get_close_matches(str(slug_or_path), known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise RegionNotFoundError(
            f"no region manifest {path}. Known regions: {', '.join(known) or 'none'}.{hint}"
        )
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(
            f"not valid TOML ({exc}).", path=path, hint="Fix the syntax at the line given."
        ) from exc

    _check_keys(raw, _TOP_KEYS, "the manifest", path)
    for section, allowed in _SECTION_KEYS.items():
        value = raw.get(section, {})
        if not isinstance(value, dict):
            raise ManifestError(
                "expected a table.", path=path, field=section, hint=f"Write it as [{section}]."
            )
        _check_keys(value, allowed, f"[{section}]", path)
    for i, src in enumerate(raw.get("sources", [])):
        _check_keys(src, _SOURCE_KEYS, f"[[sources]] #{i + 1}", path)

    slug = raw.get("slug", path.stem)
    if slug != path.stem:
        raise ManifestError(
            f"slug {slug!r} differs from the file name {path.stem!r}.",
            path=path,
            field="slug",
            hint="Make them equal.",
        )
    root = paths.data_root
    net = raw.get("network", {})
    if not net.get("lines") and not net.get("osm"):
        raise ManifestError(
            "a region needs a street network.",
            path=path,
            field="network",
            hint='Add network.osm = "<file>.osm.pbf" or network.lines = ["roads.geojson"].',
        )

    def res(rel: Any, key: str) -> Path:
        return _resolve(rel, key=key, path=path, data_root=root)

    lines = tuple(res(p, "network.lines") for p in net.get("lines", []))
    osm = res(net["osm"], "network.osm") if net.get("osm") else None
    pois = raw.get("pois", {})
    districts = raw.get("districts", {})
    census = raw.get("census", {})
    speeds = raw.get("speeds", {})
    for key, value in speeds.items():
        if not isinstance(value, int | float) or value <= 0:
            raise ManifestError(
                "speed must be a positive number in km/h.",
                path=path,
                field=f"speeds.{key}",
                hint="Write e.g. 4.5.",
            )
    if pois.get("from_osm") and osm is None:
        raise ManifestError(
            "pois.from_osm needs network.osm.",
            path=path,
            field="pois.from_osm",
            hint="Name a pois.file instead.",
        )
    if districts.get("from_osm") and osm is None:
        raise ManifestError(
            "districts.from_osm needs network.osm.",
            path=path,
            field="districts.from_osm",
            hint="Name a districts.file instead.",
        )
    sources = tuple(
        Source(
            path=res(s.get("file"), "sources.file"),
            title=str(s.get("title", "")),
            date=str(s.get("date", "")),
            attribution=str(s.get("attribution", "")),
        )
        for s in raw.get("sources", [])
    )
    return Manifest(
        slug=slug,
        name=str(raw.get("name", slug)),
        state=str(raw.get("state", "")),
        manifest_path=path,
        data_root=root,
        is_default=bool(raw.get("default", False)),
        network_lines=lines,
        osm_file=osm,
        pois_file=res(pois["file"], "pois.file") if pois.get("file") else None,
        pois_from_osm=bool(pois.get("from_osm", False)),
        census_files=tuple(res(p, "census.files") for p in census.get("files", [])),
        districts_file=res(districts["file"], "districts.file") if districts.get("file") else None,
        districts_name_column=str(districts.get("name_column", "name")),
        districts_key_column=districts.get("key_column"),
        districts_from_osm=bool(districts.get("from_osm", False)),
        districts_admin_levels=tuple(int(x) for x in districts.get("admin_levels", (9, 10))),
        offer_imports=tuple(
            res(p, "offers.imports") for p in raw.get("offers", {}).get("imports", [])
        ),
        walk_kmh=float(speeds.get("walk_kmh", 4.5)),
        bike_kmh=float(speeds.get("bike_kmh", 15.0)),
        drive_default_kmh=float(speeds.get("drive_default_kmh", 50.0)),
        sources=sources,
        raw=raw,
    )
