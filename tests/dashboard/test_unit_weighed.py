"""A running dashboard takes up a 2025 unit's own figure kept since it started (`covsim region
observe`): the next request runs on the weighed draws and shows the figure; after `region remove`,
on the former provinces' fits again."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_running_dashboard_takes_up_a_figure_kept_since_it_started(tmp_path, monkeypatch):
    from covsim.dashboard import compute
    from covsim.simulator.inputs import tables

    monkeypatch.setenv("COVSIM_USER_DIR", str(tmp_path / "user"))
    tables.reload()
    covsim = str(Path(sys.executable).parent / "covsim")

    def shown():
        s = compute.summary(compute.full_result("vinh_long_2025", "bhyt", {}, 2026, 0.95, 2030, draws=40, seed=0))
        return (s["assumptions"]["unit_figures"], [o["value"] for o in s["observed"] if o["year"] == 2025],
                s["fan"]["q500"][s["years"].index(2025)])

    before = shown()
    assert before[:2] == ([], [])
    kept = subprocess.run([covsim, "region", "observe", "vinh_long_2025", "2025", "0.95", "--source", "test fixture"],
                          capture_output=True, text=True, timeout=600)
    assert kept.returncode == 0, kept.stderr
    figures, observed, median = shown()
    assert figures == [{"year": 2025, "value": 0.95, "source": "test fixture"}] and observed == [0.95]
    assert median > before[2]  # weighed towards 95%
    assert subprocess.run([covsim, "region", "remove", "vinh_long_2025"], capture_output=True, timeout=600).returncode == 0
    assert shown() == before
    tables.reload()
