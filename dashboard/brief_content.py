"""What a briefing says, computed once from a result summary; the HTML, Word and PDF renderers
only lay it out (`briefing.briefing_html`, `brief_docx`, `brief_pdf`).

Nothing here runs the model: every number comes from `compute.summary`, the scenario's reform from
its shipped definition.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from .i18n import (fixed_text, held_fixed_text, leans_on_text, lever_group_name, mostly_prior_text, on_priors_text,
                   partly_on_priors, probability, stand_ins_text, t, unit_figures_text, unverified_text)
from . import catalogue
from .sources import source_label
from .brief_text import (b, billion, day_text, has, local_time, no_change_text, said, monte_carlo_text, number, per_insured_text, percent, plan_name,
                         published_label, region_name, scheme_name, split_later, target_text)


@dataclass
class Briefing:
    lang: str
    title: str
    plan: str
    stamp: str
    paragraph: str
    key_numbers: list[tuple[str, str]]
    charts: list[tuple[str, str]]  # (chart key for brief_charts, caption)
    changes: list[tuple[str, str, str]]  # (what changed, status, source)
    method: str
    reproduce: list[tuple[str, str]]
    sources: list[str] = field(default_factory=list)


LEVER_FIELDS = ("group", "value")  # what a lever's sentence (section `brief`, `lever_NAME`) is filled with


def scenario_rows(s: dict, lang: str) -> list[tuple[str, str]]:
    """The reproduce table's rows naming the scenarios, for the briefing and the workbook alike: a
    user's file by its name (a shipped plan is named by its document, a baseline by its region, in
    the text), and the compared scenario's fingerprint."""
    rows = [(b("r_scenario", lang), s["scenario"])] if users_scenario(s) else []
    c = s.get("compare")
    if c:
        fingerprint = c.get("scenario_hash", "")
        mine = users_scenario({"scenario": c["name"], "region": c.get("region", s["region"])})
        rows.append((b("r_compare", lang), f"{c['name']} ({fingerprint})" if mine else fingerprint))
    return rows


def target_source_text(s: dict, lang: str) -> str:
    """Whose target the probability is of: the region's plan, the nation's (with the document), or
    the one asked of the briefing (no plan's); as of a day, of the plans decided by then (a later
    plan's target is the question asked, and the words do not depend on later rows)."""
    from . import compute

    rep = s["report"]
    day = (s.get("as_of") or {}).get("known_on")  # as of a day: a plan's target decided by then, no later one
    whose, source = compute.target_source(s["region"], s["scheme"], rep["target"], rep["year"], day)
    if source is None:
        return (b("target_source.chosen.as_of", lang, day=day_text(day, lang)) if day
                else b("target_source.chosen", lang))
    return b(f"target_source.{whose}", lang, source=source_label(source, lang))


def money_range(row: dict, name: str, lang: str, signed: bool = False) -> str:
    """'819,0 tỷ đồng (khoảng dự báo 80%: 790,1–850,3)': a year's money with its 80% band over the draws, as
    every forecast carries its uncertainty (a summary kept from before the band: the mean alone)."""
    def bn(v):  # a difference with its sign: '+12,3', '−4,5'
        text = billion(v, lang)
        return ("+" + text if v > 0 else text.replace("-", "−")) if signed and v is not None else text
    if row.get(f"{name}_lo80") is None:
        return f"{bn(row[name])} {b('billion', lang)}"
    return b("money_range", lang, mean=bn(row[name]), lo=bn(row[f"{name}_lo80"]), hi=bn(row[f"{name}_hi80"]))


def run_rows(s: dict, lang: str) -> list[tuple[str, str]]:
    """The reproduce table's rows of what `run --json` records beside the four hashes: the git
    commit (a checkout's), the user's own data files the data fingerprint covers (which of a
    colleague's folder differs), and the libraries' versions the numbers came from."""
    a = s["assumptions"]
    rows = [(b("r_code_commit", lang), a["code_commit"])] if a.get("code_commit") else []
    if a.get("user_data"):
        rows.append((b("r_user_data", lang), "; ".join(f"{f['file']} ({f['sha256']})" for f in a["user_data"])))
    if a.get("data_dir"):  # the tables were a folder of the user's (COVSIM_DATA_DIR), not the shipped ones
        rows.append((b("r_data_dir", lang), a["data_dir"]))
    if a.get("environment"):
        rows.append((b("r_environment", lang), ", ".join(f"{k} {v}" for k, v in a["environment"].items())))
    return rows


