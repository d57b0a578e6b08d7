"""Exports of the current result: a self-contained HTML briefing fit to print, CSV and Excel.

Everything here reads the JSON summary the page holds (compute.summary); nothing runs the model.
"""
from __future__ import annotations

import html as _html
import io
import json
from datetime import datetime, timezone

import pandas as pd
import plotly.io as pio

from . import figures
from .i18n import number, percent, region_name, t

PRINT_CSS = """
body { font-family: system-ui, 'Segoe UI', Arial, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 22px; border-bottom: 1px solid #ccc; }
.big { font-size: 40px; font-weight: bold; } .muted { color: #555; font-size: 12px; }
table { border-collapse: collapse; font-size: 12px; } td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th { background: #f0f0f0; } td.l, th.l { text-align: left; } pre { white-space: pre-wrap; font-size: 11px; }
@media print { @page { size: A4; margin: 14mm; } body { margin: 0; } .figure { page-break-inside: avoid; }
  h2 { page-break-after: avoid; } .no-print { display: none; } }
"""


def _esc(x) -> str:
    return _html.escape(str(x))


def coverage_table(s: dict) -> pd.DataFrame:
    """Year by year: the model's quantiles, observed and planned figures, the budget."""
    df = pd.DataFrame({"year": s["years"], **{k: v for k, v in s["fan"].items()}})
    df = df.rename(columns={"q025": "p2_5", "q100": "p10", "q500": "median", "q900": "p90", "q975": "p97_5"})
    obs = {r["year"]: r["value"] for r in s["observed"]}
    plan = {}
    for r in s["targets"]:
        if r["group"] == "all":
            plan[r["year"]] = r["value"]
    df["observed"] = df.year.map(obs)
    df["planned_target"] = df.year.map(plan)
    if s.get("budget"):
        b = pd.DataFrame(s["budget"]).drop(columns=["insured"], errors="ignore")
        df = df.merge(b, on="year", how="left")
    df.insert(0, "scenario", s["scenario"])
    df.insert(1, "scheme", s["scheme"])
    return df


def assumptions_table(s: dict) -> pd.DataFrame:
    a = s["assumptions"]
    rows = [("scenario", s["scenario"]), ("region", s["region"]), ("scheme", s["scheme"]),
            ("description", s["description"]), ("denominator", s["denominator"]),
            ("lever_start", s["start"]), ("target", s["report"]["target"]), ("target_year", s["report"]["year"])]
    rows += [(f"lever {k}", v) for k, v in s["levers"].items()]
    rows += [(k, v) for k, v in a.items()]
    return pd.DataFrame(rows, columns=["key", "value"]).astype({"value": str})


def to_csv(s: dict) -> bytes:
    return coverage_table(s).to_csv(index=False).encode("utf-8-sig")


def to_excel(s: dict) -> bytes:
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as xl:
        coverage_table(s).to_excel(xl, sheet_name="coverage", index=False)
        pd.DataFrame(s["report"].get("groups") or []).to_excel(xl, sheet_name="groups", index=False)
        d = s.get("districts") or {}
        if d.get("available"):
            pd.DataFrame(d["planned"]).to_excel(xl, sheet_name="districts_planned", index=False)
            if d.get("allocation"):
                pd.DataFrame(d["allocation"]).to_excel(xl, sheet_name="districts_model", index=False)
        if s.get("compare"):
            c = s["compare"]
            pd.DataFrame({"year": c["years"], "median_current": c["median_a"], "median_other": c["median_b"],
                          "diff_p10": c["diff"]["lo"], "diff_median": c["diff"]["median"], "diff_p90": c["diff"]["hi"]}
                         ).to_excel(xl, sheet_name="comparison", index=False)
        pd.DataFrame(s["observed"]).assign(kind="observed").to_excel(xl, sheet_name="observed", index=False)
        pd.DataFrame(s["targets"]).assign(kind="planned").to_excel(xl, sheet_name="planned", index=False)
        assumptions_table(s).to_excel(xl, sheet_name="assumptions", index=False)
    return out.getvalue()


