"""Scenarios: one baseline per region, and reforms as small validated diffs against a baseline.

A reform is `{path: {year: value}}` (as PolicyEngine's `Reform.from_dict`); every path, group,
year and value is checked before anything is applied, and the resolved scenario's hash is its id
in outputs. A TOML file reads:

    name = "lai_chau_near_poor_100"
    baseline = "lai_chau"
    description = "Near-poor state share 100% from 2017"
    [reform]
    "state_share.near_poor" = { 2017 = 1.0 }
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from ..errors import InputError, InputErrors, nearest
from .levers import LEVERS, lever_of, path_problem, value_problem, year_problem
from .scheme_ids import SCHEMES
from .policy import DatedValue, Key, NATIONAL, Policy, Series

FIRST_YEAR = 2008  # the state is initialised at the end of this year (Law 25/2008 passed Nov 2008)
LAST_YEAR = 2050

TOP_KEYS = {
    "name": "a short id",
    "region": "a region id",
    "description": "one line",
    "baseline": "the baseline scenario this reform changes",
    "start": f"first simulated year's predecessor, {FIRST_YEAR}..{LAST_YEAR}",
    "end": f"last year, up to {LAST_YEAR}",
    "source": "the document the scenario encodes",
    "scheme": "bhyt, bhxh or bhtn",
    "reform": "a table of {path: {year: value}}",
    "assumed": "the reform paths whose values the source does not give (listed as assumptions)",
}


@dataclass(frozen=True)
class Scenario:
    name: str
    region: str
    description: str = ""
    start: int = FIRST_YEAR
    end: int = 2030
    baseline: str | None = None
    source: str = ""
    scheme: str = "bhyt"
    reform: dict[str, dict[int, float]] = field(default_factory=dict)
    path: str = ""
    assumed: tuple[str, ...] = ()  # reform paths whose values no source gives
    #: the scenario's own later values a lever set from a year replaced (`planning.with_levers`):
    #: {path, value, replaces, from, reference} each, listed by `supersedes`
    replaced: tuple[dict, ...] = ()

    def with_scheme(self, scheme: str) -> "Scenario":
        """The scenario under another scheme (`--scheme`), refused where it cannot run."""
        check_scheme(self.region, scheme, self.path or self.name, "--scheme")
        return replace(self, scheme=scheme)

    def idle(self) -> list[str]:
        """Reform paths whose lever does not act on this run's scheme (a health plan's state shares in
        a BHTN run): they change nothing here, so the run says so and lists none of them as used."""
        return [p for p in self.reform if self.scheme not in LEVERS[p.partition(".")[0]].schemes]

    def assumptions(self) -> list[str]:
        """Every assumed number the scenario uses, one line each: reform values its source does not
        give, and the assumed cost of a drive it sets (what every output lists beside its results)."""
        idle = self.idle()
        out = [f"{p} = " + ", ".join(f"{v:g} from {y}" for y, v in sorted(self.reform[p].items()))
               + " (not in the source)" for p in self.assumed if self.reform.get(p) and p not in idle]
        # a strength no plan states and no data measure (a hand-set outreach in a user's file) is
        # assumed whether or not the file says so
        out += [f"{p} = " + ", ".join(f"{v:g} from {y}" for y, v in sorted(ys.items()))
                + " (a strength set by hand: no plan states it, no data measure it)"
                for p, ys in self.reform.items()
                if ys and p not in self.assumed and p not in idle and lever_of(p).assumed]
        if self.sets_drive():
            from .drives import COST_PER_PERSON_REACHED, COST_SOURCE

            out.append(f"drive cost = {COST_PER_PERSON_REACHED:,.0f} VND a year per person of the voluntary "
                       f"groups at strength 1 ({COST_SOURCE})")
        return out

    def sets_drive(self) -> bool:
        """Whether the scenario sets a drive this run reads (whose cost is assumed, whose effect is
        the fitted pull)."""
        return "drive" not in self.idle() and any(self.reform.get("drive", {}).values())

    def rests_on(self) -> tuple[str, ...]:
        """Fitted parameters a lever the scenario sets scales with, whatever their fit learned of
        them: a drive's effect is the fitted pull of the level above's targets, draw by draw."""
        return ("target_pull",) if self.sets_drive() else ()

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))

    def resolved(self) -> dict:
        """What determines the run: region, years, scheme and the reform, canonically ordered."""
        return {
            "region": self.region, "start": self.start, "end": self.end, "scheme": self.scheme,
            "reform": {p: {str(y): v for y, v in sorted(ys.items())} for p, ys in sorted(self.reform.items())},
        }

    @property
    def hash(self) -> str:
        text = json.dumps(self.resolved(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def key(self, path: str) -> Key:
        """The policy table's key a reform path sets: (parameter, region, group)."""
        name, _, group = path.partition(".")
        return LEVERS[name].parameter, self.region if LEVERS[name].regional else NATIONAL, group

    def _override(self, path: str) -> Series:
        ref = f"scenario {self.name}" + (f" ({self.source})" if self.source else "")
        return Series([DatedValue(date(y, 1, 1), float(v), ref, "assumed") for y, v in self.reform[path].items()])

    def overrides(self) -> dict[Key, Series]:
        return {self.key(path): self._override(path) for path in self.reform}

    def supersedes(self, base: Policy | None = None) -> list[dict]:
        """The later changes of the policy in force that the reform's paths replace: {path, value,
        replaces, from, reference} each.

        A path sets its lever from its first date on, the policy in force's later changes included
        (as a reform does): a share raised today below a rise already decided for next year
        lowers it then. Said with the results, so that nobody reads it as a raise throughout."""
        base = base or Policy.from_table()
        out = []
        for path in sorted(self.reform):
            series, override = base.base_series(*self.key(path)), self._override(path)
            if series is None or not override.values:
                continue
            first = min(v.start for v in override.values)
            before = series.at(first - timedelta(days=1))
            for later in (v for v in series.values if v.start >= first):
                if before is not None and abs(before.value - later.value) <= 1e-12:
                    continue  # a restatement of the value already in force is no change
                before = later
                ours = override.at(later.start)
                if ours is not None and abs(ours.value - later.value) > 1e-12:
                    out.append({"path": path, "value": ours.value, "replaces": later.value,
                                "from": later.start.isoformat(), "reference": later.reference})
            out += self._top_ups_replaced(base, path, override, first)
        return out + [dict(r) for r in self.replaced if r["path"] in self.reform]

    def _top_ups_replaced(self, base: Policy, path: str, override: Series, first: date) -> list[dict]:
        """A province's `state_share` sets the whole the state pays: the province's own top-ups in
        force from its start (HCMC's pupils' 50%, a total of 100%) end under it. Said like the
        national changes it replaces, with the total it replaces; a 2025 unit's are its seat's."""
        from .merger import levels_at

        parameter, region, group = self.key(path)
        if parameter != "state_share" or region == NATIONAL:
            return []
        policy, where = levels_at(base, region)
        top_ups = policy.series.get(("local_top_up", where, group))
        if top_ups is None:
            return []
        in_force = top_ups.at(first)
        out = []
        for v in ([in_force] if in_force is not None else []) + [v for v in top_ups.values if v.start > first]:
            when = max(v.start, first)
            ours, total = override.at(when), policy.level_on("state_share", when, where, group)
            if v.value > 1e-12 and ours is not None and abs(ours.value - total) > 1e-12:
                out.append({"path": path, "value": ours.value, "replaces": round(total, 6), "from": when.isoformat(),
                            "reference": f"{v.reference} (the province's own top-up of {100 * v.value:.4g}%, which "
                                         f"the state share set here replaces: it sets the whole)"})
        return out

    def capped(self, base: Policy | None = None) -> list[dict]:
        """The reform's local top-ups that count for less than they say: {path, value, counts_as
        (None: nothing), from, national (the national share then), why} each, from the first year
        it happens.

        The state pays at most the whole premium, and a province's `state_share` sets the total it
        pays (national and local): a top-up beyond what is left is not paid. Said with the results,
        so that nobody reads a 90% top-up as costed and tried when 70% of it is."""
        policy = self.policy(base)
        out = []
        for path in self._setting("local_top_up"):
            group = path.partition(".")[2]
            totals = [p for p in self._setting("state_share") if p.partition(".")[2] == group]
            total_set = [y for p in totals for y in self.reform[p]]
            first = min(self.reform[path])
            for year in range(first, self.end + 1):
                top_up = policy.annual("local_top_up", year, self.region, group, default=0.0)
                national, local = policy.state_share(year, self.region, group)
                if top_up > 1e-9 and total_set and min(total_set) <= year:  # the total is set: the top-up is moot
                    out.append({"path": path, "value": round(top_up, 6), "counts_as": None, "from": year,
                                "national": round(national, 6), "set_by": totals[0], "total": round(national + local, 6),
                                "why": f"{totals[0]} sets the total the state pays "
                                       f"({100 * (national + local):.4g}%), of which a top-up is no part"})
                    break
                if local < top_up - 1e-9:
                    out.append({"path": path, "value": round(top_up, 6), "counts_as": round(local, 6), "from": year,
                                "national": round(national, 6),
                                "why": f"the national share is {100 * national:.4g}% and the state pays at most "
                                       "the whole premium"})
                    break
        return out

    def below_national(self, base: Policy | None = None) -> list[dict]:
        """The reform's state shares set below the national share in force: {path, value, national,
        from} each, from the first year it happens.

        A province's `state_share` is the whole the state pays; below the national share it lowers
        the national part too, which no province can do: a test of national policy. Said with the
        results, so that the national budget's fall is not read as a province's saving."""
        policy = self.policy(base)
        out = []
        for path in self._setting("state_share"):
            group = path.partition(".")[2]
            first = min(self.reform[path])
            # day by day, at every change: a national share that rises mid-year (pupils' 50% from 15
            # August 2025) is undercut from that day, and its yearly mean is no share in force
            days = sorted({date(first, 1, 1), *(d for d in policy.change_dates("state_share", self.region, group)
                                                 if first <= d.year <= self.end)})
            for day in days:
                in_force = policy.in_force("state_share", day, NATIONAL, group)
                national = in_force.value if in_force is not None else 0.0
                total = policy.level_on("state_share", day, self.region, group)
                if total < national - 1e-9:
                    out.append({"path": path, "value": round(total, 6), "national": round(national, 6),
                                "from": day.year})
                    break
        return out

    def _setting(self, parameter: str) -> list[str]:
        """The reform's paths (with values) that set `parameter`, whatever their lever's name: a
        lever added on an existing parameter is checked as the one it sets (docs/extending.md)."""
        return sorted(p for p in self.reform if self.reform[p] and LEVERS[p.partition(".")[0]].parameter == parameter)

    def policy(self, base: Policy | None = None) -> Policy:
        return (base or Policy.from_table()).with_overrides(self.overrides())

    def with_reform(self, reform: dict, name: str | None = None) -> "Scenario":
        """This scenario with more reform paths on top (validated like a file's)."""
        extra = validate_reform(reform, self.path or "<reform>", self.start, self.end, self.region)
        merged = {p: dict(v) for p, v in self.reform.items()}
        for p, v in extra.items():
            merged.setdefault(p, {}).update(v)
        one_path_per_value(merged, self.path or "<reform>", "reform.")
        return replace(self, name=name or self.name, reform=merged)

    def set_from(self, levels: dict[str, float], start: int, name: str | None = None) -> "Scenario":
        """This scenario with each lever path at its level from `start` on, its own later values of
        the path replaced (a plan's 20% from 2024 does not return under a 40% set from 2022), and
        each replaced value recorded for `supersedes`."""
        reform = {p: dict(v) for p, v in self.reform.items()}
        replaced = []
        ref = self.source or f"scenario {self.name}"  # the plan's document, as a policy row's reference
        for path, level in levels.items():
            for year in sorted(y for y in reform.get(path, {}) if y > start):
                value = reform[path].pop(year)
                if abs(value - float(level)) > 1e-12:
                    replaced.append({"path": path, "value": float(level), "replaces": value,
                                     "from": date(year, 1, 1).isoformat(), "reference": ref})
        trimmed = replace(self, reform=reform, replaced=self.replaced + tuple(replaced))
        return trimmed.with_reform({path: {start: float(v)} for path, v in levels.items()}, name=name)


