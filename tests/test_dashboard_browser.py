"""The dashboard in headless Chromium (Debian's chromium and chromium-driver, installed by .ci/run)."""
from __future__ import annotations

import shutil

import pytest

pytestmark = pytest.mark.skipif(shutil.which("chromedriver") is None,
                                reason="chromium-driver is not installed (.ci/run installs it)")


@pytest.fixture
def app():
    from covsim.dashboard.app import create_app

    return create_app()


def test_loads_and_a_lever_moves_the_probability(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_contains_text("#probability", "%", timeout=60)
    before = dash_duo.find_element("#probability").text
    assert "lần mô phỏng" in before  # Vietnamese by default
    # Every state share to 100%, typed as a planner would.
    for group in ("near_poor", "pupil_student", "farm_household", "household"):
        box = dash_duo.find_element(f"#share-{group}")
        box.clear()
        box.send_keys("100\n")
    import time

    deadline = time.time() + 60
    while time.time() < deadline and dash_duo.find_element("#probability").text == before:
        time.sleep(0.2)
    after = dash_duo.find_element("#probability").text
    assert after != before
    assert int(after.split("%")[0]) > int(before.split("%")[0])
    errors = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert errors == []


def test_language_switch_changes_labels_and_numbers(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_contains_text("#probability", "lần mô phỏng", timeout=60)
    assert "," in dash_duo.find_element("#probability").text  # 94,5%
    dash_duo.find_element("#lang input[value='en']").click()
    dash_duo.wait_for_contains_text("#probability", "draws", timeout=60)
    assert "Median coverage" in dash_duo.find_element("#probability").text
    assert dash_duo.find_element("#label-region").text == "Region"


def test_target_of_120_percent_shows_a_message(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_contains_text("#probability", "%", timeout=60)
    box = dash_duo.find_element("#target")
    box.clear()
    box.send_keys("120\n")
    dash_duo.wait_for_contains_text("#error", "(0, 1]", timeout=60)
