"""Population by region, sex and single-year age, and the rates that move it: mortality, fertility,
net migration.

The age schedules are standard parametric shapes scaled to `demography.csv` (assumed, and labelled
so): a Siler hazard for mortality solved to the region's life expectancy, a gamma-shaped fertility
schedule scaled to its total fertility, a young-adult migration profile.

Total fertility, life expectancy by sex and the sex ratio at birth change over time (`series`): the
national figures are dated rows (GSO's censuses and surveys, 2008-2024), linear between their years
and held before the first and after the last (assumed: no GSO projection was found here). A
province with dated figures of its own follows the national series at its ratio to it, that ratio
interpolated between the province's years and held outside them (assumed: the gap to the nation
holds); a province without any follows the nation (assumed). An undated row is one value for every
year, as before the rows had years.

The population is steered through the region's census totals (`census.csv`: the 2009 and 2019
censuses, intercensal surveys, a plan's own base-year population): between two such points the
total moves log-linearly, and each year's net migration is whatever closes the gap between that
path and the year's births and deaths (an estimate, not an observation). After the last point the
net migration rate stays at its mean over the ten years before it (an assumed continuation: no GSO
projection by province was found). All of it is computed once, before a run, as yearly inputs.

The first year's age structure is a stable population thinned beyond TAPER_FROM, its two
parameters fitted to the census's age bands (`census_structure.csv`, `fitted_shape`); a province
without bands of its own takes the nation's (assumed).
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import xarray as xr
from scipy import optimize, special

from . import known, tables
from ..errors import InputError
from .regions import NATIONAL

MAX_AGE = 100  # the last age is open: 100 and over
AGES = np.arange(MAX_AGE + 1)
SEXES = ("male", "female")
#: The parameters demography.csv's rows may name: what `build` reads (a name outside would be a
#: row no run reads: validate.py refuses it).
PARAMETERS = ("tfr", *(f"e0_{sex}" for sex in SEXES), "sex_ratio_at_birth", "share_male", "growth_rate")
#: Growth rate of the stable population that shapes the initial age structure where the data give
#: no age bands at all, not even the nation's (assumed: Vietnam's share aged 0-14 of about a quarter
#: around 2009).
DEFAULT_STRUCTURE_GROWTH = 0.012
#: The initial population thins beyond this age faster than a stable population would: the cohorts
#: born before 1970 are smaller than today's mortality and growth imply (war, famine, the older high
#: mortality). The age, 40, is assumed (not fitted); how much faster is fitted to the census's age
#: bands (`fitted_shape`).
TAPER_FROM = 40
#: Siler hazard shape: infant term, constant, senescent slope (assumed, typical of middle-income
#: life tables); only the senescent level is solved for.
SILER = dict(a1=0.03, b1=1.8, a2=0.0006, b3=0.085)
FERTILITY_MEAN_AGE = 28.0  # mean age at childbearing (assumed)
FERTILITY_SD_AGE = 6.0


def _hazard(level: float, ages: np.ndarray) -> np.ndarray:
    s = SILER
    return s["a1"] * np.exp(-s["b1"] * ages) + s["a2"] + level * np.exp(s["b3"] * ages)


def death_probabilities(level: float) -> np.ndarray:
    """q(a): the probability that a person aged a at the start of a year dies within it."""
    return 1.0 - np.exp(-_hazard(level, AGES + 0.5))


def life_expectancy(q: np.ndarray) -> float:
    survivors = np.concatenate([[1.0], np.cumprod(1.0 - q)])
    years = 0.5 * (survivors[:-2] + survivors[1:-1]).sum()
    return float(years + survivors[-2] / max(q[-1], 1e-9) * (1 - q[-1] / 2))


def mortality_for(e0: float) -> np.ndarray:
    return np.array(_mortality(round(float(e0), 10)))


@lru_cache(maxsize=4096)
def _mortality(e0: float) -> tuple[float, ...]:
    """Solved once per life expectancy: a run asks the same few values year after year."""
    def gap(log_level):
        return life_expectancy(death_probabilities(np.exp(log_level))) - e0

    log_level = optimize.brentq(gap, np.log(1e-8), np.log(1e-1))
    return tuple(death_probabilities(np.exp(log_level)))


def fertility_for(tfr: float) -> np.ndarray:
    """Births per woman at each age (ages 15-49), summing to `tfr`."""
    return tfr * _fertility_shape()


@lru_cache(maxsize=1)
def _fertility_shape() -> np.ndarray:
    """The schedule's shape, summing to 1 (the same every year: only its level moves)."""
    shape = (FERTILITY_MEAN_AGE - 15) ** 2 / FERTILITY_SD_AGE**2
    scale = FERTILITY_SD_AGE**2 / (FERTILITY_MEAN_AGE - 15)
    # the gamma density as scipy.stats.gamma.pdf computes it, bit for bit (its _logpdf over x / scale),
    # from scipy.special: scipy.stats alone took 0.4 s of every command's start, and a schedule that
    # differed by 3e-15 moved one of Vĩnh Long's --held-fixed refits by 4 points
    y = (AGES - 15 + 0.5) / scale
    inside = y > 0
    density = np.where(inside, np.exp(special.xlogy(shape - 1.0, np.where(inside, y, 1.0)) - y
                                      - special.gammaln(shape)), 0.0) / scale
    density[(AGES < 15) | (AGES > 49)] = 0.0
    density = density / density.sum()
    density.setflags(write=False)
    return density


