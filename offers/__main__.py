"""Command line: ``python -m offers import|export ...``.

``python -m offers import <region> <file> [--report report.json] [--user NAME]
[--map field=column ...] [--category KEY] [--source NAME]``
    Import a CSV/XLSX/GeoJSON/GPKG file into the region's store (seeded first). Rows
    without coordinates are geocoded with the region's address index; points outside
    the region (plus 1 km) are rejected. Exit 0 when the file was read, even with
    rejected rows; exit 1 with one line on stderr when it could not be read.
``python -m offers export <region> <file> [--what offers|rejected] [--lang de|en]``
    Write the catalogue or the latest rejected rows to CSV, XLSX or GeoJSON.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.atomic import write_text_atomic
from geo.errors import BildungslandkarteError
from geo.settings import get_paths


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m offers", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="import an offer file into a region's catalogue")
    imp.add_argument("region", help="region slug, e.g. wolfsburg")
    imp.add_argument("file", type=Path)
    imp.add_argument("--report", type=Path, help="write the import report as JSON here")
    imp.add_argument("--user", default=None, help="name kept in the change history")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="column mapping override, e.g. --map name=Bezeichnung (repeatable)",
    )
    imp.add_argument("--category", default=None, help="category key for rows without one")
    imp.add_argument("--source", default=None, help="source name (default: file name)")
    exp = sub.add_parser("export", help="export the catalogue or rejected rows")
    exp.add_argument("region")
    exp.add_argument("file", type=Path, help=".csv, .xlsx or .geojson")
    exp.add_argument("--what", choices=("offers", "rejected"), default="offers")
    exp.add_argument("--lang", choices=("de", "en"), default="de")
    return ap


def _mapping(items: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or not field.strip():
            raise BildungslandkarteError(
                f"--map {item!r}: write FIELD=COLUMN, e.g. --map name=Bezeichnung."
            )
        out[field.strip()] = column.strip()
    return out


def _write_json(path: Path, data: object) -> None:
    # Atomic: a half-written report must not look like a result.
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    paths = get_paths()
    try:
        from geo.build import load_region
        from offers.catalogue import ensure_seeded, import_into_region
        from offers.store import OfferStore

        if args.command == "import":
            mapping = _mapping(args.map)
            if not args.file.is_file():
                raise BildungslandkarteError(f"{args.file}: the file does not exist.")
            region = load_region(args.region, paths=paths)
            report = import_into_region(
                region,
                args.file,
                user=args.user or getpass.getuser(),
                mapping=mapping or None,
                default_category=args.category,
                source=args.source,
                paths=paths,
            )
            data = report.to_dict()
            if args.report:
                _write_json(args.report, data)
            print(
                f"{report.rows_read} rows read: {report.imported} imported "
                f"({report.new} new, {report.updated} updated, {report.unchanged} unchanged), "
                f"{len(report.rejected)} rejected, {report.duplicates_merged} merged as "
                "duplicates."
            )
            return 0
        store = OfferStore(args.region, paths=paths)
        if args.what == "offers" and store.meta("seeded") is None:
            ensure_seeded(load_region(args.region, paths=paths), paths=paths)
        written = store.export(args.file, what=args.what, lang=args.lang)
        print(f"written: {written}")
        return 0
    except BildungslandkarteError as exc:
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
