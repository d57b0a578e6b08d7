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
Sampling: a Laplace approximation at the posterior mode, importance-resampled against the exact
posterior with Pareto-smoothed weights (ArviZ: the Pareto k and the effective sample size are
the convergence report); emcee's ensemble sampler (R-hat, ESS) where k says the approximation is
poor. Both are vectorised: a thousand parameter sets are one engine call.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import xarray as xr

from covsim.simulator.inputs import tables
from covsim.simulator.schemes import parameters
from covsim.simulator.schemes.health import Prepared, code_version
from covsim.simulator.errors import InputError
from covsim.simulator.inputs.groups import GROUP_IDS, BY_ID
from covsim.simulator.inputs.policy import Policy
from covsim.simulator.inputs.scenario import FIRST_YEAR, load
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
    """How to sample. `laplace`: the posterior mode and curvature give a Student-t proposal whose
    draws are importance-weighted by the exact posterior (Pareto-smoothed, ArviZ) and resampled;
    if the Pareto k diagnostic says the weights are unreliable (k > 0.7), emcee's ensemble
    sampler takes over, started from the proposal. `emcee`: always the ensemble sampler."""

    walkers: int = 32
    burn: int = 300
    steps: int = 300
    draws: int = 1000
    seed: int = 0
    method: str = "laplace"
    proposals: int = 12000


ADAPT_ROUNDS = 3
FAST = Settings(walkers=24, burn=120, steps=120, draws=400, proposals=4000)


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
    table = tables.table("coverage")
    rows = table[(table.region == NATIONAL) & (table.kind == "observed") & (table.scheme == "bhyt")]
    return int(rows.year.min())


def posterior_mode(post: LogPosterior, iterations: int = 200) -> np.ndarray:
    """The posterior mode: L-BFGS-B on central differences, all of whose points go through the
    engine in one vectorised call."""
    from scipy import optimize

    means = np.array([f.mean for f in post.frees])
    K = means.size
    h = 1e-4

    def value_and_gradient(x):
        points = np.vstack([x, x + h * np.eye(K), x - h * np.eye(K)])
        values = -post(points)
        if not np.isfinite(values[0]):
            return 1e12, np.zeros(K)
        grad = (values[1:K + 1] - values[K + 1:]) / (2 * h)
        return float(values[0]), np.where(np.isfinite(grad), grad, 0.0)

    result = optimize.minimize(value_and_gradient, means, jac=True, method="L-BFGS-B",
                               options={"maxiter": iterations})
    return result.x


