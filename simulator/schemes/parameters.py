"""Behavioural parameters of enrolment, their priors, and the yearly join and lapse probabilities.

Join and lapse are logistic in the net premium a person pays relative to income (domain notes §5:
a 25% voucher moved enrolment little, an 80% subsidy moved the near-poor from ~10% to ~70%), plus
an outreach/enforcement term: the household-based compulsory enrolment of Law 46/2014 and the
administrative drives that followed, and a random walk for the years ahead.

Parameter draws are an `xarray.Dataset` with a `draw` dimension. Without a calibration, draws come
from the priors below; calibration returns posterior draws of the same shape.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import xarray as xr

from ..inputs import incomes, mandates, observations
from .fixed import RAMPS, Alternative, Fixed, lapse_halves, times
from ..inputs.groups import BY_ID, GROUP_IDS
from .kernel import enrolment, enrolment_mix
from ..inputs.regions import NATIONAL
from ..errors import InputError
from ..streams import normal, normal_path

#: Age bands of the enrolment probabilities (first age of each band).
BAND_STARTS = (0, 6, 18, 23, 60, 80)
BAND_LABELS = ("0-5", "6-17", "18-22", "23-59", "60-79", "80+")
#: Adverse selection: older people join voluntary schemes more readily (Wagstaff et al. 2016 saw
#: the sick respond more). Log-odds shift per band for voluntary groups (assumed).
VOLUNTARY_AGE_SHIFT = (0.0, 0.0, -0.3, 0.0, 0.4, 0.6)
#: Income per person of each group as a multiple of its region's average income per person
#: (`inputs/incomes.py`, GSO living standards surveys). Assumed: the earlier model's incomes in
#: base salaries (poor 0.4, under-6 1.0, other 0.8, near-poor 0.6, students 1.2, farm 0.9,
#: household 1.4 base salaries) times the base salary over the average income in 2008, the last
#: survey every origin (2010 on) knew: 540,000 / 995,200 = 0.543 (Decree 166/2007; VHLSS 2008,
#: `income.csv`). Until 2026-12-02 the scale was 2011's (797,100 / 1,523,525 = 0.523), whose income
#: was interpolated towards the 2016 survey: a later figure in every as-of forecast (docs/data.md).
#: The near-poor at 0.33 of the average are 0.6 of the base salary, near the 2011-2015 near-poor line.
INCOME_RATIO = {"poor": 0.22, "child_under6": 0.54, "other_state_paid": 0.43, "near_poor": 0.33,
                "pupil_student": 0.65, "farm_household": 0.49, "household": 0.76}
#: Lapse responds to price and to outreach half as strongly as joining (assumed).
LAPSE_PRICE_FACTOR = 0.5
LAPSE_OUTREACH_FACTOR = 0.5
#: Law 46/2014 made enrolment compulsory for everyone and household-based from 1 Jan 2015; the
#: drives that followed ramp in over three years (assumed).
HOUSEHOLD_LAW_YEAR = 2015
RAMP_YEARS = 3


AGE_SHIFT = Fixed(
    "voluntary_age_shift", "voluntary groups' join shift by age band {bands}: {shifts} log-odds (adverse selection)",
    {"bands": "/".join(BAND_LABELS), "shifts": tuple(float(v) for v in VOLUNTARY_AGE_SHIFT)},
    times({"shifts": VOLUNTARY_AGE_SHIFT}, "shifts", 0.0, 2.0))
INCOME = Fixed(
    "income_ratio", "income per person by group, a multiple of the region's average: {ratios}",
    {"ratios": dict(INCOME_RATIO)}, times({"ratios": INCOME_RATIO}, "ratios", 0.75, 4 / 3))
#: After the last income survey known, income goes on growing at the national series' mean growth
#: over the years before it (inputs/incomes.py): as of 2010-2015 that is 2008-2010's fast nominal
#: growth, and nobody knows the growth ahead. Assumed; its alternatives halve it and add half.
INCOME_AHEAD = Fixed(
    "income_growth_ahead", "income after the last survey known grows at {factor} × the national series' mean "
    "yearly growth over the {years} years before it", {"factor": 1.0, "years": incomes.GROWTH_YEARS},
    times({"factor": 1.0}, "factor", 0.5, 1.5))
LAPSE = lapse_halves(LAPSE_PRICE_FACTOR, LAPSE_OUTREACH_FACTOR)
HOUSEHOLD_RAMP = Fixed(
    "household_ramp", "Law 46/2014's drives ramp in over {years} years from {start}",
    {"years": RAMP_YEARS, "start": HOUSEHOLD_LAW_YEAR}, RAMPS, document="46/2014")  # idle before the law
ROADMAP_RAMP = Fixed(
    "roadmap_ramp", "each step of Law 25/2008's roadmap ramps in over {years} years",
    {"years": mandates.RAMP_YEARS}, RAMPS, document="Art. 51")
#: The voluntary groups' join levels against one another, log-odds (assumed; the priors' means).
#: A fit learns one level they share (`join_voluntary`); how far apart they sit it never learns,
#: and a verdict can hang on it (Vinh Long's 90% by 2020: 20% to 56% as of 2018 with the spread
#: halved or half as large again; a helper's audit, 2026-12-05). Its alternatives scale the spread
#: about the groups' mean.
VOLUNTARY_JOIN = {"near_poor": -1.0, "pupil_student": 0.5, "farm_household": -1.5, "household": -1.5}


def _about(levels: dict, centre: float, factor: float) -> Alternative:
    """An alternative scaling each level's distance from `centre` by `factor` (the levels a fit
    shares one shift of: it learns where they sit together, never how far apart)."""
    return Alternative(f"x{factor:g}", {"levels": {g: round(centre + factor * (v - centre), 4) + 0.0
                                                   for g, v in levels.items()}})


JOIN_LEVELS = Fixed(
    "voluntary_join_levels", "voluntary groups' join levels against one another: {levels} log-odds (one shared "
    "level fitted)", {"levels": dict(VOLUNTARY_JOIN)},
    tuple(_about(VOLUNTARY_JOIN, sum(VOLUNTARY_JOIN.values()) / len(VOLUNTARY_JOIN), f) for f in (0.5, 1.5)))
#: Each group's lapse level, log-odds a year: -2.2 (about 10% a year) after Nguyen & Leung 2013
#: (about 1 in 5 lapsed over 2004-2006), lower where the state or a pension keeps people in
#: (assumed). A fit learns one shift they share (`lapse`), not how they differ: its alternatives
#: scale each group's distance from the voluntary groups' level, which the poor share.
VOLUNTARY_LAPSE = -2.2
LAPSE_LEVELS = {"employee": -2.5, "pensioner": -4.0, "poor": VOLUNTARY_LAPSE, "child_under6": -3.0,
                "other_state_paid": -3.0, "near_poor": VOLUNTARY_LAPSE, "pupil_student": VOLUNTARY_LAPSE,
                "farm_household": VOLUNTARY_LAPSE, "household": VOLUNTARY_LAPSE}
LAPSE_HELD = Fixed(
    "lapse_levels", "each group's lapse level before the fitted shift they share: {levels} log-odds a year "
    f"({VOLUNTARY_LAPSE:g} is about 10% a year, after Nguyen and Leung 2013)", {"levels": dict(LAPSE_LEVELS)},
    tuple(_about(LAPSE_LEVELS, VOLUNTARY_LAPSE, f) for f in (0.5, 1.5)))
#: The numbers above that no figure fits (assumed): listed in every run's provenance, where the
#: user sees its results, beside the scenario's own assumed numbers. The model reads them through
#: these (`now()`), so that `covsim target --held-fixed` can try each one's alternatives.
FIXED = (AGE_SHIFT, INCOME, INCOME_AHEAD, LAPSE, ROADMAP_RAMP, HOUSEHOLD_RAMP, JOIN_LEVELS, LAPSE_HELD)
#: First year of the outreach random walk: the years after the last observation (default: the
#: year after the last national year-end figure shipped, 2025); a province with an older last
#: figure walks from the year after it (`walk_starts`).
DEFAULT_NOISE_FROM = 2026
#: A run's `noise_from` that adds no walk (the fits' own runs, a sensitivity analysis's): no year
#: reaches it.
NO_WALK = 10_000


@dataclass(frozen=True)
class Prior:
    """Normal prior on an unbounded scale; `log` means the parameter is its exponential."""

    mean: float
    sd: float
    log: bool = False
    source: str = "assumed"


JOIN_PRIOR = {
    "employee": Prior(1.0, 1.0), "pensioner": Prior(3.0, 1.0), "poor": Prior(1.5, 1.0),
    "child_under6": Prior(1.5, 1.0), "other_state_paid": Prior(1.0, 1.0),
    **{g: Prior(level, 1.0) for g, level in VOLUNTARY_JOIN.items()},
}
LAPSE_PRIOR = {g: Prior(LAPSE_LEVELS[g], 0.5, source="Nguyen & Leung 2013: ~1 in 5 lapsed over 2004-2006, ~10%/yr"
                        if LAPSE_LEVELS[g] == VOLUNTARY_LAPSE else "assumed") for g in GROUP_IDS}


def lapse_means() -> dict[str, float]:
    """Each group's lapse level, log-odds a year, as `LAPSE_HELD` holds it."""
    return dict(LAPSE_HELD["levels"])