#: Net migration's shape across ages (assumed): a normal bump of young adults about `peak_age`
#: with sd `spread`, and children with them, `children` at birth decaying over `children_decay` years.
MIGRATION_SHAPE = {"peak_age": 24.0, "spread": 6.0, "children": 0.15, "children_decay": 10.0}


def migration_profile() -> np.ndarray:
    """Relative net migration by age: mostly young adults, some children with them."""
    m = MIGRATION_SHAPE
    profile = (np.exp(-0.5 * ((AGES - m["peak_age"]) / m["spread"]) ** 2)
               + m["children"] * np.exp(-AGES / m["children_decay"]))
    return profile / profile.mean()


def _dated(rows) -> tuple[np.ndarray, np.ndarray] | None:
    """(years, values) of a parameter's dated rows in year order; None if it has one undated row."""
    given = rows[rows.year.notna()] if "year" in rows else rows.iloc[:0]
    if given.empty:
        return None
    given = given.sort_values("year")
    return given.year.to_numpy(float), given.value.to_numpy(float)


def series(table, region: str, name: str, years) -> np.ndarray:
    """The parameter `name` of `region` at each of `years` (see the module docstring): the national
    series linear between its dated years and held outside them; a province's own dated points as
    ratios to it, interpolated and held the same way; an undated row as one value throughout."""
    years = np.asarray(years, dtype=float)
    nat_rows = table[(table.region == NATIONAL) & (table.parameter == name)]
    own = table[(table.region == region) & (table.parameter == name)] if region != NATIONAL else nat_rows
    if own.empty and nat_rows.empty:
        raise InputError("demography.csv", f"{region}.{name}", "missing; every region needs it")

    def national(at: np.ndarray) -> np.ndarray:
        dated = _dated(nat_rows)
        if dated is None:
            return np.full(at.shape, float(nat_rows.value.iloc[0]))
        return np.interp(at, *dated)

    if own.empty or region == NATIONAL:
        return national(years)
    dated = _dated(own)
    if dated is None:
        return np.full(years.shape, float(own.value.iloc[0]))
    if nat_rows.empty:
        return np.interp(years, *dated)
    ratio = dated[1] / national(dated[0])
    return national(years) * np.interp(years, dated[0], ratio)


def _param(table, region: str, name: str, default: float | None = None) -> float:
    rows = table[(table.region == region) & (table.parameter == name)]
    if rows.empty:
        rows = table[(table.region == NATIONAL) & (table.parameter == name)]
    if rows.empty:
        if default is None:
            raise InputError("demography.csv", f"{region}.{name}", "missing; every region needs it")
        return default
    return float(rows.value.iloc[0])


