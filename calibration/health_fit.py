"""The health-insurance (BHYT) fit: its free parameters, their priors, and its log posterior.

What is fitted (a few shifts on the priors of `covsim.simulator.schemes.parameters`, so that a
handful of national points can identify them): the join log-odds of state-paid and voluntary
groups (employees are insured at their employers' compliance, the labour layer's: `compliance.py`), a common lapse shift, the response to the net premium, the 2015
household-enrolment drive, the region's own offset from the national level, and the measurement
error of reported coverage. Each region is fitted jointly with the national series: the national
points pin the shared parameters, the region's own points its offset, which a N(0, 0.5) prior
pulls towards the national fit (partial pooling), so a province with one observation still gets a
sensible fit and one with none gets the national fit with wider intervals.

Observations only, never targets; year-end figures only; nothing after `until`, from any region.
`fit.calibrate` samples it, `forecast.forecast` runs it ahead (the scheme's settings below).
"""
from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from covsim.simulator.errors import InputError
from covsim.simulator.inputs import observations as observed_points
from covsim.simulator.inputs import tables
from covsim.simulator.inputs.decisions import knowledge_day, known_by
from covsim.simulator.inputs.groups import BY_ID, GROUP_IDS, GROUPS, figure_groups
from covsim.simulator.inputs.policy import Policy
from covsim.simulator.inputs.scenario import FIRST_YEAR, load
from covsim.simulator.schemes import compliance, parameters
from covsim.simulator.schemes.health import Prepared
from covsim.simulator.streams import normal

from . import price_evidence
from .priors import NATIONAL, Free, LogPrior

#: How `fit.calibrate` and `forecast.forecast` treat this scheme's fit.
SOURCE = "posterior"  # the posterior's `source` attribute
RNG_STREAM = 4242  # the sampler's random stream, with the seed
OBSERVED = "national observation"  # what the first year of fitted data is, in messages
OBSERVATION_LABEL = "group"  # the column that says what an observation counts


def _scalar(name: str, doc: str) -> Free:
    """A fitted scalar with the prior the runs on the priors draw it from (`SCALAR_PRIORS`), declared
    once; a log-normal one is fitted as its log (`log_<name>`)."""
    prior = parameters.SCALAR_PRIORS[name]
    return Free(f"log_{name}" if prior.log else name, float(prior.mean), float(prior.sd), doc)


SHARED = (
    Free("join_state", 0.0, 1.0, "shift of the join log-odds of state-paid groups (poor, under-6, other)"),
    Free("join_voluntary", 0.0, 1.0, "shift of the join log-odds of near-poor, students, farm households, households"),
    Free("lapse", 0.0, 0.5, "shift of every group's lapse log-odds"),
    _scalar("price_sensitivity",
            "log of log-odds per % of income (Wagstaff et al. 2016 voucher trial, Mekong project: price_evidence.py)"),
    _scalar("outreach_2015", "log-odds drive of Law 46/2014's household enrolment beyond the roadmap's 2014 step, ramped 2015-2017"),
    _scalar("roadmap", "log-odds drive of each step of Law 25/2008's roadmap (pupils 2010, near-poor 2012, the rest 2014)"),
    _scalar("outreach_trend", "log-odds a year of enforcement and outreach since 2008 (roadmap, drives)"),
    _scalar("outreach_damping", "logit of the yearly damping of that drive (levels coverage off)"),
    _scalar("target_pull", "log-odds of joining per log-odds of the level above's target path (1 moves coverage about half as far)"),
    Free("log_measurement_sd", float(np.log(0.01)), 0.5, "log sd of reported coverage around the model's (VSS vs MoH differ ~1 point)"),
    Free("log_drift_sd", float(np.log(0.07)), 0.5,
         "log sd a year of the random walk of coverage's log-odds around the model (drives it does not explain)"),
)
#: A one-off shift of the join log-odds (the engine's walk unit) whose effect on coverage's
#: log-odds measures the gain between the two (`LogPosterior.drift_gain`), and the years it acts.
GAIN_SHIFT, GAIN_YEARS = 0.1, 5
REGION_OFFSET = Free("region_offset", 0.0, parameters.REGION_OFFSET_SD, "the region's join log-odds offset from the national level")
STATE_GROUPS = tuple(g.id for g in GROUPS if g.payer == "state")  # their join level is `join_state`


def free_parameters(region: str) -> tuple[Free, ...]:
    return SHARED + ((REGION_OFFSET,) if region != NATIONAL else ())


