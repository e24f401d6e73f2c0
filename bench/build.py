"""Benchmark: cold region build and warm load, against reading the raw inputs.

Usage::

    python bench/build.py                 # wolfsburg and lauf
    python bench/build.py --regions lauf  # one region

Every measurement runs in its own subprocess so its peak memory (``ru_maxrss`` of
that child) is its own. Per region:

* ``baseline``: read the raw inputs only (line/POI/district files with geopandas, the
  census CSVs with pandas, one pyosmium pass over the OSM file);
* ``cold``: ``load_region`` in a fresh, empty work dir (a full build);
* ``warm``: ``load_region`` again in that work dir (a cache load).

Targets (issue 2): cold ≤ 60 s and ≤ 2 GB peak, warm ≤ 2 s. Seconds are the
``load_region`` call (imports excluded, they are printed separately); the ratio is
against the baseline measured in the same run, so slow machines show in both.
Results go to ``bench/results/build.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGETS: dict[str, dict[str, float]] = {
    "cold": {"seconds": 60.0, "peak_mb": 2048.0},
    "warm": {"seconds": 2.0},
}


def _child(phase: str, slug: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    sys.path.insert(0, str(REPO))
    from geo.build import load_region
    from geo.manifest import load_manifest

    import_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    if phase == "baseline":
        _read_raw(load_manifest(slug))
    else:
        region = load_region(slug)
        # A warm load is only useful if the layers are there; touch them like the app does.
        _ = (len(region.cells), len(region.districts), region.networks["walk"].n_nodes)
    seconds = time.perf_counter() - t1
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "import_seconds": import_s, "peak_mb": peak_kb / 1024}


def _read_raw(manifest: Any) -> None:
    import geopandas as gpd
    import osmium
    import pandas as pd

    for path in manifest.network_lines:
        gpd.read_file(path)
    for path in (manifest.pois_file, manifest.districts_file):
        if path is not None:
            gpd.read_file(path)
    for path in manifest.census_files:
        pd.read_csv(path, sep=";")
    if manifest.osm_file is not None:
        sum(1 for _ in osmium.FileProcessor(str(manifest.osm_file)).with_locations())


def _run(phase: str, slug: str, work_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "BLK_WORK_DIR": str(work_dir)}
    out = subprocess.run(
        [sys.executable, __file__, "--child", phase, slug],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
        timeout=900,
    )
    if out.returncode != 0:
        raise SystemExit(f"{phase} {slug} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", nargs="+", default=["wolfsburg", "lauf"])
    parser.add_argument("--child", nargs=2, metavar=("PHASE", "SLUG"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "build.json")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return 0

    command = "python bench/build.py " + " ".join(sys.argv[1:])
    rows: list[dict[str, Any]] = []
    for slug in args.regions:
        with tempfile.TemporaryDirectory(prefix="blk-bench-") as tmp:
            work = Path(tmp)
            base = _run("baseline", slug, work)
            cold = _run("cold", slug, work)
            warm = _run("warm", slug, work)
        for phase, res in (("baseline", base), ("cold", cold), ("warm", warm)):
            target = TARGETS.get(phase, {})
            ok = all(res[k] <= v for k, v in target.items())
            rows.append(
                {
                    "region": slug,
                    "phase": phase,
                    **res,
                    "ratio_to_baseline": res["seconds"] / base["seconds"],
                    "targets": target,
                    "ok": ok if target else None,
                }
            )

    print(f"$ {command.strip()}")
    print(
        f"{'region':<10} {'phase':<9} {'seconds':>8} {'imports':>8} {'peak MB':>8} "
        f"{'x base':>7}  target"
    )
    for r in rows:
        t = r["targets"]
        tgt = ", ".join(f"≤{v:g} {'s' if k == 'seconds' else 'MB'}" for k, v in t.items()) or "-"
        flag = "" if r["ok"] is None else ("OK" if r["ok"] else "MISSED")
        print(
            f"{r['region']:<10} {r['phase']:<9} {r['seconds']:>8.2f} {r['import_seconds']:>8.2f} "
            f"{r['peak_mb']:>8.0f} {r['ratio_to_baseline']:>7.2f}  {tgt} {flag}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "command": command.strip(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "rows": rows,
    }
    sys.path.insert(0, str(REPO))
    from geo.atomic import write_text_atomic

    write_text_atomic(args.out, json.dumps(result, indent=1))
    print(f"wrote {args.out.relative_to(REPO)}")
    return 0 if all(r["ok"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
