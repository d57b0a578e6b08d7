"""Labour-force schemes: social insurance (BHXH) and unemployment insurance (BHTN).

A layer on the same demography as the health engine (domain notes §6):

* **Population** by region, sex and age is projected with the health engine's own rates and
  order of operations (ageing with survival, births, net migration), so it equals the BHYT run's
  population year by year (the group moves of the health engine conserve each age's total). It
  does not depend on the draws.
* **Labour force** = population x participation rate by sex and 5-year age band, counted from age
  15 up to the statutory retirement age in force (60 / 55 until 2020, rising under Labour Code
  45/2019 from 2021): the "labour force in working age" that Resolution 28-NQ/TW and VSS report
  coverage against. Participation is data (`labour_force.csv`, assumed).
* **Required to join** compulsory BHXH (employees with contracts, civil servants): a share of
  the labour force per region and year from the data (assumed reference points, linear between),
  shifted by calibrated log-odds (a level and a drift: growth of formal employment), spread over
  ages by a profile. The rest of the labour force is **informal**, eligible for voluntary BHXH.
  Those required to join BHTN are a dated share of those required to join BHXH (`bhtn_scope`:
  BHTN from 2009 for employers of 10 or more, from 2015 for any employer; civil servants and the
  armed forces never), shifted by a calibrated log-odds.
* **Compulsory coverage** = required x compliance; compliance is logistic in a level, a trend
  (inspections, arrears collection), the region's offset, the scenario's `enforcement` lever and,
  from `noise_from` on, a random walk. Evasion is 1 - compliance. The same compliance holds for
  BHTN, collected with BHXH on the same payroll declaration.
* **Voluntary BHXH** is a join/lapse chain over the informal workers by sex and age: each year
  members age with their cohort, leave when their cohort's informal pool shrinks (formal jobs,
  retirement) in proportion, then the non-members join and the members lapse. Join and lapse are
  logistic in the net contribution as % of income (22% of the chosen income, the state's subsidy
  deducted: 30% poor / 25% near-poor / 10% others from 2018), averaged over the poor, near-poor and
  other informal workers; plus a drive from 2019 (Resolution 28-NQ/TW, targets assigned), the
  scenario's `voluntary_outreach` lever and an age shift. Join and lapse compete within the year
  as in the health engine, so a higher subsidy never lowers voluntary coverage.

Output: the health engine's Dataset shape (dims draw, year, region, group; `population`,
`insured`, `coverage`, `population_total`, `insured_total`, `coverage_total`), groups `required`
and `informal` (BHXH) or `required` and `other` (BHTN). `population_total` is the labour force
and `coverage_total` is against it (attr `denominator`); `coverage_required` is insured over those
required to join (for BHXH the compulsory part only).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd
import xarray as xr

from ..inputs import tables, demography, known, observations
from ..errors import InputError
from . import bounds, compliance
from .fixed import RAMPS, Alternative, Fixed, lapse_halves, on, times
from .parameters import DEFAULT_NOISE_FROM, NO_WALK, Prior, region_values
from .provenance import learned_without, provenance
from ..inputs.policy import NATIONAL, Policy, Series
from ..inputs.scenario import Scenario
from ..inputs.scheme_ids import LABOUR
from ..streams import normal

SCHEMES = LABOUR
GROUPS = {"bhxh": ("required", "informal"), "bhtn": ("required", "other")}
DENOMINATORS = {"share_of_labour_force": "labour_force", "share_of_required": "required"}
#: Working ages the layer keeps: from 15 to the band before 65 (no retirement age reaches 65).
FIRST_AGE, END_AGE = 15, 65
WORK_AGES = np.arange(FIRST_AGE, END_AGE)
BAND_STARTS = tuple(range(FIRST_AGE, END_AGE, 5))
BAND_LABELS = tuple(f"{a}-{a + 4}" for a in BAND_STARTS)
SUBGROUPS = ("poor", "near_poor", "other")
TREND_START = 2008
#: Resolution 28-NQ/TW (23 May 2018) and Resolution 125/NQ-CP (8 Oct 2018) set coverage targets
#: and had them assigned down to provinces: a voluntary-BHXH drive ramped in over 2019-2021.
VOLUNTARY_DRIVE_YEAR = 2019
DRIVE_RAMP_YEARS = 3
#: Who joins voluntary BHXH: people in their 40s and 50s, nearing a pension, more than the young
#: (log-odds by band 15-19 .. 60-64; assumed).
VOLUNTARY_AGE_SHIFT = (-1.0, -0.6, -0.2, 0.0, 0.2, 0.3, 0.4, 0.3, 0.2, 0.0)
LAPSE_PRICE_FACTOR = 0.5  # lapse responds to price and outreach half as strongly as joining
LAPSE_OUTREACH_FACTOR = 0.5
REQUIRED_CAP = 0.98  # no age band is wholly in wage jobs
AGE_SHIFT = Fixed(
    "voluntary_bhxh_age_shift", "voluntary BHXH join shift by age band {first}..{last}: {shifts} log-odds "
    "(nearing a pension)", {"first": BAND_LABELS[0], "last": BAND_LABELS[-1],
                            "shifts": tuple(float(v) for v in VOLUNTARY_AGE_SHIFT)},
    times({"shifts": VOLUNTARY_AGE_SHIFT}, "shifts", 0.0, 2.0))
LAPSE = lapse_halves(LAPSE_PRICE_FACTOR, LAPSE_OUTREACH_FACTOR)
CAP = Fixed(
    "required_cap", "at most {cap} of an age band required to join (no band wholly in wage jobs)",
    {"cap": REQUIRED_CAP}, (Alternative("0.95", {"cap": 0.95}), Alternative("0.995", {"cap": 0.995})))
DRIVE_RAMP = Fixed(
    "voluntary_drive_ramp", "the 2018 resolutions' voluntary drive ramps in over {years} years from {start}",
    {"years": DRIVE_RAMP_YEARS, "start": VOLUNTARY_DRIVE_YEAR}, RAMPS, document="28-NQ/TW")  # idle before it
#: How fast the share required to join grows: as labour_force.csv's `required_share` rows say, all
#: assumed (no labour force survey's series is shipped), and past the last row a run knows at the
#: slope of its last two (`required_share`). Forecast from 2009 with the 2008 row only, the nation's
#: 2023 BHXH share came out 17 points short (docs/labour.md, "Backtest"), so a verdict years ahead
#: leans on this path; its alternatives halve the rows' growth since their first year, or add half
#: again.
REQUIRED_GROWTH = Fixed(
    "required_share_growth", "the share of the labour force required to join follows the labour force table's "
    "assumed rows, its growth since their first year × {growth}", {"growth": 1.0},
    times({"growth": 1.0}, "growth", 0.5, 1.5))
#: The numbers above that no figure fits (assumed): listed in every labour run's provenance. The
#: layer reads them through these (`now()`), so that `covsim target --held-fixed` can try each
#: one's alternatives.
FIXED = (AGE_SHIFT, LAPSE, CAP, DRIVE_RAMP, REQUIRED_GROWTH)
#: The voluntary branch's fitted parameters, as its fit's record names them.
VOLUNTARY_PARAMETERS = ("voluntary_join", "voluntary_lapse", "log_voluntary_price_sensitivity", "voluntary_trend",
                        "voluntary_damping", "voluntary_drive", "region_voluntary")
#: What each scheme's coverage never reads, fitted parameters and numbers held fixed (by key): BHTN
#: has no voluntary branch, BHXH no unemployment-insurance scope. The two share one fit, but a
#: run of one neither lists the other's numbers nor weighs its verdict on them (their halves'
#: probabilities differ by sampling noise alone).
UNREAD = {"bhxh": ("bhtn_shift",),
          "bhtn": VOLUNTARY_PARAMETERS + (AGE_SHIFT.key, LAPSE.key, DRIVE_RAMP.key)}

PRIORS = {
    # Compliance (1 - evasion) is the employers' one process, shared with the health engine.
    **compliance.PRIORS,
    "formal_shift": Prior(0.0, 0.25, source="assumed: log-odds error of the required shares in labour_force.csv"),
    "formal_trend": Prior(0.0, 0.015, source="assumed: log-odds a year of formal-employment growth beyond the data's"),
    "bhtn_shift": Prior(0.0, 0.3, source="assumed: log-odds error of the BHTN scope shares in labour_policy.csv"),
    # About 50,000 voluntary members of some 30 M informal workers around 2008 at ~15% lapse.
    "voluntary_join": Prior(-6.3, 0.8, source="assumed: about 50,000 members around 2008 (domain notes §6)"),
    "voluntary_lapse": Prior(-1.5, 0.3, source="assumed: about 18% of members stop paying each year"),
    "voluntary_price_sensitivity": Prior(float(np.log(0.3)), 0.5, log=True,
                                         source="assumed: log-odds per % of income, weaker than for BHYT"),
    "voluntary_trend": Prior(0.15, 0.07, source="assumed: log-odds a year of awareness and outreach since 2008"),
    # Each year's gain is a fraction of the last one's (the easy to reach join first), as the health
    # engine's outreach trend: the sum levels off at trend / (1 - damping).
    "voluntary_damping": Prior(2.2, 0.7, source="assumed: logit of about 0.9"),
    "voluntary_drive": Prior(1.5, 0.7, source="assumed: Resolution 28-NQ/TW drive; ~1.1 M members by end-2020"),
}
REGION_PRIORS = {
    compliance.REGION_PRIOR[0]: compliance.REGION_PRIOR[1],
    "region_formal": Prior(0.0, 0.3, source="assumed: error of the province's required shares"),
    "region_voluntary": Prior(0.0, 0.5, source="assumed: provinces around the national voluntary join"),
}


# Parameters -------------------------------------------------------------------------------------

def is_labour_params(params: xr.Dataset | None) -> bool:
    return params is not None and "compliance_logit" in params


def prior_at(draw_index: np.ndarray, seed: int, regions: list[str]) -> xr.Dataset:
    """Labour parameter draws from the priors for the given draw indices (chunk-invariant)."""
    idx = np.asarray(draw_index, dtype=np.int64)

    def draw(name: str, prior: Prior) -> np.ndarray:
        x = prior.mean + prior.sd * normal(seed, f"labour.prior.{name}", idx)
        return np.exp(x) if prior.log else x

    out = {k: (("draw",), draw(k, p)) for k, p in PRIORS.items()}
    for name, prior in REGION_PRIORS.items():
        cols = [draw(f"{name}.{r}", prior) if r != NATIONAL else np.zeros(idx.size) for r in regions]
        out[name] = (("draw", "region"), np.stack(cols, axis=1))
    return xr.Dataset(out, coords={"draw": idx, "region": regions},
                      attrs={"source": "prior (labour layer)", "seed": int(seed)})


def sample_prior(draws: int, seed: int, regions: list[str], first_draw: int = 0) -> xr.Dataset:
    return prior_at(np.arange(first_draw, first_draw + draws), seed, regions)


# Data ------------------------------------------------------------------------------------------

def _rows(region: str, parameter: str, last: int | None = None) -> pd.DataFrame:
    """The region's rows of a labour-force parameter (else the nation's), as known by the end of
    `last` (known.py: a parameter with no row known yet keeps its earliest; None: every row)."""
    table = known.figures(tables.table("labour_force"), last, ("region", "parameter"))
    rows = table[(table.region == region) & (table.parameter == parameter)]
    if rows.empty and region != NATIONAL:
        rows = table[(table.region == NATIONAL) & (table.parameter == parameter)]
    return rows


def _points(region: str, parameter: str, last: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(years, values) of the parameter's rows known by the end of `last`, in year order; a parameter
    with none is refused."""
    rows = _rows(region, parameter, last).sort_values("year")
    if rows.empty:
        raise InputError("labour_force.csv", f"{region}.{parameter}", "missing; the labour layer needs it")
    return rows.year.to_numpy(float), rows.value.to_numpy(float)


