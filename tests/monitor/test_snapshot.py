"""Computed indicators: the Flensburg Versorgungsquote by hand, snapshots as of a date."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.settings import REPO_ROOT, Paths, get_paths
from monitor.areas import AreaMatcher
from monitor.imports import import_path
from monitor.snapshot import (
    compute_indicators,
    offers_in_districts,
    population_from_store,
    snapshot,
)
from monitor.store import MonitorStore


def flensburg_kitas(real_paths: Paths) -> gpd.GeoDataFrame:
    raw = gpd.read_file(real_paths.data_root / "flensburg" / "kitas.geojson")
    out = gpd.GeoDataFrame(
        {"category": "kita", "capacity": raw["childcare_places"].astype(float)},
        geometry=raw.geometry,
        crs=raw.crs,
    )
    out.index = pd.Index([f"kita-{i}" for i in range(len(raw))], name="offer_id")
    return out


def test_flensburg_versorgungsquote_by_hand(
    store: MonitorStore,
    flensburg: AreaMatcher,
    flensburg_districts: gpd.GeoDataFrame,
    sozialatlas: Path,
    real_paths: Paths,
) -> None:
    import_path(store, sozialatlas, flensburg, user="t")
    pops = population_from_store(store, categories=["kita"])
    assert sorted(pops) == ["2021", "2022"]
    got = compute_indicators(
        offers=flensburg_kitas(real_paths),
        districts=flensburg_districts,
        period="2022",
        population=pops["2022"],
    )
    assert got.modes == [] and got.notes == ["no_street_network"]
    vals = {(v.area_key, v.indicator): v for v in got.values}
    # by hand from the files: the Kitas whose "district" is Nordstadt, and Stadtteil 3's
    # children aged 0 to under 7 in 2022
    kitas = gpd.read_file(real_paths.data_root / "flensburg" / "kitas.geojson")
    places = kitas.loc[kitas["district"] == "Nordstadt", "childcare_places"].sum()
    ages = pd.read_csv(sozialatlas / "fl_age_groups_by_district.csv")
    children = ages.query("year == 2022 and district_id == 3")["age_0_to_under_7"].item()
    assert (places, children) == (550, 898)
    vq = vals[("STGT03", "kita.versorgungsquote")]
    assert vq.value == pytest.approx(550 / 898 * 100) and vq.status == "measured"
    assert vals[("STGT03", "kita.offers_per_1000")].value == pytest.approx(9 / 898 * 1000)
    assert vals[("STGT03", "kita.capacity_known")].value == 100.0
    total = ages.query("year == 2022")["age_0_to_under_7"].sum()
    region = vals[("region", "kita.versorgungsquote")]
    assert region.value == pytest.approx(kitas["childcare_places"].sum() / total * 100)


def test_unknown_capacities_make_the_quote_an_estimate(
    flensburg_districts: gpd.GeoDataFrame, real_paths: Paths
) -> None:
    offers = flensburg_kitas(real_paths)
    where = offers.index[:3]
    offers.loc[where, "capacity"] = float("nan")
    pop = {str(k): 100.0 for k in flensburg_districts.index}
    got = compute_indicators(
        offers=offers, districts=flensburg_districts, period="2024", population={"kita": pop}
    )
    region = {v.indicator: v for v in got.values if v.level == "region"}
    vq = region["kita.versorgungsquote"]
    assert vq.status == "estimated" and vq.note == "capacity_known 67/70"
    assert region["kita.capacity_known"].value == pytest.approx(67 / 70 * 100)
    assert region["kita.places"].value == offers["capacity"].sum()


@pytest.fixture()
def shared_region_paths(tmp_path: Path, paths: Paths) -> Paths:
    """A fresh work folder whose region caches are the built ones (no rebuild)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "regions").symlink_to(paths.work_dir / "regions", target_is_directory=True)
    return get_paths(data_root=paths.data_root, work_dir=work, regions_dir=paths.regions_dir)


