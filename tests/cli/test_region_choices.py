"""Each command's help lists only the regions it accepts, and its one-line error allows the same:
calibrate, forecast and backtest take the regions with data of their own, not the 2025 units run as
the sum of their former provinces; forecast and backtest take those too, as of a year (their help
says so after the list: calibration/unit_as_of.py), so their error is tried on a name no one knows,
and allows them."""
from __future__ import annotations

import re

import pytest

from covsim.simulator.inputs import regions

from .test_cli import assert_one_line_error, covsim

COMMANDS = {"calibrate": ["--out", "x.nc", "--fast"], "forecast": ["--until", "2015", "--to", "2020"],
            "backtest": []}


def _listed(text: str) -> list[str]:
    flat = " ".join(text.split())
    ids = flat.split("a region id: ", 1)[1]
    return re.match(r"[a-z0-9_]+(?:, [a-z0-9_]+)*", ids).group(0).split(", ")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_and_error_list_what_the_command_accepts(command, tmp_path):
    merged = [r for r in regions.offered() if r not in regions.runnable()]
    assert merged, "the 2025 units are offered elsewhere"
    shown = covsim(command, "--help")
    assert shown.returncode == 0, shown.stderr
    listed = _listed(shown.stdout)
    assert listed == regions.runnable()
    assert not set(listed) & set(merged)
    region = merged[0] if command == "calibrate" else "nowhere_2025"
    if command != "calibrate":  # a 2025 unit as its former provinces, as of a year (backtest: since 2026-12-07)
        assert "or a 2025 unit" in " ".join(shown.stdout.split())
    refused = covsim(command, region, *COMMANDS[command], cwd=tmp_path)
    line = assert_one_line_error(refused, region, "allowed: ")
    # forecast's and backtest's errors allow the units too, as their help says after the list (since 2026-12-07)
    assert line.split("allowed: ", 1)[1].split(", ") == (listed + merged if command != "calibrate" else listed)
    assert list(tmp_path.iterdir()) == []  # nothing written
