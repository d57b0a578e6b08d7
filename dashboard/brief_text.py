"""The briefing's words in Vietnamese and English, and its numbers and time formatted with Babel.

Kept apart from `i18n.TEXT` (the page's labels) so the briefing's sentences, plan names and lever
wording live in one place that the Word, PDF and HTML renderers share.
"""
from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
LOCALES = {"vi": "vi_VN", "en": "en_GB"}

TEXT: dict[str, dict[str, str]] = {
    "title": {"vi": "Báo cáo tóm tắt: khả năng đạt mục tiêu bao phủ {scheme} của {region}",
              "en": "Briefing: can {region} reach its {scheme} coverage target?"},
    "under": {"vi": "Theo {plan}", "en": "Under {plan}"},
    "generated": {"vi": "Lập lúc {time} (giờ Việt Nam)", "en": "Prepared at {time} (Viet Nam time)"},
    "changed_by_plan": {"vi": "Nội dung được thử so với chính sách hiện hành của {region}: {items}.",
                        "en": "Tested against the policy now in force in {region}: {items}."},
    "changed_none": {"vi": "Không thay đổi chính sách nào: kết quả là của chính sách hiện hành.",
                     "en": "No policy was changed: the results are those of the policy in force."},
    "from_year": {"vi": "từ năm {year}", "en": "from {year}"},
    "p_sentence": {"vi": "Xác suất đạt mục tiêu bao phủ {target} {denominator} vào năm {year} là {p} "
                         "(trên {draws} lần mô phỏng).",
                   "en": "The probability of reaching {target} of the {denominator} in {year} is {p} "
                         "(over {draws} simulation draws)."},
    "extra_sentence": {"vi": "So với chính sách hiện hành, năm {year} có thêm {people} người tham gia; "
                             "chi ngân sách nhà nước tăng thêm {cost} tỷ đồng trong năm đó "
                             "(bình quân {mean} tỷ đồng/năm giai đoạn {first}–{year}), "
                             "tức {per} đồng cho mỗi người tham gia thêm.",
                       "en": "Against the policy in force, {people} more people are insured in {year}; "
                             "the state budget spends {cost} bn VND more that year "
                             "(on average {mean} bn VND a year over {first}–{year}), "
                             "that is {per} VND per additional insured person."},
    "extra_none": {"vi": "Không có người tham gia tăng thêm so với chính sách hiện hành nên không tính "
                         "chi phí cho mỗi người tham gia thêm.",
                   "en": "No one more is insured than under the policy in force, so there is no cost per "
                         "additional insured person."},
    "no_budget": {"vi": "Mô hình chưa tính chi ngân sách cho {scheme}.",
                  "en": "The model does not compute budget costs for {scheme}."},
    "k_probability": {"vi": "Xác suất đạt mục tiêu {target} {denominator} năm {year}",
                      "en": "Probability of reaching {target} of the {denominator} in {year}"},
    "k_median": {"vi": "Tỷ lệ bao phủ năm {year}: trung vị (khoảng 80%)",
                 "en": "Coverage in {year}: median (80% interval)"},
    "k_first": {"vi": "Năm đạt mục tiêu và giữ được đến năm cuối, ở một nửa số lần mô phỏng",
                "en": "Year the target is reached and held, in half the draws"},
    "k_never": {"vi": "chưa đạt trước năm {end}", "en": "not by {end}"},
    "k_extra_insured": {"vi": "Số người tham gia tăng thêm năm {year}, so với chính sách hiện hành",
                        "en": "Additional insured in {year}, against the policy in force"},
    "k_extra_cost": {"vi": "Chi ngân sách nhà nước tăng thêm năm {year}, so với chính sách hiện hành",
                     "en": "Extra state budget cost in {year}, against the policy in force"},
    "k_extra_mean": {"vi": "Chi ngân sách nhà nước tăng thêm bình quân mỗi năm {first}–{year}",
                     "en": "Extra state budget cost a year on average, {first}–{year}"},
    "k_per_insured": {"vi": "Chi ngân sách tăng thêm cho mỗi người tham gia thêm, năm {year}",
                      "en": "Extra state cost per additional insured person, {year}"},
    "k_state_cost": {"vi": "Tổng chi ngân sách nhà nước hỗ trợ mức đóng năm {year} (trung ương và địa phương)",
                     "en": "Total state budget spent on premiums in {year} (national and local)"},
    "k_revenue": {"vi": "Tổng thu quỹ BHYT từ mức đóng năm {year}", "en": "Health insurance fund premium revenue in {year}"},
    "k_compare_p": {"vi": "Xác suất đạt cùng mục tiêu theo kịch bản so sánh: {name}",
                    "en": "Probability of the same target under the compared scenario: {name}"},
    "k_compare_cost": {"vi": "Chi ngân sách cộng dồn {first}–{year}: kịch bản đang xét / kịch bản so sánh",
                       "en": "State budget cost summed over {first}–{year}: this scenario / compared scenario"},
    "people": {"vi": "người", "en": "people"},
    "billion": {"vi": "tỷ đồng", "en": "bn VND"},
    "vnd_per_person": {"vi": "đồng/người", "en": "VND per person"},
    "key_numbers": {"vi": "Các số liệu chính", "en": "Key numbers"},
    "charts": {"vi": "Biểu đồ", "en": "Charts"},
    "c_fan": {"vi": "Tỷ lệ bao phủ theo năm: trung vị và khoảng 80%, 95% của mô hình; số liệu thực tế; chỉ tiêu kế hoạch",
              "en": "Coverage by year: model median with 80% and 95% bands; observed figures; planned targets"},
    "c_groups": {"vi": "Bao phủ theo nhóm đối tượng năm {year}: mô hình và chỉ tiêu kế hoạch",
                 "en": "Coverage by group in {year}: model and planned targets"},
    "c_budget": {"vi": "Chi ngân sách nhà nước hỗ trợ mức đóng và thu quỹ BHYT theo năm (tỷ đồng)",
                 "en": "State budget spent on premiums and fund revenue by year (bn VND)"},
    "c_compare": {"vi": "So sánh với kịch bản {name}: trung vị hai kịch bản và chênh lệch (điểm %)",
                  "en": "Against {name}: both medians and the difference (points)"},
    "compared": {"vi": "Kịch bản so sánh", "en": "Compared scenario"},
    "annex": {"vi": "Phụ lục: giả định và nguồn số liệu", "en": "Annex: assumptions and sources"},
    "a_changes": {"vi": "Các thay đổi chính sách được thử", "en": "Policy changes tested"},
    "a_model": {"vi": "Cách tính", "en": "Method"},
    "a_sources": {"vi": "Nguồn số liệu thực tế và chỉ tiêu kế hoạch", "en": "Sources of observed figures and planned targets"},
    "a_repro": {"vi": "Thông tin để tái lập kết quả", "en": "To reproduce the results"},
    "status_planned": {"vi": "kế hoạch", "en": "planned"},
    "status_assumed": {"vi": "giả định", "en": "assumed"},
    "status_tested": {"vi": "người dùng nhập để thử", "en": "entered to test"},
    "same_as_now": {"vi": "như chính sách hiện hành", "en": "as in force already"},
    "status_observed": {"vi": "số liệu thực tế", "en": "observed"},
    "model_text": {"vi": "Mô hình đoàn hệ theo nhóm đối tượng tham gia; tham số lấy từ phân phối hậu nghiệm "
                         "đã hiệu chỉnh theo số liệu thực tế của {region} (hoặc toàn quốc khi tỉnh chưa có). "
                         "Số liệu tiền là bình quân các lần mô phỏng, giá danh nghĩa theo mức lương cơ sở "
                         "từng năm. Xác suất là tỷ lệ số lần mô phỏng đạt mục tiêu. Các kết quả của mô hình "
                         "là số liệu giả định, không phải số liệu thống kê.",
                   "en": "A cohort model by participant group; parameters drawn from the posterior calibrated "
                         "to {region}'s observed figures (the national ones where it has none). Money is the "
                         "mean over draws, in current đồng at each year's base salary. The probability is the "
                         "share of draws that reach the target. The model's results are assumptions, not "
                         "statistics."},
    "denominator_population": {"vi": "dân số", "en": "population"},
    "denominator_labour_force": {"vi": "lực lượng lao động", "en": "labour force"},
    "r_draws": {"vi": "Số lần mô phỏng", "en": "Simulation draws"},
    "r_seed": {"vi": "Hạt giống ngẫu nhiên", "en": "Random seed"},
    "r_scenario_hash": {"vi": "Mã định danh kịch bản", "en": "Scenario fingerprint"},
    "r_data_hash": {"vi": "Mã định danh bộ dữ liệu", "en": "Data fingerprint"},
    "r_code_version": {"vi": "Phiên bản chương trình", "en": "Program version"},
    "r_start": {"vi": "Năm bắt đầu áp dụng thay đổi", "en": "First year of the changes"},
    "current_policy": {"vi": "chính sách hiện hành", "en": "the policy in force"},
    "lever_state_share": {"vi": "tỷ lệ ngân sách nhà nước hỗ trợ mức đóng BHYT cho {group}: {value}",
                          "en": "state share of the health insurance premium for {group}: {value}"},
    "lever_local_top_up": {"vi": "ngân sách địa phương hỗ trợ thêm mức đóng BHYT cho {group}: {value}",
                           "en": "local budget top-up of the premium for {group}: {value}"},
    "lever_base_salary": {"vi": "mức lương cơ sở: {value} đồng/tháng", "en": "base salary: {value} VND a month"},
    "lever_outreach": {"vi": "vận động, tuyên truyền tham gia BHYT: cường độ {value} (thang log-odds)",
                       "en": "health insurance outreach drives: strength {value} (log-odds)"},
    "lever_enforcement": {"vi": "thanh tra, kiểm tra việc đóng BHXH của doanh nghiệp: cường độ {value} (thang log-odds)",
                          "en": "inspection of employers' social insurance contributions: strength {value} (log-odds)"},
    "lever_voluntary_outreach": {"vi": "vận động tham gia BHXH tự nguyện: cường độ {value} (thang log-odds)",
                                 "en": "drives for voluntary social insurance: strength {value} (log-odds)"},
    "lever_premium_rate": {"vi": "mức đóng BHYT: {value} mức lương cơ sở", "en": "premium rate: {value} of the base salary"},
    "lever_household_member_factor": {"vi": "mức đóng của thành viên thứ hai trở đi trong hộ gia đình: {value} mức của người thứ nhất",
                                      "en": "premium of the second and later household members: {value} of the first's"},
    "lever_voluntary_subsidy": {"vi": "ngân sách nhà nước hỗ trợ mức đóng BHXH tự nguyện cho {group}: {value}",
                                "en": "state share of the voluntary social insurance contribution for {group}: {value}"},
    "lever_other": {"vi": "{path}: {value}", "en": "{path}: {value}"},
}

