"""Fit the engine's free parameters to observed coverage, with measurement error and pooling.

What is fitted (a few shifts on the priors of `covsim.simulator.parameters`, so that a handful of
national points can identify them): the join log-odds of state-paid, employee and voluntary
groups, a common lapse shift, the response to the net premium, the 2015 household-enrolment
drive, the region's own offset from the national level, and the measurement error of reported
coverage. Each region is fitted jointly with the national series: the national points pin the
shared parameters, the region's own points its offset, which a N(0, 0.5) prior pulls towards the
national fit (partial pooling), so a province with one observation still gets a sensible fit and
one with none gets the national fit with wider intervals.

Observations only, never targets; year-end figures only; nothing after `until`, from any region.
Sampling is emcee's affine-invariant ensemble, vectorised: every walker is one draw of a single
engine call. Convergence is reported as R-hat and effective sample size (ArviZ).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import xarray as xr

from covsim.simulator import data, observations, parameters
from covsim.simulator.engine import Prepared, code_version
from covsim.simulator.errors import InputError
from covsim.simulator.groups import GROUP_IDS, BY_ID
from covsim.simulator.policy import Policy
from covsim.simulator.scenario import FIRST_YEAR, load
from covsim.simulator.streams import normal

NATIONAL = "vietnam"


@dataclass(frozen=True)
class Free:
    name: str
    mean: float
    sd: float
    doc: str


SHARED = (
    Free("join_state", 0.0, 1.0, "shift of the join log-odds of state-paid groups (poor, under-6, other)"),
    Free("join_employee", 0.0, 1.0, "shift of the join log-odds of employees (compliance)"),
    Free("join_voluntary", 0.0, 1.0, "shift of the join log-odds of near-poor, students, farm households, households"),
    Free("lapse", 0.0, 0.5, "shift of every group's lapse log-odds"),
    Free("log_price_sensitivity", float(np.log(0.8)), 0.4, "log of log-odds per % of income (domain notes §5)"),
    Free("outreach_2015", 1.0, 0.5, "log-odds drive of Law 46/2014's household enrolment, ramped 2015-2017"),
    Free("outreach_trend", 0.05, 0.1, "log-odds a year of enforcement and outreach since 2008 (roadmap, drives)"),
    Free("outreach_damping", 1.73, 1.0, "logit of the yearly damping of that drive (levels coverage off)"),
    Free("log_measurement_sd", float(np.log(0.01)), 0.5, "log sd of reported coverage around the model's (VSS vs MoH differ ~1 point)"),
)
REGION_OFFSET = Free("region_offset", 0.0, parameters.REGION_OFFSET_SD, "the region's join log-odds offset from the national level")
STATE_GROUPS = ("poor", "child_under6", "other_state_paid")


@dataclass
class Settings:
    walkers: int = 32
    burn: int = 300
    steps: int = 300
    draws: int = 1000
    seed: int = 0


FAST = Settings(walkers=24, burn=120, steps=120, draws=400)


def free_parameters(region: str) -> tuple[Free, ...]:
    return SHARED + ((REGION_OFFSET,) if region != NATIONAL else ())


def to_params(theta: np.ndarray, frees: tuple[Free, ...], regions: list[str], seed: int,
              draw_index: np.ndarray | None = None) -> xr.Dataset:
    """Engine parameter draws from fitted vectors (one row a draw)."""
    W = theta.shape[0]
    col = {f.name: theta[:, i] for i, f in enumerate(frees)}
    idx = np.arange(W) if draw_index is None else draw_index
    join = np.array([[parameters.JOIN_PRIOR[g].mean for g in GROUP_IDS]]).repeat(W, axis=0)
    lapse = np.array([[parameters.LAPSE_PRIOR[g].mean for g in GROUP_IDS]]).repeat(W, axis=0)
    for j, g in enumerate(GROUP_IDS):
        if g in STATE_GROUPS:
            join[:, j] += col["join_state"]
        elif g == "employee":
            join[:, j] += col["join_employee"]
        elif BY_ID[g].voluntary:
            join[:, j] += col["join_voluntary"]
    lapse += col["lapse"][:, None]
    offsets = np.zeros((W, len(regions)))
    if "region_offset" in col:
        for i, r in enumerate(regions):
            if r != NATIONAL:
                offsets[:, i] = col["region_offset"]
    # The outreach random walk is not identified by history (it only runs after the last
    # observation): its size comes from its prior.
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
            "outreach_sd": (("draw",), outreach_sd),
            "measurement_sd": (("draw",), np.exp(col["log_measurement_sd"])),
        },
        coords={"draw": idx, "group": list(GROUP_IDS), "region": regions},
    )


def fitted_observations(region: str, until: int | None, scheme: str = "bhyt") -> pd.DataFrame:
    """Year-end observations of the region and of the nation up to `until` (never targets)."""
    frames = []
    for r in dict.fromkeys([NATIONAL, region]):
        table = data.table("coverage")
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
    return obs[obs.group.map(lambda g: model_groups(g) is not None)].reset_index(drop=True)


def model_groups(group: str) -> list[str] | None:
    """The model groups an observation's group stands for ('all', an id, law group, or a+b)."""
    if group == "all":
        return list(GROUP_IDS)
    if group.startswith("law") and group[3:].isdigit():
        return [g.id for g in BY_ID.values() if g.law_group == int(group[3:])]
    parts = group.split("+")
    return parts if all(p in GROUP_IDS for p in parts) else None


