"""Scenarios: the store round trip with history, and the side-by-side comparison on real data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from geo.access import NewOffer, what_if
from geo.errors import InputDataError
from geo.plan_scenarios import PlannedOffer, Scenario, apply_scenario, compare_scenarios
from geo.routing import Router
from geo.settings import get_paths
from offers.scenarios import ScenarioNotFoundError, ScenarioStore


def _scenario(name: str = "Variante A", **kw) -> Scenario:
    base = dict(
        name=name,
        category="kita",
        mode="walk",
        minutes=10.0,
        threshold_min=8.0,
        add=(PlannedOffer("neu-1", 10.7575, 52.4096, 60.0, "Kita Eichelkamp (geplant)"),),
        remove=("osm-w256691302",),
        capacity=(("osm-w256691216", 45.0),),
        capacity_rule="median",
        note="Ratsvorlage 2026/17",
    )
    base.update(kw)
    return Scenario(**base)


def test_store_round_trip_with_history_and_delete(tmp_path):
    store = ScenarioStore("wolfsburg", paths=get_paths(work_dir=tmp_path))
    original = _scenario()
    assert store.save(original, user="anna") == 1
    assert store.get("Variante A") == original
    changed = _scenario(note="nach Ausschuss", capacity_rule="exclude")
    assert store.save(changed, user="ben") == 2
    store.save(_scenario("Variante B", add=()), user="anna")
    again = ScenarioStore("wolfsburg", paths=get_paths(work_dir=tmp_path))
    assert again.get("Variante A") == changed
    assert again.get("Variante A", version=1) == original
    assert set(again.names()) == {"Variante A", "Variante B"}
    hist = again.history("Variante A")
    assert hist["user"].tolist() == ["anna", "ben"] and not hist["deleted"].any()
    again.delete("Variante B", user="ben")
    assert again.names() == ["Variante A"]
    with pytest.raises(ScenarioNotFoundError):
        again.get("Variante B")
    assert again.history("Variante B")["deleted"].tolist() == [False, True]
    exported = json.loads(again.export_json())
    assert exported["scenarios"][0]["add"][0]["label"] == "Kita Eichelkamp (geplant)"
    with pytest.raises(InputDataError, match="signed-in planner"):
        again.save(original, user=" ")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"name": " "}, "needs a name"),
        ({"add": (PlannedOffer("a", 10.7, 52.4), PlannedOffer("a", 10.8, 52.4))}, "share an id"),
        ({"add": (PlannedOffer("a", 10.7, 52.4, capacity=0.0),)}, "capacity must be > 0"),
        ({"threshold_min": 0.0}, "threshold must be positive"),
    ],
)
def test_invalid_scenarios_are_refused(change, match):
    with pytest.raises(InputDataError, match=match):
        _scenario(**change).validate()


@pytest.fixture(scope="module")
def kitas(wolfsburg):
    from offers.catalogue import load_offers

    offers = load_offers(wolfsburg)
    return offers[offers["category"] == "kita"]


def test_apply_scenario_refuses_unknown_ids(kitas):
    with pytest.raises(InputDataError, match="unknown offer id"):
        apply_scenario(kitas, _scenario(remove=("nope",)))


def test_comparison_matches_what_if(wolfsburg, kitas):
    router = Router(wolfsburg.networks["walk"])
    current = _scenario("Bestand", add=(), remove=(), capacity=())
    variant = _scenario()
    result = compare_scenarios(
        router,
        kitas,
        wolfsburg.cells,
        wolfsburg.districts,
        [current, variant],
        pop_columns="pop_0_5",
    )
    oracle = what_if(
        router,
        kitas,
        wolfsburg.cells,
        wolfsburg.districts,
        pop_columns="pop_0_5",
        threshold_min=8.0,
        add=[NewOffer(10.7575, 52.4096, 60.0, "neu-1")],
        remove=["osm-w256691302"],
    ).districts
    totals = result.totals
    assert totals.loc["Bestand", "covered"] == pytest.approx(
        oracle.loc["__total__", "covered_before"]
    )
    assert totals.loc["Variante A", "covered"] == pytest.approx(
        oracle.loc["__total__", "covered_after"]
    )
    d = result.districts.set_index(["scenario", "district_id"])
    np.testing.assert_allclose(
        d.loc["Variante A"]["covered"].reindex(oracle.index), oracle["covered_after"]
    )
    assert (
        result.districts["gap_population"]
        == result.districts["population"] - result.districts["covered"]
    ).all()
    # median rule: every offer counts with a place number; the planned one with its 60
    frame = apply_scenario(kitas, variant)
    assert totals.loc["Variante A", "capacity_rule"] == "median"
    assert totals.loc["Variante A", "offers"] == len(frame) == len(kitas)
    assert not totals.loc["Bestand", "supply_sufficient"]
    assert totals.loc["Variante A", "catchment_min"] == 8.0
    # BFCA: the places allocated to the people never exceed the real places
    for name in ("Bestand", "Variante A"):
        allocated = totals.loc[name, "bfca"] * totals.loc[name, "population"]
        assert 0 < allocated <= totals.loc[name, "places"] + 1e-6
    with pytest.raises(InputDataError, match="names must differ"):
        compare_scenarios(
            router,
            kitas,
            wolfsburg.cells,
            wolfsburg.districts,
            [current, current],
            pop_columns="pop_0_5",
        )
