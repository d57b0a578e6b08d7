"""A 2025 unit as of a year (`calibration/unit_as_of.py`): its former provinces, each with a stored
fit refitted on what was observed by then, the others on their priors, under the policy decided by
then; `covsim forecast` and `covsim target --until` take it."""
from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
import xarray as xr

from covsim import simulator
from covsim.calibration import unit_as_of
from covsim.calibration.fit import FAST
from covsim.calibration.scoring import target_as_of
from covsim.calibration.shipped import shipped_path
from covsim.simulator.inputs import merger
from covsim.simulator.inputs import regions as registry

from ..cli.test_cli import assert_one_line_error, covsim

SETTINGS = dataclasses.replace(FAST, draws=40)


@pytest.fixture
def fits(monkeypatch):
    """The fits asked for, (region, until, known); each answered by the region's stored posterior
    stamped with the origin, so no minute of fitting is spent."""
    seen = []

    def fit(region, until=None, settings=None, *args, known=None, **kwargs):
        seen.append((region, until, known))
        with xr.open_dataset(shipped_path(region)) as post:
            post = post.load().isel(draw=slice(0, settings.draws))
        post.attrs.update(until=until, own_observations=1)
        return post
    monkeypatch.setattr(unit_as_of, "calibrate", fit)
    return seen


def test_each_former_province_with_a_fit_is_refitted_as_of_the_year_the_others_stay_on_priors(fits):
    post = unit_as_of.calibrated("can_tho_2025", 2021, SETTINGS)
    # only Cần Thơ has a fit of its own; Hậu Giang and Sóc Trăng sample their priors, as on the whole record
    assert fits == [("can_tho", 2021, None)]
    assert post.sizes["draw"] == 40 and list(post.region.values) == ["can_tho", "hau_giang", "soc_trang"]
    assert post.attrs["until"] == 2021 and post.attrs["region"] == "can_tho_2025"
    parts = json.loads(post.attrs["former_fits"])
    assert parts["can_tho"]["fit"] == "fitted as of 2021" and "converged" in parts["can_tho"]["convergence"]
    assert parts["hau_giang"] == parts["soc_trang"] == {"fit": "priors (no fit of its own)"}
    assert "can_tho's fit as of 2021" in post.attrs["source"]


def test_a_known_day_reaches_every_refit(fits):
    post = unit_as_of.calibrated("ho_chi_minh_city_2025", 2016, SETTINGS, known=date(2017, 3, 1))
    assert fits == [("ho_chi_minh_city", 2016, date(2017, 3, 1))]  # Bình Dương, Bà Rịa–Vũng Tàu: priors
    assert post.attrs["known_on"] == "2017-03-01"


def test_an_unconverged_part_is_the_units_verdict(monkeypatch):
    def fit(region, until=None, settings=None, *args, **kwargs):
        with xr.open_dataset(shipped_path(region)) as post:
            post = post.load().isel(draw=slice(0, settings.draws))
        if region == "ho_chi_minh_city":
            post.attrs.update(method="emcee", rhat_max=1.9, ess=40.0)
        return post
    monkeypatch.setattr(unit_as_of, "calibrate", fit)
    post = unit_as_of.calibrated("ho_chi_minh_city_2025", 2016, SETTINGS)
    from covsim.calibration.diagnostics import convergence

    said = convergence(post.attrs)
    assert said["converged"] is False and "R-hat 1.900" in said["failed"]
    assert post.attrs["unconverged_part"] == "ho_chi_minh_city"
    assert json.loads(post.attrs["former_fits"])["ho_chi_minh_city"]["convergence"]["converged"] is False


def test_before_the_reorganisation_was_decided_each_former_province_keeps_its_own_policy():
    policy = simulator.Policy.from_table()
    before = policy.known_on(date(2024, 1, 1))  # Resolution 202/2025 is of 12 June 2025
    assert merger.policy_as_run(before, "ho_chi_minh_city_2025") is before
    after = policy.known_on(date(2026, 1, 1))
    moved = merger.policy_as_run(after, "ho_chi_minh_city_2025").series
    changed = {k for k in moved if moved[k] != after.series.get(k)}  # the unit's (its seat's) from 1 July 2025
    assert ("local_top_up", "binh_duong", "pupil_student") in changed
    said = registry.boundaries("can_tho_2025", [2020, 2030], known=date(2024, 1, 1))
    assert said == [{"from": 2020, "to": 2030, "boundaries": "former provinces can_tho + hau_giang + soc_trang, "
                                                             "summed (the 2025 reorganisation not decided by then)"}]


def test_a_target_as_of_a_year_for_a_unit(fits):
    scenario = simulator.load_scenario("can_tho_2025")
    report = target_as_of(scenario, 2022, 0.95, 2026, 40, 0, SETTINGS)
    assert fits == [("can_tho", 2022, None)]
    assert report["as_of"] == 2022 and 0.0 <= report["probability"] <= 1.0
    assert report["provenance"]["fit"]["until"] == 2022
    # each part, as `forecast` and `brief` give it (an audit, 2026-12-07: target's record had only the names)
    assert report["former_provinces"]["can_tho"]["fit"] == "fitted as of 2022"
    assert report["former_provinces"]["soc_trang"] == {"fit": "priors (no fit of its own)"}


def test_forecast_of_a_unit_as_of_a_year():
    """The command, with a real (fast) fit: rows from the former provinces' first own figure, each
    part named; a year after the origin is a forecast."""
    result = covsim("forecast", "can_tho_2025", "--until", "2023", "--to", "2026", "--fast", "--draws", "60", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["region"] == "can_tho_2025" and out["until"] == 2023
    assert out["own_observations"] == 1  # Cần Thơ's 2023 figure; Hậu Giang and Sóc Trăng have none
    assert set(out["former_provinces"]) == {"can_tho", "hau_giang", "soc_trang"}
    assert out["former_provinces"]["can_tho"]["fit"] == "fitted as of 2023"
    rows = {r["year"]: r for r in out["forecasts"]}
    assert sorted(rows) == [2023, 2024, 2025, 2026] and all(0 <= r["lo95"] <= r["lo80"] <= r["hi80"] <= r["hi95"] <= 1 for r in rows.values())
    assert out["provenance"]["fit"]["until"] == 2023
    # the merger was not decided by the end of 2023: the territory is said to be the sum (as `target` says)
    assert out["boundaries"] == [{"from": 2023, "to": 2026, "boundaries": "former provinces can_tho + hau_giang + "
                                  "soc_trang, summed (the 2025 reorganisation not decided by then)"}]
    from ..cli.test_json_shapes import documented

    assert set(out) == documented("forecast", unit=True)  # docs/json.md's keys, `former_provinces` with them


def test_a_misspelt_unit_is_told_the_units_name():
    """An audit (2026-12-07): `forecast cantho_2025` suggested the province and left the units out of
    what is allowed, which forecast's help says it takes."""
    line = assert_one_line_error(covsim("forecast", "cantho_2025", "--until", "2023", "--to", "2026"),
                                 "REGION", "did you mean 'can_tho_2025'?")
    assert line.endswith("vinh_long_2025, can_tho_2025")


def test_a_unit_as_of_a_year_is_health_insurance_only():
    assert_one_line_error(covsim("forecast", "can_tho_2025", "--until", "2020", "--to", "2025", "--scheme", "bhxh"),
                          "--scheme: bhxh", "health insurance only", "allowed: bhyt")
