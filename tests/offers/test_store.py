"""The SQLite store: idempotent re-imports, corrections, history, crash safety, exports."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely

from geo.agegroups import groups_for_ages
from geo.errors import OfferImportError, OfferNotFoundError, OfferStoreError
from geo.settings import REPO_ROOT, Paths, get_paths
from offers.dedup import DEDUP_AREA_DISTANCE_M, NAME_SIMILARITY_MIN
from offers.osm import offers_from_pois
from offers.safety import html_text
from offers.store import OfferStore

from .conftest import CORPUS


@pytest.fixture()
def seeded(store: OfferStore, wolfsburg_pois: gpd.GeoDataFrame) -> OfferStore:
    store.seed(offers_from_pois(wolfsburg_pois, updated="2026-05"), user="system")
    return store


def test_store_location(work_paths: Paths, real_paths: Paths) -> None:
    store = OfferStore("wolfsburg", paths=work_paths)
    assert store.path == work_paths.work_dir / "offers" / "wolfsburg.sqlite"
    assert store.path.exists() and len(store.offers()) == 0
    inside = get_paths(data_root=real_paths.data_root, work_dir=real_paths.data_root / "x")
    with pytest.raises(OfferStoreError, match="inside the read-only data root"):
        OfferStore("wolfsburg", paths=inside)


def test_seed_is_idempotent(seeded: OfferStore, wolfsburg_pois: gpd.GeoDataFrame) -> None:
    expected = offers_from_pois(wolfsburg_pois, updated="2026-05")
    got = seeded.offers()
    assert list(got.index) == sorted(expected.index)
    assert got.loc[expected.index, "name"].tolist() == expected["name"].tolist()
    changes = len(seeded.history())
    assert seeded.seed(expected, user="system") == 0
    assert len(seeded.history()) == changes


def test_school_list_merges_and_reimport(seeded: OfferStore, real_paths: Paths) -> None:
    path = real_paths.data_root / "wolfsburg" / "schulen_2017.csv"
    raw = pd.read_csv(path)
    before = seeded.offers()
    report = seeded.import_file(path, user="anna", default_category="schule_sonstige")
    assert report.rows_read == len(raw)
    assert report.imported + len(report.rejected) == report.rows_read
    assert report.imported == report.new + report.updated + report.unchanged
    merges = seeded.merges(import_id=report.import_id)
    merged = merges[merges["merged"]]
    assert report.duplicates_merged == merged["row"].nunique() > 0
    assert (merges["distance_m"] <= DEDUP_AREA_DISTANCE_M).all()
    assert (merged["name_score"] >= NAME_SIMILARITY_MIN).all()
    assert (merges.loc[~merges["merged"], "name_score"] < NAME_SIMILARITY_MIN).any()
    offers = seeded.offers()
    both = offers[offers["source"] == "osm; schulen_2017.csv"]
    assert len(both) > 0 and set(both.index) <= set(before.index)
    # The OSM point stays; the list fills the phone gap.
    for oid in both.index:
        assert offers.geometry[oid].equals(before.geometry[oid])
    assert (both["phone"] != "").all()
    # Re-importing the same file changes nothing.
    snapshot = offers.copy()
    changes = len(seeded.history())
    again = seeded.import_file(path, user="anna", default_category="schule_sonstige")
    assert (again.new, again.updated, again.duplicates_merged) == (0, 0, 0)
    assert again.unchanged == report.imported
    assert len(seeded.history()) == changes
    pd.testing.assert_frame_equal(
        pd.DataFrame(seeded.offers().drop(columns="geometry")),
        pd.DataFrame(snapshot.drop(columns="geometry")),
    )


def test_corrected_file_updates_matching_rows(store: OfferStore, tmp_path: Path) -> None:
    src = CORPUS / "doppelte_ids.csv"
    first = store.import_file(src, user="anna")
    assert (first.new, len(first.rejected)) == (2, 1)
    # The corrected file has the same name and ids; one phone and one id are fixed.
    fixed = tmp_path / src.name
    fixed.write_text(
        "ID;Name;Kategorie;Breitengrad;Längengrad;Telefon\n"
        "A1;Kita Alpha;Kita;52.4231;10.7865;05361 1\n"
        "A3;Kita Beta;Kita;52.4100;10.7700;\n"
        "A2;Kita Gamma;Kita;52.4000;10.7600;\n",
        encoding="utf-8",
    )
    second = store.import_file(fixed, user="bert")
    assert (second.new, second.updated, second.unchanged, len(second.rejected)) == (1, 1, 1, 0)
    offers = store.offers()
    assert len(offers) == 3
    alpha = offers[offers["name"] == "Kita Alpha"]
    assert alpha["phone"].iloc[0] == "05361 1"
    hist = store.history(alpha.index[0])
    assert hist["action"].tolist() == ["update", "insert"]
    assert hist["user"].tolist() == ["bert", "anna"]
    assert hist["before"].iloc[0]["phone"] == "" and hist["after"].iloc[0]["phone"] == "05361 1"
    assert set(hist["source"]) == {"doppelte_ids.csv"}


def test_edit_delete_history_and_earlier_state(store: OfferStore) -> None:
    store.import_file(CORPUS / "cp1252_semikolon.csv", user="anna")
    oid = store.offers().index[0]
    first_change = int(store.history()["change_id"].max())
    after = store.update(oid, {"name": "Kita Rübezahl (neu)", "free_places": 3}, user="carla")
    assert after["name"] == "Kita Rübezahl (neu)" and after["free_places"] == 3
    store.delete(oid, user="carla")
    assert oid not in store.offers().index
    hist = store.history(oid)
    assert hist["action"].tolist() == ["delete", "edit", "insert"]
    edit_id = int(hist["change_id"].iloc[1])
    assert store.state_at(first_change).loc[oid, "name"] == "Kita Rübezahl"
    assert store.state_at(edit_id).loc[oid, "name"] == "Kita Rübezahl (neu)"
    assert len(store.state_at(0)) == 0
    for call in (
        lambda: store.update("imp-unknown", {"name": "x"}, user="carla"),
        lambda: store.delete("imp-unknown", user="carla"),
    ):
        with pytest.raises(
            OfferNotFoundError, match=r"^no offer with id 'imp-unknown'.*How to fix"
        ):
            call()
    with pytest.raises(KeyError):  # callers catching KeyError keep working
        store.delete("imp-unknown", user="carla")
    with pytest.raises(OfferStoreError):
        store.update("imp-unknown", {"name": "x"}, user="carla")
    before = len(store.history())
    with pytest.raises(OfferNotFoundError):
        store.delete("imp-unknown", user="carla")
    assert len(store.history()) == before  # a failed change writes no history
    other = store.offers().index[0]
    moved = store.update(
        other, {"age_min": 3, "age_max": 7, "lon": 10.8, "lat": 52.43}, user="carla"
    )
    assert moved["target_groups"] == list(groups_for_ages(3, 7))
    assert store.offers().geometry[other].equals(shapely.Point(10.8, 52.43))
    other = store.offers().index[0]
    with pytest.raises(OfferStoreError, match="cannot edit field"):
        store.update(other, {"source": "fake"}, user="carla")
    with pytest.raises(OfferStoreError, match="unknown category"):
        store.update(other, {"category": "zauberei"}, user="carla")


def test_unreadable_file_writes_nothing(store: OfferStore) -> None:
    store.import_file(CORPUS / "utf8_bom_komma.csv", user="anna")
    before = store.history()
    with pytest.raises(OfferImportError):
        store.import_file(CORPUS / "binaer.csv", user="anna")
    assert len(store.history()) == len(before)
    assert len(store.imports()) == 1


_KILL_SCRIPT = """
import sys, time
from pathlib import Path
from geo.settings import get_paths
from offers.store import OfferStore
work, data, path, flag = sys.argv[1:5]
store = OfferStore("wolfsburg", paths=get_paths(work_dir=work, data_root=data))
original = OfferStore._write
count = [0]
def slow_write(self, *args, **kwargs):
    original(self, *args, **kwargs)
    count[0] += 1
    if count[0] == 20:
        Path(flag).write_text("mid-import")
        time.sleep(60)