def curvature(post: LogPosterior, mode: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """Covariance of the Laplace approximation: the inverse Hessian of -log p at the mode, from
    second differences evaluated in one engine call; the prior's variance where it is not
    positive definite."""
    K = mode.size
    E = h * np.eye(K)
    points = [mode]
    for i in range(K):
        for j in range(i, K):
            points += [mode + E[i] + E[j], mode + E[i] - E[j], mode - E[i] + E[j], mode - E[i] - E[j]]
    values = -post(np.vstack(points))
    H = np.zeros((K, K))
    k = 1
    for i in range(K):
        for j in range(i, K):
            pp, pm, mp, mm = values[k:k + 4]
            H[i, j] = H[j, i] = (pp - pm - mp + mm) / (4 * h * h)
            k += 4
    prior_var = np.array([f.sd for f in post.frees]) ** 2
    try:
        cov = np.linalg.inv(H)
        np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        cov = np.diag(prior_var)
    return cov


def _importance(post: LogPosterior, mode: np.ndarray, cov: np.ndarray, settings: Settings,
                rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Adaptive importance sampling: a Student-t proposal from the Laplace approximation,
    refitted a few times to its own weighted draws (population Monte Carlo), then a final large
    round whose Pareto-smoothed weights resample the posterior draws."""
    import arviz as az
    from scipy import stats

    mean = mode
    rounds = [settings.proposals // 4] * ADAPT_ROUNDS + [settings.proposals]
    for i, n in enumerate(rounds):
        proposal = stats.multivariate_t(loc=mean, shape=1.5 * cov, df=5, seed=rng)
        x = proposal.rvs(n)
        logp = np.concatenate([post(chunk) for chunk in np.array_split(x, max(1, n // 1000))])
        logw = logp - proposal.logpdf(x)
        logw = np.where(np.isfinite(logw), logw, -np.inf)
        smoothed, k = az.psislw(logw.copy())
        w = np.exp(smoothed - smoothed.max())
        w /= w.sum()
        if i < ADAPT_ROUNDS:
            mean = w @ x
            d = x - mean
            cov = (w[:, None] * d).T @ d + 1e-9 * np.eye(mean.size)
    ess = 1.0 / np.sum(w**2)
    # Systematic resampling: low variance, reproducible with the seed.
    positions = (rng.random() + np.arange(settings.draws)) / settings.draws
    pick = np.minimum(np.searchsorted(np.cumsum(w), positions), len(w) - 1)
    return x[pick], {"method": "laplace-importance", "pareto_k": float(k), "ess": float(ess),
                     "proposals": int(sum(rounds)), "log_posterior_max": float(logp.max())}


def _ensemble(post: LogPosterior, start: np.ndarray, settings: Settings,
              rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    import arviz as az
    import emcee

    K = start.shape[1]
    sampler = emcee.EnsembleSampler(settings.walkers, K, post, vectorize=True)
    sampler.random_state = np.random.RandomState(settings.seed).get_state()  # emcee's stream, seeded
    sampler.run_mcmc(start, settings.burn + settings.steps, progress=False)
    chain = sampler.get_chain(discard=settings.burn)  # (steps, walkers, K)
    idata = az.from_dict(posterior={f"p{i}": chain[:, :, i].T for i in range(K)})
    rhat, ess = az.rhat(idata), az.ess(idata)
    flat = chain.reshape(-1, K)
    pick = rng.choice(flat.shape[0], settings.draws, replace=flat.shape[0] < settings.draws)
    return flat[pick], {"method": "emcee", "rhat_max": float(max(float(rhat[v]) for v in rhat.data_vars)),
                        "ess": float(min(float(ess[v]) for v in ess.data_vars)),
                        "acceptance": float(np.mean(sampler.acceptance_fraction)),
                        "walkers": settings.walkers, "burn": settings.burn, "steps": settings.steps,
                        "log_posterior_max": float(sampler.get_log_prob(discard=settings.burn).max())}


def sample_posterior(post, settings: Settings, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Draws of a log posterior's free parameters, and the sampler's diagnostics: adaptive
    importance sampling from the Laplace approximation, emcee where its Pareto k is too high (or
    when asked). Any object with `frees` and a vectorised `__call__` will do."""
    mode = posterior_mode(post)
    cov = curvature(post, mode)
    diagnostics: dict = {}
    if settings.method == "laplace":
        sample, diagnostics = _importance(post, mode, cov, settings, rng)
    if settings.method == "emcee" or diagnostics.get("pareto_k", 0.0) > 0.7:
        walk = dataclasses.replace(settings, walkers=max(settings.walkers, 2 * len(post.frees) + 2))
        start = rng.multivariate_normal(mode, cov, walk.walkers)
        sample, mcmc = _ensemble(post, start, walk, rng)
        diagnostics = {**{f"laplace_{k}": v for k, v in diagnostics.items()}, **mcmc}
    return sample, diagnostics


def calibrate(region: str, until: int | None = None, settings: Settings = Settings(),
              policy: Policy | None = None, obs: pd.DataFrame | None = None) -> xr.Dataset:
    """Posterior parameter draws for `region` fitted on observations up to `until`.

    `obs` replaces the shipped observations (synthetic-recovery tests); columns region, year,
    group, value, source.
    """
    started = time.perf_counter()
    if until is not None and until < first_national_year():
        raise InputError("--until", str(until), f"is before the first national observation "
                                                f"({first_national_year()}); nothing to fit")
    post = LogPosterior(region, until, settings.seed, policy, obs)
    frees = post.frees
    rng = np.random.default_rng([settings.seed, 4242])
    sample, diagnostics = sample_posterior(post, settings, rng)
    theta = post._structural(sample)
    out = to_params(theta, frees, post.regions, settings.seed)
    for i, f in enumerate(frees):
        out[f"theta_{f.name}"] = ("draw", theta[:, i], {"long_name": f.doc, "prior": f"N({f.mean:.3g}, {f.sd:.3g})"})
    fitted = post.predict(theta[: min(200, len(theta))])
    own = post.obs.region == region
    out.attrs.update(
        source="posterior", region=region, until=-1 if until is None else int(until),
        own_observations=int(own.sum()) if region != NATIONAL else int(len(post.obs)),
        national_observations=int((post.obs.region == NATIONAL).sum()),
        runtime_s=round(time.perf_counter() - started, 2), seed=settings.seed,
        code_version=code_version(), data_hash=tables.data_hash(), **diagnostics,
    )
    out["observation_value"] = ("observation", post.y)
    out["observation_year"] = ("observation", post.obs.year.to_numpy())
    out["observation_region"] = ("observation", post.obs.region.to_numpy().astype(str))
    out["observation_group"] = ("observation", post.obs.group.to_numpy().astype(str))
    out["observation_source"] = ("observation", post.obs.source.to_numpy().astype(str))
    out["fitted"] = (("observation", "quantile"), np.quantile(fitted, [0.1, 0.5, 0.9], axis=0).T)
    out = out.assign_coords(quantile=[0.1, 0.5, 0.9])
    return out