def join_means() -> dict[str, float]:
    """Each group's join level, log-odds: the priors' means, the voluntary groups' as `JOIN_LEVELS`
    holds them (an alternative's inside `held_at`)."""
    return {g: p.mean for g, p in JOIN_PRIOR.items()} | JOIN_LEVELS["levels"]


SCALAR_PRIORS = {
    # ~0.35 log-odds per percentage point of income: a 25% voucher (0.84 points of income for the
    # household group in 2013) then raises joining by ~2 points, inside the trial's 95% interval
    # (-1.0 to +2.8; Wagstaff et al. 2016), while going from no subsidy to 80% moves the near-poor
    # from ~10% towards ~70% over three years as in the Mekong project (World Bank 2013); see
    # calibration/price_evidence.py (derived, wide).
    "price_sensitivity": Prior(np.log(0.35), 0.4, log=True,
                               source="derived: Wagstaff et al. 2016 trial, World Bank 2013 Mekong project"),
    # Law 46/2014 enacted the step Law 25/2008's roadmap had set for 2014 (farm households and the
    # household group compulsory, `mandates.csv`), which `roadmap` already carries: its drive is
    # what household-based enrolment added beyond that step, centred on nothing (a prior of 1.0
    # counted the one mandate twice; docs/model.md, "The walk ahead, estimated").
    "outreach_2015": Prior(0.0, 0.5, source="assumed: Law 46/2014's household enrolment beyond the roadmap's 2014 step"),
    # Law 25/2008's roadmap made the voluntary groups compulsory step by step (inputs/mandates.py):
    # log-odds of joining each step added once ramped in; the same prior as the later law's drive.
    "roadmap": Prior(1.0, 0.5, source="assumed: as outreach_2015 (a law making a voluntary group compulsory)"),
    "outreach_sd": Prior(np.log(0.07), 0.4, log=True, source="assumed: ~0.6 points a year at 90% coverage"),
    # Enforcement and outreach grew year on year under Law 25/2008's roadmap (groups made
    # compulsory step by step, targets assigned down to communes): log-odds per year since 2008.
    # (sd 0.1: the value every fit has used since the first; the runs on the priors had 0.05 until
    # the fit came to read its priors from here, declared once.)
    "outreach_trend": Prior(0.05, 0.1, source="assumed: domain notes §5, administrative drives"),
    # Each year's new drive is a fraction of the last one's: what is left to enrol gets harder to
    # reach, so coverage levels off below 100% (assumed; about 0.85, wide).
    "outreach_damping": Prior(1.73, 1.0, source="assumed: logit of 0.85"),
    # How hard the drives answering the level above's targets push (inputs/drives.py): log-odds of
    # every group's joining per log-odds of the target path's rise since the first target (assumed,
    # wide). 1 does not close the gap: the nation's coverage moves by 0.44-0.63 of it from 2016
    # (the compulsory and state-paid groups are insured whatever the drive, and the stock turns
    # over only as people join and lapse; benchmarks/pull_units.py, docs/model.md "Drives").
    "target_pull": Prior(0.5, 0.5, source="assumed: fitted where targets and outcomes are observed"),
}
TREND_START = 2008
REGION_OFFSET_SD = 0.5  # spread of provinces around the national join level (partial pooling)


