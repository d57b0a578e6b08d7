"""Issue 42: nothing lost, nothing silent. One test per defect the fault-finding run found.

Each bad input ends in exit 2 and one line on stderr, with nothing written; each interrupted
batch resumes; outputs honour the umask. Slow paths run as subprocesses (a fresh process sees
COVSIM_DATA_DIR); refusals that come before any simulation run in-process.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from covsim.cli.main import main
from covsim.simulator.inputs import tables as data

COVSIM = [sys.executable, "-m", "covsim.cli.main"]


def covsim(*args, env=None, cwd=None, timeout=600):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(COVSIM + list(args), capture_output=True, text=True, env=full_env, cwd=cwd,
                          timeout=timeout)


def one_line(stderr: str, *fragments) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def cli(capsys, *argv) -> tuple[int, str, str]:
    """`covsim ARGV` in this process: (exit status, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(data.data_dir(), folder)
    return folder


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# 1. A corrupt table leaves no output -------------------------------------------------------------

def test_corrupt_coverage_table_leaves_no_output(tmp_path):
    folder = data_copy(tmp_path)
    path = folder / "coverage.csv"
    lines = path.read_text().splitlines(keepends=True)
    first = lines[1].split(",")
    first[0] = "abc"
    first[4] = "abc"
    lines[1] = ",".join(first)
    path.write_text("".join(lines))
    out = tmp_path / "o.nc"
    result = covsim("run", "vietnam", "--draws", "2", "--out", str(out), env={"COVSIM_DATA_DIR": str(folder)})
    assert result.returncode == 2
    one_line(result.stderr, "coverage.csv", "row 2", "value")
    assert not out.exists()
    assert not list(tmp_path.glob(".o.nc*"))


# 2. Impossible data are refused by check-data and by run ----------------------------------------

def test_negative_population_fails_check_data_and_run(tmp_path):
    folder = data_copy(tmp_path)
    replace_in(folder / "population.csv", "96208984", "-96208984")
    env = {"COVSIM_DATA_DIR": str(folder)}
    check = covsim("check-data", env=env)
    assert check.returncode == 2
    assert "population.csv: row 3, column 'value'" in check.stdout
    assert "negative" in check.stdout
    out = tmp_path / "o.nc"
    run = covsim("run", "vietnam", "--draws", "2", "--out", str(out), env=env)
    assert run.returncode == 2
    one_line(run.stderr, "population.csv", "row 3", "value", "check-data")
    assert not out.exists()


def test_check_data_reports_every_problem_with_file_row_and_column(tmp_path):
    from covsim.simulator.inputs import validate

    folder = data_copy(tmp_path)
    replace_in(folder / "population.csv", "96208984", "-1")
    replace_in(folder / "population.csv", "8993082", "lots")
    replace_in(folder / "lai_chau_districts.csv", ",27949,", ",,")
    problems = validate.problems(folder)
    keys = {(p.file, p.key) for p in problems}
    assert ("population.csv", "row 3, column 'value'") in keys
    assert ("population.csv", "row 5, column 'value'") in keys
    assert ("lai_chau_districts.csv", "row 2, column 'insured'") in keys
    assert validate.problems(data.data_dir()) == []


def test_group_shares_above_one_and_repeated_years_are_problems(tmp_path):
    from covsim.simulator.inputs import validate

    folder = data_copy(tmp_path)
    path = folder / "group_shares.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines.append(lines[1])  # the same band, group and year twice: shares of the band sum above 1
    path.write_text("".join(lines))
    text = "\n".join(str(p) for p in validate.problems(folder))
    assert "group_shares.csv" in text and "sum to" in text and "repeated" in text


# 3. One batch per store ---------------------------------------------------------------------------

def test_second_batch_on_a_locked_store_refuses_in_one_line(tmp_path, capsys):
    from covsim.simulator.analysis import batch

    out = tmp_path / "c.zarr"
    with batch.store_lock(out):
        code, _, err = cli(capsys, "batch", "lai_chau", "--draws", "2", "--out", str(out), "--quiet")
    assert code == 2
    one_line(err, "c.zarr", "another batch", str(os.getpid()))
    assert not out.exists() and not batch.partial_folder(out).exists()


def test_two_batches_started_at_once_on_one_store(tmp_path):
    """The race the fault-finding run met (FileNotFoundError on the checkpoint folder): now one
    batch owns the store; the other is refused in one line or, if it starts after the first has
    finished, runs on its own. Either way the store is whole."""
    out = tmp_path / "c.zarr"
    argv = COVSIM + ["batch", "lai_chau", "--grid", "near_poor=0.3:1.0:0.35", "--draws", "8", "--chunk-draws", "2",
                     "--out", str(out), "--quiet"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    assert sorted(code for code, _, _ in results)[0] == 0, results
    for code, _, err in results:
        assert code in (0, 2), err
        if code == 2:
            one_line(err, "c.zarr", "another batch")
    import xarray as xr

    with xr.open_zarr(out) as ds:
        assert ds.sizes["draw"] == 8 and ds.sizes["scenario"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.zarr"]


def test_lock_of_a_killed_process_is_not_stuck(tmp_path):
    from covsim.simulator.analysis import batch

    out = tmp_path / "c.zarr"
    code = ("import sys, time; from pathlib import Path; from covsim.simulator.analysis import batch\n"
            "with batch.store_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(Exception, match="another batch"):
            with batch.store_lock(out):
                pass
        holder.kill()
        holder.wait(timeout=30)
        with batch.store_lock(out):  # the kernel released the dead holder's lock
            pass
    finally:
        holder.kill()
        holder.stdout.close()


def test_resume_after_a_kill_during_discard(tmp_path, capsys):
    """Killed after the store was renamed into place but before the checkpoints were removed:
    the next run cleans what is left and still writes the identical store."""
    import xarray as xr

    out = tmp_path / "c.nc"
    argv = ("batch", "lai_chau", "--draws", "4", "--chunk-draws", "2", "--out", str(out), "--quiet")
    assert cli(capsys, *argv)[0] == 0
    first = tmp_path / "first.nc"
    shutil.copy(out, first)
    (tmp_path / ".c.nc.partial.done-999999").mkdir()  # a discard killed half-way
    (tmp_path / ".c.nc.tmp-999999").write_bytes(b"half")  # a store write killed half-way
    code, _, err = cli(capsys, *argv, "--resume")
    assert code == 0, err
    assert not list(tmp_path.glob(".c.nc.*"))
    with xr.open_dataset(out) as a, xr.open_dataset(first) as b:
        assert a.identical(b)


# 4. The size of a run ----------------------------------------------------------------------------

def test_absurd_grid_refuses_fast(tmp_path, capsys):
    out = tmp_path / "s.zarr"
    began = time.monotonic()
    code, _, err = cli(capsys, "batch", "lai_chau", "--grid", "near_poor=0:1:0.000001", "--draws", "50",
                       "--out", str(out))
    assert code == 2
    line = one_line(err, "1,000,001", "memory", "--memory-limit")
    assert "GB" in line or "TB" in line
    assert time.monotonic() - began < 60  # generous: refused before any variant is built
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_grid_whose_steps_miss_stop_says_where_they_end(tmp_path, capsys):
    """0.3:1.0:0.3 runs 0.3, 0.6 and 0.9: the STOP asked for is not among them, and a user reading
    the store's variants would look for it; 0.1:0.7:0.2 reaches 0.7 (no note for a float's rounding)."""
    code, _, err = cli(capsys, "batch", "lai_chau", "--grid", "near_poor=0.3:1.0:0.3", "--draws", "2",
                       "--out", str(tmp_path / "a.nc"))
    assert code == 0, err
    assert "the steps end at 0.9, short of STOP 1" in err
    code, _, err = cli(capsys, "batch", "lai_chau", "--grid", "near_poor=0.1:0.7:0.2", "--draws", "2",
                       "--out", str(tmp_path / "b.nc"))
    assert code == 0, err
    assert "short of STOP" not in err


@pytest.mark.parametrize("command", [("run", "vietnam"), ("target", "vietnam", "--target", "0.9", "--year", "2025")])
def test_huge_draws_refuse_with_estimate_and_ways_on(capsys, command):
    code, _, err = cli(capsys, *command, "--draws", "10000000")
    assert code == 2
    one_line(err, "--draws", "10,000,000", "memory", "--memory-limit")


def test_memory_limit_override_lets_a_run_go(capsys):
    code, _, err = cli(capsys, "run", "lai_chau", "--draws", "3", "--memory-limit", "1K")
    assert code == 2
    one_line(err, "--memory-limit")
    code, out, err = cli(capsys, "run", "lai_chau", "--draws", "3", "--memory-limit", "64G", "--json")
    assert code == 0, err


def test_bad_memory_limit_is_one_line(capsys):
    code, _, err = cli(capsys, "run", "lai_chau", "--memory-limit", "lots")
    assert code == 2
    one_line(err, "--memory-limit")


@pytest.mark.parametrize("value", ["-5G", "-1e3"])
def test_a_value_that_starts_with_a_minus_reaches_the_option_s_own_check(capsys, value):
    """argparse takes '-5G' for an option and says "expected one argument": the option's check
    says what is allowed instead."""
    code, _, err = cli(capsys, "run", "lai_chau", "--memory-limit", value)
    assert code == 2
    one_line(err, "--memory-limit", value, "expected a size such as")


# 5. One line instead of a traceback --------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ("run", "lai_chau", "--seed", "-1"),
    ("target", "lai_chau", "--target", "0.9", "--year", "2025", "--seed", "-1"),
    ("batch", "lai_chau", "--seed", "-1", "--out", "x.zarr"),
    ("run", "lai_chau", "--seed", "99999999999999999999999"),
    ("forecast", "lai_chau", "--until", "2019", "--to", "2025", "--seed", "-1"),
    ("brief", "lai_chau", "--target", "0.9", "--year", "2025", "--out", "b.html", "--seed", "-1"),
    ("brief", "lai_chau", "--target", "0.9", "--year", "2025", "--out", "b.html", "--seed", "4294967296"),
    ("region", "add", "x.xlsx", "--seed", "-1"),
])
def test_bad_seed_is_one_line(capsys, argv):
    code, _, err = cli(capsys, *argv)
    assert code == 2
    one_line(err, "--seed")


def test_folder_as_scenario_is_one_line(tmp_path, capsys):
    folder = tmp_path / "some_folder"
    folder.mkdir()
    code, _, err = cli(capsys, "run", str(folder) + "/")
    assert code == 2
    one_line(err, "some_folder", "folder")


@pytest.mark.parametrize("argv, name", [
    (("run", "lai_chau", "--draws", "2", "--out"), "x.nc"),
    (("allocate", "lai_chau", "--target", "0.9", "--year", "2020", "--out"), "x.xlsx"),
])
def test_out_an_existing_folder_is_one_line(tmp_path, capsys, argv, name):
    (tmp_path / name).mkdir()
    code, _, err = cli(capsys, *argv, str(tmp_path / name) + "/")
    assert code == 2
    one_line(err, name, "folder")


@pytest.mark.parametrize("argv, name", [
    (("run", "lai_chau", "--draws", "2", "--out"), "x.nc"),
    (("batch", "lai_chau", "--draws", "2", "--out"), "x.zarr"),
    (("batch", "lai_chau", "--draws", "2", "--out"), "x.nc"),
])
def test_out_a_dataset_covsim_did_not_write_is_refused_and_kept(tmp_path, capsys, argv, name):
    """A store of the user's own under the name typed was replaced without a word (an audit of
    2026-12-04): a .nc or .zarr that exists is replaced only when covsim wrote it."""
    import xarray as xr

    theirs = xr.Dataset({"x": ("i", [1, 2, 3])}, attrs={"owner": "someone else"})
    path = tmp_path / name
    theirs.to_zarr(path, zarr_format=2) if name.endswith(".zarr") else theirs.to_netcdf(path)
    code, _, err = cli(capsys, *argv, str(path))
    assert code == 2
    one_line(err, name, "exists and is not a covsim output")
    opened = xr.open_zarr(path) if name.endswith(".zarr") else xr.open_dataset(path)
    with opened as kept:
        assert kept.attrs["owner"] == "someone else" and list(kept.x.values) == [1, 2, 3]
    # covsim's own output is replaced, as before; an empty folder named .zarr is a store's place
    path.unlink() if path.is_file() else __import__("shutil").rmtree(path)
    assert cli(capsys, *argv, str(path))[0] == 0 and cli(capsys, *argv, str(path))[0] == 0
    empty = tmp_path / "empty.zarr"
    empty.mkdir()
    if name.endswith(".zarr"):
        assert cli(capsys, *argv, str(empty))[0] == 0 and (empty / ".zgroup").exists()


def test_allocate_whose_provenance_name_is_a_folder_is_refused_before_it_runs(tmp_path, capsys):
    """The CSV's provenance goes beside it: a folder there failed only after the whole run, with
    'Is a directory' and nothing allowed said."""
    (tmp_path / "a.csv.provenance.json").mkdir()
    code, out, err = cli(capsys, "allocate", "lai_chau", "--target", "0.9", "--year", "2020", "--out",
                         str(tmp_path / "a.csv"))
    assert code == 2 and out == "" and not (tmp_path / "a.csv").exists()
    one_line(err, "a.csv", "--out", "which is a folder", "allowed:")


@pytest.mark.parametrize("argv, name, check", [
    (("run", "lai_chau", "--draws", "2", "--out"), "R.NC", lambda p: p.read_bytes()[:3] == b"\x89HD"),
    (("allocate", "lai_chau", "--draws", "4", "--target", "0.9", "--year", "2020", "--out"), "A.CSV",
     lambda p: p.read_bytes()[:3] == b"\xef\xbb\xbf" and p.with_name("A.CSV.provenance.json").is_file()),
    (("allocate", "lai_chau", "--draws", "4", "--target", "0.9", "--year", "2020", "--out"), "A.XLSX",
     lambda p: p.read_bytes()[:2] == b"PK"),
    (("batch", "lai_chau", "--draws", "2", "--out"), "S.ZARR", lambda p: p.is_dir()),
    (("brief", "lai_chau", "--draws", "4", "--target", "0.9", "--year", "2020", "--out"), "B.HTML",
     lambda p: p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")),
    (("region", "template", "--out"), "T.XLSX", lambda p: p.read_bytes()[:2] == b"PK"),
])
def test_a_name_in_capitals_is_written_in_its_format(tmp_path, capsys, argv, name, check):
    """REPORT.CSV is a CSV: Windows users type names in capitals, and nothing is refused for it."""
    code, _, err = cli(capsys, *argv, str(tmp_path / name))
    assert code == 0, err
    assert check(tmp_path / name)


def test_brief_replaces_its_own_briefing_but_never_one_edited_since_or_a_users_file(tmp_path, capsys):
    """Re-running a briefing replaces it; one an official edited and saved in Word, or a file of the
    user's own under the name typed, is refused in one line before any work, and kept as it was."""
    import docx

    argv = ("brief", "lai_chau", "--draws", "4", "--target", "0.9", "--year", "2020", "--out")
    for name in ("b.docx", "b.pdf", "b.html"):
        assert cli(capsys, *argv, str(tmp_path / name))[0] == 0
        assert cli(capsys, *argv, str(tmp_path / name))[0] == 0  # its own: replaced
    edited = docx.Document(str(tmp_path / "b.docx"))
    edited.core_properties.last_modified_by = "Chị Lan"
    edited.add_paragraph("Ghi chú của Sở Y tế")
    edited.save(str(tmp_path / "b.docx"))
    kept = (tmp_path / "b.docx").read_bytes()
    code, _, err = cli(capsys, *argv, str(tmp_path / "b.docx"))
    assert code == 2 and (tmp_path / "b.docx").read_bytes() == kept
    one_line(err, "b.docx", "--out", "saved since by 'Chị Lan'", "allowed:")
    for name, text in (("mine.html", "<p>my notes</p>"), ("mine.pdf", "%PDF-1.4 someone else's")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        code, _, err = cli(capsys, *argv, str(tmp_path / name))
        assert code == 2 and (tmp_path / name).read_text(encoding="utf-8") == text
        one_line(err, name, "--out", "covsim did not write", "allowed:")
    (tmp_path / "empty.html").write_text("", encoding="utf-8")  # nothing to lose
    assert cli(capsys, *argv, str(tmp_path / "empty.html"))[0] == 0


@pytest.mark.parametrize("command", ["scenario", "region"])
def test_template_out_an_existing_folder_names_out(tmp_path, capsys, command):
    """A folder named like a workbook: the line names --out and what to give, not a temporary file."""
    (tmp_path / "t.xlsx").mkdir()
    code, _, err = cli(capsys, command, "template", "--out", str(tmp_path / "t.xlsx"))
    assert code == 2
    one_line(err, "t.xlsx", "--out", "folder")
    assert ".tmp" not in err


@pytest.mark.parametrize("argv", [
    ("run", "lai_chau_2025", "--scheme", "bhxh", "--draws", "2"),
    ("batch", "dong_nai_2025", "--scheme", "bhtn", "--draws", "2", "--out", "never.nc"),
    ("target", "lai_chau_2025", "--target", "0.5", "--year", "2028", "--scheme", "bhtn", "--draws", "2"),
    ("sensitivity", "dong_nai_2025", "--year", "2025", "--samples", "8", "--draws", "2"),
])
def test_a_2025_unit_where_it_is_not_summed_is_one_line_naming_its_provinces(capsys, argv):
    """Not a data fault ('no population'): the unit, the command that cannot, and what can run."""
    code, _, err = cli(capsys, *argv)
    assert code == 2
    one_line(err, argv[1], "2025 unit", "allowed:")
    assert "population.csv" not in err
    if argv[1] == "dong_nai_2025":
        assert "binh_phuoc, dong_nai" in err
    assert not Path("never.nc").exists() and not Path("never.nc.partial").exists()  # nothing begun


@pytest.mark.parametrize("argv, fragments", [
    (("run", "lai_chau", "--draws", "2", "--out", ""), ("--out", "is a folder")),  # not ignored
    (("sensitivity", "lai_chau", "--year", "2025", "--samples", "8", "--chart", ""), ("--chart", "is a folder")),
    (("backtest", "vietnam", "--fast", "--origins", ""), ("--origins", "empty")),
    (("brief", "lai_chau", "--target", "0.9", "--year", "2025", "--out", "never.html", "--compare", "vietnam"),
     ("brief: --compare:", "not lai_chau")),
    (("solve", "dong_nai", "--scenario", "dong_nai_labour_2013", "--target", "0.5", "--year", "2028",
      "--probability", "0.8", "--levers", "near_poor"), ("solve: state_share.near_poor: acts on bhyt only, not on "
                                                      "this bhxh run", "allowed: voluntary_subsidy.GROUP")),
    (("solve", "dong_nai", "--scheme", "bhtn", "--target", "0.5", "--year", "2028", "--probability", "0.8",
      "--levers", "near_poor"), ("--scheme: bhtn", "none acts on it; allowed: bhyt, bhxh")),
])
def test_options_name_themselves_and_are_never_silently_ignored(capsys, argv, fragments):
    code, _, err = cli(capsys, *argv)
    assert code == 2
    one_line(err, *fragments)
    assert not Path("never.html").exists()


def test_budget_of_a_labour_run_says_there_is_none(capsys):
    """BHTN's state support is not modelled (BHXH's voluntary subsidy is: test_labour.py)."""
    code, out, err = cli(capsys, "run", "vietnam", "--scheme", "bhtn", "--draws", "2", "--budget")
    assert code == 0 and "--budget: no budget table for bhtn" in err


def test_a_reform_table_under_a_lever_path_is_years(tmp_path, capsys):
    """{ 2017 = 1.0, abc = 0.5 } under a whole lever path: 'abc' is a bad year, not a group 'near_poor.abc'."""
    reform = tmp_path / "y.toml"
    reform.write_text('name = "y"\nbaseline = "lai_chau"\n[reform]\n'
                      '"state_share.near_poor" = { 2017 = 1.0, abc = 0.5 }\n')
    code, _, err = cli(capsys, "run", str(reform), "--draws", "2")
    assert code == 2
    one_line(err, "reform.state_share.near_poor.abc", "a year is required as key")


def test_a_baseline_file_is_found_beside_the_reform(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "base.toml").write_text('name = "base"\nbaseline = "lai_chau"\n[reform]\n'
                                      '"state_share.near_poor" = { 2017 = 1.0 }\n')
    (folder / "more.toml").write_text('name = "more"\nbaseline = "base.toml"\n[reform]\n'
                                      '"state_share.household" = { 2018 = 0.5 }\n')
    (folder / "lost.toml").write_text('name = "lost"\nbaseline = "gone.toml"\n')
    monkeypatch.chdir(tmp_path)  # not the reform's folder
    from covsim.simulator.inputs import scenario

    more = scenario.load("plans/more.toml")
    assert set(more.reform) == {"state_share.near_poor", "state_share.household"}
    assert scenario.load(more.baseline).name == "base"  # later readers (budget) find it again
    code, _, err = cli(capsys, "run", "plans/lost.toml", "--draws", "2")
    assert code == 2
    one_line(err, "lost.toml", "baseline", "'gone.toml': no such file beside lost.toml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_out_on_a_read_only_place_is_one_line(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        code, _, err = cli(capsys, "run", "lai_chau", "--draws", "2", "--out", str(ro / "o.nc"))
        assert code == 2
        one_line(err, "o.nc", "--out", "not writable")
    finally:
        ro.chmod(0o755)


def test_write_refused_by_the_file_system_is_one_line(tmp_path, capsys, monkeypatch):
    """A read-only file system (EROFS) refuses at write time even for root: one line, no file."""
    import errno

    import xarray as xr

    def refuse(self, path, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(xr.Dataset, "to_netcdf", refuse)
    code, _, err = cli(capsys, "run", "lai_chau", "--draws", "2", "--out", str(tmp_path / "o.nc"))
    assert code == 2
    one_line(err, "Read-only file system", str(tmp_path / "o.nc"))
    assert ".tmp" not in err and list(tmp_path.iterdir()) == []  # the user's name, not the hidden temporary one


def test_a_folder_that_refuses_new_files_is_named_before_the_run_even_for_root(tmp_path, capsys, monkeypatch):
    """Root passes every access check, /sys and /proc refuse anyway: a trial file says so first."""
    import errno

    from covsim.simulator import output

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(output.tempfile, "mkstemp", refuse)
    code, _, err = cli(capsys, "run", "lai_chau", "--draws", "2", "--out", str(tmp_path / "o.nc"))
    assert code == 2
    one_line(err, "o.nc", "--out", "not writable here", "Permission denied")
    assert ".tmp" not in err and list(tmp_path.iterdir()) == []
    assert not list(tmp_path.iterdir())


def test_dashboard_bad_port_is_one_line(capsys):
    code, _, err = cli(capsys, "dashboard", "--port", "99999")
    assert code == 2
    one_line(err, "--port", "65535")


def test_dashboard_port_in_use_is_one_line(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = cli(capsys, "dashboard", "--port", str(port))
    assert code == 2
    one_line(err, "--port", str(port), "in use")


# 6. Ctrl-C on a local-cluster batch --------------------------------------------------------------

def test_ctrl_c_on_local_cluster_batch_is_one_line_and_counts_right(tmp_path):
    out = tmp_path / "c.zarr"
    # 150 chunks: with warm caches 30 could all finish between two polls, and the batch then ends
    # before the interrupt arrives (seen in the full suite)
    argv = COVSIM + ["batch", "lai_chau", "--grid", "near_poor=0.3:1.0:0.35", "--draws", "200", "--chunk-draws", "4",
                     "--scheduler", "local", "--workers", "2", "--out", str(out), "--quiet"]
    # Ctrl-C as a terminal delivers it: SIGINT at its default in the child, whatever disposition the
    # test process holds (an ignored SIGINT is inherited, and the batch then runs to the end). A
    # pytest started as a background job of a non-interactive shell (`bash .ci/run &`, nohup) starts
    # with SIGINT ignored: the shell sets it so, and Python then installs no handler of its own
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    partial = tmp_path / "c.zarr.partial"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(partial.glob("*.nc"))) < 2:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    # the notes said as the batch starts (the grid's default first year lies behind the calendar) stay
    line = one_line("\n".join(ln for ln in err.splitlines() if not ln.startswith("covsim: note:")),
                    "interrupted", "--resume")
    kept = len(list(partial.glob("*.nc")))
    assert f"{kept} of 150 chunks" in line
    assert not out.exists()
    # --resume (on any scheduler: a chunk's numbers do not depend on it) finishes to the store an
    # uninterrupted batch writes
    resumed = covsim(*argv[3:-1], "--scheduler", "sync", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"({kept} resumed)" in resumed.stdout
    fresh = tmp_path / "fresh.zarr"
    whole = covsim(*[str(fresh) if a == str(out) else a for a in argv[3:-1]], "--scheduler", "sync")
    assert whole.returncode == 0, whole.stderr
    import xarray as xr

    with xr.open_zarr(out) as a, xr.open_zarr(fresh) as b:
        assert a.load().equals(b.load())


def test_ctrl_c_while_a_local_cluster_closes_is_held_not_lost():
    """A Ctrl-C while the local cluster closed, every chunk done, escaped as 'interrupted; nothing
    written' with no word of the checkpoints. It is now held and taken after the close: the batch
    says what it kept and how to resume."""
    # Python's own Ctrl-C handler, whatever disposition this process started with (as the subprocess
    # test above says, it is ignored in a pytest run as a background job: the whole suite run so,
    # 2026-12-08, raised no Ctrl-C below in 10 s; no test leaves it changed, checked test by test
    # on the same day). The block must give back what it found.
    found = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _held_then_given_back()
    finally:
        signal.signal(signal.SIGINT, found)


def _held_then_given_back():
    from covsim.cli.batch import _signals_held

    with _signals_held() as came:
        os.kill(os.getpid(), signal.SIGINT)  # no KeyboardInterrupt inside
        time.sleep(0.5)
    assert came == [signal.SIGINT]
    # SIGTERM too: inside the close it escaped as 'interrupted; nothing written', exit 130, all kept
    before = signal.getsignal(signal.SIGTERM)
    with _signals_held() as came:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.5)
    assert came == [signal.SIGTERM] and signal.getsignal(signal.SIGTERM) is before
    with _signals_held() as came:
        pass
    assert came == [] and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):  # the block is lifted after: the next one strikes
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(100):  # taken at the loop's next turn: with other threads alive (a batch's zarr and
            time.sleep(0.1)   # asyncio ones) the signal may land on one of them, and one sleep(1) ended unraised


def test_local_cluster_workers_keep_shutdown_errors_off_the_terminal():
    """A worker's ERROR log (a heartbeat to a scheduler closed first, at Ctrl-C) would reach the
    terminal's stderr past the one-line message: the local cluster's workers log CRITICAL only
    (seen once in CI as 31 lines of heartbeat traceback)."""
    script = (
        "import argparse, logging, sys\n"
        "from covsim.cli.batch import _client\n"
        "if __name__ == '__main__':\n"
        "    client, cluster = _client(argparse.Namespace(scheduler='local', workers=1))\n"
        "    client.run(lambda: logging.getLogger('distributed.worker').error('a worker error'))\n"
        "    client.close(); cluster.close()\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "a worker error" not in done.stderr


# 7. Backtest without own observations ------------------------------------------------------------

def test_backtest_without_own_observations_is_one_line(capsys):
    code, _, err = cli(capsys, "backtest", "lai_chau", "--fast")
    assert code == 2
    one_line(err, "lai_chau", "no observed figure of its own", "allowed for bhyt: vietnam")


# 8. Files and leftovers ---------------------------------------------------------------------------

def test_outputs_honour_the_umask(tmp_path):
    from covsim.simulator import output

    old = os.umask(0o022)
    try:
        import xarray as xr

        path = output.write_netcdf(xr.Dataset({"a": ("x", [1.0, 2.0])}), tmp_path / "o.nc")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_stale_temp_file_of_a_killed_run_is_cleaned(tmp_path):
    from covsim.simulator import output

    dead = tmp_path / ".o.nc.999999.abcd.tmp"  # a pid no process has
    dead.write_bytes(b"x" * 100)
    mine = tmp_path / f".o.nc.{os.getpid()}.abcd.tmp"  # a live writer's: left alone
    mine.write_bytes(b"x")
    import xarray as xr

    output.write_netcdf(xr.Dataset({"a": ("x", [1.0])}), tmp_path / "o.nc")
    assert not dead.exists() and mine.exists()


@pytest.mark.parametrize("start", ["2009", "2031"])
def test_an_allocations_first_year_is_refused_before_the_run(tmp_path, capsys, start):
    """It was checked after the model had run, so its one line came after the run's notes."""
    code, _, err = cli(capsys, "allocate", "can_tho_2025", "--target", "0.95", "--year", "2030", "--from", start,
                       "--draws", "4", "--out", str(tmp_path / "a.xlsx"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err  # no note of the run before it
    one_line(err, "--from", f"{start} cannot start the path", "allowed: 2010..2030")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("given, hint", [("--d", "(options are spelt out in full: --draws?)"),
                                          ("--drwas", "(did you mean '--draws'?)")])
def test_an_option_cut_short_or_misspelt_is_refused_with_the_one_meant(capsys, given, hint):
    """argparse took '--d 5' for --draws, which a later option beginning '--d' would have broken."""
    code, _, err = cli(capsys, "run", "lai_chau", given, "3")
    assert code == 2
    one_line(err, f"unrecognized arguments: {given} 3 {hint}")


def test_a_full_disk_says_so_once(tmp_path):
    """A workbook's writer keeps its zip open when the disk fills; collected later, it said the full
    disk again as "Exception ignored in ZipFile.__del__" with a traceback after the one-line error."""
    code = ("import sys\n"
            "from covsim.simulator import output\n"
            "class Zip:\n    def __del__(self):\n        raise OSError(28, 'No space left on device')\n"
            "def write(tmp):\n    z = Zip()\n    raise OSError(28, 'No space left on device', tmp)\n"
            "try:\n    output.atomic_write(sys.argv[1], write, '.xlsx')\n"
            "except OSError as exc:\n    print('covsim: error:', exc, file=sys.stderr)\n")
    out = tmp_path / "t.xlsx"
    done = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=120)
    assert done.stderr.strip().splitlines() == [f"covsim: error: [Errno 28] No space left on device: '{out}'"]
    assert not list(tmp_path.iterdir())


def test_sigterm_removes_the_temp_file(tmp_path):
    out = tmp_path / "o.nc"
    code = ("import sys, os, signal, time; from pathlib import Path\n"
            "from covsim.cli.main import _terminate_as_exit\n"
            "from covsim.simulator import output\n"
            "import xarray as xr\n"
            "_terminate_as_exit()\n"
            "def slow(ds, tmp, **kw):\n    Path(tmp).write_bytes(b'x'); print('writing', flush=True); time.sleep(60)\n"
            "xr.Dataset.to_netcdf = slow\n"
            "output.write_netcdf(xr.Dataset({'a': ('x', [1.0])}), sys.argv[1])\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    assert list(tmp_path.glob(".o.nc.*"))
    proc.terminate()
    proc.wait(timeout=60)
    proc.stdout.close()
    assert not list(tmp_path.iterdir())


# 9. Smaller -----------------------------------------------------------------------------------------

def test_unknown_baseline_names_file_and_key(tmp_path, capsys):
    path = tmp_path / "r.toml"
    path.write_text('baseline = "hanoi"\n')
    code, _, err = cli(capsys, "run", str(path), "--draws", "2")
    assert code == 2
    one_line(err, "r.toml", "baseline", "hanoi")


@pytest.mark.parametrize("command", [("run",), ("calibrate", "--out", "x.nc"), ("backtest",),
                                     ("forecast", "--until", "2019", "--to", "2025")])
def test_region_in_capitals_gets_did_you_mean(capsys, command):
    argv = [command[0], "LAI_CHAU", *command[1:]]
    code, _, err = cli(capsys, *argv)
    assert code == 2
    one_line(err, "did you mean 'lai_chau'")


@pytest.mark.parametrize("command", ["calibrate", "forecast", "backtest", "target", "solve", "sensitivity",
                                     "allocate"])
def test_region_help_lists_the_region_ids(capsys, command):
    code, out, _ = cli(capsys, command, "--help")
    assert code == 0
    from covsim.simulator.inputs.scenario import known_regions

    for region in known_regions():
        assert region in out


def test_version(capsys):
    code, out, _ = cli(capsys, "--version")
    assert code == 0
    assert out.startswith("covsim ") and "+" in out


def test_a_run_that_fails_after_computing_writes_nothing(tmp_path, capsys, monkeypatch):
    """The file is written last: a fault met while summarising leaves no output behind."""
    from covsim.cli import summary
    from covsim.simulator.errors import InputError

    def fail(*args, **kwargs):
        raise InputError("coverage.csv", "row 2", "planted fault")

    monkeypatch.setattr(summary, "coverage_summary", fail)
    out = tmp_path / "o.nc"
    code, _, err = cli(capsys, "run", "lai_chau", "--draws", "2", "--out", str(out))
    assert code == 2
    one_line(err, "planted fault")
    assert not list(tmp_path.iterdir())


def test_size_estimate_and_limit():
    from covsim.simulator.analysis import runsize
    from covsim.simulator.errors import InputError

    assert runsize.parse_size("8G") == 8e9 and runsize.parse_size("500 MB") == 500e6
    small = runsize.run_estimate(200, 23, 9)
    big = runsize.run_estimate(2_000_000, 23, 9)
    assert small.memory < 1e9 < big.memory
    assert runsize.run_estimate(200, 23, 9, by_age=True).memory > small.memory
    runsize.check(small, "1G", "--draws", "a run", "use fewer --draws")
    with pytest.raises(InputError, match="use fewer --draws.*--memory-limit"):
        runsize.check(big, "1G", "--draws", "a run", "use fewer --draws")
    for bad in ("0", "-1G", "1X", "G"):
        with pytest.raises(InputError, match="--memory-limit"):
            runsize.parse_size(bad)
    # a batch's store holds every year, but its variants rerun only the years from the levers' start
    whole = runsize.batch_estimate(128, 200, 23, 9)
    rerun = runsize.batch_estimate(128, 200, 23, 9, rerun_years=6)
    assert rerun.memory == whole.memory
    assert rerun.seconds == pytest.approx(whole.seconds * 6 / 23)
    assert runsize.batch_estimate(1, 1, 23, 9, rerun_years=-3).seconds > 0  # a --from past the end


def test_a_briefing_is_sized_as_what_it_keeps(capsys, tmp_path):
    """A briefing keeps the kernel's states from the levers' year: 4,000 draws of Lai Châu peaked
    at 1.56 GB where a run's took 0.45 (runsize.BRIEF_CELL_BYTES); counted as a plain run, a limit
    of 1.2 GB let it go."""
    code, _, err = cli(capsys, "brief", "lai_chau", "--target", "0.968", "--year", "2020", "--draws", "4000",
                       "--memory-limit", "1.2G", "--out", str(tmp_path / "never.docx"))
    assert code == 2
    one_line(err, "4,000 draws of lai_chau", "1.6 GB", "past the limit of 1.2 GB")
    assert not list(tmp_path.iterdir())
    from covsim.simulator.analysis import runsize

    assert runsize.run_estimate(4000, 23, 9).memory < 1.2e9  # the same draws as a run would go


@pytest.mark.parametrize("argv, fragments", [
    # a fit, a forecast and a Saltelli design past the memory limit: refused before minutes of work
    (("forecast", "vinh_long", "--until", "2018", "--to", "2025", "--draws", "100000000", "--memory-limit", "8G"),
     ["--draws", "a forecast of vinh_long of 100,000,000 draws", "past the limit of 8.0 GB"]),
    (("calibrate", "vinh_long", "--draws", "100000000", "--out", "post.nc", "--memory-limit", "8G"),
     ["--draws", "a fit of vinh_long"]),
    # a briefing's run too (it filled 15 GB in 30 s before it was refused)
    (("brief", "lai_chau", "--target", "0.9", "--year", "2020", "--draws", "100000000", "--out", "b.html",
      "--memory-limit", "8G"), ["--draws", "100,000,000 draws of lai_chau", "past the limit of 8.0 GB"]),
    (("sensitivity", "vinh_long", "--year", "2020", "--draws", "20", "--samples", "1073741824",
      "--memory-limit", "8G"), ["--samples", "1,073,741,824 samples", "use fewer --samples"]),
    # the option a message points to is one the command has
    (("solve", "vinh_long", "--target", "0.9", "--year", "2020", "--probability", "0.8", "--levers", "near_poor",
      "--scheme", "bhtn"), ["--scheme: bhtn", "allowed: bhyt, bhxh"]),
    (("sensitivity", "vinh_long", "--year", "2020", "--scenario", "vinh_long_labour_2018"),
     ["--scenario", "is bhxh"]),
    # the same lever twice would let the last win silently; one the briefing cannot move is not offered
    (("brief", "lai_chau_plan_2016", "--target", "0.968", "--year", "2020", "--lever", "near_poor=0.9",
      "--lever", "near_poor=0.5", "--out", "b.html"), ["--lever", "names state_share.near_poor twice"]),
    (("brief", "lai_chau_plan_2016", "--target", "0.968", "--year", "2020", "--lever", "premium_rate=0.05",
      "--out", "b.html"), ["not a lever this command moves", "a group (near_poor, pupil_student"]),
    # a CSV is no scenario; a year is a whole year; an origin after the record is said to be so
    (("run", "reform.csv"), ["reform.csv", "unknown format '.csv'", ".toml or .xlsx"]),
    (("forecast", "vinh_long", "--until", "2018.0", "--to", "2020"), ["'2018.0' is not a year"]),
    (("target", "vinh_long", "--target", "0.9", "--year", "2020", "--until", "2040"),
     ["--until", "2040", "after the last national observation"]),
    # a 2025 unit's own levers act from the merger: an earlier --from would be recorded, not applied
    (("batch", "ho_chi_minh_city_2025", "--grid", "near_poor=0.8:1.0:0.2", "--draws", "5", "--from", "2020",
      "--out", "m.nc"), ["--from", "2020 is before ho_chi_minh_city_2025 began", "(state_share.near_poor)", "allowed: 2025..2030"]),
    (("solve", "ho_chi_minh_city_2025", "--target", "0.95", "--year", "2030", "--probability", "0.5",
      "--levers", "near_poor", "--from", "2020"), ["--from", "2020 is before", "a 2025 unit", "binh_duong"]),
    # a BHXH briefing lists the levers it takes for BHXH (it listed the health shares, refused after)
    (("brief", "can_tho_labour_2024", "--target", "0.35", "--year", "2026", "--lever", "drive=1",
      "--out", "b.html"), ["drive: acts on bhyt only, not on this bhxh run", "allowed: voluntary_subsidy.poor, "
                           "voluntary_subsidy.near_poor, voluntary_subsidy.other, enforcement, voluntary_outreach"]),
    # with no --from the start comes from the target year: that is what is named (it named --from)
    (("solve", "vinh_long_2025", "--target", "0.9", "--year", "2024", "--probability", "0.8", "--levers", "drive"),
     ["--year", "(no --from given)", "a target year from 2025"]),
    (("brief", "vinh_long_2025", "--target", "0.9", "--year", "2024", "--lever", "drive=1", "--out", "b.html"),
     ["--year", "(no --from given)", "a target year from 2025"]),
    # a target typed in percent is named by the command given and read back as a share
    (("allocate", "lai_chau", "--target", "95", "--year", "2030", "--out", "a.xlsx"),
     ["allocate: --target: 95 is outside (0, 1]", "(did you mean 0.95?)"]),
    (("solve", "lai_chau", "--target", "96.8", "--year", "2030", "--probability", "0.8", "--levers", "near_poor"),
     ["solve: --target: 96.8 is outside", "(did you mean 0.968?)"]),
])
def test_what_a_new_user_tried_gets_one_line_and_nothing_written(tmp_path, monkeypatch, capsys, argv, fragments):
    """Found by trying the commands as a new user would (2026-12-02): each is one line, exit 2."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reform.csv").write_text("lever,year,value\nstate_share.near_poor,2017,1\n")
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    one_line(err, *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reform.csv"]


def test_ctrl_c_while_the_command_loads_is_one_line_not_a_traceback():
    """A Ctrl-C in the second or two the engine takes to import came before `main` could catch it
    and printed a traceback. The console command's entry imports nothing heavy and catches it."""
    script = (
        "import sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'covsim.cli.main':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from covsim.cli.entry import main\n"
        "raise SystemExit(main())\n"
    )
    result = subprocess.run([sys.executable, "-c", script, "run"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 130
    one_line(result.stderr, "interrupted; nothing written")


def test_the_console_command_is_the_entry_that_catches_it():
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "covsim"]
    assert script.value == "covsim.cli.entry:main"


def test_a_stopping_batch_does_not_wait_for_ever_on_its_cluster(monkeypatch):
    """Seen twice under load: a batch sent SIGTERM did not exit within two minutes. A close cut
    short by the signal can wait for ever; after CLOSE_SECONDS the workers are stopped instead, and
    the batch goes on to say what it kept."""
    import multiprocessing

    from covsim.cli import batch as cli_batch

    class Stuck:
        def close(self):
            time.sleep(3600)

    child = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(3600,))
    child.start()
    began = time.perf_counter()
    cli_batch._close(Stuck(), None, quietly=True, seconds=1.0)
    assert time.perf_counter() - began < 10
    child.join(10)
    assert child.exitcode == -signal.SIGKILL


def test_a_dataset_derived_from_a_covsim_output_or_unreadable_is_refused_and_a_checkpoint_rewritten(tmp_path, capsys):
    """xarray keeps attributes: a covsim output an analyst added a variable to was taken for covsim's
    own and replaced. covsim's mark names the variables it wrote. A file that cannot be read is said
    to be that, not 'not covsim's'. A batch's checkpoint, rewritten by a task Dask reruns, is not
    refused by this rule."""
    import xarray as xr

    from covsim.simulator.analysis import batch

    out = tmp_path / "r.nc"
    assert cli(capsys, "run", "lai_chau", "--draws", "2", "--out", str(out), "--quiet")[0] == 0
    with xr.open_dataset(out) as ds:
        derived = ds.load()
    derived["mine"] = derived.coverage_total * 2
    derived.to_netcdf(tmp_path / "derived.nc")
    code, _, err = cli(capsys, "run", "lai_chau", "--draws", "2", "--out", str(tmp_path / "derived.nc"), "--quiet")
    assert code == 2
    one_line(err, "derived.nc", "is not a covsim output")
    (tmp_path / "junk.nc").write_bytes(b"not a dataset")
    code, _, err = cli(capsys, "run", "lai_chau", "--draws", "2", "--out", str(tmp_path / "junk.nc"), "--quiet")
    assert code == 2
    one_line(err, "junk.nc", "cannot be read as a dataset")
    assert (tmp_path / "junk.nc").read_bytes() == b"not a dataset"
    chunk = xr.Dataset({"x": ("i", [1.0, 2.0])})
    batch.write_checkpoint(chunk, tmp_path / "00000-key.nc")
    batch.write_checkpoint(chunk, tmp_path / "00000-key.nc")  # again, as a rerun task does


def _limited(blocks: int, *args, cwd):
    """`covsim ARGS` with files limited to `blocks` KiB: a full disk, as the writer meets it."""
    import shlex

    command = " ".join(shlex.quote(a) for a in COVSIM + list(args))
    return subprocess.run(["bash", "-c", f"ulimit -f {blocks}; exec {command}"], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.mark.parametrize("args, blocks", [
    (("run", "lai_chau", "--draws", "10", "--quiet", "--out", "big.nc"), 50),   # netCDF: a RuntimeError
    (("allocate", "lai_chau", "--draws", "10", "--target", "0.97", "--year", "2020", "--out", "big.xlsx"), 5),  # lxml
    (("batch", "lai_chau", "--draws", "10", "--out", "store.nc"), 50),  # its chunks stay, to resume (.partial)
])
def test_an_output_the_disk_refuses_is_one_line_and_absent(tmp_path, args, blocks):
    result = _limited(blocks, *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    line = one_line(result.stderr, args[-1], "could not be written", "disk full")
    assert "Exception ignored" not in result.stderr, line
    assert not (tmp_path / args[-1]).exists() and not list(tmp_path.glob(".*tmp*"))


def test_a_csv_allocation_the_disk_refuses_leaves_the_earlier_one_and_its_provenance_as_they_were(tmp_path):
    """The provenance was replaced before the table: a failed second run left the first table
    beside the second run's provenance."""
    args = ("allocate", "lai_chau", "--draws", "10", "--year", "2020", "--out", "al.csv")
    first = covsim(*args, "--target", "0.97", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    table, record = (tmp_path / "al.csv").read_bytes(), (tmp_path / "al.csv.provenance.json").read_bytes()
    failed = _limited(4, *args, "--target", "0.95", cwd=tmp_path)
    assert failed.returncode == 2, failed.stderr
    one_line(failed.stderr, "al.csv")
    assert (tmp_path / "al.csv").read_bytes() == table and (tmp_path / "al.csv.provenance.json").read_bytes() == record


def test_allocate_refuses_to_write_over_the_scenario_workbook_it_reads(tmp_path, capsys):
    from covsim.simulator.inputs import scenario_excel

    book = tmp_path / "reform.xlsx"
    scenario_excel.write_template(book)
    before = book.read_bytes()
    code, _, err = cli(capsys, "allocate", "lai_chau", "--target", "0.97", "--year", "2030", "--scenario", str(book),
                       "--out", str(book))
    assert code == 2
    one_line(err, "--out", "is a scenario file the run reads (--scenario")
    assert book.read_bytes() == before


def test_solve_refuses_a_share_and_a_top_up_of_one_group(capsys):
    """An audit (2026-12-07): with household's share and its top-up both levers, the top-up was
    moot beside the share (a province's share is the whole the state pays) and priced at 0 in a mix
    printed as the cheapest. Refused before any run."""
    code, _, err = cli(capsys, "solve", "vinh_long", "--target", "0.9", "--year", "2020", "--probability", "0.8",
                       "--levers", "drive,household,local_top_up.household")
    assert code == 2
    one_line(err, "--levers", "names both state_share.household and local_top_up.household", "allowed: one of the two")


def test_allocate_never_replaces_a_workbook_or_csv_it_did_not_write(tmp_path, capsys):
    """An audit (2026-12-07): `allocate --out mine.xlsx` replaced a filled commune workbook with
    the targets. Only an allocation covsim wrote is replaced; anything else is refused, kept."""
    filled = tmp_path / "mine.xlsx"
    assert cli(capsys, "region", "template", "--out", str(filled))[0] == 0
    before = filled.read_bytes()
    notes = tmp_path / "notes.csv"
    notes.write_text("commune,insured\nA,10\n", encoding="utf-8")
    for out, what in ((filled, "sheets "), (notes, "header 'commune,insured'")):
        code, _, err = cli(capsys, "allocate", "lai_chau", "--target", "0.97", "--year", "2020", "--draws", "4",
                           "--out", str(out))
        assert code == 2
        one_line(err, "--out", "exists and is not a covsim allocation", what)
    assert filled.read_bytes() == before and notes.read_text(encoding="utf-8") == "commune,insured\nA,10\n"
    for name in ("al.xlsx", "al.csv"):  # its own earlier allocation is replaced, as before
        for target in ("0.97", "0.95"):
            code, _, err = cli(capsys, "allocate", "lai_chau", "--target", target, "--year", "2020", "--draws", "4",
                               "--out", str(tmp_path / name))
            assert code == 0, err


def test_allocate_never_replaces_a_provenance_file_it_did_not_write(tmp_path, capsys):
    """An audit (2026-12-07): `allocate --out p.csv` replaced a `p.csv.provenance.json` of the user's
    without a word (the CSV itself was guarded). Refused before the run, kept; its own is replaced."""
    side = tmp_path / "p.csv.provenance.json"
    side.write_text("my notes\n", encoding="utf-8")
    code, _, err = cli(capsys, "allocate", "lai_chau", "--target", "0.97", "--year", "2020", "--draws", "4",
                       "--out", str(tmp_path / "p.csv"))
    assert code == 2
    one_line(err, "p.csv.provenance.json", "--out", "not the provenance of a covsim allocation")
    assert side.read_text(encoding="utf-8") == "my notes\n" and not (tmp_path / "p.csv").exists()
    side.unlink()
    for target in ("0.97", "0.95"):  # its own provenance beside its own CSV is replaced, as before
        code, _, err = cli(capsys, "allocate", "lai_chau", "--target", target, "--year", "2020", "--draws", "4",
                           "--out", str(tmp_path / "p.csv"))
        assert code == 0, err
    assert json.loads(side.read_text(encoding="utf-8"))["columns"]


@pytest.mark.parametrize("command", ["scenario", "region"])
def test_a_template_never_replaces_a_workbook_already_there(tmp_path, capsys, command):
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(b"PK a filled workbook")
    code, _, err = cli(capsys, command, "template", "--out", str(filled))
    assert code == 2
    one_line(err, "--out", "filled.xlsx", "exists")
    assert filled.read_bytes() == b"PK a filled workbook"


@pytest.mark.parametrize("typed, meant", [("nearpoor", "state_share.near_poor"), ("drve", "drive"),
                                          ("state_share.nearpoor", "state_share.near_poor"),
                                          ("state_share", "state_share.poor")])  # a path still, not 'base_salary'
def test_a_mistyped_lever_is_matched_by_the_name_typed(typed, meant):
    from covsim.simulator.analysis import planning
    from covsim.simulator.errors import InputError

    with pytest.raises(InputError) as err:
        planning.parse_lever(typed)
    assert f"(did you mean '{meant}'?)" in str(err.value)


@pytest.mark.parametrize("argv, fragment", [
    (("batch", "lai_chau", "--from", "abc"), "'abc' is not a year; allowed"),
    (("sensitivity", "vietnam", "--year", "2020", "--samples", "abc"), "allowed: a power of two"),
    (("region", "observe", "x", "abc", "0.5", "--source", "s"), "'abc' is not a year; allowed"),
])
def test_a_word_where_a_number_goes_says_what_is_allowed(capsys, argv, fragment):
    code, _, err = cli(capsys, *argv)
    assert code == 2
    one_line(err, fragment)


def test_allocate_refuses_to_write_over_a_workbook_its_scenario_reads_as_baseline(tmp_path, capsys):
    from covsim.simulator.inputs import scenario_excel

    from ..simulator.test_scenario_excel import fill

    book = tmp_path / "ok.xlsx"
    scenario_excel.write_template(book)
    fill(book, head=("okx", "lai_chau", "d", "s"), rows=[("state_share.poor", 2027, 1.0)])
    (tmp_path / "chain.toml").write_text('baseline = "ok.xlsx"\n[reform]\n"state_share.near_poor" = { 2027 = 1.0 }\n',
                                         encoding="utf-8")
    before = book.read_bytes()
    (tmp_path / "sub").mkdir()
    code, _, err = cli(capsys, "allocate", "lai_chau", "--target", "0.9", "--year", "2020", "--draws", "4",
                       "--scenario", str(tmp_path / "chain.toml"), "--out", str(tmp_path / "sub" / ".." / "ok.xlsx"))
    assert code == 2
    one_line(err, "--out", "the baseline of chain.toml")
    assert book.read_bytes() == before


def test_joining_a_signed_value_stops_at_the_double_dash():
    from covsim.cli.main import _signed_values

    assert _signed_values(["run", "--memory-limit", "-5G"]) == ["run", "--memory-limit=-5G"]
    assert _signed_values(["run", "--draws", "10", "--", "-1.toml"]) == ["run", "--draws", "10", "--", "-1.toml"]
    assert _signed_values(["run", "--", "--x", "-1"]) == ["run", "--", "--x", "-1"]
