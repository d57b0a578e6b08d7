"""Batches: identical on every scheduler, resumable after a kill, complete or absent, monotone in a lever."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from covsim import simulator
from covsim.calibration import shipped
from covsim.simulator.schemes import health
from covsim.cli.main import main

GRID = ["--grid", "near_poor=0.7:1.0:0.1"]


def batch(capsys, out, *extra):
    code = main(["batch", "vinh_long", *GRID, "--draws", "24", "--chunk-draws", "8", "--out", str(out), "--json",
                 *extra])
    captured = capsys.readouterr()
    return code, captured


def opened(path):
    with xr.open_dataset(path, engine="zarr" if str(path).endswith(".zarr") else None) as ds:
        return ds.load()


def test_sync_and_local_cluster_give_identical_numbers(tmp_path, capsys):
    code, _ = batch(capsys, tmp_path / "sync.zarr")
    assert code == 0
    code, _ = batch(capsys, tmp_path / "local.zarr", "--scheduler", "local", "--workers", "2")
    assert code == 0
    a, b = opened(tmp_path / "sync.zarr"), opened(tmp_path / "local.zarr")
    assert a.sizes["scenario"] == 4 and a.sizes["draw"] == 24
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_a_chunk_is_the_same_draws_as_the_whole_run(tmp_path, capsys):
    code, _ = batch(capsys, tmp_path / "b.nc")
    assert code == 0
    ds = opened(tmp_path / "b.nc")
    scenario = simulator.load_scenario("vinh_long")
    from covsim.simulator.analysis import planning

    whole = simulator.run(planning.with_levers(scenario, {"state_share.near_poor": 0.8}, planning.lever_start(scenario)),
                          params=shipped.draws_for("vinh_long", 24, 0), seed=0)
    mine = ds.sel(scenario="vinh_long[state_share.near_poor=0.8]")
    for name in ds.data_vars:
        np.testing.assert_array_equal(mine[name].values, whole[name].sel(region="vinh_long").values, err_msg=name)
        assert mine[name].attrs == whole[name].attrs


def test_probability_of_a_target_rises_along_the_grid(tmp_path, capsys):
    code, _ = batch(capsys, tmp_path / "g.nc")
    assert code == 0
    ds = opened(tmp_path / "g.nc").sortby("state_share.near_poor")
    year = int(json.loads(ds.attrs["scenario_definitions"])["vinh_long[state_share.near_poor=1]"]["end"])
    near_poor = ds.coverage.sel(group="near_poor", year=year)
    target = float(near_poor.median())
    probability = (near_poor >= target).mean("draw").values
    assert np.all(np.diff(probability) >= 0) and probability[-1] > probability[0]
    assert np.all(np.diff(ds.coverage_total.sel(year=year).values, axis=0) >= 0)  # every draw, common numbers


def started_batch(out: Path, chunks: int):
    """A 48-chunk batch in its own process (and session), once `chunks` of them are checkpointed."""
    partial = Path(f"{out}.partial")
    cmd = [sys.executable, "-m", "covsim.cli.main", "batch", "vinh_long", *GRID, "--draws", "24", "--chunk-draws",
           "2", "--out", str(out), "--quiet"]
    env = dict(os.environ, PYTHONFAULTHANDLER="1")  # a hang is dumped on SIGABRT (`ended`)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env=env)
    deadline = time.time() + 120
    while time.time() < deadline and len(list(partial.glob("*.nc"))) < chunks:
        time.sleep(0.05)
    return proc, partial


def ended(proc) -> str:
    """The stopped batch's stderr once it exits; a batch still running after two minutes is made to
    dump every thread's stack (faulthandler, on SIGABRT) and the test fails with it."""
    try:
        return proc.communicate(timeout=120)[1]
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        pytest.fail("the batch did not exit within 120 s of the signal:\n" + proc.communicate(timeout=30)[1])


