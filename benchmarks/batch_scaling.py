"""Batch throughput, Dask scaling from 1 to 2 workers, and the cost of a resume, in one run.

The batch: the 5 baseline scenarios (vietnam, ho_chi_minh_city, dong_nai, vinh_long, can_tho) ×
DRAWS posterior draws, no grid. Their runs start in 2008, where the shipped data initialise the
state, and end in 2030: 22 annual steps, which cover the 2015–2030 output; draws/s counts draws
of those whole 2008–2030 runs (the store keeps every year).

* Throughput: the whole `covsim batch` command on the sync scheduler, interpreter start-up,
  imports, checkpoint writes and the final store included.
* Scaling: the chunks alone (run + checkpoint written by the worker) on a warmed LocalCluster of
  1 and then 2 single-threaded worker processes, in the same run, `--repeats` times each (a few
  seconds of work on a shared 2-core machine moves by ±20% from run to run); efficiency =
  t1 / (2 × t2) of the medians.
* Resume overhead: (a) a `--resume` when every chunk is already checkpointed, against the cost of
  assembling the store from the checkpoints in-process and against the interpreter start-up
  (the time of a command that stops at its first check); (b) a batch killed after about half its
  chunks, resumed: its time against half an uninterrupted run (the sync run's time × the share
  of chunks left; 1.0 = no overhead).

    python benchmarks/batch_scaling.py [--draws 1000] [--chunk-draws 100] [--repeats 3]

The last line printed is one JSON object with the figures. Timings are wall-clock on whatever
else the machine is running at the time.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REGIONS = ["vietnam", "ho_chi_minh_city", "dong_nai", "vinh_long", "can_tho"]


def command(out: Path, draws: int, chunk: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "covsim.cli.main", "batch", *REGIONS, "--draws", str(draws), "--chunk-draws",
            str(chunk), "--out", str(out), "--quiet", *extra]


def batch(out: Path, draws: int, chunk: int, *extra: str) -> float:
    began = time.perf_counter()
    subprocess.run(command(out, draws, chunk, *extra), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def _warm() -> None:
    """Runs on each worker: one tiny run of every region (numba kernels, data caches)."""
    from covsim.calibration import shipped
    from covsim.simulator.analysis import batch as b
    from covsim.simulator import load_scenario

    for r in REGIONS:
        b.run_chunk(load_scenario(r), shipped.draws_for(r, 2, 0), 0)


def _plan(draws: int, chunk: int):
    from covsim.calibration import shipped
    from covsim.simulator.analysis import batch as b
    from covsim.simulator import load_scenario

    variants = b.variants([load_scenario(r) for r in REGIONS], [], None)
    params = {r: shipped.draws_for(r, draws, 0) for r in REGIONS}
    return variants, params, b.plan(variants, params, draws, 0, chunk)


def on_cluster(workers: int, draws: int, chunk: int, folder: Path, repeats: int) -> list[float]:
    """Seconds to run every chunk on a warmed LocalCluster of `workers` single-threaded processes,
    `repeats` times (the last run's checkpoints are left in `folder`)."""
    import dask
    from dask.distributed import Client, LocalCluster

    from covsim.cli.batch import LOCAL_WORKER_CONFIG, _distributed
    from covsim.simulator.analysis import batch as b

    variants, params, chunks = _plan(draws, chunk)
    times = []
    with dask.config.set(LOCAL_WORKER_CONFIG), \
            LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster, \
            Client(cluster) as client:
        client.run(_warm)  # every worker loads the compiled engine and the data, off the clock
        for _ in range(repeats):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            began = time.perf_counter()
            b.execute(chunks, variants, params, 0, folder, _distributed(client), worker_writes=True)
            times.append(time.perf_counter() - began)
    return times


def assemble_seconds(draws: int, chunk: int, folder: Path, out: Path) -> float:
    """In-process cost of reading the checkpoints back and writing the store."""
    from covsim.simulator.analysis import batch as b

    variants, _, chunks = _plan(draws, chunk)
    began = time.perf_counter()
    b.write_store(b.assemble(chunks, variants, folder, {}), out)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--chunk-draws", type=int, default=100, help="as covsim batch (default 100)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of the chunks per cluster size; their medians make the efficiency (default 3)")
    args = parser.parse_args()
    draws, chunk = args.draws, args.chunk_draws
    total = len(REGIONS) * -(-draws // chunk)
    work = Path(tempfile.mkdtemp())
    try:
        batch(work / "warm.nc", 20, 20)  # numba compilation and data caches, off the clock
        t_sync = batch(work / "sync.nc", draws, chunk)
        runs1 = on_cluster(1, draws, chunk, work / "run1", args.repeats)
        runs2 = on_cluster(2, draws, chunk, work / "run2", args.repeats)
        t1, t2 = statistics.median(runs1), statistics.median(runs2)

        # (a) Resume with every chunk done: only the store is left to assemble.
        began = time.perf_counter()
        subprocess.run(command(work / "bad.nc", draws, chunk, "--grid", "near_poor=2:3:1"), stderr=subprocess.DEVNULL)
        t_startup = time.perf_counter() - began
        shutil.copytree(work / "run2", work / "copy")
        t_assemble = assemble_seconds(draws, chunk, work / "copy", work / "assembled.nc")
        all_done = work / "all_done.nc"
        os.replace(work / "run2", Path(f"{all_done}.partial"))
        t_resume_all = batch(all_done, draws, chunk, "--resume")

        # (b) Kill a batch after about half its chunks, then resume it.
        out = work / "resume.nc"
        partial = Path(f"{out}.partial")
        proc = subprocess.Popen(command(out, draws, chunk), stdout=subprocess.DEVNULL)
        while len(list(partial.glob("*.nc"))) < total // 2 and proc.poll() is None:
            time.sleep(0.02)
        proc.kill()
        proc.wait()
        done_half = len(list(partial.glob("*.nc")))
        t_resume_half = batch(out, draws, chunk, "--resume")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    half_run = t_sync * (total - done_half) / total
    figures = {
        "regions": len(REGIONS), "draws": draws, "years": "2008-2030 (22 steps; output 2015-2030 included)",
        "chunk_draws": chunk, "chunks": total, "cores": os.cpu_count(),
        "sync_seconds": round(t_sync, 2), "draws_per_s_sync": round(len(REGIONS) * draws / t_sync, 1),
        "one_worker_seconds": round(t1, 2), "two_workers_seconds": round(t2, 2),
        "one_worker_runs": [round(t, 2) for t in runs1], "two_workers_runs": [round(t, 2) for t in runs2],
        "draws_per_s_one_worker": round(len(REGIONS) * draws / t1, 1),
        "draws_per_s_two_workers": round(len(REGIONS) * draws / t2, 1),
        "scaling_efficiency": round(t1 / (2 * t2), 3),
        "startup_seconds": round(t_startup, 2), "assemble_seconds": round(t_assemble, 2),
        "resume_all_done_seconds": round(t_resume_all, 2),
        "resume_after_chunks": done_half,
        "resume_half_seconds": round(t_resume_half, 2), "half_run_seconds": round(half_run, 2),
        "resume_half_over_half_run": round(t_resume_half / half_run, 3),
    }
    print(f"{len(REGIONS)} regions x {draws} draws, runs 2008-2030, {total} chunks of {chunk} draws, "
          f"{os.cpu_count()} cores")
    print(f"sync, whole command: {t_sync:.1f} s = {figures['draws_per_s_sync']} draws/s")
    print(f"local cluster, chunks only (median of {args.repeats}): 1 worker {t1:.1f} s, 2 workers {t2:.1f} s "
          f"({figures['draws_per_s_two_workers']} draws/s): efficiency {figures['scaling_efficiency']} (goal >= 0.8)")
    print(f"resume with every chunk done: {t_resume_all:.1f} s (assembling in-process {t_assemble:.1f} s, "
          f"start-up of a command {t_startup:.1f} s)")
    print(f"resume after {done_half}/{total} chunks: {t_resume_half:.1f} s vs {half_run:.1f} s for the chunks left "
          f"in an uninterrupted run = {figures['resume_half_over_half_run']} x")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
