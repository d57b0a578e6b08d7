"""The dashboard's process plumbing: runs shared between the server and its background jobs.

A background job is a fork of the server. Runs computed in one process serve the others through a
diskcache keyed by the inputs and the code's version; the server keeps its latest kept runs in memory (its forks
inherit them); one engine run at a time per process, and forks wait for it. `compute` asks this
module for all of that and holds the request-to-result logic.
"""
from __future__ import annotations

import itertools
import os
import pickle
import threading
from collections import OrderedDict
from contextlib import contextmanager

_SHARED = None  # a diskcache.Cache shared with the background workers (keyed by inputs and code, `_made_by`)
_OWNER = None  # the process that set it up: the server
_BUILD_LOCK = threading.Lock()  # one build of a kept run at a time without that cache
_RUN_LOCK = threading.Lock()  # one engine run at a time per process (see fork_safe_threads)
_KEPT: OrderedDict = OrderedDict()  # (name, draws, seed) -> a kept run (Variants), the few latest
_KEPT_LOCK = threading.Lock()  # the request threads' moves in _VARIANTS
KEPT_RUNS = 10  # 50-150 MB each at 200 draws: the six regions' baselines and a few reforms
SHARED_BYTES = 2 * 2**30  # the shared cache's bound: every offered region's kept run (~1.5 GB at 200 draws)
_SERVING = [0]  # requests being served in this process (see serving)
_SERVING_LOCK = threading.Lock()
_TICKETS = itertools.count()
_CODE = [""]  # the code's version (`made_by`), in every shared key


def _hold_runs_across_fork() -> None:
    """A background job is a fork of the server; forking while a request thread is inside an engine
    run would give the child a held lock and a half-launched thread pool. Forks wait for the run."""

    def fresh_lock():
        global _RUN_LOCK, _KEPT_LOCK, _BUILD_LOCK, _SERVING_LOCK  # (they may be held by a thread the child lacks)
        _RUN_LOCK, _KEPT_LOCK, _BUILD_LOCK = threading.Lock(), threading.Lock(), threading.Lock()
        _SERVING_LOCK, _SERVING[0] = threading.Lock(), 0  # the parent's requests are not the child's

    os.register_at_fork(before=lambda: _RUN_LOCK.acquire(), after_in_parent=lambda: _RUN_LOCK.release(),
                        after_in_child=fresh_lock)


_hold_runs_across_fork()


def fork_safe_threads() -> bool:
    """Make the engine's parallel loops safe in the forked background workers.

    GNU OpenMP (numba's default threading layer here) kills a forked child that runs a parallel
    loop; numba's own `workqueue` layer survives the fork but takes one parallel launch at a time,
    hence the lock around runs. Only possible before the first parallel loop of the process: False
    if an OpenMP layer is already running (then the caller keeps the model on the request thread).
    """
    import numba
    from numba.np.ufunc import parallel as _parallel

    if not _parallel._is_initialized:
        numba.config.THREADING_LAYER = "workqueue"
        return True
    return numba.threading_layer() != "omp"


def workqueue() -> bool:
    import numba

    return numba.config.THREADING_LAYER == "workqueue"


def open_cache(directory: str, attempts: int = 5):
    """A diskcache.Cache in `directory`, safe when several processes open it at once.

    `diskcache.Cache()` creates its SQLite tables and sets its pragmas on opening, without a lock
    across processes (python-diskcache issue #266): gunicorn workers started together without
    `--preload` on one COVSIM_DASHBOARD_CACHE folder raced there and one failed with "no such
    table: Cache". Openings take an exclusive file lock in the folder, one process after another,
    and an opening that still meets a half-made database (another program's) is retried."""
    import sqlite3

    import diskcache

    os.makedirs(directory, exist_ok=True)
    for _ in range(attempts - 1):
        try:
            with _opening_lock(directory):
                return diskcache.Cache(directory)
        except sqlite3.OperationalError as exc:
            if not ("no such table" in str(exc) or "locked" in str(exc)):
                raise
    with _opening_lock(directory):
        return diskcache.Cache(directory)


class _opening_lock:
    """An exclusive lock on `directory`/opening.lock across processes (flock; none where the
    platform lacks it, e.g. Windows, where a single process serves the dashboard)."""

    def __init__(self, directory: str):
        self.path = os.path.join(directory, "opening.lock")

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except ImportError:
            pass
        return self

    def __exit__(self, *exc):
        os.close(self.fd)  # releases the flock


