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

from . import catalogue, compute
from .brief_content import (as_of_sentences, changes, compared_plan, idle_text, lever_phrase, method_text,
                            named, run_rows, scenario_plan, scenario_rows)
from .brief_text import (b, day_text, figure_cell, monte_carlo_text, figures_by_year, group_label, published_label,
                         split_later)
from .i18n import (district_name, fixed_text, leans_on_text, mostly_prior_text, of_labour_force, region_name,
                   stand_ins_text, unverified_text)
from .sources import source_label

PCT, PCT2, BN, PEOPLE, VND, POINTS, YEAR = "0.0%", "0.00%", "#,##0.0", "#,##0", "#,##0", "0.0", "0"



def x(key: str, lang: str) -> str:
    return catalogue.text("excel", key, lang)


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


def coverage_rows(s: dict, lang: str = "vi") -> tuple[list[tuple[str, str]], list[list]]:
    """The coverage sheet's columns and rows; as of a year, the figures observed later in a column
    of their own (what followed, unknown to the fit)."""
    known, later = split_later(s)
    obs, plan = figures_by_year(known), figures_by_year(s["targets"])
    budget = {r["year"]: r for r in s.get("budget") or []}
    cols = [("year", YEAR), ("q500", PCT), ("q100", PCT), ("q900", PCT), ("q025", PCT), ("q975", PCT),
            ("observed", PCT), ("planned", PCT)] + ([("observed_later", PCT)] if s.get("as_of") else [])
    after = figures_by_year(later)
    money = [("insured", PEOPLE, _whole), ("state_cost_national", BN, _bn), ("state_cost_local", BN, _bn),
             ("state_cost", BN, _bn), ("state_cost_lo80", BN, _bn), ("state_cost_hi80", BN, _bn),
             ("premium_revenue", BN, _bn), ("base_salary", VND, _whole),
             ("extra_insured", PEOPLE, _whole), ("extra_state_cost", BN, _bn),
             ("extra_state_cost_lo80", BN, _bn), ("extra_state_cost_hi80", BN, _bn),
             ("cost_per_additional_insured", VND, _whole), ("cost_per_additional_insured_lo80", VND, _whole),
             ("cost_per_additional_insured_hi80", VND, _whole)]
    money = [m for m in money if budget and m[0] in next(iter(budget.values()))]
    rows = []
    for i, year in enumerate(s["years"]):
        row = [year] + [s["fan"][q][i] for q in ("q500", "q100", "q900", "q025", "q975")]
        row += [figure_cell(obs.get(year), lang), figure_cell(plan.get(year), lang)]
        row += [figure_cell(after.get(year), lang)] if s.get("as_of") else []
        r = budget.get(year, {})
        row += [f(r.get(k)) for k, _, f in money]
        rows.append(row)
    return cols + [(k, fmt) for k, fmt, _ in money], rows


