"""Coverage within [0, 1]: rounding past the bounds is taken off; a real breach is refused, not
clipped out of sight (the engines clipped every share, which would have hidden one)."""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from covsim.simulator.schemes import bounds


def test_rounding_past_the_bounds_is_taken_off():
    out = bounds.share(np.array([-7e-16, 0.5, 1 + 7e-16, np.nan]), "coverage")
    assert out[0] == 0.0 and out[2] == 1.0 and out[1] == 0.5 and np.isnan(out[3])
    da = bounds.share(xr.DataArray([1 + 1e-12, 0.2]), "coverage")
    assert isinstance(da, xr.DataArray) and float(da[0]) == 1.0


@pytest.mark.parametrize("bad", [1.001, -0.02])
def test_a_breach_is_refused_naming_the_share(bad):
    with pytest.raises(RuntimeError, match=r"coverage by group outside \[0, 1\]"):
        bounds.share(np.array([0.3, bad]), "coverage by group")


def test_a_run_with_more_insured_than_people_is_refused(monkeypatch):
    """The engine's own shares go through it: a run whose insured exceed its population fails."""
    from covsim import simulator
    from covsim.simulator.schemes import health

    derived = health.derived
    monkeypatch.setattr(health, "derived", lambda pop, ins, pol: derived(pop, ins * 1.5, pol))
    with pytest.raises(RuntimeError, match="outside"):
        simulator.run(simulator.load_scenario("vinh_long"), draws=2, seed=0)


def test_one_groups_insured_above_its_people_is_refused_though_the_total_is_not(monkeypatch):
    """Each group's coverage is checked, not only the total's: the poor at 150% of their number
    hide inside a total below 100%, and a silent clip there would have passed the test above."""
    from covsim import simulator
    from covsim.simulator.inputs.groups import GROUP_IDS
    from covsim.simulator.schemes import health

    derived, poor = health.derived, GROUP_IDS.index("poor")

    def inflated(pop, ins, pol):
        ins = ins.copy()
        ins[..., poor] *= 1.5
        return derived(pop, ins, pol)
    monkeypatch.setattr(health, "derived", inflated)
    with pytest.raises(RuntimeError, match="coverage by group outside"):
        simulator.run(simulator.load_scenario("vinh_long"), draws=2, seed=0)
