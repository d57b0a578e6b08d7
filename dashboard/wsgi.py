"""WSGI entry point: `gunicorn covsim.dashboard.wsgi:server`."""
from .app import create_app

server = create_app().server
