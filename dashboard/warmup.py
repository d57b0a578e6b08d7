"""Warming the dashboard's kept runs without ever making a user wait behind it.

The regions' baselines are built ahead of the first lever move, but a user's request comes first:
the warm-up is a separate process (a fork of the server) at the lowest CPU priority, so the server
never holds its engine-run lock for it (a background job's fork waits on that lock) and the
scheduler gives a user's job the cores; it takes no build lock (a job building the same region
never waits on it); and before each region it waits while any request is being served
(`cache.serving`). What it builds goes to the shared disk cache, where the server and its jobs find
it. One region at a time, nothing kept in its memory.
"""
from __future__ import annotations

import logging
import os
import threading
import time

from . import cache, compute

log = logging.getLogger("covsim.dashboard")

POLL = 0.5  # seconds between looks at whether requests are still being served


def start(regions, draws: int, seed: int, yielding=None):
    """Warm `regions` in a low-priority process; returns it (None when this platform cannot fork,
    then a thread does it). `yielding` (an Event) is set whenever the warm-up waits for a request."""
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork (Windows): a thread, as before
        worker = threading.Thread(target=_warm, args=(tuple(regions), draws, seed, None, yielding),
                                  daemon=True, name="covsim-warm")
        worker.start()
        return None
    worker = context.Process(target=_warm, args=(tuple(regions), draws, seed, os.getpid(), yielding),
                             daemon=True, name="covsim-warm")
    worker.start()
    return worker


def _warm(regions, draws: int, seed: int, parent: int | None, yielding) -> None:
    if parent is not None:
        _die_with(parent)
        os.nice(19)
    for region in regions:
        while cache.requests_pending():
            if yielding is not None:
                yielding.set()
            if parent is not None and os.getppid() != parent:
                return  # the server is gone
            time.sleep(POLL)
        try:
            compute.warm_region(region, draws, seed)
        except Exception:  # noqa: BLE001 - a cold cache is only slower
            log.exception("warming %s failed", region)


def _die_with(parent: int) -> None:
    """A server killed outright (SIGKILL, a test runner's stop) takes its warm-up with it (Linux)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it died before the line above
        os._exit(0)
