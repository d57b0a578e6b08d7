"""Batch throughput, Dask scaling from 1 to 2 workers, and the cost of a resume, in one run.

Throughput: the whole `covsim batch` command (sync scheduler), start-up included. Scaling: the
chunks alone on a warmed LocalCluster of 1 and then 2 single-threaded workers. A 5-region ×
DRAWS-draw batch of the baselines (runs start in 2008, where the shipped data
initialise the state, and go to 2030; the figures count draws of the whole 2008–2030 run, which
covers 2015–2030). Each configuration runs the same chunks; efficiency = t(1 worker) / (2 × t(2
workers)). Resume overhead: a batch killed after about half its chunks, resumed: its time against the
time the chunks left take in an uninterrupted run (1.0 = no overhead).

    python benchmarks/batch_scaling.py [--draws 1000] [--chunk-draws 100]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REGIONS = ["vietnam", "ho_chi_minh_city", "dong_nai", "vinh_long", "can_tho"]


def batch(out: Path, draws: int, chunk: int, *extra: str) -> float:
    cmd = [sys.executable, "-m", "covsim.cli.main", "batch", *REGIONS, "--draws", str(draws), "--chunk-draws",
           str(chunk), "--out", str(out), "--quiet", *extra]
    began = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def on_cluster(workers: int, draws: int, chunk: int, folder: Path) -> float:
    """Seconds to run every chunk on a warmed LocalCluster of `workers` single-threaded processes."""
    from dask.distributed import Client, LocalCluster

    from covsim.calibration import posterior
    from covsim.cli.batch import _distributed
    from covsim.simulator import batch as b, load_scenario

    variants = b.variants([load_scenario(r) for r in REGIONS], [], None)
    params = {r: posterior.draws_for(r, draws, 0) for r in REGIONS}
    chunks = b.plan(variants, params, draws, 0, chunk)
    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster, \
            Client(cluster) as client:
        warm = folder / "warm"
        warm.mkdir(parents=True, exist_ok=True)
        small = b.plan(variants[:1], params, workers, 0, 1)
        b.execute(small, variants, params, 0, warm, _distributed(client), worker_writes=True)  # numba compiled on each worker
        run = folder / f"run{workers}"
        run.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        b.execute(chunks, variants, params, 0, run, _distributed(client), worker_writes=True)
        return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--chunk-draws", type=int, default=100)
    args = parser.parse_args()
    draws, chunk = args.draws, args.chunk_draws
    work = Path(tempfile.mkdtemp())
    try:
        batch(work / "warm.nc", 20, 20)  # numba compilation and data caches, off the clock
        t_sync = batch(work / "sync.nc", draws, chunk)
        t1 = on_cluster(1, draws, chunk, work)
        t2 = on_cluster(2, draws, chunk, work)
        # Kill a batch after about half its chunks, then resume it.
        out = work / "resume.nc"
        partial = Path(f"{out}.partial")
        cmd = [sys.executable, "-m", "covsim.cli.main", "batch", *REGIONS, "--draws", str(draws), "--chunk-draws",
               str(chunk), "--out", str(out), "--quiet"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        total = len(REGIONS) * -(-draws // chunk)
        while len(list(partial.glob("*.nc"))) < total // 2 and proc.poll() is None:
            time.sleep(0.02)
        proc.kill()
        proc.wait()
        done_half = len(list(partial.glob("*.nc")))
        began = time.perf_counter()
        subprocess.run(cmd + ["--resume"], check=True, stdout=subprocess.DEVNULL)
        t_resume_half = time.perf_counter() - began
    finally:
        pass
    figures = {
        "regions": len(REGIONS), "draws": draws, "years": "2008-2030", "chunk_draws": chunk,
        "sync_seconds": round(t_sync, 2), "draws_per_s_sync": round(len(REGIONS) * draws / t_sync, 1),
        "one_worker_seconds": round(t1, 2), "two_workers_seconds": round(t2, 2),
        "draws_per_s_two_workers": round(len(REGIONS) * draws / t2, 1),
        "scaling_efficiency": round(t1 / (2 * t2), 3),
        "resume_after_chunks": done_half, "chunks": total,
        "resume_half_seconds": round(t_resume_half, 2),
        "resume_half_over_expected": round(t_resume_half / (t_sync * (total - done_half) / total), 3),
    }
    shutil.rmtree(work, ignore_errors=True)
    print(f"{len(REGIONS)} regions x {draws} draws, 2008-2030, chunks of {chunk} draws")
    print(f"sync: {t_sync:.1f} s = {figures['draws_per_s_sync']} draws/s")
    print(f"local cluster: 1 worker {t1:.1f} s, 2 workers {t2:.1f} s: efficiency {figures['scaling_efficiency']} "
          "(goal >= 0.8)")
    print(f"resume after {done_half}/{total} chunks: {t_resume_half:.1f} s = "
          f"{figures['resume_half_over_expected']} x the time of the chunks left (1.0 = no overhead)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
