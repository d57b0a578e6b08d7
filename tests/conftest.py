"""Headless Chromium for the dashboard's browser tests (dash[testing] asks this hook), and the
scenario files tests share."""
import pytest


def pytest_setup_options():
    from covsim.dashboard.process import chromium_options

    return chromium_options()


@pytest.fixture(scope="session")
def hand_set_labour() -> str:
    """A user's labour scenario (a TOML path) that sets `enforcement` and `voluntary_outreach` by
    hand from 2024: no shipped scenario does any more."""
    from pathlib import Path

    return str(Path(__file__).parent / "hand_set_labour.toml")
