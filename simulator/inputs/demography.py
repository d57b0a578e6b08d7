"""Population by region, sex and single-year age, and the rates that move it: mortality, fertility,
net migration.

The shipped data give totals, life expectancy, total fertility and growth per region; the age
schedules here are standard parametric shapes scaled to those figures (assumed, and labelled so):
a Siler hazard for mortality solved to the region's life expectancy, a gamma-shaped fertility
schedule scaled to its total fertility, a young-adult migration profile scaled so that births,
deaths and migration reproduce its growth rate.
"""
from __future__ import annotations

import numpy as np
import xarray as xr
from scipy import optimize, stats

from . import tables
from ..errors import InputError
from .regions import NATIONAL

MAX_AGE = 100  # the last age is open: 100 and over
AGES = np.arange(MAX_AGE + 1)
SEXES = ("male", "female")
#: Growth rate of the stable population that shapes the initial age structure where the data give
#: none (assumed: reproduces Vietnam's share aged 0-14 of about a quarter around 2009).
DEFAULT_STRUCTURE_GROWTH = 0.012
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
    def gap(log_level):
        return life_expectancy(death_probabilities(np.exp(log_level))) - e0

    log_level = optimize.brentq(gap, np.log(1e-8), np.log(1e-1))
    return death_probabilities(np.exp(log_level))


def fertility_for(tfr: float) -> np.ndarray:
    """Births per woman at each age (ages 15-49), summing to `tfr`."""
    shape = (FERTILITY_MEAN_AGE - 15) ** 2 / FERTILITY_SD_AGE**2
    scale = FERTILITY_SD_AGE**2 / (FERTILITY_MEAN_AGE - 15)
    density = stats.gamma.pdf(AGES - 15 + 0.5, shape, scale=scale)
    density[(AGES < 15) | (AGES > 49)] = 0.0
    return tfr * density / density.sum()


def migration_profile() -> np.ndarray:
    """Relative net migration by age: mostly young adults, some children with them."""
    profile = np.exp(-0.5 * ((AGES - 24.0) / 6.0) ** 2) + 0.15 * np.exp(-AGES / 10.0)
    return profile / profile.mean()


def _param(table, region: str, name: str, default: float | None = None) -> float:
    rows = table[(table.region == region) & (table.parameter == name)]
    if rows.empty:
        rows = table[(table.region == NATIONAL) & (table.parameter == name)]
    if rows.empty:
        if default is None:
            raise InputError("demography.csv", f"{region}.{name}", "missing; every region needs it")
        return default
    return float(rows.value.iloc[0])


def start_population(region: str, year: int) -> float:
    """Total population at `year`, from the nearest figure that is not a plan, moved by growth."""
    pop = tables.table("population")
    rows = pop[(pop.region == region) & (pop.kind != "planned")]
    if rows.empty:
        raise InputError("population.csv", region, "no observed or assumed population for this region")
    nearest = rows.iloc[(rows.year - year).abs().argsort().iloc[0]]
    growth = _param(tables.table("demography"), region, "growth_rate")
    return float(nearest.value) / (1 + growth) ** (nearest.year - year)


def build(regions: list[str], start_year: int) -> xr.Dataset:
    """Rates and initial population over (region, sex, age), constant over time."""
    table = tables.table("demography")
    R = len(regions)
    q = np.zeros((R, 2, AGES.size))
    asfr = np.zeros((R, AGES.size))
    mig = np.zeros((R, 2, AGES.size))
    pop0 = np.zeros((R, 2, AGES.size))
    male_birth = np.zeros(R)
    for i, region in enumerate(regions):
        q[i, 0] = mortality_for(_param(table, region, "e0_male"))
        q[i, 1] = mortality_for(_param(table, region, "e0_female"))
        asfr[i] = fertility_for(_param(table, region, "tfr"))
        srb = _param(table, region, "sex_ratio_at_birth")
        male_birth[i] = srb / (1 + srb)
        share_male = _param(table, region, "share_male")
        r_s = _param(table, region, "structure_growth", DEFAULT_STRUCTURE_GROWTH)
        for s, share in ((0, share_male), (1, 1 - share_male)):
            survivors = np.concatenate([[1.0], np.cumprod(1.0 - q[i, s])[:-1]])
            shape = survivors * np.exp(-r_s * AGES)
            pop0[i, s] = share * shape / shape.sum()
        pop0[i] *= start_population(region, start_year)
        # Net migration closes the gap between the region's growth and its natural increase.
        total = pop0[i].sum()
        births = (asfr[i] * pop0[i, 1]).sum()
        deaths = (q[i] * pop0[i]).sum()
        growth = _param(table, region, "growth_rate")
        profile = migration_profile()
        rate = (growth * total - births + deaths) / (profile * pop0[i]).sum()
        mig[i] = rate * profile
    coords = {"region": regions, "sex": list(SEXES), "age": AGES}
    attrs = {"kind": "assumed", "source": "parametric schedules scaled to demography.csv (see module docstring)"}
    return xr.Dataset(
        {
            "death_probability": (("region", "sex", "age"), q, {"units": "1/year", **attrs}),
            "fertility": (("region", "age"), asfr, {"units": "births/woman/year", **attrs}),
            "net_migration_rate": (("region", "sex", "age"), mig, {"units": "1/year", **attrs}),
            "initial_population": (("region", "sex", "age"), pop0, {"units": "persons", **attrs}),
            "male_birth_share": (("region",), male_birth, {"units": "1"}),
        },
        coords=coords,
    )
