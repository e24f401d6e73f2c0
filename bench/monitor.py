"""Benchmark of the indicator monitor (issue 10), each figure against a baseline in the same run.

Usage::

    python bench/monitor.py                 # both measurements
    python bench/monitor.py --skip-snapshot # only the Sozialatlas import

Every measurement runs in a fresh Python process (``--one NAME``), in a temporary work
dir whose ``regions`` folder links to the built regions (no rebuild is timed):

* ``read_baseline``: ``pandas.read_csv`` of every table of the Flensburg Sozialatlas
  folder (the least an import must do);
* ``import``: ``monitor.imports.import_path`` of the same folder into a fresh store
  (labels from tabellen/spalten, area matching, number parsing, history, one
  transaction). Issue target: ≤ 5 s.
* ``access_baseline``: the bare :mod:`geo.access` calls a Wolfsburg snapshot makes
  (``nearest_offer``, ``coverage``, ``e2sfca`` for every target category × walk, bike,
  drive), without storing anything;
* ``snapshot``: ``monitor.snapshot.snapshot("wolfsburg", region=...)`` on the same loaded
  region (the same computations plus offer counts, rates, reading the catalogue and
  writing every value with its history). Issue target: ≤ 20 s
  on 2 cores.

Wall and CPU seconds are reported (the machine may be shared: CPU shows the work).
Prints one JSON line and writes ``bench/results/monitor.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _timed(fn) -> dict[str, float]:  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    extra = fn() or {}
    return {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
        **extra,
    }


def one(name: str) -> dict[str, float]:
    from geo.settings import get_paths

    paths = get_paths()
    folder = paths.data_root / "flensburg" / "sozialatlas"
    if name == "read_baseline":
        import pandas as pd

        def run() -> dict[str, float]:
            frames = [pd.read_csv(p) for p in sorted(folder.glob("*.csv"))]
            return {"cells": float(sum(f.size for f in frames))}

        return _timed(run)
    if name == "import":
        from geo.districts import districts_from_file
        from monitor.areas import AreaMatcher
        from monitor.imports import import_path
        from monitor.store import MonitorStore

        districts = districts_from_file(
            paths.data_root / "flensburg" / "stadtteile.geojson",
            name_column="AREA_NAME",
            key_column="AREA_ID",
        )
        matcher = AreaMatcher(districts, region_name="Flensburg")

        def run() -> dict[str, float]:
            report = import_path(MonitorStore("flensburg", paths=paths), folder, matcher, user="b")
            return {"values": float(report.values_stored)}

        return _timed(run)
    from geo.build import load_region
    from offers.catalogue import load_offers

    region = load_region("wolfsburg", paths=paths)
    load_offers(region, paths=paths)  # seeding is not what is measured
    if name == "access_baseline":
        from geo import access
        from geo.routing import as_router
        from monitor.snapshot import STANDARD_MINUTES, target_categories
        from offers.store import OfferStore

        offers = OfferStore("wolfsburg", paths=paths).offers()

        def run() -> dict[str, float]:
            n = 0
            for mode in ("walk", "bike", "drive"):
                router = as_router(region.networks[mode])
                for cat in target_categories():
                    chosen = offers[offers["category"] == cat.key]
                    if chosen.empty:
                        continue
                    cols = [f"pop_{g}" for g in cat.target_groups]
                    near = access.nearest_offer(router, chosen, cells=region.cells, mode=mode)
                    access.coverage(
                        region.cells,
                        region.districts,
                        near,
                        threshold_min=STANDARD_MINUTES[cat.group][mode],
                        pop_columns=cols,
                    )
                    access.e2sfca(
                        router,
                        chosen,
                        region.cells,
                        pop_columns=cols,
                        districts=region.districts,
                        mode=mode,
                    )
                    n += 1
            return {"category_modes": float(n)}

        return _timed(run)
    if name == "snapshot":
        from monitor.snapshot import snapshot

        def run() -> dict[str, float]:
            res = snapshot("wolfsburg", paths=paths, user="bench", region=region)
            return {
                "values": float(res.values),
                "category_modes": float(len(res.categories) * len(res.modes)),
            }

        return _timed(run)
    raise SystemExit(f"unknown measurement {name!r}")


def _fresh(name: str, work: Path) -> dict[str, float]:
    env = {**os.environ, "BLK_WORK_DIR": str(work), "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, __file__, "--one", name],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=REPO,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--skip-snapshot", action="store_true")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    from geo.build import load_region
    from geo.settings import get_paths

    paths = get_paths()
    if not args.skip_snapshot:
        load_region("wolfsburg", paths=paths)  # build once, outside the timings
    result: dict[str, object] = {"bench": "monitor"}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "regions").symlink_to(paths.work_dir / "regions", target_is_directory=True)
        base = _fresh("read_baseline", work)
        imp = _fresh("import", work)
        result["sozialatlas_read_baseline"] = base
        result["sozialatlas_import"] = imp
        result["sozialatlas_import_ratio"] = round(imp["wall_s"] / max(base["wall_s"], 1e-9), 1)
        result["sozialatlas_import_target_s"] = 5.0
        if not args.skip_snapshot:
            acc = _fresh("access_baseline", work)
            snap = _fresh("snapshot", work)
            result["wolfsburg_access_baseline"] = acc
            result["wolfsburg_snapshot"] = snap
            result["wolfsburg_snapshot_ratio"] = round(snap["wall_s"] / max(acc["wall_s"], 1e-9), 2)
            result["wolfsburg_snapshot_target_s"] = 20.0
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "monitor.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