#: Who the state share and top-up levers act on, as the law and the plans name them.
GROUPS: dict[str, dict[str, str]] = {
    "near_poor": {"vi": "người thuộc hộ gia đình cận nghèo", "en": "members of near-poor households"},
    "pupil_student": {"vi": "học sinh, sinh viên", "en": "pupils and students"},
    "farm_household": {"vi": "người thuộc hộ gia đình làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình",
                       "en": "members of farm, forestry, fishery and salt households of average living standard"},
    "household": {"vi": "người tham gia theo hộ gia đình", "en": "people enrolled by household"},
    # the plans' own group labels (Law 46/2014/QH13's five groups; the six groups of the 2012-2013 plans)
    "law1": {"vi": "Nhóm do người lao động và người sử dụng lao động đóng",
             "en": "Group paid by employers and employees"},
    "law2": {"vi": "Nhóm do tổ chức bảo hiểm xã hội đóng", "en": "Group paid by the social insurance agency"},
    "law3": {"vi": "Nhóm do ngân sách nhà nước đóng", "en": "Group paid by the state budget"},
    "law4": {"vi": "Nhóm được ngân sách nhà nước hỗ trợ mức đóng", "en": "Group part-paid by the state budget"},
    "law5": {"vi": "Nhóm tham gia theo hộ gia đình", "en": "Household group"},
    "near_poor+farm_household": {"vi": "Cận nghèo và hộ nông, lâm, ngư, diêm nghiệp",
                                 "en": "Near-poor and farm households"},
    "plan6_employee": {"vi": "Người lao động, cán bộ, công chức", "en": "Employees and civil servants"},
    "plan6_pensioner": {"vi": "Người hưởng lương hưu, trợ cấp BHXH", "en": "Pensioners and social insurance beneficiaries"},
    "plan6_poor_near_poor": {"vi": "Người nghèo và cận nghèo", "en": "Poor and near-poor"},
    "plan6_child_under6": {"vi": "Trẻ em dưới 6 tuổi", "en": "Children under 6"},
    "plan6_pupil_student": {"vi": "Học sinh, sinh viên", "en": "Pupils and students"},
    "plan6_farm_household_other": {"vi": "Hộ nông, lâm, ngư, diêm nghiệp và các đối tượng khác",
                                   "en": "Farm households and others"},
}

