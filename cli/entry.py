"""The `covsim` console command: a Ctrl-C at any moment ends in one line, never a traceback.

Importing the engine takes a second or two before `main` can catch anything; this module imports
nothing heavy, so a Ctrl-C while the rest loads (or while the options are read) is caught here.
"""
from __future__ import annotations

import sys

INTERRUPTED = "covsim: interrupted; nothing written\n"  # as `main` says it once it runs


def main() -> int:
    try:
        from covsim.cli import main as command

        command.CONSOLE = True  # this process is the `covsim` command (see covsim.cli.main.CONSOLE)
        return command.main()
    except KeyboardInterrupt:  # `run` catches its own; this is one before or between
        sys.stderr.write(INTERRUPTED)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
