"""Dated policy parameters: the engine asks what was in force in year t.

Each value carries the date it took effect and the legal document that set it (as OpenFisca keeps
parameters). A reform's values hold from their first date on and replace the baseline's later
changes of the same parameter: "near-poor state share 100% from 2017" stays 100%.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import xarray as xr

from . import tables
from .groups import GROUP_IDS
from .household import mean_member_factor, member_factor_by_size, size_distribution
from .regions import NATIONAL


@dataclass(frozen=True)
class DatedValue:
    start: date
    value: float
    reference: str
    kind: str = "observed"
    decided: date | None = None  # when it was decided (decisions.csv); None: when it took effect


@dataclass
class Series:
    """A step function of time: the value in force from each start date on."""

    values: list[DatedValue] = field(default_factory=list)
    # Memo of annual means: a series is not changed after it is made (reforms make new ones), and
    # the engine asks the same (year, default) for every group and every lever move.
    _means: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        self.values.sort(key=lambda v: v.start)
        self._starts = [v.start for v in self.values]

    def at(self, when: date) -> DatedValue | None:
        i = bisect.bisect_right(self._starts, when) - 1
        return self.values[i] if i >= 0 else None

    def annual_mean(self, year: int, default: float | None = None) -> float:
        """Day-weighted mean over calendar year `year` (a change on 1 Jul counts half)."""
        key = (year, default)
        if key not in self._means:
            self._means[key] = self._annual_mean(year, default)
        return self._means[key]

    def _annual_mean(self, year: int, default: float | None) -> float:
        begin, end = date(year, 1, 1), date(year + 1, 1, 1)
        cuts = [begin] + [v.start for v in self.values if begin < v.start < end] + [end]
        total = 0.0
        for a, b in zip(cuts[:-1], cuts[1:]):
            v = self.at(a)
            if v is None:
                if default is None:
                    raise LookupError(f"no value in force on {a}")
                value = default
            else:
                value = v.value
            total += value * (b - a).days
        return total / (end - begin).days

    def overridden_by(self, other: "Series") -> "Series":
        """This series up to the other's first date, the other's values from then on."""
        if not other.values:
            return Series(list(self.values))
        first = min(v.start for v in other.values)
        return Series([v for v in self.values if v.start < first] + list(other.values))


Key = tuple[str, str, str]  # (parameter, region, group); group "" where the parameter has none


def _table_series(table: pd.DataFrame) -> dict[Key, Series]:
    from .decisions import policy_decided

    out: dict[Key, list[DatedValue]] = {}
    for row in table.itertuples(index=False):
        key = (row.parameter, row.region, row.group or "")
        out.setdefault(key, []).append(
            DatedValue(row.effective_from, float(row.value), row.reference, row.kind,
                       policy_decided(row.reference, row.effective_from))
        )
    return {k: Series(v) for k, v in out.items()}


_FROM_TABLE: dict = {}  # table's id -> (table, its series), tables.kept_for


@dataclass
class Policy:
    """Every dated parameter of the baseline, with a reform's overrides on top."""

    series: dict[Key, Series]
    overrides: dict[Key, Series] = field(default_factory=dict)
    #: The day an "as of" policy was decided by (None: everything shipped is known); the targets
    #: of the level above that pull a drive are those decided by then (inputs/drives.py).
    decided_by: date | None = None

    @classmethod
    def from_table(cls, table: pd.DataFrame | None = None) -> "Policy":
        table = tables.table("policy_parameters") if table is None else table
        # Built once per table: every scenario (and every lever a dashboard asks about) starts here.
        return cls(tables.kept_for(table, _FROM_TABLE, id(table), lambda: _table_series(table)))

    def with_overrides(self, overrides: dict[Key, Series]) -> "Policy":
        merged = dict(self.overrides)
        merged.update(overrides)
        return Policy(self.series, merged, self.decided_by)

    def as_of(self, when: date) -> "Policy":
        """The policy as known on `when`: dated values taking effect later are dropped (a
        scenario's own overrides stay, being what the user asks about)."""
        series = {k: Series([v for v in s.values if v.start <= when]) for k, s in self.series.items()}
        return Policy({k: s for k, s in series.items() if s.values}, dict(self.overrides), self.decided_by)

    def known_on(self, when: date) -> "Policy":
        """The policy as decided by `when`: values decided later are dropped, those decided by then
        stay even where they take effect later (a law passed in June for January is known in
        December). What an "as of" forecast may use; the scenario's own overrides stay."""
        series = {k: Series([v for v in s.values if (v.decided or v.start) <= when])
                  for k, s in self.series.items()}
        known = when if self.decided_by is None else min(when, self.decided_by)
        return Policy({k: s for k, s in series.items() if s.values}, dict(self.overrides), known)

    def parameters(self) -> set[str]:
        return {k[0] for k in self.series}

    def base_series(self, parameter: str, region: str, group: str = "") -> Series | None:
        """The policy in force, without any scenario's overrides: the region's, else the nation's."""
        return _regional(self.series, parameter, region, group)

    def _series(self, parameter: str, region: str, group: str = "") -> Series | None:
        base = self.base_series(parameter, region, group)
        override = _regional(self.overrides, parameter, region, group)
        if override is not None:
            return (base or Series()).overridden_by(override)
        return base

    def annual(self, parameter: str, year: int, region: str = NATIONAL, group: str = "",
               default: float | None = None) -> float:
        s = self._series(parameter, region, group)
        if s is None:
            if default is None:
                raise LookupError(f"no parameter '{parameter}' for region '{region}', group '{group}'")
            return default
        return s.annual_mean(year, default)

    def in_force(self, parameter: str, when: date, region: str = NATIONAL, group: str = "") -> DatedValue | None:
        s = self._series(parameter, region, group)
        return s.at(when) if s is not None else None

    # Derived quantities ------------------------------------------------------------------

    def household_factor(self, year: int, figures_until: int | None = None) -> float:
        """Mean premium factor per member under the ladder, over the households' sizes of the census
        known by the end of `figures_until` (household.py; None: the latest)."""
        factors = [self.annual("household_member_factor", year, group=str(k), default=1.0)
                   for k in range(1, 6)]
        return mean_member_factor(factors, last=figures_until)

    def household_size_factor(self, year: int, figures_until: int | None = None) -> np.ndarray:
        """Premium per member under the ladder for a household of each size (household.py)."""
        factors = [self.annual("household_member_factor", year, group=str(k), default=1.0)
                   for k in range(1, 6)]
        return member_factor_by_size(factors, last=figures_until)

    def level_on(self, parameter: str, when: date, region: str, group: str = "") -> float:
        """A lever's level in force on `when` (0 where none): for `state_share` the total the person is
        spared, national and local, as `state_share` reckons it by the year."""
        def at(param: str, where: str) -> float:
            s = self._series(param, where, group)
            v = s.at(when) if s is not None else None
            return v.value if v is not None else 0.0

        if parameter != "state_share":
            return at(parameter, region)
        total = min(1.0, at("state_share", NATIONAL) + at("local_top_up", region))
        override = self.overrides.get(("state_share", region, group))
        if override is not None and region != NATIONAL and override.values and override.values[0].start <= when:
            v = (self.series.get(("state_share", region, group)) or Series()).overridden_by(override).at(when)
            total = v.value if v is not None else total
        return total

    def change_dates(self, parameter: str, region: str, group: str = "") -> list[date]:
        """Every date a lever's level can change on: its series' and overrides' starts (for
        `state_share` the national share's and the local top-up's too)."""
        params = ("state_share", "local_top_up") if parameter == "state_share" else (parameter,)
        out = set()
        for table in (self.series, self.overrides):
            for param in params:
                for where in {region, NATIONAL}:
                    out |= {v.start for v in (table.get((param, where, group)) or Series()).values}
        return sorted(out)

    def state_share(self, year: int, region: str, group: str) -> tuple[float, float]:
        """(national, local) parts of the state's share of the premium in force in `year`.

        A scenario's `state_share` override for a province sets the total from its first date;
        before then the baseline's total (national plus the local top-up) holds. What exceeds the
        national minimum is paid locally.
        """
        total_override = self.overrides.get(("state_share", region, group))
        if total_override is not None and region != NATIONAL and _acts_by(total_override, year):
            base = self.series.get(("state_share", region, group)) or Series()
            return _split_by_day(year, base.overridden_by(total_override), self._series("state_share", NATIONAL, group),
                                 self._series("local_top_up", region, group))
        national = self.annual("state_share", year, NATIONAL, group, default=0.0)
        total = min(1.0, national + self.annual("local_top_up", year, region, group, default=0.0))
        national_part = min(national, total)
        return national_part, total - national_part