def sample_prior(draws: int, seed: int, regions: list[str], first_draw: int = 0) -> xr.Dataset:
    """Parameter draws from the priors; draw i is the same whatever the batch it sits in."""
    idx = np.arange(first_draw, first_draw + draws)

    def draw(name, prior: Prior, shape=()):
        z = normal(seed, f"prior.{name}", idx, shape)
        x = prior.mean + prior.sd * z
        return np.exp(x) if prior.log else x

    means = join_means()
    join = np.stack([draw(f"join.{g}", replace(JOIN_PRIOR[g], mean=means[g])) for g in GROUP_IDS], axis=1)
    lapse_at = lapse_means()
    lapse = np.stack([draw(f"lapse.{g}", replace(LAPSE_PRIOR[g], mean=lapse_at[g])) for g in GROUP_IDS], axis=1)
    offsets = np.stack([draw(f"region.{r}", Prior(0.0, REGION_OFFSET_SD)) if r != NATIONAL
                        else np.zeros(draws) for r in regions], axis=1)
    ds = xr.Dataset(
        {
            "join_logit": (("draw", "group"), join),
            "lapse_logit": (("draw", "group"), lapse),
            "region_offset": (("draw", "region"), offsets),
            **{k: (("draw",), draw(k, p)) for k, p in SCALAR_PRIORS.items()},
        },
        coords={"draw": idx, "group": list(GROUP_IDS), "region": regions},
        attrs={"source": "prior", "seed": seed},
    )
    return ds


