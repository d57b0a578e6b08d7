"""Headless Chromium for the dashboard's browser tests (dash[testing] asks this hook), each test's
report on its item (for the dashboard's log on failure), and the scenario files tests share."""
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test item (`rep_call`), for fixtures that say more when it failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def pytest_setup_options():
    from covsim.dashboard.process import chromium_options

    return chromium_options()


@pytest.fixture(scope="session")
def hand_set_labour() -> str:
    """A user's labour scenario (a TOML path) that sets `enforcement` and `voluntary_outreach` by
    hand from 2024: no shipped scenario does any more."""
    from pathlib import Path

    return str(Path(__file__).parent / "hand_set_labour.toml")
