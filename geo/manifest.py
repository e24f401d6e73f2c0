"""Region manifests: small TOML files in ``data/regions/<slug>.toml``.

A manifest names the input files of a region (relative to the data root) and its
settings. Unknown keys are errors with a did-you-mean hint, so a typo never
silently drops an input.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
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
    "subdistricts",
    "addresses",
    "offers",
    "indicators",
    "speeds",
    "sources",
}
_SECTION_KEYS: dict[str, set[str]] = {
    "network": {"lines", "osm"},
    "pois": {"file", "from_osm"},
    "census": {"files"},
    "districts": {"file", "name_column", "key_column", "label", "from_osm", "admin_levels"},
    "subdistricts": {"file", "name_column", "key_column", "parent_column", "label"},
    "addresses": {"files"},
    "offers": {"imports"},
    "indicators": {"imports"},
    "speeds": {"walk_kmh", "bike_kmh", "drive_default_kmh"},
}
#: Plausible speeds (km/h): outside these a typo or unit mix-up is far likelier than a
#: real setting (``walk_kmh = 45`` meant 4.5, ``1e-300`` makes every trip take forever).
SPEED_RANGES_KMH: dict[str, tuple[float, float]] = {
    "walk_kmh": (1.0, 10.0),
    "bike_kmh": (3.0, 45.0),
    "drive_default_kmh": (5.0, 130.0),
}
#: OSM admin levels that can hold municipal districts.
ADMIN_LEVELS = range(2, 12)
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

    All paths point into the data root and are checked to exist. Only districts or a
    street network are required: a region without ``[network]`` has no travel times
    (``has_network`` is False), and one with only ``[districts]`` (and optionally
    ``[indicators]``) serves indicator monitoring alone. ``offer_import_categories``
    gives the default category of an offer import and ``offer_import_mappings`` its
    column mapping (``{file = ..., category = "kita", mapping = {capacity = "Plätze"}}``);
    ``indicator_imports`` are files or folders for :mod:`monitor`, loaded on first use.
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
    addresses_files: tuple[Path, ...] = ()
    districts_file: Path | None = None
    districts_name_column: str = "name"
    districts_key_column: str | None = None
    districts_label: str = ""
    districts_from_osm: bool = False
    districts_admin_levels: tuple[int, ...] = (9, 10)
    subdistricts_file: Path | None = None
    subdistricts_name_column: str = "name"
    subdistricts_key_column: str | None = None
    subdistricts_parent_column: str | None = None
    subdistricts_label: str = ""
    offer_imports: tuple[Path, ...] = ()
    offer_import_categories: Mapping[Path, str] = field(default_factory=dict, compare=False)
    offer_import_mappings: Mapping[Path, Mapping[str, str]] = field(
        default_factory=dict, compare=False
    )
    indicator_imports: tuple[Path, ...] = ()
    walk_kmh: float = 4.5
    bike_kmh: float = 15.0
    drive_default_kmh: float = 50.0
    sources: tuple[Source, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def has_network(self) -> bool:
        """Whether the manifest names a street network (travel times need one)."""
        return bool(self.network_lines) or self.osm_file is not None

    def input_files(self) -> list[Path]:
        """Every input file the region build reads, for cache keys.

        Indicator imports are not built into the region (the monitor store loads
        them), so they are not part of the key.
        """
        files = [
            *self.network_lines,
            *self.census_files,
            *self.addresses_files,
            *self.offer_imports,
        ]
        for p in (self.osm_file, self.pois_file, self.districts_file, self.subdistricts_file):
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


def _resolve(rel: Any, *, key: str, path: Path, data_root: Path, folder_ok: bool = False) -> Path:
    """The absolute path of a manifest entry, checked to lie in the data root and exist.

    Messages name the entry, never the file's content.
    """
    if not isinstance(rel, str) or not rel:
        raise ManifestError(
            "expected a file path (a string relative to the data root).",
            path=path,
            field=key,
            hint='Write it like "wolfsburg/roads.geojson".',
        )
    full = (data_root / rel).resolve()
    if not full.is_relative_to(data_root):
        # "/etc/passwd" or "../../x": inputs come from the data root only, so a
        # manifest cannot make the app read (and show) any other file.
        raise ManifestError(
            f"the path {rel!r} leads outside the data root {data_root}.",
            path=path,
            field=key,
            hint="Give a path relative to the data root (BLK_DATA_ROOT), without '..'.",
        )
    if not full.exists():
        raise ManifestError(
            f"input file {full} does not exist.",
            path=path,
            field=key,
            hint=f"Check the spelling, or set BLK_DATA_ROOT (now {data_root}).",
        )
    if full.is_dir() and not folder_ok:
        raise ManifestError(
            f"{full} is a folder, not a file.",
            path=path,
            field=key,
            hint='Name the file inside it, e.g. "wolfsburg/roads.geojson".',
        )
    return full


def _check_speeds(speeds: dict[str, Any], path: Path) -> None:
    for key, value in speeds.items():
        lo, hi = SPEED_RANGES_KMH[key]
        # bool is an int in Python: ``walk_kmh = true`` must not become 1 km/h
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or not lo <= value <= hi:
            shown = repr(value) if ok or isinstance(value, bool) else type(value).__name__
            raise ManifestError(
                f"speed {shown} is not a number of km/h between {lo:g} and {hi:g}.",
                path=path,
                field=f"speeds.{key}",
                hint=f"Write a plain number, e.g. {key} = {(lo + hi) / 4:g}.",
            )


def _text_option(value: Any, *, key: str, path: Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ManifestError(
            f"expected a column name (text), got {type(value).__name__}.",
            path=path,
            field=key,
            hint=f'Write it like {key.split(".")[-1]} = "name".',
        )
    return value


def _admin_levels(value: Any, *, path: Path) -> tuple[int, ...]:
    items = value if isinstance(value, list) else [value]
    levels = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int) or item not in ADMIN_LEVELS:
            raise ManifestError(
                "admin levels must be whole numbers from 2 to 11.",
                path=path,
                field="districts.admin_levels",
                hint="Write e.g. admin_levels = [9, 10] (Stadtbezirke and Stadtteile).",
            )
        levels.append(item)
    return tuple(levels)


def _path_list(value: Any, *, key: str, path: Path) -> list[Any]:
    if not isinstance(value, list):
        raise ManifestError(
            "expected a list of paths.", path=path, field=key, hint=f'Write {key} = ["a.csv"].'
        )
    return value


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
    default = raw.get("default", False)
    if not isinstance(default, bool):
        raise ManifestError(
            f"default must be true or false, not a {type(default).__name__}.",
            path=path,
            field="default",
            hint="Write default = true (without quotes) for the one default region.",
        )
    net = raw.get("network", {})
    districts = raw.get("districts", {})
    subdistricts = raw.get("subdistricts", {})
    census = raw.get("census", {})
    pois = raw.get("pois", {})
    if not net and not districts:
        raise ManifestError(
            "a region needs a street network or districts.",
            path=path,
            field="network",
            hint='Add network.osm = "<file>.osm.pbf" or network.lines = ["roads.geojson"], '
            'or (for a region used for monitoring only) districts.file = "<file>.geojson".',
        )
    if net and not net.get("lines") and not net.get("osm"):
        raise ManifestError(
            "[network] names no input.",
            path=path,
            field="network",
            hint='Add network.osm = "<file>.osm.pbf" or network.lines = ["roads.geojson"], '
            "or remove the empty [network] table for a region without streets.",
        )
    if subdistricts and not districts.get("file"):
        raise ManifestError(
            "[subdistricts] needs [districts] with a file.",
            path=path,
            field="subdistricts",
            hint="Name the upper level in districts.file.",
        )

    def res(rel: Any, key: str, *, folder_ok: bool = False) -> Path:
        return _resolve(rel, key=key, path=path, data_root=root, folder_ok=folder_ok)

    lines = tuple(
        res(p, "network.lines")
        for p in _path_list(net.get("lines", []), key="network.lines", path=path)
    )
    osm = res(net["osm"], "network.osm") if net.get("osm") else None
    speeds = raw.get("speeds", {})
    _check_speeds(speeds, path)
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
    offer_imports: list[Path] = []
    offer_categories: dict[Path, str] = {}
    offer_mappings: dict[Path, dict[str, str]] = {}
    for item in _path_list(
        raw.get("offers", {}).get("imports", []), key="offers.imports", path=path
    ):
        if isinstance(item, dict):
            _check_keys(item, {"file", "category", "mapping"}, "an entry of offers.imports", path)
            file = res(item.get("file"), "offers.imports")
            mapping = item.get("mapping", {})
            if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
            ):
                raise ManifestError(
                    "expected a table of field = column names.",
                    path=path,
                    field="offers.imports.mapping",
                    hint='Write mapping = { capacity = "Schüler" }.',
                )
            if mapping:
                offer_mappings[file] = dict(mapping)
            category = item.get("category")
            if category is not None:
                offer_categories[file] = (
                    _text_option(category, key="offers.imports.category", path=path) or ""
                )
        else:
            file = res(item, "offers.imports")
        offer_imports.append(file)
    indicator_imports = tuple(
        res(p, "indicators.imports", folder_ok=True)
        for p in _path_list(
            raw.get("indicators", {}).get("imports", []), key="indicators.imports", path=path
        )
    )
    sources = tuple(
        Source(
            path=res(s.get("file"), "sources.file", folder_ok=True),
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
        is_default=default,
        network_lines=lines,
        osm_file=osm,
        pois_file=res(pois["file"], "pois.file") if pois.get("file") else None,
        pois_from_osm=bool(pois.get("from_osm", False)),
        census_files=tuple(
            res(p, "census.files")
            for p in _path_list(census.get("files", []), key="census.files", path=path)
        ),
        addresses_files=tuple(
            res(p, "addresses.files")
            for p in _path_list(
                raw.get("addresses", {}).get("files", []), key="addresses.files", path=path
            )
        ),
        districts_file=res(districts["file"], "districts.file") if districts.get("file") else None,
        districts_name_column=_text_option(
            districts.get("name_column", "name"), key="districts.name_column", path=path
        )
        or "name",
        districts_key_column=_text_option(
            districts.get("key_column"), key="districts.key_column", path=path
        ),
        districts_label=str(districts.get("label", "")),
        districts_from_osm=bool(districts.get("from_osm", False)),
        districts_admin_levels=_admin_levels(districts.get("admin_levels", [9, 10]), path=path),
        subdistricts_file=(
            res(subdistricts["file"], "subdistricts.file") if subdistricts.get("file") else None
        ),
        subdistricts_name_column=_text_option(
            subdistricts.get("name_column", "name"), key="subdistricts.name_column", path=path
        )
        or "name",
        subdistricts_key_column=_text_option(
            subdistricts.get("key_column"), key="subdistricts.key_column", path=path
        ),
        subdistricts_parent_column=_text_option(
            subdistricts.get("parent_column"), key="subdistricts.parent_column", path=path
        ),
        subdistricts_label=str(subdistricts.get("label", "")),
        offer_imports=tuple(offer_imports),
        offer_import_categories=offer_categories,
        offer_import_mappings=offer_mappings,
        indicator_imports=indicator_imports,
        walk_kmh=float(speeds.get("walk_kmh", 4.5)),
        bike_kmh=float(speeds.get("bike_kmh", 15.0)),
        drive_default_kmh=float(speeds.get("drive_default_kmh", 50.0)),
        sources=sources,
        raw=raw,
    )
