"""Command line: ``python -m monitor import|export|snapshot|report ...``.

``python -m monitor import <region> <path> --report r.json [--indicator KEY] [--period P]``
    Import a CSV, XLSX or folder of tables into the region's indicator store. Exit 0
    when the file could be read (even with rejected values), 1 with one line on stderr
    when it could not.
``python -m monitor export <region> --out FILE``
    ``.csv``: the long table ``area_key, area_name, level, indicator, period, value,
    status, unit`` (one row per stored value, region totals with level ``region``);
    ``.xlsx``/``.geojson``: open data with definitions and sources.
``python -m monitor snapshot <region> [--as-of YYYY-MM-DD]``
    Compute the offer indicators (coverage, median minutes, E2SFCA, offers per 1,000,
    Versorgungsquote) and store them with their input versions.
``python -m monitor report <region> --out FILE.pdf [--lang de]``
    The Bildungsbericht (built by ``layers.report.build_report``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.atomic import write_text_atomic
from geo.errors import BildungslandkarteError
from geo.settings import get_paths


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m monitor", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="import indicator values (CSV, XLSX, folder)")
    imp.add_argument("region", help="region slug, e.g. flensburg")
    imp.add_argument("path", type=Path)
    imp.add_argument("--report", type=Path, help="write the import report as JSON here")
    imp.add_argument("--indicator", default=None, help="indicator of a table of areas × years")
    imp.add_argument("--period", default=None, help="period of a table without period column")
    imp.add_argument("--user", default=None, help="name kept in the history")
    imp.add_argument("--source", default=None, help="source name (default: the file name)")
    imp.add_argument(
        "--empty",
        choices=("missing", "suppressed"),
        default=None,
        help="status of empty cells (default missing; suppressed for files that say so)",
    )
    imp.add_argument("--domain", default=None, help="domain of the file's indicators")
    imp.add_argument("--unit", default=None, help="unit of the file's indicators")
    imp.add_argument(
        "--polarity", choices=("higher_better", "higher_worse", "neutral"), default=None
    )
    exp = sub.add_parser("export", help="export every stored value")
    exp.add_argument("region")
    exp.add_argument("--out", type=Path, required=True, help=".csv, .xlsx or .geojson")
    snap = sub.add_parser("snapshot", help="compute and store the offer indicators")
    snap.add_argument("region")
    snap.add_argument("--as-of", default=None, help="offer catalogue as of YYYY-MM-DD")
    snap.add_argument("--user", default=None)
    rep = sub.add_parser("report", help="the Bildungsbericht as PDF")
    rep.add_argument("region")
    rep.add_argument("--out", type=Path, required=True)
    rep.add_argument("--lang", choices=("de", "en"), default="de")
    return ap


def _write_json(path: Path, data: object) -> None:
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    paths = get_paths()
    try:
        from monitor.regions import current_user, ensure_indicators, matcher_for_region
        from monitor.store import MonitorStore

        if args.command == "import":
            from monitor.imports import ImportOptions, import_path

            matcher = matcher_for_region(args.region, paths=paths)
            store = MonitorStore(args.region, paths=paths)
            report = import_path(
                store,
                args.path,
                matcher,
                user=args.user or current_user(),
                options=ImportOptions(
                    indicator=args.indicator,
                    period=args.period,
                    source=args.source,
                    empty_status=args.empty,
                    domain=args.domain,
                    unit=args.unit,
                    polarity=args.polarity,
                ),
            )
            data = report.to_dict()
            if args.report:
                _write_json(args.report, data)
            summary = {k: data[k] for k in ("rows_read", "values_read", "values_stored")}
            summary |= {k: data[k] for k in ("new", "updated", "unchanged", "suppressed")}
            summary["rejected"] = len(report.rejected)
            summary["unmatched_areas"] = len(report.unmatched_areas)
            summary["region_total_values"] = report.region_total_values
            print(json.dumps(summary, ensure_ascii=False))
            return 0
        if args.command == "export":
            from monitor.export import export_values

            ensure_indicators(args.region, paths=paths)
            store = MonitorStore(args.region, paths=paths)
            districts = None
            if args.out.suffix.lower() in (".geojson", ".json"):
                from geo.build import load_region

                districts = load_region(args.region, paths=paths).districts
            out = export_values(store, args.out, districts=districts)
            print(json.dumps({"out": str(out), "values": len(store.values())}))
            return 0
        if args.command == "snapshot":
            from monitor.snapshot import snapshot

            ensure_indicators(args.region, paths=paths)
            result = snapshot(
                args.region, as_of=args.as_of, paths=paths, user=args.user or current_user()
            )
            print(json.dumps(result.summary(), ensure_ascii=False))
            return 0
        if args.command == "report":
            try:
                module = importlib.import_module("layers.report")
            except ModuleNotFoundError:
                print(
                    "error: the Bildungsbericht needs layers.report, which this installation "
                    "lacks.",
                    file=sys.stderr,
                )
                return 1
            ensure_indicators(args.region, paths=paths)
            out = module.build_report(args.region, out=args.out, lang=args.lang)
            print(json.dumps({"out": str(out)}))
            return 0
    except BildungslandkarteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 2  # pragma: no cover (argparse enforces the subcommands)


if __name__ == "__main__":
    sys.exit(main())
