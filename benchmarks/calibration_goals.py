"""Calibration goals of issue 4, measured: backtest against baselines, fit of the provinces' own
points, and the time one region's calibration takes on this machine.

    python benchmarks/calibration_goals.py [--fast]

Goals: national model MAE <= 0.8 x the best baseline's; 80% intervals cover 70-90% of held-out
observations; fitted HCMC 2011 and Vinh Long 2017 within 2 points of 63% and 78.5%; one region
calibrates in under a minute on 2 cores. The last line printed is a JSON object.
"""
from __future__ import annotations

import argparse
import json
import time

from covsim.calibration import fit
from covsim.calibration.backtest import backtest


def fitted(post, region: str, year: int) -> float:
    mask = (post.observation_region.values == region) & (post.observation_year.values == year) \
        & (post.observation_group.values == "all")
    return float(post.fitted.sel(quantile=0.5).values[mask][0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="shorter sampling for the backtest")
    args = parser.parse_args()
    settings = fit.FAST if args.fast else fit.Settings(draws=400)

    out = {}
    for region, year, observed in (("ho_chi_minh_city", 2011, 0.63), ("vinh_long", 2017, 0.785)):
        t0 = time.perf_counter()
        post = fit.calibrate(region, settings=fit.Settings())
        seconds = time.perf_counter() - t0
        value = fitted(post, region, year)
        out[region] = {"calibration_s": round(seconds, 1), "fitted": round(value, 4), "observed": observed,
                       "gap_points": round(100 * abs(value - observed), 2), "pareto_k": round(post.attrs["pareto_k"], 3)}
        print(f"{region}: calibrated in {seconds:.1f} s; fitted {year} coverage {100 * value:.1f}% vs observed "
              f"{100 * observed:.1f}% ({out[region]['gap_points']:.2f} points; goal <= 2)")

    t0 = time.perf_counter()
    bt = backtest("vietnam", 3, settings, draws=300)
    ratio = bt["mae_ratio_to_best"]
    print(f"national backtest ({time.perf_counter() - t0:.0f} s): origins {bt['origins']}, {bt['held_out']} held out")
    print(f"{'method':>16}  {'MAE (pp)':>8}  {'80% cover':>9}")
    for name, s in [("covsim", bt["model"])] + list(bt["baselines"].items()):
        print(f"{name:>16}  {s['mae']:>8.2f}  {s['coverage80']:>9.2f}")
    print(f"model MAE / best baseline MAE = {ratio} (goal <= 0.8); model 80% coverage "
          f"{bt['model']['coverage80']} (goal 0.70-0.90); 95% coverage {bt['model']['coverage95']}")
    out["backtest"] = {k: bt[k] for k in ("origins", "held_out", "model", "baselines", "mae_ratio_to_best")}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
