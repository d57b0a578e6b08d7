"""The page's number boxes: the Vietnamese decimal comma read as a decimal, each error worded in the
session's language beside its box without file paths, the lever-start warning, stale results greyed."""
from __future__ import annotations

import re

import pytest

from covsim.dashboard import callbacks, fields

DRAWS = 20
LAI_CHAU = {"id": 7, "scenario": "lai_chau_plan_2016", "scheme": "bhyt", "start": "2017", "target": "96,8",
            "year": "2020", "compare": None, "levers": {"state_share.near_poor": "70", "state_share.pupil_student": "30"}}
BOXES = ["state_share.near_poor", "start", "target", "year", "compare"]


@pytest.mark.parametrize("typed, value", [
    ("96,8", 96.8), ("96.8", 96.8), (" 96,8 ", 96.8), ("1.490.000", 1490000), ("1,490,000", 1490000),
    ("2.340.000,5", 2340000.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1.234", 1.234), ("-0,5", -0.5), ("\u22120,5", -0.5), ("70", 70), (70, 70), ("", None), (None, None),
])
def test_a_box_reads_the_vietnamese_decimal_comma(typed, value):
    assert fields.number(typed) == value


@pytest.mark.parametrize("typed", ["96,8,1", "7o", "1.2.3", "--1", "96%", "1.23,5", "1.234.5"])
def test_a_box_refuses_what_is_not_a_number(typed):
    with pytest.raises(ValueError):
        fields.number(typed)


def test_shown_reads_back_the_same():
    for value in (96.8, 70.0, 1490000.0, -0.5, 33.3333):
        for lang in ("vi", "en"):
            assert fields.number(fields.shown(value, lang)) == pytest.approx(value, abs=1e-4)
    assert fields.shown(96.8, "vi") == "96,8" and fields.shown(96.8, "en") == "96.8"


def test_typed_comma_target_is_96_8_percent_not_968():
    s = callbacks.compute_request(LAI_CHAU, DRAWS, 0, details=False)
    assert "error" not in s and s["report"]["target"] == pytest.approx(0.968)


@pytest.mark.parametrize("change, field, vi, en", [
    ({"target": "120"}, "target", "Phải lớn hơn 0 và không quá 100 (%).", "Must be above 0 and at most 100 (%)."),
    ({"levers": {"state_share.near_poor": "150"}}, "state_share.near_poor", "Phải từ 0 đến 100 (%).",
     "Must be from 0 to 100 (%)."),
    ({"year": "2099"}, "year", "Phải là một năm từ 2009 đến 2030.", "Must be a year from 2009 to 2030."),
    ({"start": ""}, "start", "Chưa nhập: hãy nhập một số.", "Empty: type a number."),
    ({"levers": {"state_share.near_poor": "7o"}}, "state_share.near_poor", "«7o» không phải là một số.",
     "'7o' is not a number."),
    ({"compare": "vietnam"}, "compare", "Kịch bản này thuộc tỉnh/thành phố khác.", "That scenario is of another region."),
])
def test_error_beside_its_box_in_the_session_language_without_paths(change, field, vi, en):
    s = callbacks.compute_request(dict(LAI_CHAU, **change), DRAWS, 0, details=False)
    assert s["kind"] == "input" and s["field"] == field
    for lang, text in (("vi", vi), ("en", en)):
        found, style, note = fields.beside(s, lang, BOXES)
        assert found[BOXES.index(field)] == ("error", text)
        assert sum(f is not None for f in found) == 1
        assert style == fields.STALE_STYLE and note == fields.say("stale", lang)  # the old result greyed
        banner = callbacks.render(s, lang)["error"]
        assert text in banner and fields.label(field, lang) in banner
        assert not re.search(r"/[\w.+-]+/", banner) and ".toml" not in banner and "dashboard:" not in banner


def test_a_lever_start_after_the_target_year_is_a_warning_not_an_error():
    s = callbacks.compute_request(dict(LAI_CHAU, start="2022"), DRAWS, 0, details=False)
    assert "error" not in s
    found, style, note = fields.beside(s, "vi", BOXES)
    assert found[BOXES.index("start")] == ("warning", "Năm áp dụng (2022) sau năm mục tiêu (2020): chính sách thay "
                                                       "đổi không ảnh hưởng đến kết quả năm mục tiêu.")
    assert style == {} and note == ""
    ok = callbacks.compute_request(LAI_CHAU, DRAWS, 0, details=False)
    assert fields.beside(ok, "vi", BOXES) == ([None] * len(BOXES), {}, "")


def test_money_boxes_read_thousands_separators_of_either_language():
    """The base salary box shows 1.800.000 (vi) or 1,800,000 (en); a smaller amount written the same
    way (830.000 đồng, the 2012 base salary) is 830000, not 830."""
    from covsim.dashboard import callbacks

    assert callbacks.from_ui("base_salary", "830.000") == 830000
    assert callbacks.from_ui("base_salary", "1.800.000") == callbacks.from_ui("base_salary", "1,800,000") == 1800000
    assert callbacks.from_ui("drive", "1,5") == 1.5  # a strength keeps its decimal comma


def test_a_year_of_four_hundred_nines_is_not_a_number_and_no_crash():
    """float('9' * 400) is inf: the box says so, it is not a computation that failed."""
    s = callbacks.compute_request(dict(LAI_CHAU, year="9" * 400), DRAWS, 0, details=False)
    assert s["kind"] == "input" and s["field"] == "year" and s["code"] == "not_number"
    assert fields.message(s, "vi").startswith("«999999999999…»")


def test_a_range_reads_the_same_beside_the_box_after_the_json_round_trip():
    """The page's store turns 1e9 into the int 1000000000: both print with the language's separators."""
    for hi in (1e9, 1_000_000_000):
        err = {"code": "range", "params": {"lo": 1, "hi": hi, "unit": "vnd_unit"}}
        assert "1.000.000.000" in fields.message(err, "vi") and "1,000,000,000" in fields.message(err, "en")


def test_a_target_typed_as_a_share_gets_a_warning():
    s = callbacks.compute_request(dict(LAI_CHAU, target="0,9"), DRAWS, 0, details=False)
    assert "error" not in s and s["report"]["target"] == pytest.approx(0.009)
    found, _, _ = fields.beside(s, "en", ["target"])
    assert found[0][0] == "warning" and "type 90 for 90%" in found[0][1]
    ok = callbacks.compute_request(LAI_CHAU, DRAWS, 0, details=False)
    assert fields.beside(ok, "en", ["target"])[0] == [None]


def test_a_2025_units_labour_layer_names_its_former_provinces():
    req = dict(LAI_CHAU, scenario="ho_chi_minh_city_2025", scheme="bhxh", levers={}, start="2026", year="2030",
               target="60")
    s = callbacks.compute_request(req, DRAWS, 0, details=False)
    assert s["field"] == "scheme" and s["code"] == "unit_scheme"
    vi = fields.message(s, "vi")
    assert "Bình Dương" in vi and "Bà Rịa - Vũng Tàu" in vi and "không hợp lệ" not in vi


def test_a_labour_scenario_brings_its_own_scheme():
    """Picking the Vĩnh Long labour directive switches the page to BHXH (pick_scenario reads this)."""
    from covsim.dashboard import compute

    assert compute.scenario("vinh_long_labour_2018").scheme == "bhxh"
    assert compute.scenario("vinh_long_labour_2018", "bhyt").scheme == "bhyt"


def test_a_baselines_description_cites_the_laws_of_the_scheme_on_view():
    """The policy in force viewed under BHXH cites the labour laws, not the Health Insurance Law."""
    from covsim.dashboard.i18n import scenario_description

    health = scenario_description("vinh_long", "vi", "bhyt")
    labour = scenario_description("vinh_long", "vi", "bhxh")
    assert "41/2024/QH15" in labour and "41/2024/QH15" not in health
    assert scenario_description("vinh_long", "vi") == health  # its own scheme, BHYT


def _beside_levers(levers: dict, start: str, year: str, lang: str, names: list[str]) -> list:
    """What the boxes `names` say after Vinh Long's answer with `levers` typed from `start`."""
    req = {"id": 1, "scenario": "vinh_long", "scheme": "bhyt", "start": start, "target": "90", "year": year,
           "levers": levers}
    return fields.beside(callbacks.compute_request(req, DRAWS, 0, details=False), lang, names)[0]


def test_a_lever_set_over_a_later_decided_change_is_warned_beside_its_box():
    """Pupils at 40% from 2024 replaces Decree 188/2025's 50% from 15 Aug 2025: the box says so."""
    names = ["state_share.pupil_student", "state_share.near_poor"]
    vi = _beside_levers({"state_share.pupil_student": "40"}, "2024", "2030", "vi", names)
    assert vi[0][0] == "warning" and "50%" in vi[0][1] and "15/08/2025" in vi[0][1] and "Nghị định 188/2025/NĐ-CP" in vi[0][1]
    assert vi[1] is None
    assert _beside_levers({"state_share.pupil_student": "60"}, "2026", "2030", "vi", names) == [None, None]


def test_a_top_up_beyond_what_the_state_can_pay_is_warned_beside_its_box():
    """Farm households' top-up typed as 90% over the national 30%: the box says 70% of it counts."""
    names = ["local_top_up.farm_household", "state_share.near_poor"]
    en = _beside_levers({"local_top_up.farm_household": "90"}, "2018", "2020", "en", names)
    assert en == [("warning", "Counts as 70% from 2018: with the national share (30%) the state pays at most the "
                              "whole premium."), None]
    vi = _beside_levers({"local_top_up.farm_household": "90"}, "2018", "2020", "vi", names)
    assert vi[0][1].startswith("Chỉ tính 70% từ năm 2018")
    assert _beside_levers({"local_top_up.farm_household": "50"}, "2018", "2020", "en", names) == [None, None]


def test_a_state_share_under_the_national_one_is_warned_beside_its_box():
    en = _beside_levers({"state_share.near_poor": "50"}, "2018", "2020", "en", ["state_share.near_poor"])
    assert en == [("warning", "Below the national share (70%) from 2018: the run lowers the national part too, a test "
                              "of national policy (a province cannot pay less than the national share).")]


def test_a_2025_units_own_lever_before_the_merger_is_said_beside_the_start_box():
    """Set from 2020, the unit's near-poor share would act only from 2025: the start box says so."""
    req = dict(LAI_CHAU, scenario="ho_chi_minh_city_2025", levers={"state_share.near_poor": 100}, start="2020",
               year="2030", target="95", compare=None)
    s = callbacks.compute_request(req, DRAWS, 0, details=False)
    assert s["field"] == "start" and s["code"] == "unit_start"
    assert "từ năm 2025" in fields.message(s, "vi") and "2025 or later" in fields.message(s, "en")
    ok = callbacks.compute_request(dict(req, start="2026"), DRAWS, 0, details=False)
    assert "error" not in ok


def test_an_error_of_a_choice_not_a_box_asks_to_change_that_choice():
    """A merged province's BHXH is refused with the scheme as its field, a radio and no box: the note
    over the greyed results asked to "correct the box marked in red", which nothing was."""
    req = {"id": 9, "scenario": "ho_chi_minh_city_2025", "scheme": "bhxh", "start": "2026", "target": "95",
           "year": "2030", "compare": None, "levers": {}}
    s = callbacks.compute_request(req, DRAWS, 0, details=False)
    assert s["kind"] == "input" and s["field"] == "scheme" and "scheme" not in BOXES
    for lang in ("vi", "en"):
        found, style, note = fields.beside(s, lang, BOXES)
        assert found == [None] * len(BOXES) and style == fields.STALE_STYLE
        assert note == fields.say("stale_choice", lang) != fields.say("stale", lang)
    assert "đỏ" not in fields.say("stale_choice", "vi") and "red" not in fields.say("stale_choice", "en")


def test_results_of_an_older_request_are_greyed_while_the_new_one_runs_or_was_stopped():
    """A slow request (an as-of year, say) goes to the background job; until its answer comes, or for
    good after Stop, the page showed the older answer ungreyed beside boxes already refilled for the
    new question: an official read today's 54% as the chance "as of 2012"."""
    old = callbacks.compute_request(LAI_CHAU, DRAWS, 0, details=False)
    assert fields.pending(old, dict(LAI_CHAU, id=8)) and not fields.pending(old, LAI_CHAU)
    assert not fields.pending(None, LAI_CHAU) and not fields.pending(old, None)
    for lang in ("vi", "en"):
        found, style, note = fields.beside(old, lang, BOXES, pending=fields.pending(old, dict(LAI_CHAU, id=8)))
        assert found == [None] * len(BOXES) and style == fields.STALE_STYLE and note == fields.say("pending", lang)
    assert "Dừng" in fields.say("pending", "vi") and "stopped" in fields.say("pending", "en")
    # the answer to the request on screen: nothing greyed
    assert fields.beside(old, "vi", BOXES, pending=fields.pending(old, LAI_CHAU)) == ([None] * len(BOXES), {}, "")