def _regional(table: dict[Key, Series], parameter: str, region: str, group: str) -> Series | None:
    """The region's series of a parameter, else the nation's."""
    found = table.get((parameter, region, group))
    if found is None and region != NATIONAL:
        found = table.get((parameter, NATIONAL, group))
    return found


def _split_by_day(year: int, total: Series, national: Series | None, top_up: Series | None) -> tuple[float, float]:
    """(national, local) yearly means of a province's state share whose total a scenario sets
    (`total`, from its first date): day by day, where `total` has no value yet the baseline's
    national share plus top-up in force that day (a 2025 unit's reform starts on 1 July, and the
    national pupils' share moved from 30% to 50% on 15 August: its yearly mean is no day's total),
    the national part the smaller of the national share and the total."""
    begin, end = date(year, 1, 1), date(year + 1, 1, 1)
    steps = [s for s in (total, national, top_up) if s is not None]
    cuts = sorted({begin, end, *(v.start for s in steps for v in s.values if begin < v.start < end)})

    def at(s: Series | None, day: date) -> float:
        v = s.at(day) if s is not None else None
        return v.value if v is not None else 0.0

    national_sum = local_sum = 0.0
    for a, b in zip(cuts[:-1], cuts[1:]):
        n = at(national, a)
        own = total.at(a)
        whole = own.value if own is not None else min(1.0, n + at(top_up, a))
        part = min(n, whole)
        national_sum += part * (b - a).days
        local_sum += (whole - part) * (b - a).days
    days = (end - begin).days
    return national_sum / days, local_sum / days