def _value(region: str, parameter: str, last: int | None = None) -> float:
    return float(_points(region, parameter, last)[1][-1])


def _yearly(region: str, parameter: str, years: list[int], last: int | None = None) -> np.ndarray:
    """A reference-year series, linear between its years and flat outside them (after the last
    row known by the end of `last`, flat at it)."""
    return np.interp(years, *_points(region, parameter, last))


#: What a whole-record run past the labour force table's last row holds, in English; the faces word
#: the same values from their catalogue (section `fixed`, key `required_held`).
REQUIRED_HELD = ("the share of the labour force required to join carried past its {rows} row at the slope of its "
                 "last two rows (the labour force table has no later row): formal employment after {rows} is that "
                 "assumed trend, not data, in the run to {to}")


def held_items(regions: list[str], to: int | None) -> list[tuple[str, dict]]:
    """What a whole-record run of `regions` to `to` holds beyond FIXED, as (key, values): the share
    required to join past its last `required_share` row (the table ends in 2030; a scenario may not)."""
    finals = {int(_rows(region, "required_share").year.max()) for region in regions}
    past = sorted(y for y in finals if to is not None and y < to)  # rows the run goes beyond
    return [("required_held", {"rows": "/".join(map(str, past)), "to": to})] if past else []


def required_held_text(regions: list[str], decided_by, to: int | None = None) -> str:
    """'' or the assumption an as-of run makes by the cut (known.py): the share required to join
    carried past the last `required_share` row it knows at the slope of its last two known rows, or
    held there where it knows one row only, the later rows named. A run as of 2009 keeps 2008's
    25.7% to 2023, where 37.8% came (docs/labour.md, "Backtest"); listed with the run's held numbers.
    A run to `to` past the table's last row (2030) carries it on there too, and says so."""
    if decided_by is None:
        return "".join(REQUIRED_HELD.format(**values) for _, values in held_items(regions, to))
    last = known.last_year(decided_by)
    held, carried, unknown = set(), set(), set()
    for region in regions:
        every = set(_rows(region, "required_share").year.astype(int))
        kept = sorted(set(_rows(region, "required_share", last).year.astype(int)))
        (carried if len(kept) > 1 else held).add(kept[-1])
        unknown |= every - set(kept)
    if not unknown:
        return ""
    later = sorted(unknown)
    rows = f"the rows of {', '.join(map(str, later))} are" if len(later) > 1 else f"the row of {later[0]} is"
    how = ([f"carried past its {'/'.join(map(str, sorted(carried)))} row at the slope of its last two known rows"]
           if carried else []) + ([f"held at its {'/'.join(map(str, sorted(held)))} row from then on"] if held else [])
    return (f"the share of the labour force required to join {' and '.join(how)} ({rows} not known by the "
            f"origin): formal employment's later growth is {'that trend, not data,' if carried else 'not'} in "
            f"the forecast")


