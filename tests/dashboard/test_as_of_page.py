"""The page as of a past year (`covsim brief --until` on screen): fitted on the figures observed by
its end, under the policy, laws and targets decided by then; the figures observed later drawn apart;
the boxes filled with the policy known then; bad choices said beside their box."""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from covsim.dashboard import briefing, callbacks, compute, views

from ..calibration.test_unit_as_of import fits  # noqa: F401 - a 2025 unit's parts, stamped, not fitted
from .test_brief import unit_fits  # noqa: F401 - those, and the page's kept fits cleared after

DRAWS, SEED = 40, 0


def _request(name: str, until, year: int = 2020, target: float = 80, **over):
    now, start, _, _ = callbacks.page_defaults(name, "bhyt", until)
    req = callbacks.request_of(name, "bhyt", now, start, target, year, None, until)
    return {**req, **over}


@pytest.fixture(scope="module")
def as_of_2013():
    s = callbacks.compute_request(_request("vietnam", 2013), DRAWS, SEED)
    assert "error" not in s, s.get("error")
    return s


def test_the_page_as_of_2013_is_brief_until_on_screen(as_of_2013):
    s = as_of_2013
    assert s["as_of"]["until"] == 2013 and s["as_of"]["known_on"] == "2013-12-31" and s["start"] == 2014
    assert s["changed"] == {}  # the boxes hold the policy known then: nothing reads as a change
    res, _ = compute.as_of_result("vietnam", "bhyt", {}, 2014, 0.8, 2020, 2013, draws=DRAWS, seed=SEED, kept=True)
    assert s["report"]["probability"] == res["report"]["probability"]  # the same fit, the same answer
    fan = callbacks.render(s, "en")["fan"]["data"]
    known = next(d for d in fan if d.get("name") == "Observed")
    later = next(d for d in fan if d.get("name", "").startswith("Observed later"))
    assert max(known["x"]) <= 2013 < min(later["x"]) and later["marker"]["symbol"] == "circle-open"
    assert 2020 in later["x"]  # what followed: 90.85% in 2020
    planned = {(r["year"], r["value"]) for r in s["targets"] if r["group"] == "all"}
    assert (2020, 0.8) in planned and not {(2017, 0.822), (2020, 0.907)} & planned  # Decision 1167 (2016) left off
    page = str(callbacks.render(s, "vi")["probability"])
    assert "cuối năm 2013" in page and "31/12/2013" in page and "vòng tròn rỗng" in page
    held = str(callbacks.render(s, "en")["assumptions"])
    assert "employers' compliance held at" in held and "46/2014" not in held and "51/2024" not in held
    # the later figures the fit read, none of their series known by 2013: said beside what it holds fixed
    assert "standing in where none of their series was known then" in held
    assert "households by number of persons 2019" in held and "demographic" in held.lower()
    assert "hollow" in views.legend_note(s, "en") or "○" in views.legend_note(s, "en")


def test_today_s_boxes_would_read_as_changes_as_of_2013():
    """Why the boxes are refilled for an as-of year: the base salary in force in 2014 under today's
    table and under the policy decided by 2013 differ from the values the page shows today."""
    today, start, _, _ = callbacks.page_defaults("vietnam", "bhyt")
    then, first, _, _ = callbacks.page_defaults("vietnam", "bhyt", 2013)
    assert first == 2014 and start > 2014
    day = compute.knowledge_day(2013)
    levers = {p: callbacks.from_ui(p, v) for p, v in today.items() if v is not None}
    assert compute.changed_levers("vietnam", "bhyt", levers, first, day)  # today's values: changes as of 2013
    levers = {p: callbacks.from_ui(p, v) for p, v in then.items() if v is not None}
    assert compute.changed_levers("vietnam", "bhyt", levers, first, day) == ()