def _flatten(table: dict, prefix: str = "", where: str = "scenario") -> dict[str, object]:
    """{'state_share': {'near_poor': {'2017': 1}}} -> {'state_share.near_poor': {'2017': 1}}.

    A table under a whole lever path is its years, whatever its keys ('abc' is then a bad year,
    not a group); under anything else, a table of years is a leaf and other tables are descended."""
    out = {}
    for key, value in table.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        # a lever whose groups are numbers (household_member_factor's ranks) takes them as groups
        ranks = path in LEVERS and LEVERS[path].groups and all(str(k) in LEVERS[path].groups for k in value)
        if isinstance(value, dict) and value and path_problem(path) \
                and (ranks or not all(str(k).strip().isdigit() for k in value)):
            found = _flatten(value, path, where)
        else:
            found = {path: value}
        for twice in found.keys() & out.keys():  # "a.b" and a.b both written: TOML keeps both, one would be lost
            raise InputError(where, f"reform.{twice}", "given twice (as a quoted and as a dotted key); "
                                                             "give each lever once, its years in one table")
        out.update(found)
    return out


def validate_reform(reform: dict, where: str, start: int, end: int,
                    region: str | None = None, every: bool = False) -> dict[str, dict[int, float]]:
    """The reform's {path: {year: value}}, checked. `every` (a file): every bad entry reported, one
    line each, as a reform workbook's cells are, so the file is mended in one pass; else the first
    (a page's lever, named by its field)."""
    from . import regions

    out: dict[str, dict[int, float]] = {}
    problems: list[InputError] = []
    for path, value in _flatten(reform, where=where).items():
        key = f"reform.{path}"
        problem = path_problem(path)
        if problem:
            problems.append(InputError(where, key, problem))
            continue
        if not isinstance(value, dict):  # a bare value would rewrite the whole record, from the start
            problems.append(InputError(where, key, f"the year it takes effect is required, e.g. {{ 2026 = {value!r} }}"))
            continue
        if not value:  # a lever named and never set: most likely years left out by mistake
            problems.append(InputError(where, key, "is an empty table: it sets nothing; give its years, e.g. "
                                                   "{ 2026 = 0.9 }, or remove the line"))
            continue
        parsed: dict[int, float] = {}
        for y, v in value.items():
            try:
                year = int(str(y))
            except ValueError:
                problems.append(InputError(where, f"{key}.{y}", "a year is required as key, e.g. 2017 = 1.0"))
                continue
            if isinstance(v, dict):  # `2017.5 = 1.0` is TOML's dotted key: a table under '2017'
                problems.append(InputError(where, f"{key}.{y}", "a year is a whole number, e.g. 2017 = 1.0"))
                continue
            problem = (year_problem(year, start, end) or regions.unit_year_problem(region, path, year)
                       or value_problem(path, v))
            if problem:
                problems.append(InputError(where, f"{key}.{y}", problem))
                continue
            parsed[year] = float(v)
        out[path] = parsed
    if problems:
        raise InputErrors([str(p) for p in problems]) if every and len(problems) > 1 else problems[0]
    one_path_per_value(out, where, "reform.")
    return out


