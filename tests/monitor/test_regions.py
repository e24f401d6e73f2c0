"""Manifest indicator imports (once per file version) and the report subcommand."""

from __future__ import annotations

import importlib
from pathlib import Path

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
