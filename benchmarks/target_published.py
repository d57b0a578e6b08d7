"""Issue 38, measured and not changed: the targets' probabilities of the published figure.

    python benchmarks/target_published.py [--draws 300] [--seed 0]

A target is judged on the published year-end figure. `covsim target` and the backtest's Brier
score give the probability that the model's coverage reaches it; the coverage bands of the same
backtest score the model's predictive of the published figure, which adds the fit's reporting
error (`forecast.predictive`, `measurement_sd`), and the baselines' probabilities come from their
predictive intervals of the published figure. This refits every national target's day as
`covsim backtest vietnam --json` does (same settings, draws and seed) and prints both
probabilities of each case and both Brier scores. Some 30 s on 2 cores. Last line: JSON.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time

import numpy as np

from covsim import simulator
from covsim.calibration import backtest as bt
from covsim.calibration.fit import calibrate
from covsim.calibration.forecast import predictive, run_as_of
from covsim.calibration.scoring import national_targets, reached
from covsim.simulator.analysis.planning import probability
from covsim.simulator.inputs.regions import NATIONAL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    t0 = time.perf_counter()
    settings = dataclasses.replace(bt.SETTINGS, draws=args.draws, seed=args.seed)
    scenario = simulator.load_scenario(NATIONAL)
    runs: dict = {}
    cases = []
    for row in national_targets().sort_values(["decided", "year"]).itertuples(index=False):
        if row.decided is None or not np.isfinite(row.observed):
            continue
        until = row.decided.year - 1
        if (until, row.decided) not in runs:
            post = calibrate(NATIONAL, until, settings, known=row.decided).isel(draw=slice(0, args.draws))
            ds = run_as_of(scenario, until, scenario.end, post, args.seed, known=row.decided)
            runs[until, row.decided] = (ds.coverage_total.sel(region=NATIONAL),
                                        predictive(ds, post, args.seed, NATIONAL),
                                        float(post.measurement_sd.median()))
        model, published, sd = runs[until, row.decided]
        y = int(row.year)
        cases.append({"target": float(row.value), "year": y, "decided": row.decided.isoformat(),
                      "outcome": int(reached(row.observed, row.value)),
                      "model_p": round(probability(model.sel(year=y), row.value), 4),
                      "published_p": round(probability(published.sel(year=y), row.value), 4),
                      "measurement_sd_points": round(100 * sd, 2)})
        c = cases[-1]
        print(f"{c['target']:.2%} by {y}, set {c['decided']}: outcome {c['outcome']}, model's coverage {c['model_p']:.3f}, "
              f"published figure {c['published_p']:.3f} (reporting error sd {c['measurement_sd_points']} points)", flush=True)
    y = np.array([c["outcome"] for c in cases], dtype=float)
    brier = {k: round(float(np.mean((np.array([c[k] for c in cases]) - y) ** 2)), 4) for k in ("model_p", "published_p")}
    print(f"Brier: model's coverage {brier['model_p']:.4f}, published figure {brier['published_p']:.4f} "
          f"({time.perf_counter() - t0:.0f} s)")
    print(json.dumps({"draws": args.draws, "seed": args.seed, "cases": cases, "brier": brier}))


if __name__ == "__main__":
    main()