class LogPosterior:
    """log p(theta | observations), vectorised over walkers."""

    def __init__(self, region: str, until: int | None, seed: int = 0, policy: Policy | None = None,
                 obs: pd.DataFrame | None = None):
        self.region = region
        self.frees = free_parameters(region)
        self.regions = list(dict.fromkeys([NATIONAL, region]))
        self.obs = fitted_observations(region, until) if obs is None else obs.reset_index(drop=True)
        if self.obs[self.obs.region == NATIONAL].empty:
            raise InputError("--until", str(until), "no national observation up to this year; "
                                                    f"the first is {first_national_year()}")
        last = int(self.obs.year.max())
        self.seed = seed
        base = policy or load(region).policy()
        if until is not None:
            base = base.as_of(date(until + 1, 1, 1))
        self.prepared = Prepared.build(base, self.regions, list(range(FIRST_YEAR, last + 1)))
        years = self.prepared.years
        self.t_index = np.array([years.index(int(y)) for y in self.obs.year])
        self.r_index = np.array([self.regions.index(r) for r in self.obs.region])
        self.masks = np.array([[g in model_groups(o) for g in GROUP_IDS] for o in self.obs.group], dtype=float)
        self.y = self.obs.value.to_numpy(float)
        self.until = until
        self.law_known = until is None or until >= 2014  # Law 46/2014 passed on 13 Jun 2014

    def predict(self, theta: np.ndarray) -> np.ndarray:
        """Model coverage at each observation, (walker, observation)."""
        theta = self._structural(theta)
        params = to_params(theta, self.frees, self.regions, self.seed)
        raw = self.prepared.advance(params, self.seed, noise_from=10_000)
        pop = raw["pop"][self.t_index, self.r_index]  # (obs, group, draw)
        ins = raw["ins"][self.t_index, self.r_index]
        num = (ins * self.masks[:, :, None]).sum(axis=1)
        den = (pop * self.masks[:, :, None]).sum(axis=1)
        return (num / den).T

    def _structural(self, theta: np.ndarray) -> np.ndarray:
        if not self.law_known:  # an "as of" fit before Law 46/2014 cannot know its drive
            theta = theta.copy()
            theta[:, [f.name for f in self.frees].index("outreach_2015")] = 0.0
        return theta

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        means = np.array([f.mean for f in self.frees])
        sds = np.array([f.sd for f in self.frees])
        return -0.5 * (((theta - means) / sds) ** 2).sum(axis=1)

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        sd = np.exp(theta[:, [f.name for f in self.frees].index("log_measurement_sd")])[:, None]
        resid = (self.predict(theta) - self.y[None]) / sd
        loglik = (-0.5 * resid**2 - np.log(sd)).sum(axis=1)
        out = self.log_prior(theta) + loglik
        return np.where(np.isfinite(out), out, -np.inf)