def one_path_per_value(paths, where: str, prefix: str = "") -> None:
    """Refuse two paths that set the same policy value (a lever added on another's parameter and
    group, docs/extending.md): the last would win, the other dropped without a word."""
    seen: dict[tuple, str] = {}
    for path in paths:
        lever = lever_of(path)
        what = (lever.parameter, lever.regional, path.partition(".")[2])
        if what in seen:
            raise InputError(where, f"{prefix}{path}", f"sets the same value as {prefix}{seen[what]} "
                                                       f"({what[0]}{', ' + what[2] if what[2] else ''}); give one of them")
        seen[what] = path


def shipped_dir() -> Path:
    from covsim import scenarios  # data-only package beside the simulator

    return Path(scenarios.__path__[0])


def shipped() -> dict[str, Path]:
    return {p.stem: p for p in sorted(shipped_dir().glob("*.toml"))}


def known_regions() -> list[str]:
    """The regions the model can run, from the data (regions.py): the country first."""
    from . import regions

    return regions.runnable()


def offered_regions() -> list[str]:
    """Every region a command or the dashboard offers: the runnable ones (`known_regions`), then the
    2025 units run as the sum of their former provinces (regions.offered)."""
    from . import regions

    return regions.offered()


def check_scheme(region: str, scheme: str, where: str, key: str) -> None:
    """A 2025 unit is run as the sum of its former provinces for health insurance only."""
    if scheme != "bhyt" and region in _merged_units():
        from .regions import former_provinces

        raise InputError(where, key, f"'{scheme}' does not run for '{region}', a 2025 unit summed from its "
                                     f"former provinces; allowed: bhyt (or run a former province: "
                                     f"{', '.join(former_provinces(region))})", code="unit_scheme")


