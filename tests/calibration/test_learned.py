"""What a fit learned: the posterior contraction of each fitted parameter, and the runs that say
which fitted numbers are still mostly their assumed priors."""
from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from covsim import simulator
from covsim.calibration import learned
from covsim.calibration.shipped import draws_for, shipped_path, shipped_regions


def _post(**draws) -> xr.Dataset:
    return xr.Dataset({f"theta_{k}": ("draw", v, {"prior": learned.prior_label(0.0, sd)})
                       for k, (v, sd) in draws.items()})


def test_contraction_is_one_minus_the_variance_ratio():
    z = np.random.default_rng(0).standard_normal(4000)
    z = (z - z.mean()) / z.std()
    post = _post(sharp=(0.5 * z, 1.0), vague=(2.0 * z, 2.0), fixed=(np.zeros(4000), 0.5))
    assert learned.contraction(post) == {"sharp": 0.75, "vague": 0.0}
    rec = learned.record(post)
    assert rec["mostly_prior"] == ["vague"] and rec["held"] == ["fixed"]
    assert rec["mostly_prior_below"] == learned.MOSTLY_PRIOR


@pytest.mark.parametrize("region", shipped_regions())
def test_shipped_posteriors_carry_their_record(region):
    # the stamp is what the draws say: recomputed from the file, it is the same
    for path in (shipped_path(region), shipped_path(region).with_name(f"labour_{region}.nc")):
        with xr.open_dataset(path) as post:
            assert json.loads(post.attrs["learned"]) == learned.record(post), path.name


def test_a_province_without_figures_of_its_own_says_its_level_is_assumed():
    # Lai Chau has no year-end coverage figure of its own: its offset from the national level is
    # its prior, and a run on it lists that beside the assumed numbers
    run = simulator.run(simulator.load_scenario("lai_chau_plan_2016"), params=draws_for("lai_chau", 20, 0), seed=0)
    from covsim.simulator.schemes.provenance import record

    rec = record(run.attrs)["learned"]
    assert "region_offset" in rec["mostly_prior"] and rec["contraction"]["region_offset"] < 0.2
    # the national series does teach the voluntary groups' join level
    assert "join_voluntary" not in rec["mostly_prior"]


def test_a_labour_run_reports_the_labour_fit_not_the_health_one():
    from covsim.simulator.schemes.provenance import record

    run = simulator.run(simulator.load_scenario("vinh_long_labour_2018"), params=draws_for("vinh_long", 20, 0), seed=0)
    rec = record(run.attrs)["learned"]
    assert "compliance_logit" in rec["contraction"] and "join_state" not in rec["contraction"]
    with xr.open_dataset(shipped_path("vinh_long").with_name("labour_vinh_long.nc")) as post:
        fitted = json.loads(post.attrs["learned"])
    # the labour fit's record, less the BHTN scope a BHXH run never reads
    assert "bhtn_shift" in fitted["contraction"] and "bhtn_shift" not in rec["contraction"]
    assert rec["contraction"] == {k: v for k, v in fitted["contraction"].items() if k != "bhtn_shift"}
    assert rec["mostly_prior"] == [k for k in fitted["mostly_prior"] if k != "bhtn_shift"]


def test_an_early_fit_holds_the_drive_of_a_law_not_yet_passed():
    # as of 2013 Law 46/2014 was not passed: its drive is held, not counted as learned
    from covsim.calibration.fit import FAST, calibrate

    post = calibrate("vietnam", 2013, FAST)
    rec = json.loads(post.attrs["learned"])
    assert rec["held"] == ["outreach_2015"] and "outreach_2015" not in rec["contraction"]
    assert "roadmap" in rec["mostly_prior"]  # four national figures cannot tell the roadmap's strength


