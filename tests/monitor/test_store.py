"""The indicator store: location, model checks, history, crash safety."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import MonitorStoreError
from geo.settings import REPO_ROOT, Paths, get_paths
from monitor.model import DOMAINS, Indicator, Value, aggregate
from monitor.store import MonitorStore, values_frame


def test_store_location(work_paths: Paths, real_paths: Paths) -> None:
    store = MonitorStore("flensburg", paths=work_paths)
    assert store.path == work_paths.work_dir / "monitor" / "flensburg.sqlite"
    assert store.path.exists() and len(store.values()) == 0
    inside = get_paths(data_root=real_paths.data_root, work_dir=real_paths.data_root / "x")
    with pytest.raises(MonitorStoreError, match="inside the read-only data root"):
        MonitorStore("flensburg", paths=inside)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"unit": "Stück"}, "unknown unit 'Stück'"),
        ({"domain": "Sport"}, "unknown domain 'Sport'"),
        ({"polarity": "good"}, "unknown polarity"),
        ({"numerator": "a"}, "names both its numerator and its denominator"),
    ],
)
def test_indicator_checks(kwargs: dict, match: str) -> None:
    with pytest.raises(MonitorStoreError, match=match):
        Indicator("x", "X", **kwargs)


@pytest.mark.parametrize(
    ("value", "status"), [(None, "measured"), (1.0, "suppressed"), (math.nan, "estimated")]
)
def test_value_status_and_number_agree(value: float | None, status: str) -> None:
    with pytest.raises(MonitorStoreError, match="a number"):
        Value("district", "01", "x", "2022", value, status)


def test_nine_domains() -> None:
    assert len(DOMAINS) == 9 and DOMAINS[-1] == "Erreichbarkeit und Versorgung"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 10_000)), min_size=1, max_size=12))
def test_rate_aggregates_as_sum_over_sum(parts: list[tuple[int, int]]) -> None:
    rate = Indicator("q", "Quote", unit="%", numerator="n", denominator="d")
    keys = [str(i) for i in range(len(parts))]
    nums = dict(zip(keys, (float(n) for n, _ in parts), strict=True))
    dens = dict(zip(keys, (float(d) for _, d in parts), strict=True))
    rates = {k: nums[k] / dens[k] * 100 for k in keys}
    got = aggregate(rate, rates, numerators=nums, denominators=dens)
    assert got.method == "ratio"
    assert got.value == pytest.approx(sum(nums.values()) / sum(dens.values()) * 100)


def test_aggregate_counts_and_unknown_parts() -> None:
    count = Indicator("n", "Anzahl")
    assert aggregate(count, {"a": 2.0, "b": 3.0}).value == 5.0
    part = aggregate(count, {"a": 2.0, "b": None})
    assert math.isnan(part.value) and part.reason == "suppressed or missing parts"
    mean_age = Indicator("alter", "Durchschnittsalter", unit="Jahre")
    got = aggregate(mean_age, {"a": 40.0, "b": 50.0})
    assert math.isnan(got.value) and got.method == "none"
    rate = Indicator("q", "Quote", unit="%", numerator="n", denominator="d")
    zero = aggregate(rate, {"a": 1.0}, numerators={"a": 0.0}, denominators={"a": 0.0})
    assert math.isnan(zero.value) and zero.reason == "denominator is 0"


def test_values_frame_columns_and_edits(store: MonitorStore, work_paths: Paths) -> None:
    ind = Indicator("einwohner", "Einwohner", "residents", source="Stadt")
    store.write_values(
        [
            Value("district", "STGT01", "einwohner", "2022", 3907.0),
            Value("region", "region", "einwohner", "2022", 99341.0),
            Value("district", "STGT02", "einwohner", "2022", None, "suppressed", note="< 4"),
        ],
        user="anna",
        source="test",
        indicators=[ind],
        areas=[("district", "STGT01", "01 Altstadt"), ("region", "region", "Flensburg")],
    )
    frame = values_frame("flensburg", paths=work_paths)
    assert list(frame.columns) == [
        "area_key", "area_name", "level", "indicator", "period", "value", "status", "unit",
        "label_de", "label_en", "domain", "polarity", "note", "source", "import_id",
    ]  # fmt: skip
    row = frame.set_index("area_key").loc["STGT01"]
    assert (row["area_name"], row["unit"], row["label_en"]) == (
        "01 Altstadt",
        "Anzahl",
        "residents",
    )
    assert math.isnan(frame.set_index("area_key").loc["STGT02", "value"])
    store.edit_indicator("einwohner", user="ben", polarity="higher_better")
    assert store.indicator("einwohner").polarity == "higher_better"
    hist = store.history(kind="indicator", item="einwohner")
    assert list(hist["action"]) == ["edit", "insert"] and hist.iloc[0]["user"] == "ben"
    with pytest.raises(MonitorStoreError, match="unknown unit"):
        store.edit_indicator("einwohner", user="ben", unit="Stück")


_KILL_SCRIPT = r"""
import sys
from pathlib import Path
from geo.settings import get_paths
from monitor.areas import AreaMatcher
from monitor.imports import import_path
from monitor.store import MonitorStore
from geo.districts import districts_from_file
work, data, path, flag = sys.argv[1:5]
paths = get_paths(work_dir=work, data_root=data)
d = districts_from_file(Path(data) / "flensburg" / "stadtteile.geojson",
                        name_column="AREA_NAME", key_column="AREA_ID")
store = MonitorStore("flensburg", paths=paths)
orig = MonitorStore._log
count = [0]
def slow_log(*a, **kw):
    orig(*a, **kw)
    count[0] += 1
    if count[0] == 500:
        Path(flag).write_text("mid-import")
        import time
        time.sleep(60)
MonitorStore._log = staticmethod(slow_log)
import_path(store, path, AreaMatcher(d, region_name="Flensburg"), user="victim")
"""


def test_kill_9_mid_import_keeps_previous_state(
    store: MonitorStore, work_paths: Paths, sozialatlas: Path, tmp_path: Path, flensburg
) -> None:
    from monitor.imports import import_path

    from .conftest import CORPUS

    import_path(store, CORPUS / "marker.csv", flensburg, user="anna")
    before = store.values()
    changes = len(store.history())
    flag = tmp_path / "flag"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _KILL_SCRIPT,
            str(work_paths.work_dir),
            str(work_paths.data_root),
            str(sozialatlas),
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
    after = MonitorStore("flensburg", paths=work_paths)
    pd.testing.assert_frame_equal(after.values(), before)
    assert len(after.history()) == changes and len(after.imports()) == 1
    report = import_path(after, sozialatlas, flensburg, user="anna")
    assert report.new == report.values_stored > 2000
