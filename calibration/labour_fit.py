"""The labour layer's (BHXH, BHTN) fit: its free parameters, priors, observations and log posterior.

The same approach as the health fit (`calibration/health_fit.py`; `fit.calibrate` samples both): a few free
parameters with priors, each region fitted jointly with the nation (the national points pin the
shared parameters, the region's own its offsets, pulled towards the nation by their priors), a
fitted measurement error; the posterior by importance sampling from the Laplace approximation
(Pareto-k diagnostic), emcee's ensemble sampler vectorised over walkers where that fails. Observations only, never
targets; year-end figures only; nothing after `until`.

Very few points exist: nationally about 18% of the labour force in BHXH around 2008 with about
50,000 voluntary members, about 6 M in BHTN in 2009, about 1.13 M voluntary members at end-2020,
39.25% / 31.6% of the workforce in BHXH / BHTN with 1.83 M voluntary members at end-2023; Vinh Long
15.7% / 13.7% in 2017. Shares are fitted with the measurement error; counts of people on the log
scale with a fixed 30% error, which also absorbs the model labour force's own error (the
demography's initial age structure gives too few working-age people around 2008). The priors in
`simulator/schemes/labour.py` carry the rest.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import xarray as xr

from covsim.simulator.inputs import observations as observed
from covsim.simulator.schemes import labour
from covsim.simulator.errors import InputError
from covsim.simulator.inputs.policy import Policy
from covsim.simulator.inputs.scenario import FIRST_YEAR
from covsim.simulator.streams import normal, normal_path

from .priors import NATIONAL, Free, LogPrior

COUNT_LOG_SD = 0.3  # error of a reported head count against the model's, log scale
#: Resolution 28-NQ/TW passed on 23 May 2018: a fit "as of" an earlier year cannot know its drive.
DRIVE_KNOWN_FROM = 2018
#: How `fit.calibrate` and `forecast.forecast` treat this scheme's fit.
SOURCE = "posterior (labour layer)"  # the posterior's `source` attribute
RNG_STREAM = 4243  # the sampler's random stream, with the seed
OBSERVED = "national labour observation"  # what the first year of fitted data is, in messages
OBSERVATION_LABEL = "kind"  # the column that says what an observation counts


def _free(name: str, prior, doc: str, log_name: str | None = None) -> Free:
    return Free(log_name or name, prior.mean, prior.sd, doc)


P = labour.PRIORS
SHARED = (
    _free("compliance_logit", P["compliance_logit"], "log-odds of compliance in 2008 (1 - evasion)"),
    _free("compliance_trend", P["compliance_trend"], "log-odds a year of compliance since 2008 (enforcement)"),
    _free("formal_shift", P["formal_shift"], "log-odds shift of the data's shares required to join"),
    _free("formal_trend", P["formal_trend"], "log-odds a year of formal-employment growth beyond the data's"),
    _free("bhtn_shift", P["bhtn_shift"], "log-odds shift of the BHTN scope within those required"),
    _free("voluntary_join", P["voluntary_join"], "log-odds of joining voluntary BHXH (informal workers)"),
    _free("voluntary_lapse", P["voluntary_lapse"], "log-odds of a voluntary member lapsing"),
    _free("voluntary_price_sensitivity", P["voluntary_price_sensitivity"],
          "log of the log-odds per % of income of the net contribution", "log_voluntary_price_sensitivity"),
    _free("voluntary_trend", P["voluntary_trend"], "log-odds a year of voluntary join since 2008"),
    _free("voluntary_damping", P["voluntary_damping"], "logit of the yearly damping of that trend"),
    _free("voluntary_drive", P["voluntary_drive"], "log-odds drive after Resolution 28-NQ/TW, ramped 2019-2021"),
    Free("log_measurement_sd", float(np.log(0.015)), 0.4, "log sd of reported shares around the model's"),
)
REGIONAL = tuple(Free(name, prior.mean, prior.sd, f"the region's {name.split('_', 1)[1]} log-odds offset")
                 for name, prior in labour.REGION_PRIORS.items())


def free_parameters(region: str) -> tuple[Free, ...]:
    return SHARED + (REGIONAL if region != NATIONAL else ())


def to_params(theta: np.ndarray, frees: tuple[Free, ...], regions: list[str], seed: int,
              draw_index: np.ndarray | None = None) -> xr.Dataset:
    """Labour parameter draws from fitted vectors (one row a draw)."""
    W = theta.shape[0]
    col = {f.name: theta[:, i] for i, f in enumerate(frees)}
    idx = np.arange(W) if draw_index is None else draw_index
    out = {}
    for name in labour.PRIORS:
        if name in col:
            out[name] = ("draw", col[name])
        elif f"log_{name}" in col:
            out[name] = ("draw", np.exp(col[f"log_{name}"]))
    # Not identified by history (it only runs after the last observation): from its prior.
    prior = labour.PRIORS["compliance_sd"]
    out["compliance_sd"] = ("draw", np.exp(prior.mean + prior.sd * normal(seed, "labour.posterior.compliance_sd", idx)))
    for name in labour.REGION_PRIORS:
        offsets = np.zeros((W, len(regions)))
        if name in col:
            for i, r in enumerate(regions):
                if r != NATIONAL:
                    offsets[:, i] = col[name]
        out[name] = (("draw", "region"), offsets)
    out["measurement_sd"] = ("draw", np.exp(col["log_measurement_sd"]))
    return xr.Dataset(out, coords={"draw": idx, "region": regions})


def observations(region: str, until: int | None = None) -> pd.DataFrame:
    """Year-end observed points of the labour layer for the region and the nation (never targets);
    see `simulator.inputs.observations.labour`. An observed share outside [0, 1] is refused."""
    obs = observed.labour([NATIONAL, region], until)
    bad = obs[(obs.scale == "share") & ((obs.value < 0) | (obs.value > 1))]
    if not bad.empty:
        row = bad.iloc[0]
        raise InputError("coverage.csv", f"{row.region} {row.year} {row.kind}", f"observed share {row.value} is outside [0, 1]")
    return obs


#: The figures a fit reads, under the name every fit module gives them (`stale._compare`).
fitted_observations = observations


def first_year() -> int:
    obs = observations(NATIONAL)
    return int(obs.year.min()) if not obs.empty else FIRST_YEAR


def last_year() -> int:
    """The last year of a national labour observation: past it no forecast is "as of" anything."""
    obs = observations(NATIONAL)
    return int(obs.year.max()) if not obs.empty else FIRST_YEAR


def national_years() -> list[int]:
    """The years of the nation's labour figures the fit reads (shares and head counts): a
    backtest's origins are among them."""
    return sorted({int(y) for y in observations(NATIONAL).year})


