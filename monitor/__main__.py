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
``python -m monitor derive <region> <key> "<formula>" --label TEXT [--unit %]``
    A derived indicator (e.g. ``beneficiaries / residents * 100``), for every period
    where its inputs exist.
``python -m monitor target <region> <indicator> --value V --direction at_least|at_most
--baseline YEAR --deadline YEAR [--area KEY] [--note TEXT]``
    Set a target for the region (default) or one district.
``python -m monitor status <region>``
    The status of every target as JSON (erreicht, auf_kurs, gefaehrdet, verfehlt with
    latest value, slope per year and expected value).
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
    der = sub.add_parser("derive", help="define a derived indicator by a formula")
    der.add_argument("region")
    der.add_argument("key")
    der.add_argument("formula")
    der.add_argument("--label", required=True, help="German label")
    der.add_argument("--label-en", default="")
    der.add_argument("--unit", default="%")
    der.add_argument("--domain", default="Soziale Lage")
    der.add_argument("--polarity", default="neutral")
    der.add_argument("--user", default=None)
    tgt = sub.add_parser("target", help="set a target for an indicator")
    tgt.add_argument("region")
    tgt.add_argument("indicator")
    tgt.add_argument("--value", type=float, required=True)
    tgt.add_argument("--direction", choices=("at_least", "at_most"), required=True)
    tgt.add_argument("--baseline", type=int, required=True, help="baseline year")
    tgt.add_argument("--deadline", type=int, required=True, help="deadline year")
    tgt.add_argument("--area", default=None, help="district key (default: the whole region)")
    tgt.add_argument("--note", default="", help='e.g. "Ratsbeschluss vom 12.03.2025"')
    tgt.add_argument("--user", default=None)
    sta = sub.add_parser("status", help="the status of every target as JSON")
    sta.add_argument("region")
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
        if args.command == "derive":
            from monitor.derived import define_derived

            store = MonitorStore(args.region, paths=paths)
            ind, counts = define_derived(
                store,
                key=args.key,
                formula=args.formula,
                label_de=args.label,
                label_en=args.label_en,
                unit=args.unit,
                domain=args.domain,
                polarity=args.polarity,
                user=args.user or current_user(),
            )
            values = counts.new + counts.updated + counts.unchanged
            print(json.dumps({"indicator": ind.key, "values": values, "new": counts.new}))
            return 0
        if args.command == "target":
            from monitor.targets import Target

            store = MonitorStore(args.region, paths=paths)
            store.indicator(args.indicator)  # an unknown key fails here, with the fix
            target = Target(
                args.indicator,
                args.value,
                args.direction,
                args.baseline,
                args.deadline,
                "region" if args.area in (None, "region") else "district",
                args.area or "region",
                args.note,
            )
            store.set_target(target, user=args.user or current_user())
            print(json.dumps(target.to_dict(), ensure_ascii=False))
            return 0
        if args.command == "status":
            from monitor.targets import statuses

            rows = [s.to_dict() for s in statuses(MonitorStore(args.region, paths=paths))]
            print(json.dumps(rows, ensure_ascii=False))
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
