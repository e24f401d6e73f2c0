"""Benchmark: offline geocoder suggestions and lookups, against a naive fuzzy scan.

Usage::

    python bench/geocode.py                  # wolfsburg and lauf
    python bench/geocode.py --regions lauf   # one region

Per region (built or loaded with ``load_region``), with seeded queries:

* ``suggest``: :meth:`geo.geocode.Geocoder.suggest` on 300 partial inputs (a prefix of
  2–20 characters of a random index label, every fifth with one typo);
* ``geocode``: :meth:`geo.geocode.Geocoder.geocode` on 300 full labels, with typos;
* ``baseline``: the naive way for the same partial inputs, ``rapidfuzz.process.extract``
  with ``WRatio`` over every label (no folding, no prefix index).

Target (issue 2 / POP brief): suggestions < 20 ms. Wall and process CPU milliseconds
are printed (median and p95); the ratio is suggest / baseline on the same inputs.
Results go to ``bench/results/geocode.json`` and the last stdout line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from geo.atomic import write_text_atomic  # noqa: E402 - needs the repository on the path
from geo.errors import GeocodeError  # noqa: E402

RESULTS = REPO / "bench" / "results" / "geocode.json"
TARGET_SUGGEST_MS = 20.0


def _typo(text: str, rng: np.random.Generator) -> str:
    if len(text) < 4:
        return text
    i = int(rng.integers(1, len(text) - 1))
    return text[:i] + text[i + 1 :]  # drop one character


def _times(fn: Callable[[str], Any], queries: list[str]) -> dict[str, float]:
    wall: list[float] = []
    cpu: list[float] = []
    for q in queries:
        c0 = time.process_time()
        t0 = time.perf_counter()
        with contextlib.suppress(GeocodeError):  # a refused query is still a timed query
            fn(q)
        wall.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    return {
        "median_ms": statistics.median(wall),
        "p95_ms": float(np.percentile(wall, 95)),
        "max_ms": max(wall),
        "cpu_median_ms": statistics.median(cpu),
        "cpu_p95_ms": float(np.percentile(cpu, 95)),
    }


def bench_region(slug: str, *, n: int = 300, seed: int = 20) -> dict[str, Any]:
    from rapidfuzz import fuzz, process

    from geo.build import load_region
    from geo.geocode import Geocoder

    region = load_region(slug)
    t0 = time.perf_counter()
    geocoder = Geocoder(region.addresses)
    init_ms = (time.perf_counter() - t0) * 1e3
    labels = region.addresses["label"].astype(str).tolist()
    rng = np.random.default_rng(seed)
    partial = []
    for k, label in enumerate(rng.choice(labels, n)):
        cut = str(label)[: int(rng.integers(2, min(len(label), 20) + 1))]
        partial.append(_typo(cut, rng) if k % 5 == 4 else cut)
    full = [_typo(str(lab), rng) if k % 3 == 2 else str(lab) for k, lab in
            enumerate(rng.choice(labels, n))]  # fmt: skip

    def baseline(q: str) -> Any:
        return process.extract(q, labels, scorer=fuzz.WRatio, limit=8)

    for q in partial[:20]:  # warm up
        geocoder.suggest(q)
    out = {
        "index_rows": len(labels),
        "init_ms": init_ms,
        "suggest": _times(lambda q: geocoder.suggest(q, limit=8), partial),
        "geocode": _times(geocoder.geocode, full),
        "baseline": _times(baseline, partial),
    }
    out["suggest_ratio_to_baseline"] = out["suggest"]["median_ms"] / out["baseline"]["median_ms"]
    out["suggest_target_ms"] = TARGET_SUGGEST_MS
    out["suggest_p95_within_target"] = out["suggest"]["p95_ms"] < TARGET_SUGGEST_MS
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--regions", nargs="+", default=["wolfsburg", "lauf"])
    args = ap.parse_args(argv)
    results: dict[str, Any] = {"command": "python bench/geocode.py " + " ".join(argv or [])}
    print(f"{'region':10} {'what':9} {'median ms':>10} {'p95 ms':>8} {'cpu p95':>8} {'max ms':>8}")
    for slug in args.regions:
        r = bench_region(slug)
        results[slug] = r
        for what in ("suggest", "geocode", "baseline"):
            t = r[what]
            print(
                f"{slug:10} {what:9} {t['median_ms']:10.2f} {t['p95_ms']:8.2f} "
                f"{t['cpu_p95_ms']:8.2f} {t['max_ms']:8.2f}"
            )
        print(
            f"{slug:10} suggest/baseline = {r['suggest_ratio_to_baseline']:.2f}; "
            f"p95 < {TARGET_SUGGEST_MS:.0f} ms: {r['suggest_p95_within_target']}; "
            f"index {r['index_rows']} rows, Geocoder() {r['init_ms']:.0f} ms"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(RESULTS, json.dumps(results, indent=2))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
