"""The random walk of coverage around the model: its likelihood, its size learnt from history, and
the forecast's walk in the engine's unit."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from covsim.calibration import fit, health_fit
from covsim.simulator.schemes import compliance

QUICK = fit.Settings(draws=300, seed=2, proposals=4000)
YEARS = list(range(2009, 2024))


def test_walk_likelihood_is_the_multivariate_normal_and_reduces_to_independent_errors():
    rng = np.random.default_rng(1)
    obs = pd.DataFrame({"region": ["vietnam"] * 5 + ["hcmc"] * 2, "year": [2009, 2012, 2012, 2015, 2020, 2011, 2019]})
    y = rng.uniform(0.5, 0.9, len(obs))
    predicted = y[None] + rng.normal(0, 0.02, (3, len(obs)))
    sd, drift = np.array([0.01, 0.02, 0.015]), np.array([0.0, 0.1, 0.3])
    span = health_fit.walk_span(obs)
    got = health_fit.walk_loglik(predicted, y, sd, drift, span)
    for w in range(3):
        g = predicted[w] * (1 - predicted[w])
        cov = drift[w] ** 2 * np.outer(g, g) * span + sd[w] ** 2 * np.eye(len(y))
        want = stats.multivariate_normal(predicted[w], cov).logpdf(y) + 0.5 * len(y) * np.log(2 * np.pi)
        assert got[w] == pytest.approx(want, rel=1e-10)
    independent = stats.norm(predicted[0], sd[0]).logpdf(y).sum() + 0.5 * len(y) * np.log(2 * np.pi)
    assert got[0] == pytest.approx(independent, rel=1e-10)
    # Tied to zero at each region's last observation, shared only within a region.
    assert span[4, 4] == 0 and span[0, 0] == 11 and span[1, 2] == 8 and span[0, 5] == 0 and span[5, 5] == 8
    assert health_fit.walk_loglik(predicted * np.nan, y, sd, drift, span)[0] == -np.inf


def synthetic(walk_sd: float, seed: int) -> pd.DataFrame:
    """National year-end coverage from the model at the priors' means, moved by a random walk of
    its log-odds (tied at the last year, as the fit's is) and reporting error."""
    post = health_fit.LogPosterior("vietnam", None, obs=pd.DataFrame(
        {"region": "vietnam", "year": YEARS, "group": "all", "value": 0.5, "source": "synthetic"}))
    truth = np.array([f.mean for f in post.frees])
    clean = post.predict(truth[None])[0]
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.standard_normal(len(YEARS))[::-1])[::-1] * walk_sd
    walk -= walk[-1]
    logit = np.log(clean / (1 - clean)) + walk
    value = 1 / (1 + np.exp(-logit)) + 0.005 * rng.standard_normal(len(YEARS))
    return pd.DataFrame({"region": "vietnam", "year": YEARS, "group": "all", "value": value, "source": "synthetic"})


def test_the_walk_size_is_learnt_from_history_and_becomes_the_forecast_walk():
    """Coverage that wanders around the model gives a larger fitted walk than coverage that does
    not, and the posterior's engine walk is the fitted one over the measured gain."""
    calm = fit.calibrate("vietnam", settings=QUICK, obs=synthetic(0.0, 3))
    wild = fit.calibrate("vietnam", settings=QUICK, obs=synthetic(0.25, 3))
    size = {k: float(np.exp(p.theta_log_drift_sd).median()) for k, p in (("calm", calm), ("wild", wild))}
    assert size["wild"] > 2 * size["calm"], size
    for post in (calm, wild):
        gain = post.attrs["drift_gain"]
        assert 0.1 < gain < 2.0
        np.testing.assert_allclose(post.outreach_sd.values, np.exp(post.theta_log_drift_sd.values) / gain, rtol=1e-12)


