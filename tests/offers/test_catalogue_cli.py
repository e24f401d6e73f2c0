"""load_offers on a built region, and the ``python -m offers`` command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geo.settings import REPO_ROOT, Paths, get_paths
from offers.__main__ import main
from offers.catalogue import ensure_seeded, load_offers
from offers.osm import offers_from_pois
from offers.schema import OFFER_COLUMNS
from offers.store import OfferStore

from .conftest import CORPUS


@pytest.fixture()
def cli_env(lauf, paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """A fresh work dir whose region cache points at the already built regions."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "regions").symlink_to(paths.work_dir / "regions", target_is_directory=True)
    monkeypatch.setenv("BLK_WORK_DIR", str(work))
    # In-process calls reuse the loaded region; test_cli_as_subprocess loads it for real.
    import geo.build

    real_load = geo.build.load_region
    monkeypatch.setattr(
        geo.build,
        "load_region",
        lambda slug, **kw: lauf if slug == "lauf" else real_load(slug, **kw),
    )
    return get_paths(work_dir=work)


def test_load_offers_seeds_once(lauf, work_paths: Paths) -> None:
    offers = load_offers(lauf, paths=work_paths)
    assert list(offers.columns) == list(OFFER_COLUMNS) and offers.crs.to_epsg() == 4326
    osm = offers_from_pois(lauf.pois)
    assert len(osm) > 0
    # Every OSM offer is in the catalogue (merged ones keep their OSM id).
    assert set(osm.index) <= set(offers.index)
    store = OfferStore("lauf", paths=work_paths)
    imports = store.imports()
    assert imports["source"].tolist() == ["schulen_2017.csv"]
    report = imports["report"].iloc[0]
    assert report["rows_read"] == 10
    assert report["imported"] + len(report["rejected"]) == report["rows_read"]
    merges = store.merges()
    assert report["duplicates_merged"] == merges.loc[merges["merged"], "row"].nunique()
    with_list = offers["source"].str.contains("schulen_2017.csv").sum()
    assert 1 <= with_list <= report["imported"]
    changes = len(store.history())
    again = load_offers(lauf, paths=work_paths)
    assert len(again) == len(offers) and len(store.history()) == changes
    assert ensure_seeded(lauf, paths=work_paths) == []


def test_cli_import_report(cli_env: Paths, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = cli_env.data_root / "lauf" / "schulen_2017.csv"
    report_path = tmp_path / "report.json"
    assert main(["import", "lauf", str(src), "--report", str(report_path), "--user", "eva"]) == 0
    data = json.loads(report_path.read_text(encoding="utf-8"))
    for key in ("rows_read", "imported", "updated", "unchanged", "rejected", "duplicates_merged"):
        assert key in data
    assert data["rows_read"] == 10
    assert data["imported"] + len(data["rejected"]) == data["rows_read"]
    # The store was seeded with this list first, so the import changes nothing.
    assert (data["new"], data["updated"]) == (0, 0)
    assert "10 rows read" in capsys.readouterr().out


def test_cli_rejects_everything_but_exits_zero(cli_env: Paths, tmp_path: Path) -> None:
    report_path = tmp_path / "r.json"
    assert (
        main(["import", "lauf", str(CORPUS / "koordinaten.csv"), "--report", str(report_path)]) == 0
    )
    data = json.loads(report_path.read_text(encoding="utf-8"))
    assert data["imported"] == 0 and data["rows_read"] == 5
    assert [r["row"] for r in data["rejected"]] == [1, 2, 3, 4, 5]
    assert {"row", "field", "reason"} <= set(data["rejected"][0])


def test_cli_export(cli_env: Paths, tmp_path: Path) -> None:
    out = tmp_path / "angebote.csv"
    assert main(["export", "lauf", str(out)]) == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("ID;Name;Kategorie")
    assert main(["export", "lauf", str(tmp_path / "rej.xlsx"), "--what", "rejected"]) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "lauf", "FILE:binaer.csv"], "NUL bytes"),
        (["import", "lauf", "FILE:leer.csv"], "the file is empty"),
        (["import", "lauf", "/nicht/da.csv"], "does not exist"),
        (["import", "lauf", "FILE:cp1252_semikolon.csv", "--map", "name"], "FIELD=COLUMN"),
        (["import", "lauf", "FILE:cp1252_semikolon.csv", "--map", "nmae=Name"], "unknown field"),
        (["import", "nirgendwo", "FILE:cp1252_semikolon.csv"], "no region manifest"),
    ],
)
def test_cli_unreadable_exit_one(
    cli_env: Paths, args: list[str], message: str, capsys: pytest.CaptureFixture
) -> None:
    args = [str(CORPUS / a[5:]) if a.startswith("FILE:") else a for a in args]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err


def test_cli_as_subprocess(cli_env: Paths, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "BLK_WORK_DIR": str(cli_env.work_dir)}
    bad = subprocess.run(
        [sys.executable, "-m", "offers", "import", "lauf", str(CORPUS / "binaer.csv")],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    good = subprocess.run(
        [
            sys.executable,
            "-m",
            "offers",
            "import",
            "lauf",
            str(CORPUS / "formeln_html.csv"),
            "--report",
            str(tmp_path / "r.json"),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert good.returncode == 0, good.stderr
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["rows_read"] == 3
