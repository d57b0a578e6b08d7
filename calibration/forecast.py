"""Forecasts "as of" a year: fit on what was observed by then, run the scenario ahead.

The bands are predictive for reported coverage: the model's coverage plus the fitted measurement
error, so that held-out reported figures can be checked against them.
"""
from __future__ import annotations

import dataclasses
import json
from datetime import date

import numpy as np
import xarray as xr

from covsim import simulator
from covsim.simulator.analysis import planning
from covsim.simulator.errors import InputError
from covsim.simulator.inputs import known
from covsim.simulator.inputs.decisions import knowledge_day
from covsim.simulator.inputs.regions import boundaries
from covsim.simulator.inputs.scenario import LAST_YEAR, Scenario
from covsim.simulator.schemes.provenance import record
from covsim.simulator.streams import normal_path

from .diagnostics import convergence
from .fit import FAST, Settings, fit_of, settings_record
from .priors import NATIONAL
from .unit_as_of import calibrated, former_parts, is_unit
from .unit_as_of import own_observations as unit_own

LEVELS = {"lo80": 0.10, "hi80": 0.90, "lo95": 0.025, "hi95": 0.975}


def fit_record(post: xr.Dataset, settings: Settings | None) -> dict:
    """How the draws of an "as of" forecast were fitted: the origin, the day policy was known by,
    the last year whose demographic and income figures it used, the fit's seed and, where this
    call fitted them, the sampler's settings (what refits them)."""
    until = int(post.attrs.get("until", -1))
    on = post.attrs.get("known_on")
    day = knowledge_day(None if until < 0 else until, date.fromisoformat(on) if on else None)
    out = {"until": None if until < 0 else until, "known_on": post.attrs.get("known_on"),
           "figures_until": known.last_year(day),  # censuses, surveys, incomes: inputs/known.py
           "source": str(post.attrs.get("source", "")), "seed": int(post.attrs.get("seed", 0))}
    return {**out, **(settings_record(settings) if settings is not None else {})}


def as_of_record(ds: xr.Dataset, post: xr.Dataset, settings: Settings | None) -> dict:
    """The provenance of a run on an "as of" fit: the run's, and how its draws were fitted."""
    return {**record(ds.attrs), "fit": fit_record(post, settings)}


def forecast_rows(reported: xr.DataArray, first: int, to: int) -> list[dict]:
    """Mean and 80%/95% bands of reported coverage for every year from `first` to `to`."""
    rows = []
    for year in range(first, to + 1):
        values = reported.sel(year=year).values
        row = {"year": year, "mean": round(float(values.mean()), 6)}
        row.update({k: round(float(np.quantile(values, q)), 6) for k, q in LEVELS.items()})
        rows.append(row)
    return rows


def check_until(until: int, scheme: str = "bhyt") -> None:
    """An origin inside the observed record: before it nothing can be fitted, after it nothing is
    'as of' anything."""
    model = fit_of(scheme)
    first, last = model.first_year(), model.last_year()
    if until < first:
        raise InputError("--until", str(until), f"is before the first {model.OBSERVED} ({first}); "
                                                f"allowed: {first}-{last}")
    if until > last:
        raise InputError("--until", str(until), f"is after the last {model.OBSERVED} ({last}); "
                                                f"allowed: {first}-{last}")


def check_health_as_of(until: int, scheme: str) -> None:
    """A target probability as of a year is of health insurance: the labour fits' as-of runs give
    forecasts (`forecast --scheme`), not the verdicts `target` and `brief --until` print."""
    if scheme != "bhyt":
        raise InputError("--until", str(until), "as-of target probabilities are for health insurance (bhyt) only")


def check_years(until: int, to: int, scheme: str = "bhyt") -> None:
    check_until(until, scheme)
    if to < until:
        raise InputError("--to", str(to), f"is before --until {until}")
    if to > LAST_YEAR:
        raise InputError("--to", str(to), f"is past the last year the engine runs ({LAST_YEAR})")


def predictive(ds: xr.Dataset, params: xr.Dataset, seed: int, region: str) -> xr.DataArray:
    """Reported coverage: model coverage plus measurement error, clipped to [0, 1]."""
    return reported(ds.coverage_total.sel(region=region), params, seed)


def reported(cov: xr.DataArray, params: xr.Dataset, seed: int) -> xr.DataArray:
    """A (draw, year) coverage as its figure would be published: plus each draw's fitted reporting
    error (`measurement_sd`; none if the draws have none), on the stream every scenario of `seed`
    shares, clipped to [0, 1]."""
    sd = params.measurement_sd if "measurement_sd" in params else xr.zeros_like(params.draw, dtype=float)
    noise = _reporting_noise(params, seed, cov.sizes["year"])
    noisy = cov + xr.DataArray(noise, dims=("draw", "year"), coords={"draw": cov.draw, "year": cov.year}) * sd
    return noisy.clip(0, 1)


