"""Policy resolution, as a unit: dated values in force, a reform's overrides on top, the state's
share split into its national and local parts, and policy known "as of" a date."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from covsim.simulator.inputs.policy import NATIONAL, DatedValue, Policy, Series


def table(rows) -> pd.DataFrame:
    return pd.DataFrame([{"parameter": p, "region": r, "group": g, "effective_from": d, "value": v,
                          "reference": "test", "kind": "observed"} for p, r, g, d, v in rows])


POLICY = Policy.from_table(table([
    ("state_share", NATIONAL, "near_poor", date(2010, 1, 1), 0.5),
    ("state_share", NATIONAL, "near_poor", date(2015, 1, 1), 0.7),
    ("local_top_up", "lai_chau", "near_poor", date(2016, 7, 1), 0.2),
    ("base_salary", NATIONAL, "", date(2010, 1, 1), 1_000_000),
    ("base_salary", NATIONAL, "", date(2012, 7, 1), 2_000_000),
]))


def over(start: date, value: float) -> Series:
    return Series([DatedValue(start, value, "reform", "assumed")])


def test_the_value_in_force_and_its_day_weighted_year():
    assert POLICY.in_force("base_salary", date(2012, 6, 30)).value == 1_000_000
    assert POLICY.in_force("base_salary", date(2012, 7, 1)).value == 2_000_000
    assert POLICY.annual("base_salary", 2012) == pytest.approx(1_000_000 + 1_000_000 * 184 / 366)
    assert POLICY.in_force("base_salary", date(2009, 12, 31)) is None
    with pytest.raises(LookupError):
        POLICY.annual("premium_rate", 2012)
    assert POLICY.annual("premium_rate", 2012, default=0.045) == 0.045


def test_a_region_falls_back_to_the_national_value():
    assert POLICY.annual("base_salary", 2011, "lai_chau") == 1_000_000


def test_the_local_top_up_adds_to_the_national_share_capped_at_one():
    assert POLICY.state_share(2014, "lai_chau", "near_poor") == (0.5, 0.0)
    national, local = POLICY.state_share(2017, "lai_chau", "near_poor")
    assert (national, local) == pytest.approx((0.7, 0.2))
    capped = POLICY.with_overrides({("local_top_up", "lai_chau", "near_poor"): over(date(2018, 1, 1), 0.6)})
    assert sum(capped.state_share(2019, "lai_chau", "near_poor")) == pytest.approx(1.0)


def test_a_regional_total_override_sets_the_total_and_the_nation_pays_its_minimum():
    reform = POLICY.with_overrides({("state_share", "lai_chau", "near_poor"): over(date(2018, 1, 1), 0.9)})
    assert reform.state_share(2019, "lai_chau", "near_poor") == pytest.approx((0.7, 0.2))
    lower = POLICY.with_overrides({("state_share", "lai_chau", "near_poor"): over(date(2018, 1, 1), 0.6)})
    assert lower.state_share(2019, "lai_chau", "near_poor") == pytest.approx((0.6, 0.0))


def test_an_override_keeps_the_history_before_its_first_date():
    reform = POLICY.with_overrides({("base_salary", NATIONAL, ""): over(date(2014, 1, 1), 3_000_000)})
    assert reform.annual("base_salary", 2011) == 1_000_000
    assert reform.annual("base_salary", 2013) == 2_000_000
    assert reform.annual("base_salary", 2015) == 3_000_000


def test_as_of_drops_what_took_effect_later_but_keeps_the_reform():
    reform = POLICY.with_overrides({("base_salary", NATIONAL, ""): over(date(2014, 1, 1), 3_000_000)})
    known = reform.as_of(date(2012, 1, 1))
    assert known.annual("base_salary", 2013) == 1_000_000
    assert known.annual("base_salary", 2015) == 3_000_000
    assert known.state_share(2016, "lai_chau", "near_poor") == (0.5, 0.0)


def test_a_state_share_reform_keeps_the_local_top_up_before_its_first_date():
    """Years before a regional state-share reform are the baseline's, local top-up included; the
    reform's year mixes the two by days, and from then on the reform sets the total."""
    reform = POLICY.with_overrides({("state_share", "lai_chau", "near_poor"): over(date(2020, 7, 1), 0.95)})
    for year in (2014, 2016, 2017, 2019):
        assert reform.state_share(year, "lai_chau", "near_poor") == POLICY.state_share(year, "lai_chau", "near_poor")
    assert sum(reform.state_share(2019, "lai_chau", "near_poor")) == pytest.approx(0.9)  # 0.7 + 0.2
    half = 182 / 366
    assert sum(reform.state_share(2020, "lai_chau", "near_poor")) == pytest.approx(0.9 * half + 0.95 * (1 - half))
    assert reform.state_share(2021, "lai_chau", "near_poor") == pytest.approx((0.7, 0.25))


def test_results_kept_per_table_stay_bounded_when_the_tables_are_read_afresh():
    """A dashboard reads its tables afresh when a region is registered while it runs: what is kept
    per table read (the policy's series, the figures known by a year, the household sizes) must not
    grow with every re-read, and a kept result is not a caller's to change."""
    from covsim.simulator.inputs import household, known, policy, tables

    rows = table([("base_salary", NATIONAL, "", date(2010, 1, 1), 1_000_000)])
    demography = tables.table("demography")
    for _ in range(tables.KEPT + 5):
        Policy.from_table(rows.copy())
        known.figures(demography.copy(), 2013)
    assert len(policy._FROM_TABLE) <= tables.KEPT
    assert len(known._CUT) <= tables.KEPT
    # the same table read is answered from what was kept
    assert known.figures(demography, 2013) is known.figures(demography, 2013)
    sizes, shares = household.size_distribution(NATIONAL, 2013)
    with pytest.raises(ValueError):
        shares[0] = 1.0
    with pytest.raises(ValueError):
        sizes[0] = 9
