"""The Dash app: `create_app()` builds it; `covsim dashboard` and `dashboard/wsgi.py` serve it.

The model runs in Dash background callbacks (a `DiskcacheManager` over a diskcache in a temporary
folder by default), so the page never waits on the request thread. The same diskcache holds the
runs the workers computed, keyed by their inputs, and every process keeps an lru_cache of its own:
nothing else is shared between sessions.
"""
from __future__ import annotations

import logging
import os
import tempfile

import dash

from . import callbacks, compute, layout

log = logging.getLogger("covsim.dashboard")


class DiskcacheManager(dash.DiskcacheManager):
    """Dash's manager, minus a race: a job that exits between Dash's 'is it alive?' and its listing
    of the job's children raised psutil.NoSuchProcess after the answer had been taken from the
    cache, so the poll failed with HTTP 500 and the answer was lost (seen under 20 sessions)."""

    def terminate_job(self, job):
        import psutil

        try:
            super().terminate_job(job)
        except psutil.NoSuchProcess:
            pass


def create_app(draws: int = compute.DRAWS, seed: int = compute.SEED, cache_dir: str | None = None,
               background: bool = True, warm: bool = True) -> dash.Dash:
    """The dashboard. `background=False` runs the model in the request (for tests without workers);
    `warm` runs the default region's baseline once so the first page is quick."""
    manager = None
    if background and not compute.fork_safe_threads():
        log.warning("numba already runs GNU OpenMP in this process, which forked workers cannot use: "
                    "the dashboard computes on the request thread")
        background = False
    if background:
        import diskcache

        folder = cache_dir or tempfile.mkdtemp(prefix="covsim-dashboard-")
        manager = DiskcacheManager(diskcache.Cache(os.path.join(folder, "jobs")))
        # Baseline runs and draws for the job processes, apart from the jobs' own traffic.
        compute.share_cache(diskcache.Cache(os.path.join(folder, "runs")))
    app = dash.Dash(__name__, title="covsim", background_callback_manager=manager,
                    suppress_callback_exceptions=False, update_title=None)
    app.layout = layout.layout
    callbacks.register(app, draws, seed, background=background)
    if warm:
        try:
            compute.baseline_run("vietnam", "bhyt", draws, seed)
        except Exception:  # noqa: BLE001 - a cold cache is only slower
            log.exception("warming the dashboard's cache failed")
    return app