#: Each shipped scenario as the document it models: (name of the plan, its reference).
PLANS: dict[str, dict[str, str]] = {
    "ho_chi_minh_city_plan_2012": {
        "vi": "Kế hoạch thực hiện BHYT toàn dân giai đoạn 2012–2015 và 2016–2020 (Quyết định số 5063/QĐ-UBND "
              "ngày 02/10/2012 của UBND Thành phố Hồ Chí Minh)",
        "en": "the plan for universal health insurance 2012-2015 and 2016-2020 (Decision 5063/QD-UBND, "
              "Ho Chi Minh City People's Committee, 2 Oct 2012)"},
    "dong_nai_plan_2013": {
        "vi": "Kế hoạch của UBND tỉnh Đồng Nai thực hiện Kế hoạch số 162-KH/TU ngày 31/12/2013 và "
              "Nghị quyết số 21-NQ/TW ngày 22/11/2012 của Bộ Chính trị",
        "en": "the Dong Nai People's Committee plan implementing Plan 162-KH/TU (31 Dec 2013) and "
              "Politburo Resolution 21-NQ/TW (22 Nov 2012)"},
    "can_tho_plan_2024": {
        "vi": "Kế hoạch số 72/KH-UBND ngày 03/4/2024 của UBND thành phố Cần Thơ về chỉ tiêu phát triển "
              "người tham gia BHYT, BHXH, BHTN năm 2024",
        "en": "Plan 72/KH-UBND of the Can Tho People's Committee, 3 Apr 2024, on participant targets for 2024"},
    "lai_chau_plan_2016": {
        "vi": "Kế hoạch thực hiện BHYT toàn dân tỉnh Lai Châu giai đoạn 2016–2020 (Quyết định của "
              "UBND tỉnh Lai Châu ngày 09/12/2016)",
        "en": "the Lai Chau plan for universal health insurance 2016-2020 (Lai Chau People's Committee "
              "decision of 9 Dec 2016)"},
    "vinh_long_directive_2018": {
        "vi": "Chỉ thị số 06/CT-UBND ngày 10/4/2018 của UBND tỉnh Vĩnh Long về tăng cường các giải pháp "
              "phát triển đối tượng tham gia BHXH, BHYT, BHTN",
        "en": "Directive 06/CT-UBND of the Vinh Long People's Committee, 10 Apr 2018"},
}
PLANS["dong_nai_labour_2013"] = PLANS["dong_nai_plan_2013"]
PLANS["can_tho_labour_2024"] = PLANS["can_tho_plan_2024"]
PLANS["vinh_long_labour_2018"] = PLANS["vinh_long_directive_2018"]
CURRENT_POLICY = {"vi": "chính sách hiện hành (Luật BHYT số 25/2008/QH12, sửa đổi bởi Luật số 46/2014/QH13 "
                        "và Luật số 51/2024/QH15)",
                  "en": "the policy in force (Health Insurance Law 25/2008/QH12, amended by 46/2014/QH13 "
                        "and 51/2024/QH15)"}