class LogPosterior(LogPrior):
    """log p(theta | labour observations), vectorised over walkers."""

    def __init__(self, region: str, until: int | None, seed: int = 0, policy: Policy | None = None,
                 obs: pd.DataFrame | None = None):
        self.region = region
        self.frees = free_parameters(region)
        self.names = [f.name for f in self.frees]
        self.regions = list(dict.fromkeys([NATIONAL, region]))
        self.obs = observations(region, until) if obs is None else obs.reset_index(drop=True)
        if self.obs[self.obs.region == NATIONAL].empty:
            raise InputError("--until", str(until), f"no national labour observation up to this year; "
                                                    f"the first is {first_year()}")
        self.seed = seed
        base = labour.labour_policy(policy)
        if until is not None:  # what was decided, and the figures known, by the origin's end
            base = base.as_of(date(until + 1, 1, 1)).known_on(date(until, 12, 31))
        last = int(self.obs.year.max())
        self.prepared = labour.Prepared.build(base, self.regions, list(range(FIRST_YEAR, last + 1)))
        self.t_index = np.array([self.prepared.years.index(int(y)) for y in self.obs.year])
        self.r_index = np.array([self.regions.index(r) for r in self.obs.region])
        self.log_scale = (self.obs.scale == "log_count").to_numpy()
        self.y = np.where(self.log_scale, np.log(self.obs.value.to_numpy(float)), self.obs.value.to_numpy(float))
        self.drive_known = until is None or until >= DRIVE_KNOWN_FROM

    def _structural(self, theta: np.ndarray) -> np.ndarray:
        if not self.drive_known:
            theta = theta.copy()
            theta[:, self.names.index("voluntary_drive")] = 0.0
        return theta

    def predict(self, theta: np.ndarray) -> np.ndarray:
        """The model's value of each observation, (walker, observation); counts as logs."""
        params = to_params(self._structural(theta), self.frees, self.regions, self.seed)
        got = self.prepared.observables(params, self.seed)
        lf = got["labour_force"][..., None]
        series = {"bhxh": got["bhxh"], "bhtn": got["bhtn"],
                  "voluntary_members": np.log(np.maximum(got["voluntary_members"], 1e-9)),
                  "bhtn_members": np.log(np.maximum(got["bhtn"] * lf, 1e-9))}
        out = np.empty((theta.shape[0], len(self.obs)))
        for i, (kind, t, r) in enumerate(zip(self.obs.kind, self.t_index, self.r_index)):
            out[:, i] = series[kind][t, r]
        return out

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        sd_share = np.exp(theta[:, self.names.index("log_measurement_sd")])[:, None]
        sd = np.where(self.log_scale[None, :], COUNT_LOG_SD, sd_share)
        resid = (self.predict(theta) - self.y[None]) / sd
        out = self.log_prior(theta) + (-0.5 * resid**2 - np.log(sd)).sum(axis=1)
        return np.where(np.isfinite(out), out, -np.inf)