def to_params(theta: np.ndarray, frees: tuple[Free, ...], regions: list[str], seed: int,
              draw_index: np.ndarray | None = None, drift_gain: float | None = None) -> xr.Dataset:
    """Engine parameter draws from fitted vectors (one row a draw).

    `drift_gain`: log-odds of coverage per log-odds of joining (`LogPosterior.drift_gain`), which
    turns the fitted walk of coverage into the engine's walk of joining (`outreach_sd`)."""
    W = theta.shape[0]
    col = {f.name: theta[:, i] for i, f in enumerate(frees)}
    idx = np.arange(W) if draw_index is None else draw_index
    means = parameters.join_means()
    join = np.array([[means[g] for g in GROUP_IDS]]).repeat(W, axis=0)
    lapse_at = parameters.lapse_means()
    lapse = np.array([[lapse_at[g] for g in GROUP_IDS]]).repeat(W, axis=0)
    for j, g in enumerate(GROUP_IDS):
        if g in STATE_GROUPS:
            join[:, j] += col["join_state"]
        elif BY_ID[g].voluntary:
            join[:, j] += col["join_voluntary"]
    lapse += col["lapse"][:, None]
    offsets = np.zeros((W, len(regions)))
    if "region_offset" in col:
        for i, r in enumerate(regions):
            if r != NATIONAL:
                offsets[:, i] = col["region_offset"]
    if "log_drift_sd" in col and drift_gain is not None:
        # The walk the history shows (`LogPosterior.walk_loglik`), in the engine's unit.
        outreach_sd = np.exp(col["log_drift_sd"]) / drift_gain
    else:  # without the fitted walk (the fit's own runs, which stop at the last observation): its prior
        prior = parameters.SCALAR_PRIORS["outreach_sd"]
        outreach_sd = np.exp(prior.mean + prior.sd * normal(seed, "posterior.outreach_sd", idx))
    return xr.Dataset(
        {
            "join_logit": (("draw", "group"), join),
            "lapse_logit": (("draw", "group"), lapse),
            "region_offset": (("draw", "region"), offsets),
            "price_sensitivity": (("draw",), np.exp(col["log_price_sensitivity"])),
            "outreach_2015": (("draw",), col["outreach_2015"]),
            "outreach_trend": (("draw",), col["outreach_trend"]),
            "outreach_damping": (("draw",), col["outreach_damping"]),
            **({"target_pull": (("draw",), col["target_pull"])} if "target_pull" in col else {}),
            **({"roadmap": (("draw",), col["roadmap"])} if "roadmap" in col else {}),
            "outreach_sd": (("draw",), outreach_sd),
            "measurement_sd": (("draw",), np.exp(col["log_measurement_sd"])),
        },
        coords={"draw": idx, "group": list(GROUP_IDS), "region": regions},
    )


def labour_path(region: str) -> Path:
    """The labour layer's shipped posterior of the region, whose mean compliance a whole-record health fit holds."""
    return Path(str(resources.files("covsim.calibration").joinpath("posterior"))) / f"labour_{region}.nc"


def compliance_from(point: dict[str, tuple], region: str, until: int | None) -> str:
    """What a health fit held employers' compliance at, as its posterior records it: the labour
    layer's shipped posterior (a whole-record fit) or the level an as-of fit holds, and a hash of
    the values held. Neither the code version nor the data hash covers the labour file, so a labour
    refit after the health fit moved the health draws unrecorded (an audit, 2026-12-07); with this
    the run says the health fit is stale (`stale.py`)."""
    import hashlib
    import json

    source = labour_path(region).name if until is None and labour_path(region).exists() else "the as-of level"
    values = json.dumps({k: np.round(np.asarray(v, float), 12).tolist() for k, (_, v) in sorted(point.items())})
    return f"{source} {hashlib.sha256(values.encode()).hexdigest()[:16]}"


