"""Headless Chromium for the dashboard's browser tests (dash[testing] asks this hook), each test's
report on its item (for the dashboard's log on failure), an empty user folder for the session, and
the scenario files tests share."""
import os
import shutil
import tempfile

import pytest

_USER_DIR: list[str] = []


def pytest_configure(config):
    """The tests run on the shipped data: a developer's own registered regions and unit figures
    (the platform's user folder) would change what they see, so unless COVSIM_USER_DIR is set, the
    session's user folder is an empty temporary one (a test that needs its own sets it again)."""
    if not os.environ.get("COVSIM_USER_DIR"):
        _USER_DIR.append(tempfile.mkdtemp(prefix="covsim-tests-user-"))
        os.environ["COVSIM_USER_DIR"] = _USER_DIR[0]


def pytest_unconfigure(config):
    for folder in _USER_DIR:
        shutil.rmtree(folder, ignore_errors=True)


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
