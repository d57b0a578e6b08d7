"""Issue 38, alternatives tried and not chosen: the damped trend's damping, refitted at every origin.

    python benchmarks/trend_form.py [--draws 300] [--seed 0] [--arms shipped,undamped,damping_0.95]

The drives' yearly trend (`outreach_trend`, log-odds of joining a year since 2008) shrinks each year
by a fitted damping factor (`outreach_damping`, prior logit 0.85, sd 1), so its sum levels off at
trend / (1 - damping) (`parameters.cumulative_drive`). The damping came in right after the first
rolling-origin backtest (b238585, 2026-11-23), before the roadmap, the target pull and the fitted
walk; by 2020, with the roadmap's steps and the trend spent, only the pull carries a rise, and the
forecasts as of 2022 add about 0.3 points a year where the figures added about 1. This runs the
national backtest of `covsim backtest vietnam --json` (same settings, draws and seed) in one
process under the damping's prior of each arm, every origin and every target day fitted afresh:
- `shipped`: N(logit 0.85, 1);
- `undamped`: N(10, 0.01), a factor of 0.99995: the trend adds the same log-odds every year;
- `damping_0.95`: N(logit 0.95, 1), the trend spent more slowly.
The rule, set before the run: an arm replaces the shipped form only if no band's MAE is worse by
more than 0.05 points and it is nearer the goals it misses (80% coverage 0.70-0.90, the Brier score
at most 0.8 x the best baseline's). Prints each arm's MAE, 80% coverage and width per band, the
Brier score and each target's probability; last line: JSON. Some 2 min an arm on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from covsim.calibration import health_fit
from national_origins import arm_line, backtest_arm, with_prior

_SHIPPED = next(f for f in health_fit.SHARED if f.name == "outreach_damping")
ARMS = {"shipped": (_SHIPPED.mean, _SHIPPED.sd), "undamped": (10.0, 0.01),
        "damping_0.95": (float(np.log(0.95 / 0.05)), 1.0)}


def arms(text: str) -> list[str]:
    """--arms: comma-separated names of ARMS; an unknown one is refused before any fit."""
    names = text.split(",")
    unknown = [n for n in names if n not in ARMS]
    if unknown:
        raise argparse.ArgumentTypeError(f"{', '.join(unknown)}: unknown arm; allowed: {', '.join(ARMS)}")
    return names


def cases(arm: dict) -> str:
    return ", ".join(f"{c['target']:.1%} by {c['year']} as of {c['as_of']}: {c['model_p']:.2f}" for c in arm["cases"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--arms", type=arms, default=list(ARMS), help=f"comma-separated, of {', '.join(ARMS)}")
    args = parser.parse_args()
    t0 = time.perf_counter()
    shipped = health_fit.SHARED
    out: dict = {"draws": args.draws, "seed": args.seed, "arms": {}}
    for name in args.arms:
        mean, sd = ARMS[name]
        health_fit.SHARED = with_prior("outreach_damping", mean, sd)
        try:
            arm = backtest_arm(args.draws, args.seed)
        finally:
            health_fit.SHARED = shipped
        out["arms"][name] = {"prior": [mean, sd], **arm}
        print(f"{arm_line(name, mean, sd, arm)}; targets' probabilities {cases(arm)} "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