def first_national_year() -> int:
    table = data.table("coverage")
    rows = table[(table.region == NATIONAL) & (table.kind == "observed") & (table.scheme == "bhyt")]
    return int(rows.year.min())


def calibrate(region: str, until: int | None = None, settings: Settings = Settings(),
              policy: Policy | None = None, obs: pd.DataFrame | None = None) -> xr.Dataset:
    """Posterior parameter draws for `region` fitted on observations up to `until`.

    `obs` replaces the shipped observations (synthetic-recovery tests); columns region, year,
    group, value, source.
    """
    import arviz as az
    import emcee

    started = time.perf_counter()
    if until is not None and until < first_national_year():
        raise InputError("--until", str(until), f"is before the first national observation "
                                                f"({first_national_year()}); nothing to fit")
    post = LogPosterior(region, until, settings.seed, policy, obs)
    frees = post.frees
    K = len(frees)
    rng = np.random.default_rng([settings.seed, 4242])
    means = np.array([f.mean for f in frees])
    sds = np.array([f.sd for f in frees])
    start = means + 0.3 * sds * rng.standard_normal((settings.walkers, K))
    sampler = emcee.EnsembleSampler(settings.walkers, K, post, vectorize=True,
                                    moves=[(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)])
    sampler.random_state = np.random.RandomState(settings.seed).get_state()  # emcee's stream, seeded
    sampler.run_mcmc(start, settings.burn + settings.steps, progress=False)
    chain = sampler.get_chain(discard=settings.burn)  # (steps, walkers, K)
    logp = sampler.get_log_prob(discard=settings.burn)
    idata = az.from_dict(posterior={f.name: chain[:, :, i].T for i, f in enumerate(frees)})
    rhat = az.rhat(idata)
    ess = az.ess(idata)
    flat = chain.reshape(-1, K)
    pick = rng.choice(flat.shape[0], settings.draws, replace=flat.shape[0] < settings.draws)
    theta = post._structural(flat[pick])
    out = to_params(theta, frees, post.regions, settings.seed)
    for i, f in enumerate(frees):
        out[f"theta_{f.name}"] = ("draw", theta[:, i], {"long_name": f.doc, "prior": f"N({f.mean:.3g}, {f.sd:.3g})"})
    fitted = post.predict(theta[: min(200, len(theta))])
    own = post.obs.region == region
    out.attrs.update(
        source="posterior", region=region, until=-1 if until is None else int(until),
        own_observations=int(own.sum()) if region != NATIONAL else int(len(post.obs)),
        national_observations=int((post.obs.region == NATIONAL).sum()),
        rhat_max=float(max(float(rhat[v]) for v in rhat.data_vars)),
        ess_min=float(min(float(ess[v]) for v in ess.data_vars)),
        acceptance=float(np.mean(sampler.acceptance_fraction)),
        walkers=settings.walkers, burn=settings.burn, steps=settings.steps,
        runtime_s=round(time.perf_counter() - started, 2), seed=settings.seed,
        code_version=code_version(), data_hash=data.data_hash(),
        log_posterior_max=float(logp.max()),
    )
    out["observation_value"] = ("observation", post.y)
    out["observation_year"] = ("observation", post.obs.year.to_numpy())
    out["observation_region"] = ("observation", post.obs.region.to_numpy().astype(str))
    out["observation_group"] = ("observation", post.obs.group.to_numpy().astype(str))
    out["observation_source"] = ("observation", post.obs.source.to_numpy().astype(str))
    out["fitted"] = (("observation", "quantile"), np.quantile(fitted, [0.1, 0.5, 0.9], axis=0).T)
    out = out.assign_coords(quantile=[0.1, 0.5, 0.9])
    return out
