"""The population steered through the censuses (issue 39, items 1 and 6): the goals, the window a run
starts in, the denominator a run names, and a census table's bad input."""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from covsim import simulator
from covsim.simulator.inputs import datacheck, demography, tables, validate

SHIPPED = ("vietnam", "ho_chi_minh_city", "dong_nai", "can_tho", "lai_chau", "vinh_long")


def _census(region: str, year: int, basis: str = "census") -> float:
    t = tables.table("census")
    return float(t[(t.region == region) & (t.year == year) & (t.basis == basis)].value.iloc[0])


def test_every_shipped_region_within_one_percent_of_both_censuses_in_the_engine():
    """The engine's own population (not the precomputed projection) against the 2009 and 2019 totals."""
    for region in SHIPPED:
        ds = simulator.run(simulator.load_scenario(region), draws=2, seed=0)
        total = ds.population_total.sel(region=region).isel(draw=0)
        for year in (2009, 2019):
            gap = float(total.sel(year=year)) / _census(region, year) - 1
            assert abs(gap) <= 0.01, (region, year, gap)


def test_plans_base_year_populations_and_the_can_tho_goal():
    years = list(range(2008, 2026))
    totals = demography.build(["lai_chau", "can_tho"], years).projected_population.sum(("sex", "age"))
    assert abs(float(totals.sel(region="lai_chau", year=2020)) / 476_156 - 1) <= 0.01
    can_tho = float(totals.sel(region="can_tho", year=2024))
    # covsim allocate can_tho --target 0.9369 --year 2024 insures target x population.
    assert abs(0.9369 * can_tho / 1_179_440 - 1) <= 0.01


def test_between_censuses_the_net_migration_changes_year_by_year_and_is_accounted():
    years = list(range(2008, 2031))
    demo = demography.build(["ho_chi_minh_city"], years)
    rate = demo.net_migration_rate.sel(region="ho_chi_minh_city").mean(("sex", "age")).values
    assert len(np.unique(np.round(rate[1:12], 8))) > 1  # steered, not one constant rate
    pop = demo.projected_population.values[:, 0]
    moved = demography.net_migrants(demo.projected_population.values, demo.net_migration_rate.values)[:, 0]
    q, fert = demo.death_probability.values[:, 0], demo.fertility.values[:, 0]  # (year, ...): each year's rates
    for k in range(1, len(years)):
        births = (fert[k] * pop[k - 1, 1]).sum()
        deaths = (q[k] * pop[k - 1]).sum()
        assert pop[k].sum() == pytest.approx(pop[k - 1].sum() + births - deaths + moved[k], rel=1e-9)


def test_a_run_sees_the_same_people_whatever_year_it_starts():
    long = demography.build(["dong_nai", "lai_chau"], list(range(2008, 2031))).projected_population
    late = demography.build(["dong_nai", "lai_chau"], list(range(2016, 2031))).projected_population
    np.testing.assert_allclose(late.values, long.sel(year=late.year).values, rtol=1e-12)


def test_after_the_last_census_point_the_rate_is_the_last_decades_mean():
    years = list(range(2008, 2041))
    demo = demography.build(["vinh_long"], years)
    rate = demo.net_migration_rate.sel(region="vinh_long", sex="male", age=24).values
    k19 = years.index(2019)
    assert rate[k19 + 1] == pytest.approx(rate[k19 - 9:k19 + 1].mean(), rel=1e-12)
    assert np.isnan(demo.target_population.sel(region="vinh_long", year=2030))


def test_check_data_finds_no_census_gap_over_one_percent_and_lists_the_merged_units():
    gaps = datacheck.census_gaps()
    assert not datacheck._check_census_gaps(gaps)
    regions = {g.region for g in gaps}
    assert set(SHIPPED) <= regions and "can_tho_2025" in regions
    bad = [datacheck.CensusGap("x", 2019, "census", "observed", 103.0, 100.0)]
    assert "+3.00% off the census total" in str(datacheck._check_census_gaps(bad)[0])


def test_registered_is_residents_less_net_migrants_since_2009():
    rows = {(r["region"], r["year"]): r for r in datacheck.residents_and_registered()}
    assert rows[("ho_chi_minh_city", 2009)]["registered"] == pytest.approx(_census("ho_chi_minh_city", 2009))
    hcmc = rows[("ho_chi_minh_city", 2019)]
    assert hcmc["resident"] == pytest.approx(_census("ho_chi_minh_city", 2019), rel=1e-9)
    assert hcmc["registered"] < hcmc["resident"]  # net in-migration since 2009


def test_a_health_run_names_its_denominator():
    ds = simulator.run(simulator.load_scenario("lai_chau"), draws=2, seed=0)
    assert ds.attrs["denominator"] == "resident_population"
    assert "census.csv" in ds.attrs["denominator_note"]


# Bad input -----------------------------------------------------------------------------------------


def test_negative_census_count_is_named_by_file_row_and_column(copy, edit):
    edit(copy / "census.csv", ",370502,", ",-370502,")
    found = [str(p) for p in validate.problems(copy)]
    assert any(p.startswith("census.csv: row 13, column 'value'") and "negative" in p for p in found), found


def test_shares_that_do_not_add_up_are_named(copy, edit):
    edit(copy / "census_structure.csv", "0-14,0.232", "0-14,0.332")
    found = [str(p) for p in validate.problems(copy)]
    assert any(re.match(r"census_structure\.csv: row \d+, column 'share'", p)  # a row number, not "17.0"
               and "age shares of vietnam in 2019 sum to 1.1000" in p for p in found), found


def test_a_gap_in_the_census_series_is_named(copy):
    path = copy / "census.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(l for l in lines if not l.startswith("dong_nai,2019,")), encoding="utf-8")
    found = [str(p) for p in validate.problems(copy)]
    assert any(p.startswith("census.csv: row") and "(dong_nai)" in p and "no 2019 census total" in p
               for p in found), found


def test_check_data_exits_2_on_a_bad_census_table(copy, edit):
    edit(copy / "census.csv", ",460196,", ",-460196,")
    result = subprocess.run([sys.executable, "-m", "covsim.cli.main", "check-data"], capture_output=True,
                            text=True, env={**__import__("os").environ, "COVSIM_DATA_DIR": str(copy)})
    assert result.returncode == 2, result.stderr
    assert "census.csv: row 14, column 'value'" in result.stdout
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
