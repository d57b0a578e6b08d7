"""The Excel export a planner can work in: headers in the session's language, shares as %, money in
tỷ đồng, whole people, number formats, column widths, frozen headers, and a sheet with the levers
changed and the assumptions.

Values stay numbers (a share 0.9369 shown as 93,7% by its format), so a planner can compute with
them; Excel shows the separators of its own locale.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .brief_content import changes, lever_phrase
from .brief_text import b, group_label, plan_name
from .i18n import region_name

PCT, PCT2, BN, PEOPLE, VND, POINTS, YEAR = "0.0%", "0.00%", "#,##0.0", "#,##0", "#,##0", "0.0", "0"

TEXT: dict[str, dict[str, str]] = {
    "s_coverage": {"vi": "Bao phủ theo năm", "en": "Coverage by year"},
    "s_groups": {"vi": "Theo nhóm đối tượng", "en": "By group"},
    "s_districts": {"vi": "Huyện - chỉ tiêu kế hoạch", "en": "Districts - planned"},
    "s_allocation": {"vi": "Huyện - phân bổ theo mô hình", "en": "Districts - model allocation"},
    "s_compare": {"vi": "So sánh kịch bản", "en": "Scenario comparison"},
    "s_figures": {"vi": "Số liệu thực tế và kế hoạch", "en": "Observed and planned"},
    "s_assumptions": {"vi": "Chính sách và giả định", "en": "Levers and assumptions"},
    "year": {"vi": "Năm", "en": "Year"},
    "q500": {"vi": "Tỷ lệ bao phủ: trung vị mô hình", "en": "Coverage: model median"},
    "q100": {"vi": "Khoảng 80%: cận dưới", "en": "80% band: lower"},
    "q900": {"vi": "Khoảng 80%: cận trên", "en": "80% band: upper"},
    "q025": {"vi": "Khoảng 95%: cận dưới", "en": "95% band: lower"},
    "q975": {"vi": "Khoảng 95%: cận trên", "en": "95% band: upper"},
    "observed": {"vi": "Tỷ lệ bao phủ thực tế", "en": "Observed coverage"},
    "planned": {"vi": "Chỉ tiêu kế hoạch", "en": "Planned target"},
    "insured": {"vi": "Số người tham gia (bình quân mô hình)", "en": "Insured people (model mean)"},
    "state_cost_national": {"vi": "Chi NSNN trung ương (tỷ đồng)", "en": "State budget, national (bn VND)"},
    "state_cost_local": {"vi": "Chi NSNN địa phương (tỷ đồng)", "en": "State budget, local (bn VND)"},
    "state_cost": {"vi": "Tổng chi NSNN hỗ trợ mức đóng (tỷ đồng)", "en": "State budget on premiums, total (bn VND)"},
    "premium_revenue": {"vi": "Thu quỹ BHYT từ mức đóng (tỷ đồng)", "en": "Fund premium revenue (bn VND)"},
    "base_salary": {"vi": "Mức lương cơ sở (đồng/tháng)", "en": "Base salary (VND a month)"},
    "extra_insured": {"vi": "Số người tham gia tăng thêm so với chính sách hiện hành",
                      "en": "Additional insured against the policy in force"},
    "extra_state_cost": {"vi": "Chi NSNN tăng thêm so với chính sách hiện hành (tỷ đồng)",
                         "en": "Extra state cost against the policy in force (bn VND)"},
    "cost_per_additional_insured": {"vi": "Chi NSNN tăng thêm / người tham gia thêm (đồng)",
                                    "en": "Extra state cost per additional insured (VND)"},
    "group": {"vi": "Nhóm đối tượng", "en": "Group"},
    "coverage": {"vi": "Tỷ lệ bao phủ năm mục tiêu: trung vị mô hình", "en": "Coverage in the target year: model median"},
    "target": {"vi": "Chỉ tiêu kế hoạch", "en": "Planned target"},
    "gap": {"vi": "Chỉ tiêu trừ bao phủ (điểm %; số âm: vượt chỉ tiêu)",
            "en": "Target minus coverage (points; negative: above target)"},
    "source": {"vi": "Nguồn", "en": "Source"},
    "district": {"vi": "Huyện, thành phố", "en": "District"},
    "population": {"vi": "Dân số", "en": "Population"},
    "planned_insured": {"vi": "Số người tham gia theo kế hoạch", "en": "Planned insured"},
    "rate": {"vi": "Tỷ lệ bao phủ", "en": "Coverage rate"},
    "model_insured": {"vi": "Số người tham gia cần đạt (mô hình)", "en": "Insured needed (model)"},
    "median_a": {"vi": "Kịch bản đang xét: trung vị", "en": "This scenario: median"},
    "median_b": {"vi": "Kịch bản so sánh: trung vị", "en": "Compared scenario: median"},
    "diff_lo": {"vi": "Chênh lệch: cận dưới khoảng 80% (điểm %)", "en": "Difference: 80% band lower (points)"},
    "diff_median": {"vi": "Chênh lệch: trung vị (điểm %)", "en": "Difference: median (points)"},
    "diff_hi": {"vi": "Chênh lệch: cận trên khoảng 80% (điểm %)", "en": "Difference: 80% band upper (points)"},
    "value": {"vi": "Tỷ lệ", "en": "Rate"},
    "kind": {"vi": "Loại số liệu", "en": "Kind"},
    "all": {"vi": "Toàn tỉnh/thành phố", "en": "Whole region"},
    "item": {"vi": "Nội dung", "en": "Item"},
    "status": {"vi": "Giá trị hoặc tính chất", "en": "Value or status"},
    "h_changes": {"vi": "Các thay đổi chính sách được thử", "en": "Policy changes tested"},
    "h_levers": {"vi": "Mức các chính sách dùng trong lần tính này", "en": "Lever levels used in this run"},
    "h_target": {"vi": "Mục tiêu đang xét", "en": "Target under test"},
    "h_method": {"vi": "Cách tính", "en": "Method"},
    "h_repro": {"vi": "Thông tin để tái lập kết quả", "en": "To reproduce the results"},
    "target_value": {"vi": "Chỉ tiêu bao phủ", "en": "Coverage target"},
    "target_year": {"vi": "Năm mục tiêu", "en": "Target year"},
    "probability": {"vi": "Xác suất đạt mục tiêu (mô hình)", "en": "Probability of reaching it (model)"},
    "model": {"vi": "mô hình (giả định)", "en": "model (assumed)"},
}


def x(key: str, lang: str) -> str:
    return TEXT[key][lang if lang in ("vi", "en") else "vi"]


def _title_row(ws, text: str, width: int) -> None:
    ws.append([text])
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def _sheet(wb: Workbook, name: str, title: str, columns: list[tuple[str, str | None]], rows: list[list],
           freeze_col: int = 1):
    """A sheet: a title row, a header row, the rows; formats per column; headers frozen."""
    ws = wb.create_sheet(name[:31])
    _title_row(ws, title, len(columns))
    ws.append([c for c, _ in columns])
    head = PatternFill("solid", fgColor="E8EEF6")
    for j in range(1, len(columns) + 1):
        cell = ws.cell(row=2, column=j)
        cell.font, cell.fill = Font(bold=True), head
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append(row)
    for j, (header, fmt) in enumerate(columns, start=1):
        letter = get_column_letter(j)
        longest = max([len(str(r[j - 1])) for r in rows if r[j - 1] is not None and isinstance(r[j - 1], str)] or [0])
        ws.column_dimensions[letter].width = min(60, max(10, min(len(header), 28) + 2, longest + 2 if longest else 0))
        if fmt:
            for i in range(3, len(rows) + 3):
                ws.cell(row=i, column=j).number_format = fmt
    ws.row_dimensions[2].height = 45
    ws.freeze_panes = ws.cell(row=3, column=freeze_col + 1 if freeze_col else 1)
    return ws


def _bn(v):
    return None if v is None else round(v / 1e9, 3)


def _whole(v):
    return None if v is None else int(round(v))


def coverage_rows(s: dict) -> tuple[list[tuple[str, str]], list[list]]:
    obs = {r["year"]: r["value"] for r in s["observed"]}
    plan = {r["year"]: r["value"] for r in s["targets"] if r["group"] == "all"}
    budget = {r["year"]: r for r in s.get("budget") or []}
    cols = [("year", YEAR), ("q500", PCT), ("q100", PCT), ("q900", PCT), ("q025", PCT), ("q975", PCT),
            ("observed", PCT), ("planned", PCT)]
    money = [("insured", PEOPLE, _whole), ("state_cost_national", BN, _bn), ("state_cost_local", BN, _bn),
             ("state_cost", BN, _bn), ("premium_revenue", BN, _bn), ("base_salary", VND, _whole),
             ("extra_insured", PEOPLE, _whole), ("extra_state_cost", BN, _bn),
             ("cost_per_additional_insured", VND, _whole)]
    money = [m for m in money if budget and m[0] in next(iter(budget.values()))]
    rows = []
    for i, year in enumerate(s["years"]):
        row = [year] + [s["fan"][q][i] for q in ("q500", "q100", "q900", "q025", "q975")] + [obs.get(year), plan.get(year)]
        r = budget.get(year, {})
        row += [f(r.get(k)) for k, _, f in money]
        rows.append(row)
    return cols + [(k, fmt) for k, fmt, _ in money], rows


def to_excel(s: dict, lang: str = "vi") -> bytes:
    """The workbook's bytes for a result summary, in the session's language."""
    wb = Workbook()
    wb.remove(wb.active)
    region, rep = region_name(s["region"], lang), s["report"]
    plan = plan_name(s["scenario"], lang)
    head = f"{region} — {plan}"

    cols, rows = coverage_rows(s)
    _sheet(wb, x("s_coverage", lang), head, [(x(k, lang), f) for k, f in cols], rows)

    groups = rep.get("groups") or []
    if groups:
        _sheet(wb, x("s_groups", lang), f"{head} — {rep['year']}",
               [(x("group", lang), None), (x("coverage", lang), PCT), (x("target", lang), PCT), (x("gap", lang), POINTS),
                (x("source", lang), None)],
               [[group_label(g["group"], lang), g["coverage"], g.get("target"),
                 None if g.get("gap") is None else round(100 * g["gap"], 2), g.get("source")] for g in groups])
    d = s.get("districts") or {}
    if d.get("available"):
        _sheet(wb, x("s_districts", lang), head,
               [(x("year", lang), YEAR), (x("district", lang), None), (x("planned_insured", lang), PEOPLE),
                (x("population", lang), PEOPLE), (x("rate", lang), PCT2), (x("source", lang), None)],
               [[r["year"], r["district"], _whole(r["insured"]), _whole(r["population"]),
                 None if r["rate_stated"] is None else r["rate_stated"] / 100, r["source"]] for r in d["planned"]],
               freeze_col=2)
        if d.get("allocation"):
            _sheet(wb, x("s_allocation", lang), f"{head} — {percent_text(rep['target'], lang)} {rep['year']}",
                   [(x("year", lang), YEAR), (x("district", lang), None), (x("model_insured", lang), PEOPLE),
                    (x("population", lang), PEOPLE), (x("rate", lang), PCT2)],
                   [[r["year"], r["unit"], _whole(r["insured"]), _whole(r["population"]), r["rate"]]
                    for r in d["allocation"]], freeze_col=2)
    c = s.get("compare")
    if c:
        _sheet(wb, x("s_compare", lang), f"{head} / {plan_name(c['name'], lang)}",
               [(x("year", lang), YEAR), (x("median_a", lang), PCT), (x("median_b", lang), PCT),
                (x("diff_lo", lang), POINTS), (x("diff_median", lang), POINTS), (x("diff_hi", lang), POINTS)],
               [[y, a, bb, round(100 * lo, 2), round(100 * md, 2), round(100 * hi, 2)]
                for y, a, bb, lo, md, hi in zip(c["years"], c["median_a"], c["median_b"], c["diff"]["lo"],
                                                c["diff"]["median"], c["diff"]["hi"])])
    figures = [[r["year"], x("all", lang), r["value"], b("status_observed", lang), r["source"]] for r in s["observed"]]
    figures += [[r["year"], x("all", lang) if r["group"] == "all" else group_label(r["group"], lang), r["value"],
                 b("status_planned", lang), r["source"]] for r in s["targets"]]
    _sheet(wb, x("s_figures", lang), head,
           [(x("year", lang), YEAR), (x("group", lang), None), (x("value", lang), PCT), (x("kind", lang), None),
            (x("source", lang), None)], figures)
    _assumptions(wb, s, lang, head)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def percent_text(share: float, lang: str) -> str:
    from .brief_text import percent

    return percent(share, lang, 1)


def _assumptions(wb: Workbook, s: dict, lang: str, head: str) -> None:
    """The levers changed (with status and source), the levels used, the target, the method and
    what reproduces the run: one section after another, a bold line heading each."""
    rep, a = s["report"], s["assumptions"]
    rows: list[list] = []
    sections = []

    def section(key: str, body: list[list]) -> None:
        sections.append(len(rows) + 3)
        rows.append([x(key, lang), None, None])
        rows.extend(body)

    found, _ = changes(s, lang)
    section("h_changes", [[r[0][:1].upper() + r[0][1:], r[1], r[2]] for r in found] or [[b("changed_none", lang), None, None]])
    section("h_levers", [[lever_phrase(p, v, lang)[:1].upper() + lever_phrase(p, v, lang)[1:], b("status_tested", lang) if p in s["changed"] else "", None]
                         for p, v in sorted(s["levers"].items()) if v is not None])
    section("h_target", [[x("target_value", lang), rep["target"], None], [x("target_year", lang), rep["year"], None],
                         [x("probability", lang), rep["probability"], x("model", lang)]])
    section("h_method", [[b("model_text", lang, region=region_name(s["region"], lang)), None, None]])
    section("h_repro", [[b("r_draws", lang), a["draws"], None], [b("r_seed", lang), a["seed"], None],
                        [b("r_start", lang), s["start"], None], [b("r_scenario_hash", lang), a["scenario_hash"], None],
                        [b("r_data_hash", lang), a["data_hash"], None], [b("r_code_version", lang), a["code_version"], None]])
    ws = _sheet(wb, x("s_assumptions", lang), head,
                [(x("item", lang), None), (x("status", lang), None), (x("source", lang), None)], rows, freeze_col=0)
    ws.column_dimensions["A"].width = 80
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 60
    for r in range(3, len(rows) + 3):
        ws.cell(row=r, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=3).alignment = Alignment(wrap_text=True, vertical="top")
    for r in sections:
        ws.cell(row=r, column=1).font = Font(bold=True)
    for r in range(3, len(rows) + 3):  # the target and the probability are shares
        if ws.cell(row=r, column=1).value in (x("target_value", lang), x("probability", lang)):
            ws.cell(row=r, column=2).number_format = PCT


def polish(ws, formats: dict[str, str], header_row: int = 1) -> None:
    """Number formats by column header, widths to fit, the header row frozen: for a sheet pandas
    wrote (e.g. `covsim allocate`'s, whose column names are a public shape and stay)."""
    for cell in ws[header_row]:
        letter = get_column_letter(cell.column)
        values = [ws.cell(row=r, column=cell.column).value for r in range(header_row + 1, ws.max_row + 1)]
        longest = max([len(str(v)) for v in values if isinstance(v, str)] or [0])
        ws.column_dimensions[letter].width = min(60, max(10, len(str(cell.value or "")) + 2, longest + 2))
        cell.font = Font(bold=True)
        fmt = formats.get(cell.value)
        if fmt:
            for r in range(header_row + 1, ws.max_row + 1):
                ws.cell(row=r, column=cell.column).number_format = fmt
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
