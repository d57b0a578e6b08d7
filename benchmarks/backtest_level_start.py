"""Would the national backtest score better if each forecast started nearer the last figure?

    python benchmarks/backtest_level_start.py [--gains 0,0.25,0.5,0.75,1] [--draws 300] [--seed 0]

The fit ties its walk to zero at the last figure, so a forecast starts from the model's curve and
reads the last figure's gap to it as reporting error (docs/model.md, "Where the next test
starts"). This refits every origin of `covsim backtest vietnam` (same settings, seed and draws)
and moves each draw's forecast, in log-odds, by `gain` x the gap at the origin between the
figure and the forecast's mean there: gain 0 is the model as shipped (its scores are the
backtest's), gain 1 a forecast that starts from the figure. Only the level moves, not the
spread. Prints each gain's MAE, 80% coverage and width per band; last line: JSON. About a
backtest's time (some 80 s on 2 cores): one fit per origin, every gain scored on the same draws.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time

import numpy as np
from scipy.special import expit, logit

from covsim.calibration import backtest as bt
from covsim.calibration.baselines import yearly
from covsim.calibration.forecast import forecast
from covsim.simulator.inputs import observations

BANDS = bt.BANDS[:3]  # 1-3, 4-6, 7-10: the bands a 10-year backtest scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gains", type=lambda t: [float(g) for g in t.split(",")], default=[0, 0.25, 0.5, 0.75, 1])
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    obs = observations.observed("vietnam")[["year", "value", "source"]]
    series = yearly(obs)  # a year's sources averaged: the figure the gap is measured from
    origins = bt.origins(obs, 10, bt.fit_of("bhyt").national_years())
    settings = dataclasses.replace(bt.SETTINGS, draws=args.draws, seed=args.seed)
    rows: dict[float, list[tuple]] = {g: [] for g in args.gains}
    t0 = time.perf_counter()
    for origin in origins:
        result = forecast("vietnam", origin, origin + 10, draws=args.draws, seed=args.seed, settings=settings,
                          keep_draws=True)
        reported = result.pop("_reported")
        at = next(r["mean"] for r in result["forecasts"] if r["year"] == origin)
        gap = logit(series.loc[origin]) - logit(at)
        for gain in args.gains:
            for r in obs[(obs.year > origin) & (obs.year <= origin + 10)].itertuples(index=False):
                v = expit(logit(np.clip(reported.sel(year=int(r.year)).values, 1e-9, 1 - 1e-9)) + gain * gap)
                lo, hi, lo95, hi95 = np.quantile(v, [0.1, 0.9, 0.025, 0.975])
                rows[gain].append((origin, int(r.year), r.value, float(v.mean()), lo, hi, lo95, hi95))
        print(f"origin {origin}: figure {100 * series.loc[origin]:.2f}%, model {100 * at:.2f}% "
              f"(gap {100 * (series.loc[origin] - at):+.2f} points)", flush=True)
    out = {}
    for gain in args.gains:
        out[str(gain)] = []
        for a, b in BANDS:
            pick = [r for r in rows[gain] if a <= r[1] - r[0] <= b]
            s = bt.score(pick, with95=True, width=True)
            out[str(gain)].append({"from": a, "to": b, "n": len(pick), **s})
        print(f"gain {gain:g}: " + "; ".join(f"{s['from']}-{s['to']} MAE {s['mae']:.2f} cover80 {s['coverage80']:.3f} "
                                            f"width80 {s['width80']:.1f}" for s in out[str(gain)]))
    print(f"{len(origins)} origins, {time.perf_counter() - t0:.0f} s")
    print(json.dumps({"draws": args.draws, "seed": args.seed, "gains": out}))


if __name__ == "__main__":
    main()
