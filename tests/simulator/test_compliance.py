"""Employers' compliance is one process: the health engine's employees are insured at the share the
labour layer has contributing, for the same region, year and draw (issue #39, item 3)."""
from __future__ import annotations

import dataclasses

import numpy as np

from covsim import simulator
from covsim.calibration import shipped
from covsim.simulator.schemes import compliance, labour


def _pair(region: str, params=None, draws: int = 40, seed: int = 3):
    health_sc = dataclasses.replace(simulator.load_scenario(region), end=2030)
    labour_sc = dataclasses.replace(health_sc, scheme="bhxh")
    health = simulator.run(health_sc, params=params, draws=draws, seed=seed)
    work = simulator.run(labour_sc, params=params, draws=draws, seed=seed)
    return health, work


def test_employees_health_coverage_is_the_labour_layers_compliance_on_the_priors():
    health, work = _pair("dong_nai")
    employees = health.coverage.sel(region="dong_nai", group="employee")
    contributing = work.coverage_required.sel(region="dong_nai")
    np.testing.assert_allclose(employees.values, contributing.values, rtol=1e-9)
    # The draws differ from one another: the agreement is draw by draw, not of one constant.
    assert float(employees.sel(year=2015).std()) > 0.01


def test_same_on_the_shipped_draws_with_the_labour_posterior_attached():
    params = shipped.draws_for("dong_nai", 40, 5)
    assert "compliance_logit" in params  # the labour layer's shipped draws sit beside the health ones
    health, work = _pair("dong_nai", params=params, seed=5)
    np.testing.assert_allclose(health.coverage.sel(region="dong_nai", group="employee").values,
                               work.coverage_required.sel(region="dong_nai").values, rtol=1e-9)
    # Dong Nai 2015: the health engine's employees no longer sit above the labour layer's compliance.
    assert float(health.coverage.sel(region="dong_nai", group="employee", year=2015).median()) < 0.9


def test_compliance_prior_is_the_labour_layers_own_at_the_same_draw_index():
    regions = ["vietnam", "vinh_long"]
    own = labour.prior_at(np.arange(7, 17), 11, regions)
    shared = compliance.prior_at(np.arange(7, 17), 11, regions)
    for name, (_, values) in shared.items():
        np.testing.assert_array_equal(own[name].values, values)


def test_the_enforcement_lever_raises_employees_health_coverage():
    sc = dataclasses.replace(simulator.load_scenario("dong_nai"), end=2026)
    params = simulator.sample_prior(20, 0, ["dong_nai"])
    from covsim.simulator.schemes.health import Prepared
    pol = sc.policy()
    prep = Prepared.build(pol, ["dong_nai"], sc.years)
    stronger = dataclasses.replace(prep, enforcement=prep.enforcement + 1.0)
    low = prep.employer_compliance(params, 0)
    high = stronger.employer_compliance(params, 0)
    assert (high > low).all()
    assert prep.first_difference(stronger) == 0


def test_a_health_run_says_it_reads_the_enforcement_lever():
    """The lever moves employees' health coverage, so a health run set with it lists it among the
    assumed numbers; it was declared for BHXH/BHTN only and a health run called it 'not read'."""
    sc = simulator.load_scenario("can_tho").with_reform({"enforcement": {2020: 1.0}}, name="inspections")
    assert sc.scheme == "bhyt" and sc.idle() == []
    assert any(line.startswith("enforcement = 1 from 2020") for line in sc.assumptions())
    params = simulator.sample_prior(20, 0, ["can_tho"])
    base = simulator.run(dataclasses.replace(simulator.load_scenario("can_tho"), end=2022), params=params, seed=1)
    pushed = simulator.run(dataclasses.replace(sc, end=2022), params=params, seed=1)
    employees = dict(year=2022, group="employee")
    assert (pushed.coverage.sel(**employees) > base.coverage.sel(**employees)).all()
    assert (pushed.coverage.sel(year=2019) == base.coverage.sel(year=2019)).all()
