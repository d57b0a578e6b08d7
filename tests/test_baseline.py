"""Golden baseline: fixed-seed summaries of every shipped scenario match the checked-in ones.

After an intended change of results, refresh with `python tests/update_baseline.py` and say why
in the commit.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent
spec = importlib.util.spec_from_file_location("update_baseline", HERE / "update_baseline.py")
update_baseline = importlib.util.module_from_spec(spec)
spec.loader.exec_module(update_baseline)
GOLDEN = json.loads((HERE / "baseline.json").read_text())


def test_every_shipped_scenario_has_a_baseline():
    from covsim import simulator

    shipped = set(simulator.shipped_scenarios())
    assert set(GOLDEN) == shipped, (f"without a baseline: {sorted(shipped - set(GOLDEN))}; no longer shipped: "
                                    f"{sorted(set(GOLDEN) - shipped)}; after checking the new results, run "
                                    "python tests/update_baseline.py (docs/extending.md)")


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_results_match_the_golden_baseline(name):
    now = update_baseline.summary(name)
    then = GOLDEN[name]
    assert now["scenario_hash"] == then["scenario_hash"]
    for key in ("coverage_mean", "state_cost_mean_vnd"):
        for year, value in then[key].items():
            assert now[key][year] == pytest.approx(value, rel=1e-6), (key, year)