def _merged_units() -> list[str]:
    """2025 units `covsim run` runs as the sum of their former provinces (regions.mergeable)."""
    from . import regions

    return regions.mergeable()


def _read_toml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8-sig")  # Notepad's byte-order mark is no TOML statement
    except FileNotFoundError:
        raise InputError(path, None, "scenario file not found") from None
    except IsADirectoryError:
        raise InputError(path, None, "is a folder; give a scenario name or a .toml file") from None
    except PermissionError:
        raise InputError(path, None, "not readable (permission denied)") from None
    except UnicodeDecodeError:
        raise InputError(path, None, "not valid UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, None, f"TOML syntax error: {exc}") from None


def _baseline_ref(ref: str, path: Path | None, where: str) -> str:
    """A baseline given as a file: relative to the scenario's own file (else to the working folder,
    as before); one that is neither names the scenario's file and its `baseline` key."""
    if path is None or not ref.lower().endswith((".toml", ".xlsx")) or Path(ref).is_absolute():
        return ref
    beside = path.parent / ref
    if beside.exists():
        return str(beside)
    if Path(ref).exists():
        return ref
    raise InputError(where, "baseline", f"'{ref}': no such file beside {path.name} ({beside}); give a shipped "
                                        "scenario's name or a path relative to this file")


def load(name_or_path: str | Path, _seen: tuple = (), _by_name: bool = False) -> Scenario:
    """A shipped scenario by name, or a TOML file by path; validated, with its baseline applied.
    `_by_name`: a shipped scenario or a region's baseline only, never a file that happens to bear the name."""
    ships = shipped()
    text = str(name_or_path)
    if not text.strip():  # Path('') is the working folder, which would be refused as "."
        raise InputError("scenario", repr(text), "empty; allowed: a shipped scenario's name (covsim scenarios), a "
                                                 "region that runs (covsim regions) or a .toml or .xlsx file")
    if text in ships:
        path = ships[text]
    elif not _by_name and (text.endswith((".toml", ".xlsx")) or Path(text).exists()):
        path = Path(text)
    elif text in offered_regions():  # a region added by data rows alone, or a 2025 unit run as
        # the sum of its former provinces: its baseline is the national policy (with the regions' own rows)
        path = None
    else:
        from .regions import merged_into, nearest_id, not_runnable

        listed = not_runnable(text) or merged_into(text)
        if listed:
            raise InputError("scenario", text, f"{listed}; allowed: a shipped scenario ({', '.join(ships)}), a "
                                               "region that runs or a .toml or .xlsx file")
        regions = [r for r in offered_regions() if r not in ships]  # run as their baseline (the 2025 units)
        raise InputError("scenario", text, f"no shipped scenario of that name{nearest_id(text, [*ships, *regions])}; "
                                           f"shipped: {', '.join(ships)}; regions run as their baseline: "
                                           f"{', '.join(regions)} (or give a path to a .toml or .xlsx file)")
    # a file that is its own baseline, at once or through others (files by their resolved path; a
    # region run as its baseline is no file and ends a chain)
    own = str(path.resolve()) if path is not None else None
    if own is not None and own in _seen:
        chain = " -> ".join(Path(s).name for s in _seen if Path(s).is_absolute())
        raise InputError(path, "baseline", f"circular: the scenario is its own baseline (through {chain}); "
                                           "a reform names a shipped scenario or another file")
    files = (own,) if own is not None else ()
    if path is None:
        where = f"{text} (default baseline: no scenario file ships for this region)"
        raw = {"name": text, "region": text, "description": f"{text}: baseline, national policy in force"}
    elif path.suffix and path.suffix.lower() not in (".toml", ".xlsx") and not path.is_dir():  # a CSV is no reform
        raise InputError(path, "scenario", f"unknown format '{path.suffix}'; allowed: a .toml or .xlsx scenario "
                                           "file, or a shipped scenario's name")
    elif path.suffix.lower() == ".xlsx":  # a reform filled in Excel: checked cell by cell, then as TOML
        from . import scenario_excel

        where = str(path)
        raw = scenario_excel.read(path, lambda base: load(_baseline_ref(base, path, where), _seen + (path.stem, *files)))
    else:
        where = str(path)
        raw = _read_toml(path)
    cells = raw.pop("_cells", {}) if path is not None and path.suffix.lower() == ".xlsx" else {}
    for key in raw:
        if key not in TOP_KEYS:
            raise InputError(where, key, f"unknown key{nearest(key, TOP_KEYS)}; allowed: {', '.join(TOP_KEYS)}")
    for key in ("name", "region", "description", "baseline", "source", "scheme"):
        if key in raw and not isinstance(raw[key], str):
            raise InputError(where, key, "must be a string")
    name = raw["name"] if "name" in raw else path.stem
    if path is not None and path.suffix.lower() == ".toml" and path.parent.resolve() == shipped_dir().resolve() \
            and name != path.stem:  # listed by its `name`, found by its file's: `covsim run NAME` failed
        raise InputError(where, "name", f"'{name}' differs from the file's name '{path.stem}'; allowed: "
                                        f"'{path.stem}' (a shipped scenario is named as its file), or no name key")
    if not name.strip():  # every output names its scenario: an empty one reads "scenario ," in the provenance
        raise InputError(where, "name", "is empty; allowed: a short id, e.g. \"vinh_long_near_poor_90\" "
                                        "(or leave the key out: the file's name is used)")
    if "baseline" in raw:
        if raw["baseline"] in _seen:
            raise InputError(where, "baseline", f"circular baseline '{raw['baseline']}'")
        baseline = _baseline_ref(raw["baseline"], path, where)  # as later readers find it again
        try:
            base = load(baseline, _seen + (name, *files))
        except InputError as exc:
            if exc.where != "scenario":  # a fault inside the baseline's own file names that file
                raise
            raise InputError(where, "baseline", f"'{raw['baseline']}': {exc.message}") from None
        if "region" in raw and raw["region"] != base.region:
            raise InputError(where, "region", f"'{raw['region']}' differs from its baseline's region "
                                              f"'{base.region}'; a reform keeps its baseline's region")
    else:
        base = None
        if "region" not in raw:
            raise InputError(where, "region", "missing; a baseline names its region "
                                              "(or give 'baseline' to write a reform)")
    region = raw.get("region", base.region if base else None)
    regions = offered_regions()
    if region not in regions:
        from .regions import unknown

        raise InputError(where, "region", f"{unknown(region, regions, quoted=True)}; allowed: {', '.join(regions)}")
    years = {}
    for key, default in (("start", base.start if base else FIRST_YEAR), ("end", base.end if base else 2030)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not FIRST_YEAR <= value <= LAST_YEAR:
            raise InputError(where, key, f"'{value}' is not a year in {FIRST_YEAR}..{LAST_YEAR}")
        years[key] = value
    if years["start"] != FIRST_YEAR:
        raise InputError(where, "start", f"the shipped data initialise the state at the end of {FIRST_YEAR}; "
                                         f"allowed: {FIRST_YEAR}")
    if years["end"] <= years["start"]:
        raise InputError(where, "end", f"{years['end']} is not after start {years['start']}")
    scheme = raw.get("scheme", base.scheme if base else "bhyt")
    if scheme not in SCHEMES:
        raise InputError(where, "scheme", f"unknown scheme '{scheme}'; allowed: {', '.join(SCHEMES)}")
    check_scheme(region, scheme, where, "scheme")
    reform_raw = raw.get("reform", {})
    if not isinstance(reform_raw, dict):
        raise InputError(where, "reform", "must be a table of {path: {year: value}}")
    own = validate_reform(reform_raw, where, years["start"], years["end"], region, every=True)
    reform = {p: dict(v) for p, v in (base.reform if base else {}).items()}
    for p, v in own.items():
        reform.setdefault(p, {}).update(v)
    assumed = raw.get("assumed", [])
    if not isinstance(assumed, list) or not all(isinstance(a, str) for a in assumed):
        raise InputError(where, "assumed", "must be a list of reform paths, e.g. [\"state_share.near_poor\"]")
    for a in assumed:
        if a not in reform:
            raise InputError(where, f"assumed.{a}", f"not a path of this scenario's reform; allowed: "
                                                    f"{', '.join(reform) or 'none (the reform is empty)'}")
    assumed = tuple(dict.fromkeys((base.assumed if base else ()) + tuple(assumed)))
    made = Scenario(
        name=name, region=region, description=raw.get("description", base.description if base else ""),
        start=years["start"], end=years["end"], baseline=baseline if "baseline" in raw else None,
        source=raw.get("source", base.source if base else ""), scheme=scheme, reform=reform, path=where,
        assumed=assumed,
    )
    if path is not None and path != ships.get(name) and (name in ships or name in offered_regions()):
        _check_not_a_changed_copy(made, where, "name" in raw, cells.get("name"), name in ships)
    return made


def _check_not_a_changed_copy(made: Scenario, where: str, named: bool, cell: str | None, ship: bool) -> None:
    """A file under a shipped scenario's (or a region's baseline's) name that changes it would be
    briefed, cached and cited as that plan, its changes credited to the plan's document: refused.
    An unchanged copy is that scenario and is taken. `cell`: a workbook's name cell, where to say."""
    shipped_one = load(made.name, _by_name=True)  # the shipped one itself, never a file of that name here
    same = ("region", "start", "end", "scheme", "reform", "source", "assumed")
    if all(getattr(made, k) == getattr(shipped_one, k) for k in same):
        return
    how = f"its name '{made.name}'" if named else f"its file name, so its name, '{made.name}'"
    whose = "the shipped scenario's" if ship else f"the baseline of region {made.name}"
    own = "in this cell" if cell else "name = \"...\" in the file, or another file name"
    raise InputError(f"{where}: {cell}" if cell else where, "name", f"{how} is {whose}, which this file changes: it would be briefed and cited as "
                                    f"that; allowed: a name of your own ({own})")


def for_region(region: str) -> Scenario:
    """The baseline of a region: each region's baseline scenario is named by the region's id."""
    return load(region)