SCHEMES = {"bhyt": {"vi": "bảo hiểm y tế", "en": "health insurance"},
           "bhxh": {"vi": "bảo hiểm xã hội", "en": "social insurance"},
           "bhtn": {"vi": "bảo hiểm thất nghiệp", "en": "unemployment insurance"}}


#: The region as a sentence names it ("chính sách hiện hành của cả nước", not "của Toàn quốc").
REGION_IN_TEXT = {"vietnam": {"vi": "cả nước", "en": "Viet Nam"}}


def region_name(region: str, lang: str) -> str:
    from . import i18n

    return REGION_IN_TEXT[region][lang] if region in REGION_IN_TEXT else i18n.region_name(region, lang)


def target_text(share: float, lang: str) -> str:
    """A target as the plan writes it: 90%, 96,8%, 93,69% (no trailing zeros)."""
    for decimals in (0, 1, 2):
        if abs(100 * share - round(100 * share, decimals)) < 1e-9:
            return percent(share, lang, decimals)
    return percent(share, lang, 2)


def b(key: str, lang: str, **values) -> str:
    """A briefing string in the language, its {fields} filled."""
    text = TEXT[key]["vi" if lang not in ("vi", "en") else lang]
    return text.format(**values) if values else text


def plan_name(scenario: str, lang: str) -> str:
    """The plan a scenario models, as its document is titled; a baseline is the policy in force."""
    return PLANS.get(scenario, CURRENT_POLICY)[lang]


def group_name(group: str, lang: str) -> str:
    if group in GROUPS:
        return GROUPS[group][lang]
    from .figures import group_label

    return group_label(group, lang)


def group_label(group: str, lang: str) -> str:
    """A group's name as a label (a table row, a chart axis): first letter capital."""
    text = group_name(group, lang)
    return text[:1].upper() + text[1:]


def number(value: float | None, lang: str, decimals: int = 0) -> str:
    """1179440 -> '1.179.440' (vi), '1,179,440' (en); Babel's rules of the language."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def percent(share: float | None, lang: str, decimals: int = 1) -> str:
    """0.968 -> '96,8%' (vi), '96.8%' (en)."""
    if share is None:
        return "–"
    return number(100.0 * share, lang, decimals) + "%"


def billion(vnd: float | None, lang: str, decimals: int = 1) -> str:
    return "–" if vnd is None else number(vnd / 1e9, lang, decimals)


def local_time(now: datetime, lang: str) -> str:
    """The time in Asia/Ho_Chi_Minh: '14:05 ngày 30/11/2026' (vi), '14:05, 30 Nov 2026' (en)."""
    pattern = "HH:mm 'ngày' dd/MM/yyyy" if lang == "vi" else "HH:mm, d MMM yyyy"
    return format_datetime(now, pattern, tzinfo=TIMEZONE, locale=LOCALES[lang])