def held_texts(regions: list[str], decided_by, to: int | None) -> list[str]:
    """What a run holds beyond the numbers in FIXED, by what it knows and how far it runs: the
    share required to join past its last known row (`required_held_text`)."""
    return [t for t in [required_held_text(regions, decided_by, to)] if t]


def required_share(region: str, years: list[int], last: int | None = None) -> np.ndarray:
    """The share of the labour force required to join, by year: the rows known by the end of `last`,
    linear between them, flat before the first and, past the last, on at the slope of the last two
    (held where one row is known: no trend to carry). Holding it flat past the last row known kept
    formal employment still from then on, and the forecasts fell short by the years since (docs/
    labour.md, "Backtest"). Its growth since the first row is scaled by `REQUIRED_GROWTH` (held
    fixed, assumed; 1: the rows as they are)."""
    at, value = _points(region, "required_share", last)
    y = np.asarray(years, dtype=float)
    path = np.interp(y, at, value)
    if at.size > 1:
        slope = (value[-1] - value[-2]) / (at[-1] - at[-2])
        path = np.where(y > at[-1], value[-1] + slope * (y - at[-1]), path)
    growth = REQUIRED_GROWTH["growth"]
    return np.clip(value[0] + growth * (path - value[0]), 0.0, 1.0)


