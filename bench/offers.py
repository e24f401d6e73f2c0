"""Benchmark of the offers catalogue (issue 4), against a baseline in the same run.

Usage::

    python bench/offers.py              # 5000 generated rows
    python bench/offers.py --rows 20000

Measures, in a temporary work dir:

* ``baseline``: ``pandas.read_csv`` of the generated file plus one ``executemany``
  of the raw rows into a fresh SQLite table (the least an import must do);
* ``import``: ``OfferStore.import_file`` of the same file (validation, duplicate
  rule, history, one transaction);
* ``reimport``: the same file again (every row unchanged);
* ``search``: ``search_offers(text=...)`` over the imported catalogue.

Prints a table and one JSON line; writes ``bench/results/offers.json``. No target is
set by the issue; the ratios show how much the safety machinery costs.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from geo.settings import get_paths  # noqa: E402
from offers.search import search_offers  # noqa: E402
from offers.store import OfferStore  # noqa: E402


def _generate(path: Path, rows: int, *, seed: int = 42) -> None:
    rng = np.random.default_rng(seed)
    cats = ["Kita", "Grundschule", "Bibliothek", "Musikschule", "Jugendzentrum"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["ID", "Name", "Kategorie", "Breitengrad", "Längengrad", "Plätze", "PLZ"])
        for i in range(rows):
            w.writerow(
                [
                    f"B{i}",
                    f"{cats[i % 5]} Bench {i}",
                    cats[i % 5],
                    f"{52.30 + rng.random() * 0.2:.6f}".replace(".", ","),
                    f"{10.60 + rng.random() * 0.3:.6f}".replace(".", ","),
                    int(rng.integers(10, 120)),
                    "38440",
                ]
            )


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "bench.csv"
        _generate(src, args.rows)

        def baseline() -> None:
            frame = pd.read_csv(src, sep=";", dtype=str)
            with sqlite3.connect(folder / "baseline.sqlite") as conn:
                conn.execute(f"CREATE TABLE t ({', '.join(f'c{i}' for i in range(7))})")
                conn.executemany(
                    "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
                    frame.itertuples(index=False, name=None),
                )

        base_s, _ = _timed(baseline)
        store = OfferStore("bench", paths=get_paths(work_dir=folder / "work"))
        imp_s, report = _timed(lambda: store.import_file(src, user="bench"))
        re_s, again = _timed(lambda: store.import_file(src, user="bench"))
        offers = store.offers()
        search_s, hits = _timed(lambda: search_offers(offers, text="Musikschle Bench 12"))
    result = {
        "rows": args.rows,
        "baseline_s": round(base_s, 3),
        "import_s": round(imp_s, 3),
        "import_ratio": round(imp_s / base_s, 1),
        "reimport_s": round(re_s, 3),
        "reimport_ratio": round(re_s / base_s, 1),
        "search_ms": round(search_s * 1000, 1),
        "rows_per_s": round(args.rows / imp_s),
        "imported": report.imported,
        "rejected": len(report.rejected),
        "reimport_unchanged": again.unchanged,
        "search_hits": len(hits),
    }
    print(f"{'step':<10}{'seconds':>10}{'x baseline':>12}")
    print(f"{'baseline':<10}{base_s:>10.3f}{1.0:>12.1f}")
    print(f"{'import':<10}{imp_s:>10.3f}{imp_s / base_s:>12.1f}")
    print(f"{'reimport':<10}{re_s:>10.3f}{re_s / base_s:>12.1f}")
    print(f"{'search':<10}{search_s:>10.3f}")
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "offers.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