@pytest.mark.parametrize("name, over, field, code", [
    ("vietnam", {"until": 2030}, "until", "as_of_range"),
    ("vietnam", {"until": "2013,5"}, "until", "whole_year"),
    ("vietnam", {"year": 2013}, "year", "after_as_of"),
    ("vietnam", {"start": 2013}, "start", "after_as_of"),
])
def test_what_cannot_be_as_of_is_said_beside_its_box(name, over, field, code):
    req = _request(name, None)
    req = {**req, "until": 2013, **over}
    s = callbacks.compute_request(req, DRAWS, SEED)
    assert s.get("field") == field and s.get("code") == code, s
    for lang in ("vi", "en"):
        error = callbacks.render(s, lang)["error"]
        assert error and "{" not in error and "--" not in error
    if code == "as_of_range":
        assert "2009" in callbacks.render(s, "en")["error"] and "2025" in callbacks.render(s, "en")["error"]


def test_a_labour_scheme_offers_no_year_and_lets_one_go_a_2025_unit_offers_the_nations():
    options, kept, disabled, _, _ = callbacks.as_of_choice("vietnam", "bhyt", "en", None)
    years = [o["value"] for o in options]
    assert years[0] == 2025 and 2013 in years and not disabled
    assert callbacks.as_of_choice("vietnam", "bhyt", "en", 2013)[1] is callbacks.no_update  # kept
    # a 2025 unit: its former provinces' fits as of the year (until 2026-12-07 none was offered)
    assert [o["value"] for o in callbacks.as_of_choice("vinh_long_2025", "bhyt", "en", None)[0]] == years
    for name, scheme in (("vietnam", "bhxh"), ("vinh_long_2025", "bhxh")):
        options, kept, disabled, placeholder, _ = callbacks.as_of_choice(name, scheme, "en", 2013)
        assert options == [] and kept is None and disabled and placeholder.startswith("Not available")
    # a plan decided later than the year picked lets it go, and the box says so (an audit of 2026-12-07:
    # today's forecast came back silently, to be read as the one of the year picked before)
    options, kept, disabled, placeholder, _ = callbacks.as_of_choice("vinh_long_directive_2018", "bhyt", "en", 2017)
    assert kept is None and not disabled and 2017 not in [o["value"] for o in options]
    assert placeholder == "2017 is not offered for this scenario: today's forecast is shown"
    assert callbacks.as_of_choice("vinh_long_directive_2018", "bhyt", "vi", 2017)[3].startswith("2017: không có")
    assert callbacks.as_of_choice("vinh_long_directive_2018", "bhyt", "en", None)[3].startswith("Today")
    assert not compute.ready(_request("vietnam", 2013), DRAWS, SEED)  # a fit: the background job


def test_the_exports_as_of_a_year_keep_what_followed_apart(as_of_2013):
    s = as_of_2013
    df = pd.read_csv(io.BytesIO(briefing.to_csv(s)), encoding="utf-8-sig")
    assert set(df.as_of_until) == {2013} and set(df.known_on) == {"2013-12-31"}
    assert df[df.year > 2013].observed.isna().all() and df[df.year == 2020].observed_later.notna().all()
    sheets = pd.read_excel(io.BytesIO(briefing.to_excel(s, "en")), sheet_name=None, header=None)
    cells = {str(v) for sheet in sheets.values() for v in sheet.values.ravel()}
    assert any(c.startswith("Observed later") for c in cells)
    assert any("This assessment is made as of the end of 2013" in c for c in cells)
    assert not any("46/2014" in c for c in cells)
    assert any("households by number of persons 2019" in c for c in cells)  # the later figures standing in
    page = briefing.briefing_html(s, "en")
    assert "This assessment is made as of the end of 2013" in page
    assert "households by number of persons 2019" in page
    assert json.loads(json.dumps(s))["as_of"]["until"] == 2013  # the store holds it as JSON