def key_numbers(s: dict, lang: str) -> list[tuple[str, str]]:
    rep = s["report"]
    first = rep["first_year_reached"]["p50"]
    priors = "" if s["assumptions"].get("calibrated", True) else f" · {t('on_priors', lang)}"
    rows = [(t("probability", lang), f"{percent(rep['probability'], lang, 0)} "
                                     f"({percent(rep['target'], lang, 2)}, {rep['year']}){priors}"),
            (t("median_coverage", lang) + f" {rep['year']}",
             f"{percent(rep['median_coverage'], lang, 2)} ({percent(rep['lo80'], lang, 1)}–"
             f"{percent(rep['hi80'], lang, 1)}, 80%)"),
            (t("first_year", lang), str(first) if first else t("never", lang))]
    per = per_insured(s)
    if per is not None:
        rows.append((t("per_insured_year", lang) + f" ({rep['year']})", f"{number(per, lang)} {t('vnd', lang)}"))
    if s.get("budget"):
        b = {r["year"]: r for r in s["budget"]}
        if rep["year"] in b:
            rows.append((f"{t('budget', lang)} {rep['year']}",
                         f"{number(b[rep['year']]['state_cost'] / 1e9, lang, 1)} {t('billion_vnd', lang)}"))
    c = s.get("compare")
    if c:
        rows.append((f"{t('compare', lang)}: {c['name']}", f"{percent(c['probability_b'], lang, 0)}"))
        if "cost_diff" in c:
            rows.append((f"{t('cum_cost', lang)} {c['cost_first']}–{c['cost_last']}",
                         f"{number(c['cost_a'] / 1e9, lang, 1)} vs {number(c['cost_b'] / 1e9, lang, 1)} "
                         f"{t('billion_vnd', lang)}"))
    return rows


def per_insured(s: dict) -> float | None:
    for r in s.get("budget") or []:
        if r["year"] == s["report"]["year"]:
            return r.get("cost_per_additional_insured")
    return None


def briefing_html(s: dict, lang: str) -> str:
    """One self-contained HTML page (plotly inlined once) with the numbers, figures and assumptions."""
    rep = s["report"]
    figs = [("fan", figures.fan_chart(s, lang))]
    if s["scheme"] == "bhyt":
        figs += [("groups", figures.groups_chart(s, lang)), ("budget", figures.budget_chart(s, lang))]
    d = figures.districts_chart(s, lang)
    if d is not None:
        figs.append(("districts", d))
    if s.get("compare"):
        figs.append(("comparison", figures.comparison_chart(s, lang)))
    parts = []
    for i, (key, fig) in enumerate(figs):
        fig = {"data": fig["data"], "layout": {**fig["layout"], "width": 900}}
        parts.append(f"<h2>{_esc(t(key, lang))}</h2><div class='figure'>"
                     + pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0), config={"displaylogo": False})
                     + "</div>")
    numbers = "".join(f"<tr><th class='l'>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in key_numbers(s, lang))
    assumptions = "".join(f"<tr><th class='l'>{_esc(k)}</th><td class='l'>{_esc(v)}</td></tr>"
                          for k, v in assumptions_table(s).itertuples(index=False))
    sources = sorted({r["source"] for r in s["observed"]} | {r["source"] for r in s["targets"]}
                     | {r["source"] for r in (s.get("districts") or {}).get("planned", [])})
    src = "".join(f"<li>{_esc(x)}</li>" for x in sources)
    title = f"{t('title', lang)} — {region_name(s['region'], lang)} — {s['scenario']}"
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{_esc(title)}</title><style>{PRINT_CSS}</style></head>
<body>
<h1>{_esc(title)}</h1>
<p class="muted">{_esc(s['description'])} · {_esc(s['scheme'].upper())} · {_esc(t('generated', lang))} {stamp}
 · <span class="no-print">{_esc(t('print_hint', lang))}</span></p>
<div class="big">{_esc(percent(rep['probability'], lang, 0))}</div>
<p>{_esc(t('probability', lang))}: {_esc(percent(rep['target'], lang, 2))} ({rep['year']})</p>
<h2>{_esc(t('key_numbers', lang))}</h2><table>{numbers}</table>
<p class="muted">{_esc(t('legend_note', lang))}</p>
{''.join(parts)}
<h2>{_esc(t('assumptions', lang))}</h2><table>{assumptions}</table>
<h2>{_esc(t('sources', lang))}</h2><ul class="muted">{src}</ul>
<script type="application/json" id="covsim-summary">{_esc(json.dumps(key_numbers(s, 'en'), ensure_ascii=False))}</script>
</body></html>"""