def lever_change(s: dict, path: str, value: float, year: int, lang: str) -> str:
    """'<lever_phrase> từ năm 2018': one change and its start, as the briefing's table, its idle
    sentence and the printout's first lines all say it."""
    return f"{lever_phrase(path, float(value), lang, bool(s.get('as_of')))} {b('from_year', lang, year=int(year))}"


def lever_phrase(path: str, value: float, lang: str, as_of: bool = False) -> str:
    """'tỷ lệ ngân sách nhà nước hỗ trợ mức đóng BHYT cho học sinh, sinh viên: 50%': the value in
    the lever's unit (its registry `kind`); a lever without a sentence of its own (section `brief`,
    `lever_NAME`) by its registry label and group. `as_of` (a briefing as of a year): the
    sentence's `.as_of` variant where it has one (the drive's unit is the targets known then)."""
    from . import compute

    name, _, group = path.partition(".")
    kind = compute.kind_of(path)
    if kind == "share":
        shown = percent(value, lang, 1 if abs(100 * value - round(100 * value)) > 1e-9 else 0)
    elif kind == "vnd":
        shown = number(value, lang)
    else:
        shown = number(value, lang, 1)
        shown = ("+" + shown) if value > 0 else shown
    key = f"lever_{name}"
    key = f"{key}.as_of" if as_of and has(f"{key}.as_of") else key
    if not has(key):
        label = compute.lever_labels()[name][lang] + (f" ({lever_group_name(path, lang)})" if group else "")
        return b("lever_other", lang, name=label, value=shown)
    fill = dict(zip(LEVER_FIELDS, (lever_group_name(path, lang) if group else "", shown)))
    return b(key, lang, **fill)


def _shipped(name: str, scheme: str):
    from . import compute

    try:
        return compute.scenario(name, scheme)
    except Exception:  # noqa: BLE001 - a scenario given as a file the dashboard cannot reload
        return None


def changes(s: dict, lang: str, reform: dict | None = None) -> tuple[list[tuple[str, str, str, bool, bool]], int | None]:
    """Each change against the policy in force: (what, status, source, whether it differs from the
    policy in force, whether it is an assumed number the run uses: a value the plan does not give
    that differs from the policy in force, or the drive's cost); and the first year any effective
    change takes effect."""
    from . import compute

    own = _shipped(s["scenario"], s["scheme"])  # None: a user's file, which cannot be loaded again by name
    if reform is None:  # the reform as run (a summary of old had none: the shipped scenario's, by name)
        reform = {} if not s.get("baseline") else s["reform"] if "reform" in s else own.reform if own else {}
    # values the plan itself does not give
    assumed = set(s.get("assumed_paths", ())) | (set(own.assumed) if own is not None else set())
    base = _shipped(s["baseline"], s["scheme"]) if s.get("baseline") else None
    # a shipped plan's values are what it plans; a user's file's are what the user tried
    source = plan_name(s["scenario"], lang, s["scheme"]) if own is not None else "–"
    given = "status_planned" if own is not None else "status_tested"
    capped = {r["path"]: r for r in s.get("assumptions", {}).get("capped", [])}
    known = date.fromisoformat(s["as_of"]["known_on"]) if s.get("as_of") else None

    def counted(path: str, status: str) -> str:  # a top-up the state cannot pay in full, said beside it
        r = capped.get(path)
        if r is None:
            return status
        note = (b("capped_moot", lang, year=r["from"]) if r["counts_as"] is None else
                b("capped_note", lang, year=r["from"], counts=number(100 * r["counts_as"], lang)))
        return f"{status} ({note})"

    idle = set(idle_paths(s, own))

    rows, years = [], []
    for path, by_year in sorted(reform.items()):
        if path in s.get("changed", {}):
            continue  # the user's value replaces the plan's from the lever start
        if path in idle:
            continue  # a lever this run's scheme does not read changes nothing: no change tested (idle_text)
        for year, value in sorted((int(y), float(v)) for y, v in by_year.items()):
            is_assumed = path in assumed or compute.lever_assumed(path)
            status = b("status_assumed" if is_assumed else given, lang)
            try:  # against the policy known on the day of an as-of briefing, not today's (a later decree)
                effective = base is None or abs(compute.lever_value(base, path, year, known) - value) > 1e-9
            except Exception:  # noqa: BLE001 - a path the lever table does not know: count it as a change
                effective = True
            if not effective:
                status += " (" + b("same_as_now", lang) + ")"
            rows.append((lever_change(s, path, value, year, lang), counted(path, status),
                         source, effective, is_assumed and effective))
            if effective:
                years.append(year)
    for path, value in sorted(s.get("changed", {}).items()):
        rows.append((lever_change(s, path, value, s['start'], lang),
                     counted(path, b("status_tested", lang)), "–", True, False))
        years.append(int(s["start"]))
    tried = s.get("changed", {})
    drives = [tried["drive"]] if "drive" in tried else list(reform.get("drive", {}).values())  # the user's replaces the plan's
    drives = [] if "drive" in idle else drives  # a drive this scheme does not read costs nothing here
    if any(float(v or 0.0) for v in drives):
        per_person, _ = compute.drive_cost_per_person()  # in the budget figures: an assumed number, said so
        rows.append((b("drive_cost_row", lang, cost=number(per_person, lang)), b("status_assumed", lang), "–", False,
                     True))
    return rows, (min(years) if years else None)