def band_of_age() -> np.ndarray:
    return ((WORK_AGES - FIRST_AGE) // 5).astype(np.int64)


def _by_age(region: str, prefix: str, last: int | None = None) -> np.ndarray:
    return np.array([_value(region, f"{prefix}.{label}", last) for label in BAND_LABELS])[band_of_age()]


def labour_policy(base: Policy | None = None) -> Policy:
    """`base` (default: the shipped health policy) with the dated rules of labour_policy.csv added;
    what else `base` knows (an as-of run's `decided_by`) is kept."""
    base = base or Policy.from_table()
    series = dict(base.series)
    for key, extra in Policy.from_table(tables.table("labour_policy")).series.items():
        series[key] = Series(list(series[key].values) + list(extra.values)) if key in series else extra
    return replace(base, series=series, overrides=dict(base.overrides))


base_policy = labour_policy  # what `Scheme.policy` starts from


def project_population(regions: list[str], years: list[int], last: int | None = None) -> np.ndarray:
    """Population over (year, region, sex, age 0..100+), as the health engine advances it (from the
    figures known by the end of `last`, known.py)."""
    return demography.build(regions, years, last).projected_population.values


def _logit(p):
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))


def _expit(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -500.0, 500.0)))


# The model -------------------------------------------------------------------------------------

def damped(params: xr.Dataset, elapsed: np.ndarray) -> np.ndarray:
    """Voluntary join log-odds gained since TREND_START, (year, draw): a damped trend."""
    phi = _expit(params.voluntary_damping.values)[None, :]
    return params.voluntary_trend.values[None, :] * (1.0 - phi ** np.asarray(elapsed)[:, None]) / (1.0 - phi)