def _acts_by(override: Series, year: int) -> bool:
    """Whether an override has taken effect by the end of `year` (before, the baseline holds as is)."""
    return bool(override.values) and override.values[0].start.year <= year


def policy_arrays(policy: Policy, regions: list[str], years: list[int], figures_until: int | None = None) -> xr.Dataset:
    """The policy in force as labelled arrays over (region, group, year), as the engine uses it; the
    household ladder over the sizes of the census known by the end of `figures_until` (the people's
    figures, not the policy's day: a run's people may be built on another day than its policy)."""
    shape = (len(regions), len(GROUP_IDS), len(years))
    national = np.zeros(shape)
    local = np.zeros(shape)
    for i, r in enumerate(regions):
        for j, g in enumerate(GROUP_IDS):
            for k, y in enumerate(years):
                national[i, j, k], local[i, j, k] = policy.state_share(y, r, g)
    outreach = np.array([[policy.annual("outreach", y, r, default=0.0) for y in years] for r in regions])
    drive = np.array([[policy.annual("drive", y, r, default=0.0) for y in years] for r in regions])
    return xr.Dataset(
        {
            "state_share_national": (("region", "group", "year"), national, {"units": "1"}),
            "state_share_local": (("region", "group", "year"), local, {"units": "1"}),
            "base_salary": (("year",), [policy.annual("base_salary", y) for y in years],
                            {"units": "VND/month", "long_name": "base salary (luong co so), annual mean"}),
            "premium_rate": (("year",), [policy.annual("premium_rate", y) for y in years], {"units": "1"}),
            "employee_premium_rate": (("year",), [policy.annual("employee_premium_rate", y)
                                                  for y in years], {"units": "1"}),
            "household_factor": (("year",), [policy.household_factor(y, figures_until) for y in years],
                                 {"units": "1"}),
            # the year last, as every variable here: a policy's first change is read along it
            "household_size_factor": (("household_size", "year"),
                                      np.array([policy.household_size_factor(y, figures_until) for y in years]).T,
                                      {"units": "1", "long_name": "premium per member of a household of each size"}),
            "outreach": (("region", "year"), outreach, {"units": "log-odds"}),
            "drive": (("region", "year"), drive, {"units": "1 = the nation's 2016-2020 drive"}),
        },
        coords={"region": regions, "group": list(GROUP_IDS), "year": years,
                "household_size": size_distribution(last=figures_until)[0]},
    )