def band_of_age(max_age: int) -> np.ndarray:
    return (np.searchsorted(BAND_STARTS, np.arange(max_age + 1), side="right") - 1).astype(np.int64)


def band_ages(ages: int) -> list[tuple[int, int]]:
    """Each band's ages as (first, past the last) over `ages` ages: `band_of_age`'s bands as slices."""
    ends = list(BAND_STARTS[1:]) + [ages]
    return [(lo, min(hi, ages)) for lo, hi in zip(BAND_STARTS, ends)]


def net_price_pct(policy: xr.Dataset, last: int | None = None) -> xr.DataArray:
    """Premium a person pays, % of income, over (region, group, year).

    The premium is a share of the base salary, the income a share of the region's average income
    that year (`inputs/incomes.py`): a base-salary rise raises the burden, income growth lowers it.
    Zero where employers or the social-insurance fund pay; for state-paid groups it is zero while
    the state pays in full and rises if a scenario lowers their share. `last`: the last year whose
    income figures an "as of" run knows (None: all).
    """
    groups = list(policy.group.values)
    share = (policy.state_share_national + policy.state_share_local).transpose("region", "group", "year", ...)
    extra = (1,) * (share.ndim - 3)  # a sensitivity analysis gives every draw its own shares

    def per(values: np.ndarray, axis: int) -> np.ndarray:  # one value per group (axis 1) or year (axis 2)
        shape = [1, 1, 1]
        shape[axis] = values.size
        return values.reshape(tuple(shape) + extra)

    ratios = INCOME["ratios"]
    ratio = per(np.array([ratios.get(g, np.inf) for g in groups]), 1)
    household = per(np.array([g == "household" for g in groups]), 1)
    factor = np.where(household, per(policy.household_factor.values, 2), 1.0)
    income = incomes.income_per_person([str(r) for r in policy.region.values],
                                       [int(y) for y in policy.year.values], last,
                                       (INCOME_AHEAD["factor"], INCOME_AHEAD["years"]))  # (region, year), VND/month
    burden = per(policy.premium_rate.values * policy.base_salary.values, 2) / income.reshape(
        income.shape[:1] + (1,) + income.shape[1:] + extra)
    price = 100.0 * burden * (1.0 - share.values) * factor / ratio
    priced = per(np.array([g in ratios for g in groups]), 1)
    return xr.DataArray(np.where(priced, price, 0.0), dims=share.dims, coords=share.coords)

def last_figures(regions: list[str], last: int | None = None) -> list[int | None]:
    """Each region's latest year-end BHYT figure of the groups the fit reads, up to `last` (the
    run's figures' year: Y as of Y; None, every figure), or None for a region with none: read once
    per prepared run (`health.Prepared.build`), not at every advance."""
    out = []
    for region in regions:
        years = [y for y in observations.observed_years(region, "bhyt") if last is None or y <= last]
        out.append(max(years) if years else None)
    return out


