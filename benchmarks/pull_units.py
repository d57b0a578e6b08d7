"""How much of a target's gap does `target_pull` = 1 close, and would a prior in those units score better?

    python benchmarks/pull_units.py [--draws 300] [--seed 0] [--skip-backtest]

`target_pull` multiplies the gap between the level above's target path and the coverage when the
first target was set (log-odds of coverage, `drives.target_gaps`), and the run adds the product to
every group's join log-odds. Coverage's log-odds move by less: part of the population is insured
whatever the drive (the compulsory and state-paid groups), and the stock turns over only as people
join and lapse. Part 1 measures the share, on the shipped national posterior: each draw run with
its pull set to 0 and to 1 (the rest of the draw as fitted, the same seed), the difference of the
national coverage's log-odds (median over draws) over the year's gap.

Part 2 runs the national backtest of `covsim backtest vietnam --json` (same settings, draws and
seed) in one process under four forms of the pull, each fitted afresh at every origin:
- `shipped`: the prior N(0.5, 0.5), the pull added whatever the other drives deliver;
- `coverage_units`: the prior put in the units its words say ("the share of the gap the drives
  close"), N(0.5 / r, 0.5 / r), r being part 1's mean share over the years of Decision 1167's
  targets (2017-2020). r comes from the whole record's posterior, which no early origin knew, so
  this arm leans in its own favour;
- `shortfall`: the pull closes a share of the shortfall below the target path of the coverage the
  same draw would have without it, max(0, path - logit(c0)), instead of the path's rise since the
  first target: drives that answer a target only where the other drives fall short of it (each
  run twice, the first without the pull; patched into this process only);
- `shortfall_coverage_units`: both.
Prints each arm's MAE, 80% coverage and width per band, the Brier score and the forecasts of 2025
as of 2016 and 2022; last line: JSON. Some 10 min on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import xarray as xr

from covsim import simulator
from covsim.calibration import health_fit
from covsim.calibration.forecast import run_as_of
from covsim.calibration.shipped import shipped_path
from covsim.simulator.inputs import drives
from covsim.simulator.inputs.regions import NATIONAL
from covsim.simulator.schemes.health import Prepared
from covsim.simulator.schemes.parameters import DEFAULT_NOISE_FROM
from national_origins import arm_line, backtest_arm, with_prior

YEARS = list(range(2012, 2031))
SCALE_YEARS = (2017, 2018, 2019, 2020)  # Decision 1167's yearly targets


def closed_share(draws: int, seed: int) -> dict[int, dict]:
    """Per year: the target gap, the national coverage log-odds a pull of 1 adds, and their ratio."""
    post = xr.open_dataset(shipped_path(NATIONAL)).isel(draw=slice(0, draws)).load()
    sc = simulator.load_scenario(NATIONAL)
    gaps = drives.target_gaps([NATIONAL], YEARS)[0]
    logit = {}
    for pull in (0.0, 1.0):
        params = post.copy()
        params["target_pull"] = params.target_pull * 0.0 + pull
        c = run_as_of(sc, YEARS[-1] - 5, YEARS[-1], params, seed).coverage_total.sel(region=NATIONAL)
        logit[pull] = np.log(c / (1 - c)).median("draw")
    moved = logit[1.0] - logit[0.0]
    return {y: {"gap": float(g), "moved": float(moved.sel(year=y)), "share": float(moved.sel(year=y)) / g}
            for y, g in zip(YEARS, gaps) if g > 0.05}


_SHIPPED_ADVANCE = Prepared.advance
_FIRST: dict = {}


def first_logit(region: str, known_by) -> float | None:
    """`drives.first_start`, once per region and day: the shortfall form asks at every run."""
    key = (region, known_by)
    if key not in _FIRST:
        _FIRST[key] = drives.first_start(region, known_by)
    return _FIRST[key]


def shortfall_advance(self, params, seed, noise_from=DEFAULT_NOISE_FROM, by_age=False, parallel=True,
                      progress=None, price=None, outreach_shift=None, keep_states=False, resume=None, keep_from=0):
    """`Prepared.advance` with the pull on the shortfall: the run once with no pull gives each draw's
    coverage c0 (year, region); the pull then adds target_pull * max(0, path - logit(c0)) in place
    of target_pull * (path - first)."""
    kw = dict(by_age=by_age, parallel=parallel, price=price, resume=resume)
    gaps = self.pull
    if gaps is None or "target_pull" not in params or not np.any(gaps > 0):
        return _SHIPPED_ADVANCE(self, params, seed, noise_from, progress=progress, outreach_shift=outreach_shift,
                                keep_states=keep_states, keep_from=keep_from, **kw)
    if resume is not None:  # the run without the pull would need states of its own
        raise ValueError("the shortfall form runs from the start")
    firsts = np.array([first_logit(r, self.known_on) if np.any(gaps[i] > 0) else np.nan
                       for i, r in enumerate(self.regions)])
    path = np.where(gaps > 0, firsts[:, None] + gaps, np.nan)  # (region, year); no path before the first target
    alone = _SHIPPED_ADVANCE(self, params.assign(target_pull=params.target_pull * 0.0), seed, noise_from,
                             outreach_shift=outreach_shift, **kw)
    c0 = np.clip(alone["ins"].sum(axis=2) / alone["pop"].sum(axis=2), 1e-6, 1 - 1e-6)  # (year, region, draw)
    short = np.where(np.isfinite(path)[None], np.maximum(0.0, np.nan_to_num(path)[None]
                                                         - np.log(c0 / (1 - c0)).transpose(2, 1, 0)), 0.0)
    shift = params.target_pull.values[:, None, None] * (short - gaps[None])  # the shipped pull taken back out
    if outreach_shift is not None:
        shift = shift + outreach_shift
    return _SHIPPED_ADVANCE(self, params, seed, noise_from, progress=progress, outreach_shift=shift,
                            keep_states=keep_states, keep_from=keep_from, **kw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-backtest", action="store_true", help="part 1 only (some 20 s)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    share = closed_share(min(args.draws, 200), args.seed)
    for y, s in share.items():
        print(f"{y}: gap {s['gap']:.2f}, a pull of 1 moves coverage's log-odds {s['moved']:.2f}: share {s['share']:.2f}")
    r = float(np.mean([share[y]["share"] for y in SCALE_YEARS]))
    print(f"mean share {SCALE_YEARS[0]}-{SCALE_YEARS[-1]}: r = {r:.3f} ({time.perf_counter() - t0:.0f} s)", flush=True)
    out: dict = {"draws": args.draws, "seed": args.seed, "closed_share": share, "r": r, "arms": {}}
    if not args.skip_backtest:
        shipped = health_fit.SHARED
        prior = next(f for f in shipped if f.name == "target_pull")
        arms = {"shipped": (prior.mean, prior.sd, False), "coverage_units": (prior.mean / r, prior.sd / r, False),
                "shortfall": (prior.mean, prior.sd, True), "shortfall_coverage_units": (prior.mean / r, prior.sd / r, True)}
        for name, (mean, sd, on_shortfall) in arms.items():
            health_fit.SHARED = with_prior("target_pull", mean, sd)
            if on_shortfall:
                Prepared.advance = shortfall_advance
            try:
                arm = backtest_arm(args.draws, args.seed)
            finally:
                health_fit.SHARED, Prepared.advance = shipped, _SHIPPED_ADVANCE
            out["arms"][name] = {"prior": [mean, sd], **arm}
            print(f"{arm_line(name, mean, sd, arm)} ({time.perf_counter() - t0:.0f} s)", flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
