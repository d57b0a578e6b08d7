"""The floor under the dashboard's latency goal: a lever move that costs the server nothing.

    python benchmarks/dashboard_floor.py [--changes 30]

The goal of #6 is p95 from lever change to updated chart <= 3 x the p50 of a trivial callback's
round trip in the same page. `dashboard_latency.py` measures the real page. This script asks
whether *any* Dash page can meet that goal with the real fan chart on this machine: it serves a
page holding nothing but a lever box, the fan chart of the default scenario (the figure the
dashboard draws, built once at start) and the hidden ping, and answers each move with a copy of
that figure shifted by the lever's value: no model, no stores, no details. Three ways of handing
the figure to the chart, each with its own lever, chart and result id on the same page:

- `figure`: the callback returns the whole figure to `dcc.Graph` (what the dashboard does);
- `patch`: the callback returns a `dash.Patch` of the three model traces' y values;
- `clientside`: the callback returns the figure to a `dcc.Store` and a clientside callback hands
  it to `Plotly.react` on the chart's element itself, past `dcc.Graph`'s own update.

Then, in the same browser, `Plotly.react` alone on the same figure (no Dash, no request): the
chart's own redraw. Before the browser starts, the model's answer to 30 new lever values is timed
in this process (what the dashboard's server computes for a move before it answers): what a real
move adds to the floor. Moves of the three kinds and pings alternate, one after the other, so the
ratios compare timings of one run. Times are in the browser's clock, from the user's action (the
click, the Enter) to the next frame after the result is in the page, as in `dashboard_latency.py`,
whose timing code this reuses. Prints a table; the last line is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dashboard_latency as bench  # noqa: E402 - the same browser, clock and phases

KINDS = ("figure", "patch", "clientside")
MODEL_TRACES = 3  # the 95% and 80% bands and the median, the traces a lever move changes


def default_request(household_share: float | None = None) -> dict:
    """The dashboard's first request (default scenario, its levers in force, its target), with the
    household group's state share set to `household_share` percent if given."""
    from covsim.dashboard import callbacks, compute

    name = compute.REGIONS[0]
    levers, start, target, year = callbacks.page_defaults(name, "bhyt")
    if household_share is not None:
        levers["state_share.household"] = household_share
    return callbacks.request_of(name, "bhyt", levers, start, target, year, None)


def answer(req: dict) -> dict:
    """What the dashboard's server computes for a lever move before it answers (the probability,
    the headline, the fan chart's quantiles), in this process."""
    from covsim.dashboard import callbacks, compute

    s = callbacks.compute_request(req, compute.DRAWS, compute.SEED, details=False)
    if s.get("error"):
        raise RuntimeError(s["error"])
    return s


def model_ms(changes: int) -> list[float]:
    """The server's work for `changes` new values of the household share (as the latency benchmark
    moves it), in this process, on the kept run of the default scenario: what a real move adds to
    the floor."""
    times = []
    for i in range(changes):
        req = default_request(10 + i)
        t0 = time.perf_counter()
        answer(req)
        times.append(1000 * (time.perf_counter() - t0))
    return times


def default_fan() -> dict:
    """The fan chart the dashboard draws first, in Vietnamese."""
    from covsim.dashboard import figures

    return figures.fan_chart(answer(default_request()), "vi")


def shifted(fan: dict, value: float) -> list[list]:
    """The model traces' y values moved by a tenth of a point per unit of the lever: a new figure
    for every new value, as a real move gives."""
    return [[None if y is None else y + value / 10 for y in trace["y"]] for trace in fan["data"][:MODEL_TRACES]]


CLIENTSIDE = """
function (fig, key) {
    if (!fig) { return window.dash_clientside.no_update; }
    const el = document.querySelector('#fan-clientside .js-plotly-plot');
    Plotly.react(el, fig.data, fig.layout);  // draws before it returns; its promise is for the events
    return key;
}
"""


def floor_app(fan: dict):
    import dash
    from dash import Input, Output, Patch, State, dcc, html

    app = dash.Dash(__name__, update_title=None)
    rows = []
    for kind in KINDS:
        rows += [dcc.Input(id=f"lever-{kind}", type="number", debounce=True, step="any"),
                 html.Div(id=f"key-{kind}"),
                 dcc.Graph(id=f"fan-{kind}", figure=fan, config={"displaylogo": False})]
    app.layout = html.Div([*rows, dcc.Store(id="figure-clientside"), dcc.Store(id="key-store"),
                           html.Button("ping", id="ping", n_clicks=0, style={"display": "none"}),
                           html.Div(id="pong", style={"display": "none"})])

    def moved(value) -> dict:
        fig = copy.deepcopy(fan)
        for trace, ys in zip(fig["data"], shifted(fan, float(value or 0))):
            trace["y"] = ys
        return fig

    @app.callback(Output("fan-figure", "figure"), Output("key-figure", "children"),
                  Input("lever-figure", "value"), prevent_initial_call=True)
    def as_figure(value):
        return moved(value), str(value)

    @app.callback(Output("fan-patch", "figure"), Output("key-patch", "children"),
                  Input("lever-patch", "value"), prevent_initial_call=True)
    def as_patch(value):
        patch = Patch()
        for i, ys in enumerate(shifted(fan, float(value or 0))):
            patch["data"][i]["y"] = ys
        return patch, str(value)

    @app.callback(Output("figure-clientside", "data"), Output("key-store", "data"),
                  Input("lever-clientside", "value"), prevent_initial_call=True)
    def as_store(value):
        return moved(value), str(value)

    app.clientside_callback(CLIENTSIDE, Output("key-clientside", "children"), Input("figure-clientside", "data"),
                            State("key-store", "data"), prevent_initial_call=True)

    @app.callback(Output("pong", "children"), Input("ping", "n_clicks"))
    def ping(n):
        return str(n)

    return app