def walk_starts(regions: list[str], noise_from: int, last: int | None = None,
                figures: list[int | None] | None = None) -> list[int]:
    """The first year of each region's walk ahead: the year after its latest year-end BHYT figure
    known to the run (`last_figures`, or `figures` as it gave them), where the fit ties that
    region's walk to zero (`health_fit.walk_span`), or `noise_from` for a region with none (its
    level is its offset's). `noise_from` is the year after the figures a run knows (the nation's
    last on the whole record is 2025's, so 2026; Y + 1 as of Y): a province whose last figure is older walks
    from the year after it (Vĩnh Long's 2017: from 2018), else its forecast would leave out the
    years between; one with a later figure walks from after that. NO_WALK: no walk at all."""
    if noise_from >= NO_WALK:
        return [noise_from] * len(regions)
    figures = last_figures(regions, last) if figures is None else figures
    return [noise_from if year is None else year + 1 for year in figures]


def outreach_walk(params: xr.Dataset, seed: int, regions: list[str], years: list[int],
                  noise_from: int, last: int | None = None, figures: list[int | None] | None = None) -> np.ndarray:
    """Random-walk outreach log-odds over (draw, region, year), zero before each region's start
    (`walk_starts`, by the figures known up to `last` or as `figures` gives them)."""
    idx = params.draw.values
    out = np.zeros((idx.size, len(regions), len(years)))
    for i, (r, start) in enumerate(zip(regions, walk_starts(regions, noise_from, last, figures))):
        later = [k for k, y in enumerate(years) if y >= start]
        if later:
            z = normal_path(seed, f"outreach.{r}", idx, len(later))
            out[:, i, later] = np.cumsum(z, axis=1) * params.outreach_sd.values[:, None]
    return out


