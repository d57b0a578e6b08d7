"""Did a fit converge? The thresholds a posterior must pass before anything uses it silently.

R-hat above 1.05 or an effective sample size below 300 (the ensemble sampler's, or the importance
sampler's Kish ESS), or a Pareto k above 0.7 where nothing better was found (the importance weights
are then unreliable, Vehtari et al. 2024, "Pareto smoothed importance sampling", JMLR 25(72)).
A posterior written despite failing carries `unconverged` (which diagnostic) in its attributes, and
every run that reads it says so on stderr and in its provenance.
"""
from __future__ import annotations

import sys

RHAT_MAX = 1.05
ESS_MIN = 300
PARETO_K_MAX = 0.7


def arviz():
    """ArviZ, which computes these diagnostics (PSIS, R-hat, ESS), imported without the warning it
    gives once a day about a coming refactor: five lines on stderr ahead of a command's own output,
    the day's first fit (it broke a README block the first run after midnight)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module="arviz")
        import arviz as az
    return az


def psis(logw):
    """Pareto-smoothed log weights and their k (ArviZ's `psislw`). Weights so uneven that the tail
    fit overflows give k = inf (the fit then fails its k check and says so in one line) without
    numpy's 'overflow encountered in expm1' on stderr beside it (an audit, 2026-12-07)."""
    import numpy as np

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return arviz().psislw(logw)


def failures(attrs) -> list[str]:
    """The diagnostics that fail, one phrase each ('' list when the fit converged)."""
    out = []
    method = attrs.get("method", "")
    if method == "emcee":
        if "rhat_max" in attrs and float(attrs["rhat_max"]) > RHAT_MAX:
            out.append(f"R-hat {float(attrs['rhat_max']):.3f} > {RHAT_MAX}")
    elif "pareto_k" in attrs and float(attrs["pareto_k"]) > PARETO_K_MAX:
        out.append(f"Pareto k {float(attrs['pareto_k']):.3f} > {PARETO_K_MAX}")
    if "ess" in attrs and float(attrs["ess"]) < ESS_MIN:
        out.append(f"ESS {float(attrs['ess']):.0f} < {ESS_MIN}")
    if method == "emcee" and "laplace_pareto_k" in attrs and out:
        out.append(f"after the Laplace fit's Pareto k {float(attrs['laplace_pareto_k']):.3f} > {PARETO_K_MAX}")
    return out


def verdict(attrs) -> str:
    """One phrase naming what failed, '' if nothing did."""
    return "; ".join(failures(attrs))


#: The sampler's diagnostics a posterior's attributes hold (`convergence` reports them).
DIAGNOSTICS = ("method", "pareto_k", "ess", "rhat_max", "acceptance", "laplace_pareto_k")


def convergence(attrs) -> dict:
    """The sampler's own diagnostics, as stored with the posterior draws, and the verdict on them."""
    out = {}
    for k in DIAGNOSTICS:
        if k in attrs:
            v = attrs[k]
            out[k] = round(float(v), 4) if not isinstance(v, str) else v
    failed = verdict(attrs)  # R-hat, ESS, Pareto k against their thresholds
    out["converged"] = not failed
    if failed:
        out["failed"] = failed
    return out


def mark_unconverged(post, reason: str) -> None:
    """Stamp a posterior written with --allow-unconverged."""
    post.attrs["unconverged"] = reason


def warn_if_unconverged(attrs, name: str) -> str | None:
    """The stderr line a run prints when its draws come from an unconverged fit."""
    reason = attrs.get("unconverged")
    if reason:
        sys.stderr.write(f"covsim: warning: {name} is from a fit that did not converge ({reason}); "
                         f"written with --allow-unconverged\n")
        return str(reason)
    return None