REACT_JS = """
const fig = arguments[0], n = arguments[1], traces = arguments[2], done = arguments[arguments.length - 1];
const el = document.createElement('div');
el.style.width = document.querySelector('#fan-figure').offsetWidth + 'px';
document.body.appendChild(el);
Plotly.newPlot(el, fig.data, fig.layout, {displaylogo: false}).then(async () => {
    const times = [];
    for (let i = 1; i <= n; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const f = JSON.parse(JSON.stringify(fig));
        for (const t of f.data.slice(0, traces)) { t.y = t.y.map((y) => y === null ? null : y + i / 10); }
        const t0 = performance.now();
        Plotly.react(el, f.data, f.layout, {displaylogo: false});
        await new Promise((r) => requestAnimationFrame(r));
        times.push(performance.now() - t0);
    }
    Plotly.purge(el); el.remove();
    done(times);
});
"""


def measure(port: int, fan: dict, changes: int) -> dict:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = bench.browser()
    try:
        driver.get(f"http://127.0.0.1:{port}")
        drawn = "return document.querySelectorAll('.js-plotly-plot .main-svg .scatterlayer').length"
        WebDriverWait(driver, 30).until(lambda d: d.execute_script(drawn) == len(KINDS))
        ping = driver.find_element(By.ID, "ping")
        click = lambda: driver.execute_script("arguments[0].click()", ping)  # noqa: E731
        levers = {k: driver.find_element(By.ID, f"lever-{k}") for k in KINDS}
        timings = {k: [] for k in ("trivial", *KINDS)}
        for i in range(changes):
            timings["trivial"].append(bench.timed(driver, "pong", click, ping, "click"))
            time.sleep(0.1)
            for kind, box in levers.items():
                change = lambda box=box, value=10 + i: bench.commit(box, value)  # noqa: E731
                timings[kind].append(bench.timed(driver, f"key-{kind}", change, box, "Enter"))
                time.sleep(0.3)
        driver.set_script_timeout(120)
        react = driver.execute_async_script(REACT_JS, fan, changes, MODEL_TRACES)
        logs = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    finally:
        driver.quit()
    return {"timings": timings, "react_ms": react, "console_errors": len(logs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=30, help="moves of each kind and pings (default 30)")
    args = parser.parse_args(argv)
    from werkzeug.serving import make_server

    from covsim.dashboard import cache

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per request
    cache.fork_safe_threads()  # the engine's threads as the dashboard's server sets them
    fan = default_fan()
    model = model_ms(args.changes)
    port = bench.process.free_port()
    server = make_server("127.0.0.1", port, floor_app(fan).server, threaded=True)  # as `covsim dashboard`
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        got = measure(port, fan, args.changes)
    finally:
        server.shutdown()
    pct = lambda xs, q: round(float(np.percentile(xs, q)), 1)  # noqa: E731
    trivial = [t for t, _ in got["timings"]["trivial"]]
    base = pct(trivial, 50)
    result = {"changes": args.changes, "goal_ratio": bench.GOAL, "trivial_p50_ms": base,
              "trivial_p95_ms": pct(trivial, 95), "console_errors": got["console_errors"],
              "plotly_react_p50_ms": pct(got["react_ms"], 50), "plotly_react_p95_ms": pct(got["react_ms"], 95)}
    print(f"trivial callback round trip        p50 {base:6.1f} ms  p95 {result['trivial_p95_ms']:6.1f} ms")
    for kind in KINDS:
        ms = [t for t, _ in got["timings"][kind]]
        row = {"p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "ratio_p95_to_trivial_p50": round(pct(ms, 95) / base, 2),
               "phases_p50_ms": bench.phase_medians(got["timings"][kind])}
        result[kind] = row
        print(f"lever to chart, {kind:10s}         p50 {row['p50_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms"
              f"  ratio {row['ratio_p95_to_trivial_p50']:.2f}  phases p50 "
              + " / ".join(str(v) for v in row["phases_p50_ms"].values()) + " ms")
    print(f"Plotly.react alone (no Dash)       p50 {result['plotly_react_p50_ms']:6.1f} ms"
          f"  p95 {result['plotly_react_p95_ms']:6.1f} ms")
    best = min(KINDS, key=lambda k: result[k]["p95_ms"])
    result["floor_ratio"] = result[best]["ratio_p95_to_trivial_p50"]
    result["model_p50_ms"], result["model_p95_ms"] = pct(model, 50), pct(model, 95)
    result["floor_p50_plus_model_p50_ms"] = round(result[best]["p50_ms"] + result["model_p50_ms"], 1)
    result["floor_p50_plus_model_p50_ratio"] = round(result["floor_p50_plus_model_p50_ms"] / base, 2)
    print(f"the model's answer alone (in-process, {args.changes} new values)  p50 {result['model_p50_ms']:6.1f} ms"
          f"  p95 {result['model_p95_ms']:6.1f} ms")
    print(f"floor (p95 of the fastest kind, {best}) / trivial p50 = {result['floor_ratio']}; "
          f"its p50 plus the model's p50 = {result['floor_p50_plus_model_p50_ms']} ms = "
          f"{result['floor_p50_plus_model_p50_ratio']} x the trivial p50 (goal for the p95: <= {bench.GOAL})")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
