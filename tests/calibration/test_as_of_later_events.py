"""Later events an as-of verdict must not know, found by an audit of 2026-12-05: the drive lever's
unit sized on later national targets, a plan decided later tested (and named) as if it existed, the
2025 merger named, the voucher trial known before its working paper, the 2018 resolutions in a
labour forecast as of 2013, a later figure listed as read, later sources cited as plain observations."""
from __future__ import annotations

import json
from datetime import date

import pytest

from covsim.simulator.inputs import drives
from covsim.simulator.inputs.decisions import target_decided

from ..cli.test_cli import assert_one_line_error, covsim


def test_the_drive_unit_as_of_a_day_is_the_pull_of_the_targets_decided_by_then():
    """1 = the national targets' pull over 2015-2020: as of 2013 Decision 538's (Decision 1167, of
    2016, raised it); as of 2011 no target for those years existed, so a drive has no unit."""
    whole, then = drives.drive_unit(), drives.drive_unit(date(2013, 12, 31))
    years = list(range(2008, drives.UNIT_TO + 1))
    gaps = drives.target_gaps([drives.NATIONAL], years, date(2013, 12, 31))[0]
    assert then == pytest.approx(gaps[years.index(2020)] - gaps[years.index(2015)]) and 0 < then < whole
    assert drives.drive_unit(date(2011, 12, 31)) == 0.0


def test_an_as_of_run_reads_the_drive_unit_of_its_day(monkeypatch):
    from covsim import simulator
    from covsim.simulator.schemes.parameters import sample_prior

    asked = []
    real = drives.drive_unit
    monkeypatch.setattr(drives, "drive_unit", lambda day=None: asked.append(day) or real(day))
    sc = simulator.load_scenario("vietnam").with_reform({"drive": {2014: 1.0}})
    known = simulator.Policy.from_table().known_on(date(2013, 12, 31))
    simulator.run(sc, params=sample_prior(4, 0, ["vietnam"]), seed=0, policy=known)
    assert asked and set(asked) == {date(2013, 12, 31)}


def test_a_drive_as_of_a_year_before_any_target_for_its_years_is_refused(tmp_path):
    out = tmp_path / "b.html"
    result = covsim("brief", "vietnam", "--target", "0.8", "--year", "2015", "--until", "2011", "--lever", "drive=1",
                    "--out", str(out))
    assert_one_line_error(result, "drive", "2011-12-31", "allowed: drive=0")
    assert not out.exists()


def test_a_plan_decided_after_the_day_is_refused_as_of_it(tmp_path):
    """Lai Chau's plan (9 Dec 2016) as of 2015 could not have been tested; a comparison with
    it neither; from 2016 (or --known its day) it can."""
    assert target_decided("Lai Chau PPC decision of 9 Dec 2016 (seed 003)") == date(2016, 12, 9)
    line = assert_one_line_error(covsim("target", "lai_chau", "--scenario", "lai_chau_plan_2016", "--target", "0.968",
                                        "--year", "2020", "--until", "2015"),
                                 "--until", "2016-12-09", "allowed: --until 2016 or later")
    assert "--known 2016-12-09" in line
    out = tmp_path / "b.html"
    assert_one_line_error(covsim("brief", "lai_chau", "--target", "0.968", "--year", "2020", "--until", "2015",
                                 "--compare", "lai_chau_plan_2016", "--out", str(out)), "--compare", "2016-12-09")
    assert not out.exists()
    from covsim.dashboard import compute

    assert compute.as_of_years("lai_chau_plan_2016", "bhyt")[0] == 2016
    assert compute.as_of_years("lai_chau", "bhyt")[0] < 2016


def test_an_undated_plan_is_known_from_the_latest_day_it_can_have_been_issued():
    """Đồng Nai's plan gives no day of its own: issued after Plan 162-KH/TU (31 Dec 2013) and by
    September 2014. It was dated by Resolution 21-NQ/TW (22 Nov 2012), the one dated document its
    source named, and accepted as of 2012 (an audit of 2026-12-07); it counts from 30 Sep 2014."""
    from covsim import simulator
    from covsim.dashboard import compute
    from covsim.simulator.analysis import planning
    from covsim.simulator.errors import InputError

    for name in ("dong_nai_plan_2013", "dong_nai_labour_2013"):
        assert planning.plan_decided(simulator.load_scenario(name)) == date(2014, 9, 30), name
    plan = simulator.load_scenario("dong_nai_plan_2013")
    for day in (date(2012, 12, 31), date(2013, 12, 31), date(2014, 6, 30)):
        with pytest.raises(InputError, match="decided on 2014-09-30"):
            planning.check_plan_known(plan, day)
    planning.check_plan_known(plan, date(2014, 9, 30))
    assert compute.as_of_years("dong_nai_plan_2013", "bhyt")[0] == 2014  # the page offers it from then
    # its own targets too: a group's target is not one as of mid-2014, and is from its day
    section = "Dong Nai PPC plan implementing Plan 162-KH/TU of 2013-12-31 (seed 001), section III.2.a"
    assert target_decided(section) == date(2014, 9, 30)
    assert target_decided("Plan 162-KH/TU of the Dong Nai Party Committee") == date(2013, 12, 31)


