"""Atomic single-file writes (geo.atomic), used by exports, reports and the basemap file."""

from __future__ import annotations

import stat
from pathlib import Path

import pandas as pd
import pytest

from geo.atomic import write_atomic, write_text_atomic


def test_text_is_written_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "report.json"
    assert write_text_atomic(target, "eins") == target
    write_text_atomic(target, "zwei – ä")
    assert target.read_text(encoding="utf-8") == "zwei – ä"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]


@pytest.mark.parametrize("partial", [True, False])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, partial: bool
) -> None:
    target = tmp_path / "offers.csv"
    target.write_text("alt", encoding="utf-8")

    def write(tmp: Path) -> None:
        if partial:
            tmp.write_text("halb", encoding="utf-8")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, write)
    assert target.read_text(encoding="utf-8") == "alt"
    assert [p.name for p in tmp_path.iterdir()] == ["offers.csv"]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json"])
def test_the_temp_file_keeps_the_suffix(tmp_path: Path, suffix: str) -> None:
    seen: list[Path] = []
    frame = pd.DataFrame({"name": ["Kita Sonne"], "plätze": [45]})

    def write(tmp: Path) -> None:
        seen.append(tmp)
        if suffix == ".xlsx":
            frame.to_excel(tmp, index=False)  # pandas picks the writer by suffix
        else:
            tmp.write_text("x", encoding="utf-8")

    target = write_atomic(tmp_path / f"export{suffix}", write, mode=0o600)
    assert seen[0].suffix == suffix and seen[0].parent == tmp_path
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    if suffix == ".xlsx":
        assert pd.read_excel(target).equals(frame)
