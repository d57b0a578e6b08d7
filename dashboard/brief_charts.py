"""The briefing's charts as still images (PNG via matplotlib): no toolbar, fit for Word and PDF.

Drawn from the same summary as the page's plotly figures, with the numbers' decimal comma in
Vietnamese; observed figures as dots, planned targets as diamonds, the model as lines and bands.
"""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from .brief_text import b, group_label, number, split_later  # noqa: E402
from .i18n import of_labour_force, t  # noqa: E402

MODEL, OBSERVED, PLANNED, OTHER = "#1f5fa8", "#222222", "#c0392b", "#e67e22"
WIDTH, HEIGHT, DPI = 7.2, 3.4, 150


def _pct_axis(ax, lang: str, decimals: int = 0) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(100 * v, lang, decimals) + "%"))


def _wrap(text: str) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, 48))


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png", dpi=DPI)
    plt.close(fig)
    return out.getvalue()


def _coverage_label(s: dict, lang: str) -> str:
    """'Coverage', with what it is a share of where that is the labour force (as the page's axis)."""
    return t("coverage", lang) + of_labour_force(s, lang)


def fan(s: dict, lang: str) -> bytes:
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    years, f = s["years"], s["fan"]
    ax.fill_between(years, f["q025"], f["q975"], color=MODEL, alpha=0.15, lw=0, label=t("band95", lang))
    ax.fill_between(years, f["q100"], f["q900"], color=MODEL, alpha=0.3, lw=0, label=t("band80", lang))
    ax.plot(years, f["q500"], color=MODEL, lw=2, label=t("median", lang))
    known, later = split_later(s)  # a briefing as of a year: what followed
    if known:
        ax.plot([r["year"] for r in known], [r["value"] for r in known], "o", color=OBSERVED, ms=4,
                label=t("observed", lang))
    if later:
        ax.plot([r["year"] for r in later], [r["value"] for r in later], "o", mfc="none", color=OBSERVED, ms=5,
                label=t("observed_later", lang))
    if s.get("as_of"):
        ax.axvline(s["as_of"]["until"] + 0.5, color=OBSERVED, ls="--", lw=1,
                   label=t("as_of_line", lang).format(until=s["as_of"]["until"]))
    plans = [r for r in s["targets"] if r["group"] == "all"]
    if plans:
        ax.plot([r["year"] for r in plans], [r["value"] for r in plans], "D", mfc="none", color=PLANNED, ms=6,
                label=t("planned", lang))
    rep = s["report"]
    ax.axhline(rep["target"], color=PLANNED, ls="--", lw=1, label=t("target_line", lang))
    ax.axvline(rep["year"], color="#888888", ls=":", lw=1)
    _pct_axis(ax, lang)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(t("year", lang))
    ax.set_ylabel(_coverage_label(s, lang))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    return _png(fig)


def groups(s: dict, lang: str) -> bytes:
    rows = s["report"].get("groups") or []
    fig, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(rows) + 1.2))
    names = [_wrap(group_label(r["group"], lang)) for r in rows]
    ys = list(range(len(rows)))
    ax.barh(ys, [r["coverage"] for r in rows], color=MODEL, alpha=0.8, label=t("median", lang))
    tx = [(y, r["target"]) for y, r in zip(ys, rows) if r.get("target") is not None]
    if tx:
        ax.plot([v for _, v in tx], [y for y, _ in tx], "D", color=PLANNED, mfc="none", ms=7,
                label=t("group_target", lang))
    ax.set_yticks(ys, names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.05)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(100 * v, lang) + "%"))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    return _png(fig)


def budget(s: dict, lang: str) -> bytes:
    rows = s.get("budget") or []
    years = [r["year"] for r in rows]
    fig, ax = plt.subplots(figsize=(WIDTH, HEIGHT))
    if "state_cost_national" in rows[0]:
        national = [r["state_cost_national"] / 1e9 for r in rows]
        ax.bar(years, national, color=MODEL, label=t("state_cost_national", lang))
        ax.bar(years, [r["state_cost_local"] / 1e9 for r in rows], bottom=national, color="#7fa7d6",
               label=t("state_cost_local", lang))
        ax.plot(years, [r["premium_revenue"] / 1e9 for r in rows], color=OTHER, lw=2, label=t("premium_revenue", lang))
    else:  # voluntary BHXH: the state's support of contributions is its one flow
        ax.bar(years, [r["state_cost"] / 1e9 for r in rows], color=MODEL, label=t("support_cost", lang))
    if rows[0].get("state_cost_lo80") is not None:  # the state's total with its 80% band over the draws, as the page
        mean = [r["state_cost"] / 1e9 for r in rows]
        ax.errorbar(years, mean, yerr=[[m - r["state_cost_lo80"] / 1e9 for r, m in zip(rows, mean)],
                                       [r["state_cost_hi80"] / 1e9 - m for r, m in zip(rows, mean)]],
                    fmt="none", ecolor="#333", elinewidth=0.8, capsize=1.5, label=t("state_cost_band", lang))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, lang)))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(b("billion", lang))
    ax.set_xlabel(t("year", lang))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    return _png(fig)


def compare(s: dict, lang: str) -> bytes:
    """Both medians above, the difference in its own panel below (not a second axis)."""
    c = s["compare"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, HEIGHT * 1.5), sharex=True,
                                      gridspec_kw={"height_ratios": [2, 1]})
    top.plot(c["years"], c["median_a"], color=MODEL, lw=2, label=t("current", lang))
    top.plot(c["years"], c["median_b"], color=OTHER, lw=2, ls="--", label=b("compared", lang))
    _pct_axis(top, lang)
    top.set_ylabel(_coverage_label(s, lang))
    top.grid(alpha=0.3)
    top.legend(fontsize=7, loc="lower right")
    d = c["diff"]
    bottom.fill_between(c["years"], [100 * v for v in d["lo"]], [100 * v for v in d["hi"]], color=MODEL, alpha=0.25,
                        lw=0, label=t("band80", lang))
    bottom.plot(c["years"], [100 * v for v in d["median"]], color=MODEL, lw=1.5, label=t("median", lang))
    bottom.axhline(0, color="#888888", lw=0.8)
    bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, lang, 1)))
    bottom.set_ylabel(t("difference", lang), fontsize=7)
    bottom.set_xlabel(t("year", lang))
    bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
    bottom.grid(alpha=0.3)
    return _png(fig)


CHARTS = {"fan": fan, "groups": groups, "budget": budget, "compare": compare}


def png(key: str, s: dict, lang: str) -> bytes:
    return CHARTS[key](s, lang)