def growth_rate(region: str, last: int | None = None) -> float:
    """The yearly growth a region's population follows where fewer than two census points are known:
    the latest figure known by the end of `last` (the region's own, else the nation's). Never a
    later one: a growth rate is a census's measure of the decade before it, and standing in a later
    census's rate (as `known.figures` does for other series) would bring back the census the cut
    dropped."""
    table = known.figures(tables.table("demography"), last)  # no stand-in: the rows up to `last`
    rows = table[table.parameter == "growth_rate"]
    for who in dict.fromkeys((region, NATIONAL)):
        own = rows[rows.region == who]
        if not own.empty:
            return float(own.sort_values("year", na_position="first").value.iloc[-1])
    raise InputError("demography.csv", f"{NATIONAL}.growth_rate",
                     "missing" + (f" by the end of {last}" if last is not None else "")
                     + "; the nation needs one, the fallback of every region without its own")


def known_tables(last: int | None = None):
    """(demography, census_structure, census) as known by the end of `last` (None: all of them;
    known.py): a parameter with no figure known yet keeps its earliest."""
    return (known.figures(tables.table("demography"), last, ("region", "parameter")),
            known.figures(tables.table("census_structure"), last),
            known.figures(tables.table("census"), last))


def start_population(region: str, year: int, last: int | None = None) -> float:
    """Total population at `year`, from the nearest figure that is not a plan (known by the end of
    `last` if any is), moved by growth (regions without census rows only)."""
    pop = tables.table("population")
    rows = pop[(pop.region == region) & (pop.kind != "planned")]
    if rows.empty:
        raise InputError("population.csv", region, "no observed or assumed population for this region")
    if last is not None and (rows.year <= last).any():
        rows = rows[rows.year <= last]
    nearest = rows.iloc[(rows.year - year).abs().argsort().iloc[0]]
    growth = growth_rate(region, last)
    return float(nearest.value) / (1 + growth) ** (nearest.year - year)


#: The projection always starts here (scenario.FIRST_YEAR, the model's first year), whatever year a
#: run starts in: the age structure a run starts from is then the same for every window.
PROJECTION_ORIGIN = 2008
#: Which figure a year keeps when several bases give one: the census over a survey over a
#: province's own yearly estimate (its region workbook) over a plan.
BASIS_ORDER = ("census", "survey", "estimate", "plan")
#: Years before the last census point over which the continuation's net migration rate is averaged.
CONTINUATION_YEARS = 10


def anchors(region: str, last: int | None = None) -> list[tuple[int, float]]:
    """The (year, persons) points the region's population passes through, in year order (those
    known by the end of `last`)."""
    census = known_tables(last)[2]
    rows = census[census.region == region]
    if rows.empty:
        return []
    rank = rows.basis.map(BASIS_ORDER.index)
    rows = rows.assign(_rank=rank).sort_values(["year", "_rank"]).drop_duplicates("year")
    return [(int(y), float(v)) for y, v in zip(rows.year, rows.value)]


def target_totals(region: str, years: np.ndarray, last: int | None = None) -> np.ndarray:
    """The steered total at each year (NaN after the last census point: the continuation's years).

    Log-linear between points; before the first, the first interval's growth; with one point or
    none, the region's growth rate from demography.csv throughout (assumed)."""
    points = anchors(region, last)
    years = np.asarray(years, dtype=float)
    if len(points) < 2:
        growth = growth_rate(region, last)
        y0, p0 = points[0] if points else (int(years[0]), start_population(region, int(years[0]), last))
        return p0 * (1 + growth) ** (years - y0)
    ay = np.array([p[0] for p in points], dtype=float)
    logp = np.log([p[1] for p in points])
    first_slope = (logp[1] - logp[0]) / (ay[1] - ay[0])
    out = np.exp(np.interp(years, ay, logp))
    before = years < ay[0]
    out[before] = np.exp(logp[0] + first_slope * (years[before] - ay[0]))
    out[years > ay[-1]] = np.nan
    return out


