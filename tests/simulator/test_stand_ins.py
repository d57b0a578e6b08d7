"""The later figures an "as of" run reads where none of their series was known by its day: listed
in its provenance and text, and listed means read."""
from __future__ import annotations

import json
from datetime import date

import pandas as pd

from covsim import simulator
from covsim.simulator.inputs import household
from covsim.simulator.schemes import unverified

from ..cli.test_cli import covsim


def _stand_ins(name: str, day: date | None) -> dict[str, set[str]]:
    """{table: {'region what year', ...}} of what a run of `name` as of `day` reads that came later."""
    out: dict[str, set[str]] = {}
    for r in unverified.stand_ins_for(simulator.load_scenario(name), day):
        out.setdefault(r["table"], set()).add(f"{r['region']} {r['what']} {r['from']}")
    return out


def test_an_as_of_run_lists_the_later_figures_it_reads_and_a_run_on_the_record_none():
    nation = _stand_ins("vietnam", date(2013, 12, 31))
    # the national life expectancy, first given for 2014; the household sizes of the 2019 census
    assert nation["demography.csv"] == {"vietnam e0_female 2014", "vietnam e0_male 2014"}
    assert len(nation["household_sizes.csv"]) == 7 and all(s.endswith(" 2019") for s in nation["household_sizes.csv"])
    # Lai Châu's own later figures stand in for its own run (known.figures keys by region), and the
    # nation's for the national run its fit makes beside it (an audit found them read, not listed)
    lai_chau = _stand_ins("lai_chau", date(2013, 12, 31))["demography.csv"]
    assert {"lai_chau tfr 2019", "lai_chau e0_female 2024", "lai_chau e0_male 2024"} <= lai_chau
    assert {"vietnam e0_female 2014", "vietnam e0_male 2014"} <= lai_chau
    assert {s.split()[-1] for s in _stand_ins("ho_chi_minh_city", date(2009, 12, 31))["group_shares.csv"]
            if s.startswith("vietnam ")} == {"2010"}  # the nation's 2010 group shares, as of 2009
    # a 2025 unit's former provinces each on their own: Bình Dương has no life expectancy of its own,
    # so the nation's stands in for it, though HCMC and Bà Rịa–Vũng Tàu have theirs of 2024
    unit = _stand_ins("ho_chi_minh_city_2025", date(2013, 12, 31))["demography.csv"]
    assert {"vietnam e0_female 2014", "ba_ria_vung_tau e0_female 2024", "ho_chi_minh_city e0_female 2024"} <= unit
    assert _stand_ins("vietnam", date(2014, 12, 31)) == {"household_sizes.csv": nation["household_sizes.csv"]}
    assert _stand_ins("vietnam", date(2019, 12, 31)) == {}  # the census of 2019 known
    assert _stand_ins("vietnam", None) == {}  # the whole record: nothing stands in
    # a growth rate never stands in (demography.growth_rate: the nation's known rate is read)
    assert not any("growth_rate" in s for s in _stand_ins("dong_nai", date(2013, 12, 31))["demography.csv"])
    # as of 2009 the group shares of the 2010 reference stand in (membership.known_years), for health only
    assert {s.split()[-1] for s in _stand_ins("vietnam", date(2009, 12, 31))["group_shares.csv"]} == {"2010"}
    labour = _stand_ins("vinh_long_labour_2018", date(2009, 12, 31))
    assert "group_shares.csv" not in labour and "household_sizes.csv" not in labour
    # the labour layer's inputs, never the figures its fit reads up to the origin only
    assert labour["labour_force.csv"] and not any(s.split()[1].startswith(("bhxh_share", "bhtn_share", "labour_force"))
                                                  for s in labour["labour_force.csv"])


def test_the_labour_force_rows_said_to_be_inputs_are_those_the_layer_asks_for(asked):
    """unverified.py lists later labour-force rows standing in by scheme_ids.LABOUR_INPUTS: a run of
    each labour scheme, recording every parameter it asks the table for, must agree with it."""
    import dataclasses

    from covsim.simulator.inputs.scheme_ids import LABOUR_INPUTS
    from covsim.simulator.schemes import labour as layer

    asked = asked(layer, "_rows")  # every parameter a run asks the labour force table for
    for scheme in ("bhxh", "bhtn"):
        simulator.run(dataclasses.replace(simulator.load_scenario("vinh_long"), scheme=scheme, end=2022), draws=2, seed=0)
    assert asked and all(p.startswith(LABOUR_INPUTS) for p in asked), sorted(asked)
    prefixes = {next(x for x in LABOUR_INPUTS if p.startswith(x)) for p in asked}
    assert prefixes == set(LABOUR_INPUTS)  # and none declared that no run reads