@dataclass
class Prepared:
    """Everything that does not depend on the parameter draws (calibration builds it once)."""

    regions: list[str]
    years: list[int]
    population: np.ndarray  # (year, region, sex, working age) persons
    labour_force: np.ndarray  # (year, region, sex, working age) persons
    profile: np.ndarray  # (year, region, sex, working age): required share relative to the mean
    share_logit: np.ndarray  # (year, region): logit of the data's required share
    bhtn_scope: np.ndarray  # (year,)
    price: np.ndarray  # (year, region, subgroup): net voluntary contribution, % of income
    mix: np.ndarray  # (year, subgroup): poor / near-poor / other among informal workers
    subsidy_cost: np.ndarray  # (year, region, subgroup): state's yearly cost per voluntary member, VND
    enforcement: np.ndarray  # (year, region) log-odds
    outreach: np.ndarray  # (year, region) log-odds

    @classmethod
    def build(cls, pol: Policy, regions: list[str], years: list[int]) -> "Prepared":
        T, R = len(years), len(regions)
        last = known.last_year(pol.decided_by)  # an as-of run's: the labour force table's rows known by then
        pop = project_population(regions, years, last)[..., FIRST_AGE:END_AGE]
        retire = np.array([[pol.annual("retirement_age", y, NATIONAL, sex) for sex in demography.SEXES]
                           for y in years])
        working = np.clip(retire[:, :, None] - WORK_AGES[None, None, :], 0.0, 1.0)  # (T, S, A)
        part = np.stack([np.stack([_by_age(r, f"participation.{sex}", last) for sex in demography.SEXES])
                         for r in regions])  # (R, S, A)
        lf = pop * part[None] * working[:, None]
        prof = np.stack([_by_age(r, "required_profile", last) for r in regions])  # (R, A)
        norm = (lf * prof[None, :, None, :]).sum(axis=(2, 3)) / lf.sum(axis=(2, 3))
        profile = prof[None, :, None, :] / norm[:, :, None, None] * np.ones_like(lf)
        share = np.stack([required_share(r, years, last) for r in regions], axis=1)
        scope = np.array([pol.annual("bhtn_scope", y, default=0.0) for y in years])
        poor = _yearly(NATIONAL, "informal_share.poor", years, last)
        near = _yearly(NATIONAL, "informal_share.near_poor", years, last)
        mix = np.stack([poor, near, 1.0 - poor - near], axis=1)
        income_rows = _rows(NATIONAL, f"informal_income.{SUBGROUPS[0]}", last)
        reference = int(income_rows.year.iloc[0]) if not income_rows.empty else 2019
        income = np.array([_value(NATIONAL, f"informal_income.{g}", last) for g in SUBGROUPS])
        growth = _value(NATIONAL, "informal_income_growth", last)
        price = np.zeros((T, R, len(SUBGROUPS)))
        cost = np.zeros_like(price)
        for k, y in enumerate(years):
            rate = pol.annual("voluntary_contribution_rate", y)
            floor = pol.annual("voluntary_income_floor", y)
            scale = (1.0 + growth) ** (y - reference)
            for i, r in enumerate(regions):
                for j, g in enumerate(SUBGROUPS):
                    sub = pol.annual("voluntary_bhxh_subsidy", y, r, g, default=0.0)
                    price[k, i, j] = 100.0 * rate * floor * (1.0 - sub) / (income[j] * scale)
                    cost[k, i, j] = 12.0 * rate * floor * sub
        enforcement = compliance.enforcement(pol, regions, years)
        outreach = np.array([[pol.annual("voluntary_outreach", y, r, default=0.0) for r in regions] for y in years])
        return cls(list(regions), list(years), pop, lf, profile, _logit(share), scope, price, mix, cost,
                   enforcement, outreach)

    # Probabilities ----------------------------------------------------------------------------

    def required_level(self, params: xr.Dataset) -> np.ndarray:
        """Share of the labour force required to join compulsory BHXH, (year, region, draw)."""
        elapsed = np.maximum(np.asarray(self.years) - TREND_START, 0)
        x = (self.share_logit[:, :, None] + params.formal_shift.values[None, None, :]
             + region_values(params, "region_formal", self.regions).T[None]
             + elapsed[:, None, None] * params.formal_trend.values[None, None, :])
        return _expit(x)

    def compliance(self, params: xr.Dataset, seed: int, noise_from: int) -> np.ndarray:
        """Share of those required who contribute, (year, region, draw): the employers' one
        process (`compliance.py`), the same the health engine gives its employees."""
        return compliance.share(params, seed, self.regions, self.years, self.enforcement, noise_from)

    def bhtn_share(self, params: xr.Dataset) -> np.ndarray:
        """Share of those required to join BHXH who are required to join BHTN, (year, draw)."""
        shift = params.bhtn_shift.values[None, :] if "bhtn_shift" in params else 0.0
        scope = self.bhtn_scope[:, None]
        return np.where(scope > 0, _expit(_logit(scope) + shift), 0.0) * np.ones((1, params.sizes["draw"]))

    def voluntary_rates(self, params: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(join, lapse) over (year, region, band, draw), mixed over the informal subgroups, and
        the subgroups' equilibrium weights among members over (year, region, subgroup, draw)."""
        years = np.asarray(self.years)
        ramp = np.clip((years - DRIVE_RAMP["start"] + 1) / DRIVE_RAMP["years"], 0.0, 1.0)
        elapsed = np.maximum(years - TREND_START, 0)
        # A scenario's drive also keeps members paying (half as strongly); the national drive and
        # the slow growth of awareness move joining only: lapse stays high (World Bank 2025 finds
        # many members stop paying).
        drive = self.outreach[:, :, None] * np.ones((1, 1, params.sizes["draw"]))  # (T, R, D)
        common = (region_values(params, "region_voluntary", self.regions).T[None, :, :]  # (1, R, D)
                  + drive + damped(params, elapsed)[:, None, :]
                  + ramp[:, None, None] * params.voluntary_drive.values[None, None, :])
        sens = params.voluntary_price_sensitivity.values
        price = self.price[:, :, None, :, None]  # (T, R, 1, K, 1)
        shift = np.asarray(AGE_SHIFT["shifts"])[None, None, :, None, None]
        c = common[:, :, None, None, :]
        x = params.voluntary_join.values + c + shift - sens * price
        y = (params.voluntary_lapse.values - LAPSE["outreach"] * drive[:, :, None, None, :]
             + LAPSE["price"] * sens * price)
        pj, pl = _expit(x), _expit(y)  # (T, R, B, K, D)
        moved = 1.0 - (1.0 - pj) * (1.0 - pl)
        join, lapse = moved * pj / (pj + pl), moved * pl / (pj + pl)
        mix = self.mix[:, None, None, :, None]
        eq = join / (join + lapse)
        weights = (mix * eq).mean(axis=2)  # (T, R, K, D)
        total = weights.sum(axis=2, keepdims=True)
        weights = np.divide(weights, total, out=np.broadcast_to(self.mix[:, None, :, None], weights.shape).copy(),
                            where=total > 0)
        return (mix * join).sum(axis=3), (mix * lapse).sum(axis=3), weights

    # The run ----------------------------------------------------------------------------------

    def advance(self, params: xr.Dataset, seed: int, noise_from: int = DEFAULT_NOISE_FROM, by_age: bool = False,
                progress: Callable[[int], None] | None = None) -> dict[str, np.ndarray]:
        """Every year's pools and members, raw arrays with the draw last."""
        T, R = len(self.years), len(self.regions)
        D = params.sizes["draw"]
        level = self.required_level(params)
        comp = self.compliance(params, seed, noise_from)
        scope = self.bhtn_share(params)
        join, lapse, weights = self.voluntary_rates(params)
        bands = band_of_age()
        cap = CAP["cap"]  # held fixed (assumed)
        lf_tot = self.labour_force.sum(axis=(2, 3))
        req_tot = np.zeros((T, R, D))
        vol_tot = np.zeros((T, R, D))
        inf_tot = np.zeros((T, R, D))
        A = WORK_AGES.size
        age_shape = (T, R, A, D) if by_age else (1, 1, 1, 1)
        req_age, vol_age = np.zeros(age_shape), np.zeros(age_shape)
        members = informal = None
        for k in range(T):
            lf = self.labour_force[k][..., None]  # (R, S, A, 1)
            req = lf * np.minimum(level[k][:, None, None, :] * self.profile[k][..., None], cap)
            pool = lf - req
            j = join[k][:, bands][:, None]  # (R, 1, A, D)
            lp = lapse[k][:, bands][:, None]
            if k == 0:
                members = pool * j / (j + lp)
            else:
                # Members and the informal pool age with their cohort (as shares of it); when a
                # cohort's pool shrinks, its members leave in proportion.
                pop_before, pop_now = self.population[k - 1], self.population[k]
                ratio = np.zeros_like(pop_now)
                ratio[:, :, 1:] = pop_now[:, :, 1:] / np.maximum(pop_before[:, :, :-1], 1e-300)
                carried = np.zeros_like(members)
                carried_pool = np.zeros_like(members)
                carried[:, :, 1:] = members[:, :, :-1] * ratio[:, :, 1:, None]
                carried_pool[:, :, 1:] = informal[:, :, :-1] * ratio[:, :, 1:, None]
                keep = np.divide(pool, carried_pool, out=np.zeros_like(pool), where=carried_pool > 0)
                members = carried * np.minimum(keep, 1.0)
                members = members * (1.0 - lp) + (pool - members) * j
            informal = pool
            req_tot[k] = req.sum(axis=(1, 2))
            inf_tot[k] = pool.sum(axis=(1, 2))
            vol_tot[k] = members.sum(axis=(1, 2))
            if by_age:
                req_age[k] = req.sum(axis=1)
                vol_age[k] = members.sum(axis=1)
            if progress is not None and k > 0:
                progress(1)
        cost = (weights * self.subsidy_cost[..., None]).sum(axis=2)  # (T, R, D) per member
        return {"labour_force": lf_tot, "required": req_tot, "informal": inf_tot, "members": vol_tot,
                "compliance": comp, "bhtn_share": scope, "cost_per_member": cost,
                "lf_age": self.labour_force.sum(axis=2), "required_age": req_age, "members_age": vol_age}

    def observables(self, params: xr.Dataset, seed: int = 0) -> dict[str, np.ndarray]:
        """What calibration compares with data, over (year, region, draw): BHXH and BHTN coverage of
        the labour force, voluntary members (persons)."""
        raw = self.advance(params, seed, noise_from=NO_WALK)
        lf = raw["labour_force"][..., None]
        compulsory = raw["required"] * raw["compliance"]
        return {"bhxh": (compulsory + raw["members"]) / lf,
                "bhtn": compulsory * raw["bhtn_share"][:, None, :] / lf,
                "voluntary_members": raw["members"], "labour_force": raw["labour_force"]}


def simulate(pol: Policy, regions: list[str], years: list[int], params: xr.Dataset, seed: int, scheme: str = "bhxh",
             by_age: bool = False, noise_from: int = DEFAULT_NOISE_FROM,
             progress: Callable[[int], None] | None = None, prepared: Prepared | None = None) -> xr.Dataset:
    """The labour layer over `years` for every draw in `params`, as an xarray Dataset."""
    if scheme not in SCHEMES:
        raise InputError("scenario", "scheme", f"'{scheme}' is not a labour-force scheme; allowed: {', '.join(SCHEMES)}")
    prep = prepared or Prepared.build(pol, regions, years)
    raw = prep.advance(params, seed, noise_from, by_age, progress)
    return to_dataset(raw, prep, params, by_age, scheme)


def to_dataset(raw: dict[str, np.ndarray], prep: Prepared, params: xr.Dataset, by_age: bool = False,
               scheme: str = "bhxh") -> xr.Dataset:
    """The layer's raw arrays as the health engine's Dataset shape, for `scheme` (bhxh or bhtn)."""
    regions, years = prep.regions, prep.years
    D = params.sizes["draw"]
    lf = np.broadcast_to(raw["labour_force"][..., None], raw["required"].shape)
    comp = raw["compliance"]
    if scheme == "bhxh":
        required = raw["required"]
        pop = np.stack([required, raw["informal"]], axis=2)
        ins = np.stack([required * comp, raw["members"]], axis=2)
        cost = np.stack([np.zeros_like(required), raw["members"] * raw["cost_per_member"]], axis=2)
    else:
        required = raw["required"] * raw["bhtn_share"][:, None, :]
        pop = np.stack([required, lf - required], axis=2)
        ins = np.stack([required * comp, np.zeros_like(required)], axis=2)
        cost = np.zeros_like(pop)
    to_draw_first = (3, 0, 1, 2)
    dims = ("draw", "year", "region", "group")
    coords = {"draw": params.draw.values, "year": list(years), "region": list(regions),
              "group": list(GROUPS[scheme])}
    ds = xr.Dataset(
        {
            "population": (dims, pop.transpose(to_draw_first), {"units": "persons"}),
            "insured": (dims, ins.transpose(to_draw_first), {"units": "persons"}),
            "state_cost": (dims, cost.transpose(to_draw_first), {
                "units": "VND/year",
                "long_name": "state budget cost: subsidy of voluntary BHXH contributions" if scheme == "bhxh" else
                "state budget cost: not modelled for BHTN (the state's wage-fund support is left out)"}),
            "compliance": (("draw", "year", "region"), comp.transpose(2, 0, 1),
                           {"units": "1", "long_name": "share of those required to join who contribute (1 - evasion)"}),
        },
        coords=coords,
    )
    ds["population"].attrs["long_name"] = ("labour force in working age by pool: required to join compulsory "
                                           "BHXH, informal (eligible for voluntary BHXH)" if scheme == "bhxh" else
                                           "labour force in working age by pool: required to join BHTN, other")
    ds["coverage"] = bounds.share(ds.insured / ds.population.where(ds.population > 0), "coverage by pool")
    ds.coverage.attrs = {"units": "1", "long_name": "insured / population of the pool",
                         "empty": "NaN where the pool holds no one (no share of nobody; a table prints 0)"}
    ds["population_total"] = ds.population.sum("group")
    ds["insured_total"] = ds.insured.sum("group")
    ds["coverage_total"] = bounds.share(ds.insured_total / ds.population_total, "coverage")
    ds.population_total.attrs = {"units": "persons", "long_name": "labour force in working age (15 to retirement age)"}
    ds.insured_total.attrs = {"units": "persons"}
    ds.coverage_total.attrs = {"units": "1", "long_name": "insured / labour force", "denominator": "labour_force"}
    req = ds.population.sel(group="required")
    ds["coverage_required"] = bounds.share(ds.insured.sel(group="required") / req.where(req > 0), "coverage of those required")
    ds.coverage_required.attrs = {"units": "1", "denominator": "required",
                                  "long_name": "insured / those required to join" +
                                               (" (compulsory BHXH only)" if scheme == "bhxh" else ""),
                                  "empty": "NaN where no one is required to join (BHTN before it began in 2009)"}
    ds["required_share"] = (req / ds.population_total).assign_attrs(
        units="1", long_name="those required to join / labour force")
    if scheme == "bhxh":
        ds["voluntary_members"] = ds.insured.sel(group="informal", drop=True).assign_attrs(
            units="persons", long_name="voluntary BHXH members")
    if by_age:
        lf_age = np.broadcast_to(raw["lf_age"][..., None], raw["required_age"].shape)
        if scheme == "bhxh":
            req_age = raw["required_age"]
            comp_age = comp[:, :, None, :]
            pa = np.stack([req_age, lf_age - req_age], axis=3)
            ia = np.stack([req_age * comp_age, raw["members_age"]], axis=3)
        else:
            req_age = raw["required_age"] * raw["bhtn_share"][:, None, None, :]
            pa = np.stack([req_age, lf_age - req_age], axis=3)
            ia = np.stack([req_age * comp[:, :, None, :], np.zeros_like(req_age)], axis=3)
        age_dims = ("draw", "year", "region", "age", "group")
        ds["population_by_age"] = (age_dims, pa.transpose(4, 0, 1, 2, 3), {"units": "persons"})
        ds["insured_by_age"] = (age_dims, ia.transpose(4, 0, 1, 2, 3), {"units": "persons"})
        ds = ds.assign_coords(age=WORK_AGES)
    assert ds.sizes["draw"] == D
    return ds


def params_source(params: xr.Dataset | None) -> str:
    """Where a labour run's parameters come from, as its `parameters` attribute says: the labour
    posterior beside the health draws, draws given, or the labour priors."""
    if is_labour_params(params):
        return str(params.attrs.get("labour_source", params.attrs.get("source", "given")))
    return "prior (labour layer)" + ("; the health parameters given do not apply" if params is not None else "")


def run(scenario: Scenario, params: xr.Dataset | None = None, draws: int = 200, seed: int = 0,
        by_age: bool = False, noise_from: int = DEFAULT_NOISE_FROM, parallel: bool = True,
        progress: Callable[[int], None] | None = None, policy: Policy | None = None) -> xr.Dataset:
    """`simulator.run` for scheme bhxh or bhtn: the labour layer for every parameter draw.

    `params` without the labour layer's variables (the health engine's draws) give way to the labour
    priors at the same draw indices, so a batch or a CLI run passing its usual draws still works;
    the Dataset's `parameters` attribute says which were used. `parallel` is accepted for the
    health engine's signature (numpy vectorises over draws here).
    """
    regions = [scenario.region]
    source = params_source(params)
    if is_labour_params(params):
        used = params
        if "labour_source" in params.attrs:  # labour draws beside the health ones: their fit's record, not health's
            used = params.copy(deep=False)
            used.attrs.pop("learned", None)
            if "labour_learned" in params.attrs:
                used.attrs["learned"] = params.attrs["labour_learned"]
        if used.attrs.get("learned"):  # the fit's record, without what this scheme never reads
            used = used.copy(deep=False)
            used.attrs["learned"] = learned_without(used.attrs["learned"], UNREAD[scenario.scheme])
    else:
        index = params.draw.values if params is not None else np.arange(draws)
        used = prior_at(index, seed, regions)
    base = policy if policy is not None and "retirement_age" in policy.parameters() else labour_policy(policy)
    ds = simulate(scenario.policy(base), regions, scenario.years, used, seed, scenario.scheme, by_age=by_age,
                  noise_from=noise_from, progress=progress)
    ds.attrs.update(provenance(
        scenario, used, source, seed, noise_from, BAND_LABELS, known=base.decided_by,
        scheme=scenario.scheme,
        fixed=json.dumps([f.text_on(base.decided_by) for f in on(FIXED, base.decided_by)
                          if f.key not in UNREAD[scenario.scheme]]
                         + held_texts(regions, base.decided_by, max(scenario.years)),
                         ensure_ascii=False),
        supersedes=json.dumps(scenario.supersedes(base), ensure_ascii=False),
        denominator="labour_force",
        denominator_note="coverage_total: insured / labour force in working age; coverage_required: insured / "
                         "those required to join" + (" (compulsory BHXH only)" if scenario.scheme == "bhxh" else ""),
    ))
    return ds


# What a target would need ----------------------------------------------------------------------

def required_sizes(ds: xr.Dataset, target: float, year: int, region: str | None = None,
                   denominator: str = "labour_force") -> dict:
    """How many insured a target needs against the pools the run forecasts (medians over draws).

    For BHXH: even with every required employee contributing, the rest must be voluntary members;
    the answer says how many, as a share of the informal workers, against the forecast. For BHTN
    nobody outside the required pool can join, so a target above the pool is out of reach.
    """
    region = region or ds.attrs.get("region") or str(ds.region.values[0])
    scheme = ds.attrs.get("scheme", "bhxh" if "informal" in ds.group.values else "bhtn")
    if denominator not in ("labour_force", "required"):
        raise InputError("target", "denominator", f"'{denominator}' unknown; allowed: labour_force, required")
    if year not in ds.year.values:
        raise InputError("target", "year", f"{year} is outside the run's years "
                                           f"{int(ds.year.min())}..{int(ds.year.max())}")
    one = ds.sel(region=region, year=year)
    lf = one.population_total
    pool = one.population.sel(group="required")
    insured = one.insured_total
    var = one.coverage_total if denominator == "labour_force" else one.coverage_required
    base = lf if denominator == "labour_force" else pool
    needed = target * base
    need_share = needed / pool.where(pool > 0)  # of those required to join, draw by draw
    med = lambda a: float(np.nanmedian(np.asarray(a)))  # noqa: E731
    out = {
        "scheme": scheme, "region": region, "year": int(year), "target": float(target), "denominator": denominator,
        "probability": float((var >= target - 1e-12).mean()),
        "coverage_median": med(var),
        "labour_force": med(lf), "needed_insured": med(needed), "forecast_insured": med(insured),
        "required_pool": med(pool), "compulsory_forecast": med(one.insured.sel(group="required")),
        "compliance_median": med(one.compliance),
        "compliance_needed": med(need_share) if float(pool.max()) > 0 else float("inf"),
    }
    if denominator == "labour_force":  # every required employee contributing, voluntary as forecast
        extra = one.insured.sel(group="informal") if scheme == "bhxh" else 0.0
        out["max_with_full_compliance"] = med((pool + extra) / lf)
    else:
        out["max_with_full_compliance"] = 1.0
    if scheme == "bhxh":
        informal = one.population.sel(group="informal")
        members = one.insured.sel(group="informal")
        voluntary_needed = np.maximum(needed - pool, 0.0)
        # the two pools together, as the run forecasts the other: a target can be short of either
        at_forecast = np.maximum(needed - one.insured.sel(group="required"), 0.0)
        out.update({
            "informal_pool": med(informal), "voluntary_forecast": med(members),
            "voluntary_needed_at_full_compliance": med(voluntary_needed),
            "voluntary_share_needed": med(voluntary_needed / informal),
            "voluntary_share_forecast": med(members / informal),
            "voluntary_needed_at_forecast_compliance": med(at_forecast),
            "voluntary_share_needed_at_forecast_compliance": med(at_forecast / informal),
        })
        if denominator == "labour_force":  # the voluntary members forecast count towards it
            need_share = np.maximum(needed - members, 0.0) / pool.where(pool > 0)
            out["compliance_needed_with_voluntary"] = med(need_share)
    # Draw by draw: does the compliance forecast meet that draw's own need? The medians above are each
    # of its own quantity over the draws, and their comparison can read "on track" where P < 0.5
    # (Đồng Nai's 40% by 2015: 75.2% needed vs 76.5% forecast, P = 48%).
    out["compliance_enough"] = float((np.asarray(one.compliance) >= np.asarray(need_share) - 1e-12).mean())
    out["reason"] = _reason(out)
    return out


def _k(x: float) -> str:
    return f"{x:,.0f}"


def _reason(s: dict) -> str:
    """One line a planner can read: what the target needs against the pools forecast."""
    pct = lambda x: f"{100 * x:.1f}%"  # noqa: E731
    head = (f"{s['region']} {s['year']} {s['scheme'].upper()} target {pct(s['target'])} of the "
            f"{'labour force' if s['denominator'] == 'labour_force' else 'people required to join'}: "
            f"P = {pct(s['probability'])}; needs {_k(s['needed_insured'])} insured vs {_k(s['forecast_insured'])} "
            f"forecast (median {pct(s['coverage_median'])})")
    pool = f"{_k(s['required_pool'])} required to join ({pct(s['required_pool'] / s['labour_force'])} of the labour force)"
    both = s["scheme"] == "bhxh" and s["denominator"] == "labour_force"  # compulsory and voluntary members count
    # each a median over the draws, so said with how often a draw's compliance meets its own need
    enough = (f" (medians; in {pct(s['compliance_enough'])} of the draws the compliance forecast meets that draw's "
              f"need)")
    if 1.0 - 1e-9 <= s["compliance_needed"] <= 1.0 and s["compliance_enough"] == 0:  # everyone, no evader:
        return (head + f"; all of the {pool} would have to contribute, which the model's compliance (below 100% in "
                f"every draw, {pct(s['compliance_median'])} forecast) never reaches")
    if s["compliance_needed"] <= 1.0:  # within reach of those required, at a compliance the forecast may lack
        if both:  # with the voluntary members the run forecasts, not as if there were none
            return (head + f"; with the {_k(s['voluntary_forecast'])} voluntary members forecast, "
                    f"{pct(s['compliance_needed_with_voluntary'])} of the {pool} would have to contribute, "
                    f"vs {pct(s['compliance_median'])} forecast" + enough)
        return (head + f"; {pct(s['compliance_needed'])} of the {pool} would have to contribute, "
                f"vs {pct(s['compliance_median'])} forecast" + enough)
    if both:
        return (head + f"; all {pool} contributing would still leave {_k(s['voluntary_needed_at_full_compliance'])} "
                f"to voluntary BHXH = {pct(s['voluntary_share_needed'])} of {_k(s['informal_pool'])} informal "
                f"workers, vs {_k(s['voluntary_forecast'])} ({pct(s['voluntary_share_forecast'])}) forecast; at the "
                f"{pct(s['compliance_median'])} compliance forecast, {_k(s['voluntary_needed_at_forecast_compliance'])} "
                f"({pct(s['voluntary_share_needed_at_forecast_compliance'])})")
    return head + f"; only {pool}: out of reach whoever contributes"


def target_gaps(ds: xr.Dataset, scenario: Scenario) -> list[dict]:
    """`required_sizes` for each overall target the plans set for the run's region and scheme."""
    out = []
    for t in observations.targets(scenario.region, scenario.scheme).itertuples(index=False):
        if t.group != "all" or int(t.year) not in ds.year.values:
            continue
        denominator = DENOMINATORS.get(t.unit, "labour_force")
        gap = required_sizes(ds, float(t.value), int(t.year), scenario.region, denominator)
        gap["source"] = t.source
        out.append(gap)
    return out
