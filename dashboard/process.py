"""`covsim dashboard` in a process of its own on a free loopback port, for scripts that drive it
from outside (the latency benchmark, the screenshots, the browser tests) and must stop it and its
jobs after; and the headless Chromium they drive it with."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


CHROMIUM = "/usr/bin/chromium"  # Debian's chromium, which .ci/run installs with chromium-driver


def chromium_options(*flags: str):
    """Selenium options for headless Chromium without a GPU or sandbox (as in CI), plus `flags`."""
    from selenium.webdriver.chrome.options import Options  # selenium comes with dash[testing]

    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", *flags):
        options.add_argument(flag)
    return options


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, log=subprocess.DEVNULL, timeout: float = 180, env: dict | None = None) -> subprocess.Popen:
    """The server, returned once it answers and every region's run is kept ready (its steady
    state: `/_covsim/health`); `log` takes its output, `env` is its environment."""
    proc = subprocess.Popen([sys.executable, "-m", "covsim.cli.main", "dashboard", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_covsim/health", timeout=2) as r:
                health = json.load(r)
            if health["warm_regions"] >= health["regions"]:
                return proc
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    stop(proc)
    raise RuntimeError("covsim dashboard did not start")


def stop(proc: subprocess.Popen) -> None:
    """Stop the server and any background job it left running."""
    import psutil

    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    proc.terminate()
    proc.wait(10)
    kill(children)


def kill(processes) -> None:
    """Kill each of `processes` (psutil's), passing over those already gone."""
    import psutil

    for p in processes:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