def to_excel(s: dict, lang: str = "vi") -> bytes:
    """The workbook's bytes for a result summary, in the session's language."""
    wb = Workbook()
    wb.remove(wb.active)
    region, rep = named(s, lang), s["report"]
    plan = scenario_plan(s, lang)  # as of a year: the policy decided by then, not today's laws
    head = f"{region} — {plan}"

    cols, rows = coverage_rows(s, lang)
    # a labour scheme's coverage is of the labour force: its columns say so, as the page's axis does
    of = of_labour_force(s, lang)
    shares = {"q500", "q100", "q900", "q025", "q975", "observed", "planned", "observed_later"}
    _sheet(wb, x("s_coverage", lang), head, [(x(k, lang) + (of if k in shares else ""), f) for k, f in cols], rows)

    groups = rep.get("groups") or []
    if groups:
        _sheet(wb, x("s_groups", lang), f"{head} — {rep['year']}",
               [(x("group", lang), None), (x("coverage", lang), PCT), (x("target", lang), PCT), (x("gap", lang), POINTS),
                (x("source", lang), None)],
               [[group_label(g["group"], lang), g["coverage"], g.get("target"),
                 None if g.get("gap") is None else round(100 * g["gap"], 2), source_label(g.get("source"), lang)] for g in groups])
    d = s.get("districts") or {}
    if d.get("available"):
        _sheet(wb, x("s_districts", lang), head,
               [(x("year", lang), YEAR), (x("district", lang), None), (x("planned_insured", lang), PEOPLE),
                (x("population", lang), PEOPLE), (x("rate", lang), PCT2), (x("source", lang), None)],
               [[r["year"], district_name(r["district"], lang), _whole(r["insured"]), _whole(r["population"]),
                 None if r["rate_stated"] is None else r["rate_stated"] / 100, source_label(r["source"], lang)] for r in d["planned"]],
               freeze_col=2)
        if d.get("allocation"):
            _sheet(wb, x("s_allocation", lang), f"{head} — {percent_text(rep['target'], lang)} {rep['year']}",
                   [(x("year", lang), YEAR), (x("district", lang), None), (x("model_insured", lang), PEOPLE),
                    (x("population", lang), PEOPLE), (x("rate", lang), PCT2)],
                   [[r["year"], district_name(r["unit"], lang), _whole(r["insured"]), _whole(r["population"]), r["rate"]]
                    for r in d["allocation"]], freeze_col=2)
    c = s.get("compare")
    if c:
        _sheet(wb, x("s_compare", lang), f"{head} / {compared_plan(s, lang)}",
               [(x("year", lang), YEAR), (x("median_a", lang), PCT), (x("median_b", lang), PCT),
                (x("diff_lo", lang), POINTS), (x("diff_median", lang), POINTS), (x("diff_hi", lang), POINTS)],
               [[y, a, bb, round(100 * lo, 2), round(100 * md, 2), round(100 * hi, 2)]
                for y, a, bb, lo, md, hi in zip(c["years"], c["median_a"], c["median_b"], c["diff"]["lo"],
                                                c["diff"]["median"], c["diff"]["hi"])])
    figures = [[r["year"], x("all", lang), r["value"], x("observed_later", lang) if r.get("later")
                else b("figure_observed", lang), source_label(r["source"], lang)] for r in s["observed"]]
    figures += [[r["year"], x("all", lang) if r["group"] == "all" else group_label(r["group"], lang), r["value"],
                 b("figure_planned", lang), source_label(r["source"], lang)] for r in s["targets"]]
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
    rep, a, as_of = s["report"], s["assumptions"], s.get("as_of")
    rows: list[list] = []
    sections = []

    def section(key: str, body: list[list]) -> None:
        sections.append(len(rows) + 3)
        rows.append([x(key, lang), None, None])
        rows.extend(body)

    found, _ = changes(s, lang)
    section("h_changes", [[r[0][:1].upper() + r[0][1:], r[1], r[2]] for r in found] or [[b("changed_none", lang), None, None]])
    acting = {spec["path"] for spec in compute.lever_specs() if s["scheme"] in spec["schemes"]}  # the scheme's own
    phrase = lambda p, v: lever_phrase(p, v, lang, bool(as_of))  # noqa: E731 - as of a year, its own unit
    section("h_levers", [[phrase(p, v)[:1].upper() + phrase(p, v)[1:], b("status_tested", lang) if p in s["changed"] else "", None]
                         for p, v in sorted(s["levers"].items()) if v is not None and p in acting])
    section("h_target", [[x("target_value", lang), rep["target"], None], [x("target_year", lang), rep["year"], None],
                         [x("probability", lang), rep["probability"], x("model", lang)],
                         *([[published_label(rep, lang), rep["probability_published"], x("model", lang)]]
                           if "probability_published" in rep else []),
                         [b("k_mc", lang), monte_carlo_text(rep, lang), None],
                         *([[b("k_mc_published", lang), monte_carlo_text(rep, lang, "probability_published"), None]]
                           if "probability_published" in rep else [])]
            + ([[b("k_as_of", lang, until=as_of["until"]), day_text(as_of["known_on"], lang),
                 " ".join(as_of_sentences(s, lang))]] if as_of else []))
    assumed = mostly_prior_text(a.get("mostly_prior"), lang)  # fitted, yet mostly the priors: said on paper too
    unconfirmed = unverified_text(a.get("unverified_data"), lang)  # data rows no source here confirms
    later = stand_ins_text(a.get("stand_ins"), lang)  # as of a day: later figures standing in
    idle = idle_text(s, lang)  # the plan's levers this scheme does not read: no change, said so
    section("h_method", [[method_text(s, lang, named(s, lang)), None, None]]
            + ([[idle, None, None]] if idle else [])
            + [[fixed_text(s["scheme"], lang, s.get("region"), s["years"][-1], as_of), b("status_assumed", lang), None]]
            + ([[unconfirmed, b("status_assumed", lang), None]] if unconfirmed else [])
            + ([[later, b("status_assumed", lang), None]] if later else [])
            + ([[assumed, b("status_mostly_prior", lang), None]] if assumed else [])
            + ([[leans_on_text(s["leans_on"], lang), x("model", lang), None]] if s.get("leans_on") else []))
    section("h_repro", [[b("r_draws", lang), a["draws"], None], [b("r_seed", lang), a["seed"], None],
                        [b("r_start", lang), s["start"], None], [b("r_scenario_hash", lang), a["scenario_hash"], None],
                        [b("r_data_hash", lang), a["data_hash"], None],
                        [b("r_parameters_hash", lang), a.get("parameters_hash", ""), None],
                        [b("r_code_version", lang), a["code_version"], None]]
            + ([[b("r_until", lang), as_of["until"], None]] if as_of else [])
            + ([[b("r_known", lang), as_of["known"], None]] if as_of and as_of.get("known") else [])
            # a user's scenario by name and the compared one's fingerprint, as the briefing's table gives them
            + [[label, value, None] for label, value in scenario_rows(s, lang) + run_rows(s, lang)])
    ws = _sheet(wb, x("s_assumptions", lang), head,
                [(x("item", lang), None), (x("status", lang), None), (x("source", lang), None)], rows, freeze_col=0)
    ws.column_dimensions["A"].width = 80
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 60
    for r in range(3, len(rows) + 3):
        ws.cell(row=r, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=3).alignment = Alignment(wrap_text=True, vertical="top")
        if ws.cell(row=r, column=1).value == b("k_mc", lang):  # a sentence in the status column
            ws.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    for r in sections:
        ws.cell(row=r, column=1).font = Font(bold=True)
    shares = (x("target_value", lang), x("probability", lang), published_label(rep, lang))
    for r in range(3, len(rows) + 3):  # the target and the probabilities are shares
        label = ws.cell(row=r, column=1).value
        if label in shares:
            # a target to its hundredth, as the plans write it (95.15%, not 95.2%)
            ws.cell(row=r, column=2).number_format = PCT2 if label == x("target_value", lang) else PCT


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
