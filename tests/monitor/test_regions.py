"""Manifest indicator imports (once per file version) and the report subcommand."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.settings import Paths
from monitor import regions
from monitor.__main__ import main
from monitor.areas import AreaMatcher
from monitor.store import MonitorStore


def test_manifest_imports_run_once_per_version(
    work_paths: Paths,
    flensburg: AreaMatcher,
    sozialatlas: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    table = tmp_path / "einwohner.csv"
    table.write_text("Stadtteil;Jahr;Einwohner\nAltstadt;2022;3907\n", encoding="utf-8")
    monkeypatch.setattr(regions, "manifest_imports", lambda slug, paths: [sozialatlas, table])
    first = regions.ensure_indicators("flensburg", paths=work_paths, matcher=flensburg)
    assert [r.source for r in first] == ["sozialatlas", "einwohner.csv"]
    assert regions.ensure_indicators("flensburg", paths=work_paths, matcher=flensburg) == []
    table.write_text("Stadtteil;Jahr;Einwohner\nAltstadt;2022;3908\n", encoding="utf-8")
    (again,) = regions.ensure_indicators("flensburg", paths=work_paths, matcher=flensburg)
    assert (again.source, again.updated) == ("einwohner.csv", 1)
    assert len(MonitorStore("flensburg", paths=work_paths).imports()) == 3


def test_report_subcommand_calls_layers_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = []

    class FakeReport:
        @staticmethod
        def build_report(slug: str, *, out: Path, lang: str = "de") -> Path:
            calls.append((slug, out, lang))
            return out

    real = importlib.import_module

    def fake_import(name: str, package: str | None = None):  # type: ignore[no-untyped-def]
        return FakeReport if name == "layers.report" else real(name, package)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    monkeypatch.setattr(regions, "manifest_imports", lambda slug, paths: [])
    assert main(["report", "flensburg", "--out", str(tmp_path / "b.pdf")]) == 0
    assert calls == [("flensburg", tmp_path / "b.pdf", "de")]
    assert "b.pdf" in capsys.readouterr().out


def test_cli_derive_target_status(
    work_paths: Paths,
    flensburg: AreaMatcher,
    sozialatlas: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from monitor.imports import import_path

    monkeypatch.setenv("BLK_WORK_DIR", str(work_paths.work_dir))
    import_path(MonitorStore("flensburg", paths=work_paths), sozialatlas, flensburg, user="t")
    capsys.readouterr()
    formula = "beneficiaries / residents * 100"
    assert main(["derive", "flensburg", "sgb2", formula, "--label", "SGB-II-Quote"]) == 0
    ben = pd.read_csv(sozialatlas / "fl_beneficiaries_by_district.csv")
    res = pd.read_csv(sozialatlas / "fl_residents_by_district.csv")
    both = ben.merge(res, on=["year", "district_id"])
    assert json.loads(capsys.readouterr().out)["new"] == len(both) == 65
    args = ["target", "flensburg", "sgb2", "--value", "5", "--direction", "at_most"]
    args += ["--baseline", "2018", "--deadline", "2030", "--area", "STGT01", "--note", "Rat"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(["status", "flensburg"]) == 0
    (status,) = json.loads(capsys.readouterr().out)
    alt = both[both["district_id"] == 1].sort_values("year")
    quote = alt["residents_x"] / alt["residents_y"] * 100
    slope = np.polyfit(alt["year"], quote, 1)[0]
    assert status["latest_period"] == "2022" and status["note"] == "Rat"
    assert status["latest_value"] == pytest.approx(quote.iloc[-1])
    assert status["slope_per_year"] == pytest.approx(slope)
    expected = quote.iloc[-1] + slope * 8
    assert status["status"] == ("auf_kurs" if expected <= 5 else "gefaehrdet")
    assert main(["target", "flensburg", "gibt_es_nicht", *args[3:]]) == 1
    assert "no indicator 'gibt_es_nicht'" in capsys.readouterr().err
