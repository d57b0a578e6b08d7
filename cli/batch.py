"""`covsim batch`: scenarios × a lever grid × posterior draws on Dask, checkpointed and resumable."""
from __future__ import annotations

import dataclasses
import json
import sys
import time

from covsim.simulator.errors import InputError


def _run_task(task):
    """Runs on a Dask worker: one chunk, on as many engine threads as the worker has threads
    (several single-threaded workers on one machine must not each spread over every core)."""
    from covsim.simulator.analysis import batch

    try:
        from dask.distributed import get_worker

        import numba

        numba.set_num_threads(max(1, min(get_worker().state.nthreads, numba.config.NUMBA_NUM_THREADS)))
    except (ImportError, ValueError, AttributeError):
        pass  # not on a distributed worker: the synchronous scheduler uses every core

    chunk, scenario, params, seed, path = task
    ds = batch.run_chunk(scenario, params, seed)
    if path is None:
        return chunk, ds
    from pathlib import Path

    batch.write_checkpoint(ds, Path(path))  # a worker on this machine checkpoints its own chunk
    return chunk, None


def _sync(tasks):
    import dask

    for task in tasks:  # one at a time, so each chunk is checkpointed as soon as it is done
        (result,) = dask.compute(dask.delayed(_run_task)(task), scheduler="synchronous")
        yield result


def _distributed(client):
    def submit(tasks):
        from dask.distributed import as_completed

        futures = [client.submit(_run_task, t, pure=False) for t in tasks]
        for future in as_completed(futures):
            yield future.result()
            future.release()
    return submit


def _client(args):
    """A Dask client for --scheduler local|tcp://…; None for sync."""
    if args.scheduler == "sync":
        return None, None
    from dask.distributed import Client, LocalCluster

    if args.scheduler == "local":
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
        return Client(cluster), cluster
    if args.scheduler.startswith("tcp://"):
        import socket
        from urllib.parse import urlsplit

        try:
            where = urlsplit(args.scheduler)
            host, port = where.hostname, where.port
        except ValueError:
            host = port = None
        if not host or not port:
            raise InputError("--scheduler", args.scheduler, "expected tcp://HOST:PORT, e.g. tcp://127.0.0.1:8786")
        try:  # a refused or unroutable address fails here at once, not after the client's retries
            socket.create_connection((host, port), timeout=10).close()
            return Client(args.scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise InputError("--scheduler", args.scheduler,
                             f"no Dask scheduler reachable there ({reason})") from None
    raise InputError("--scheduler", args.scheduler, "allowed: sync, local (with --workers N) or tcp://HOST:PORT")


def cmd_batch(args) -> int:
    from covsim import simulator
    from covsim.calibration import shipped
    from covsim.simulator.analysis import batch
    from covsim.simulator.inputs import tables
    from covsim.simulator.schemes import provenance

    began = time.perf_counter()
    out = batch.check_out(args.out)
    folder = batch.partial_folder(out)
    if folder.exists() and not args.resume:
        raise InputError(folder, "--resume", "a checkpoint folder of an unfinished batch exists; "
                                             "use --resume or delete it")
    grid = [batch.parse_grid(spec) for spec in args.grid]
    scenarios = []
    for name in args.scenarios:
        sc = simulator.load_scenario(name)
        if args.scheme:
            sc = dataclasses.replace(sc, scheme=args.scheme)
        scenarios.append(sc)
    variants = batch.variants(scenarios, grid, args.start)
    params = {r: shipped.draws_for(r, args.draws, args.seed) for r in sorted({v.scenario.region for v in variants})}
    chunks = batch.plan(variants, params, args.draws, args.seed, args.chunk_draws)

    client, cluster = _client(args)
    folder.mkdir(exist_ok=True)
    show = not args.quiet and not args.json and sys.stdout.isatty()
    bar = None
    try:
        if show:
            from tqdm import tqdm

            done = len(chunks) - len(batch.pending(chunks, folder))
            bar = tqdm(total=len(chunks), initial=done, desc="batch", unit="chunk", file=sys.stderr)
        submit = _sync if client is None else _distributed(client)
        # sync and local workers see the checkpoint folder: they write their own chunks; a remote
        # cluster may not share this file system, so its results come back to be written here.
        resumed = batch.execute(chunks, variants, params, args.seed, folder, submit,
                                bar.update if bar is not None else None,
                                worker_writes=not args.scheduler.startswith("tcp://"))
    except KeyboardInterrupt:
        left = len(batch.pending(chunks, folder))
        sys.stderr.write(f"covsim: interrupted: {len(chunks) - left} of {len(chunks)} chunks checkpointed in "
                         f"{folder}; no store written; run again with --resume to finish\n")
        return 130
    finally:
        if bar is not None:
            bar.close()
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    attrs = {"seed": int(args.seed), "draws": int(args.draws), "data_hash": tables.data_hash(),
             "code_version": provenance.code_version(), "scheme": variants[0].scenario.scheme,
             "grid": json.dumps(args.grid), "parameters": json.dumps(
                 {r: str(p.attrs.get("source", "given")) for r, p in params.items()}),
             "chunk_draws": int(args.chunk_draws)}
    ds = batch.assemble(chunks, variants, folder, attrs)
    batch.write_store(ds, out)
    batch.discard(folder)
    seconds = time.perf_counter() - began
    if args.json:
        print(json.dumps({"out": str(out), "scenarios": [v.name for v in variants], "draws": args.draws,
                          "seed": args.seed, "chunks": len(chunks), "resumed_chunks": resumed,
                          "seconds": round(seconds, 3)}, ensure_ascii=False))
    else:
        print(f"{len(variants)} scenario variants × {args.draws} draws in {len(chunks)} chunks "
              f"({resumed} resumed) in {seconds:.1f} s: written {out}")
    return 0


def register(sub) -> None:
    from covsim.cli.main import _positive_int

    p = sub.add_parser("batch", help="scenarios × a lever grid × draws on Dask, into one Zarr or NetCDF store")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="shipped scenario names or TOML paths")
    p.add_argument("--grid", action="append", default=[], metavar="LEVER=START:STOP:STEP",
                   help="sweep a lever (repeatable: a Cartesian product), e.g. near_poor=0.3:1.0:0.1")
    p.add_argument("--draws", type=_positive_int, default=200, help="posterior draws (default 200)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", required=True, help="the store: .zarr or .nc")
    p.add_argument("--scheduler", default="sync", help="sync (default), local, or tcp://HOST:PORT")
    p.add_argument("--workers", type=_positive_int, default=2, help="workers of a local cluster (default 2)")
    p.add_argument("--chunk-draws", type=_positive_int, default=100,
                   help="draws per chunk: the unit of work and of checkpoints (default 100; each chunk has a fixed "
                        "cost of some 20 ms, so much smaller chunks spend their time on bookkeeping)")
    p.add_argument("--from", dest="start", type=int, help="first year grid levers take effect "
                                                           "(default: after the region's last observation)")
    p.add_argument("--scheme", choices=("bhyt", "bhxh", "bhtn"), help="insurance scheme (default: the scenarios')")
    p.add_argument("--resume", action="store_true", help="reuse the finished chunks of an interrupted batch")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_batch)
