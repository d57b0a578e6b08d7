"""`covsim dashboard`: the Dash app on the loopback address by default."""
from __future__ import annotations

import os
import signal


def cmd_dashboard(args) -> int:
    from covsim.dashboard.app import create_app

    _exit_on_terminate()
    create_app().run(host=args.host, port=args.port, debug=False)
    return 0


def _exit_on_terminate() -> None:
    """SIGTERM (a service manager, a test runner) ends the server as Ctrl-C does, so its exit
    handlers remove its cache folder; its background jobs die at once (exit would wait for them)."""
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

    signal.signal(signal.SIGTERM, terminate)


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