def test_a_2025_unit_lists_each_former_province_s_own_level():
    # HCMC's 2025 unit sums three former provinces; two have no posterior, so their levels are
    # their priors, and the unit's verdict leans on them: the run says so, province by province
    from covsim.simulator.schemes.provenance import record

    params = draws_for("ho_chi_minh_city_2025", 10, 0)
    rec = json.loads(params.attrs["learned"])
    with xr.open_dataset(shipped_path("ho_chi_minh_city")) as post:
        own = json.loads(post.attrs["learned"])["contraction"]
    assert rec["contraction"]["region_offset.binh_duong"] == 0.0
    assert rec["contraction"]["region_offset.ho_chi_minh_city"] == own["region_offset"]
    assert "region_offset" not in rec["contraction"]
    assert {"region_offset.binh_duong", "region_offset.ba_ria_vung_tau"} <= set(rec["mostly_prior"])
    run = simulator.run(simulator.load_scenario("ho_chi_minh_city_2025"), params=params, seed=0)
    assert record(run.attrs)["learned"] == rec


def test_parameter_names_in_words():
    from covsim.dashboard import i18n

    assert i18n.parameter_name("region_offset.binh_duong", "vi") == "mức tham gia riêng của tỉnh (Bình Dương)"
    assert i18n.parameter_name("roadmap", "en") == "strength of Law 25/2008's roadmap"
    assert i18n.parameter_name("not_a_parameter", "en") == "not_a_parameter"


def test_leans_on_splits_the_draws_at_each_unmeasured_parameter_s_median():
    x = np.arange(10.0)
    post = _post(vague=(x - x.mean(), 3.0), sharp=(1e-3 * x, 1.0))
    learned.stamp(post)
    rows = learned.leans_on(post, reached=x >= 5)  # reached exactly where `vague` is high
    assert [r["parameter"] for r in rows] == ["vague"]  # `sharp` was learned: not listed
    assert rows[0]["probability_low_half"] == 0.0 and rows[0]["probability_high_half"] == 1.0


def test_target_says_how_its_probability_moves_with_each_unmeasured_parameter():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "covsim.cli.main", "target", "vietnam", "--target", "0.95",
                          "--year", "2025", "--draws", "100", "--json"], capture_output=True, text=True, check=True)
    report = json.loads(out.stdout)
    names = [r["parameter"] for r in report["leans_on"]]
    assert names == report["provenance"]["learned"]["mostly_prior"]
    p = report["probability"]
    for r in report["leans_on"]:  # the two halves average to the whole
        assert (r["probability_low_half"] + r["probability_high_half"]) / 2 == pytest.approx(p, abs=1e-9)


def test_a_labour_target_leans_on_the_labour_fit_s_parameters():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "covsim.cli.main", "target", "vinh_long", "--scenario",
                          "vinh_long_labour_2018", "--scheme", "bhxh", "--target", "0.5", "--year", "2025",
                          "--draws", "100", "--json"], capture_output=True, text=True, check=True)
    report = json.loads(out.stdout)
    names = [r["parameter"] for r in report["leans_on"]]
    with xr.open_dataset(shipped_path("vinh_long").with_name("labour_vinh_long.nc")) as post:
        labour = json.loads(post.attrs["learned"])["mostly_prior"]
    # read at Vinh Long's offset, not skipped; the BHTN scope, which BHXH never reads, left out
    assert names == [n for n in labour if n != "bhtn_shift"] and "region_compliance" in names


def test_a_labour_run_on_its_layers_priors_says_so_once(capsys):
    """A region added with `covsim region add` has a health fit and none of the labour layer: its
    BHXH runs took the labour priors without a word (the note fired only without a health fit)."""
    from covsim.calibration import shipped

    fitted = draws_for("can_tho", 5, 0, scheme_id="bhtn")  # a shipped labour fit: nothing to say
    assert capsys.readouterr().err == ""
    from covsim.simulator.schemes import scheme

    health_only = fitted.drop_vars([v for v in scheme("bhxh").reads if v in fitted])
    shipped.tell_layer_priors(health_only, "added_region", "bhxh")
    shipped.tell_layer_priors(health_only, "added_region", "bhxh")
    shipped.tell_layer_priors(health_only, "added_region", "bhyt")  # the health layer is fitted
    err = capsys.readouterr().err.splitlines()
    assert err == ["covsim: note: region 'added_region' has no calibrated bhxh posterior; its bhxh runs sample "
                   "that layer's priors, not fitted to any observation"]