@contextmanager
def serving():
    """Mark a user's request as being served, in this process and (for the warm-up, another
    process) in the shared cache, so that background warm-up waits for it (see dashboard.warmup)."""
    key = ("serving", os.getpid(), next(_TICKETS))
    with _SERVING_LOCK:
        _SERVING[0] += 1
    _mark(key)
    try:
        yield
    finally:
        with _SERVING_LOCK:
            _SERVING[0] -= 1
        _unmark(key)


def _mark(key: tuple) -> None:
    if _SHARED is not None:
        try:
            _SHARED.set(key, 1, expire=3600)
        except Exception:  # noqa: BLE001 - then only this process knows
            pass


def _unmark(key: tuple) -> None:
    if _SHARED is not None:
        try:
            _SHARED.delete(key)
        except Exception:  # noqa: BLE001 - a stale mark goes with its process (requests_pending)
            pass


def requests_pending() -> bool:
    """Whether a user's request is being served by this process or by a live one sharing the cache
    (a job Dash stopped mid-run leaves its mark behind: a dead process's mark is dropped)."""
    if _SERVING[0] > 0:
        return True
    if _SHARED is None:
        return False
    try:
        marks = [k for k in _SHARED.iterkeys() if isinstance(k, tuple) and k and k[0] == "serving"]
    except Exception:  # noqa: BLE001 - an unreadable cache: nothing known to wait for
        return False
    pending = False
    for key in marks:
        if _alive(key[1]):
            pending = True
        else:
            _unmark(key)
    return pending


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def share_cache(cache) -> None:
    """Let runs computed in one process (a background job) serve the others."""
    global _SHARED, _OWNER
    _SHARED, _OWNER = cache, os.getpid()


def in_job() -> bool:
    """Whether this process is a background job (a fork of the process that set up the cache)."""
    return _SHARED is not None and os.getpid() != _OWNER


def shared(key: tuple, make):
    """`make()`, or what another process made for `key` and left in the shared cache."""
    value = load_shared(key)
    if value is not None:
        return value
    value = make()
    publish(key, value)
    return value


def made_by(code: str) -> None:
    """The code version every shared result is keyed by (`compute` sets it on import)."""
    _CODE[0] = code


def _made_by(key: tuple) -> tuple:
    """A result's key with the code that made it: a cache folder (COVSIM_DASHBOARD_CACHE) kept for
    hours across an upgrade must not serve the old code's fits and runs (an audit of 2026-12-07)."""
    return (_CODE[0],) + tuple(key)


def is_shared(key: tuple) -> bool:
    """Whether the shared cache holds `key` (without reading it)."""
    try:
        return _SHARED is not None and _made_by(key) in _SHARED
    except Exception:  # noqa: BLE001
        return False


def publish(key: tuple, value) -> None:
    if _SHARED is not None:
        try:
            _SHARED.set(_made_by(key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), expire=6 * 3600)
        except Exception:  # noqa: BLE001 - a full disk costs speed, never an answer
            pass


def load_shared(key: tuple):
    if _SHARED is None:
        return None
    try:
        blob = _SHARED.get(_made_by(key))
        return pickle.loads(blob) if blob is not None else None
    except Exception:  # noqa: BLE001 - a broken cache entry is only a miss
        return None


def building(key: tuple):
    """A lock across the server's threads and its background jobs (a diskcache lock) while one
    builds `key`."""
    if _SHARED is None:
        return _BUILD_LOCK
    import diskcache

    # expire: a job Dash stops mid-build (a newer lever move) must not hold the others back for long
    return diskcache.Lock(_SHARED, ("building",) + key, expire=30)


def run_lock() -> threading.Lock:
    """The lock around an engine run in this process (a fresh one in a forked child)."""
    return _RUN_LOCK


def kept(key: tuple):
    """A kept run of this process, or None."""
    return _KEPT.get(key)


def keep(key: tuple, value) -> None:
    """Keep a run in this process, dropping the oldest beyond KEPT_RUNS."""
    with _KEPT_LOCK:
        _KEPT[key] = value
        _KEPT.move_to_end(key)
        while len(_KEPT) > KEPT_RUNS:
            _KEPT.popitem(last=False)
