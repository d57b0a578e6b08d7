"""`covsim batch`: scenarios × a lever grid × posterior draws on Dask, checkpointed and resumable."""
from __future__ import annotations

import json
import pickle
import signal
import sys
import time
from contextlib import contextmanager

from covsim.simulator.errors import InputError
from covsim.simulator.inputs.scheme_ids import SCHEMES

#: A local cluster's workers unless --workers says (given with another scheduler, it is said to do nothing).
LOCAL_WORKERS = 2

#: Dask's settings for the local cluster's workers. Dask starts its workers with glibc's
#: MALLOC_TRIM_THRESHOLD_ set (to give memory back to the system early); set at all, it turns off
#: glibc's sliding mmap threshold, so every array above 128 kB a chunk makes is mapped and unmapped
#: afresh: the chunks of benchmarks/batch_scaling.py took 1.9 s in one process with it, 1.6 s without
#: (2026-12-07). A chunk's memory is a few MB, returned when it ends.
LOCAL_WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def _run_task(task):
    """Runs on a Dask worker: one chunk, on as many engine threads as the worker has threads
    (several single-threaded workers on one machine must not each spread over every core)."""
    from covsim.simulator.analysis import batch

    try:
        from dask.distributed import get_worker

        import numba

        numba.set_num_threads(max(1, min(get_worker().state.nthreads, numba.config.NUMBA_NUM_THREADS)))
    except (ImportError, ValueError, AttributeError):
        pass  # not on a distributed worker (`--scheduler sync`): every core

    chunk, scenario, params, seed, path = task
    ds = batch.run_chunk(scenario, params, seed)
    if path is None:
        return chunk, ds
    from pathlib import Path

    with _signals_deferred():  # whole or not at all: a signal waits for the write to end
        batch.write_checkpoint(ds, Path(path))  # a worker on this machine checkpoints its own chunk
    return chunk, None


class _Sealed:
    """A task's arguments pickled once, where it is submitted. Dask looks through a task's
    arguments for futures (on an xarray Dataset that getattr searches its variables' names for a
    near match), and the scheduler unpickles a task and pickles it again to forward it; bytes pass
    through both as they are. Together with not fetching results a worker wrote itself, this took
    the submitting process's CPU from about 9 to 5 ms a chunk (2026-12-07), CPU the workers share.
    (Dask's synchronous scheduler made the same search, 4.1 ms a chunk; `_sync` no longer uses it.)"""

    __slots__ = ("blob",)

    def __init__(self, task):
        self.blob = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)


def _run_sealed(sealed: _Sealed):
    return _run_task(pickle.loads(sealed.blob))


def _sync(tasks):
    """`--scheduler sync`: each chunk run here, one at a time, so each is checkpointed as soon as it
    is done. Called directly, not through Dask's synchronous scheduler, which did the same with more
    bookkeeping, and whose bookkeeping a signal's exception could cut: a SIGTERM raised inside its
    `Future.set_result` became an `InvalidStateError` with a traceback, exit 1, where the batch says
    what it kept, exit 143 (CI, 2026-12-08)."""
    for task in tasks:
        yield _run_task(task)


def _distributed(client):
    def submit(tasks):
        from dask.distributed import as_completed

        futures = [client.submit(_run_sealed, _Sealed(t), pure=False) for t in tasks]
        task_of = {f.key: t for f, t in zip(futures, tasks)}
        for future in as_completed(futures):
            chunk, *_, path = task_of[future.key]
            if path is None or future.status != "finished":  # a result to write here, or the task's error
                yield future.result()
            else:  # checkpointed by the worker: its (chunk, None) is not fetched
                yield chunk, None
            future.release()
    return submit


#: Seconds a tcp:// scheduler has to answer Dask's handshake.
CONNECT_SECONDS = 20