def compliance_point(region: str, regions: list[str], until: int | None) -> dict[str, tuple]:
    """Employers' compliance the health fit holds fixed, as one draw: the mean of the labour
    layer's shipped posterior for the region (fitted to the labour observations), or, for an "as
    of" fit (that posterior saw every year) or where none is shipped, the level and trend
    `compliance.AS_OF` holds (the priors' means, or an alternative's inside `held_at`)."""
    means = {k: (np.exp(p.mean) if p.log else p.mean) for k, p in compliance.PRIORS.items()}
    means.update(compliance_logit=compliance.AS_OF["level"], compliance_trend=compliance.AS_OF["trend"])
    offsets = np.zeros(len(regions))
    path = labour_path(region)
    if until is None and path.exists():
        with xr.open_dataset(path) as post:
            means.update({k: float(post[k].mean()) for k in compliance.PRIORS if k in post})
            name = compliance.REGION_PRIOR[0]
            if name in post:
                have = set(post.region.values.tolist())
                offsets = np.array([float(post[name].sel(region=r).mean()) if r in have else 0.0 for r in regions])
    out = {k: (("draw",), np.array([v])) for k, v in means.items()}
    out[compliance.REGION_PRIOR[0]] = (("draw", "region"), offsets[None, :])
    return out


def fitted_observations(region: str, until: int | None, scheme: str = "bhyt") -> pd.DataFrame:
    """Year-end observations of the region and of the nation up to `until` (never targets)."""
    frames = []
    for r in dict.fromkeys([NATIONAL, region]):
        table = tables.table("coverage")
        rows = table[(table.region == r) & (table.scheme == scheme) & (table.kind == "observed")]
        rows = rows[~rows.note.str.lower().str.startswith("mid-year")]
        if until is not None:
            rows = rows[rows.year <= until]
        frames.append(rows)
    obs = pd.concat(frames, ignore_index=True)
    bad = obs[(obs.value < 0) | (obs.value > 1)]
    if not bad.empty:
        row = bad.iloc[0]
        raise InputError("coverage.csv", f"{row.region} {row.year} {row.group}",
                         f"observed coverage {row.value} is outside [0, 1]")
    return obs[obs.group.map(lambda g: figure_groups(g) is not None)].reset_index(drop=True)


