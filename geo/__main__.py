"""Command line: ``python -m geo build|info|list|sites|overlap``.

``build <slug>`` builds (or loads) a region with a progress bar on stderr;
``info <slug> [--json]`` prints its facts (one JSON object with ``--json``);
``list`` prints the region slugs, the default first; ``sites`` and ``overlap`` answer
planning questions (:mod:`geo.plan`). Errors print one line to stderr
and exit with status 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from collections.abc import Sequence
from typing import Any

from geo.errors import BildungslandkarteError
from geo.region import Region


def _bar(fraction: float, message: str) -> None:
    width = 30
    done = round(max(0.0, min(1.0, fraction)) * width)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {fraction * 100:3.0f}% {message:<40}")
    if fraction >= 1.0:
        sys.stderr.write("\n")
    sys.stderr.flush()


def region_facts(region: Region) -> dict[str, Any]:
    """The facts ``info --json`` prints: counts per mode, offers per category and more.

    ``offers`` counts the region's offer catalogue per category
    (:func:`offers.catalogue.load_offers`, which seeds the store from the POIs and the
    manifest's ``offers.imports`` on first use). ``indicators`` is the number of values
    in the region's indicator store (:mod:`monitor`), 0 with ``indicators_note`` while
    that package is not available. ``has_network`` is False (with ``network_note``) for
    a region without streets; ``repaired`` names repaired district polygons.
    """
    info = region.info
    facts: dict[str, Any] = {
        "slug": region.slug,
        "name": region.name,
        "has_network": region.has_network,
        "nodes": info.get("nodes", {}),
        "edges": info.get("edges", {}),
        "offers": {},
        "districts": info.get("districts", 0),
        "subdistricts": info.get("subdistricts", 0),
        "indicators": 0,
        "repaired": info.get("repaired", {}),
        "population_total": info.get("population_total", 0.0),
        "population_in_region": info.get("population_in_region"),
        "cells": info.get("cells", 0),
        "addresses": info.get("addresses", 0),
        "pois": info.get("pois", 0),
        "dropped": info.get("dropped", {}),
        "census": info.get("census", {}),
        "build_seconds": info.get("build_seconds"),
        "cache_key": info.get("cache_key"),
        "age_groups_estimated": info.get("age_groups_estimated", {}),
        "sources": info.get("sources", []),
    }
    for key in ("oneway_note", "districts_note", "network_note", "pending"):
        if key in info:
            facts[key] = info[key]
    from offers.catalogue import load_offers

    offers = load_offers(region)
    counts = offers["category"].value_counts() if len(offers) else {}
    facts["offers"] = {str(k): int(v) for k, v in sorted(dict(counts).items())}
    facts["indicators"], note = _indicator_count(region)
    if note:
        facts["indicators_note"] = note
    return facts


def _indicator_count(region: Region) -> tuple[int, str | None]:
    """Stored indicator values of the region, and why there are none where that applies.

    Like the offers, the manifest's ``[indicators] imports`` are loaded on first use
    (:func:`monitor.regions.ensure_indicators`); a file the monitor refuses is named in
    the note and the values stored so far are counted.
    """
    try:
        from monitor.regions import ensure_indicators
        from monitor.store import count_values
    except ImportError as exc:
        return 0, f"the monitor package is not available ({exc}): indicators are not counted"
    note = None
    try:
        ensure_indicators(region.slug)
    except BildungslandkarteError as exc:
        note = f"indicator imports failed: {exc}"
    return int(count_values(region.slug)), note


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="build a region (or load it if cached)")
    p_build.add_argument("slug")
    p_build.add_argument("--force", action="store_true", help="rebuild even if cached")
    p_info = sub.add_parser("info", help="print a region's facts")
    p_info.add_argument("slug")
    p_info.add_argument("--json", action="store_true", help="one JSON object on stdout")
    sub.add_parser("list", help="list region slugs (default first)")
    _add_plan_commands(sub)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _run(args)
    except (BildungslandkarteError, OSError) as exc:
        # OSError: a full disk or an unwritable work dir, which the user can fix too.
        sys.stderr.write(f"\nerror: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return 1


def _run(args: argparse.Namespace) -> int:
    from geo.build import build_region, load_region
    from geo.manifest import list_regions, load_manifest
    from geo.settings import get_paths

    paths = get_paths()
    if args.command in ("sites", "overlap"):
        return _run_plan(args, paths)
    if args.command == "list":
        for slug in list_regions(paths=paths):
            print(slug)
        return 0
    if args.command == "build":
        started = time.perf_counter()
        if args.force:
            region = build_region(load_manifest(args.slug, paths=paths), paths=paths, progress=_bar)
        else:
            region = load_region(args.slug, paths=paths, progress=_bar)
        seconds = time.perf_counter() - started
        info = region.info
        nodes = info.get("nodes") or {}
        network = (
            f"walk {nodes['walk']} nodes, bike {nodes['bike']}, drive {nodes['drive']}"
            if region.has_network
            else "no street network"
        )
        print(
            f"{region.name}: {network}; {info.get('cells', 0)} cells,"
            f" {info.get('districts', 0)} districts, {info.get('addresses', 0)} addresses"
            f" ({seconds:.1f} s; built in {info.get('build_seconds')} s;"
            f" cache {info.get('cache_key')})"
        )
        return 0
    region = load_region(args.slug, paths=paths, progress=_bar if sys.stderr.isatty() else None)
    facts = region_facts(region)
    if args.json:
        print(json.dumps(facts, ensure_ascii=False, default=str))
    else:
        for key, value in facts.items():
            print(f"{key}: {value}")
    return 0


def _add_plan_commands(sub: Any) -> None:
    """``sites`` and ``overlap`` (issue 11, planning decisions)."""
    for name, text in (
        ("sites", "propose k new sites that cover the most target population"),
        ("overlap", "duplicate structures: redundancy, essentiality, utilisation, pairs"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("slug")
        p.add_argument("--category", required=True, help="category or group key, e.g. kita")
        p.add_argument("--mode", choices=("walk", "bike", "drive"), default="walk")
        p.add_argument(
            "--minutes",
            type=float,
            default=None,
            help="threshold (walking: minutes at the profile's speed); default the norm",
        )
        p.add_argument(
            "--profile",
            choices=("adult", "child", "senior"),
            default=None,
            help="walking-speed profile (default: the target group's)",
        )
        p.add_argument("--json", action="store_true", help="one JSON object on stdout")
        if name == "sites":
            p.add_argument("--k", type=int, required=True, help="number of new sites")
            p.add_argument("--capacity", type=float, default=None, help="places per new site")
            p.add_argument("--method", choices=("greedy", "exact"), default="greedy")
            p.add_argument("--time-limit", type=float, default=None, help="exact: seconds")
            p.add_argument("--candidates", default=None, help="CSV/GeoJSON of candidate sites")
            p.add_argument(
                "--need",
                choices=("none", "census"),
                default="none",
                help="weight the demand by need (census: Zensus 2011 cell attributes)",
            )
        else:
            p.add_argument("--level", type=float, default=0.5, help="list pairs from this overlap")


def _json_value(value: Any) -> Any:
    """NaN/inf -> null, numpy scalars -> Python (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _run_plan(args: argparse.Namespace, paths: Any) -> int:
    from geo import plan
    from geo.build import load_region
    from geo.norms import NormStore
    from offers.catalogue import load_offers
    from offers.planning import plan_setting

    region = load_region(args.slug, paths=paths, progress=_bar if sys.stderr.isatty() else None)
    store = NormStore(args.slug, paths=paths)
    setting = plan_setting(
        region,
        load_offers(region, paths=paths),
        category=args.category,
        mode=args.mode,
        minutes=args.minutes,
        profile=args.profile,
        norms=tuple(store.norms()),
        speeds=store.speeds(),
    )
    head: dict[str, Any] = {
        "region": args.slug,
        "category": args.category,
        "mode": args.mode,
        "minutes": setting.minutes,
        "threshold_network_min": setting.threshold_min,
        "profile": setting.speed.key,
        "speed_kmh": setting.speed.kmh,
        "norm_source": None if setting.norm is None else setting.norm.source,
    }
    if args.command == "overlap":
        started = time.perf_counter()
        result = plan.overlap_analysis(
            setting.existing,
            setting.demand,
            capacity=setting.offers["capacity"],
            providers=setting.offers["provider"],
            level=args.level,
        )
        names = setting.offers["name"]
        out = {
            **head,
            "level": result.level,
            "utilisation_method": result.utilisation_method,
            "covered_people": result.covered_people,
            "target_population": result.target_population,
            "offers": [
                {
                    "offer_id": str(oid),
                    "name": names.get(oid),
                    "provider": row.provider,
                    "catchment_people": row.catchment_people,
                    "redundancy": row.redundancy,
                    "essential_people": row.essential_people,
                    "utilisation": row.utilisation,
                    "capacity": row.capacity,
                    "partner": row.partner,
                    "partner_share": row.partner_share,
                    "duplicate_rank": row.duplicate_rank,
                }
                for oid, row in result.offers.sort_values("duplicate_rank").iterrows()
            ],
            "pairs": result.pairs.to_dict(orient="records"),
            "skipped": result.skipped["reason"].to_dict(),
            "seconds": time.perf_counter() - started,
        }
    else:
        if args.candidates:
            points = plan.read_candidates(args.candidates)
        else:
            points = plan.candidate_cells(region.cells, mode=args.mode)
        cand = plan.reach_matrix(
            setting.router, points, region.cells, threshold_min=setting.threshold_min
        )
        demand, people = setting.demand, None
        if args.need == "census":
            from geo import need

            weights = need.weights_from_census(
                region.cells,
                need.read_census_attributes(need.census_attribute_path(args.slug, paths=paths)),
            )
            demand = setting.demand * weights.weights.to_numpy(float)
            people = setting.demand
        result = plan.propose_sites(
            setting.existing,
            cand,
            demand,
            people=people,
            k=args.k,
            method=args.method,
            capacity=args.capacity,
            existing_capacity=setting.offers["capacity"],
            candidate_points=points,
            cells=region.cells,
            districts=region.districts,
            time_limit_s=args.time_limit,
        )
        assert isinstance(result, plan.SiteResult)
        out = {**head, **result.as_dict(), "candidates": len(cand.ids)}
    out = _json_value(out)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, allow_nan=False))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
