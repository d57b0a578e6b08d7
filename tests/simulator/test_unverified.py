"""The data rows no source here confirms: each run lists those it reads, and only those."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd

from covsim import simulator
from covsim.simulator.inputs import tables
from covsim.simulator.schemes import unverified

from ..cli.test_cli import covsim

DATA_MD = Path(__file__).parents[2] / "docs" / "data.md"


def listed(name: str, scheme: str | None = None) -> set[tuple[str, int]]:
    sc = simulator.load_scenario(name)
    sc = sc.with_scheme(scheme) if scheme else sc
    return {(r["table"], r["line"]) for r in unverified.rows_for(sc)}


def test_a_health_run_lists_the_rows_it_reads_and_not_those_it_does_not():
    lai_chau = listed("lai_chau_plan_2016")
    assert lai_chau == {("mandates.csv", n) for n in (2, 3, 5)} | {("policy_parameters.csv", n) for n in (14, 52)}  # 4: sourced
    # Vĩnh Long's own census totals as remembered and its assumed growth from 2019, beside the same five
    assert listed("vinh_long_directive_2018") == lai_chau | {("census.csv", 16), ("census.csv", 17), ("demography.csv", 45)}
    # Cần Thơ's growth to 2024 derived from its plan's population, as that population is
    assert {("census.csv", 12), ("demography.csv", 37)} <= listed("can_tho_plan_2024")
    # a 2025 unit reads its former provinces' rows
    assert ("census.csv", 18) in listed("ho_chi_minh_city_2025")  # Bình Dương 2009


def test_the_labour_schemes_list_what_each_reads():
    bhxh, bhtn = listed("vinh_long", "bhxh"), listed("vinh_long", "bhtn")
    support = {("policy_parameters.csv", n) for n in (49, 50, 51)}  # Decree 134/2015's voluntary support
    assert support <= bhxh and not support & bhtn
    assert not {t for t, _ in bhxh | bhtn} & {"mandates.csv"}  # the health roadmap is not theirs
    voluntary = tables.table("labour_force").parameter.str.startswith(("informal_",))
    informal = {("labour_force.csv", int(i) + 2) for i in voluntary[voluntary].index}
    assert informal & bhxh and not informal & bhtn


def test_docs_data_md_lists_every_row_so_marked():
    """The table in docs/data.md ("Figures no source here confirms") covers every marked row."""
    text = DATA_MD.read_text(encoding="utf-8")
    section = text[text.index("**Figures no source here confirms"):text.index("(`coverage.csv`'s two")]
    covered = set()
    for table, spans in re.findall(r"\| `(\w+\.csv)` \| ([\d–, ]+) \|", section):
        for span in spans.split(","):
            lo, _, hi = span.strip().partition("–")
            covered |= {(table, n) for n in range(int(lo), int(hi or lo) + 1)}
    for name in unverified.READ:
        df = tables.table(name)
        marked = unverified._marked(df) & (df.kind == "assumed").to_numpy()
        for line in (df.index[marked] + 2):
            assert (f"{name}.csv", int(line)) in covered, (name, line)


def _run_with(tmp_path, edit, label):
    folder = tmp_path / label
    shutil.copytree(tables.data_dir(), folder)
    table = pd.read_csv(folder / "policy_parameters.csv", keep_default_na=False, dtype=str)
    edit(table)
    table.to_csv(folder / "policy_parameters.csv", index=False, lineterminator="\n")
    result = covsim("run", "vinh_long_directive_2018", "--draws", "10", "--json", env={"COVSIM_DATA_DIR": str(folder)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_listed_row_moves_the_run_and_an_unlisted_marked_row_does_not(tmp_path):
    """Listed means read: the pre-2010 premium (listed) changed moves coverage; the pupils' 3% of
    2010-2014 (marked, not listed: the engine reads one premium rate) changed moves nothing."""
    def pupils(table):
        table.loc[(table.parameter == "premium_rate") & (table.group == "pupil_student"), "value"] = "0.06"

    def early(table):
        table.loc[(table.parameter == "premium_rate") & (table.effective_from == "2008-01-01"), "value"] = "0.045"

    base = _run_with(tmp_path, lambda table: None, "base")
    rows = {(r["table"], r["line"]) for r in base["provenance"]["unverified_data"]}
    assert ("policy_parameters.csv", 14) in rows and ("policy_parameters.csv", 17) not in rows
    assert _coverage(_run_with(tmp_path, pupils, "pupils")) == _coverage(base)
    assert _coverage(_run_with(tmp_path, early, "early")) != _coverage(base)


def _coverage(result: dict):
    return json.dumps({k: v for k, v in result.items() if k != "provenance"}, sort_keys=True)


def test_the_policy_parameters_each_scheme_is_said_to_read_are_those_its_run_reads(asked):
    """unverified.py decides which policy rows a run reads by scheme_ids.LABOUR_POLICY: a run
    of each scheme, recording every parameter it asks the policy for, must agree with it."""
    import dataclasses

    from covsim.simulator.inputs.policy import Policy
    from covsim.simulator.inputs.scheme_ids import LABOUR_POLICY

    asked = asked(Policy, "_series")  # every parameter a run asks the policy for
    params = set(tables.table("policy_parameters").parameter)
    for scheme in ("bhyt", "bhxh", "bhtn"):
        asked.clear()
        sc = dataclasses.replace(simulator.load_scenario("vinh_long"), scheme=scheme, end=2026)
        simulator.run(sc, draws=2, seed=0)
        said = {p for p in params | asked if unverified._policy_read(p, "", scheme)}
        if scheme == "bhtn":  # the layer prices BHXH's voluntary branch too; BHTN's figures do not use it
            asked -= {p for p in asked if p.startswith(unverified.VOLUNTARY_ONLY)}
        # every parameter of the table the run asked for is one the rule says it reads
        assert asked <= said, (scheme, sorted(asked - said))
        if scheme == "bhxh":
            assert asked == set(LABOUR_POLICY)


def test_the_nations_incomes_are_listed_for_a_province_with_its_own(copy, monkeypatch):
    """A province's incomes follow the national series at their ratio to it (incomes.py): a run of
    Vĩnh Long, which has an income row of its own, reads the nation's whole series, so a national
    row no source confirms is listed for it."""
    path = copy / "income.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("vietnam,2008,") and ",observed," in lines[1]
    lines[1] = lines[1].replace(",observed,", ",assumed,", 1) + " unverified"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "vinh_long" in set(pd.read_csv(path).region)
    monkeypatch.setenv("COVSIM_DATA_DIR", str(copy))
    tables.reload()
    try:
        assert ("income.csv", 2) in listed("vinh_long_directive_2018")
    finally:
        monkeypatch.undo()
        tables.reload()


def test_a_long_running_process_hashes_the_data_it_read_not_the_files_edited_since(copy, monkeypatch):
    """The dashboard reads its tables once; a data file edited while it ran gave its numbers (on
    the old tables) the new file's hash. The hash is now of the bytes read, until the tables are
    read again (`tables.reload`, as `region add` and a fit written do)."""
    monkeypatch.setenv("COVSIM_DATA_DIR", str(copy))
    tables.reload()
    try:
        tables.table("policy_parameters")
        before = tables.data_hash()
        path = copy / "policy_parameters.csv"
        path.write_text(path.read_text(encoding="utf-8") + path.read_text(encoding="utf-8").splitlines()[1] + "\n",
                        encoding="utf-8")
        assert tables.data_hash() == before  # the tables in use are still the ones read
        tables.reload()
        assert tables.data_hash() != before and tables.data_hash() == tables.data_hash(copy)
    finally:
        monkeypatch.undo()
        tables.reload()


def test_the_kept_hash_follows_a_users_file_added_or_edited(tmp_path, monkeypatch):
    """`data_hash` is kept between calls (a dashboard's lever move asked for it twice, 6 ms each):
    a user's file added, edited or removed still changes it at once, and the same data give the
    hash of a fresh computation."""
    monkeypatch.setenv("COVSIM_USER_DIR", str(tmp_path))
    bare = tables.data_hash()
    folder = tmp_path / "regions" / "somewhere"
    folder.mkdir(parents=True)
    path = folder / "communes.csv"
    path.write_text("region,year\nsomewhere,2025\n", encoding="utf-8")
    added = tables.data_hash()
    assert added != bare
    path.write_text("region,year\nsomewhere,2026\n", encoding="utf-8")  # the same size, other content
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    edited = tables.data_hash()
    assert edited not in (bare, added)
    tables._HASHED.clear()
    assert tables.data_hash() == edited  # what a fresh computation gives
    path.unlink()
    assert tables.data_hash() == bare


def test_a_run_on_a_data_folder_of_ones_own_says_where_it_was(copy, monkeypatch):
    """`COVSIM_DATA_DIR` showed only as another data hash (or, with the tables unchanged, as none):
    the run's provenance names the folder, and the text says the tables were not the shipped ones."""
    monkeypatch.setenv("COVSIM_DATA_DIR", str(copy))
    tables.reload()
    try:
        result = covsim("run", "lai_chau", "--draws", "4", "--json", env={"COVSIM_DATA_DIR": str(copy)})
        assert json.loads(result.stdout)["provenance"]["data_dir"] == str(copy.resolve())
        text = covsim("run", "lai_chau", "--draws", "4", env={"COVSIM_DATA_DIR": str(copy)}).stdout
        assert f"(tables from COVSIM_DATA_DIR {copy.resolve()}, not the shipped ones)" in text
    finally:
        monkeypatch.undo()
        tables.reload()
    assert json.loads(covsim("run", "lai_chau", "--draws", "4", "--json").stdout)["provenance"]["data_dir"] is None