def test_as_of_before_the_merger_was_decided_it_is_not_named():
    """HCMC as of 2013 for 2026: one span of its own boundaries, no note of the 2025 unit."""
    result = covsim("target", "ho_chi_minh_city", "--target", "0.8", "--year", "2026", "--until", "2013", "--json",
                    "--draws", "40")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["boundaries"] == [{"from": 2008, "to": 2030, "boundaries": "ho_chi_minh_city (its own boundaries)"}]
    assert "2025" not in result.stderr and "ho_chi_minh_city_2025" not in result.stdout
    from covsim.simulator.inputs.regions import boundaries, former_note

    assert len(boundaries("ho_chi_minh_city", list(range(2008, 2031)))) == 2  # on the whole record, both
    assert former_note("ho_chi_minh_city", 2026) and former_note("ho_chi_minh_city", 2026, date(2013, 12, 31)) is None


def test_the_voucher_trial_is_known_from_its_working_paper_not_from_new_year_2014():
    from covsim.calibration.health_fit import LogPosterior

    assert not LogPosterior("vietnam", 2013, known=date(2014, 3, 1)).trial
    assert LogPosterior("vietnam", 2013, known=date(2014, 6, 30)).trial and LogPosterior("vietnam", 2014).trial


def test_a_labour_forecast_as_of_2013_does_not_name_the_2018_resolutions():
    result = covsim("forecast", "vietnam", "--scheme", "bhxh", "--until", "2013", "--to", "2016", "--fast",
                    "--draws", "30", "--json")
    assert result.returncode == 0, result.stderr
    held = json.loads(result.stdout)["provenance"]["fixed"]
    assert held and not [f for f in held if "2018 resolutions" in f]
    from covsim.simulator.schemes import labour

    assert labour.DRIVE_RAMP.key_on(date(2018, 5, 23)) == "voluntary_drive_ramp"
    assert labour.DRIVE_RAMP.key_on(date(2018, 5, 22)) is None


def test_a_later_growth_rate_is_not_listed_as_read_as_of_2013():
    """Dong Nai's ~2.0% a year from 2019 (unverified): an as-of run reads the nation's rate instead
    (demography.growth_rate takes no stand-in), so it must not be listed as read."""
    from covsim import simulator
    from covsim.simulator.schemes import unverified

    sc = simulator.load_scenario("dong_nai")
    listed = unverified.rows_for(sc, date(2013, 12, 31))
    assert not [r for r in listed if r["table"] == "demography.csv" and r["what"] == "growth_rate"], listed
    assert [r for r in unverified.rows_for(sc, None) if r["table"] == "demography.csv" and r["what"] == "growth_rate"]


@pytest.mark.parametrize("lang, later", [("en", "observed after the assessment's date"),
                                         ("vi", "quan sát sau thời điểm đánh giá")])
def test_an_as_of_briefing_cites_later_sources_as_what_followed(lang, later):
    from covsim.dashboard import brief_content

    s = {"observed": [{"year": 2012, "value": 0.66, "source": "VSS 2012", "group": "all"},
                      {"year": 2020, "value": 0.9085, "source": "VSS 2020", "group": "all", "later": True}],
         "targets": [], "as_of": {"until": 2013}}
    lines = brief_content.cited(s, lang)
    assert any("VSS 2020" in line and later in line for line in lines)
    assert not any("VSS 2012" in line and later in line for line in lines)


def test_a_value_applied_from_an_earlier_day_is_known_from_its_signing():
    """Decision 797/QĐ-TTg, signed 26 June 2012, gave the near-poor 70% from 1 January 2012: a run as
    of 1 May 2012 used it. A value is now known from the signing of the documents that set it;
    one a later document only restated (Decree 105/2014 for the farm households' 2012 share) is
    still known from the day it took effect."""
    from datetime import date

    from covsim.simulator.inputs import decisions
    from covsim.simulator.inputs.policy import Policy

    assert decisions.policy_decided("Decision 797/QD-TTg", date(2012, 1, 1)) == date(2012, 6, 26)
    assert decisions.policy_decided("Decree 105/2014/ND-CP", date(2012, 1, 1)) == date(2012, 1, 1)
    assert decisions.policy_decided("Decree 47/2016/ND-CP", date(2016, 5, 1)) == date(2016, 5, 26)
    before, after = (Policy.from_table().known_on(d) for d in (date(2012, 5, 1), date(2012, 7, 1)))
    assert before.annual("state_share", 2013, "vietnam", "near_poor") < 0.7
    assert after.annual("state_share", 2013, "vietnam", "near_poor") == pytest.approx(0.7)