def published_chance(cov: xr.DataArray, params: xr.Dataset, seed: int, year: int, target: float,
                     scheme: str = "bhyt") -> dict:
    """The chance that the published figure of `year` reaches `target`, beside the report's chance
    that coverage does: a target is judged on the figure, which carries the fit's reporting error
    (the error the backtest's bands and baselines score). Health only: empty for a labour scheme,
    whose fit's reporting error is of another share, and for draws with no reporting error."""
    if scheme != "bhyt" or "measurement_sd" not in params:
        return {}
    at = int(np.flatnonzero(cov.year.values == year)[0])  # `reported`'s, the year's column alone (the page asks)
    noise = _reporting_noise(params, seed, at + 1)[:, at]
    sd = params.measurement_sd.sel(draw=cov.draw).values  # by label, as `reported` aligns it
    figure = np.clip(cov.transpose("draw", "year").values[:, at] + noise * sd, 0, 1)
    p = float(np.mean(figure >= target))
    return {"probability_published": round(p, 6),
            "probability_published_se": round(planning.monte_carlo_se(p, figure.size), 6),  # as `probability_se`
            "reporting_error_sd": round(float(params.measurement_sd.median()), 6)}


def _reporting_noise(params: xr.Dataset, seed: int, years: int) -> np.ndarray:
    """Standard normal reporting errors, (draw, year) from the run's first year: one stream, keyed by
    the draws' ids, so `reported` and `published_chance` and every scenario of a seed share them."""
    return normal_path(seed, "forecast.measurement", params.draw.values, years)


def run_as_of(sc: Scenario, until: int, to: int, params: xr.Dataset, seed: int,
              policy: simulator.Policy | None = None, known: date | None = None) -> xr.Dataset:
    """The scenario run to `to` under the policy decided by the end of `until` (or by `known`;
    `policy`: the scheme's base policy, by default the health one), with each region's outreach walk
    starting after its last figure known by `until` (`parameters.walk_starts`): what was knowable at
    the origin."""
    planning.check_drive_known(sc, knowledge_day(until, known))  # a drive with no unit then changes nothing
    end = max(to, sc.start + 1)
    run_sc = dataclasses.replace(sc, end=end, reform={p: {y: v for y, v in ys.items() if y <= end}
                                                      for p, ys in sc.reform.items()})
    decided = (policy or simulator.Policy.from_table()).known_on(knowledge_day(until, known))  # by the origin
    return simulator.run(run_sc, params=params, seed=seed, noise_from=until + 1, policy=decided)


def forecast(region: str, until: int, to: int, scenario: str | Scenario | None = None, draws: int = 400,
             seed: int = 0, settings: Settings | None = None, posterior: xr.Dataset | None = None,
             scheme: str | None = None, keep_posterior: bool = False, keep_draws: bool = False) -> dict:
    """`covsim forecast`: fit `scheme` (by default the scenario's) on observations up to `until`,
    forecast every year up to `to`. Its JSON names the scheme and the rates' denominator."""
    sc = scenario if isinstance(scenario, Scenario) else simulator.load_scenario(scenario or region)
    if scheme is not None:
        sc = dataclasses.replace(sc, scheme=scheme)
    model = fit_of(sc.scheme)
    check_years(until, to, sc.scheme)
    if sc.region != region:
        raise InputError("--scenario", sc.name, f"is for region '{sc.region}', not '{region}'")
    settings = settings or Settings(draws=draws, seed=seed)
    post = posterior if posterior is not None else calibrated(region, until, settings, scheme=sc.scheme)
    params = post.isel(draw=slice(0, draws))
    ds = run_as_of(sc, until, to, params, seed, model.base_policy())
    reported = predictive(ds, params, seed, region)
    unit = is_unit(region)  # a 2025 unit: its former provinces' own figures (`unit_as_of`)
    first, own = unit_own(region, until) if unit else model.own_observations(region, until, sc.scheme, post)
    out = {
        "region": region,
        "until": until,
        "scenario": sc.name,
        **model.forecast_fields(sc.scheme),
        "draws": int(params.sizes["draw"]),
        "own_observations": own,
        "pooled": bool(region != NATIONAL),
        "convergence": convergence(post.attrs),
        "forecasts": forecast_rows(reported, first, to),
        # which boundaries each year is in, as known by the origin's day (a 2025 unit as of a year
        # before the merger was decided: its former provinces, summed), as `target` says it
        "boundaries": boundaries(region, list(range(first, to + 1)), knowledge_day(until)),
        "provenance": as_of_record(ds, post, settings if posterior is None else None),
    }
    if unit:  # each former province's part: fitted as of the year, or on its priors
        out["former_provinces"] = former_parts(post.attrs)
    if keep_posterior:  # for a caller that scores more from the same fit (backtest's targets)
        out["_posterior"] = post
    if keep_draws:  # reported coverage (and head counts) per draw and year: the backtest's checks
        out["_reported"] = reported
        out["_counts"] = model.reported_counts(ds, seed, region)
    return out


__all__ = ["FAST", "check_until", "check_years", "forecast", "predictive", "run_as_of"]
