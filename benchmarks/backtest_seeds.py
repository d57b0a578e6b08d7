"""How much of the national backtest's score is the sampler's luck: `covsim backtest vietnam` run
with several seeds (same code, data and settings), each band's scores per seed and their range.

    python benchmarks/backtest_seeds.py [--seeds 0,1,2,3,4] [--fast] [--draws N]

Every origin is refitted with each seed (the fits' draws and the forecasts' draws both move), so
this is the spread a reader should allow the README's table, which is seed 0's. Each band gives
the headline scores (each published figure) and the 80% coverage with each forecast counted once
against the mean of its year's sources (`sources_averaged`). Many fits: about a backtest's time
per seed on 2 cores. Coverage is printed as the backtest's JSON holds it (3 digits: 34 of 38 is
0.895), not rounded twice. Last line: JSON.
"""
from __future__ import annotations

import argparse
import json
import time

from covsim.calibration.backtest import backtest, sampling


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=lambda text: [int(s) for s in text.split(",")], default=[0, 1, 2, 3, 4])
    parser.add_argument("--fast", action="store_true", help="shorter sampling")
    parser.add_argument("--draws", type=int, default=300)
    args = parser.parse_args()
    settings = sampling(args.fast)
    t0 = time.perf_counter()
    runs = {}
    for seed in args.seeds:
        bt = backtest("vietnam", 10, settings, draws=args.draws, seed=seed)
        runs[seed] = [{"from": b["from"], "to": b["to"], "n": b["n"], **b["model"],
                       "once_coverage80": b["sources_averaged"]["model"]["coverage80"]} for b in bt["by_horizon"]]
        unconverged = [u["origin"] for u in bt["unconverged_origins"]]
        print(f"seed {seed}: " + "; ".join(f"{b['from']}-{b['to']} MAE {b['mae']:.2f} cover80 {b['coverage80']:.3f} "
                                          f"(once {b['once_coverage80']:.3f}) width80 {b['width80']:.1f}"
                                          for b in runs[seed])
              + (f"; unconverged origins {unconverged}" if unconverged else ""), flush=True)
    seconds = time.perf_counter() - t0
    bands = []
    for i, band in enumerate(runs[args.seeds[0]]):
        spread = {key: [min(r[i][key] for r in runs.values()), max(r[i][key] for r in runs.values())]
                  for key in ("mae", "coverage80", "once_coverage80", "width80")}
        bands.append({"from": band["from"], "to": band["to"], "n": band["n"], **spread})
        print(f"  {band['from']}-{band['to']} years over seeds {args.seeds}: MAE {spread['mae'][0]:.2f}-"
              f"{spread['mae'][1]:.2f}, cover80 {spread['coverage80'][0]:.3f}-{spread['coverage80'][1]:.3f} (once "
              f"{spread['once_coverage80'][0]:.3f}-{spread['once_coverage80'][1]:.3f}), width80 "
              f"{spread['width80'][0]:.1f}-{spread['width80'][1]:.1f}")
    print(f"{len(args.seeds)} seeds, {seconds:.0f} s")
    print(json.dumps({"seeds": args.seeds, "draws": args.draws, "seconds": round(seconds, 1), "bands": bands,
                      "runs": {str(k): v for k, v in runs.items()}}))


if __name__ == "__main__":
    main()
