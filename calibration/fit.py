"""One fit for every scheme: posterior draws of a scheme's free parameters from its observations.

Each scheme's fit (`health_fit` for BHYT, `labour_fit` for BHXH and BHTN) says what is free, its
priors, how free parameters become the engine's and its log posterior; `calibrate` samples any of
them the same way. Sampling: a Laplace approximation at the posterior mode, importance-resampled
against the exact posterior with Pareto-smoothed weights (ArviZ: the Pareto k and the effective
sample size are the convergence report); emcee's ensemble sampler (R-hat, ESS) where k says the
approximation is poor. Both are vectorised: a thousand parameter sets are one engine call.

The same seed gives the same draws on any CPU. NumPy picks its vector kernels by CPU (AVX-512 or
AVX2), so the log posterior differs between machines in its last bits; the stopped optimiser and
the eigenvectors scipy's multivariate t draws with (whose signs are arbitrary) turned that into a
different proposal, and a different posterior. The mode is now polished by Newton steps to where
two CPUs agree to about 1e-9, the proposal's centre and spread are rounded to a grid far coarser
than that (`_rounded`: it is only a proposal, which the importance weights correct), and its draws
are made with a Cholesky factor, which moves smoothly with the matrix.
"""
from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from datetime import date
from types import ModuleType

import numpy as np
import pandas as pd
import xarray as xr

from covsim.simulator.errors import InputError
from covsim.simulator.inputs import tables
from covsim.simulator.inputs.policy import Policy
from covsim.simulator.schemes.provenance import code_version

from . import health_fit, labour_fit, learned
from .priors import NATIONAL

#: Newton steps that polish the optimiser's mode, and the step size at which they stop.
NEWTON_STEPS, NEWTON_TOL = 6, 1e-9
#: The grid the proposal is rounded to: its centre to MODE_GRID, its scales to SCALE_DIGITS
#: significant digits, its correlations to CORR_GRID (far coarser than the ~1e-9 by which two CPUs'
#: modes differ, far finer than the posterior's spread).
MODE_GRID, SCALE_DIGITS, CORR_GRID = 1e-4, 3, 1e-3

#: Each scheme's fit, by scheme id.
FITS: dict[str, ModuleType] = {"bhyt": health_fit, "bhxh": labour_fit, "bhtn": labour_fit}


def fit_of(scheme: str) -> ModuleType:
    if scheme not in FITS:
        raise InputError("--scheme", scheme, f"unknown scheme; allowed: {', '.join(FITS)}")
    return FITS[scheme]


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
    proposals: int = 24000  # 12000 left the fit with the roadmap below ESS 300 (vietnam 237, HCMC 279)


ADAPT_ROUNDS = 3
FAST = Settings(walkers=24, burn=120, steps=120, draws=400, proposals=4000)


def settings_record(settings: Settings) -> dict:
    """The sampler's settings as a fit records them, and whether they are `--fast`'s (the flag a
    stranger re-running the command needs: the fit's own draws and seed aside, FAST's walkers, steps
    and proposals)."""
    fast = dataclasses.replace(FAST, draws=settings.draws, seed=settings.seed, method=settings.method) == settings
    return {**dataclasses.asdict(settings), "fast": fast}


def posterior_mode(post, iterations: int = 200) -> np.ndarray:
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
    return _polished(value_and_gradient, post, result.x)


def _polished(value_and_gradient, post, x: np.ndarray) -> np.ndarray:
    """Newton steps from L-BFGS-B's stop (which lies wherever its tolerance ran out, some 1e-4
    apart on two CPUs) to the mode itself, each kept only if it does not go downhill."""
    value, grad = value_and_gradient(x)
    for _ in range(NEWTON_STEPS):
        step = curvature(post, x) @ grad
        if not np.all(np.isfinite(step)):
            break
        after, grad_after = value_and_gradient(x - step)
        if after > value:
            break
        x, value, grad = x - step, after, grad_after
        if np.abs(step).max() < NEWTON_TOL:
            break
    return x