class LogPosterior(LogPrior):
    """log p(theta | observations), vectorised over walkers."""

    def __init__(self, region: str, until: int | None, seed: int = 0, policy: Policy | None = None,
                 obs: pd.DataFrame | None = None, known: date | None = None):
        """`until`: the last year whose observations are fitted; `known`: the day the policy, laws
        and targets were known by (the end of `until` unless said: a target set in April is scored
        on the year-end figures published before it and the decisions made by its own day)."""
        self.region = region
        self.frees = free_parameters(region)
        self.regions = list(dict.fromkeys([NATIONAL, region]))
        self.obs = fitted_observations(region, until) if obs is None else obs.reset_index(drop=True)
        if self.obs[self.obs.region == NATIONAL].empty:
            raise InputError("--until", str(until), "no national observation up to this year; "
                                                    f"the first is {first_national_year()}")
        last = int(self.obs.year.max())
        self.seed = seed
        # the scenario whose policy the fit runs on, recorded with the posterior (none for a policy given)
        self.scenario = load(region) if policy is None else None
        base = policy or self.scenario.policy()
        on = knowledge_day(until, known)
        if on is not None:
            base = base.as_of(date(on.year + 1, 1, 1)).known_on(on)
        self.prepared = Prepared.build(base, self.regions, list(range(FIRST_YEAR, last + 1)))
        self.compliance = compliance_point(region, self.regions, until)
        years = self.prepared.years
        self.t_index = np.array([years.index(int(y)) for y in self.obs.year])
        self.r_index = np.array([self.regions.index(r) for r in self.obs.region])
        self.masks = np.array([[g in figure_groups(o) for g in GROUP_IDS] for o in self.obs.group], dtype=float)
        self.y = self.obs.value.to_numpy(float)
        self.walk_span = walk_span(self.obs)
        self.until = until
        # The 2015 household drive belongs to Law 46/2014 (decisions.csv: passed 13 Jun 2014).
        self.law_known = on is None or known_by("46/2014", on)
        # The voucher trial's result, published in June 2014, is a term of fits that know it.
        self.trial = (on is None or on >= price_evidence.PUBLISHED) and price_evidence.TRIAL_YEAR in years

    def predict(self, theta: np.ndarray) -> np.ndarray:
        """Model coverage at each observation, (walker, observation)."""
        theta = self._structural(theta)
        params = to_params(theta, self.frees, self.regions, self.seed)
        params = params.assign({k: (dims, np.broadcast_to(v, (params.sizes["draw"],) + v.shape[1:]))
                                for k, (dims, v) in self.compliance.items()})
        raw = self.prepared.advance(params, self.seed, noise_from=parameters.NO_WALK)
        pop = raw["pop"][self.t_index, self.r_index]  # (obs, group, draw)
        ins = raw["ins"][self.t_index, self.r_index]
        num = (ins * self.masks[:, :, None]).sum(axis=1)
        den = (pop * self.masks[:, :, None]).sum(axis=1)
        return (num / den).T

    def trial_loglik(self, theta: np.ndarray) -> np.ndarray:
        """The voucher trial as a likelihood term per walker: the model's rise in the household
        group's join probability under a 25% voucher against the trial's +0.9 ± 1.0 points."""
        if not self.trial:
            return np.zeros(theta.shape[0])
        params = to_params(self._structural(theta), self.frees, self.regions, self.seed)
        prep = self.prepared
        effect = price_evidence.voucher_effect(params, prep.price, prep.outreach(params, self.seed, parameters.NO_WALK),
                                               prep.years, self.regions, NATIONAL)
        diff, se = price_evidence.trial_effect()
        return -0.5 * ((effect - diff) / se) ** 2

    def _structural(self, theta: np.ndarray) -> np.ndarray:
        if not self.law_known:  # an "as of" fit before Law 46/2014 cannot know its drive
            theta = theta.copy()
            theta[:, [f.name for f in self.frees].index("outreach_2015")] = 0.0
        return theta

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        names = [f.name for f in self.frees]
        sd = np.exp(theta[:, names.index("log_measurement_sd")])
        drift = np.exp(theta[:, names.index("log_drift_sd")]) if "log_drift_sd" in names else np.zeros(len(theta))
        loglik = walk_loglik(self.predict(theta), self.y, sd, drift, self.walk_span) + self.trial_loglik(theta)
        out = self.log_prior(theta) + loglik
        return np.where(np.isfinite(out), out, -np.inf)

    def drift_gain(self, theta: np.ndarray) -> float:
        """Log-odds of the region's coverage per log-odds of joining: a shift of GAIN_SHIFT to
        every join over the last GAIN_YEARS observed years, as the engine's walk would add it, at
        one parameter vector (the posterior's median). The walk of coverage the history shows
        over this gain is the engine's walk of joining for the years ahead."""
        params = to_params(self._structural(np.atleast_2d(theta)), self.frees, self.regions, self.seed)
        params = params.assign({k: (dims, v) for k, (dims, v) in self.compliance.items()})
        years = np.array(self.prepared.years)
        shift = np.zeros((1, len(self.regions), len(years)))
        shift[:, :, years > years[-1] - GAIN_YEARS] = GAIN_SHIFT
        r = len(self.regions) - 1  # the fitted region (the nation for a national fit)

        def logit(raw):
            c = raw["ins"][-1, r].sum(axis=0) / raw["pop"][-1, r].sum(axis=0)
            return np.log(c / (1.0 - c))
        base = logit(self.prepared.advance(params, self.seed, noise_from=parameters.NO_WALK))
        moved = logit(self.prepared.advance(params, self.seed, noise_from=parameters.NO_WALK, outreach_shift=shift))
        return float((moved - base)[0] / GAIN_SHIFT)

    def finish(self, out: xr.Dataset, theta: np.ndarray) -> xr.Dataset:
        """The posterior's engine draws with the fitted walk in the engine's unit, and, for a fit
        "as of" a year, the employers' compliance the fit held fixed (`compliance_point`): its
        runs would otherwise draw compliance from the priors, whose trend alone spreads 2023's
        coverage over some four points that the fit's history pinned to one. The compliance walk
        ahead keeps its prior. A full fit's runs take the labour layer's posterior draws, which
        the point is the mean of (`shipped.attach_draws`)."""
        out.attrs["compliance_from"] = compliance_from(self.compliance, self.region, self.until)
        if self.until is not None:
            W = out.sizes["draw"]
            for name, (dims, value) in self.compliance.items():
                if name != "compliance_sd":
                    out[name] = (dims, np.broadcast_to(value, (W,) + value.shape[1:]).copy())
            prior = compliance.PRIORS["compliance_sd"]
            z = normal(self.seed, "posterior.compliance_sd", out.draw.values)
            out["compliance_sd"] = ("draw", np.exp(prior.mean + prior.sd * z))
            out = out.assign_coords(region=self.regions)
            out.attrs["compliance_held"] = str(compliance.AS_OF)  # listed with the run's held numbers (health.provenance)
        if "log_drift_sd" not in [f.name for f in self.frees]:
            return out
        gain = self.drift_gain(np.median(theta, axis=0))
        engine = to_params(theta, self.frees, self.regions, self.seed, draw_index=out.draw.values, drift_gain=gain)
        out["outreach_sd"] = engine["outreach_sd"]
        out.attrs["drift_gain"] = gain
        return out