def _connected(address: str):
    """A client of the scheduler at `address`, or TimeoutError: a port that accepts the connection
    but speaks something else (the dashboard's HTTP port, 8787, one digit from 8786) left
    `Client(timeout=...)` waiting for ever. The client is made in a daemon thread, abandoned (it
    cannot hold the process open) when no handshake comes in time."""
    import threading

    from dask.distributed import Client

    made: list = []
    lock = threading.Lock()
    gave_up = threading.Event()

    def connect():
        try:
            client = Client(address, timeout=f"{CONNECT_SECONDS}s")
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            client = exc
        with lock:
            if gave_up.is_set() and not isinstance(client, BaseException):
                client.close()  # connected after the caller gave up: not left open behind it
            made.append(client)

    thread = threading.Thread(target=connect, name="covsim-dask-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_SECONDS)
    with lock:
        if not made:
            gave_up.set()
            raise TimeoutError(f"no Dask handshake within {CONNECT_SECONDS} s (the dashboard's HTTP port, 8787, "
                               f"is not the scheduler's; a scheduler that slow is not used)")
    if isinstance(made[0], BaseException):
        raise made[0]
    return made[0]


def _code_here() -> tuple[str, str]:
    """This process's `code_version` and data hash, run on each worker (sent by reference: the
    worker's own)."""
    from covsim.simulator.inputs import tables
    from covsim.simulator.schemes.provenance import code_version

    return code_version(), tables.data_hash()


def _same_code(client, address: str) -> None:
    """A remote cluster's workers run this process's covsim (`code_version`: the package's version
    and its source's hash) on its data (the data hash: their COVSIM_DATA_DIR and registered regions),
    or the batch is refused: workers started from other code, or on other data, mixed their numbers
    into the store, which named this process's code and data (audits, 2026-12-06 and 12-07: a
    worker on an edited copy of the data moved coverage by 0.22 under this process's data hash)."""
    mine = _code_here()
    try:
        theirs = client.run(_code_here)  # {worker address: (its code_version, its data hash)}
    except Exception as exc:  # a worker without covsim, or one that died: the worker's error, in one line
        client.close()
        raise InputError("--scheduler", address, f"its workers could not report their covsim code "
                                                 f"({type(exc).__name__}: {exc}); allowed: workers started "
                                                 "from the same install as the command") from None
    for k, what, allowed in ((0, "run other covsim code", "workers started from the same install as the command"),
                             (1, "read other data", "workers that read the same data (COVSIM_DATA_DIR and the "
                                                    "regions registered under COVSIM_USER_DIR) as the command")):
        other = {w: tuple(v)[k] for w, v in theirs.items() if tuple(v)[k] != mine[k]}
        if other:
            client.close()
            worker, value = sorted(other.items())[0]
            raise InputError("--scheduler", address, f"{len(other)} of {len(theirs)} workers {what} ({worker}: "
                                                     f"{value}) than this command ({mine[k]}); allowed: {allowed}")


def _client(args):
    """A Dask client for --scheduler local|tcp://…; None for sync."""
    if args.scheduler == "sync":
        return None, None
    from dask.distributed import Client, LocalCluster

    if args.scheduler == "local":
        import logging

        # Ctrl-C in a terminal reaches the whole process group: the workers are started with
        # SIGINT ignored (a child keeps an ignored signal, not a blocked one: the workers unblock
        # it), so only this process hears it and shuts them down, rather than each printing its own
        # traceback. A Ctrl-C while the cluster starts is therefore lost (the batch goes on; a
        # second one stops it).
        # The workers log at CRITICAL only: a task's failure reaches this process as its exception,
        # and what a worker logs at ERROR is the shutdown's noise (a heartbeat to a scheduler that
        # closed first), written to the terminal's stderr, which the workers hold open past ours.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            import dask

            # The scheduler's HTTP server still starts without a dashboard: on a free port (":0"),
            # not 8787, which another cluster on this machine may hold (a warning on stderr).
            with dask.config.set(LOCAL_WORKER_CONFIG):
                cluster = LocalCluster(n_workers=args.workers or LOCAL_WORKERS, threads_per_worker=1,
                                       processes=True, dashboard_address=":0", silence_logs=logging.CRITICAL)
        finally:
            signal.signal(signal.SIGINT, previous)
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
            raise InputError("--scheduler", args.scheduler,
                             "expected tcp://HOST:PORT with PORT in 1..65535, e.g. tcp://127.0.0.1:8786")
        try:  # a refused or unroutable address fails here at once, not after the client's retries
            socket.create_connection((host, port), timeout=10).close()
            client = _connected(args.scheduler)
        except (OSError, TimeoutError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise InputError("--scheduler", args.scheduler,
                             f"no Dask scheduler reachable there ({reason})") from None
        except Exception as exc:  # noqa: BLE001 - a server that answered, not in Dask's protocol
            # (an HTTP 400 or an SSH banner read as a frame length: numpy asked for exabytes)
            raise InputError("--scheduler", args.scheduler, f"no Dask scheduler there: the server answered, "
                                                            f"but not as Dask does ({type(exc).__name__})") from None
        _same_code(client, args.scheduler)
        return client, None
    raise InputError("--scheduler", args.scheduler, "allowed: sync, local (with --workers N) or tcp://HOST:PORT")


def _source(params, scheme_id: str) -> str:
    """Where a region's draws come from, for the scheme the batch runs (a BHXH batch reads the
    labour posterior beside the health draws, and says so)."""
    from covsim.simulator.inputs.scheme_ids import LABOUR

    if scheme_id in LABOUR:
        from covsim.simulator.schemes.labour import params_source

        return params_source(params)
    return str(params.attrs.get("source", "given"))


def _calibration(params: dict, scheme_id: str) -> dict:
    """Whether each region's draws are a calibrated posterior, as a run records it (`calibrated`,
    `calibration_note`), and any fit written with --allow-unconverged or what its figures taught it."""
    from covsim.simulator.schemes import scheme
    from covsim.simulator.schemes.provenance import calibration_attrs, learned_without

    each = {r: calibration_attrs(_source(p, scheme_id)) for r, p in params.items()}
    out = {"calibrated": int(all(a["calibrated"] for a in each.values())),
           "calibration_note": "; ".join(f"{r}: {a['calibration_note']}" for r, a in each.items()
                                         if a["calibration_note"])}
    # the same attributes a run gives, by region; what its fit learned from the attribute the
    # scheme's draws carry it in (a labour layer's beside the health fit's)
    entry = scheme(scheme_id)
    for key, attr in (("unconverged", "unconverged"), ("learned", entry.learned_attr)):
        found = {r: str(p.attrs[attr]) for r, p in params.items() if p.attrs.get(attr)}
        if key == "learned" and entry.unread:  # a shared fit's parameters this scheme never reads
            found = {r: learned_without(text, entry.unread) for r, text in found.items()}
        if found:
            out[key] = json.dumps(found, ensure_ascii=False)
    return out


def cmd_batch(args) -> int:
    from covsim.simulator.analysis import batch

    out = batch.check_out(args.out)
    grid = [batch.grid_range(spec) for spec in args.grid]  # checked and counted, no points made yet
    scenarios = _scenarios(args)
    _check_size(args, scenarios, grid)
    with batch.store_lock(out), _sigterm_as_interrupt() as terminated:  # the lock: one batch per store
        try:
            return _batch(args, out, scenarios, terminated)
        except KeyboardInterrupt:  # before any chunk ran (the posteriors' read): as `main` says it
            if not terminated:
                raise
            sys.stderr.write("covsim: terminated (SIGTERM); nothing written\n")
            return 143


def _note(text: str) -> None:
    sys.stderr.write(f"covsim: note: {text}\n")  # as the other commands' notes


def _note_superseded(variants) -> None:
    """A grid value that replaces a later change of the policy in force (Decree 188's pupils at 50%
    from August 2025, set to 40% from 2024) holds through it, so a point that reads as a rise can
    lower coverage after that day: said, as `run` lists it (`supersedes`, kept in the store too)."""
    from collections import defaultdict

    replaced: dict = defaultdict(list)
    for v in variants:
        for r in v.scenario.supersedes():
            replaced[r["path"], r["replaces"], r["from"], r["reference"]].append(r["value"])
    for (path, was, day, reference), values in replaced.items():
        shown = ", ".join(f"{x:g}" for x in sorted(set(values)))
        _note(f"{path} = {shown} replaces the policy in force's {was:g} from {day} ({reference}) in "
              f"{len(values)} variant{'s' * (len(values) != 1)}: a value set holds through later changes, so "
              f"against the baseline it can lower coverage from then (a later --from starts after it)")
    # a gridded share that ends the scenario's own top-up of its group (the share is the whole the state
    # pays): `run` says it on its `capped` line; here it was in the store's attribute alone (an audit)
    moot: dict = defaultdict(list)
    for v in variants:
        for r in v.scenario.capped():
            if r["counts_as"] is None:  # a top-up beyond the national share is said by `run`; here the trap
                moot[r["path"], 100 * r["value"], r["from"], r["set_by"]].append(100 * r["total"])
    for (path, value, year, by), totals in moot.items():
        shown = ", ".join(f"{x:.4g}%" for x in sorted(set(totals)))
        _note(f"{path} = {value:.4g}% of the scenario changes nothing from {year} in {len(totals)} "
              f"variant{'s' * (len(totals) != 1)}: {by} set by the grid is the whole the state pays ({shown}), of which "
              f"a top-up is no part, so against the scenario as shipped a value that reads as a rise can lower coverage")


def _scenarios(args) -> list:
    from covsim import simulator

    scenarios = []
    for name in args.scenarios:
        sc = simulator.load_scenario(name)
        if args.scheme:
            sc = sc.with_scheme(args.scheme)
        from covsim.cli.main import note_idle

        note_idle(sc)
        scenarios.append(sc)
    return scenarios


def _check_size(args, scenarios, grid) -> None:
    """Refuse, before any variant is built, a batch whose store would not fit in memory."""
    from covsim.simulator.analysis import batch, runsize
    from covsim.simulator.inputs.groups import GROUP_IDS

    points = 1
    for _, _, _, count in grid:
        points *= count
    count = points * len(scenarios)
    years = max(len(sc.years) for sc in scenarios)
    rerun = None  # without a grid every variant is a whole run
    if grid:
        firsts = [batch.grid_start(sc, args.start) for sc in scenarios]
        rerun = max(sc.end - first + 1 for sc, first in zip(scenarios, firsts))
    estimate = runsize.batch_estimate(count, args.draws, years, len(GROUP_IDS), rerun)
    runsize.check(estimate, args.memory_limit, "--grid" if grid else "--draws",
                  f"{count:,} scenario variant{'s' * (count != 1)} x {args.draws:,} draws ({len(scenarios)} "
                  f"scenario{'s' * (len(scenarios) != 1)}"
                  + (f" x {' x '.join(f'{c:,}' for *_, c in grid)} grid points" if grid else "") + ")",
                  "use a coarser --grid STEP, fewer scenarios or fewer --draws (--chunk-draws sets the size of "
                  "each chunk, not of the store)")


def _batch(args, out, scenarios, terminated: list) -> int:
    from covsim.calibration import shipped
    from covsim.simulator.analysis import batch
    from covsim.simulator.inputs import tables
    from covsim.simulator.schemes import provenance, scheme

    began = time.perf_counter()
    batch.clean_stale(out)  # what a killed batch on this store left, now that we own it
    folder = batch.partial_folder(out)
    if folder.exists() and not args.resume:
        raise InputError(folder, "--resume", "a checkpoint folder of an unfinished batch exists; "
                                             "use --resume or delete it")
    grid = [batch.parse_grid(spec) for spec in args.grid]
    variants = batch.variants(scenarios, grid, args.start)
    with _signals_deferred():  # read whole, then a signal is taken (xarray's file lock, as below)
        params = {r: shipped.draws_for(r, args.draws, args.seed, scheme_id=variants[0].scenario.scheme)
                  for r in sorted({v.scenario.region for v in variants})}
    # the data's hash taken once, as the batch starts: the chunks' keys and the store record the same
    # one, whatever changes in the data folder while the batch runs (a region registered meanwhile)
    data_hash = tables.data_hash()
    chunks = batch.plan(variants, params, args.draws, args.seed, args.chunk_draws, data_hash)
    if args.workers is not None and args.scheduler != "local":
        _note(f"--workers {args.workers}: sets the size of a local cluster only; --scheduler {args.scheduler} "
              f"runs on {'this process' if args.scheduler == 'sync' else 'the workers the cluster has'}")
    if args.scheduler == "local":  # each worker a process: more than the cores run no faster, and cost memory
        import os

        cores, workers = os.cpu_count() or 1, args.workers or LOCAL_WORKERS
        if workers > cores:
            _note(f"--workers {workers} on {cores} cores: each worker is a process of its own, started before "
                  f"the first chunk; more than the cores run no faster")
        if workers > len(chunks):
            _note(f"--workers {workers} for {len(chunks)} chunks: {workers - len(chunks)} would have nothing to do; "
                  f"--chunk-draws sets how many chunks there are")
    for spec in args.grid:
        short = batch.short_of_stop(spec)
        if short:
            _note(f"--grid {spec}: the steps end at {batch._shown(short[0])}, short of STOP "
                  f"{batch._shown(short[1])}; a STEP that divides STOP - START reaches it")
    if args.start is not None and not grid:
        _note(f"--from {args.start}: without --grid nothing starts then; the scenarios run as they are")
    if grid and args.start is None:  # as `solve` and `brief` say it: the default start can lie behind the calendar
        from covsim.cli.main import past_start
        from covsim.simulator.analysis import planning

        for sc in scenarios:
            passed = past_start(planning.lever_start(sc), sc.end)
            if passed:
                _note(f"the grid levers of {sc.name} act from {passed}")
    _note_superseded(variants)
    if args.resume and folder.is_dir():
        planned = {batch.checkpoint_path(folder, c).name for c in chunks}
        other = [p for p in folder.glob("*.nc") if p.name not in planned]
        if other:  # a checkpoint's name holds the hash of its inputs: these are of other settings
            _note(f"--resume: {len(other)} checkpoint(s) in {folder} are of other settings (seed, draws, chunk size, "
                  f"scenarios, data or code) and are not used; they are removed when this batch finishes")

    client = cluster = None
    show = not args.quiet and sys.stderr.isatty()
    bar = None
    interrupted = False
    try:
        client, cluster = _client(args)
        folder.mkdir(exist_ok=True)
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
        interrupted = True
    finally:
        if bar is not None:
            bar.close()
        try:
            came = _shut_down(client, cluster, quietly=interrupted)
        except KeyboardInterrupt:  # a signal in the instant before the close held them: stop as after one
            came = [signal.SIGTERM if terminated else signal.SIGINT]
            _shut_down(client, cluster, quietly=True)
        if came:  # Ctrl-C or SIGTERM while the workers closed: every chunk may be kept, none written
            interrupted = True
            if signal.SIGTERM in came:
                terminated.append(True)
    if interrupted:  # counted once every worker has stopped: what is on disk is what was kept
        return _interrupted(chunks, folder, terminated)
    try:  # a signal while the chunks are read back: they are kept, as after one during the run
        attrs = {"seed": int(args.seed), "draws": int(args.draws), "data_hash": data_hash,
                 "code_version": provenance.code_version(), "code_commit": provenance.code_commit() or "",
                 "environment": json.dumps(provenance.environment()),
                 "user_data": json.dumps(tables.user_data_files()), "scheme": variants[0].scenario.scheme,
                 "grid": json.dumps(args.grid),
                 # the year the grid's levers start, by scenario (--from, or each scenario's default)
                 "grid_from": json.dumps({sc.name: batch.grid_start(sc, args.start) for sc in scenarios}
                                         if args.grid else {}),
                 "parameters": json.dumps(
                     {r: _source(p, variants[0].scenario.scheme) for r, p in params.items()}),
                 "parameters_hash": json.dumps({r: provenance.params_hash(p) for r, p in params.items()}),
                 # every assumed number each variant uses (its reform's, a drive's cost): listed with the results
                 "assumptions": json.dumps({v.name: v.scenario.assumptions() for v in variants}, ensure_ascii=False),
                 # what the scheme's model holds fixed, assumed and not fitted, as every run records it
                 "fixed": json.dumps(list(scheme(variants[0].scenario.scheme).fixed_for(
                     sorted({v.scenario.region for v in variants}), max(v.scenario.end for v in variants))),
                     ensure_ascii=False),
                 # each variant's reform paths this scheme does not read, and the later changes in force it replaces
                 "idle": json.dumps({v.name: v.scenario.idle() for v in variants}, ensure_ascii=False),
                 "supersedes": json.dumps({v.name: v.scenario.supersedes() for v in variants}, ensure_ascii=False),
                 # each variant's local top-ups that count for less than they say (the state pays at most 100%)
                 "capped": json.dumps({v.name: v.scenario.capped() for v in variants}, ensure_ascii=False),
                 # each variant's state shares under the national one: a test of national policy
                 "below_national": json.dumps({v.name: v.scenario.below_national() for v in variants}, ensure_ascii=False),
                 **_calibration(params, variants[0].scenario.scheme),
                 "chunk_draws": int(args.chunk_draws)}
        ds = batch.assemble(chunks, variants, folder, attrs, guard=_signals_deferred)
    except KeyboardInterrupt:
        return _interrupted(chunks, folder, terminated)
    # every chunk is read: a signal now waits for the store, whole, and stops nothing after it (raised
    # inside the netCDF write it could leave xarray's lock taken, and the batch hang in the close)
    from covsim.cli import main as command

    with _signals_held(for_good=command.CONSOLE):  # in a test's own process, its handlers come back
        batch.write_store(ds, out)
        batch.discard(folder)
        seconds = time.perf_counter() - began
        return _finished(args, out, variants, chunks, resumed, seconds, attrs)


def _finished(args, out, variants, chunks, resumed: int, seconds: float, attrs: dict) -> int:
    """What a finished batch says: the store, its variants and chunks, the time taken."""
    if args.json:
        record = {k: attrs[k] for k in ("scheme", "seed", "draws", "data_hash", "code_version")}
        record.update(parameters=json.loads(attrs["parameters"]), calibrated=attrs["calibrated"],
                      # as every other command's provenance: each variant's scenario hash and assumed numbers
                      scenario_hashes={v.name: v.scenario.hash for v in variants},
                      assumptions=json.loads(attrs["assumptions"]), fixed=json.loads(attrs["fixed"]),
                      code_commit=attrs["code_commit"] or None, environment=json.loads(attrs["environment"]),
                      user_data=json.loads(attrs["user_data"]),
                      # what re-makes each variant, as the store keeps it: the grid, its start, the definitions
                      grid=json.loads(attrs["grid"]), grid_from=json.loads(attrs["grid_from"]),
                      parameters_hash=json.loads(attrs["parameters_hash"]),
                      scenario_definitions={v.name: v.scenario.resolved() for v in variants})
        if attrs.get("learned"):  # by region, as the store's attributes keep them (each a run's record)
            record["learned"] = {r: json.loads(text) for r, text in json.loads(attrs["learned"]).items()}
        if attrs.get("unconverged"):
            record["unconverged"] = json.loads(attrs["unconverged"])
        print(json.dumps({"out": str(out), "scenarios": [v.name for v in variants], "draws": args.draws,
                          "seed": args.seed, "chunks": len(chunks), "resumed_chunks": resumed,
                          "seconds": round(seconds, 3), "provenance": record}, ensure_ascii=False))
    else:
        print(f"{len(variants)} scenario variant{'s' * (len(variants) != 1)} × {args.draws} draws in {len(chunks)} "
              f"chunk{'s' * (len(chunks) != 1)} "
              f"({resumed} resumed) in {seconds:.1f} s: written {out}")
    return 0


def _interrupted(chunks, folder, terminated: list) -> int:
    """Say what an interrupted batch kept. Exit 130 after Ctrl-C, 143 after SIGTERM (128 + the
    signal's number, as a shell reports it)."""
    from covsim.simulator.analysis import batch

    kept = len(chunks) - len(batch.pending(chunks, folder)) if folder.is_dir() else 0
    how = "terminated (SIGTERM)" if terminated else "interrupted"
    if not kept and not folder.exists():  # nothing to resume from: no checkpoint folder to point to
        sys.stderr.write(f"covsim: {how}: before any of the {len(chunks)} chunks was done; no store written\n")
    else:
        sys.stderr.write(f"covsim: {how}: {kept} of {len(chunks)} chunks checkpointed in {folder}; "
                         f"no store written; run the same command with --resume to finish\n")
    return 143 if terminated else 130


@contextmanager
def _sigterm_as_interrupt():
    """Take SIGTERM (a job scheduler's time limit, `kill`) as Ctrl-C is taken while a batch runs,
    so the job's log says what was kept and how to resume, where the default ends the process
    without a word. The list it gives holds True once SIGTERM came."""
    import threading

    came: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield came  # only the main thread may set a handler: the default stays
        return

    def raise_interrupt(*_):
        came.append(True)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield came
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _signals_held(for_good: bool = False):
    """Hold Ctrl-C and SIGTERM while the body runs: the list it gives holds, afterwards, the number
    of each that came meanwhile. A handler that notes it, not a blocked signal: a signal blocked in
    this thread is still taken by any other (Dask's event loop), and Python then raises in this
    one. SIGTERM too: raised inside the cluster's close it escaped as 'interrupted; nothing
    written', exit 130, with every chunk kept. `for_good`: the body ends the batch (the store
    written and said), so both stay ignored after it, until the process exits: a signal in the
    half second of the interpreter's shutdown said "interrupted; nothing written", exit 130, of
    a store written whole."""
    import threading

    came: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM) if threading.current_thread() is threading.main_thread() else ()
    previous = {s: signal.signal(s, lambda signum, _: came.append(signum)) for s in held}
    try:
        yield came
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_IGN if for_good else handler)