def _rounded(mean: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A proposal's centre and covariance on a coarse grid (module docstring): two CPUs whose
    numbers differ in their last bits then propose the very same points."""
    sd = np.sqrt(np.diag(cov))
    exact = cov / np.outer(sd, sd)
    scale = np.array([float(f"{v:.{SCALE_DIGITS}g}") for v in sd])
    for shrink in np.linspace(1.0, 0.9, 11):  # rounding can leave a near-singular matrix not positive
        corr = np.round(exact * shrink / CORR_GRID) * CORR_GRID
        np.fill_diagonal(corr, 1.0)
        try:
            np.linalg.cholesky(corr)
            break
        except np.linalg.LinAlgError:
            continue
    else:
        corr = np.eye(sd.size)
    return np.round(mean / MODE_GRID) * MODE_GRID, corr * np.outer(scale, scale)


def _t_draws(loc: np.ndarray, shape: np.ndarray, df: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Multivariate Student-t draws through the Cholesky factor of `shape`, which (unlike the
    eigenvectors scipy draws with) changes smoothly with it."""
    z = rng.standard_normal((n, loc.size)) @ np.linalg.cholesky(shape).T
    return loc + z / np.sqrt(rng.chisquare(df, n) / df)[:, None]


def curvature(post, mode: np.ndarray, h: float = 1e-3) -> np.ndarray:
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


def _importance(post, mode: np.ndarray, cov: np.ndarray, settings: Settings,
                rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Adaptive importance sampling: a Student-t proposal from the Laplace approximation,
    refitted a few times to its own weighted draws (population Monte Carlo), then a final large
    round whose Pareto-smoothed weights resample the posterior draws."""
    from scipy import stats

    from .diagnostics import psis

    mean = mode
    rounds = [settings.proposals // 4] * ADAPT_ROUNDS + [settings.proposals]
    for i, n in enumerate(rounds):
        mean, cov = _rounded(mean, cov)
        proposal = stats.multivariate_t(loc=mean, shape=1.5 * cov, df=5)
        x = _t_draws(mean, 1.5 * cov, 5, n, rng)
        logp = np.concatenate([post(chunk) for chunk in np.array_split(x, max(1, n // 1000))])
        logw = logp - proposal.logpdf(x)
        logw = np.where(np.isfinite(logw), logw, -np.inf)
        smoothed, k = psis(logw.copy())
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


def _ensemble(post, start: np.ndarray, settings: Settings,
              rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    import emcee

    from .diagnostics import arviz

    az = arviz()

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
        start = rng.multivariate_normal(mode, cov, walk.walkers, method="cholesky")
        sample, mcmc = _ensemble(post, start, walk, rng)
        diagnostics = {**{f"laplace_{k}": v for k, v in diagnostics.items()}, **mcmc}
    return sample, diagnostics


def fitted_on(post, policy: Policy | None) -> dict[str, str]:
    """The scenario a fit ran on, recorded beside its data, code and seed: the region's own scenario
    (health, whose top-ups are the region's), or none where the fit runs on the policy table (labour)
    or on a policy given through the Python API."""
    scenario = getattr(post, "scenario", None)
    if scenario is not None:
        return {"scenario": scenario.name, "scenario_hash": scenario.hash}
    return {"scenario": "none: a policy given through the Python API" if policy is not None
            else "none: the shipped policy table"}


def calibrate(region: str, until: int | None = None, settings: Settings = Settings(),
              policy: Policy | None = None, obs: pd.DataFrame | None = None, scheme: str = "bhyt",
              known: date | None = None) -> xr.Dataset:
    """Posterior parameter draws of `scheme`'s fit for `region`, on observations up to `until`.

    `obs` replaces the shipped observations (synthetic-recovery tests), in the scheme fit's columns.
    `known` (health fit): the day the policy and targets are known by, if not the end of `until`.
    """
    model = fit_of(scheme)
    started = time.perf_counter()
    if until is not None and until < model.first_year():
        raise InputError("--until", str(until), f"is before the first {model.OBSERVED} "
                                                f"({model.first_year()}); nothing to fit")
    post = model.LogPosterior(region, until, settings.seed, policy, obs, **({"known": known} if known else {}))
    frees = post.frees
    rng = np.random.default_rng([settings.seed, model.RNG_STREAM])
    sample, diagnostics = sample_posterior(post, settings, rng)
    theta = post._structural(sample)
    out = model.to_params(theta, frees, post.regions, settings.seed)
    if hasattr(post, "finish"):  # what the fit knows beyond its draws (the health fit's walk)
        out = post.finish(out, theta)
    for i, f in enumerate(frees):
        out[f"theta_{f.name}"] = ("draw", theta[:, i], {"long_name": f.doc, "prior": learned.prior_label(f.mean, f.sd)})
    fitted = model.reported(post, post.predict(theta[: min(200, len(theta))]))
    out.attrs.update(
        source=model.SOURCE, region=region, until=-1 if until is None else int(until),
        **({"known_on": known.isoformat()} if known else {}),
        own_observations=int((post.obs.region == region).sum()) if region != NATIONAL else int(len(post.obs)),
        national_observations=int((post.obs.region == NATIONAL).sum()),
        runtime_s=round(time.perf_counter() - started, 2), seed=settings.seed,
        code_version=code_version(), data_hash=tables.data_hash(), **fitted_on(post, policy), **diagnostics,
        settings=json.dumps(settings_record(settings)),  # what re-fits it: --fast, --sampler, --draws
    )
    learned.stamp(out)  # which fitted numbers are still mostly their priors
    out["observation_value"] = ("observation", post.obs.value.to_numpy(float))
    out["observation_year"] = ("observation", post.obs.year.to_numpy())
    out["observation_region"] = ("observation", post.obs.region.to_numpy().astype(str))
    label = model.OBSERVATION_LABEL
    out[f"observation_{label}"] = ("observation", post.obs[label].to_numpy().astype(str))
    out["observation_source"] = ("observation", post.obs.source.to_numpy().astype(str))
    out["fitted"] = (("observation", "quantile"), np.quantile(fitted, [0.1, 0.5, 0.9], axis=0).T)
    return out.assign_coords(quantile=[0.1, 0.5, 0.9])
