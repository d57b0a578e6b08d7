"""The Dash app: `create_app()` builds it; `covsim dashboard` and `dashboard/wsgi.py` serve it.

A lever move on a scenario whose run this process keeps is answered in the request (tens of
milliseconds: the years from the lever's start, see `simulator.schemes.variants`); anything longer runs in
a Dash background callback (a `DiskcacheManager` over a diskcache in a temporary folder by
default), so the page never waits on a long request. A second diskcache beside it holds the kept
runs and parameter draws the jobs built, keyed by their inputs, so the server and every job share
them; each process also keeps the latest few in memory. Nothing else is shared between sessions.
"""
from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile

import dash

from . import cache, callbacks, compute, fields, i18n, layout, warmup

#: plotly.js's Vietnamese and English locales (the chart toolbar), made from the catalogue.
PLOTLY_LOCALES = "/_covsim/plotly-locales.js"

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
    `warm` runs the default region's (the first of REGIONS) baseline once so the first page is quick,
    and (with `background`) the calibrated regions' in a process that yields to requests (`warmup`)."""
    _import_before_threads()
    manager = None
    if background and not cache.fork_safe_threads():
        log.warning("numba already runs GNU OpenMP in this process, which forked workers cannot use: "
                    "the dashboard computes on the request thread")
        background = False
    if background:
        folder = cache_dir or _temporary_folder()
        manager = DiskcacheManager(cache.open_cache(os.path.join(folder, "jobs")))
        # Baseline runs and draws for the job processes, apart from the jobs' own traffic.
        runs = cache.open_cache(os.path.join(folder, "runs"))
        runs.reset("size_limit", cache.SHARED_BYTES)
        cache.share_cache(runs)
    app = dash.Dash(__name__, title=i18n.t("title", i18n.DEFAULT), background_callback_manager=manager,
                    suppress_callback_exceptions=False, update_title=None,
                    external_scripts=[PLOTLY_LOCALES])
    app.clientside_callback("function(title) { if (title) { document.title = title; } return ''; }",
                            dash.Output("page-title", "className"), dash.Input("page-title", "children"))
    # the page's language for screen readers, spell checkers and translators: Vietnamese as served,
    # then whichever the reader picks (the HTML briefing says its own)
    app.index_string = app.index_string.replace("<html>", f'<html lang="{i18n.DEFAULT}">', 1)
    app.clientside_callback("function(lang) { if (lang) { document.documentElement.lang = lang; } return ''; }",
                            dash.Output("page-lang", "className"), dash.Input("lang", "value"))
    app.layout = layout.layout
    callbacks.register(app, draws, seed, background=background)
    fields.register(app)
    warmed = compute.warmed_regions() if warm and background else compute.REGIONS[:1] if warm else ()
    if warm:
        try:
            compute.variants_of(compute.REGIONS[0], draws, seed)
        except Exception:  # noqa: BLE001 - a cold cache is only slower
            log.exception("warming the dashboard's cache failed")
    if background and len(warmed) > 1:
        # The other regions' baselines in a low-priority process that yields to every request:
        # their first lever moves are then quick too, and no user waits behind them.
        warmup.start(warmed[1:], draws, seed)

    @app.server.route(PLOTLY_LOCALES)
    def plotly_locales():
        return app.server.response_class(i18n.plotly_locale_script(), mimetype="application/javascript")

    @app.server.route("/_covsim/health")
    def health():
        """For a load balancer or a benchmark: up, and how many regions' runs are kept ready."""
        ready = sum(compute.is_ready(r, draws, seed) for r in warmed)
        return {"status": "ok", "warm_regions": ready, "regions": len(warmed)}
    return app


def _import_before_threads() -> None:
    """Plotly's JSON encoder, on every response, takes PIL.Image from sys.modules if it is there: a
    request thread that imports PIL (plotly.express does) while another serialises gave that one a
    half-imported module and an HTTP 500 (seen once under 20 sessions). Import it before serving."""
    try:
        import PIL.Image  # noqa: F401
    except ImportError:  # not installed: the encoder never looks for it
        pass


def _temporary_folder() -> str:
    """A folder for the caches that goes when the process that made it exits (its forked jobs and
    workers leave it be): kept runs take tens of MB each, and a server started many times over (a
    test suite, a benchmark) must not fill the disk."""
    folder = tempfile.mkdtemp(prefix="covsim-dashboard-")
    owner = os.getpid()

    def remove():
        if os.getpid() == owner:
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)
    return folder