def _natural(last: np.ndarray, q: np.ndarray, asfr: np.ndarray, male_birth: float) -> np.ndarray:
    """One year of ageing, deaths and births without migration, as the kernel does it."""
    births = (asfr * last[1]).sum()
    now = np.empty_like(last)
    now[0, 0] = births * male_birth
    now[1, 0] = births * (1.0 - male_birth)
    now[:, 1:] = last[:, :-1] * (1.0 - q[:, :-1])
    now[:, -1] += last[:, -1] * (1.0 - q[:, -1])
    return now


def steer(pop0: np.ndarray, q: np.ndarray, asfr: np.ndarray, male_birth: np.ndarray, targets: np.ndarray,
          profile: np.ndarray, where: str = "census.csv") -> tuple[np.ndarray, np.ndarray]:
    """Population (year, sex, age) and net migration rate (year, sex, age) through `targets`, with
    each year's rates (q (year, sex, age), asfr (year, age), male_birth (year,)): the step into year
    k uses year k's, as the kernel does.

    Year 0 is `pop0` scaled to targets[0]; each later year's rate is the profile scaled so that
    survivors, births and migrants add up to its target; where the target is NaN (after the last
    point), the mean rate of the CONTINUATION_YEARS before it."""
    T = len(targets)
    pop = np.zeros((T, *pop0.shape))
    mig = np.zeros((T, *pop0.shape))
    scale = np.zeros(T)
    pop[0] = pop0 / pop0.sum() * targets[0]
    known = np.flatnonzero(~np.isnan(targets))
    last_known = known[-1] if known.size else 0
    for k in range(1, T):
        nat = _natural(pop[k - 1], q[k], asfr[k], male_birth[k])
        if np.isnan(targets[k]):
            window = scale[max(1, last_known - CONTINUATION_YEARS + 1):last_known + 1]
            scale[k] = window.mean() if window.size else 0.0
        else:
            scale[k] = (targets[k] - nat.sum()) / (profile * nat).sum()
        if 1.0 + scale[k] * profile.max() <= 0.0:
            raise InputError(where, f"year index {k}", "the totals imply more people leaving an age than live in it")
        mig[k] = scale[k] * profile
        pop[k] = nat * (1.0 + mig[k])
    return pop, mig


def net_migrants(pop: np.ndarray, mig: np.ndarray) -> np.ndarray:
    """Persons moved in (net) in each year's step, (year, ...): pop[k] = natural * (1 + mig[k])."""
    return (pop * mig / (1.0 + mig)).sum(axis=(-2, -1))


