"""Fertility, mortality and the sex ratio at birth that change over time (issue 39's leftovers): the
national series from dated rows, provinces at their ratio to it, the census steering still exact,
older files without the year column, and bad rows refused by check-data."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from covsim.simulator.inputs import datacheck, demography, tables, validate

YEARS = list(range(2008, 2036))
SHIPPED = ("vietnam", "ho_chi_minh_city", "dong_nai", "can_tho", "lai_chau", "vinh_long")


@pytest.fixture(scope="module")
def demo():
    return demography.build(["vietnam", "can_tho", "lai_chau"], YEARS)


def _tfr(demo, region, year):
    return float(demo.fertility.sel(region=region, year=year).sum())


def _e0(demo, region, sex, year):
    return demography.life_expectancy(demo.death_probability.sel(region=region, sex=sex, year=year).values)


def test_national_fertility_follows_the_sourced_years_and_holds_after(demo):
    assert _tfr(demo, "vietnam", 2009) == pytest.approx(2.03)
    assert _tfr(demo, "vietnam", 2019) == pytest.approx(2.09)
    assert _tfr(demo, "vietnam", 2024) == pytest.approx(1.91)
    assert _tfr(demo, "vietnam", 2020) == pytest.approx(2.10)  # halfway between 2019's 2.09 and 2021's 2.11
    assert _tfr(demo, "vietnam", 2035) == pytest.approx(1.91)  # held after the last survey (assumed)


def test_national_life_expectancy_rises_as_sourced(demo):
    assert _e0(demo, "vietnam", "male", 2014) == pytest.approx(70.6, abs=1e-6)
    assert _e0(demo, "vietnam", "female", 2024) == pytest.approx(77.3, abs=1e-6)
    assert _e0(demo, "vietnam", "male", 2022) == pytest.approx(71.1 + (72.3 - 71.1) / 3, abs=1e-6)
    q = demo.death_probability.sel(region="vietnam", sex="male")
    assert float(q.sel(year=2030, age=70)) < float(q.sel(year=2010, age=70))  # fewer deaths at 70


def test_a_province_follows_the_nation_at_its_ratio(demo):
    # Can Tho: the Mekong Delta's 1.84 of 2009 against the nation's 2.03, held as a ratio.
    assert _tfr(demo, "can_tho", 2024) == pytest.approx(1.91 * 1.84 / 2.03)
    # Lai Chau's assumed 2.6 of 2019, moving with the nation's trend.
    assert _tfr(demo, "lai_chau", 2024) == pytest.approx(1.91 * 2.6 / 2.09)
    # Lai Chau's own 2024 life expectancy (GSO mid-term survey), and the nation's trend before it.
    assert _e0(demo, "lai_chau", "male", 2024) == pytest.approx(62.9, abs=1e-6)
    assert _e0(demo, "lai_chau", "male", 2014) == pytest.approx(70.6 * 62.9 / 72.3, abs=1e-6)
    # No sex ratio of its own: the nation's.
    assert np.allclose(demo.male_birth_share.sel(region="lai_chau"), demo.male_birth_share.sel(region="vietnam"))


def test_a_province_with_its_own_life_expectancy_keeps_its_ratio():
    demo = demography.build(["ba_ria_vung_tau"], YEARS)
    assert _e0(demo, "ba_ria_vung_tau", "female", 2024) == pytest.approx(79.4, abs=1e-6)
    assert _e0(demo, "ba_ria_vung_tau", "female", 2014) == pytest.approx(76.0 * 79.4 / 77.3, abs=1e-6)


def test_the_census_steering_stays_exact_with_moving_rates():
    """Every census, survey and plan point the population is steered through, within 0.01%."""
    for gap in datacheck.census_gaps():
        if gap.region in SHIPPED and gap.basis in ("census", "survey", "plan"):
            assert abs(gap.model / gap.census - 1) <= 1e-4, gap


def test_the_engine_ages_people_with_each_years_rates():
    """Births in the engine move with the year's fertility: fewer births per woman after 2021."""
    from covsim import simulator

    ds = simulator.run(simulator.load_scenario("vietnam"), draws=2, seed=0)
    births = ds.births.sel(region="vietnam").isel(draw=0)
    demo = demography.build(["vietnam"], [int(y) for y in ds.year.values])
    women = demo.projected_population.sel(region="vietnam", sex="female")
    for year in (2015, 2024):
        expected = float((demo.fertility.sel(region="vietnam", year=year) * women.sel(year=year - 1)).sum())
        assert float(births.sel(year=year)) == pytest.approx(expected, rel=1e-6)


# A file written before the year column ------------------------------------------------------------

def test_a_demography_file_without_the_year_column_still_loads(tmp_path):
    text = "region,parameter,value,unit,kind,source,note\nvietnam,tfr,2.5,births_per_woman,assumed,x,\n"
    frame = tables.parse_table("demography", text, "old/demography.csv")
    assert frame.year.isna().all() and frame.value.tolist() == [2.5]
    assert demography.series(frame, "dong_nai", "tfr", [2008, 2040]).tolist() == [2.5, 2.5]


# Bad rows: check-data names file, row and problem, exits 2 -----------------------------------------


def _check_data(folder):
    return subprocess.run([sys.executable, "-m", "covsim.cli.main", "check-data"], capture_output=True, text=True,
                          env={**os.environ, "COVSIM_DATA_DIR": str(folder)})


def _line(folder, start: str) -> int:
    lines = (folder / "demography.csv").read_text(encoding="utf-8").splitlines()
    return next(i for i, l in enumerate(lines, start=1) if l.startswith(start))


def test_a_negative_fertility_is_refused(copy, edit):
    edit(copy / "demography.csv", "vietnam,tfr,2023,1.96,", "vietnam,tfr,2023,-1.96,")
    result = _check_data(copy)
    assert result.returncode == 2
    row = _line(copy, "vietnam,tfr,2023,")
    assert f"demography.csv: row {row}, column 'value': -1.96 is negative" in result.stdout
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


def test_a_series_with_an_undated_row_is_refused(copy, edit):
    edit(copy / "demography.csv", "vietnam,tfr,2014,", "vietnam,tfr,,")
    found = [str(p) for p in validate.problems(copy)]
    row = _line(copy, "vietnam,tfr,,")
    assert any(p.startswith(f"demography.csv: row {row}, column 'year'") and "vietnam.tfr has no year" in p
               for p in found), found
    assert _check_data(copy).returncode == 2


def test_a_repeated_year_is_refused(copy, edit):
    edit(copy / "demography.csv", "vietnam,tfr,2014,", "vietnam,tfr,2009,")
    found = [str(p) for p in validate.problems(copy)]
    assert any("repeated: region vietnam, parameter tfr, year 2009 is already" in p for p in found), found


def test_a_life_expectancy_out_of_range_is_refused(copy, edit):
    edit(copy / "demography.csv", "vietnam,e0_male,2019,71.0,", "vietnam,e0_male,2019,710,")
    found = [str(p) for p in validate.problems(copy)]
    row = _line(copy, "vietnam,e0_male,2019,")
    assert f"demography.csv: row {row}, column 'value': life expectancy 710 is outside 30..95 years" in found