def test_the_household_sizes_read_are_the_latest_census_known_or_the_earliest_before_any(monkeypatch):
    """Dated like every census figure: a run as of a day reads the latest vintage known by then."""
    rows = [("vietnam", size, share, year) for year, shares in ((2009, (0.1, 0.2, 0.3, 0.4)),
                                                               (2019, (0.4, 0.3, 0.2, 0.1)))
            for size, share in zip(range(1, 5), shares)]
    frame = pd.DataFrame(rows, columns=["region", "size", "share", "year"])
    monkeypatch.setattr(household.tables, "table", lambda name: frame)
    assert list(household.size_distribution(last=2013)[1]) == [0.1, 0.2, 0.3, 0.4]
    assert list(household.size_distribution(last=2019)[1]) == [0.4, 0.3, 0.2, 0.1]
    assert list(household.size_distribution()[1]) == [0.4, 0.3, 0.2, 0.1]
    assert list(household.size_distribution(last=2005)[1]) == [0.1, 0.2, 0.3, 0.4]  # the earliest stands in
    # another table loaded is read afresh (household._SIZES keeps a result by the table's identity);
    # a size only a later census gives does not stand in beside the census known (the whole census does)
    later = pd.concat([frame, pd.DataFrame([("vietnam", 5, 0.2, 2019)], columns=frame.columns)], ignore_index=True)
    monkeypatch.setattr(household.tables, "table", lambda name: later)
    assert list(household.size_distribution(last=2013)[0]) == [1, 2, 3, 4]
    assert list(household.size_distribution()[0]) == [1, 2, 3, 4, 5]
    undated = frame.assign(year=float("nan")).head(4)  # a file from before the column: whatever the day
    monkeypatch.setattr(household.tables, "table", lambda name: undated)
    assert list(household.size_distribution(last=2005)[1]) == [0.1, 0.2, 0.3, 0.4]


def test_a_listed_later_figure_is_read_and_the_text_says_so(copy, edit):
    """Lai Châu's 2019 fertility, listed as standing in as of 2013, moves that forecast when changed;
    the text output counts it."""
    args = ("forecast", "lai_chau", "--until", "2013", "--to", "2020", "--draws", "40")
    shipped = covsim(*args)
    assert shipped.returncode == 0, shipped.stderr
    assert ("figures of years after --until standing in" in shipped.stdout
            and "12 rows" in shipped.stdout and "demography.csv 5 rows" in shipped.stdout
            and "household_sizes.csv 7 rows" in shipped.stdout)  # its own 3 and the nation's 2 life expectancies
    record = json.loads(covsim(*args, "--json").stdout)["provenance"]
    assert {"demography.csv", "household_sizes.csv"} == {r["table"] for r in record["stand_ins"]}
    assert {("vietnam", "e0_female"), ("lai_chau", "tfr")} <= {(r["region"], r["what"]) for r in record["stand_ins"]}
    edit(copy / "demography.csv", "lai_chau,tfr,2019,2.6,", "lai_chau,tfr,2019,1.8,")
    changed = covsim(*args, "--json", env={"COVSIM_DATA_DIR": str(copy)})
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)["forecasts"] != json.loads(covsim(*args, "--json").stdout)["forecasts"]


def test_a_data_folder_from_before_the_year_column_still_loads(copy):
    """household_sizes.csv without its `year` column (a folder written before it): checked clean and
    run, its sizes holding whatever the day."""
    table = pd.read_csv(copy / "household_sizes.csv", keep_default_na=False, dtype=str).drop(columns="year")
    table.to_csv(copy / "household_sizes.csv", index=False, lineterminator="\n")
    env = {"COVSIM_DATA_DIR": str(copy)}
    checked = covsim("check-data", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    ran = covsim("run", "vietnam", "--draws", "5", "--json", env=env)
    assert ran.returncode == 0, ran.stderr
    shipped = covsim("run", "vietnam", "--draws", "5", "--json")
    assert json.loads(ran.stdout)["coverage"] == json.loads(shipped.stdout)["coverage"]  # the same sizes
    # and its shares are still checked, as one census
    broken = (copy / "household_sizes.csv").read_text(encoding="utf-8").replace("vietnam,1,0.07,", "vietnam,1,0.17,", 1)
    (copy / "household_sizes.csv").write_text(broken, encoding="utf-8")
    refused = covsim("check-data", env=env)
    assert refused.returncode == 2 and "household_sizes.csv: row 2, column 'share'" in refused.stdout
    assert "the household shares of vietnam sum to 1.1000, not 1" in refused.stdout