@contextmanager
def _signals_deferred():
    """Ctrl-C and SIGTERM held while the body runs, then taken as they would have been (their
    handlers run once it ends). Raised inside a library's locked section, a signal's exception can
    leave the lock held: a SIGTERM while a checkpoint was written left xarray's netCDF lock taken,
    and the file's close then waited on it for ever (CI, 2026-12-03: the batch hung in to_netcdf's
    close, the faulthandler's stack showed)."""
    with _signals_held() as came:
        yield
    for signum in dict.fromkeys(came):
        signal.raise_signal(signum)


def _shut_down(client, cluster, quietly: bool) -> list[int]:
    """Close the Dask client and cluster; after Ctrl-C, with this process's stderr (fd 2) muted
    and Ctrl-C and SIGTERM held meanwhile, so the workers' shutdown says nothing and a second
    signal does not cut it short. Otherwise a signal during the close is held until it ends: the
    numbers of those that came."""
    if client is None and cluster is None:
        return []
    if not quietly:
        with _signals_held() as came:
            _close(client, cluster, quietly)
        return came
    import logging
    import os

    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    logging.disable(logging.CRITICAL)
    try:
        with _signals_held():  # the batch is stopping already: a second signal changes nothing
            _close(client, cluster, quietly)
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        logging.disable(logging.NOTSET)
    return []