def test_an_as_of_posterior_carries_the_compliance_its_fit_held():
    """Its runs must not draw compliance from the priors: the fit's history was computed at the point."""
    post = fit.calibrate("vietnam", until=2016, settings=QUICK)
    point = health_fit.compliance_point("vietnam", ["vietnam"], 2016)
    for name in ("compliance_logit", "compliance_trend"):
        assert np.all(post[name].values == point[name][1][0]), name
    assert post.compliance_sd.values.std() > 0  # the walk ahead keeps its prior
    assert set(compliance.PRIORS) <= set(post.data_vars)


def test_each_regions_walk_ahead_starts_where_its_fit_ties_it():
    """The fit ties a region's walk to zero at its last figure (`walk_span`): the engine's walk
    ahead starts the year after it, whatever the run's `noise_from`, so a province whose last
    figure is older than the nation's (Vĩnh Long's 2017) carries the walk over the years between."""
    import xarray as xr

    from covsim.simulator.schemes import parameters

    regions = ["vietnam", "vinh_long", "ho_chi_minh_city", "dong_nai", "lai_chau"]
    for until in (None, 2013, 2018):
        noise_from = parameters.DEFAULT_NOISE_FROM if until is None else until + 1
        starts = dict(zip(regions, parameters.walk_starts(regions, noise_from, until)))
        for region in regions:
            fitted = health_fit.fitted_observations(region, until)
            own = fitted[fitted.region == region]
            # where the fit ties the walk; a region with no figure of its own: the run's start
            assert starts[region] == (int(own.year.max()) + 1 if not own.empty else noise_from), (until, region)
    assert starts["vinh_long"] == 2018 and starts["ho_chi_minh_city"] == 2012  # as of 2018: 2017's and 2011's
    params = xr.Dataset({"outreach_sd": ("draw", np.full(4, 0.1))}, coords={"draw": np.arange(4)})
    walk = parameters.outreach_walk(params, 0, regions, YEARS, parameters.DEFAULT_NOISE_FROM)
    vinh_long = walk[:, 1]
    assert not vinh_long[:, :YEARS.index(2018)].any() and vinh_long[:, YEARS.index(2018):].all()
    assert not walk[:, 0].any()  # the nation's starts after its 2023 figure, past these years
    assert not parameters.outreach_walk(params, 0, regions, YEARS, parameters.NO_WALK).any()
    # a figure later than the nation's last (a province's 2025, a user's region): on the whole record
    # the fit ties the walk there, so the run's walk starts after it, not at the run's noise_from
    from covsim.simulator.inputs import observations

    real = observations.observed_years
    try:
        observations.observed_years = lambda region, scheme="bhyt": [2019, 2025] if region == "somewhere" else real(region, scheme)
        assert parameters.walk_starts(["somewhere"], parameters.DEFAULT_NOISE_FROM) == [2026]
        assert parameters.walk_starts(["somewhere"], 2024, last=2023) == [2020]  # as of 2023
    finally:
        observations.observed_years = real


def test_a_prepared_run_reads_each_regions_last_figure_once(monkeypatch):
    """The walk's starts are read when a run is prepared (`Prepared.build`), not at every advance:
    a run advanced many times (a fit, a dashboard) does not re-read the coverage table each time."""
    import dataclasses

    from covsim import simulator
    from covsim.simulator.inputs import observations
    from covsim.simulator.schemes.health import Prepared

    sc = dataclasses.replace(simulator.load_scenario("vinh_long"), end=2023)
    regions = list(dict.fromkeys(["vietnam", sc.region]))
    prepared = Prepared.build(sc.policy(), regions, sc.years)
    assert prepared.last_figures == [max(observations.observed_years(r)) for r in regions]
    assert prepared.last_figures[1] == 2017
    params = simulator.sample_prior(3, 0, regions)

    def no_reading(*args, **kwargs):
        raise AssertionError("the coverage table was read again at advance")

    monkeypatch.setattr(observations, "observed_years", no_reading)
    walk = prepared.outreach(params, 0) - prepared.outreach(params.assign(outreach_sd=params.outreach_sd * 0), 0)
    years = list(sc.years)
    assert not walk[:, 1, :years.index(2018)].any() and walk[:, 1, years.index(2018):].all()