def build(regions: list[str], years: list[int], last: int | None = None) -> xr.Dataset:
    """Rates over (year, region, sex, age), net migration and population over (year, region, sex, age).

    The projection runs from PROJECTION_ORIGIN (or the first year, if earlier), so a run starting
    in any later year sees the same people, year by year, as a run started before it. `last`: the
    last year whose figures an "as of" run knows (known.py); None, every figure."""
    table, structure, _ = known_tables(last)
    years = [int(y) for y in years]
    R = len(regions)
    T = len(years)
    q = np.zeros((T, R, 2, AGES.size))
    asfr = np.zeros((T, R, AGES.size))
    male_birth = np.zeros((T, R))
    mig = np.zeros((T, R, 2, AGES.size))
    pop = np.zeros((T, R, 2, AGES.size))
    target = np.zeros((T, R))
    profile = migration_profile()
    sex_kind, shape_kind = [], []
    span = np.arange(min(PROJECTION_ORIGIN, years[0]), years[-1] + 1)
    at = np.asarray(years) - span[0]
    for i, region in enumerate(regions):
        q_i, asfr_i, male_i = _rates(table, region, span)
        share_male, kind = _share_male(structure, table, region, int(span[0]))
        sex_kind.append(f"{region}: {kind}")
        (r_s, taper), how = fitted_shape(region, int(span[0]), last)
        shape_kind.append(f"{region}: {how}")
        pop0 = initial_shape(q_i[0], share_male, r_s, taper)
        totals = target_totals(region, span, last)
        full_pop, full_mig = steer(pop0, q_i, asfr_i, male_i, totals, profile)
        pop[:, i], mig[:, i] = full_pop[at], full_mig[at]
        q[:, i], asfr[:, i], male_birth[:, i] = q_i[at], asfr_i[at], male_i[at]
        target[:, i] = totals[at]
    mig[0] = 0.0  # the first year is the initial state: no step leads into it
    coords = {"region": regions, "sex": list(SEXES), "age": AGES}
    attrs = {"kind": "assumed", "figures_until": "all" if last is None else int(last), "source": "parametric schedules scaled to demography.csv (see module docstring)"}
    steered = {"kind": "assumed", "source": "estimated: the net migration that carries the population through "
                                            "census.csv's totals (see module docstring)"}
    return xr.Dataset(
        {
            "death_probability": (("year", "region", "sex", "age"), q, {"units": "1/year", **attrs}),
            "fertility": (("year", "region", "age"), asfr, {"units": "births/woman/year", **attrs}),
            "net_migration_rate": (("year", "region", "sex", "age"), mig, {"units": "1/year", **steered}),
            "initial_population": (("region", "sex", "age"), pop[0], {
                "units": "persons", **steered, "sex_split": "; ".join(sex_kind),
                "age_shape": "; ".join(shape_kind)}),
            "projected_population": (("year", "region", "sex", "age"), pop, {"units": "persons", **steered}),
            "target_population": (("year", "region"), target, {
                "units": "persons", "long_name": "the census path (NaN after the last census point)"}),
            "male_birth_share": (("year", "region"), male_birth, {"units": "1"}),
        },
        coords={**coords, "year": years},
    )


def _share_male(structure, table, region: str, year: int) -> tuple[float, str]:
    """The census's male share nearest `year` for the region, else demography.csv's (assumed)."""
    rows = structure[(structure.region == region) & (structure.dimension == "sex") & (structure.category == "male")]
    if rows.empty:
        return _param(table, region, "share_male"), "share_male from demography.csv"
    nearest = rows.iloc[(rows.year - year).abs().argsort().iloc[0]]
    return float(nearest.share), f"male share of the {int(nearest.year)} census"