def enrolment_probabilities(params: xr.Dataset, years: np.ndarray, price: np.ndarray, outreach: np.ndarray,
                            regions: list[str], household: tuple[np.ndarray, np.ndarray] | None = None,
                            mandate: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(join, lapse) over (year, region, band, group, draw), the kernel's layout.

    `price` is the net premium in % of income over (region, group, year), or over (region, group,
    year, draw) where each draw has its own policy; `outreach` the log-odds shift over (draw,
    region, year): the scenario's lever plus the random walk.

    `household = (person weights by size, price scale by size and year)`: the household group
    decides by whole household (Law 46/2014). A household of each size joins or lapses as one at
    its own premium per member (the ladder makes larger households cheaper per member), so a
    person's probability is the mix over the sizes people live in, weighted by persons. The scale
    is each size's premium per member over the mean one `price` carries; in years where it is 1
    for every size (no ladder before 2015) the person-by-person probability stands as it is.

    `mandate` (year, group): Law 25/2008's roadmap ramped in per group (inputs/mandates.py), scaled
    by each draw's `roadmap` strength; none where the draws lack it (posteriors made before it).
    """
    years = np.asarray(years)
    D = params.sizes["draw"]
    if price.ndim == 3:
        price = np.broadcast_to(price[..., None], price.shape + (D,))
    price = np.ascontiguousarray(price.transpose(2, 0, 1, 3))
    voluntary = np.array([BY_ID[g].voluntary for g in GROUP_IDS], dtype=float)
    age_shift = np.outer(AGE_SHIFT["shifts"], voluntary)  # (band, group)
    ramp = np.clip((years - HOUSEHOLD_RAMP["start"] + 1) / HOUSEHOLD_RAMP["years"], 0.0, 1.0)
    common = region_offsets(params, regions)[:, :, None] + outreach + cumulative_drive(params, years)[:, None, :]
    common = np.ascontiguousarray(common.transpose(2, 1, 0))
    drive = ramp[:, None, None] * voluntary[None, :, None] * params.outreach_2015.values[None, None, :]
    if mandate is not None and "roadmap" in params:
        drive = drive + mandate[:, :, None] * params.roadmap.values[None, None, :]
    drive = np.ascontiguousarray(drive)  # (year, group, draw)
    shape = (len(years), len(regions), len(BAND_STARTS), len(GROUP_IDS), params.sizes["draw"])
    join, lapse = np.empty(shape), np.empty(shape)
    mixed = _household_years(household, len(years))
    enrolment(np.ascontiguousarray(params.join_logit.values.T), np.ascontiguousarray(params.lapse_logit.values.T),
              common, drive, age_shift, np.ascontiguousarray(params.price_sensitivity.values),
              price, LAPSE["price"], LAPSE["outreach"], join, lapse, GROUP_IDS.index("household"), mixed)
    if mixed.any():
        _by_household(params, price, common, drive, age_shift, household, np.flatnonzero(mixed),
                      join, lapse)
    return join, lapse


def _household_years(household: tuple[np.ndarray, np.ndarray] | None, years: int) -> np.ndarray:
    """The years (a mask) in which the household group decides by whole household: those with a
    ladder, where some size's premium per member differs from the mean one."""
    if household is None:
        return np.zeros(years, dtype=bool)
    return np.any(np.abs(household[1] - 1.0) > 1e-12, axis=0)


def _by_household(params: xr.Dataset, price: np.ndarray, common: np.ndarray, drive: np.ndarray,
                  age_shift: np.ndarray, household: tuple[np.ndarray, np.ndarray],
                  years: np.ndarray, join: np.ndarray, lapse: np.ndarray) -> None:
    """The household group's probabilities in `years` (indices, the years with a ladder): the mix
    over household sizes of the whole household's decision (see `enrolment_probabilities`), in one
    pass of the kernel over every size at once."""
    weights, scale = household
    enrolment_mix(np.ascontiguousarray(params.join_logit.values.T), np.ascontiguousarray(params.lapse_logit.values.T),
                  common, drive, age_shift, np.ascontiguousarray(params.price_sensitivity.values), price,
                  LAPSE["price"], LAPSE["outreach"], GROUP_IDS.index("household"), years,
                  np.ascontiguousarray(weights, dtype=float), np.ascontiguousarray(scale, dtype=float), join, lapse)


def cumulative_drive(params: xr.Dataset, years: np.ndarray) -> np.ndarray:
    """Log-odds of enforcement and outreach accumulated since TREND_START, (draw, year).

    A damped trend: the yearly gain shrinks by the damping factor each year, so the sum levels
    off at trend / (1 - damping).
    """
    D = params.sizes["draw"]
    if "outreach_trend" not in params:
        return np.zeros((D, len(years)))
    trend = params.outreach_trend.values[:, None]
    elapsed = np.maximum(np.asarray(years) - TREND_START, 0)[None, :]
    if "outreach_damping" not in params:
        return trend * elapsed
    phi = 1.0 / (1.0 + np.exp(-params.outreach_damping.values))[:, None]  # stored on the logit scale
    gap = np.maximum(1.0 - phi, 1e-12)
    return trend * np.where(1.0 - phi > 1e-9, (1.0 - phi**elapsed) / gap, elapsed)


def region_offsets(params: xr.Dataset, regions: list[str]) -> np.ndarray:
    """Each region's join log-odds offset over (draw, region); 0 for a region the draws lack."""
    return region_values(params, "region_offset", regions)


def region_values(params: xr.Dataset, name: str, regions: list[str]) -> np.ndarray:
    """A per-region parameter over (draw, region); 0 for a region the draws lack (it gets the
    national level) or draws without the parameter. One reader for every scheme's offsets."""
    out = np.zeros((params.sizes["draw"], len(regions)))
    if name in params:
        have = set(params.region.values.tolist())
        for i, r in enumerate(regions):
            if r in have:
                out[:, i] = params[name].sel(region=r).values
    return out


def target_pull(params: xr.Dataset, gaps: np.ndarray | None) -> np.ndarray:
    """The drive that answers the level above's targets, log-odds over (draw, region, year): the
    fitted pull times each target's gap (0 for draws without the parameter: older posteriors)."""
    if gaps is None or "target_pull" not in params:
        return np.zeros((params.sizes["draw"], 1, 1))
    return params.target_pull.values[:, None, None] * gaps[None]


def drive_effect(params: xr.Dataset, drive: np.ndarray, unit: float) -> np.ndarray:
    """Log-odds a scenario's drive lever adds over (draw, region, year): its strength (region,
    year; or draw, region, year where each draw has its own, as `sensitivity` samples it) times the
    log-odds of one unit times the fitted pull, draw by draw. A drive never lowers joining: draws
    whose pull came out negative give it no effect."""
    if not np.any(drive):
        return np.zeros((params.sizes["draw"], 1, 1))
    if "target_pull" not in params:
        raise InputError("parameters", "target_pull", "the drive lever needs draws with a fitted target "
                                                      "pull; refit them with `covsim calibrate REGION --out FILE.nc`")
    return np.maximum(params.target_pull.values, 0.0)[:, None, None] * unit * (drive if drive.ndim == 3 else drive[None])
