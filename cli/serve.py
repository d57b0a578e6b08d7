"""`covsim dashboard`: the Dash app on the loopback address by default."""
from __future__ import annotations


def cmd_dashboard(args) -> int:
    from covsim.dashboard.app import create_app

    create_app().run(host=args.host, port=args.port, debug=False)
    return 0


def register(sub) -> None:
    p = sub.add_parser("dashboard", help="start the planners' dashboard (Dash) in a browser")
    p.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, loopback only)")
    p.set_defaults(func=cmd_dashboard)