def _rates(table, region: str, span: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The region's death probabilities (year, sex, age), fertility (year, age) and male share of
    births (year,) over `span`, from its dated series."""
    e0 = [series(table, region, f"e0_{sex}", span) for sex in SEXES]
    q = np.stack([np.stack([mortality_for(e) for e in e0[s]]) for s in range(2)], axis=1)
    asfr = np.stack([fertility_for(t) for t in series(table, region, "tfr", span)])
    srb = series(table, region, "sex_ratio_at_birth", span)
    return q, asfr, srb / (1 + srb)


def initial_shape(q0: np.ndarray, share_male: float, growth: float, taper: float) -> np.ndarray:
    """The first year's (sex, age) shares: a stable population of `growth` under the first year's
    mortality `q0` (sex, age), thinned by exp(-taper * (age - TAPER_FROM)) beyond TAPER_FROM."""
    thin = np.exp(-taper * np.maximum(AGES - TAPER_FROM, 0))
    pop0 = np.zeros((2, AGES.size))
    for s, share in ((0, share_male), (1, 1 - share_male)):
        survivors = np.concatenate([[1.0], np.cumprod(1.0 - q0[s])[:-1]])
        shape = survivors * np.exp(-growth * AGES) * thin
        pop0[s] = share * shape / shape.sum()
    return pop0


def age_bands(structure, region: str) -> list[tuple[int, int, int, float]]:
    """(year, first age, last age, share) of each census age band given for the region; the open
    band ("65+") ends at MAX_AGE."""
    rows = structure[(structure.region == region) & (structure.dimension == "age")]
    return sorted((int(r.year), *age_band(str(r.category)), float(r.share)) for r in rows.itertuples())


def age_band(text: str) -> tuple[int, int]:
    """(first age, last age) of a census band written "15-64" or, open, "65+" (ending at MAX_AGE);
    ValueError for anything else (check-data names the cell)."""
    match = re.fullmatch(r"(\d+)(?:-(\d+)|\+)", text.strip())
    if not match:
        raise ValueError(f"'{text}' is not an age band; allowed: 'A-B' or 'A+' in whole years")
    lo, hi = int(match[1]), MAX_AGE if match[2] is None else int(match[2])
    if not lo <= hi <= MAX_AGE:
        raise ValueError(f"'{text}' is not an age band; allowed: 'A-B' with A <= B <= {MAX_AGE}, or 'A+'")
    return lo, hi


def band_shares(pop: np.ndarray, bands) -> np.ndarray:
    """Each band's share of the population (sex, age) of its year; `pop` is (year index, sex, age)
    with the bands' year indices given as the first element."""
    return np.array([pop[k][:, lo:hi + 1].sum() / pop[k].sum() for k, lo, hi, _ in bands])


#: (region, origin) -> (the tables fitted on, (growth, taper, largest gap)): a fit is reused while
#: `tables.table` hands out the same (read-only) tables, and redone when they are read afresh.
_SHAPES: dict[tuple[str, int, int | None], tuple[tuple, tuple[float, float, float]]] = {}


def fitted_shape(region: str, origin: int, last: int | None = None) -> tuple[tuple[float, float], str]:
    """(growth, taper) of the region's initial age structure and how it was set: fitted to its own
    census age bands where census_structure.csv gives them, else the nation's fit (assumed: the
    nation's shape), else the defaults (assumed); the bands known by the end of `last`. Fitted once
    per process and data."""
    structure = known_tables(last)[1]
    for who in (region, NATIONAL):
        if age_bands(structure, who):
            growth, taper, error = _shape_of(who, origin, last)
            how = (f"fitted to its census age bands (largest gap {100 * error:.2f} points)" if who == region
                   else "the nation's fitted shape (assumed: no age bands of its own)")
            return (growth, taper), how
    return (DEFAULT_STRUCTURE_GROWTH, 0.0), "stable population at the default growth (assumed)"


def _shape_of(region: str, origin: int, last: int | None = None) -> tuple[float, float, float]:
    frames = known_tables(last)
    kept = _SHAPES.get((region, origin, last))
    if kept is None or any(a is not b for a, b in zip(kept[0], frames)):
        kept = _SHAPES[(region, origin, last)] = (frames, _fit_shape(region, origin, last))
    return kept[1]


def _fit_shape(region: str, origin: int, last: int | None = None) -> tuple[float, float, float]:
    """Least squares of the model's census age-band shares over (growth, taper)."""
    table, structure, _ = known_tables(last)
    bands = age_bands(structure, region)
    latest = max(b[0] for b in bands)
    span = np.arange(origin, latest + 1)
    q, asfr, male_birth = _rates(table, region, span)
    share_male, _ = _share_male(structure, table, region, origin)
    totals = target_totals(region, span, last)
    profile = migration_profile()
    indexed = [(y - origin, lo, hi, share) for y, lo, hi, share in bands if y >= origin]
    observed = np.array([b[3] for b in indexed])

    def gaps(x: np.ndarray) -> np.ndarray:
        pop0 = initial_shape(q[0], share_male, x[0], x[1])
        pop, _ = steer(pop0, q, asfr, male_birth, totals, profile)
        return band_shares(pop, indexed) - observed

    fit = optimize.least_squares(gaps, x0=[DEFAULT_STRUCTURE_GROWTH, 0.02], bounds=([-0.02, 0.0], [0.05, 0.3]))
    if not fit.success:
        raise InputError("census_structure.csv", region, f"the age shape could not be fitted: {fit.message}")
    return float(fit.x[0]), float(fit.x[1]), float(np.abs(fit.fun).max())
