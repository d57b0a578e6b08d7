"""WSGI entry point: `gunicorn -w 4 --preload -b 127.0.0.1:8050 covsim.dashboard.wsgi:server`.

Background jobs and their results live in one diskcache folder that every worker must see: with
`--preload` the workers inherit the one the app made; otherwise name a shared folder in
COVSIM_DASHBOARD_CACHE.
"""
import os

from .app import create_app

app = create_app(cache_dir=os.environ.get("COVSIM_DASHBOARD_CACHE") or None)
server = app.server
