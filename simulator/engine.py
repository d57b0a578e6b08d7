"""Run a scenario: policy in force, demography, membership and enrolment into an xarray Dataset."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from importlib import metadata
from pathlib import Path
from dataclasses import dataclass
from typing import Callable

import numpy as np
import xarray as xr

from . import data, demography, kernel, membership
from .groups import GROUP_IDS
from .parameters import (BAND_LABELS, DEFAULT_NOISE_FROM, band_of_age, enrolment_probabilities,
                         net_price_pct, outreach_walk, sample_prior)
from .policy import Policy, policy_arrays
from .scenario import Scenario

#: Employees' contribution base in units of the base salary (assumed: average insured wage about
#: 2.5 times the base salary); pensions likewise (assumed 2.0). Only money flows use these.
EMPLOYEE_WAGE_RATIO = 2.5
PENSION_RATIO = 2.0


def code_version() -> str:
    """Package version plus a hash of the simulator's source: identifies the code of a run."""
    try:
        version = metadata.version("covsim")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return f"{version}+{digest.hexdigest()[:12]}"


@dataclass
class Prepared:
    """Everything about a run that does not depend on the parameter draws, computed once.

    Calibration evaluates thousands of parameter sets against the same policy and years; it
    prepares once and calls `advance` many times.
    """

    regions: list[str]
    years: list[int]
    pol: xr.Dataset
    demo: xr.Dataset
    target: np.ndarray  # (year, region, sex, age, group)
    price: np.ndarray  # (region, group, year)
    active: list[np.ndarray]

    @classmethod
    def build(cls, policy: Policy, regions: list[str], years: list[int]) -> "Prepared":
        demo = demography.build(regions, years[0])
        target = np.ascontiguousarray(
            membership.shares(regions, years).transpose("year", "region", "sex", "age", "group").values)
        pol = policy_arrays(policy, regions, years)
        newborn = GROUP_IDS.index("child_under6")
        active = [None] + [active_cells(target[k - 1], target[k], newborn) for k in range(1, len(years))]
        return cls(regions, years, pol, demo, target, net_price_pct(pol).values, active)

    def with_policy(self, policy: Policy) -> "Prepared":
        """The same people under another policy: demography and membership do not depend on it."""
        pol = policy_arrays(policy, self.regions, self.years)
        return dataclasses.replace(self, pol=pol, price=net_price_pct(pol).values)

    def advance(self, params: xr.Dataset, seed: int, noise_from: int = DEFAULT_NOISE_FROM, by_age: bool = False,
                parallel: bool = True, progress: Callable[[int], None] | None = None,
                price: np.ndarray | None = None, outreach_shift: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Run the kernel over every year: raw arrays with the draw last, as the kernel keeps them.

        `price` (region, group, year, draw) and `outreach_shift` (draw, region, year) replace the
        policy's net premium and add to its outreach draw by draw: a sensitivity analysis varies
        the levers across draws in one run.
        """
        regions, years, target = self.regions, self.years, self.target
        D, R, G = params.sizes["draw"], len(regions), len(GROUP_IDS)
        A, S, T = demography.AGES.size, len(demography.SEXES), len(years)
        outreach = self.pol.outreach.values[None] + outreach_walk(params, seed, regions, years, noise_from)
        if outreach_shift is not None:
            outreach = outreach + outreach_shift
        join_all, lapse_all = enrolment_probabilities(params, np.asarray(years), self.price if price is None else price,
                                                      outreach, regions)
        bands = band_of_age(demography.MAX_AGE)
        demo = self.demo
        q = np.ascontiguousarray(demo.death_probability.values)
        fert = np.ascontiguousarray(demo.fertility.values)
        mig = np.ascontiguousarray(demo.net_migration_rate.values)
        male_birth = np.ascontiguousarray(demo.male_birth_share.values)

        # Initial state: the start year's membership, enrolled at the equilibrium of its policy.
        # The kernel's layout keeps the draw innermost: X[region, sex, age, group, k, draw].
        moving = join_all[0] + lapse_all[0]
        settled = np.divide(join_all[0], moving, out=np.zeros_like(moving), where=moving > 0)
        people = demo.initial_population.values[:, :, :, None] * target[0]  # (region, sex, age, group)
        X = np.empty((R, S, A, G, 2, D))
        X[:, :, :, :, 1, :] = people[..., None] * settled[:, None, bands, :, :]
        X[:, :, :, :, 0, :] = people[..., None] - X[:, :, :, :, 1, :]
        Y = np.empty_like(X)
        women = np.broadcast_to(people[:, 1].sum(axis=-1)[..., None], (R, A, D)).copy()
        women_next = np.empty_like(women)

        pop = np.zeros((T, R, G, D))
        ins = np.zeros((T, R, G, D))
        flows = np.zeros((T, R, 3, D))
        pop[0] = people.sum(axis=(1, 2))[..., None]
        ins[0] = X[:, :, :, :, 1, :].sum(axis=(1, 2))
        age_shape = (T, R, A, G, D) if by_age else (1, 1, 1, 1, 1)
        pop_age, ins_age = np.zeros(age_shape), np.zeros(age_shape)
        if by_age:
            pop_age[0] = people.sum(axis=1)[..., None]
            ins_age[0] = X[:, :, :, :, 1, :].sum(axis=1)
        step = kernel.advance if parallel else kernel.advance_serial
        newborn = GROUP_IDS.index("child_under6")
        scratch = np.zeros((1, 1, 1, 1))
        for k in range(1, T):
            step(X, Y, women, women_next, q, fert, mig, male_birth, target[k], self.active[k], join_all[k],
                 lapse_all[k], bands, newborn, pop[k], ins[k], flows[k],
                 pop_age[k] if by_age else scratch, ins_age[k] if by_age else scratch, by_age)
            X, Y = Y, X
            women, women_next = women_next, women
            if progress is not None:
                progress(1)
        return {"pop": pop, "ins": ins, "flows": flows, "pop_age": pop_age, "ins_age": ins_age}

    def coverage_total(self, params: xr.Dataset, seed: int = 0, noise_from: int = DEFAULT_NOISE_FROM) -> np.ndarray:
        """Overall coverage over (draw, year, region): the light path calibration fits with."""
        raw = self.advance(params, seed, noise_from)
        return (raw["ins"].sum(axis=2) / raw["pop"].sum(axis=2)).transpose(2, 0, 1)


def simulate(policy: Policy, regions: list[str], years: list[int], params: xr.Dataset, seed: int,
             by_age: bool = False, noise_from: int = DEFAULT_NOISE_FROM, parallel: bool = True,
             progress: Callable[[int], None] | None = None, prepared: Prepared | None = None) -> xr.Dataset:
    """The cohort model over `years` (the first is the initial state) for every draw in `params`."""
    prep = prepared or Prepared.build(policy, regions, years)
    raw = prep.advance(params, seed, noise_from, by_age, parallel, progress)
    pol = prep.pol
    # Back to labelled arrays with the draw first.
    pop = raw["pop"].transpose(3, 0, 1, 2)
    ins = raw["ins"].transpose(3, 0, 1, 2)
    flows = raw["flows"].transpose(3, 0, 1, 2)
    if by_age:
        pop_age = raw["pop_age"].transpose(4, 0, 1, 2, 3)
        ins_age = raw["ins_age"].transpose(4, 0, 1, 2, 3)

    coords = {"draw": params.draw.values, "year": years, "region": regions, "group": list(GROUP_IDS)}
    dims = ("draw", "year", "region", "group")
    ds = xr.Dataset(
        {
            "population": (dims, pop, {"units": "persons"}),
            "insured": (dims, ins, {"units": "persons"}),
            "births": (("draw", "year", "region"), flows[..., 0], {"units": "persons/year"}),
            "deaths": (("draw", "year", "region"), flows[..., 1], {"units": "persons/year"}),
            "net_migration": (("draw", "year", "region"), flows[..., 2], {"units": "persons/year"}),
        },
        coords=coords,
    )
    if by_age:
        ds["population_by_age"] = (("draw", "year", "region", "age", "group"), pop_age, {"units": "persons"})
        ds["insured_by_age"] = (("draw", "year", "region", "age", "group"), ins_age, {"units": "persons"})
        ds = ds.assign_coords(age=demography.AGES)
    ds = add_derived(ds, pol)
    for name in ("births", "deaths", "net_migration"):
        ds[name][:, 0] = np.nan  # the initial state has no flows of its own
    return ds


def active_cells(before: np.ndarray, now: np.ndarray, newborn: int) -> np.ndarray:
    """Cells (region, sex, age, group) that can hold people after a year's step."""
    active = now > 0
    active[:, :, 1:] |= before[:, :, :-1] > 0
    active[:, :, -1] |= before[:, :, -1] > 0
    active[:, :, 0, newborn] = True
    return np.ascontiguousarray(active.astype(np.uint8))


def add_derived(ds: xr.Dataset, pol: xr.Dataset) -> xr.Dataset:
    """Coverage and money flows from population and insured."""
    ds["coverage"] = (ds.insured / ds.population.where(ds.population > 0)).clip(0, 1)
    ds.coverage.attrs = {"units": "1", "long_name": "insured / population"}
    ds["population_total"] = ds.population.sum("group")
    ds["insured_total"] = ds.insured.sum("group")
    ds["coverage_total"] = (ds.insured_total / ds.population_total).clip(0, 1)
    ds.population_total.attrs = ds.insured_total.attrs = {"units": "persons"}
    ds.coverage_total.attrs = {"units": "1", "long_name": "insured / population, all groups"}

    yearly_base = 12.0 * pol.base_salary
    per_person = pol.premium_rate * yearly_base * xr.where(pol.group == "household", pol.household_factor, 1.0)
    per_person = xr.where(pol.group == "employee", pol.employee_premium_rate * EMPLOYEE_WAGE_RATIO * yearly_base,
                          per_person)
    per_person = xr.where(pol.group == "pensioner", pol.premium_rate * PENSION_RATIO * yearly_base, per_person)
    per_person = per_person.broadcast_like(pol.state_share_national).transpose("year", "region", "group")
    ds["premium_per_person"] = per_person.assign_attrs(units="VND/year")
    ds["premium_revenue"] = (ds.insured * per_person).assign_attrs(
        units="VND/year", long_name="fund premium revenue from the insured, all payers")
    ds["state_cost_national"] = (ds.insured * per_person * pol.state_share_national).assign_attrs(
        units="VND/year", long_name="state budget cost, national minimum share")
    ds["state_cost_local"] = (ds.insured * per_person * pol.state_share_local).assign_attrs(
        units="VND/year", long_name="state budget cost, local top-up")
    ds["state_cost"] = (ds.state_cost_national + ds.state_cost_local).assign_attrs(
        units="VND/year", long_name="state budget cost")
    ds["state_share"] = (pol.state_share_national + pol.state_share_local).transpose("region", "group", "year") \
        .assign_attrs(units="1", long_name="state share of the premium in force (annual mean)")
    ds["base_salary"] = pol.base_salary
    return ds


def run(scenario: Scenario, params: xr.Dataset | None = None, draws: int = 200, seed: int = 0,
        by_age: bool = False, noise_from: int = DEFAULT_NOISE_FROM, parallel: bool = True,
        progress: Callable[[int], None] | None = None, policy: Policy | None = None) -> xr.Dataset:
    """Simulate `scenario` for every parameter draw (from the priors when `params` is None)."""
    if scenario.scheme != "bhyt":  # social / unemployment insurance: the labour-force layer
        from . import labour

        return labour.run(scenario, params, draws, seed, by_age, noise_from, parallel, progress, policy)
    regions = [scenario.region]
    if params is None:
        params = sample_prior(draws, seed, regions)
        params_source = "prior"
    else:
        params_source = params.attrs.get("source", "given")
    ds = simulate(scenario.policy(policy), regions, scenario.years, params, seed, by_age=by_age,
                  noise_from=noise_from, parallel=parallel, progress=progress)
    ds.attrs.update(
        scenario=scenario.name,
        scenario_hash=scenario.hash,
        scenario_definition=json.dumps(scenario.resolved(), sort_keys=True),
        region=scenario.region,
        data_hash=data.data_hash(),
        code_version=code_version(),
        seed=int(seed),
        draws=int(params.sizes["draw"]),
        parameters=str(params_source),
        parameters_hash=params_hash(params),
        noise_from=int(noise_from),
        age_bands=",".join(BAND_LABELS),
    )
    return ds


def params_hash(params: xr.Dataset) -> str:
    digest = hashlib.sha256()
    for name in sorted(params.data_vars):
        if not np.issubdtype(params[name].dtype, np.number):
            continue
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(params[name].values, dtype=np.float64).tobytes())
    return digest.hexdigest()[:16]


def bands(ds: xr.Dataset, var: str = "coverage_total", lo: float = 0.1, hi: float = 0.9) -> xr.Dataset:
    """Median and the lo/hi quantiles over draws: the band a result carries, in one call."""
    q = ds[var].quantile([lo, 0.5, hi], dim="draw")
    return xr.Dataset({"lo": q.sel(quantile=lo, drop=True), "median": q.sel(quantile=0.5, drop=True),
                       "hi": q.sel(quantile=hi, drop=True), "mean": ds[var].mean("draw")})