#: How long a stopping batch waits for its cluster to close before it stops the workers itself: a
#: job scheduler's SIGTERM gives a grace period (Slurm's KillWait, 30 s by default), and a close cut
#: short by the signal itself can wait for ever on a lock the interrupted thread held.
CLOSE_SECONDS = 20.0


def _close(client, cluster, quietly: bool, seconds: float = CLOSE_SECONDS) -> None:
    if not quietly:
        for thing in (client, cluster):
            if thing is not None:
                thing.close()
        return
    import threading

    def close_all():
        for thing in (client, cluster):
            if thing is not None:
                try:
                    thing.close()
                except Exception:  # noqa: BLE001 - a worker already gone; nothing left to keep
                    pass

    closing = threading.Thread(target=close_all, daemon=True, name="covsim-close")
    closing.start()
    closing.join(seconds)
    if closing.is_alive():  # the checkpoints are on disk: stop the workers rather than wait
        _stop_children()


def _stop_children() -> None:
    """Kill this process's child processes (a local cluster's nannies and workers); their owners
    (multiprocessing) reap them."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with dash[diskcache]
        return
    for child in psutil.Process().children(recursive=True):
        try:
            child.kill()
        except psutil.Error:
            pass


def register(sub) -> None:
    from covsim.cli.main import SEED_HELP, _positive_int, _year, add_memory_limit, seed

    p = sub.add_parser("batch", help="scenarios × a lever grid × draws on Dask, into one Zarr or NetCDF store")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="shipped scenario names, or TOML or .xlsx "
                                                                    "paths (`covsim scenarios` lists the shipped)")
    p.add_argument("--grid", action="append", default=[], metavar="LEVER=START:STOP:STEP",
                   help="sweep a lever from START to STOP (included) by STEP (repeatable: a Cartesian product), "
                        "e.g. near_poor=0.3:1.0:0.1; a bare group name is its state share")
    p.add_argument("--draws", type=_positive_int, default=200, help="posterior draws (default 200)")
    p.add_argument("--seed", type=seed, default=0, help=SEED_HELP)
    p.add_argument("--out", required=True, help="the store: .zarr or .nc")
    p.add_argument("--scheduler", default="sync", help="sync (default), local, or tcp://HOST:PORT")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help=f"workers of a local cluster (default {LOCAL_WORKERS})")
    p.add_argument("--chunk-draws", type=_positive_int, default=100,
                   help="draws per chunk: the unit of work and of checkpoints (default 100; each chunk has a fixed "
                        "cost of some 60 ms on a 2-core machine, so much smaller chunks spend their time on "
                        "bookkeeping)")
    p.add_argument("--from", dest="start", type=_year, help="first year grid levers take effect "
                                                           "(default: after the region's last observation)")
    p.add_argument("--scheme", choices=SCHEMES, help="insurance scheme (default: the scenarios')")
    p.add_argument("--resume", action="store_true", help="reuse the finished chunks of an interrupted batch")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_memory_limit(p)
    p.set_defaults(func=cmd_batch)