def test_killed_batch_resumes_to_the_same_result(tmp_path, capsys):
    reference = tmp_path / "ref.nc"
    assert batch(capsys, reference)[0] == 0
    out = tmp_path / "killed.nc"
    proc, partial = started_batch(out, 5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=120)
    finished = len(list(partial.glob("*.nc")))
    assert 5 <= finished < 48, "the kill came too late to test a resume"
    assert not out.exists()  # the store appears only when complete
    # Without --resume an unfinished batch is refused, and nothing is lost.
    code = main(["batch", "vinh_long", *GRID, "--draws", "24", "--chunk-draws", "2", "--out", str(out)])
    assert code == 2 and "--resume" in capsys.readouterr().err
    code = main(["batch", "vinh_long", *GRID, "--draws", "24", "--chunk-draws", "2", "--out", str(out), "--resume",
                 "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["resumed_chunks"] >= 5 and result["chunks"] == 48
    assert not partial.exists()
    a, b = opened(reference), opened(out)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_a_terminated_batch_says_what_it_kept_and_resumes(tmp_path, capsys):
    """SIGTERM (a job scheduler's time limit) ended a batch without a word; it is now taken as
    Ctrl-C is: one line naming the kept chunks and --resume, exit 143, no store."""
    out = tmp_path / "termed.nc"
    proc, partial = started_batch(out, 3)
    proc.send_signal(signal.SIGTERM)
    err = ended(proc)
    # the notes said as the batch starts (the grid's default first year lies behind the calendar) stay
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("covsim: note:")]
    assert proc.returncode == 143, err
    assert len(lines) == 1 and "terminated (SIGTERM)" in lines[0] and "--resume" in lines[0], err
    kept = len(list(partial.glob("*.nc")))
    assert f"{kept} of 48 chunks" in lines[0] and kept >= 3 and not out.exists()
    code = main(["batch", "vinh_long", *GRID, "--draws", "24", "--chunk-draws", "2", "--out", str(out), "--resume",
                 "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["resumed_chunks"] == kept


def test_a_signal_as_a_chunk_is_handed_back_is_taken_as_one(tmp_path, capsys):
    """CI (2026-12-08): a SIGTERM that came as Dask's synchronous scheduler stored a finished
    chunk's result, inside `Future.set_result`, after the future was marked finished, was caught by
    Dask's `except BaseException` and set on the future again: `InvalidStateError`, a traceback,
    exit 1. Raised here at that instant (the first line after a future is marked finished), or,
    where no future holds the result, at the first line run after the chunk's task returned: the
    batch says what it kept, exit 143, as for a signal at any other moment."""
    import threading

    from covsim.cli import batch as cli_batch
    from covsim.simulator.analysis import batch as analysis

    assert threading.current_thread() is threading.main_thread()
    task_code, execute_code = cli_batch._run_task.__code__, analysis.execute.__code__
    state = {"returned": 0, "fired": False}

    def fire():
        state["fired"] = True
        sys.settrace(None)
        signal.raise_signal(signal.SIGTERM)

    def local(frame, event, arg):
        if state["fired"]:
            return None
        if frame.f_code is task_code:
            if event == "return":
                state["returned"] += 1
                if state["returned"] == 2:  # two chunks done: every frame that runs from here is watched
                    caller = frame.f_back
                    while caller is not None:
                        caller.f_trace, caller.f_trace_lines = local, True
                        caller = caller.f_back
            return local
        if state["returned"] >= 2 and event == "line":
            future = frame.f_locals.get("self") if frame.f_code.co_name == "set_result" else None
            if future is not None and getattr(future, "_state", None) == "FINISHED":
                fire()  # the CI's instant
            elif frame.f_code is execute_code:
                fire()  # no future: the batch's own loop, once the chunk is back
        return local

    def on_call(frame, event, arg):
        if frame.f_code is task_code or (state["returned"] >= 2 and not state["fired"]):
            return local(frame, event, arg)
        return None

    out = tmp_path / "handed.nc"
    sys.settrace(on_call)
    try:
        code = main(["batch", "vinh_long", "--draws", "8", "--chunk-draws", "2", "--out", str(out)])
    finally:
        sys.settrace(None)
    err = capsys.readouterr().err
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("covsim: note:")]
    assert state["fired"] and code == 143, err
    assert len(lines) == 1 and "terminated (SIGTERM)" in lines[0] and "of 4 chunks" in lines[0], err
    assert not out.exists()


def test_a_signal_while_a_checkpoint_is_written_waits_for_the_write(tmp_path, monkeypatch):
    """SIGTERM raised inside xarray's locked netCDF write left the lock held, and the batch then hung
    in the file's close (CI's faulthandler stack). The write now ends first: the checkpoint is whole,
    and the signal is taken as it would have been (SIGTERM noted, Ctrl-C's exception raised)."""
    from covsim.cli import batch as cli_batch
    from covsim.simulator.analysis import batch as analysis

    ds = xr.Dataset({"insured": (("draw", "year"), np.arange(6.0).reshape(2, 3))})
    write = analysis.write_checkpoint

    def interrupted_write(data, path):
        signal.raise_signal(signal.SIGTERM)  # in the middle of the task, as a scheduler's kill comes
        write(data, path)

    monkeypatch.setattr(analysis, "run_chunk", lambda *_: ds)
    monkeypatch.setattr(analysis, "write_checkpoint", interrupted_write)
    path = tmp_path / "00001-abc.nc"
    with cli_batch._sigterm_as_interrupt() as terminated:
        with pytest.raises(KeyboardInterrupt):
            cli_batch._run_task((1, None, None, 0, str(path)))
    assert terminated == [True]
    with xr.open_dataset(path) as kept:  # written whole before the signal was taken
        np.testing.assert_array_equal(kept.insured.values, ds.insured.values)


def test_a_signal_while_the_store_is_made_lets_no_netcdf_call_be_cut(tmp_path, capsys, monkeypatch):
    """The same lock waits in every netCDF call a batch makes after its chunks: reading them back
    and writing the store. A SIGTERM there is taken only once the call is done. During the reads
    the batch stops, its chunks kept; during the store's write the store is finished, whole."""
    from covsim.simulator.analysis import batch as analysis

    opened = xr.open_dataset
    calls: list[str] = []

    def interrupted_open(path, *a, **k):
        if not calls and (".partial" in str(path)) == back:  # the posteriors' read, or a chunk's
            signal.raise_signal(signal.SIGTERM)
            ds = opened(path, *a, **k)
            calls.append("read whole")  # reached only if the signal waited for the call
            return ds
        return opened(path, *a, **k)

    out = tmp_path / "s.nc"
    monkeypatch.setattr(analysis.xr, "open_dataset", interrupted_open)
    back = False  # before any chunk: nothing run, nothing written
    code = main(["batch", "vinh_long", *GRID, "--draws", "4", "--chunk-draws", "2", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 143 and err == "covsim: terminated (SIGTERM); nothing written\n", err
    assert calls == ["read whole"] and not out.exists()
    back, calls[:] = True, []  # reading the chunks back: they are kept
    code = main(["batch", "vinh_long", *GRID, "--draws", "4", "--chunk-draws", "2", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 143 and "terminated (SIGTERM)" in err and "8 of 8 chunks" in err, err
    assert calls == ["read whole"] and not out.exists()
    monkeypatch.setattr(analysis.xr, "open_dataset", opened)

    write = analysis.write_store

    def interrupted_write(ds, path):
        signal.raise_signal(signal.SIGTERM)
        write(ds, path)

    monkeypatch.setattr(analysis, "write_store", interrupted_write)
    code = main(["batch", "vinh_long", *GRID, "--draws", "4", "--chunk-draws", "2", "--out", str(out), "--resume"])
    assert code == 0, capsys.readouterr().err
    assert not analysis.partial_folder(out).exists()
    with xr.open_dataset(out) as ds:
        assert ds.sizes["scenario"] == 4 and ds.sizes["draw"] == 4


@pytest.mark.parametrize("extra, key", [
    (["--grid", "near_pour=0.3:1:0.1"], "near_pour"),
    (["--grid", "near_poor=0.3:1"], "near_poor=0.3:1"),
    (["--grid", "near_poor=0.9:0.3:0.1"], "START"),
    (["--grid", "near_poor=0.3:1.0:0"], "STEP"),
    (["--grid", "near_poor=0.3:1.5:0.1"], "range"),
    (["--scheduler", "tcp://127.0.0.1:9"], "tcp://127.0.0.1:9"),
    (["--scheduler", "tcp://127.0.0.1:99999"], "1..65535"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, extra, key):
    out = tmp_path / "bad.zarr"
    code = main(["batch", "vinh_long", "--draws", "4", "--out", str(out), *extra])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and key in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_scenario_named_twice_is_named(tmp_path, capsys):
    assert main(["batch", "vinh_long", "lai_chau", "vinh_long", "--draws", "4", "--out", str(tmp_path / "x.nc")]) == 2
    assert "SCENARIO: vinh_long: named twice" in capsys.readouterr().err and list(tmp_path.iterdir()) == []


def test_bad_destination(tmp_path, capsys):
    assert main(["batch", "vinh_long", "--draws", "4", "--out", str(tmp_path / "x.csv")]) == 2
    assert main(["batch", "nowhere", "--draws", "4", "--out", str(tmp_path / "x.nc")]) == 2
    assert list(tmp_path.iterdir()) == []


def test_resume_runs_only_the_unfinished_chunks(tmp_path, capsys, monkeypatch):
    """Chunks already checkpointed are read back, not run again; the result is the whole run's."""
    from covsim.simulator.analysis import batch as b

    reference = tmp_path / "ref.nc"
    args = ["batch", "vinh_long", "--draws", "12", "--chunk-draws", "4", "--seed", "3", "--json"]
    assert main([*args, "--out", str(reference)]) == 0
    capsys.readouterr()
    out = tmp_path / "part.nc"
    sc = simulator.load_scenario("vinh_long")
    variants = b.variants([sc], [], None)
    params = {"vinh_long": shipped.draws_for("vinh_long", 12, 3)}
    chunks = b.plan(variants, params, 12, 3, 4)
    folder = b.partial_folder(out)
    folder.mkdir()
    b.execute(chunks[:2], variants, params, 3, folder,  # two of three chunks done, as after a kill
              lambda tasks: ((t[0], b.run_chunk(*t[1:4])) for t in tasks))
    calls = []
    real = b.run_chunk
    monkeypatch.setattr(b, "run_chunk", lambda *a: calls.append(a) or real(*a))
    assert main([*args, "--out", str(out), "--resume"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["resumed_chunks"] == 2 and result["chunks"] == 3 and len(calls) == 1
    a, c = opened(reference), opened(out)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, c[name].values)


def test_checkpoints_of_other_inputs_are_not_mixed_in(tmp_path, capsys):
    """A checkpoint folder left by a batch with another seed is recomputed, not reused."""
    from covsim.simulator.analysis import batch as b

    reference = tmp_path / "ref.nc"
    args = ["batch", "vinh_long", "--draws", "8", "--chunk-draws", "4", "--json"]
    assert main([*args, "--out", str(reference)]) == 0
    out = tmp_path / "other.nc"
    variants = b.variants([simulator.load_scenario("vinh_long")], [], None)
    params = {"vinh_long": shipped.draws_for("vinh_long", 8, 1)}
    folder = b.partial_folder(out)
    folder.mkdir()
    b.execute(b.plan(variants, params, 8, 1, 4), variants, params, 1, folder,
              lambda tasks: ((t[0], b.run_chunk(*t[1:4])) for t in tasks))  # seed 1, all chunks done
    capsys.readouterr()
    assert main([*args, "--out", str(out), "--resume"]) == 0  # seed 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["resumed_chunks"] == 0
    # said, not done silently: none of the folder's checkpoints fits, and they go when it finishes
    assert "--resume: 2 checkpoint(s)" in captured.err and "are of other settings" in captured.err
    a, c = opened(reference), opened(out)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, c[name].values)


def test_tcp_scheduler_gives_the_same_numbers(tmp_path, capsys):
    """An existing cluster reached by address: results travel back and are written by the client."""
    from dask.distributed import LocalCluster

    args = ["batch", "vinh_long", "--grid", "near_poor=0.8:0.9:0.1", "--draws", "8", "--chunk-draws", "4", "--json"]
    assert main([*args, "--out", str(tmp_path / "sync.nc")]) == 0
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster:
        assert main([*args, "--out", str(tmp_path / "tcp.nc"), "--scheduler", cluster.scheduler_address]) == 0
    capsys.readouterr()
    a, c = opened(tmp_path / "sync.nc"), opened(tmp_path / "tcp.nc")
    assert list(a.scenario.values) == ["vinh_long[state_share.near_poor=0.8]", "vinh_long[state_share.near_poor=0.9]"]
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, c[name].values)


def test_a_local_worker_writes_its_chunk_and_its_failure_still_reaches_the_command(tmp_path, monkeypatch):
    """A chunk a local worker checkpoints itself is not fetched back (its result is None); a chunk
    that fails there must still raise its error here, not be counted as done."""
    from dask.distributed import Client, LocalCluster

    from covsim.cli.batch import _distributed
    from covsim.simulator.analysis import batch as analysis

    ds = xr.Dataset({"insured": (("draw", "year"), np.arange(6.0).reshape(2, 3))})
    monkeypatch.setattr(analysis, "run_chunk", lambda scenario, *_: ds if scenario == "fine" else 1 / 0)
    chunk = analysis.Chunk(0, 0, 0, 2, "abc")
    path = tmp_path / "00000-abc.nc"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client:
        submit = _distributed(client)
        assert list(submit([(chunk, "fine", None, 0, str(path))])) == [(chunk, None)]
        with xr.open_dataset(path) as kept:
            np.testing.assert_array_equal(kept.insured.values, ds.insured.values)
        [(back, result)] = submit([(chunk, "fine", None, 0, None)])  # no shared folder: the result travels
        assert back == chunk and result.identical(ds)
        with pytest.raises(ZeroDivisionError):
            list(submit([(chunk, "fails", None, 0, str(tmp_path / "00001-abc.nc"))]))
    assert not (tmp_path / "00001-abc.nc").exists()


def test_store_has_its_coordinates_units_and_provenance(tmp_path, capsys):
    out = tmp_path / "p.zarr"
    assert main(["batch", "vinh_long", "can_tho", "--grid", "near_poor=0.9:1.0:0.1", "--draws", "4",
                 "--chunk-draws", "4", "--out", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    ds = opened(out)
    assert result["chunks"] == 4 and ds.sizes["scenario"] == 4
    assert list(ds.region.values) == ["vinh_long", "vinh_long", "can_tho", "can_tho"]
    assert list(ds.base_scenario.values) == ["vinh_long", "vinh_long", "can_tho", "can_tho"]
    assert list(ds["state_share.near_poor"].values) == [0.9, 1.0, 0.9, 1.0]
    assert ds["state_share.near_poor"].attrs["units"] == "share of the premium"  # the lever's, from its registry
    assert ds.base_scenario.attrs["long_name"] and ds.scenario_hash.attrs["long_name"]
    assert len(set(ds.scenario_hash.values)) == 4
    for name in ("population", "insured", "coverage", "coverage_total", "population_total", "insured_total",
                 "state_cost_national", "state_cost_local", "state_cost", "premium_revenue"):
        assert ds[name].attrs["units"] and "draw" in ds[name].dims
    for key in ("seed", "draws", "data_hash", "code_version", "scenario_definitions", "parameters", "grid", "scheme"):
        assert key in ds.attrs
    # named as `covsim run` names it (a labour store says its own), from the one scheme registry
    assert ds.attrs["denominator"] == "resident_population" == health.DENOMINATOR
    assert set(json.loads(ds.attrs["scenario_definitions"])) == set(ds.scenario.values)
    assert not Path(f"{out}.partial").exists()


def test_labour_scheme_keeps_every_draw_variable(tmp_path, capsys):
    out = tmp_path / "l.nc"
    assert main(["batch", "vinh_long", "--scheme", "bhxh", "--draws", "4", "--out", str(out), "--quiet"]) == 0
    ds = opened(out)
    assert {"coverage_total", "compliance", "coverage_required", "voluntary_members"} <= set(ds.data_vars)
    assert ds.attrs["scheme"] == "bhxh" and ds.attrs["denominator"] == "labour_force"
    # the draws it read are the labour posterior's, as `covsim run` says, not the health file's
    assert json.loads(ds.attrs["parameters"]) == {"vinh_long": "posterior labour_vinh_long.nc"}
    # what the labour model holds fixed, as a labour run records it
    assert json.loads(ds.attrs["fixed"]) and "voluntary BHXH join shift" in json.loads(ds.attrs["fixed"])[0]


@pytest.mark.parametrize("argv, key", [
    (["nowhere"], "nowhere"),
    (["vinh_long", "--out-folder-missing"], "does not exist"),
    (["vinh_long", "vinh_long_labour_2018"], "mix schemes"),
    (["vinh_long", "--grid", "near_poor=0.3:1:0.1", "--grid", "state_share.near_poor=0.5:1:0.5"], "twice"),
    (["vinh_long", "--grid", "near_poor=nan:1:0.1"], "finite"),
    (["vinh_long", "--grid", "near_poor"], "LEVER=START:STOP:STEP"),
    (["vinh_long", "--grid", "near_poor=0.5:1:0.1", "--from", "1990"], "--from"),
    (["vinh_long", "--scheduler", "tcp://nohost"], "tcp://HOST:PORT"),
    (["vinh_long", "--scheduler", "slurm"], "allowed"),
])
def test_more_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, argv, key):
    out = tmp_path / "bad.nc"
    if "--out-folder-missing" in argv:
        argv, out = argv[:1], tmp_path / "missing" / "bad.nc"
    code = main(["batch", *argv, "--draws", "4", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and key in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_existing_checkpoint_folder_without_resume_is_named(tmp_path, capsys):
    out = tmp_path / "x.zarr"
    Path(f"{out}.partial").mkdir()
    assert main(["batch", "vinh_long", "--draws", "4", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out}.partial" in err and "use --resume or delete it" in err and err.count("\n") == 1
    assert not out.exists()


def test_store_lists_every_assumed_number_of_each_variant(tmp_path, capsys):
    """A drive swept in a grid costs an assumed amount a person: the store says so beside the costs."""
    out = tmp_path / "d.nc"
    assert main(["batch", "vinh_long", "--grid", "drive=0:1:1", "--from", "2026", "--draws", "4", "--out", str(out),
                 "--quiet"]) == 0
    ds = opened(out)
    listed = json.loads(ds.attrs["assumptions"])
    assert set(listed) == set(ds.scenario.values)
    driven = [v for v in ds.scenario.values if float(ds["drive"].sel(scenario=v)) > 0]
    assert driven and all(any(a.startswith("drive cost = 20,000 VND") for a in listed[v]) for v in driven)
    assert all(not listed[v] for v in ds.scenario.values if v not in driven)
    assert set(json.loads(ds.attrs["parameters_hash"])) == {"vinh_long"}


def test_store_and_json_carry_a_runs_provenance(tmp_path, capsys):
    """A store records what a run records: reform paths the scheme does not read, the later changes
    in force a reform replaces, whether each region's draws are a calibrated posterior and what its
    figures taught it; `--json` names the scheme, data, code and parameters it ran with."""
    out = tmp_path / "p.nc"
    assert main(["batch", "dong_nai_plan_2013", "--scheme", "bhxh", "--draws", "4", "--out", str(out), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)["provenance"]
    ds = opened(out)
    assert record == {"scheme": "bhxh", "seed": 0, "draws": 4, "data_hash": ds.attrs["data_hash"],
                      "code_version": ds.attrs["code_version"], "calibrated": 1,
                      "parameters": {"dong_nai": "posterior labour_dong_nai.nc"},
                      "scenario_hashes": {"dong_nai_plan_2013": str(ds.scenario_hash.values[0])},
                      "assumptions": json.loads(ds.attrs["assumptions"]), "fixed": json.loads(ds.attrs["fixed"]),
                      "learned": {"dong_nai": json.loads(json.loads(ds.attrs["learned"])["dong_nai"])},
                      # where the code is and what it ran on, as every run's record says it
                      "code_commit": ds.attrs["code_commit"] or None,
                      "environment": json.loads(ds.attrs["environment"]), "user_data": json.loads(ds.attrs["user_data"]),
                      # what re-makes each variant, as the store keeps it (a reproducibility audit, 2026-12-07)
                      "grid": [], "grid_from": {}, "parameters_hash": json.loads(ds.attrs["parameters_hash"]),
                      "scenario_definitions": json.loads(ds.attrs["scenario_definitions"])}
    assert record["environment"]["numpy"] == np.__version__
    assert json.loads(ds.attrs["idle"]) == {"dong_nai_plan_2013": ["state_share.near_poor",
                                                                    "state_share.pupil_student"]}
    assert ds.attrs["calibrated"] == 1 and ds.attrs["calibration_note"] == ""
    # what the labour fit learned, as a BHXH run records it: not the health fit's beside it
    run = simulator.run(simulator.load_scenario("dong_nai_plan_2013").with_scheme("bhxh"),
                        params=shipped.draws_for("dong_nai", 4, 0), seed=0)
    assert json.loads(ds.attrs["learned"]) == {"dong_nai": run.attrs["learned"]}
    assert "compliance_logit" in run.attrs["learned"]
    out = tmp_path / "s.nc"
    assert main(["batch", "can_tho", "--grid", "pupil_student=0.3:0.3:0.1", "--from", "2024", "--draws", "4",
                 "--out", str(out), "--quiet"]) == 0
    ds = opened(out)
    assert json.loads(ds.attrs["grid_from"]) == {"can_tho": 2024}
    (replaced,) = json.loads(ds.attrs["supersedes"]).values()
    assert any(r["path"] == "state_share.pupil_student" and r["replaces"] == 0.5 for r in replaced)  # Decree 188
    assert set(json.loads(ds.attrs["learned"])) == {"can_tho"}


def test_a_lever_only_bhxh_reads_is_refused_in_a_bhtn_grid(tmp_path, capsys):
    """Unemployment insurance has no voluntary members: its two variants were identical and the store
    listed the lever as an assumed number it used."""
    out = tmp_path / "t.nc"
    for lever in ("voluntary_outreach=0:0.5:0.5", "voluntary_subsidy.poor=0:1:1"):
        assert main(["batch", "vinh_long_labour_2018", "--scheme", "bhtn", "--grid", lever, "--draws", "4",
                     "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "acts on bhxh only, not on this bhtn run; allowed: enforcement" in err
    assert list(tmp_path.iterdir()) == []


def test_grid_values_name_their_variants_exactly(tmp_path, capsys):
    # `:g` kept six digits: 2,340,000 and 2,340,001 VND made one name, refused as "named twice".
    out = tmp_path / "n.nc"
    assert main(["batch", "vinh_long", "--grid", "base_salary=2340000:2340001:1", "--draws", "4", "--out", str(out),
                 "--quiet"]) == 0
    assert list(opened(out).scenario.values) == ["vinh_long[base_salary=2340000]", "vinh_long[base_salary=2340001]"]


def test_from_without_a_grid_and_workers_without_a_local_cluster_are_said_to_change_nothing(tmp_path, capsys):
    assert main(["batch", "vinh_long", "--from", "2026", "--workers", "4", "--draws", "4",
                 "--out", str(tmp_path / "f.nc"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "--from 2026: without --grid nothing starts then" in err
    assert "--workers 4: sets the size of a local cluster only; --scheduler sync runs on this process" in err


def test_a_grid_whose_default_start_is_past_says_so_and_from_silences_it(tmp_path, capsys, monkeypatch):
    """`solve` and `brief` said the levers' default first year (the year after the last figure,
    2018 for Vĩnh Long) lay behind the calendar; `batch` ran the grid from it without a word."""
    import datetime
    import functools

    from covsim.cli import main as cli_main

    monkeypatch.setattr(cli_main, "past_start", functools.partial(cli_main.past_start, today=datetime.date(2026, 12, 4)))
    assert main(["batch", "vinh_long", "--grid", "near_poor=0.8:1.0:0.2", "--draws", "4",
                 "--out", str(tmp_path / "p.nc"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "the grid levers of vinh_long act from 2018, a year that is past" in err and "give --from" in err
    assert main(["batch", "vinh_long", "--grid", "near_poor=0.8:1.0:0.2", "--from", "2030", "--draws", "4",
                 "--out", str(tmp_path / "q.nc"), "--quiet"]) == 0
    assert "a year that is past" not in capsys.readouterr().err


def test_a_labour_batch_past_2030_lists_the_required_share_it_carries_on(tmp_path, capsys):
    """The labour force table's rows end in 2030: a store that runs past them says, as a run does,
    that the share required to join goes on past the last row at its trend."""
    scenario = tmp_path / "vl_2035.toml"
    scenario.write_text('name = "vl_2035"\nbaseline = "vinh_long"\nscheme = "bhxh"\nend = 2035\n'
                        'description = "to 2035"\n')
    out = tmp_path / "l.nc"
    assert main(["batch", str(scenario), "--draws", "2", "--out", str(out), "--quiet"]) == 0
    fixed = json.loads(opened(out).attrs["fixed"])
    assert any("carried past its 2030 row" in f and "the run to 2035" in f for f in fixed)
    ran = simulator.run(simulator.load_scenario(str(scenario)), draws=2, seed=0)
    assert json.loads(ran.attrs["fixed"]) == fixed  # the store and a run list the same


# an analyst's audit of 2026-12-04 -----------------------------------------------------------------

def test_a_port_that_accepts_but_speaks_no_dask_is_one_line_not_a_hang(tmp_path, capsys, monkeypatch):
    """tcp://…:8787 (the dashboard's HTTP port, one digit from the scheduler's) waited for ever."""
    import socket
    import threading

    from covsim.cli import batch as cli_batch

    monkeypatch.setattr(cli_batch, "CONNECT_SECONDS", 2)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    held = []
    threading.Thread(target=lambda: held.append(server.accept()), daemon=True).start()  # accepts, says nothing
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    started = time.monotonic()
    try:
        code = main(["batch", "vinh_long", "--draws", "4", "--out", str(tmp_path / "t.zarr"), "--scheduler", address])
    finally:
        server.close()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "no Dask handshake within 2 s" in err
    assert time.monotonic() - started < 60 and not (tmp_path / "t.zarr").exists()


def test_the_store_records_the_data_hash_its_chunks_were_keyed_on(tmp_path, capsys, monkeypatch):
    """The store's data hash was taken again once the chunks were done: data changed meanwhile (a
    region registered) gave a store whose hash matched neither the numbers nor their keys."""
    from covsim.simulator.inputs import tables

    hashes = iter(["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "cccccccccccccccc"])
    monkeypatch.setattr(tables, "data_hash", lambda directory=None: next(hashes))
    assert main(["batch", "vinh_long", "--draws", "4", "--out", str(tmp_path / "h.nc"), "--quiet"]) == 0
    assert opened(tmp_path / "h.nc").attrs["data_hash"] == "aaaaaaaaaaaaaaaa"


def test_a_written_store_says_what_its_coordinates_are(tmp_path, capsys):
    assert main(["batch", "vinh_long", "--draws", "4", "--out", str(tmp_path / "c.zarr"), "--quiet"]) == 0
    ds = opened(tmp_path / "c.zarr")
    for name in ("draw", "year", "group", "scenario"):
        assert ds[name].attrs.get("long_name"), name
    assert "units" not in ds.year.attrs  # a calendar year, not a duration (CF)


def test_more_local_workers_than_cores_or_chunks_is_said(tmp_path, capsys, monkeypatch):
    from covsim.cli import batch as cli_batch

    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    monkeypatch.setattr(cli_batch, "_client", lambda args: (None, None))  # the note is said before any cluster
    main(["batch", "vinh_long", "--draws", "4", "--scheduler", "local", "--workers", "3",
          "--out", str(tmp_path / "w.nc"), "--quiet"])
    err = capsys.readouterr().err
    assert "--workers 3 on 1 cores" in err and "--workers 3 for 1 chunks: 2 would have nothing to do" in err


def test_a_grid_in_percent_gets_its_shares_and_a_decimal_comma_is_read(tmp_path, capsys):
    assert main(["batch", "vinh_long", "--grid", "near_poor=30:100:10", "--draws", "4",
                 "--out", str(tmp_path / "p.nc")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "(did you mean 0.3:1:0.1?)" in err
    assert main(["batch", "vinh_long", "--grid", "near_poor=0,8:1:0,1", "--draws", "4", "--quiet",
                 "--out", str(tmp_path / "c.nc")]) == 0
    assert list(opened(tmp_path / "c.nc").scenario.values) == [
        "vinh_long[state_share.near_poor=0.8]", "vinh_long[state_share.near_poor=0.9]", "vinh_long[state_share.near_poor=1]"]


# an analyst's audit of 2026-12-06 -----------------------------------------------------------------

def test_a_server_that_answers_not_as_dask_is_one_line(tmp_path, capsys, monkeypatch):
    """A port that answered at once with another protocol's bytes (an SSH banner, an HTTP 400) was
    read as a Dask frame's length: numpy asked for exabytes, and a 50-line traceback, exit 1."""
    import socket
    import threading

    from covsim.cli import batch as cli_batch

    monkeypatch.setattr(cli_batch, "CONNECT_SECONDS", 10)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)

    def banner():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n" * 4)

    threading.Thread(target=banner, daemon=True).start()
    address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
    try:
        code = main(["batch", "vinh_long", "--draws", "4", "--out", str(tmp_path / "b.nc"), "--scheduler", address])
    finally:
        server.close()
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert ("no Dask scheduler" in err or "no Dask handshake" in err) and "Traceback" not in err
    assert not (tmp_path / "b.nc").exists()


def test_workers_running_other_code_are_refused(tmp_path, capsys, monkeypatch):
    """A cluster's workers started from other code mixed their numbers into a store that named this
    process's code: the batch now asks each worker its code_version and refuses a difference."""
    from dask.distributed import LocalCluster

    from covsim.simulator.schemes import provenance

    monkeypatch.setattr(provenance, "code_version", lambda: "0.1.0+notthesame")  # this process only
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster:
        code = main(["batch", "vinh_long", "--draws", "4", "--out", str(tmp_path / "w.nc"),
                     "--scheduler", cluster.scheduler_address])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "1 of 1 workers run other covsim code" in err
    assert "0.1.0+notthesame" in err and not (tmp_path / "w.nc").exists()


def test_workers_that_cannot_say_their_code_are_refused_in_one_line():
    """A worker without covsim (or one that died) raised out of `client.run` as a traceback: the
    batch now refuses it in one line, under --scheduler, and closes its client."""
    from covsim.cli.batch import _same_code
    from covsim.simulator.errors import InputError

    class Client:
        closed = False

        def run(self, *_):
            raise ModuleNotFoundError("No module named 'covsim'")

        def close(self):
            self.closed = True

    client = Client()
    with pytest.raises(InputError) as caught:
        _same_code(client, "tcp://10.0.0.9:8786")
    assert client.closed and "\n" not in str(caught.value)
    assert "could not report their covsim code" in str(caught.value) and "No module named 'covsim'" in str(caught.value)


def test_a_signal_after_the_store_is_written_changes_nothing(tmp_path):
    """Ctrl-C in the half second after 'written' (the interpreter's shutdown) said 'interrupted;
    nothing written', exit 130, of a store written whole: the `covsim` command now ignores it."""
    out = tmp_path / "s.nc"
    cmd = [sys.executable, "-m", "covsim.cli.entry", "batch", "vinh_long", "--grid", "near_poor=0.8:0.9:0.1",
           "--draws", "4", "--chunk-draws", "4", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    line = proc.stdout.readline()
    assert "written" in line, line
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, (proc.returncode, err)
    assert "interrupted" not in err and out.exists()


@pytest.mark.parametrize("region", ["binh_duong", "ba_ria_vung_tau"])
def test_a_former_province_batch_runs_its_unit_policy_after_the_merger_as_run_does(region):
    """A batch chunk of a former province took its own policy after 1 July 2025 where `run` takes
    its unit's (HCMC's 2026 top-ups): Bình Dương's state cost was 15% under the run's in 2026."""
    from covsim.simulator.analysis import batch as batch_module

    scenario = simulator.load_scenario(region)
    params = shipped.draws_for(region, 6, 0)
    whole = simulator.run(scenario, params=params, seed=0)
    chunk = batch_module.derive(scenario, batch_module.run_chunk(scenario, params, 0))
    for name in ("coverage_total", "state_cost", "insured"):
        np.testing.assert_allclose(chunk[name].values, whole[name].sel(region=region).transpose(*chunk[name].dims).values,
                                   rtol=1e-12, err_msg=name)


def test_a_grid_value_replacing_a_later_change_is_said(tmp_path, capsys):
    """Cần Thơ's pupils at 40% from 2024 replace Decree 188's 50% of August 2025: a point that reads
    as a rise lowers coverage after that day against the baseline. Said once per value set, not silently."""
    assert main(["batch", "can_tho", "--grid", "pupil_student=0.3:0.5:0.1", "--draws", "4", "--out",
                 str(tmp_path / "g.nc"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert ("covsim: note: state_share.pupil_student = 0.3, 0.4 replaces the policy in force's 0.5 from 2025-08-15 "
            "(Decree 188/2025/ND-CP) in 2 variants") in err
    assert main(["batch", "can_tho", "--grid", "pupil_student=0.5:0.7:0.1", "--draws", "4", "--from", "2026", "--out",
                 str(tmp_path / "h.nc"), "--quiet"]) == 0
    assert "replaces the policy in force" not in capsys.readouterr().err  # starting after it, nothing replaced
    # the plan's own top-up of pupils, ended by a gridded share of theirs: said as `run` says it (an audit,
    # 2026-12-07: only the store's `capped` attribute had it, and the grid lowered 2024's coverage)
    assert main(["batch", "can_tho_plan_2024", "--grid", "pupil_student=0.3:0.4:0.1", "--from", "2024", "--draws", "4",
                 "--out", str(tmp_path / "p.nc"), "--quiet"]) == 0
    assert ("covsim: note: local_top_up.pupil_student = 20% of the scenario changes nothing from 2024 in 2 variants: "
            "state_share.pupil_student set by the grid is the whole the state pays (30%, 40%)") in capsys.readouterr().err


def test_workers_reading_other_data_are_refused(tmp_path, capsys, monkeypatch):
    """A worker started on an edited copy of the data (its own COVSIM_DATA_DIR) wrote its numbers
    under this process's data hash: the batch now asks each worker its data hash too."""
    from dask.distributed import LocalCluster

    from covsim.simulator.inputs import tables

    monkeypatch.setattr(tables, "data_hash", lambda directory=None: "0123456789abcdef")  # this process only
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster:
        code = main(["batch", "vinh_long", "--draws", "4", "--out", str(tmp_path / "w.nc"),
                     "--scheduler", cluster.scheduler_address])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "1 of 1 workers read other data" in err, err
    assert "than this command (0123456789abcdef)" in err and not (tmp_path / "w.nc").exists()