def test_a_district_plan_decided_later_is_not_shown_as_of_before_it():
    """Lai Chau's district targets (decision of 9 Dec 2016): not as of 2015, shown as of 2016."""
    before = callbacks.compute_request(_request("lai_chau", 2015, year=2020, target=96.8), DRAWS, SEED)
    assert "error" not in before, before.get("error")
    assert before["districts"] == {"available": False, "later": True}
    assert "decided after" in str(callbacks.render(before, "en")["districts"])
    after = callbacks.compute_request(_request("lai_chau", 2016, year=2020, target=96.8), DRAWS, SEED)
    assert after["districts"]["available"]


def test_the_as_of_fit_is_kept_where_the_next_background_job_finds_it(tmp_path, monkeypatch):
    """A background job is a fork of the server: a fit kept only in its memory is lost with it, and
    the next lever move would fit again. It goes to the shared cache, and is read back from there."""
    import diskcache

    from covsim.calibration import unit_as_of
    from covsim.dashboard import cache

    monkeypatch.setattr(cache, "_SHARED", None)
    cache.share_cache(diskcache.Cache(str(tmp_path / "shared")))
    compute._kept_fit.cache_clear()
    first = compute.as_of_fit("vinh_long", 2016, None, DRAWS, SEED)
    compute._kept_fit.cache_clear()  # as a new fork, which never held it in memory

    def refit(*args, **kwargs):
        raise AssertionError("fitted again")

    monkeypatch.setattr(unit_as_of, "calibrate", refit)  # the as-of fit's, a region's or a unit's parts
    again = compute.as_of_fit("vinh_long", 2016, None, DRAWS, SEED)
    assert again.identical(first)
    compute._kept_fit.cache_clear()


def test_as_of_a_year_a_plan_decided_later_is_greyed_in_the_comparison_box():
    """The box offered Đồng Nai's plan (decided by 30 Sep 2014) as of 2012, which the answer then
    refused: it is greyed as of any year whose policy it postdates, offered again once known."""
    def greyed(until):
        return {o["value"] for o in callbacks.compare_options("dong_nai", "bhyt", "en", until) if o.get("disabled")}

    assert greyed(None) == set() and greyed(2014) == set()
    assert greyed(2013) == {"dong_nai_plan_2013", "dong_nai_labour_2013"}
    assert "vinh_long_directive_2018" in {o["value"] for o in callbacks.compare_options("vinh_long", "bhyt", "vi", 2017)
                                          if o.get("disabled")}
    # the page wires it: a year picked re-greys the box (and the other callbacks that fill it keep it)
    from covsim.dashboard.app import create_app

    wiring = create_app(draws=DRAWS, seed=SEED, background=False, warm=False).callback_map
    fed_by_until = [key for key, cb in wiring.items() if "compare.options" in key
                    and any(i["id"] == "until" for i in cb["inputs"])]
    assert fed_by_until


def test_a_2025_unit_as_of_a_year_on_the_page_says_its_parts(unit_fits):
    """The page as of 2023 for a 2025 unit: `covsim brief UNIT --until 2023` on screen, the note over
    the answer naming each former province's fit (or its priors) and that the merger was not decided."""
    s = callbacks.compute_request(_request("can_tho_2025", 2023, year=2026, target=95), DRAWS, SEED)
    assert "error" not in s, s.get("error")
    assert unit_fits == [("can_tho", 2023, None)] and s["as_of"]["until"] == 2023
    res, _ = compute.as_of_result("can_tho_2025", "bhyt", {}, 2024, 0.95, 2026, 2023, draws=DRAWS, seed=SEED, kept=True)
    assert s["report"]["probability"] == res["report"]["probability"] and len(unit_fits) == 1  # the kept fit
    note = views.as_of_note(s, "en")
    assert "Can Tho fitted on its own figures observed by 2023 (1)" in note and "Soc Trang on the model's priors" in note
    assert "had not been decided by then" in note
    assert "Hậu Giang dùng phân phối tiên nghiệm" in views.as_of_note(s, "vi")
