"""`covsim dashboard`: the Dash app on the loopback address by default."""
from __future__ import annotations

import os
import signal


def cmd_dashboard(args) -> int:
    from covsim.dashboard.app import create_app

    _check_address(args.host, args.port)
    previous = _exit_on_terminate()
    try:
        create_app().run(host=args.host, port=args.port, debug=False, request_handler=_failed_requests_only())
    finally:  # called from Python (`main([...])` in a script or a test): the caller's handler comes back
        if previous is not None:  # None: one set outside Python, which cannot be put back from here
            signal.signal(signal.SIGTERM, previous)
    return 0


def _failed_requests_only():
    """The development server's request handler, logging only requests that failed (4xx, 5xx):
    the page asks ten times a second while a job runs, and a line for each buried the app's own
    warnings (a deployment behind a WSGI server, `dashboard/wsgi.py`, keeps that server's log)."""
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        def log_request(self, code="-", size="-") -> None:
            if str(getattr(code, "value", code))[:1] in ("4", "5"):
                super().log_request(code, size)

    return Handler


def _exit_on_terminate():
    """SIGTERM (a service manager, a test runner) ends the server as Ctrl-C does, so its exit
    handlers remove its cache folder; its background jobs die at once (exit would wait for them).
    Gives the handler it replaced."""
    server = os.getpid()

    def terminate(signum, frame):
        if os.getpid() != server:  # a job forked from the server
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        import psutil  # with dash[diskcache]

        from covsim.dashboard.process import kill

        kill(psutil.Process().children(recursive=True))
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, terminate)


def _check_address(host: str, port: int) -> None:
    """Refuse, in one line, an address the server could not listen on (a port in use, a host
    that is not this machine's), before the app is built; the server would print several lines
    and exit 1."""
    import socket

    from covsim.simulator.errors import InputError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError("--host", host, f"not an address of this machine ({getattr(exc, 'strerror', exc)})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server's own socket
        try:
            probe.bind(address)
        except OSError as exc:
            raise InputError("--port", str(port), f"cannot listen on {host}:{port} ({exc.strerror}); "
                                                  "choose another --port") from None


def _port(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port; allowed: 1..65535")
    return value


def register(sub) -> None:
    p = sub.add_parser("dashboard", help="start the planners' dashboard (Dash) in a browser")
    p.add_argument("--port", type=_port, default=8050, help="TCP port, 1..65535 (default 8050)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, loopback only)")
    p.set_defaults(func=cmd_dashboard)
