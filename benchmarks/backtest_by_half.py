"""Which half of a fitted parameter's draws would the national backtest have preferred?

    python benchmarks/backtest_by_half.py [--params outreach_damping,target_pull,outreach_trend] [--draws 300]

Several of the national fit's parameters are still mostly their priors (`covsim run`'s last line:
outreach_damping, outreach_trend, ...), so the data hardly tell their values; the backtest can.
This refits every origin of `covsim backtest vietnam` (same settings, draws and seed) and, for each
parameter, scores the forecasts of the draws below that origin's median of it and those above,
each half as a forecast of its own (its mean, its 10-90% interval). A half that scores clearly
better at every band is what the record would have chosen; the parameter's prior is where a
change would start. `outreach_damping` is the logit of the share of a drive's effect that carries
to the next year (upper half: drives that fade more slowly). Prints each half's MAE, 80% coverage
and width per band; last line: JSON. About a backtest's time (some 80 s on 2 cores).
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from national_origins import by_band, each_origin, line, row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=lambda t: t.split(","),
                        default=["outreach_damping", "target_pull", "outreach_trend"])
    parser.add_argument("--draws", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = {(p, h): [] for p in args.params for h in ("lower", "upper")}
    t0, origins = time.perf_counter(), 0
    for origin, result, held_out in each_origin(args.draws, args.seed, keep_posterior=True):
        origins += 1
        reported = result.pop("_reported")
        post = result.pop("_posterior").isel(draw=slice(0, args.draws))
        for p in args.params:
            value = post[p].values
            upper = value > np.median(value)
            for half, pick in (("lower", ~upper), ("upper", upper)):
                for r in held_out.itertuples(index=False):
                    rows[(p, half)].append(row(origin, int(r.year), r.value, reported.sel(year=int(r.year)).values[pick]))
        print(f"origin {origin}: " + ", ".join(f"{p} median {np.median(post[p].values):.2f}" for p in args.params),
              flush=True)
    out: dict = {}
    for (p, half), picked in rows.items():
        out.setdefault(p, {})[half] = scores = by_band(picked)
        print(f"{p} {half:5s} half: " + line(scores))
    print(f"{origins} origins, {time.perf_counter() - t0:.0f} s")
    print(json.dumps({"draws": args.draws, "seed": args.seed, "halves": out}))


if __name__ == "__main__":
    main()