def reported(post: LogPosterior, predicted: np.ndarray) -> np.ndarray:
    """The model's value of each observation in the observation's own scale (counts from logs)."""
    return np.where(post.log_scale[None, :], np.exp(predicted), predicted)


def reported_counts(ds: xr.Dataset, seed: int, region: str) -> dict[str, xr.DataArray]:
    """The head counts a forecast can be scored on, by the kind its observations have: the model's
    voluntary BHXH members (draws by year, persons) with the error the fit gives a reported head
    count (`COUNT_LOG_SD`, on the log scale). The nation's only: no province's head count is shipped."""
    if region != NATIONAL or "voluntary_members" not in ds:
        return {}
    members = ds.voluntary_members.sel(region=region)
    noise = normal_path(seed, "forecast.count.voluntary_members", members.draw.values, members.sizes["year"])
    error = xr.DataArray(np.exp(COUNT_LOG_SD * noise), dims=("draw", "year"),
                         coords={"draw": members.draw, "year": members.year})
    return {"voluntary_members": (members * error).assign_attrs(units="persons")}


def count_observations(region: str) -> pd.DataFrame:
    """The region's observed head counts (year, kind, value, source): what `reported_counts` is
    scored against."""
    obs = observations(region)
    return obs[(obs.region == region) & (obs.scale == "log_count")][["year", "kind", "value", "source"]]


def base_policy(policy: Policy | None = None) -> Policy:
    """The policy table a forecast runs on: the health table with the labour layer's rows."""
    return labour.labour_policy(policy or Policy.from_table())


def own_observations(region: str, until: int, scheme: str, post) -> tuple[int, int]:
    """The first year the forecast reports, and how many of the region's own points of the scheme
    the fit saw."""
    own = observations(region, until)
    own = own[(own.region == region) & (own.kind == scheme)] if region != NATIONAL else own[own.kind == scheme]
    first = int(own.year.min()) if not own.empty else first_year()
    return first, int(len(own))


def forecast_fields(scheme: str) -> dict:
    """What a forecast's JSON says beside the common fields: the scheme and the rates' denominator."""
    return {"scheme": scheme, "denominator": "labour_force"}
