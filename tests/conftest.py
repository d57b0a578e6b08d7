"""Headless Chromium for the dashboard's browser tests (dash[testing] asks this hook)."""


def pytest_setup_options():
    from covsim.dashboard.process import chromium_options

    return chromium_options()