def idle_paths(s: dict, own=None) -> list[str]:
    """The reform's paths this run's scheme does not read (`Scenario.idle`, as the run recorded it:
    a labour plan's voluntary BHXH drive in a BHTN run); a summary of old, without it, the shipped
    scenario's."""
    if "idle" in s:
        return list(s["idle"])
    own = own if own is not None else _shipped(s["scenario"], s["scheme"])
    return own.idle() if own is not None else []


def idle_text(s: dict, lang: str, reform: dict | None = None) -> str:
    """'' or one sentence: the plan's levers this scheme does not read, which change nothing here (as
    `covsim run` says them: 'not read by bhtn (they change nothing here)')."""
    idle = idle_paths(s)
    if not idle:
        return ""
    if reform is None:  # the reform as run; a summary of old had none: the shipped scenario's
        own = _shipped(s["scenario"], s["scheme"]) if "reform" not in s else None
        reform = s.get("reform") or (own.reform if own is not None else {})
    items = [lever_change(s, path, value, year, lang)
             for path in sorted(idle) for year, value in sorted((int(y), v) for y, v in reform.get(path, {}).items())]
    return b("idle_text", lang, scheme=scheme_name(s["scheme"], lang), items="; ".join(items)) if items else ""


def _first_capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _budget_row(s: dict, year: int) -> dict | None:
    return next((r for r in s.get("budget") or [] if r["year"] == year), None)


def cited(s: dict, lang: str, other_unit: list[dict] = (), denominator: str = "") -> list[str]:
    """The annex's sources: each citation once, with the status of the figures it gives (observed,
    planned), so a reader knows which is a measurement and which a target; a plan's target in another
    unit than the run's coverage (`other_unit`: Cần Thơ's BHTN 100% of those required to join) with
    its value and unit, since the chart does not draw it. As of a year, a figure observed later is
    cited as what followed, unknown to the model, and a plan's target in another unit decided later
    not at all."""
    status: dict[str, list[str]] = {}
    known, later = split_later(s)  # as of a year: what followed, said so
    for key, rows in (("figure_observed", known), ("figure_observed_later", later), ("figure_planned", s["targets"])):
        for r in rows:
            found = status.setdefault(source_label(r["source"], lang), [])
            if b(key, lang) not in found:
                found.append(b(key, lang))
    for r in other_unit:
        key = f"figure_planned.{r.get('unit', '')}"
        text = (b(key, lang, value=target_text(r["value"], lang), year=r["year"], denominator=denominator)
                if has(key) else b("figure_planned", lang))
        found = status.setdefault(source_label(r["source"], lang), [])
        if text not in found:
            found.append(text)
    return [b("source_status", lang, source=source, status="; ".join(st)) for source, st in sorted(status.items())]


