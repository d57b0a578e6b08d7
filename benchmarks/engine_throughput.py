"""Engine throughput against the machine's memory bandwidth, measured in the same run.

One cohort cell is one (draw, region, sex, age, group) advanced one year. The reference is a
numpy streaming triad `a = b + s*c` over arrays the size of the state (cells x insured status):
the ratio engine cell-years/s / triad elements/s says how close the engine runs to the speed of
simply streaming its state through memory. Goal: ratio >= 0.25; peak memory of the run under 3x
the state plus the output.

    python benchmarks/engine_throughput.py [--draws 1000] [--years 30] [--region lai_chau]

The last line printed is a JSON object.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
import tracemalloc

import numpy as np

from covsim import simulator
from covsim.simulator.inputs import demography, groups


def triad_rate(n: int, repeats: int = 20) -> float:
    b = np.random.default_rng(0).random(n)
    c = np.random.default_rng(1).random(n)
    a = np.empty(n)
    s = 1.0001
    np.add(b, s * c, out=a)  # warm up: pages touched
    tmp = np.empty(n)
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.multiply(c, s, out=tmp)
        np.add(b, tmp, out=a)
        best = min(best, time.perf_counter() - t0)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--region", default="lai_chau")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    base = simulator.load_scenario(args.region)
    scenario = simulator.Scenario(base.name, base.region, base.description, base.start, base.start + args.years)
    params = simulator.sample_prior(args.draws, 0, [base.region])
    simulator.run(scenario, params=params.isel(draw=slice(0, 4)), seed=0)  # compile the kernel

    cells = args.draws * 1 * len(demography.SEXES) * demography.AGES.size * len(groups.GROUP_IDS)
    state_bytes = cells * 2 * 8
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        ds = simulator.run(scenario, params=params, seed=0)
        times.append(time.perf_counter() - t0)
    engine_time = min(times)
    cell_years = cells * args.years
    output_bytes = ds.nbytes

    tracemalloc.start()
    simulator.run(scenario, params=params, seed=0)
    _, peak_alloc = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    triad = triad_rate(cells * 2)
    cell_rate = cell_years / engine_time
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    budget = 3 * (state_bytes + output_bytes)
    print(f"region {base.region}: {args.draws} draws x {args.years} years, {cells:,} cells")
    print(f"engine: {engine_time:.3f} s for {cell_years:,} cell-years = {cell_rate / 1e6:.1f} M cell-years/s "
          f"(whole run: policy, demography, enrolment and the Dataset included)")
    print(f"triad over {cells * 2:,} float64 elements: {triad / 1e6:.1f} M elements/s")
    print(f"ratio engine/triad: {cell_rate / triad:.3f} (goal >= 0.25)")
    print(f"memory: state {state_bytes / 2**20:.1f} MiB, output {output_bytes / 2**20:.1f} MiB, "
          f"peak allocated during a run {peak_alloc / 2**20:.1f} MiB = "
          f"{peak_alloc / (state_bytes + output_bytes):.2f}x state+output (goal < 3x); "
          f"process peak RSS {peak_rss_mb:.0f} MiB (interpreter and libraries included)")
    print(json.dumps({
        "cell_years_per_s": round(cell_rate, 1),
        "triad_per_s": round(triad, 1),
        "ratio": round(cell_rate / triad, 4),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "peak_alloc_mb": round(peak_alloc / 2**20, 1),
        "state_plus_output_mb": round((state_bytes + output_bytes) / 2**20, 1),
        "memory_budget_mb": round(budget / 2**20, 1),
    }))


if __name__ == "__main__":
    main()