def _clock(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    """The offer store's clock: one second per call, on ``day``."""
    ticks = itertools.count()

    def now() -> str:
        n = next(ticks)
        return f"{day}T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}+00:00"

    monkeypatch.setattr("offers.store._now", now)


def test_snapshot_as_of_equals_a_fresh_computation(
    wolfsburg, shared_region_paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from offers.catalogue import ensure_seeded
    from offers.store import OfferStore

    paths = shared_region_paths
    _clock(monkeypatch, "2025-01-10")
    ensure_seeded(wolfsburg, paths=paths)
    store = OfferStore("wolfsburg", paths=paths)
    kitas = store.offers().query("category == 'kita'")
    kitas = kitas[offers_in_districts(kitas, wolfsburg.districts).notna()]
    _clock(monkeypatch, "2025-02-01")
    for oid in kitas.index[:5]:
        store.delete(oid, user="anna")
    for oid in kitas.index[5:10]:
        store.update(oid, {"capacity": 80}, user="anna")
    monkeypatch.undo()
    past = snapshot(
        "wolfsburg", as_of="2025-01-15", paths=paths, categories=["kita"], modes=["walk"]
    )
    assert past.period == "2025-01-15" and past.inputs["census_vintage"] == "2011-05-09"
    assert past.inputs["offer_change_id"] == store.history()["change_id"].max() - 10
    # the oracle: a second store that only ever saw the seed, computed directly
    other = get_paths(
        data_root=paths.data_root, work_dir=tmp_path / "other", regions_dir=paths.regions_dir
    )
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "regions").symlink_to(paths.work_dir / "regions")
    ensure_seeded(wolfsburg, paths=other)
    fresh = compute_indicators(
        offers=OfferStore("wolfsburg", paths=other).offers(),
        districts=wolfsburg.districts,
        period="2025-01-15",
        cells=wolfsburg.cells,
        networks=wolfsburg.networks,
        categories=["kita"],
        modes=["walk"],
        estimated_groups=tuple(wolfsburg.info.get("age_groups_estimated", {})),
    )
    stored = MonitorStore("wolfsburg", paths=paths).values()
    got = {
        (r.level, r.area_key, r.indicator): (r.value, r.status)
        for r in stored[stored["period"] == "2025-01-15"].itertuples()
    }
    want = {(v.level, v.area_key, v.indicator): (v.value, v.status) for v in fresh.values}
    assert got.keys() == want.keys() and len(got) > 40 * 10
    for key, (value, status) in want.items():
        assert got[key][1] == status
        if value is None:
            assert pd.isna(got[key][0])
        else:
            assert got[key][0] == pytest.approx(value)
    # today's catalogue lacks five Kitas: the current snapshot differs
    now = snapshot("wolfsburg", paths=paths, categories=["kita"], modes=["walk"])
    cur = MonitorStore("wolfsburg", paths=paths).values()
    cur = cur[(cur["period"] == now.period) & (cur["level"] == "region")].set_index("indicator")
    assert cur.loc["kita.offers", "value"] == got[("region", "region", "kita.offers")][0] - 5
    assert cur.loc["kita.places", "value"] == 5 * 80 + got[("region", "region", "kita.places")][0]


def test_cli_import_export_snapshot(shared_region_paths: Paths, tmp_path: Path) -> None:
    paths = shared_region_paths
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "BLK_WORK_DIR": str(paths.work_dir),
        "BLK_DATA_ROOT": str(paths.data_root),
    }
    table = tmp_path / "ortsteile.csv"
    table.write_text(
        "Ortsteil;Jahr;Einwohner;SGB-II-Quote %\n"
        "Neindorf;2022;1.234;3,5\nHattorf;2022;2.000;4,1\nWolfsburg;2022;125.000;7,9\n"
        "Atlantis;2022;5;1\n",
        encoding="utf-8",
    )
    report = tmp_path / "r.json"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "monitor", *args],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env=env,
            timeout=600,
        )

    out = run("import", "wolfsburg", str(table), "--report", str(report))
    assert out.returncode == 0, out.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    for key in (
        "rows_read", "values_read", "values_stored", "new", "updated", "unchanged",
        "suppressed", "rejected", "unmatched_areas", "region_total_values",
    ):  # fmt: skip
        assert key in data
    assert (data["rows_read"], data["values_read"], data["values_stored"]) == (4, 8, 6)
    assert data["region_total_values"] == 2
    assert {r["row"] for r in data["rejected"]} == {5}
    assert data["unmatched_areas"][0]["area"] == "Atlantis"
    csv_out = tmp_path / "werte.csv"
    out = run("export", "wolfsburg", "--out", str(csv_out))
    assert out.returncode == 0, out.stderr
    frame = pd.read_csv(csv_out, dtype={"area_key": str, "period": str})
    assert list(frame.columns) == [
        "area_key", "area_name", "level", "indicator", "period", "value", "status", "unit"
    ]  # fmt: skip
    assert len(frame) == 6
    region = frame[frame["level"] == "region"].set_index("indicator")
    assert region.loc["einwohner", "value"] == 125000 and region.loc["sgb_ii_quote", "unit"] == "%"
    assert (
        frame.set_index(["area_name", "indicator"]).loc[("Neindorf", "einwohner"), "value"] == 1234
    )
    for suffix in (".xlsx", ".geojson"):
        out = run("export", "wolfsburg", "--out", str(tmp_path / f"werte{suffix}"))
        assert out.returncode == 0, out.stderr
    geo = json.loads((tmp_path / "werte.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == 42 and geo["indicators"][0]["definition"]
    bad = run("import", "wolfsburg", str(tmp_path / "fehlt.csv"))
    assert bad.returncode == 1 and "does not exist" in bad.stderr
    snap = run("snapshot", "wolfsburg", "--as-of", "kein-datum")
    assert snap.returncode == 1 and "YYYY-MM-DD" in snap.stderr