def own_cited(s: dict, lang: str, region: str) -> list[str]:
    """The annex's sources of the region's own figures for the scheme (`cited`), with its plan
    targets in another unit; where they give targets only, a line saying no observed figure is there."""
    from . import compute

    denominator = b(f"denominator_{s['denominator']}", lang) if s.get("denominator") else ""
    # as of a day, a target decided after it is left out here too, as on the chart
    day = s["as_of"]["known_on"] if s.get("as_of") else None
    other = compute.other_unit_targets(s["region"], s["scheme"], day) if s.get("region") else []
    lines = cited(s, lang, other, denominator)
    if lines and not s["observed"]:
        lines.append(b("no_observed", lang, region=region, scheme=scheme_name(s["scheme"], lang)))
    return lines


def drives_held_key(scheme: str) -> str:
    """Where the model holds a plan's drives, said for the scheme on view: the health brief names
    the targets' pull, a labour one the compliance and voluntary trends and Resolution 28's drive
    (the health key plain and the labour one '.labour', as `model_text` and `current_policy`)."""
    return "plan_drives_held" if scheme == "bhyt" else "plan_drives_held.labour"


def named(s: dict, lang: str) -> str:
    """The region as the briefing names it: as of a day before the 2025 reorganisation was decided, a
    unit by its former provinces (Cần Thơ + Hậu Giang + Sóc Trăng; Lai Châu), not by a name it got
    later."""
    from . import compute

    members = compute.former_provinces(s["region"]) if s.get("region") and _before_merger(s) else ()
    return " + ".join(region_name(m, lang) for m in members) if members else region_name(s["region"], lang)


