"""Controls keep their values through a visit to another page and a language switch."""

from __future__ import annotations

from typing import Any

import pytest

from tests.views.test_app import PAGES, assert_clean, open_page, remove_kitas

pytestmark = pytest.mark.xdist_group("app")


def test_kept_controls_belong_to_real_pages() -> None:
    import app
    from views.common import KEPT_CONTROLS

    assert set(KEPT_CONTROLS) <= {url for _, _, url in app.PAGES}


@pytest.mark.parametrize("away", ["start", "data", "coverage"])
def test_find_controls_survive_another_page(wolfsburg: Any, away: str) -> None:
    at = open_page("find")
    at.text_input(key="find_addr_query").input("Porschestraße").run()
    at.radio(key="find_mode").set_value("bike").run()
    at.select_slider(key="find_budget").set_value(20).run()
    at.switch_page(PAGES[away]).run()
    assert_clean(at)
    at.switch_page(PAGES["find"]).run()
    assert_clean(at)
    assert at.text_input(key="find_addr_query").value == "Porschestraße"
    assert at.radio(key="find_mode").value == "bike"
    assert at.select_slider(key="find_budget").value == 20


def test_advice_profile_survives_a_language_switch_on_another_page(wolfsburg: Any) -> None:
    at = open_page("advice")
    at.number_input(key="adv_age").set_value(15).run()
    at.text_input(key="adv_addr_query").input("Porschestraße").run()
    at.switch_page(PAGES["start"]).run()
    at.radio(key="lang_switch").set_value("en").run()
    at.switch_page(PAGES["advice"]).run()
    assert_clean(at)
    assert at.number_input(key="adv_age").value == 15
    assert at.text_input(key="adv_addr_query").value == "Porschestraße"
    assert at.text_input(key="adv_addr_query").label == "Address"


def test_a_region_switch_forgets_the_kept_controls(wolfsburg: Any, lauf: Any) -> None:
    at = open_page("find")
    at.text_input(key="find_addr_query").input("Porschestraße").run()
    at.switch_page(PAGES["start"]).run()
    assert at.session_state["find_addr_query__kept"] == "Porschestraße"
    at.selectbox(key="region_switch").set_value("lauf").run()
    at.switch_page(PAGES["find"]).run()
    assert_clean(at)
    assert at.text_input(key="find_addr_query").value == ""
    assert not [k for k in at.session_state if str(k).endswith("__kept") and "addr" in str(k)]


def test_what_if_reset_forgets_the_removed_offers(wolfsburg: Any) -> None:
    # the reset drops the picker's state; its kept copy must not bring the removals back
    at = remove_kitas(3)
    assert len(at.multiselect(key="cov_remove_kita").value) == 3
    at.button(key="cov_reset").click().run()
    assert_clean(at)
    assert at.multiselect(key="cov_remove_kita").value == []
    assert at.session_state["cov_plan"] == {"added": [], "removed": []}