def walk_span(obs: pd.DataFrame) -> np.ndarray:
    """(obs, obs): the years both observations lie before their region's last observation, where
    they share that region's walk, else 0. The walk is tied to zero at each region's last
    observation, where the forecast's walk starts, and spreads out backwards as it does ahead."""
    last = obs.groupby("region").year.transform("max").to_numpy()
    back = (last - obs.year.to_numpy()).astype(float)
    same = obs.region.to_numpy()[:, None] == obs.region.to_numpy()[None, :]
    return np.where(same, np.minimum(back[:, None], back[None, :]), 0.0)


def walk_loglik(predicted: np.ndarray, y: np.ndarray, sd: np.ndarray, drift: np.ndarray,
                span: np.ndarray) -> np.ndarray:
    """Log likelihood per walker of the observations `y` around the model's `predicted` (walker,
    obs): independent reporting error of sd `sd`, plus a random walk of the log-odds of coverage
    of sd `drift` a year (`walk_span`), in coverage units through the slope c(1 - c). Without a
    walk (drift 0) this is the independent normal likelihood."""
    bad = ~np.isfinite(predicted).all(axis=1) | ~np.isfinite(sd) | ~np.isfinite(drift)
    predicted = np.where(bad[:, None], 0.5, predicted)
    sd, drift = np.where(bad, 1.0, sd), np.where(bad, 0.0, drift)
    resid = y[None] - predicted
    slope = np.clip(predicted * (1.0 - predicted), 1e-6, None)
    cov = (drift[:, None, None] ** 2) * slope[:, :, None] * slope[:, None, :] * span[None]
    cov = cov + (sd[:, None, None] ** 2) * np.eye(y.size)[None]
    try:
        chol = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        return np.full(len(predicted), -np.inf)
    z = np.linalg.solve(chol, resid[:, :, None])[:, :, 0]
    logdet = np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    return np.where(bad, -np.inf, -0.5 * (z**2).sum(axis=1) - logdet)


def first_national_year() -> int:
    table = tables.table("coverage")
    rows = table[(table.region == NATIONAL) & (table.kind == "observed") & (table.scheme == "bhyt")]
    return int(rows.year.min())


def last_national_year() -> int:
    """The last year-end national observation (mid-year figures are not an origin's outcome)."""
    table = tables.table("coverage")
    rows = table[(table.region == NATIONAL) & (table.kind == "observed") & (table.scheme == "bhyt")]
    rows = rows[~rows.note.str.lower().str.startswith("mid-year")]
    return int(rows.year.max())


first_year = first_national_year
last_year = last_national_year


def national_years() -> list[int]:
    """The years of the nation's year-end figures: a backtest's origins are among them."""
    return sorted({int(y) for y in observed_points.observed(NATIONAL).year})


def reported(post: LogPosterior, predicted: np.ndarray) -> np.ndarray:
    """The model's value of each observation in the observation's own scale."""
    return predicted


def reported_counts(ds, seed: int, region: str) -> dict:
    """Head counts a forecast can be scored on: none (the health fit reads coverage only)."""
    return {}


def count_observations(region: str) -> pd.DataFrame:
    return pd.DataFrame(columns=["year", "kind", "value", "source"])


def base_policy(policy: Policy | None = None) -> Policy:
    """The policy table a forecast runs on."""
    return policy or Policy.from_table()


def own_observations(region: str, until: int, scheme: str, post) -> tuple[int, int]:
    """The first year the forecast reports, and how many of the region's own points the fit saw."""
    own = observed_points.observed(region, scheme)
    own_before = own[own.year <= until]
    first = int(own_before.year.min()) if not own_before.empty else first_national_year()  # nothing later
    count = int(len(own_before)) if region != NATIONAL else int(post.attrs["own_observations"])
    return first, count


def forecast_fields(scheme: str) -> dict:
    """What a forecast's JSON says beside the common fields: the scheme and the rates' denominator,
    as every scheme's forecast (and `run --json`) says them."""
    from covsim.simulator.schemes.health import DENOMINATOR

    return {"scheme": scheme, "denominator": DENOMINATOR}  # until 2026-12-05 "population", unlike run's