def briefing(s: dict, lang: str, now: datetime | None = None, reform: dict | None = None) -> Briefing:
    """The briefing of a result summary in the language ('vi' or 'en')."""
    rep = s["report"]
    year, region = int(rep["year"]), named(s, lang)
    scheme = scheme_name(s["scheme"], lang)
    denominator = b(f"denominator_{s['denominator']}", lang)  # every denominator a run names has an entry
    rows, first = changes(s, lang, reform)
    target = target_text(rep["target"], lang)
    draws = int(s["assumptions"]["draws"])

    # an assumed value (a level the plan does not give) marked as such where the plan's content is told
    effective = [r[0] + (f" ({b('status_assumed', lang)})" if r[4] else "") for r in rows if r[3]]
    # a plan that changes no policy in force still orders drives: where the model holds them, said
    as_of = s.get("as_of")
    unchanged = no_change_text(s, lang) + (" " + b(drives_held_key(s["scheme"]), lang) if s.get("baseline") else "")
    tested = said(s, "changed_by_plan", lang, region=region, items="; ".join(effective))
    sentences = [*as_of_sentences(s, lang), tested if effective else unchanged,
                 b("p_sentence", lang, target=target, denominator=denominator, year=year,
                   p=probability(rep["probability"], lang), mc=monte_carlo_text(rep, lang)),
                 # no draw varies a number held fixed: said beside the probability, not only in the annex
                 *([] if s.get("held_fixed") else [b("p_held_fixed", lang)])]
    # A region on its priors says so beside the probability.
    priors = on_priors_text(s["assumptions"], lang)
    priors = f" ({priors})" if priors else ""
    numbers = [*([(b("k_as_of", lang, until=as_of["until"]), day_text(as_of["known_on"], lang))] if as_of else []),
               (b("k_probability", lang, target=target, denominator=denominator, year=year),
                probability(rep["probability"], lang) + priors),
               # the figure the plan is judged on, which carries the statistics' reporting error too
               *([(published_label(rep, lang), f"{probability(rep['probability_published'], lang)}"
                                                f" ({monte_carlo_text(rep, lang, 'probability_published')})")]
                 if "probability_published" in rep else []),
               (b("k_target_source", lang), target_source_text(s, lang)),  # a plan's, or the one asked
               (b("k_median", lang, year=year),
                f"{percent(rep['median_coverage'], lang, 1)} ({percent(rep['lo80'], lang, 1)}–"
                f"{percent(rep['hi80'], lang, 1)})"),
               (b("k_first", lang), str(rep["first_year_reached"]["p50"] or
                                        b("k_never", lang, end=s["years"][-1]))),
               *own_figures(s, lang, region)]
    row = _budget_row(s, year)
    if row is None:
        # BHXH: the model computes the voluntary subsidy (covsim run --budget), not shown here
        sentences.append(b("no_budget.bhxh" if s["scheme"] == "bhxh" else "no_budget", lang, scheme=scheme))
    elif "extra_state_cost" in row and first is not None:
        extra = [r["extra_state_cost"] for r in s["budget"] if first <= r["year"] <= year
                 and r.get("extra_state_cost") is not None]
        mean = sum(extra) / len(extra) if extra else None
        from . import compute

        per = compute.shown_per_insured(row.get("cost_per_additional_insured"))  # three figures, not to the đồng
        if per is not None and row["extra_insured"] >= 0.5:  # one year: no mean over "2024–2024"
            sentences.append(said(s, "extra_sentence" if first < year else "extra_sentence.one_year", lang, year=year,
                               people=number(row["extra_insured"], lang), cost=billion(row["extra_state_cost"], lang),
                               mean=billion(mean, lang), first=first, per=number(per, lang)))
        else:
            sentences.append(said(s, "extra_none", lang))
        # a change that lowers a share gives fewer insured and a saving: said so, not as a negative rise
        people, cost = row["extra_insured"], row["extra_state_cost"]
        numbers += [(said(s, "k_fewer_insured" if people < -0.5 else "k_extra_insured", lang, year=year),
                     f"{number(abs(people) if people < -0.5 else people, lang)} {b('people', lang)}"),
                    (said(s, "k_less_cost" if cost < 0 else "k_extra_cost", lang, year=year),
                     f"{billion(abs(cost), lang)} {b('billion', lang)}"),
                    *([(b("k_less_mean" if mean is not None and mean < 0 else "k_extra_mean", lang, first=first,
                            year=year), f"{billion(abs(mean) if mean is not None else None, lang)} {b('billion', lang)}")]
                      if first < year else []),  # one year's mean is that year's cost, the row above
                    (b("k_per_insured", lang, year=year), per_insured_text(row, lang))]
    if row is not None and "premium_revenue" in row:
        numbers += [(b("k_state_cost", lang, year=year), money_range(row, "state_cost", lang)),
                    (b("k_revenue", lang, year=year), money_range(row, "premium_revenue", lang))]
    elif row is not None:  # voluntary BHXH: the state's support of contributions, its one flow
        numbers += [(b("k_support_cost", lang, year=year), money_range(row, "state_cost", lang))]
    c = s.get("compare")
    if c:
        other = compared_plan(s, lang)
        numbers.append((b("k_compare_p", lang, name=other), probability(c["probability_b"], lang)))
        if "cost_a" in c:
            numbers.append((b("k_compare_cost", lang, first=c["cost_first"], year=c["cost_last"]),
                            f"{billion(c['cost_a'], lang)} / {billion(c['cost_b'], lang)} {b('billion', lang)}"))
            if "cost_diff_lo80" in c:  # the difference on the same draws, with its band
                numbers.append((b("k_compare_diff", lang, first=c["cost_first"], year=c["cost_last"]),
                                money_range({"d": c["cost_diff"], "d_lo80": c["cost_diff_lo80"],
                                             "d_hi80": c["cost_diff_hi80"]}, "d", lang, signed=True)))

    charts = [("fan", fan_caption(s, lang))]
    if s["scheme"] == "bhyt" and rep.get("groups"):
        planned = any(r.get("target") is not None for r in rep["groups"])  # diamonds only where a target is drawn
        charts.append(("groups", b("c_groups.planned" if planned else "c_groups", lang, year=year)))
    if s.get("budget"):
        charts.append(("budget", b("c_budget" if "premium_revenue" in s["budget"][0] else "c_support", lang)))
    if c:
        charts.append(("compare", b("c_compare", lang, name=compared_plan(s, lang))))

    a = s["assumptions"]
    reproduce = [(b("r_draws", lang), number(draws, lang)), (b("r_seed", lang), str(a["seed"])),
                 (b("r_start", lang), str(s["start"])),  # the --from that reproduces it, as the workbook says
                 (b("r_scenario_hash", lang), a.get("scenario_hash", "")), (b("r_data_hash", lang), a.get("data_hash", "")),
                 (b("r_parameters_hash", lang), a.get("parameters_hash", "")),
                 (b("r_code_version", lang), a.get("code_version", ""))]
    if as_of:  # the --until (and --known, if given: its default is not a day it takes) that fit it again
        reproduce += [(b("r_until", lang), str(as_of["until"]))]
        reproduce += [(b("r_known", lang), as_of["known"])] if as_of.get("known") else []
    reproduce += scenario_rows(s, lang) + run_rows(s, lang)
    sources = own_cited(s, lang, region) or members_cited(s, lang) or [no_sources(s, lang, region)]  # never left empty
    stamp = local_time(now or datetime.now(timezone.utc), lang)
    return Briefing(lang=lang, title=b("title", lang, scheme=scheme, region=region),
                    plan=b("under", lang, plan=scenario_plan(s, lang)),
                    stamp=b("generated", lang, time=stamp), paragraph=" ".join(sentences), key_numbers=numbers,
                    charts=charts, changes=[(_first_capital(r[0]),) + r[1:3] for r in rows], method=" ".join([method_text(s, lang, region)]
                                   + [text + "." for text in (idle_text(s, lang, reform), fixed_text(s["scheme"], lang, s.get("region"), s["years"][-1], as_of),
                                                              unverified_text(a.get("unverified_data"), lang),
                                                              stand_ins_text(a.get("stand_ins"), lang),
                                                              mostly_prior_text(a.get("mostly_prior"), lang),
                                                              leans_on_text(s.get("leans_on"), lang),
                                                              held_fixed_text(s.get("held_fixed"), lang)) if text]),
                    reproduce=reproduce, sources=sources)


