"""Every label of the dashboard in Vietnamese and English, and number formats of each language.

Vietnamese writes 1.179.440 người and 93,69%: "." groups thousands, "," marks decimals.
"""
from __future__ import annotations

import math

from .compute import lever_labels

LANGUAGES = ("vi", "en")
DEFAULT = "vi"

TEXT: dict[str, dict[str, str]] = {
    "title": {"vi": "Mô phỏng bao phủ bảo hiểm y tế", "en": "Health insurance coverage simulator"},
    "region": {"vi": "Tỉnh/thành", "en": "Region"},
    "scenario": {"vi": "Kịch bản", "en": "Scenario"},
    "scheme": {"vi": "Loại bảo hiểm", "en": "Scheme"},
    "language": {"vi": "Ngôn ngữ", "en": "Language"},
    "levers": {"vi": "Chính sách", "en": "Policy levers"},
    "lever_start": {"vi": "Áp dụng từ năm", "en": "In force from"},
    "target": {"vi": "Mục tiêu bao phủ (%)", "en": "Coverage target (%)"},
    "target_year": {"vi": "Năm mục tiêu", "en": "Target year"},
    "reset": {"vi": "Về kịch bản gốc", "en": "Reset to baseline"},
    "probability": {"vi": "Xác suất đạt mục tiêu", "en": "Probability of reaching the target"},
    "coverage": {"vi": "Tỷ lệ bao phủ", "en": "Coverage"},
    "median": {"vi": "Trung vị mô hình", "en": "Model median"},
    "band80": {"vi": "Khoảng 80% (mô hình)", "en": "80% band (model)"},
    "band95": {"vi": "Khoảng 95% (mô hình)", "en": "95% band (model)"},
    "observed": {"vi": "Số liệu thực tế (quan sát)", "en": "Observed"},
    "planned": {"vi": "Chỉ tiêu kế hoạch", "en": "Planned target"},
    "target_line": {"vi": "Mục tiêu đang xét", "en": "Target under test"},
    "year": {"vi": "Năm", "en": "Year"},
    "groups": {"vi": "Bao phủ theo nhóm đối tượng", "en": "Coverage by group"},
    "group_target": {"vi": "Chỉ tiêu nhóm (kế hoạch)", "en": "Group target (planned)"},
    "budget": {"vi": "Ngân sách nhà nước và thu quỹ", "en": "State budget and fund revenue"},
    "state_cost_national": {"vi": "NSNN trung ương", "en": "State budget, national"},
    "state_cost_local": {"vi": "NSNN địa phương", "en": "State budget, local"},
    "premium_revenue": {"vi": "Thu quỹ BHYT", "en": "Fund premium revenue"},
    "billion_vnd": {"vi": "tỷ đồng", "en": "bn VND"},
    "per_insured": {"vi": "Chi phí NSNN cho mỗi người tham gia thêm", "en": "State cost per additional insured"},
    "people": {"vi": "người", "en": "people"},
    "median_coverage": {"vi": "Bao phủ trung vị", "en": "Median coverage"},
    "districts": {"vi": "Theo huyện (chỉ tiêu kế hoạch)", "en": "By district (planned targets)"},
    "no_districts": {"vi": "Không có số liệu cấp huyện cho tỉnh này", "en": "No district data for this region"},
    "not_for_scheme": {"vi": "Không áp dụng cho loại bảo hiểm này", "en": "Not available for this scheme"},
    "denominator": {"vi": "Mẫu số", "en": "Denominator"},
    "error": {"vi": "Dữ liệu nhập không hợp lệ", "en": "Invalid input"},
    "draws": {"vi": "lần mô phỏng", "en": "draws"},
    "bhyt": {"vi": "BHYT", "en": "Health (BHYT)"},
    "bhxh": {"vi": "BHXH", "en": "Social (BHXH)"},
    "bhtn": {"vi": "BHTN", "en": "Unemployment (BHTN)"},
    "near_poor": {"vi": "Cận nghèo", "en": "Near-poor"},
    "pupil_student": {"vi": "Học sinh, sinh viên", "en": "Pupils and students"},
    "farm_household": {"vi": "Hộ nông, lâm, ngư nghiệp", "en": "Farm households"},
    "household": {"vi": "Hộ gia đình", "en": "Households"},
    "group": {"vi": "Nhóm", "en": "Group"},
    "levers_note": {"vi": "Giá trị ban đầu là mức đang áp dụng của kịch bản; tỷ lệ tính theo % mức đóng.",
                    "en": "Levers start at the scenario's current values; shares in % of the premium."},
    "labour_levers_note": {"vi": "Với BHXH/BHTN chỉ các đòn bẩy thị trường lao động có tác dụng.",
                           "en": "For BHXH/BHTN only the labour-force levers apply."},
    "stop": {"vi": "Dừng", "en": "Stop"},
    "computing": {"vi": "Đang tính…", "en": "Computing…"},
    "assumed": {"vi": "giả định (mô hình)", "en": "assumed (model)"},
    "compare": {"vi": "So sánh với kịch bản", "en": "Compare with scenario"},
    "comparison": {"vi": "So sánh hai kịch bản (cùng lần mô phỏng, cùng seed)",
                   "en": "Two scenarios side by side (same draws and seed)"},
    "difference": {"vi": "Chênh lệch bao phủ (điểm %)", "en": "Coverage difference (points)"},
    "current": {"vi": "Kịch bản đang xét", "en": "Current scenario"},
    "cum_cost": {"vi": "Chi NSNN cộng dồn", "en": "Cumulative state cost"},
    "export": {"vi": "Xuất kết quả", "en": "Export"},
    "briefing": {"vi": "Báo cáo tóm tắt (HTML)", "en": "Briefing (HTML)"},
    "briefing_docx": {"vi": "Báo cáo tóm tắt (Word)", "en": "Briefing (Word)"},
    "briefing_pdf": {"vi": "Báo cáo tóm tắt (PDF)", "en": "Briefing (PDF)"},
    "csv": {"vi": "CSV", "en": "CSV"},
    "excel": {"vi": "Excel", "en": "Excel"},
    "netcdf": {"vi": "NetCDF", "en": "NetCDF"},
    "assumptions": {"vi": "Giả định", "en": "Assumptions"},
    "sources": {"vi": "Nguồn số liệu", "en": "Sources"},
    "key_numbers": {"vi": "Các con số chính", "en": "Key numbers"},
    "seed": {"vi": "Seed", "en": "Seed"},
    "data_hash": {"vi": "Mã dữ liệu", "en": "Data hash"},
    "code_version": {"vi": "Phiên bản mã", "en": "Code version"},
    "scenario_definition": {"vi": "Định nghĩa kịch bản", "en": "Scenario definition"},
    "parameters": {"vi": "Tham số", "en": "Parameters"},
    "first_year": {"vi": "Năm đạt (và giữ) mục tiêu, một nửa số lần mô phỏng",
                   "en": "Reached (and held) by, in half the draws"},
    "never": {"vi": "chưa đạt đến năm cuối", "en": "not within the run"},
    "planned_district": {"vi": "Chỉ tiêu huyện (kế hoạch)", "en": "District target (planned)"},
    "model_allocation": {"vi": "Phân bổ theo mô hình", "en": "Model-based allocation"},
    "allocation_unavailable": {"vi": "Không phân bổ được theo mô hình", "en": "No model-based allocation"},
    "of_labour_force": {"vi": "lực lượng lao động", "en": "labour force"},
    "of_population": {"vi": "dân số", "en": "population"},
    "internal_error": {"vi": "Lỗi khi tính", "en": "Computation failed"},
    "scheme_switch_note": {"vi": "BHXH/BHTN: bao phủ tính trên", "en": "BHXH/BHTN: coverage of the"},
    "probability_of": {"vi": "xác suất đạt", "en": "probability of reaching"},
    "in_year": {"vi": "năm", "en": "in"},
    "legend_note": {"vi": "● quan sát (số liệu thực tế) · ◇ - - kế hoạch (chỉ tiêu) · ── / vùng màu: giả định (mô hình)",
                    "en": "● observed · ◇ - - planned (targets) · ── / shaded: assumed (model)"},
    "generated": {"vi": "Tạo lúc", "en": "Generated"},
    "print_hint": {"vi": "In trang này (Ctrl+P) để có bản giấy.", "en": "Print this page (Ctrl+P) for paper."},
    "ping": {"vi": "ping", "en": "ping"},
    "on_priors": {"vi": "chưa hiệu chỉnh: tham số lấy từ phân phối tiên nghiệm, chưa khớp với số liệu quan sát",
                  "en": "not calibrated: the parameters are the priors, not fitted to any observation"},
    "per_insured_year": {"vi": "Chi phí NSNN tăng thêm / người tham gia thêm (so với kịch bản gốc)",
                         "en": "Extra state cost per additional insured (against the baseline)"},
    "vnd": {"vi": "đồng", "en": "VND"},
    "baseline": {"vi": "Kịch bản gốc", "en": "Baseline"},
    "description": {"vi": "Mô tả", "en": "Description"},
    "value": {"vi": "Giá trị", "en": "Value"},
    "lever": {"vi": "Đòn bẩy", "en": "Lever"},
    "fan": {"vi": "Bao phủ theo năm: trung vị, khoảng 80% và 95%", "en": "Coverage by year: median, 80% and 95% bands"},
    "download": {"vi": "Tải về", "en": "Download"},
}

# The levers' labels come from the lever registry (NAME, NAME.column, NAME.description).
TEXT.update(lever_labels())


def t(key: str, lang: str) -> str:
    texts = TEXT[key] if key in TEXT else lever_labels()[key]  # a lever registered after import
    return texts[lang if lang in LANGUAGES else DEFAULT]


def region_name(region: str, lang: str) -> str:
    """A region's name from the data (regions.csv), not from this file: adding a region adds its label."""
    from . import compute

    return compute.region_name(region, lang if lang in LANGUAGES else DEFAULT)


def number(value: float, lang: str, decimals: int = 0) -> str:
    """1179440 -> '1.179.440' (vi) or '1,179,440' (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def percent(share: float, lang: str, decimals: int = 1) -> str:
    """0.9369 -> '93,7%' (vi) or '93.7%' (en)."""
    return number(100.0 * share, lang, decimals) + "%"
