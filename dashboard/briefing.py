"""Exports of the current result: a self-contained HTML briefing fit to print, CSV and Excel.

Everything here reads the JSON summary the page holds (compute.summary); nothing runs the model.
"""
from __future__ import annotations

import json

import pandas as pd


def coverage_table(s: dict) -> pd.DataFrame:
    """Year by year: the model's quantiles, observed and planned figures, the budget."""
    df = pd.DataFrame({"year": s["years"], **{k: v for k, v in s["fan"].items()}})
    df = df.rename(columns={"q025": "p2_5", "q100": "p10", "q500": "median", "q900": "p90", "q975": "p97_5"})
    from .brief_text import figure_cell, figures_by_year, split_later

    known, later = split_later(s)  # as of a year: what followed in a column of its own
    obs, plan = figures_by_year(known), figures_by_year(s["targets"])
    df["observed"] = [figure_cell(obs.get(y)) for y in df.year]
    df["planned_target"] = [figure_cell(plan.get(y)) for y in df.year]
    if s.get("as_of"):
        after = figures_by_year(later)
        df["observed_later"] = [figure_cell(after.get(y)) for y in df.year]
    if s.get("budget"):
        b = pd.DataFrame(s["budget"]).drop(columns=["insured"], errors="ignore")
        df = df.merge(b, on="year", how="left")
    df.insert(0, "scenario", s["scenario"])
    df.insert(1, "scheme", s["scheme"])
    # What reproduces the figures, on every row (a CSV holds one table): the last columns.
    a = s["assumptions"]
    for key in ("seed", "draws", "scenario_hash", "data_hash", "code_version", "parameters_hash", "code_commit"):
        df[key] = a.get(key, "")
    df["user_data"] = json.dumps(a.get("user_data") or [])  # the user's files the data hash covers
    df["environment"] = json.dumps(a.get("environment") or {}, sort_keys=True)  # the libraries' versions
    # the levers moved on the page and their first year: the scenario's hash alone cannot be turned back into them
    df["changed_levers"] = json.dumps(s.get("changed") or {}, sort_keys=True)
    df["lever_start"] = s["start"]
    if s.get("as_of"):  # fitted on the figures to this year, under what was decided by this day
        df["as_of_until"] = s["as_of"]["until"]
        df["known_on"] = s["as_of"]["known_on"]
    df["assumed"] = "; ".join(a.get("assumed", [])) or "none"
    return df


def to_csv(s: dict) -> bytes:
    return coverage_table(s).to_csv(index=False).encode("utf-8-sig")


def to_excel(s: dict, lang: str = "vi") -> bytes:
    """The workbook a planner can use, in the session's language (see `excel`)."""
    from .excel import to_excel as workbook

    return workbook(s, lang)


def per_insured(s: dict) -> dict | None:
    """The target year's budget row where its change insures someone more (its extra cost per
    person insured and that price's band), else None."""
    for r in s.get("budget") or []:
        if r["year"] == s["report"]["year"]:
            return r if r.get("cost_per_additional_insured") is not None else None
    return None


def briefing_html(s: dict, lang: str) -> str:
    """One self-contained HTML page: the briefing's content (`brief_content`) laid out for print."""
    from .brief_content import briefing
    from .brief_html import to_html

    return to_html(briefing(s, lang), s)
