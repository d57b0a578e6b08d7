"""The dashboard's shared diskcache opens safely when several processes (gunicorn workers started
together on one COVSIM_DASHBOARD_CACHE folder) open it at once."""
from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3

import diskcache
import pytest

from covsim.dashboard import cache


def test_the_opening_holds_a_lock_across_processes(tmp_path, monkeypatch):
    """While diskcache creates its tables, another opening (any process) waits on the folder's lock."""
    seen = []
    real = diskcache.Cache

    def probe(directory):
        fd = os.open(os.path.join(directory, "opening.lock"), os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            seen.append(directory)
        finally:
            os.close(fd)
        return real(directory)

    monkeypatch.setattr(diskcache, "Cache", probe)
    opened = cache.open_cache(str(tmp_path / "runs"))
    assert seen == [str(tmp_path / "runs")]
    opened.set("k", 1)
    assert opened.get("k") == 1
    fd = os.open(tmp_path / "runs" / "opening.lock", os.O_RDWR)  # released once open
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.close(fd)


def test_a_half_made_database_is_retried_other_errors_are_not(tmp_path, monkeypatch):
    real, calls = diskcache.Cache, []

    def racing(directory):
        calls.append(directory)
        if len(calls) == 1:
            raise sqlite3.OperationalError("no such table: Cache")
        return real(directory)

    monkeypatch.setattr(diskcache, "Cache", racing)
    assert cache.open_cache(str(tmp_path / "jobs")).directory == str(tmp_path / "jobs")
    assert len(calls) == 2

    def broken(directory):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(diskcache, "Cache", broken)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        cache.open_cache(str(tmp_path / "other"))


def _open_and_use(directory, barrier, results):
    barrier.wait()
    try:
        c = cache.open_cache(directory)
        c.set(("worker", os.getpid()), os.getpid())
        results.put(c.get(("worker", os.getpid())) == os.getpid())
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(repr(exc))


def test_workers_opening_one_folder_at_once_all_get_a_working_cache(tmp_path):
    ctx = multiprocessing.get_context("fork")
    n = 6
    barrier, results = ctx.Barrier(n), ctx.Queue()
    workers = [ctx.Process(target=_open_and_use, args=(str(tmp_path / "jobs"), barrier, results)) for _ in range(n)]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for w in workers:
        w.join()
    assert outcomes == [True] * n
    assert len(diskcache.Cache(str(tmp_path / "jobs"))) == n