def own_figures(s: dict, lang: str, region: str) -> list[tuple[str, str]]:
    """The key numbers' row of the region's own year-end figures the run rests on (those known by an
    as-of briefing's day): none says the level is the nation's plus an assumed offset (Lai Châu's
    verdict), a few are named by year (Vĩnh Long's one of 2017). A 2025 unit's are its former
    provinces' (its probability cell says what is on the priors)."""
    from . import compute

    as_of = s.get("as_of") or {}
    # a commune workbook of the whole province: a figure of the territory the fit has not seen
    whole = compute.communes_figure(s["region"], as_of.get("until")) if s["scheme"] == "bhyt" else None
    unseen = (". " + b("own_figures_communes", lang, year=whole[0], value=percent(whole[1], lang, 2))) if whole else ""
    if _members(s):  # each former province's, known by the briefing's day: which of them has none
        day = as_of.get("known_on")
        parts = []
        for member in _members(s):
            observed, _ = compute.figures_of(member, s["scheme"], as_of.get("until"), day and date.fromisoformat(day))
            parts.append(f"{region_name(member, lang)}: {_years_text(observed, lang) or b('own_figures_nil', lang)}")
        return [(b("k_own_figures.members", lang, region=region), "; ".join(parts) + unseen)]
    shown = _years_text(s.get("observed") or [], lang)
    if not shown:
        return [(b("k_own_figures", lang, region=region), b("own_figures_none", lang, region=region) + unseen)]
    return [(b("k_own_figures", lang, region=region), shown + unseen)]


def _years_text(observed: list[dict], lang: str) -> str:
    """'1 (2017)', '9 (2010–2024)': how many year-end figures were known, and of which years; ''
    for none (a figure observed after an as-of day is not one the run rested on)."""
    years = sorted({int(o["year"]) for o in observed if not o.get("later")})
    if not years:
        return ""
    shown = ", ".join(map(str, years)) if len(years) <= 4 else f"{years[0]}–{years[-1]}"
    return f"{number(len(years), lang)} ({shown})"


def as_of_sentences(s: dict, lang: str, section: str = "brief") -> list[str]:
    """A result as of a year says so first: fitted on the figures observed by then, under what was
    decided by then; the later figures drawn apart; whether that fit converged (never silently). The
    briefing's words by default; the page's (`section` "view") say where the diagnostics are there."""
    as_of = s.get("as_of")
    if not as_of:
        return []
    out = [b("as_of_sentence", lang, until=as_of["until"], day=day_text(as_of["known_on"], lang))]
    out += [members] if (members := as_of_members(s, lang)) else []
    if split_later(s)[1]:
        out.append(catalogue.text(section, "as_of_later", lang))
    if not as_of["convergence"].get("converged", True):  # the diagnostics' own words are English: on stderr and in --json
        out.append(catalogue.text(section, "as_of_unconverged", lang))
    return out


