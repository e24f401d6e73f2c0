"""The command contract of issue 11: ``python -m geo sites|overlap ... --json``."""

from __future__ import annotations

import json

import pytest

from geo.__main__ import main


def _run(capsys, argv: list[str]) -> dict:
    assert main(argv) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1  # one JSON object
    return json.loads(out[0])


@pytest.mark.parametrize("method", ["greedy", "exact"])
def test_sites_contract(wolfsburg, capsys, method):
    args = ["sites", "wolfsburg", "--category", "kita", "--k", "3", "--mode", "walk"]
    data = _run(capsys, [*args, "--minutes", "10", "--method", method, "--json"])
    assert {
        "sites",
        "covered_before",
        "covered_after",
        "target_population",
        "method",
        "seconds",
    } <= set(data)
    assert ("gap" in data) == (method == "exact")
    assert data["method"] == method and len(data["sites"]) == 3
    for site in data["sites"]:
        assert {"lon", "lat", "gain", "district"} <= set(site)
        assert 10.5 < site["lon"] < 11.1 and 52.2 < site["lat"] < 52.6
        assert isinstance(site["district"], str)
    gains = [s["gain"] for s in data["sites"]]
    assert gains == sorted(gains, reverse=True)
    assert data["covered_after"] - data["covered_before"] == pytest.approx(sum(gains))
    assert data["covered_after"] <= data["target_population"]


def test_sites_capacitated_contract(wolfsburg, capsys):
    data = _run(
        capsys,
        [
            "sites",
            "wolfsburg",
            "--category",
            "kita",
            "--k",
            "2",
            "--mode",
            "walk",
            "--minutes",
            "10",
            "--capacity",
            "40",
            "--json",
        ],
    )
    assert all(s["gain"] <= 40 + 1e-6 for s in data["sites"])


def test_overlap_contract(wolfsburg, capsys):
    data = _run(
        capsys,
        [
            "overlap",
            "wolfsburg",
            "--category",
            "kita",
            "--mode",
            "walk",
            "--minutes",
            "10",
            "--json",
        ],
    )
    assert data["offers"]
    for row in data["offers"]:
        assert {"offer_id", "redundancy", "essential_people", "utilisation"} <= set(row)
        assert row["utilisation"] is None or row["utilisation"] >= 0
        assert row["redundancy"] is None or 0 <= row["redundancy"] <= 1
    assert all(p["overlap"] >= data["level"] for p in data["pairs"])


def test_unknown_category_is_a_clear_error(wolfsburg, capsys):
    argv = ["overlap", "wolfsburg", "--category", "kitta", "--mode", "walk", "--json"]
    assert main(argv) == 1
    assert "unknown category 'kitta'" in capsys.readouterr().err
