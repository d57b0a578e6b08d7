"""`covsim brief` and the briefing in Word, PDF and HTML: one content, Vietnamese by default, every
key number labelled once, bad input refused before anything is written."""
from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone

import pytest

from covsim.cli.main import main
from covsim.dashboard import brief_content, brief_text, callbacks, compute
from covsim.dashboard.brief_text import local_time, number, percent

from ..calibration.test_unit_as_of import fits  # noqa: F401 - a 2025 unit's parts, stamped, not fitted

DRAWS = 40
GOAL = ["brief", "lai_chau_plan_2016", "--target", "0.968", "--year", "2020", "--draws", str(DRAWS)]


@pytest.fixture(scope="module")
def summary():
    req = {"id": 1, "scenario": "lai_chau_plan_2016", "scheme": "bhyt", "start": 2017, "target": 96.8, "year": 2020,
           "compare": "lai_chau", "levers": {"state_share.near_poor": 90}}
    s = callbacks.compute_request(req, DRAWS, 0)
    assert "error" not in s, s.get("error")
    return s


def _lead(document) -> str:
    """The first paragraph of the body: after the heading and the plan's line."""
    body = [p for p in document.paragraphs if p.text.strip() and not p.style.name.startswith("Heading")]
    return body[1].text


def test_goal_word_briefing_opens_in_vietnamese_with_probability_and_cost(tmp_path, capsys):
    import docx

    out = tmp_path / "b.docx"
    assert main(GOAL + ["--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    # the probability computed again by the page's quick path (the coverage alone), not read back from the file
    quick = compute.full_result("lai_chau_plan_2016", "bhyt", {}, printed["start"], 0.968, 2020, draws=DRAWS, seed=0,
                                details=False)
    document = docx.Document(str(out))
    assert document.paragraphs[0].text.startswith("Báo cáo tóm tắt") and "Lai Châu" in document.paragraphs[0].text
    assert "Kế hoạch thực hiện BHYT toàn dân tỉnh Lai Châu" in document.paragraphs[1].text
    # Word proofs the text as Vietnamese (the template's en-US had it spell-checked as English)
    from docx.oxml.ns import qn
    assert {e.get(qn("w:val")) for e in document.styles.element.iter(qn("w:lang"))} == {"vi-VN"}
    lead = _lead(document)
    assert f"năm 2020 là {percent(quick['report']['probability'], 'vi', 0)}" in lead
    # The plan keeps the national shares and no longer sets a hand-made drive (issue 38): the brief
    # says it changes nothing against the policy in force.
    assert lead.startswith("Không thay đổi chính sách nào")
    assert "probability" not in lead.lower() and "state_share" not in lead
    assert printed["probability"] == pytest.approx(quick["report"]["probability"])
    # its provenance lists what the model held fixed, as every run's does
    assert any(f.startswith("voluntary groups' join shift") for f in printed["provenance"]["fixed"])
    assert [p.name for p in tmp_path.iterdir()] == ["b.docx"]  # no temporary file left beside it
    # each chart carries its caption as alt text, as the HTML briefing's images do
    captions = [p.text for p in document.paragraphs if p.runs and p.runs[0].bold and p.text.strip()]
    alts = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert alts and all(alt in captions for alt in alts)
    # whose target the probability is of: the plan's, with its document
    cells = {r.cells[0].text: r.cells[1].text for t in document.tables for r in t.rows}
    assert cells["Nguồn của mục tiêu"].startswith("chỉ tiêu kế hoạch của tỉnh/thành phố: Quyết định của UBND tỉnh Lai Châu")


@pytest.mark.parametrize("region, value, year, whose", [
    ("lai_chau", 0.968, 2020, "own"), ("vinh_long", 0.9, 2020, "own"), ("vinh_long", 0.85, 2020, "chosen"),
    ("vietnam", 0.8, 2020, "national"), ("vinh_long", 0.968, 2020, "chosen")])
def test_a_briefing_says_whose_target_it_is(region, value, year, whose):
    """An audit (2026-12-07): a briefing printed the chance of reaching 95% by 2026 without saying
    whether 95% was a plan's target or one typed for the briefing; an official reads it as the plan's."""
    found, source = compute.target_source(region, "bhyt", value, year)
    assert found == whose and (source is None) == (whose == "chosen")
    if region == "lai_chau" and whose == "own":  # as of a day, only a plan decided by then (blind to later rows)
        assert compute.target_source(region, "bhyt", value, year, "2015-12-31") == ("chosen", None)
        assert compute.target_source(region, "bhyt", value, year, "2016-12-31")[0] == "own"


def test_lead_paragraph_figures_agree_with_the_budget(summary):
    brief = brief_content.briefing(summary, "vi")
    row = next(r for r in summary["budget"] if r["year"] == 2020)
    assert f"có thêm {number(row['extra_insured'], 'vi')} người tham gia" in brief.paragraph
    per = row["cost_per_additional_insured"]  # shown to three figures: a mean over draws, not known to the đồng
    shown = round(per, 2 - int(math.floor(math.log10(per))))
    assert f"tức {number(shown, 'vi')} đồng" in brief.paragraph and shown != per
    assert row["cost_per_additional_insured"] == pytest.approx(row["extra_state_cost"] / row["extra_insured"], rel=1e-6)
    labels = [k for k, _ in brief.key_numbers]
    assert len(labels) == len(set(labels))  # every key number says what it is, once
    assert not any(re.search(r"\bvs\b|seed|lever|_", k) for k in labels)


def test_changes_name_the_tested_lever_and_keep_the_plans_unchanged_shares_out_of_the_lead(summary):
    brief = brief_content.briefing(summary, "vi")
    assert "cận nghèo: 90% từ năm 2017" in brief.paragraph  # the lever tested
    assert "học sinh, sinh viên: 30%" not in brief.paragraph  # the plan's share equals the one in force
    # The plan keeps the national shares, so its scenario restates none (a restated share would hold
    # 2017's 30% for pupils past the plan, over Decree 188/2025's 50%), and it sets no hand-made drive
    # strength any more (issue 38): the tested lever is the one change, and nothing is an assumption.
    assert [what.split(":")[0] for what, _, _ in brief.changes] == [
        "Tỷ lệ ngân sách nhà nước hỗ trợ mức đóng BHYT cho người thuộc hộ gia đình cận nghèo"]
    assert not any(st.startswith("giả định") for _, st, _ in brief.changes)


def test_english_briefing_is_english(summary):
    brief = brief_content.briefing(summary, "en")
    assert brief.title.startswith("Briefing") and "Lai Chau" in brief.title
    assert "probability of reaching 96.8% of the resident population in 2020" in brief.paragraph
    assert "đồng cho" not in brief.paragraph


def test_time_and_numbers_follow_the_language():
    noon = datetime(2026, 11, 30, 12, 5, tzinfo=timezone.utc)
    assert local_time(noon, "vi") == "19:05 ngày 30/11/2026"  # Asia/Ho_Chi_Minh, UTC+7
    assert local_time(noon, "en") == "19:05, 30 Nov 2026"
    assert number(1179440.4, "vi") == "1.179.440" and number(1179440.4, "en") == "1,179,440"
    assert percent(0.968, "vi") == "96,8%" and brief_text.billion(5.46e9, "vi") == "5,5"


def test_pdf_and_html_carry_the_same_content(summary, tmp_path):
    from covsim.dashboard.brief_content import render

    brief = brief_content.briefing(summary, "vi")
    pdf = render(summary, "vi", ".pdf")
    assert pdf.startswith(b"%PDF") and b"DejaVuSans" in pdf
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= 2
    page = render(summary, "vi", ".html").decode("utf-8")
    assert brief.paragraph.replace("'", "&#x27;") in page
    assert page.count("data:image/png;base64,") == len(brief.charts) == 4  # fan, groups, budget, comparison
    assert "modebar" not in page and "plotly" not in page.lower()  # images, no toolbar
    assert "(giờ Việt Nam)" in page and " UTC" not in page


@pytest.mark.parametrize("extra, message", [
    (["--out", "{d}/b.txt"], "unknown format '.txt'; allowed: .docx, .pdf, .html"),
    (["--out", "{d}/b.docx", "--lever", "near_pour=0.9"], "unknown lever"),
    (["--out", "{d}/b.docx", "--lever", "near_poor=abc"], "'abc' is not a number"),
    (["--out", "{d}/b.docx", "--lever", "near_poor=1.5"], "--lever: near_poor=1.5: 1.5 is out of range; allowed: [0, 1]"),
    (["--out", "{d}/b.docx", "--lever", "near_poor=90"], "near_poor=90: 90 is out of range (did you mean 0.9?); allowed"),
    (["--out", "{d}/b.pdf", "--year", "2099"], "outside the scenario's years"),
])
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, capsys, extra, message):
    argv = GOAL + [x.format(d=tmp_path) for x in extra]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []


def test_dashboard_word_and_pdf_buttons_send_the_briefing(summary, tmp_path):
    import base64

    import docx

    payload = callbacks.export("btn-docx", summary, "en")
    assert payload["filename"].endswith("_briefing.docx")
    path = tmp_path / payload["filename"]
    path.write_bytes(base64.b64decode(payload["content"]))
    document = docx.Document(str(path))
    assert document.paragraphs[0].text.startswith("Briefing") and "probability" in _lead(document)
    pdf = callbacks.export("btn-pdf", summary, "vi")
    assert pdf["filename"].endswith("_briefing.pdf") and base64.b64decode(pdf["content"]).startswith(b"%PDF")


def test_targets_and_regions_read_as_the_plans_write_them():
    assert [brief_text.target_text(v, "vi") for v in (0.9, 0.968, 0.9369)] == ["90%", "96,8%", "93,69%"]
    assert brief_text.region_name("vietnam", "vi") == "cả nước" and brief_text.region_name("lai_chau", "vi") == "Lai Châu"


def test_a_probability_one_draw_gives_reads_below_one_percent_in_both_languages():
    """The page, the briefing and the chart print a target's probability as the CLI does: one draw
    in 200 is '<1%', not '0%' (which would say no draw reaches the target)."""
    from covsim.dashboard.i18n import probability

    assert probability(0.005, "vi") == "<1%" and probability(0.005, "en") == "<1%"
    assert probability(0.995, "en") == ">99%"
    assert probability(0.0, "vi") == "0%" and probability(0.37, "vi") == "37%" and probability(1.0, "en") == "100%"


def test_the_briefing_gives_the_probabilitys_monte_carlo_error_or_that_every_draw_or_none_reaches_it(summary):
    """How far another seed could move the probability, as `covsim target` says it: an official
    reading 8% against 10% is told the draws do not tell them apart."""
    import copy

    rep = summary["report"]
    assert 0 < rep["probability"] < 1
    se = number(100 * rep["probability_se"], "vi", 1)
    assert f"(sai số Monte Carlo ±{se} điểm phần trăm trên {DRAWS} lần mô phỏng)" in brief_content.briefing(summary, "vi").paragraph
    assert f"(±{100 * rep['probability_se']:.1f} points of Monte Carlo error over {DRAWS} simulation draws)" in (
        brief_content.briefing(summary, "en").paragraph)
    for p, words in ((0.0, f"none of the {DRAWS} simulation draws reaches it"), (1.0, f"all {DRAWS} simulation draws reach it")):
        edge = copy.deepcopy(summary)
        edge["report"].update(probability=p, probability_se=0.0)
        assert f"({words})" in brief_content.briefing(edge, "en").paragraph


def test_the_briefing_gives_the_published_figures_chance_beside_the_coverages(summary):
    """A plan is judged on the published figure: its chance (the draws' coverage plus each one's
    fitted reporting error, as `covsim target` gives it) is a key number after the coverage's."""
    import numpy as np

    from covsim.calibration.forecast import reported

    rep = summary["report"]
    res = compute.full_result("lai_chau_plan_2016", "bhyt", {"state_share.near_poor": 0.9}, 2017, 0.968, 2020,
                              draws=DRAWS, seed=0)
    params = compute.draws_of("lai_chau", DRAWS, 0)
    figure = reported(res["coverage"], params, 0).sel(year=2020).values
    assert rep["probability_published"] == pytest.approx(np.mean(figure >= 0.968), abs=1e-6)
    assert rep["reporting_error_sd"] == pytest.approx(float(params.measurement_sd.median()), abs=1e-6)
    from covsim.dashboard.i18n import probability

    for lang in ("vi", "en"):
        numbers = brief_content.briefing(summary, lang).key_numbers
        row = brief_text.b("k_probability_published", lang, target=brief_text.target_text(0.968, lang), year=2020,
                           sd=number(100 * rep["reporting_error_sd"], lang, 1))
        at = [k for k, _ in numbers].index(row)  # right after the coverage's own probability
        assert numbers[at - 1][0].startswith(brief_text.b("k_probability", lang, target="", denominator="",
                                                          year="")[:10])
        # with its own Monte Carlo error, as the coverage's probability has it in the sentence above
        se = number(100 * rep["probability_published_se"], lang, 1)
        assert 0 < rep["probability_published"] < 1
        assert numbers[at][1] == probability(rep["probability_published"], lang) + (
            f" (sai số Monte Carlo ±{se} điểm phần trăm trên {DRAWS} lần mô phỏng)" if lang == "vi" else
            f" (±{se} points of Monte Carlo error over {DRAWS} simulation draws)")
    # a labour run has no such figure: its fit's reporting error is of another share
    labour = compute.scenario("vietnam", "bhxh")
    assert compute.published(res["coverage"], params, 0, labour, 2020, 0.5) == {}


def test_a_users_scenario_is_named_in_the_heading_and_the_reproduce_table():
    """A reform file's briefing said "under the policy in force" and never named the scenario: its
    heading now names it, a change to its baseline, and the reproduce table gives its name; a shipped
    plan keeps its document, a baseline the policy in force (no id shown)."""
    from covsim.dashboard.brief_content import scenario_plan

    s = {"scenario": "vl_hh30", "region": "vinh_long_2025", "scheme": "bhyt", "baseline": "vinh_long_2025"}
    assert scenario_plan(s, "en").startswith("the scenario “vl_hh30”, a change to the policy in force (Health Insurance Law")
    assert scenario_plan(s, "vi").startswith("kịch bản “vl_hh30”, thay đổi so với chính sách hiện hành")
    assert scenario_plan(dict(s, scenario="vinh_long_2025"), "en").startswith("the policy in force")
    assert "5063" in scenario_plan(dict(s, scenario="ho_chi_minh_city_plan_2012", region="ho_chi_minh_city"), "en")
    plan = "Dong Nai" in scenario_plan(dict(s, scenario="vl_hh30", baseline="dong_nai_plan_2013", region="dong_nai"),
                                       "en")
    assert plan  # on a shipped plan: the plan's document


def test_a_labour_briefing_cites_the_labour_laws_and_no_money():
    from covsim.dashboard.brief_content import method_text
    from covsim.dashboard.brief_text import plan_name

    assert "Law on Social Insurance 41/2024/QH15" in plan_name("vietnam", "en", "bhxh")
    assert "Health Insurance Law" in plan_name("vietnam", "en", "bhyt")
    summary = {"scheme": "bhtn", "assumptions": {"calibrated": True}}
    assert "Money" not in method_text(summary, "en", "Viet Nam")  # BHTN: no money modelled
    assert "Money" in method_text(dict(summary, scheme="bhyt"), "en", "Viet Nam")
    assert "each voluntary member's support" in method_text(dict(summary, scheme="bhxh"), "en", "Viet Nam")
    assert "priors" in method_text(dict(summary, assumptions={"calibrated": False}), "en", "Viet Nam")
    # A labour run's fit weighed the labour schemes' figures, and says so; a health run's its own.
    assert "social and unemployment insurance figures" in method_text(summary, "en", "Viet Nam")
    assert "bảo hiểm thất nghiệp" in method_text(summary, "vi", "Việt Nam")
    assert "unemployment" not in method_text(dict(summary, scheme="bhyt"), "en", "Viet Nam")


def test_every_output_gives_the_same_first_year_of_the_levers_tried():
    """The reproduce table's year is the `--from` that gives these figures, in the Word briefing as in
    the workbook, not the plan's own first change (Đồng Nai's plan changes shares from 2015)."""
    import io

    import openpyxl

    from covsim.dashboard import briefing

    req = {"id": 1, "scenario": "dong_nai_plan_2013", "scheme": "bhyt", "start": 2017, "target": 90, "year": 2020,
           "levers": {}}
    s = callbacks.compute_request(req, 8, 0)
    assert "error" not in s, s.get("error")
    for lang in ("vi", "en"):
        label, year = brief_content.briefing(s, lang).reproduce[2]
        assert year == "2017"
        book = openpyxl.load_workbook(io.BytesIO(briefing.to_excel(s, lang)))
        cells = [row for sheet in book for row in sheet.iter_rows(values_only=True) if row and row[0] == label]
        assert cells and all(row[1] == 2017 for row in cells), cells


def test_a_2025_unit_says_which_former_provinces_run_on_the_priors_and_no_more():
    """HCMC 2025 draws its shared parameters from HCMC's posterior: only Bình Dương's and Bà Rịa–Vũng
    Tàu's offsets are the priors, and the briefing's key number says just that. Bình Dương run alone
    takes its part of the unit's draws (until 2026-12-03 it drew every parameter from the priors, and
    said so): only its own offset is the prior's. A region on its priors alone: test_regions.py."""
    def key_probability(scenario, year, lang):
        req = {"id": 1, "scenario": scenario, "scheme": "bhyt", "start": 2026, "target": 95, "year": year,
               "levers": {}}
        s = callbacks.compute_request(req, 8, 0)
        assert "error" not in s, s.get("error")
        return s, brief_content.briefing(s, lang).key_numbers[0][1]

    s, shown = key_probability("ho_chi_minh_city_2025", 2030, "en")
    assert s["assumptions"]["on_priors"] == ["binh_duong", "ba_ria_vung_tau"]
    assert "partly not calibrated" in shown and "Binh Duong" in shown and "Ba Ria" in shown
    assert "Ho Chi Minh" not in shown
    # the method and the figures rested on say the same (an audit, 2026-12-07: the method said every
    # parameter was the priors', and the unit had no row of the figures its run rests on)
    brief = brief_content.briefing(s, "en")
    assert "the shared parameters drawn from the posterior" in brief.method and "Binh Duong" in brief.method
    rested = dict(brief.key_numbers)[brief_text.b("k_own_figures.members", "en", region=brief_text.region_name(
        "ho_chi_minh_city_2025", "en"))]
    parts = dict(part.split(": ", 1) for part in rested.split("; "))
    assert len(parts) == 3 and "(20" in parts[brief_text.region_name("ho_chi_minh_city", "en")]  # its own years
    assert parts["Binh Duong"] == "none (its level: the shared fit plus an offset drawn from its prior)"
    _, shown_vi = key_probability("ho_chi_minh_city_2025", 2030, "vi")
    assert "mới hiệu chỉnh một phần" in shown_vi and "Bình Dương" in shown_vi
    s, shown = key_probability("binh_duong", 2024, "en")
    assert s["assumptions"]["on_priors"] == ["binh_duong"] and "partly not calibrated" in shown
    assert "Binh Duong" in shown and "the shared parameters are the calibrated posterior's" in shown
    _, shown = key_probability("vietnam", 2025, "en")
    assert "calibrated" not in shown


def test_a_bhxh_briefing_gives_the_voluntary_support_and_bhtn_says_it_has_no_money(hand_set_labour):
    """BHXH: the state's support of voluntary contributions, against the policy in force (until
    2026-12-03 it said the model counts it and did not show it); BHTN: no money is modelled."""
    for scheme, words in (("bhxh", "the state budget spends"), ("bhtn", "does not compute budget costs for")):
        req = {"id": 1, "scenario": hand_set_labour, "scheme": scheme, "start": 2024, "target": 30,
               "year": 2026, "levers": {}}
        s = callbacks.compute_request(req, 4, 0)
        assert "error" not in s, s.get("error")
        assert words in brief_content.briefing(s, "en").paragraph


def test_a_labour_briefings_charts_say_coverage_is_of_the_labour_force():
    from covsim.dashboard import brief_charts

    req = {"id": 1, "scenario": "vinh_long_labour_2018", "scheme": "bhxh", "start": 2018, "target": 30,
           "year": 2020, "levers": {}}
    s = callbacks.compute_request(req, 4, 0)
    assert brief_charts._coverage_label(s, "vi") == "Tỷ lệ bao phủ (% lực lượng lao động)"
    health = callbacks.compute_request(dict(req, scenario="vinh_long", scheme="bhyt", target=90), 4, 0)
    assert brief_charts._coverage_label(health, "en") == "Coverage"


def test_brief_held_fixed_says_how_the_verdict_moves_with_each_number_held_fixed(tmp_path, capsys, monkeypatch):
    """`brief --held-fixed`: the method paragraph gives the probability under each alternative, in
    the briefing's language, from the same refits as `covsim target --held-fixed` (stood in for
    here by the stored posterior, under the alternative the refit was asked for)."""
    import docx
    import xarray as xr

    from covsim.calibration import held_fixed
    from covsim.calibration.shipped import shipped_path
    from covsim.dashboard.i18n import probability
    from covsim.simulator.schemes import labour, scheme

    from .leaks import context, leaks

    asked = []

    def fit(region, until=None, settings=None, *args, **kwargs):
        asked.append(labour.CAP["cap"])
        with xr.open_dataset(shipped_path(region, scheme(kwargs.get("scheme", "bhyt")))) as post:
            return post.load()

    monkeypatch.setattr(held_fixed, "calibrate", fit)
    out = tmp_path / "b.docx"
    assert main(["brief", "vinh_long", "--scheme", "bhxh", "--target", "0.2", "--year", "2020", "--draws", str(DRAWS),
                 "--out", str(out), "--held-fixed", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    rows = {r["key"]: r for r in printed["held_fixed"]}
    assert list(rows) == ["voluntary_bhxh_age_shift", "lapse_factors", "required_cap", "voluntary_drive_ramp",
                         "required_share_growth"]
    assert 0.95 in asked and 0.995 in asked  # each alternative refitted under its own value
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    cap = rows["required_cap"]
    line = (f"tỷ lệ tối đa của một nhóm tuổi thuộc diện bắt buộc 0,95: {probability(cap['low']['probability'], 'vi')}"
            f" / 0,995: {probability(cap['high']['probability'], 'vi')}")
    assert line in text
    assert "5 năm" in text and "×2" in text
    found = leaks(text, "vi")
    assert not found, context(text, found)


@pytest.mark.parametrize("lang, words", [("vi", ["×0,75: 40%", "0,25: <1%", "1 năm: 12%", "5 năm: 3%",
                                                  "lần ước lượng lại không hội tụ"]),
                                         ("en", ["×0.75: 40%", "0.25: <1%", "1 year: 12%", "5 years: 3%",
                                                 "its refit did not converge"])])
def test_the_held_fixed_sentence_words_each_alternative_in_the_language(lang, words):
    from covsim.dashboard.i18n import held_fixed_text

    def alt(label, p, converged=True):
        return {"label": label, "probability": p, "converged": converged}

    rows = [{"key": "income_ratio", "low": alt("x0.75", 0.4), "high": alt("x1.33", 0.5)},
            {"key": "lapse_factors", "low": alt("0.25", 0.004), "high": alt("1", 0.6, converged=False)},
            {"key": "household_ramp", "low": alt("1 year", 0.12), "high": alt("5 years", 0.03)}]
    text = held_fixed_text(rows, lang)
    for w in words:
        assert w in text, (w, text)
    assert held_fixed_text([], lang) == "" and held_fixed_text(None, lang) == ""
    assert ("ước lượng lại" if lang == "vi" else "refitted") in text
    priors = [{**r, "low": {**r["low"], "refitted": False}} for r in rows]  # a region on its priors
    assert ("không ước lượng lại" if lang == "vi" else "not refitted") in held_fixed_text(priors, lang)


def test_a_briefing_of_a_users_file_says_what_the_file_changes_and_what_a_top_up_counts_for(tmp_path, capsys):
    """A reform written as a file was briefed as 'no policy was changed' (the briefing looked its
    reform up by name), and a 90% top-up over the national 30% was printed as 90% though the state
    can pay at most the whole premium: 70% of it counts, and the briefing, the run and its JSON say so."""
    reform = tmp_path / "top_up.toml"
    reform.write_text('baseline = "vinh_long"\n[reform]\n"local_top_up.farm_household" = { 2018 = 0.9 }\n')
    out = tmp_path / "b.html"
    assert main(["brief", str(reform), "--target", "0.9", "--year", "2020", "--lang", "en", "--draws", "20",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8")))
    assert "No policy was changed" not in text
    assert "Tested against the policy now in force in Vinh Long: local budget top-up" in text
    assert "counts as 70% from 2018: the state pays at most the whole premium" in text
    assert main(["run", str(reform), "--draws", "5", "--quiet", "--json"]) == 0
    capped = json.loads(capsys.readouterr().out)["provenance"]["capped"]
    assert capped == [{"path": "local_top_up.farm_household", "value": 0.9, "counts_as": 0.7, "from": 2018,
                       "national": 0.3, "why": "the national share is 30% and the state pays at most the whole "
                                               "premium"}]


def test_brief_json_gives_the_comparison_and_money_the_document_prints(tmp_path, capsys):
    """`brief --json` gave the probability only; the document's comparison and money are there too,
    and agree with `target` on the compared scenario (same draws and seed)."""
    out = tmp_path / "b.html"
    assert main(["brief", "vinh_long_directive_2018", "--target", "0.9", "--year", "2020", "--compare", "vinh_long",
                 "--lever", "drive=1", "--draws", "30", "--out", str(out), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert main(["target", "vinh_long", "--target", "0.9", "--year", "2020", "--draws", "30", "--json"]) == 0
    assert d["compare"]["scenario"] == "vinh_long"
    assert d["compare"]["probability"] == pytest.approx(json.loads(capsys.readouterr().out)["probability"])
    cost = d["compare"]["state_cost"]
    assert (cost["from"], cost["to"]) == (d["start"], 2020)
    assert cost["difference"] == pytest.approx(cost["total"] - cost["compared"]) and cost["difference"] > 0  # a drive is paid
    assert 0 < cost["difference_lo80"] < cost["difference"] < cost["difference_hi80"]  # on the same draws: its band
    money = d["budget"]
    assert money["state_cost"] == pytest.approx(money["state_cost_national"] + money["state_cost_local"])
    assert money["cost_per_additional_insured"] == pytest.approx(money["extra_state_cost"] / money["extra_insured"])
    assert money["cost_per_additional_insured_lo80"] < money["cost_per_additional_insured"] \
        < money["cost_per_additional_insured_hi80"]


# The household discount ladder: rank N is the Nth member (rank 1 the first, who pays the full premium;
# rank 5 the fifth and every later one), as the policy table and simulator/inputs/household.py index it.
LADDER = {"1": ("first member", "thành viên thứ nhất"), "2": ("second member", "thành viên thứ hai"),
          "3": ("third member", "thành viên thứ ba"), "4": ("fourth member", "thành viên thứ tư"),
          "5": ("fifth and later members", "thành viên thứ năm trở đi")}


def test_the_household_ladder_names_the_member_each_rank_is():
    """`household_member_factor.1 = 0.9` and `.4 = 0.3` both read 'second and later household members':
    two contradictory lines, and rank 1 (the first member) named as the second."""
    from covsim.simulator.inputs.policy import Policy

    in_force = {rank: Policy.from_table().annual("household_member_factor", 2016, group=rank) for rank in LADDER}
    assert in_force == {"1": 1.0, "2": 0.7, "3": 0.6, "4": 0.5, "5": 0.4}  # the law's ladder, rank 1 the first
    for lang, which in (("en", 0), ("vi", 1)):
        phrases = {rank: brief_content.lever_phrase(f"household_member_factor.{rank}", in_force[rank], lang)
                   for rank in LADDER}
        assert len(set(phrases.values())) == len(LADDER)  # no two ranks worded alike
        for rank, text in phrases.items():
            assert LADDER[rank][which] in text, text
            assert percent(in_force[rank], lang, 0) in text
            others = [words[which] for r, words in LADDER.items() if r != rank]
            assert not any(other in text for other in others), text
    assert "second and later" not in brief_content.lever_phrase("household_member_factor.1", 0.9, "en")
    assert "thứ hai trở đi" not in brief_content.lever_phrase("household_member_factor.1", 0.9, "vi")


def test_a_briefing_and_workbook_of_a_household_ladder_reform_name_each_member(tmp_path):
    import io

    import openpyxl

    from covsim.dashboard import briefing

    reform = tmp_path / "hmf.toml"
    reform.write_text('name = "hmf"\nbaseline = "vietnam"\n[reform]\n"household_member_factor.1" = { 2026 = 0.9 }\n'
                      '"household_member_factor.4" = { 2026 = 0.3 }\n')
    s = compute.summary(compute.full_result(str(reform), "bhyt", {}, 2026, 0.95, 2030, draws=4, seed=0))
    for lang, first, fourth in (("en", "first member", "fourth member"),
                                ("vi", "thành viên thứ nhất", "thành viên thứ tư")):
        brief = brief_content.briefing(s, lang)
        rows = [what for what, _, _ in brief.changes]
        assert len(rows) == 2 and first in rows[0] and "90%" in rows[0] and fourth in rows[1] and "30%" in rows[1]
        assert first in brief.paragraph and fourth in brief.paragraph
        book = openpyxl.load_workbook(io.BytesIO(briefing.to_excel(s, lang)))
        cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c]
        assert any(first in c and "90%" in c for c in cells) and any(fourth in c and "30%" in c for c in cells)
        assert not any("second and later" in c or "thứ hai trở đi" in c for c in cells)
        _no_leaks(briefing.briefing_html(s, lang), lang)


def _no_leaks(page: str, lang: str) -> None:
    """No id and no word of the other language in what a reader sees of an HTML briefing."""
    from .leaks import context, leaks

    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S))
    found = leaks(text, lang)
    assert not found, context(text, found)


@pytest.fixture(scope="module")
def can_tho_bhtn():
    req = {"id": 1, "scenario": "can_tho_labour_2024", "scheme": "bhtn", "start": 2024, "target": 30, "year": 2026,
           "levers": {}}
    s = callbacks.compute_request(req, 4, 0)
    assert "error" not in s, s.get("error")
    return s


def test_a_bhtn_briefing_cites_the_plans_target_in_its_own_unit_and_says_there_is_no_observed_figure(can_tho_bhtn):
    """Cần Thơ's BHTN briefing said the data held no figure or target of Cần Thơ at all, though Plan 72
    sets BHTN 100% of those required to join in 2024 (coverage.csv): a target in another unit than the
    share of the labour force the run computes, so it is cited as such, not drawn on the chart."""
    assert can_tho_bhtn["targets"] == []  # not the labour force's share: the fan chart does not draw it
    for lang, plan, planned, of_required, none_observed, nothing in (
            ("en", "Plan 72/KH-UBND", "planned (target)", "100% of those required to join by 2024",
             "no observed unemployment insurance coverage figure", "or planned target of"),
            ("vi", "Kế hoạch số 72/KH-UBND", "chỉ tiêu kế hoạch", "100% số người thuộc diện tham gia bắt buộc năm 2024",
             "không có số liệu bao phủ bảo hiểm thất nghiệp thực tế", "hay chỉ tiêu kế hoạch nào")):
        sources = brief_content.briefing(can_tho_bhtn, lang).sources
        assert not any(nothing in line for line in sources), sources
        cited = [line for line in sources if plan in line]
        assert len(cited) == 1 and planned in cited[0] and of_required in cited[0], sources
        assert any(none_observed in line for line in sources), sources


@pytest.fixture(scope="module")
def hand_set_bhtn(hand_set_labour):
    req = {"id": 1, "scenario": hand_set_labour, "scheme": "bhtn", "start": 2024, "target": 30, "year": 2026,
           "levers": {}}
    s = callbacks.compute_request(req, 4, 0)
    assert "error" not in s, s.get("error")
    return s


def test_a_bhtn_briefing_does_not_present_the_voluntary_drive_as_a_change_it_tested(hand_set_bhtn, hand_set_labour):
    """BHTN has no voluntary members: a scenario's voluntary BHXH drive is idle in a BHTN run
    (Scenario.idle), so it is neither a change tested nor an assumed number the run uses. (The
    shipped plans set no strength by hand since 2026-12-04: a user's file that does.)"""
    import io

    import openpyxl

    from covsim.dashboard import briefing

    can_tho_bhtn = hand_set_bhtn
    sc = compute.scenario(hand_set_labour, "bhtn")
    assert sc.idle() == ["voluntary_outreach"]
    for lang, drive, enforcement, idle in (
            ("en", "drives for voluntary social insurance", "inspection of employers", "not read by unemployment insurance"),
            ("vi", "vận động tham gia bhxh tự nguyện", "thanh tra, kiểm tra", "không áp dụng cho bảo hiểm thất nghiệp")):
        brief = brief_content.briefing(can_tho_bhtn, lang)
        assert enforcement in brief.paragraph and drive not in brief.paragraph.lower()
        assert [r[0].lower().startswith(enforcement) for r in brief.changes] == [True]  # the one change tested
        assert drive not in callbacks.scenario_assumed(can_tho_bhtn, lang).lower()  # nor an assumed number used
        said = next(sentence for sentence in brief.method.split(". ") if idle in sentence.lower())
        assert drive in said.lower() and "2024" in said  # said as the run says it: not read, changes nothing
        _no_leaks(briefing.briefing_html(can_tho_bhtn, lang), lang)
        # the workbook as the briefing: the drive is no change tested, and said not read
        book = openpyxl.load_workbook(io.BytesIO(briefing.to_excel(can_tho_bhtn, lang)))
        cells = [str(row[0]) for sheet in book for row in sheet.iter_rows(values_only=True) if row and row[0]]
        said = [c for c in cells if drive in c.lower()]
        assert len(said) == 1 and idle in said[0].lower(), said
    # under BHXH the same drive is read: a change tested, and assumed
    bhxh = callbacks.compute_request({"id": 1, "scenario": hand_set_labour, "scheme": "bhxh", "start": 2024,
                                      "target": 30, "year": 2026, "levers": {}}, 4, 0)
    brief = brief_content.briefing(bhxh, "en")
    assert "drives for voluntary social insurance" in brief.paragraph
    assert "drives for voluntary social insurance" in callbacks.scenario_assumed(bhxh, "en")
    assert can_tho_bhtn["idle"] == sc.idle() and bhxh["idle"] == []  # the summary keeps what the run did not read


def test_a_plan_that_changes_no_policy_says_where_the_model_holds_its_drives():
    """Vĩnh Long's labour directive orders inspections and drives but no policy change (since
    2026-12-04 no strength is set by hand): its briefing says the model holds those drives for
    every province, so the plan adds none of its own; a baseline's briefing does not."""
    plan = callbacks.compute_request({"id": 1, "scenario": "vinh_long_labour_2018", "scheme": "bhxh", "start": 2018,
                                      "target": 30, "year": 2020, "levers": {}}, 4, 0)
    base = callbacks.compute_request({"id": 1, "scenario": "vinh_long", "scheme": "bhxh", "start": 2018,
                                      "target": 30, "year": 2020, "levers": {}}, 4, 0)
    for lang, words in (("en", "the plan adds no effect of its own"), ("vi", "không cộng thêm tác động riêng")):
        assert words in brief_content.briefing(plan, lang).paragraph
        assert words not in brief_content.briefing(base, lang).paragraph


def test_where_the_drives_are_held_is_said_for_the_scheme_on_view():
    """The sentence named both schemes' parameters (the targets' pull and Resolution 28's drive) in
    every briefing: a health plan's briefing now names the pull only, a labour plan's its trends."""
    health = callbacks.compute_request({"id": 1, "scenario": "lai_chau_plan_2016", "scheme": "bhyt", "start": 2017,
                                        "target": 96.8, "year": 2020, "levers": {}}, 4, 0)
    labour = callbacks.compute_request({"id": 1, "scenario": "vinh_long_labour_2018", "scheme": "bhxh", "start": 2018,
                                        "target": 30, "year": 2020, "levers": {}}, 4, 0)
    for lang, pull, resolution in (("en", "the pull of the level above's targets", "Resolution 28-NQ/TW's drive"),
                                   ("vi", "sức kéo của chỉ tiêu cấp trên", "đợt vận động theo Nghị quyết 28-NQ/TW")):
        said = brief_content.briefing(health, lang).paragraph
        assert pull in said and resolution not in said
        said = brief_content.briefing(labour, lang).paragraph
        assert resolution in said and pull not in said


@pytest.mark.parametrize("lang, words", [("en", "carried past its 2030 row"), ("vi", "kéo dài sau dòng năm 2030")])
def test_a_labour_briefing_past_2030_says_how_it_carries_the_required_share(tmp_path, capsys, lang, words):
    """The labour force table ends in 2030; a run to 2035 carries the share required to join on. Its
    run and `covsim scenarios` listed it, the briefing's 'held fixed' sentence did not."""
    reform = tmp_path / "vl_2035.toml"
    reform.write_text('baseline = "vinh_long"\nscheme = "bhxh"\nend = 2035\n')
    out = tmp_path / "b.html"
    assert main(["brief", str(reform), "--target", "0.3", "--year", "2035", "--lang", lang, "--draws", "10",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8")))
    assert words in text and "2035" in text.partition(words)[2]
    within = tmp_path / "vl_2030.toml"  # a run that ends with the table says nothing of it
    within.write_text('baseline = "vinh_long"\nscheme = "bhxh"\nend = 2030\n')
    assert main(["brief", str(within), "--target", "0.3", "--year", "2030", "--lang", lang, "--draws", "10",
                 "--out", str(out)]) == 0
    assert words not in re.sub(r"\s+", " ", out.read_text(encoding="utf-8"))


def test_a_reform_past_its_baselines_end_is_briefed_with_its_money_to_its_own_end(tmp_path, capsys):
    """A reform to 2035 on a baseline to 2030: the budget's comparison ran the baseline by name, to
    2030, and the briefing crashed on 23 years against 28. It runs the baseline to the reform's end."""
    reform = tmp_path / "vl_2035.toml"
    reform.write_text('baseline = "vinh_long"\nend = 2035\n[reform]\n"state_share.near_poor" = { 2027 = 1.0 }\n')
    assert main(["brief", str(reform), "--target", "0.9", "--year", "2035", "--lang", "en", "--draws", "10",
                 "--json", "--out", str(tmp_path / "b.html")]) == 0
    out = json.loads(capsys.readouterr().out)
    budget = out["budget"]  # the target year's money against the baseline run to the same year
    assert budget["year"] == 2035 and budget["compared_with"] == "vinh_long" and budget["extra_state_cost"] > 0


def test_a_former_provinces_briefing_says_its_later_figures_are_its_former_territorys(tmp_path, capsys):
    """`covsim brief vinh_long_directive_2018` said so on stderr only; the paper said nothing."""
    out = tmp_path / "b.html"
    assert main(["brief", "vinh_long_directive_2018", "--target", "0.95", "--year", "2030", "--lang", "en",
                 "--draws", "10", "--out", str(out)]) == 0
    capsys.readouterr()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8")))
    assert ("Vinh Long is a province-level unit before 1 July 2025, now part of Vinh Long (since 1 Jul 2025): its "
            "figures for "
            "2025–2030 are those of its former territory") in text
    assert main(["brief", "lai_chau_2025", "--target", "0.95", "--year", "2030", "--lang", "en", "--draws", "10",
                 "--out", str(out)]) == 0  # the unit itself: nothing of the kind
    assert "former territory" not in re.sub(r"\s+", " ", out.read_text(encoding="utf-8"))
    # Lai Châu kept its territory: it is not "now part of" a unit (the paper said so until 2026-12-05)
    assert main(["brief", "lai_chau_plan_2016", "--target", "0.968", "--year", "2030", "--lang", "en", "--draws", "10",
                 "--out", str(out)]) == 0
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8")))
    assert "now part of" not in text and "kept its territory on 1 July 2025" in text


def test_a_briefing_says_what_its_probability_rests_on(tmp_path, capsys):
    """An official read Lai Châu's 8% with nothing beside it saying the province has no figure of its
    own, nor that no draw varies the numbers held fixed; a one-year comparison read "2024–2024"."""
    out = tmp_path / "b.html"

    def text() -> str:
        import html

        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8"))))

    assert main(["brief", "lai_chau_plan_2016", "--target", "0.968", "--year", "2020", "--lang", "en", "--draws", "10",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    assert "Observed year-end coverage figures of Lai Chau the model rests on none: Lai Chau's level is" in text()
    assert "This probability leaves out the uncertainty of the numbers the model holds fixed" in text()
    assert main(["brief", "vinh_long", "--target", "0.9", "--year", "2020", "--lang", "en", "--draws", "10",
                 "--out", str(out)]) == 0
    assert "Observed year-end coverage figures of Vinh Long the model rests on 1 (2017)" in text()
    assert main(["brief", "can_tho_plan_2024", "--target", "0.9369", "--year", "2024", "--lang", "en", "--draws", "10",
                 "--out", str(out)]) == 0
    assert "2024–2024" not in text() and "bn VND more that year, that is" in text()
    # the plan names the top-up but not its level: the 20% tried is marked assumed where the plan is told
    assert re.search(r"Tested against the policy now in force in Can Tho: [^.]*20% from 2024 \(assumed\)", text())


def test_a_reform_on_a_baseline_file_is_briefed_with_its_money(tmp_path, capsys):
    """The budget's comparison looked the baseline up by name, and a baseline given as a file is no
    shipped name: 'mybase: no shipped scenario of that name' (`covsim run` took it)."""
    (tmp_path / "mybase.toml").write_text('name = "mybase"\nregion = "lai_chau"\n')
    reform = tmp_path / "myref.toml"
    reform.write_text('baseline = "mybase.toml"\n[reform]\n"state_share.near_poor" = { 2027 = 1.0 }\n')
    assert main(["brief", str(reform), "--target", "0.95", "--year", "2030", "--lang", "en", "--draws", "10",
                 "--json", "--out", str(tmp_path / "b.html")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["budget"]["compared_with"].endswith("mybase.toml") and out["budget"]["extra_state_cost"] > 0


# A briefing as of a year (`brief --until`) ---------------------------------------------------------

def test_brief_as_of_a_year_is_target_until_on_paper_with_what_followed(tmp_path, capsys, monkeypatch):
    """`brief --until 2013 --known DAY`: the as-of fit (real, with the backtest's sampling) gives the
    probability `covsim target --until` gives from the same fit; the paper says first that it is as
    of then, draws the later figures apart and lists --until/--known to fit it again; a target
    decided later (Decision 1167's 90.7% by 2020, 2016) is not on it, Decision 538's (2013) is."""
    import docx

    from covsim.calibration import scoring
    from covsim.calibration.backtest import SETTINGS
    from covsim.calibration import unit_as_of
    from covsim.simulator import load_scenario

    fits = []
    real = unit_as_of.calibrate  # the fit an as-of run makes (of a region, or of a unit's parts)

    def kept(*args, **kwargs):
        fits.append(real(*args, **kwargs))
        return fits[-1]

    monkeypatch.setattr(unit_as_of, "calibrate", kept)
    out = tmp_path / "b.docx"
    assert main(["brief", "vietnam", "--target", "0.8", "--year", "2020", "--until", "2013", "--known", "2014-03-01",
                 "--draws", str(DRAWS), "--lang", "en", "--out", str(out), "--json", "--lever", "near_poor=0.7"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["changed"] == {}  # 70% for the near-poor was the policy known then: no change, none listed
    assert printed["start"] == 2014 and printed["as_of"]["until"] == 2013 and printed["as_of"]["known_on"] == "2014-03-01"
    assert printed["as_of"]["fit"]["until"] == 2013 and "converged" in printed["as_of"]["convergence"]
    (post,) = fits
    import dataclasses
    from datetime import date

    settings = dataclasses.replace(SETTINGS, draws=300, seed=0)
    report = scoring.target_as_of(load_scenario("vietnam"), 2013, 0.8, 2020, DRAWS, 0, settings, posterior=post,
                                  known=date(2014, 3, 1))
    assert printed["probability"] == report["probability"]
    text = [p.text for p in docx.Document(str(out)).paragraphs]
    lead = next(t for t in text if t.startswith("This assessment is made as of the end of 2013"))
    assert "decided by 2014-03-01" in lead and "hollow circles" in lead  # the nation has later figures
    assert "51/2024" not in "\n".join(text[:2])  # the plan line: the policy decided by then, not today's laws
    cells = [c.text for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells]
    assert "Last year of observed figures used (--until)" in cells and "2014-03-01" in cells
    method = next(t for t in text if "employers' compliance held at" in t)  # what only an as-of fit holds
    assert "rising 0.05 a year" in method and "group shares held at their 2010 reference" in method
    # no number of a law decided later (Law 46/2014 in June 2014, Law 51/2024): idle then, not named
    assert "46/2014" not in method and "51/2024" not in method and "the base salary after its last change" in method

    s = compute.summary(compute.as_of_result("vietnam", "bhyt", {}, 2014, 0.8, 2020, 2013, known=date(2014, 3, 1),
                                             draws=DRAWS)[0])
    later = {r["year"] for r in s["observed"] if r["later"]}
    assert later and min(later) == 2014 and all(not r["later"] for r in s["observed"] if r["year"] <= 2013)
    planned = {(r["year"], r["value"]) for r in s["targets"] if r["group"] == "all"}
    assert (2020, 0.8) in planned and (2015, 0.7) in planned
    assert not {(2017, 0.822), (2020, 0.907), (2022, 0.926)} & planned
    whole = {(r["year"], r["value"]) for r in compute.figures_of("vietnam", "bhyt")[1] if r["group"] == "all"}
    assert {(2017, 0.822), (2020, 0.907)} <= whole  # there, but decided after the day


@pytest.mark.parametrize("args, key, fragment", [
    (["--known", "2014-03-01"], "--known", "give --until YEAR too"),
    (["--until", "2020"], "--year", "is not after --until 2020"),
    (["--until", "2013", "--known", "2013-06-01"], "--known", "must be a day of 2014"),
    (["--until", "2013", "--from", "2013", "--lever", "near_poor=0.9"], "--from", "allowed: 2014 or later"),
    (["--until", "2013", "--scheme", "bhxh"], "--until", "health insurance (bhyt) only"),
    (["--until", "2007"], "--until", "is before the first"),
])
def test_brief_as_of_refuses_what_cannot_be_as_of_before_fitting(tmp_path, capsys, args, key, fragment):
    out = tmp_path / "b.html"
    assert main(["brief", "vietnam", "--target", "0.8", "--year", "2020", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and key in err[0] and fragment in err[0], err
    assert not out.exists()


@pytest.fixture
def unit_fits(fits):
    """The as-of fits a 2025 unit's briefing asks for, each answered by the stored posterior stamped
    with the origin (test_unit_as_of.py's `fits`: the fit itself is `target --until`'s)."""
    yield fits
    compute._kept_fit.cache_clear()  # the page's kept fits: none of these stamped ones outlives the test


def test_brief_as_of_a_2025_unit_is_target_until_of_the_unit_on_paper(tmp_path, capsys, unit_fits):
    """`brief UNIT --until`: the unit as `covsim target UNIT --until` runs it (its former provinces
    side by side, each with a fit of its own refitted as of the year, the others on their priors),
    the same probability; the paper names each part, and that the merger was not decided by then
    (until 2026-12-07 a unit was refused: "has no fit of its own")."""
    import docx

    from covsim.calibration import scoring
    from covsim.simulator import load_scenario

    out = tmp_path / "b.docx"
    assert main(["brief", "can_tho_2025", "--target", "0.95", "--year", "2026", "--until", "2023",
                 "--draws", str(DRAWS), "--lang", "en", "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert unit_fits == [("can_tho", 2023, None)]  # Hậu Giang and Sóc Trăng have no fit: their priors
    parts = printed["as_of"]["former_provinces"]
    assert list(parts) == ["can_tho", "hau_giang", "soc_trang"] and parts["can_tho"]["fit"] == "fitted as of 2023"
    assert parts["hau_giang"] == parts["soc_trang"] == {"fit": "priors (no fit of its own)"}
    report = scoring.target_as_of(load_scenario("can_tho_2025"), 2023, 0.95, 2026, DRAWS, 0,
                                  compute.as_of_settings(DRAWS, 0))
    assert printed["probability"] == report["probability"]  # the same draws, the same run
    lead = next(p.text for p in docx.Document(str(out)).paragraphs
                if p.text.startswith("This assessment is made as of the end of 2023"))
    assert lead.count("Can Tho + Hau Giang + Soc Trang: the provinces are run side by side and summed, each under its "
                      "own policy (the 2025 reorganisation that joined them had not been decided by then): Can Tho "
                      "fitted on its own figures observed by 2023 (1); Hau Giang on the model's priors (no fit of its "
                      "own); Soc Trang on the model's priors") == 1
    # as of then the unit is not named by the name it got in 2025: the title names its provinces
    head = [p.text for p in docx.Document(str(out)).paragraphs[:3]]
    assert any("Can Tho + Hau Giang + Soc Trang" in t for t in head) and not any("1 Jul 2025" in t for t in head)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_units_parts_as_of_a_year_after_the_merger_was_decided_drop_the_before(lang):
    """As of a day the merger was known (Resolution 202/2025, 12 June 2025), the paper does not say it
    was not; a region that is no unit gets no such sentence."""
    parts = {"vinh_long": {"fit": "fitted as of 2025", "own_observations": 4, "convergence": {"converged": True}},
             "ben_tre": {"fit": "priors (no fit of its own)"}, "tra_vinh": {"fit": "priors (no fit of its own)"}}
    before = {"region": "vinh_long_2025", "as_of": {"until": 2024, "known_on": "2024-12-31", "former_provinces": parts}}
    after = {"region": "vinh_long_2025", "as_of": {"until": 2025, "known_on": "2025-12-31", "former_provinces": parts}}
    said_before, said_after = brief_content.as_of_members(before, lang), brief_content.as_of_members(after, lang)
    reorganisation = "sắp xếp đơn vị hành chính" if lang == "vi" else "reorganisation"
    assert reorganisation in said_before and reorganisation not in said_after
    assert ("(4 số liệu)" if lang == "vi" else "(4)") in said_after and said_after.count(";") == 2
    assert brief_content.as_of_members({"region": "vinh_long", "as_of": {"until": 2024, "known_on": "2024-12-31"}},
                                       lang) == ""
    # a part fitted with no figure of its own by then is not "fitted on its own figures (0)" (an audit, 2026-12-07)
    none = {**parts, "vinh_long": {**parts["vinh_long"], "own_observations": 0}}
    said = brief_content.as_of_members({**before, "as_of": {**before["as_of"], "former_provinces": none}}, lang)
    assert brief_text.b("as_of_member.national", lang, member=brief_text.region_name("vinh_long", lang),
                        until=2024) in said and "(0" not in said
    # Lai Châu kept its territory: no sum to tell
    alone = {"region": "lai_chau_2025", "as_of": {"until": 2023, "known_on": "2023-12-31",
                                                  "former_provinces": {"lai_chau": parts["vinh_long"]}}}
    assert brief_content.as_of_members(alone, lang) == ""


def test_a_units_sources_and_name_as_of_a_day_are_what_was_known_then():
    """An audit (2026-12-07): an as-of briefing of a 2025 unit cited Cần Thơ's Plan 72 of 2024 as of
    2022 and its 2023 figure as observed, and named the unit, as Lai Châu's cited nothing at all."""
    s = {"region": "can_tho_2025", "scheme": "bhyt", "as_of": {"until": 2022, "known_on": "2022-12-31"}}
    lines = brief_content.members_cited(s, "en")
    assert any("Thanh Nien" in line and "observed after the assessment's date" in line for line in lines)
    assert not any("72/KH-UBND" in line for line in lines)  # decided in 2024
    assert lines and all(line.startswith(("Can Tho: ", "Hau Giang: ", "Soc Trang: ")) for line in lines)
    whole = brief_content.members_cited({**s, "as_of": None}, "en")
    assert any("72/KH-UBND" in line for line in whole) and all("(former province): " in line for line in whole)
    assert brief_content.named(s, "en") == "Can Tho + Hau Giang + Soc Trang"
    assert brief_content.named({**s, "as_of": {"until": 2025, "known_on": "2025-12-31"}}, "en") == \
        brief_text.region_name("can_tho_2025", "en")  # Resolution 202/2025 known by then
    lai = {**s, "region": "lai_chau_2025", "as_of": None}
    assert brief_content.members_cited(lai, "en") and brief_content.named({**lai, "as_of": s["as_of"]}, "en") == "Lai Chau"
    assert all(line.startswith("Lai Chau (former province): ") for line in brief_content.members_cited(lai, "en"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_as_of_briefing_says_so_first_and_an_unconverged_fit_is_said(summary, lang):
    from covsim.calibration.forecast import convergence

    from .leaks import context, leaks

    failed = convergence({"method": "laplace-importance", "pareto_k": 0.95, "ess": 50.0})  # as the fit words it
    as_of = {"until": 2016, "known_on": "2017-03-01", "known": "2017-03-01", "convergence": failed}
    s = {**summary, "as_of": as_of}
    brief = brief_content.briefing(s, lang)
    first = brief.paragraph.split(". ")[0]
    assert ("cuối năm 2016" if lang == "vi" else "end of 2016") in first
    assert ("01/03/2017" if lang == "vi" else "2017-03-01") in first
    # said, in the language; the diagnostics' own (English) words are on stderr and in --json, not on paper
    assert brief_text.b("as_of_unconverged", lang) in brief.paragraph and "Pareto k" not in brief.paragraph
    # what the extra insured and cost are against: the policy decided by the day, not today's
    day = "01/03/2017" if lang == "vi" else "2017-03-01"
    assert any(k == brief_text.b("k_extra_insured.as_of", lang, year=2020, day=day) for k, _ in brief.key_numbers)
    assert brief_text.no_change_text(s, lang) == brief_text.b("changed_none.as_of", lang, day=day)
    assert brief.key_numbers[0][0] == brief_text.b("k_as_of", lang, until=2016)
    assert brief.key_numbers[0][1] == ("01/03/2017" if lang == "vi" else "2017-03-01")
    assert ("2016" in [v for _, v in brief.reproduce]) and ("2017-03-01" in [v for _, v in brief.reproduce])
    assert summary["assumptions"]["parameters_hash"] in [v for _, v in brief.reproduce]  # a refit is told apart
    # no later figure in this summary: no hollow circles promised
    assert ("vòng tròn rỗng" if lang == "vi" else "hollow circles") not in brief.paragraph
    # the compared baseline is the policy decided by the day, not today's laws (51/2024 among them)
    compared = next(k for k, _ in brief.key_numbers if k.startswith(brief_text.b("k_compare_p", lang, name="")[:20]))
    assert brief_text.b("as_of_policy", lang, day=("01/03/2017" if lang == "vi" else "2017-03-01")) in compared
    assert "51/2024" not in compared
    # --known given: in the reproduce rows; not given: its default day, which the CLI refuses, is left out
    unknown = brief_content.briefing({**summary, "as_of": {**as_of, "known_on": "2016-12-31", "known": None}}, lang)
    assert "2016-12-31" not in [v for _, v in unknown.reproduce] and "2016" in [v for _, v in unknown.reproduce]
    plain = brief_content.briefing(summary, lang)
    assert "2016" not in plain.paragraph.split(". ")[0] and len(plain.key_numbers) == len(brief.key_numbers) - 1
    compliance = "tuân thủ của chủ sử dụng lao động giữ ở" if lang == "vi" else "employers' compliance held at"
    assert compliance in brief.method and compliance not in plain.method  # only an as-of fit holds it
    # as of 2016 Law 46/2014's drive is held; Law 51/2024's reference level is not yet (today's is)
    assert "46/2014" in brief.method and "51/2024" not in brief.method and "51/2024" in plain.method
    found = leaks(brief.paragraph, lang)
    assert not found, context(brief.paragraph, found)


def test_an_as_of_briefing_counts_a_change_against_the_policy_known_then(tmp_path):
    """Pupils' 50% from 2026, as of 2023: Decree 188/2025 (50% from 2025) was not yet decided, so the
    paper lists it as a change, as the run applies it; it said "as in force already" by today's table."""
    path = tmp_path / "ph.toml"
    path.write_text('name = "ph"\nbaseline = "vietnam"\n[reform]\n"state_share.pupil_student" = { 2026 = 0.5 }\n')
    req = {"id": 3, "scenario": str(path), "scheme": "bhyt", "start": 2026, "target": 95, "year": 2027,
           "compare": None, "levers": {}}
    s = callbacks.compute_request(req, 10, 0)
    assert "error" not in s, s.get("error")
    today, _ = brief_content.changes(s, "en")
    then, first = brief_content.changes({**s, "as_of": {"until": 2023, "known_on": "2023-12-31", "known": None,
                                                         "convergence": {"converged": True}}}, "en")
    assert [r[3] for r in today] == [False] and [r[3] for r in then] == [True] and first == 2026
    as_of = brief_content.briefing({**s, "as_of": {"until": 2023, "known_on": "2023-12-31", "known": None,
                                                   "convergence": {"converged": True}}}, "en")
    assert "Tested against the policy of" in as_of.paragraph and "decided by 2023-12-31" in as_of.paragraph


def test_a_compared_users_file_is_named_and_fingerprinted_not_called_the_policy_in_force(tmp_path, capsys):
    """`--compare my.toml` was worded "the policy in force" whatever the file changed, and the
    briefing named it nowhere: now by its name, as the briefing's own scenario is, and its hash."""
    import docx

    from covsim.simulator import load_scenario

    other = tmp_path / "vlc.toml"
    other.write_text('name = "vl_compare"\nbaseline = "vinh_long"\n[reform]\n"state_share.household" = { 2027 = 0.3 }\n')
    out = tmp_path / "b.docx"
    assert main(["brief", "vinh_long", "--target", "0.9", "--year", "2030", "--draws", "10", "--lang", "en",
                 "--compare", str(other), "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    fingerprint = load_scenario(str(other)).hash
    assert printed["compare"]["scenario"] == "vl_compare" and printed["compare"]["scenario_hash"] == fingerprint
    # what the compared file ran, recorded whatever the file says later (until 2026-12-06 its name and hash only)
    definition = printed["compare"]["scenario_definition"]
    assert definition == load_scenario(str(other)).resolved() and definition["reform"]["state_share.household"]
    other.write_text('name = "vl_compare"\nbaseline = "vinh_long"\n')
    assert load_scenario(str(other)).resolved() != definition
    document = docx.Document(str(out))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    compared = next(c for c in cells if c.startswith("Probability of the same target under the compared scenario"))
    assert "“vl_compare”" in compared
    assert f"vl_compare ({fingerprint})" in cells


def test_an_as_of_briefing_names_the_2025_merger_only_once_it_was_decided():
    """Resolution 202/2025/QH15 was passed on 12 June 2025: a briefing as of 2012 said a province
    "is now part of" its 2025 unit."""
    def as_of(day):
        return {"as_of": {"until": int(day[:4]) - 1, "known_on": day, "known": day, "convergence": {"converged": True}}}

    assert brief_content._before_merger(as_of("2013-06-01")) and not brief_content._before_merger(as_of("2025-07-01"))
    assert not brief_content._before_merger({})  # a briefing of today names it


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_group_chart_caption_names_planned_targets_only_where_one_is_drawn(summary, lang):
    """Lai Chau's plan sets group targets, drawn as diamonds; where none is drawn (a plan without
    them, or an as-of paper that leaves later ones off) the caption did say "and planned targets"."""
    def caption(s):
        return dict(brief_content.briefing(s, lang).charts)["groups"]

    rows = summary["report"]["groups"]
    assert any(r.get("target") is not None for r in rows)
    assert caption(summary) == brief_text.b("c_groups.planned", lang, year=2020)
    bare = {**summary, "report": {**summary["report"], "groups": [{**r, "target": None} for r in rows]}}
    assert caption(bare) == brief_text.b("c_groups", lang, year=2020)
    assert ("kế hoạch" if lang == "vi" else "planned") not in caption(bare)


def test_the_pages_on_priors_line_is_a_sentence_of_its_own():
    """Under the page's probability the warning stood alone yet began in lower case ("mới hiệu chỉnh
    một phần: …"): the briefing's bracket words it so, the page's own line starts with a capital."""
    req = {"id": 1, "scenario": "ho_chi_minh_city_2025", "scheme": "bhyt", "start": 2026, "target": 95,
           "year": 2030, "levers": {}}
    s = callbacks.compute_request(req, 8, 0)
    for lang, start in (("vi", "Mới hiệu chỉnh một phần"), ("en", "Partly not calibrated")):
        (line,) = [c.children for c in callbacks.render(s, lang)["probability"] if getattr(c, "id", None) == "on-priors"]
        assert line.startswith(start)


def test_a_briefing_on_draws_of_an_unconverged_fit_says_so_on_paper(tmp_path):
    """A posterior written with --allow-unconverged was said on stderr only: the HTML's visible text
    called it 'calibrated to Lai Chau's figures' and the Word file said nothing. The method paragraph
    (briefing, workbook) and the page's line under the probability now say so."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import docx
    import xarray as xr

    from covsim.calibration.shipped import shipped_path

    user = tmp_path / "user"
    folder = user / "regions" / "lai_chau"
    folder.mkdir(parents=True)
    with xr.open_dataset(shipped_path("lai_chau")) as post:
        post.load().assign_attrs(unconverged="R-hat 2.300 > 1.05").to_netcdf(folder / "posterior.nc")
    env = dict(os.environ, COVSIM_USER_DIR=str(user))
    env.pop("COVSIM_DATA_DIR", None)
    said = {"en": "The parameters come from a fit that failed its convergence checks",
            "vi": "Các tham số lấy từ một lần hiệu chỉnh không đạt các kiểm tra hội tụ"}
    for lang, suffix in (("en", ".html"), ("vi", ".docx")):
        out = tmp_path / f"b{suffix}"
        done = subprocess.run([str(Path(sys.executable).parent / "covsim"), "brief", "lai_chau", "--target", "0.95",
                               "--year", "2030", "--draws", "10", "--lang", lang, "--out", str(out)],
                              capture_output=True, text=True, env=env, timeout=600)
        assert done.returncode == 0, done.stderr
        if suffix == ".html":
            visible = re.sub(r"<script.*?</script>", "", out.read_text(encoding="utf-8"), flags=re.S)
            assert said[lang] in visible
        else:
            assert said[lang] in "\n".join(p.text for p in docx.Document(out).paragraphs)
    s = dict(compute.summary(compute.full_result("lai_chau", "bhyt", {}, 2026, 0.95, 2030, draws=8, seed=0)))
    assert not s["assumptions"]["unconverged"]  # the shipped fit converged: nothing said
    s["assumptions"] = {**s["assumptions"], "unconverged": "R-hat 2.300 > 1.05"}
    (line,) = [c.children for c in callbacks.render(s, "vi")["probability"] if getattr(c, "id", None) == "unconverged"]
    assert line.startswith("Các tham số lấy từ một lần hiệu chỉnh không đạt")


def test_the_paper_the_workbook_and_the_csv_record_what_run_json_records_beside_the_hashes(summary):
    """The git commit (a checkout's), the user's own data files the data fingerprint covers and the
    libraries' versions: `run --json` records them; until 2026-12-07 the briefing, its workbook and
    the CSV did not, so a colleague holding only the paper could not tell which of their files or
    which numpy differed."""
    import io

    import numpy
    import openpyxl
    import pandas as pd

    from covsim.dashboard import briefing

    assert summary["assumptions"]["environment"]["numpy"] == numpy.__version__  # the run's own record
    mine = [{"file": "my_province/coverage.csv", "sha256": "0123456789abcdef"}]
    s = {**summary, "assumptions": {**summary["assumptions"], "code_commit": "4f48ef7", "user_data": mine}}
    for lang in ("vi", "en"):
        rows = dict(brief_content.briefing(s, lang).reproduce)
        assert rows[brief_text.b("r_code_commit", lang)] == "4f48ef7"
        assert rows[brief_text.b("r_user_data", lang)] == "my_province/coverage.csv (0123456789abcdef)"
        assert f"numpy {numpy.__version__}" in rows[brief_text.b("r_environment", lang)]
        sheet = openpyxl.load_workbook(io.BytesIO(briefing.to_excel(s, lang))).worksheets[-1]
        cells = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and r[0]}
        assert cells[brief_text.b("r_code_commit", lang)] == "4f48ef7"
        assert cells[brief_text.b("r_user_data", lang)] == "my_province/coverage.csv (0123456789abcdef)"
    csv = pd.read_csv(io.BytesIO(briefing.to_csv(s)), encoding="utf-8-sig")
    assert set(csv.code_commit) == {"4f48ef7"} and json.loads(csv.user_data[0]) == mine
    assert json.loads(csv.environment[0])["numpy"] == numpy.__version__
    # an installed package has no commit and a user no files of their own: no empty rows on paper
    bare = {**summary, "assumptions": {**summary["assumptions"], "code_commit": "", "user_data": []}}
    labels = [k for k, _ in brief_content.briefing(bare, "en").reproduce]
    assert brief_text.b("r_code_commit", "en") not in labels and brief_text.b("r_user_data", "en") not in labels


def test_the_papers_money_carries_its_80_percent_band(summary):
    """The state's cost and the fund's revenue in the key numbers, and the workbook's money columns,
    give their 80% band over the draws beside the mean (an audit, 2026-12-07: the mean alone)."""
    import io

    import openpyxl

    from covsim.dashboard import briefing
    from covsim.dashboard.excel import x

    year = summary["report"]["year"]
    row = next(r for r in summary["budget"] if r["year"] == year)
    assert row["state_cost_lo80"] <= row["state_cost"] <= row["state_cost_hi80"]
    assert row["extra_state_cost_lo80"] <= row["extra_state_cost"] <= row["extra_state_cost_hi80"]
    for lang in ("vi", "en"):
        numbers = dict(brief_content.briefing(summary, lang).key_numbers)
        cost = numbers[brief_text.b("k_state_cost", lang, year=year)]
        assert cost == brief_text.b("money_range", lang, mean=brief_text.billion(row["state_cost"], lang),
                                    lo=brief_text.billion(row["state_cost_lo80"], lang),
                                    hi=brief_text.billion(row["state_cost_hi80"], lang))
        sheet = openpyxl.load_workbook(io.BytesIO(briefing.to_excel(summary, lang))).worksheets[0]
        headers = [c.value for c in sheet[2]]
        lo, hi = headers.index(x("state_cost_lo80", lang)), headers.index(x("state_cost_hi80", lang))
        mean = headers.index(x("state_cost", lang))
        values = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == year)
        assert values[lo] <= values[mean] <= values[hi]