def as_of_members(s: dict, lang: str) -> str:
    """A 2025 unit as of a year: the sum of its former provinces, each on its fit as of then or on
    the priors (`calibration/unit_as_of.py`); before the merger was decided, each under its own policy."""
    parts = []
    for member, record in (s["as_of"].get("former_provinces") or {}).items():
        name, n = region_name(member, lang), int(record.get("own_observations", 0))
        key = "as_of_member.prior" if "own_observations" not in record else \
            "as_of_member.fitted" if n else "as_of_member.national"  # no figure of its own by then: the nation's
        parts.append(b(key, lang, member=name, until=s["as_of"]["until"], n=number(n, lang)))
    if len(parts) < 2:  # Lai Châu kept its territory: no sum to tell
        return ""
    key = "as_of_members.before" if _before_merger(s) else "as_of_members"
    return b(key, lang, region=named(s, lang), parts="; ".join(parts))


def fan_caption(s: dict, lang: str) -> str:
    """The fan chart's caption: what it draws, observed figures and planned targets only where it has them."""
    parts = [b("c_fan", lang)]
    if s["observed"]:
        parts.append(b("c_fan.observed", lang))
    if any(r["group"] == "all" for r in s["targets"]):
        parts.append(b("c_fan.planned", lang))
    return "; ".join(parts + [b("c_fan.target", lang)])


def _members(s: dict) -> tuple[str, ...]:
    """A 2025 unit's former provinces (more than one), else ()."""
    from . import compute

    members = compute.former_provinces(s["region"]) if s.get("region") else ()
    return members if len(members) > 1 else ()


def members_cited(s: dict, lang: str) -> list[str]:
    """A 2025 unit has no figure of its own in the shipped data: the annex cites those of its former
    provinces, which its run is calibrated on, each named (Lai Châu's one too). As of a day, as the
    region's own are: a figure observed later cited as what followed, a document decided later not
    at all; before the merger was decided, each province by its name alone."""
    from . import compute

    out = []
    denominator = b(f"denominator_{s['denominator']}", lang) if s.get("denominator") else ""
    as_of = s.get("as_of") or {}
    until, day = as_of.get("until"), as_of.get("known_on")
    key = "source_member.before" if _before_merger(s) else "source_member"
    for member in compute.former_provinces(s["region"]) if s.get("region") else ():
        # as `compute.as_of_result` holds the region's own
        observed, targets = compute.figures_of(member, s["scheme"], until, day and date.fromisoformat(day))
        other = compute.other_unit_targets(member, s["scheme"], day)
        for line in cited({"observed": observed, "targets": targets}, lang, other, denominator):
            out.append(b(key, lang, member=region_name(member, lang), source=line))
    return out


def no_sources(s: dict, lang: str, region: str) -> str:
    """No figure of the scheme at all: said of this scheme (the region may have another's)."""
    members, scheme = _members(s), scheme_name(s["scheme"], lang)
    if members:
        return b("no_sources.merged", lang, region=region, scheme=scheme,
                 members=", ".join(region_name(m, lang) for m in members))
    return b("no_sources", lang, region=region, scheme=scheme)


def _before_merger(s: dict) -> bool:
    """A briefing as of a day before Resolution 202/2025/QH15 was passed: the merger is not named."""
    from . import compute

    return bool(s.get("as_of")) and not compute.merger_known(date.fromisoformat(s["as_of"]["known_on"]))


def merged_text(s: dict, lang: str, region: str) -> str:
    """For a 2025 unit run as its former provinces: which years are their sum, which the unit's own."""
    spans, members = s.get("boundaries") or [], _members(s)
    if not members or len(spans) != 2:
        return ""
    span = lambda x: f"{x['from']}–{x['to']}"  # noqa: E731
    return b("merged_text", lang, region=region, members=", ".join(region_name(m, lang) for m in members),
             before=span(spans[0]), after=span(spans[1]))