OfferStore._write = slow_write
store.import_file(path, user="victim")
"""


def test_kill_9_mid_import_keeps_previous_state(
    store: OfferStore, work_paths: Paths, tmp_path: Path
) -> None:
    store.import_file(CORPUS / "cp1252_semikolon.csv", user="anna")
    before = store.offers()
    changes = len(store.history())
    big = tmp_path / "gross.csv"
    with open(big, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["ID", "Name", "Kategorie", "Breitengrad", "Längengrad"])
        for i in range(200):
            w.writerow([i, f"Kita Nummer {i}", "Kita", 52.40 + i * 1e-3, 10.70 + i * 1e-3])
    flag = tmp_path / "flag"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _KILL_SCRIPT,
            str(work_paths.work_dir),
            str(work_paths.data_root),
            str(big),
            str(flag),
        ],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        for _ in range(600):
            if flag.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert flag.exists(), "the import never reached the middle"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    after = OfferStore("wolfsburg", paths=work_paths)
    pd.testing.assert_frame_equal(
        pd.DataFrame(after.offers().drop(columns="geometry")),
        pd.DataFrame(before.drop(columns="geometry")),
    )
    assert len(after.history()) == changes
    assert len(after.imports()) == 1
    # The store is usable afterwards: the same import now completes.
    report = after.import_file(big, user="anna")
    assert report.new == 200 and len(after.offers()) == len(before) + 200


def test_rejected_rows_export_correct_and_reimport(store: OfferStore, tmp_path: Path) -> None:
    report = store.import_file(CORPUS / "falsche_werte.csv", user="anna")
    assert len(report.rejected) == 7
    rejected = store.rejected()
    assert rejected["row"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert rejected["values"].iloc[0]["Plätze"] == "viele"
    out = store.export(tmp_path / "abgelehnt.csv", what="rejected")
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert [r["Zeile"] for r in rows] == ["1", "2", "3", "4", "5", "6", "7"]
    assert rows[0]["Fehlerfeld"] == "Plätze" and "viele" in rows[0]["Fehlergrund"]
    # Correct two rows and import the file again: they are imported now.
    rows[0]["Plätze"] = "12"
    rows[2]["Barrierefrei"] = "ja"
    fixed = tmp_path / "korrigiert.csv"
    with open(fixed, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";")
        w.writeheader()
        w.writerows(rows)
    again = store.import_file(fixed, user="anna")
    assert again.new == 2 and len(again.rejected) == 5
    names = set(store.offers()["name"])
    assert {"Kita Viele", "Kita Rampe", "Kita Gut"} <= names
    for suffix in (".xlsx", ".geojson"):
        assert store.export(tmp_path / f"abgelehnt{suffix}", what="rejected").exists()


def test_export_neutralises_formulas_and_round_trips(store: OfferStore, tmp_path: Path) -> None:
    store.import_file(CORPUS / "formeln_html.csv", user="anna")
    store.import_file(CORPUS / "cp1252_semikolon.csv", user="anna")
    offers = store.offers()
    csv_path = store.export(tmp_path / "angebote.csv")
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1+1)" in text and "'-2+3" in text
    assert "'+49 5361 1234" in text
    header = text.splitlines()[0].split(";")
    assert header[:4] == ["ID", "Name", "Kategorie", "Unterart"] and "Breitengrad" in header
    xlsx = store.export(tmp_path / "angebote.xlsx")
    ws = openpyxl.load_workbook(xlsx).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    formula_like = [c for c in cells if c.value.startswith(("=", "+", "-", "@"))]
    assert formula_like and all(c.data_type == "s" for c in formula_like)
    gj = json.loads(store.export(tmp_path / "angebote.geojson").read_text(encoding="utf-8"))
    assert len(gj["features"]) == len(offers)
    assert {f["properties"]["Name"] for f in gj["features"]} == set(offers["name"])
    # The exported CSV imports again into a fresh store with the same offers.
    fresh = OfferStore(
        "copy", paths=get_paths(data_root=store.paths.data_root, work_dir=tmp_path / "w2")
    )
    back = fresh.import_file(xlsx, user="anna")
    assert back.rejected == [] and back.new == len(offers)
    got = fresh.offers().sort_values("name")
    want = offers.sort_values("name")
    assert got["name"].tolist() == want["name"].tolist()
    assert got["category"].tolist() == want["category"].tolist()
    assert got["capacity"].tolist() == want["capacity"].tolist()
    for a, b in zip(got.geometry, want.geometry, strict=True):
        assert shapely.equals_exact(a, b, tolerance=1e-7)
    # The German CSV (decimal commas, ';') round-trips the points exactly as well.
    fresh_csv = OfferStore(
        "copy", paths=get_paths(data_root=store.paths.data_root, work_dir=tmp_path / "w3")
    )
    assert fresh_csv.import_file(csv_path, user="anna").new == len(offers)
    got = fresh_csv.offers().sort_values("name")
    for a, b in zip(got.geometry, want.geometry, strict=True):
        assert shapely.equals_exact(a, b, tolerance=1e-7)
    # HTML payloads are data: stored as given, escaped for display.
    payload = offers[offers["name"].str.startswith("<img")]["name"].iloc[0]
    assert html_text(payload) == "&lt;img src=x onerror=alert(1)&gt;"


def test_reseed_keeps_edits(seeded: OfferStore, wolfsburg_pois: gpd.GeoDataFrame) -> None:
    osm = offers_from_pois(wolfsburg_pois, updated="2026-05")
    oid = osm.index[osm["opening_hours"] != ""][0]
    seeded.update(oid, {"opening_hours": "Mo-Fr 08:00-12:00", "phone": "05361 42"}, user="dora")
    changed = osm.copy()
    new_id = "osm-n999999999999"
    changed.loc[new_id] = changed.loc[oid]
    assert seeded.seed(changed, user="system") == 1  # only the new POI
    offers = seeded.offers()
    assert offers.loc[oid, "opening_hours"] == "Mo-Fr 08:00-12:00"
    assert offers.loc[oid, "phone"] == "05361 42"
    assert new_id in offers.index
