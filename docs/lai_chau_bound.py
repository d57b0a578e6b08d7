"""What Lai Châu's plan says it had reached, tried against the shipped fit (docs/model.md).

The plan of 9 Dec 2016 (seed 003, section III.4.1) heads its first group of measures "the groups
that have reached coverage over 95%": the state-paid group (law group 3) and pupils and students.
That is an observation (a lower bound, as the plan was written), not a target; the shipped data
holds none of Lai Châu's own. This weighs the shipped posterior's draws by the chance that each
draw's 2016 coverage of those groups is over 95%, with a reporting error of sd 0.01 or 0.02, and
prints how far the plan's verdict (96.8% by 2020) would move. Importance weighting, not a refit:
the effective sample size says how far to trust it.

    python docs/lai_chau_bound.py [--draws 1000] [--seed 0]
"""
from __future__ import annotations

import argparse

import numpy as np
from scipy.stats import norm

from covsim import simulator
from covsim.calibration import shipped
from covsim.simulator.inputs.groups import figure_groups
from covsim.simulator.analysis import planning

BOUND, TARGET, YEAR = 0.95, 0.968, 2020


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sc = simulator.load_scenario("lai_chau_plan_2016")
    ds = simulator.run(sc, params=shipped.draws_for(sc.region, args.draws, args.seed), draws=args.draws,
                       seed=args.seed)

    def coverage(group: str, year: int) -> np.ndarray:
        one = ds.sel(region=sc.region, year=year, group=figure_groups(group))
        return (one.insured.sum("group") / one.population.sum("group")).values

    state, pupils = coverage("law3", 2016), coverage("pupil_student", 2016)
    final = planning.region_coverage(ds, sc).sel(year=YEAR).values
    print(f"{sc.name}, {args.draws} draws, seed {args.seed}")
    for name, c in (("state-paid (law3)", state), ("pupils and students", pupils)):
        q = np.quantile(c, [0.1, 0.5, 0.9])
        print(f"  2016 {name}: median {100 * q[1]:.1f}%, 80% interval {100 * q[0]:.1f}-{100 * q[2]:.1f}%, "
              f"over 95% in {100 * (c > BOUND).mean():.0f}% of draws")
    print(f"  shipped fit: {YEAR} median {100 * np.median(final):.1f}%, P(>= {100 * TARGET:.1f}%) "
          f"{100 * (final >= TARGET).mean():.1f}%")
    for sd in (0.01, 0.02):
        for label, groups in (("state-paid over 95%", (state,)), ("both over 95%", (state, pupils))):
            w = np.prod([norm.cdf((c - BOUND) / sd) for c in groups], axis=0)
            w = w / w.sum()
            order = np.argsort(final)
            cdf = np.cumsum(w[order])
            median = final[order][np.searchsorted(cdf, 0.5)]
            print(f"  weighted, {label}, sd {sd}: ESS {1 / (w ** 2).sum():.0f}, {YEAR} median {100 * median:.1f}%, "
                  f"P(>= {100 * TARGET:.1f}%) {100 * w[final >= TARGET].sum():.1f}%")


if __name__ == "__main__":
    main()