def former_text(s: dict, lang: str, region: str) -> str:
    """For a province before 1 July 2025 run past it: its figures from then on are its former
    territory's, not those of the unit it is part of (the CLI says so on stderr; the paper must too)."""
    from . import compute

    unit = compute.unit_of(s.get("region", ""))
    spans = s.get("boundaries") or []
    if unit is None or len(spans) != 2:
        return ""
    same = compute.kept_territory(s.get("region", ""))  # Lai Châu: not "now part of" its unit
    return b("former_text.same" if same else "former_text", lang, region=region, unit=region_name(unit, lang),
             after=f"{spans[1]['from']}–{spans[1]['to']}")


def users_scenario(s: dict) -> bool:
    """Whether the briefing's scenario is the user's own (a file), not a shipped plan or a baseline."""
    return not catalogue.has("plan", s["scenario"]) and s["scenario"] != s["region"]


def scenario_plan(s: dict, lang: str) -> str:
    """What the briefing's figures are under: a shipped plan's document, the policy in force for a
    region's baseline, else the user's scenario by its name, a change to its baseline (it said "the
    policy in force" for a reform file, and named it nowhere)."""
    if not users_scenario(s):
        return _plan(s["scenario"], lang, s)
    return b("user_plan", lang, name=s["scenario"], base=_plan(s.get("baseline") or s["region"], lang, s))


def _plan(name: str, lang: str, s: dict) -> str:
    """`plan_name`; but in a briefing as of a day, the policy in force is the policy decided by then
    (naming today's laws, 51/2024 among them, would contradict its first sentence)."""
    if s.get("as_of") and not catalogue.has("plan", name):
        return b("as_of_policy", lang, day=day_text(s["as_of"]["known_on"], lang))
    return plan_name(name, lang, s["scheme"])


def compared_plan(s: dict, lang: str) -> str:
    """The compared scenario as `scenario_plan` words the briefing's own: a user's file by its name
    (it was called "the policy in force", whatever it changed)."""
    c = s["compare"]
    return scenario_plan({"scenario": c["name"], "region": c.get("region", s["region"]),
                          "baseline": c.get("baseline", ""), "scheme": s["scheme"], "as_of": s.get("as_of")}, lang)


def method_text(s: dict, lang: str, region: str) -> str:
    """How the figures were made: on the calibrated posterior or (a province without one) the priors;
    money only where the scheme has a budget (health insurance)."""
    calibrated = s["assumptions"].get("calibrated", True)
    fitted = "model_text.labour" if s["scheme"] in ("bhxh", "bhtn") else "model_text"  # which figures it weighed
    prior = "model_text.prior.before" if _before_merger(s) and _members(s) else "model_text.prior"
    partly = partly_on_priors(s["assumptions"], lang)  # a 2025 unit whose seat is fitted: not all on priors
    text = (b(fitted if calibrated else prior, lang, region=region) if calibrated or not partly
            else b("model_text.partly", lang, region=region, provinces=partly))
    merged = "" if _before_merger(s) else merged_text(s, lang, region) or former_text(s, lang, region)
    text += " " + merged if merged else ""
    weighed = unit_figures_text(s["assumptions"], lang)  # a 2025 unit weighed on its own figures says on which
    text += " " + b("weighed_text", lang, region=region, figures=weighed) if weighed else ""
    money = {"bhyt": "money_text", "bhxh": "money_text.bhxh"}.get(s["scheme"])
    text += " " + b(money, lang) if money else ""
    # draws of a fit that did not converge (--allow-unconverged): the paper says so, not stderr alone
    return text + (" " + b("unconverged_text", lang) if s["assumptions"].get("unconverged") else "")


def render(s: dict, lang: str, fmt: str) -> bytes:
    """The briefing of a summary as a file's bytes: fmt '.docx', '.pdf' or '.html'."""
    if fmt == ".html":
        from .brief_html import to_html

        return to_html(briefing(s, lang), s).encode("utf-8")
    if fmt == ".docx":
        from .brief_docx import to_docx

        return to_docx(briefing(s, lang), s)
    if fmt == ".pdf":
        from .brief_pdf import to_pdf

        return to_pdf(briefing(s, lang), s)
    raise ValueError(f"unknown briefing format {fmt!r}; allowed: .docx, .pdf, .html")
