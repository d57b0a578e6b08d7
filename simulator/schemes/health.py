"""Run a scenario: policy in force, demography, membership and enrolment into an xarray Dataset."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Callable

import numba
import numpy as np
import xarray as xr

from ..inputs import demography, drives, household, known, mandates, membership
from . import bounds, compliance, fixed, kernel, parameters
from .fixed import Fixed
from ..inputs.groups import BY_ID, GROUP_IDS
from .provenance import provenance as _provenance
from .parameters import (BAND_LABELS, DEFAULT_NOISE_FROM, band_ages, band_of_age, enrolment_probabilities,
                         net_price_pct, outreach_walk, sample_prior, target_pull, drive_effect)
from ..inputs.policy import Policy, policy_arrays
from ..inputs.scenario import Scenario
from ..inputs.merger import policy_as_run
from ..inputs.regions import run_members
from .merged import summed

#: Employees' contribution base in units of the base salary (assumed: average insured wage about
#: 2.5 times the base salary); pensions likewise (assumed 2.0). Only money flows use these.
EMPLOYEE_WAGE_RATIO = 2.5
PENSION_RATIO = 2.0
#: What a health run holds fixed (assumed): the enrolment numbers no figure fits, and the money ones.
MONEY = Fixed("money_ratios", "employees' contribution base {wage} × the base salary, pensions {pension} × (money "
              "flows only)", {"wage": EMPLOYEE_WAGE_RATIO, "pension": PENSION_RATIO})  # no alternatives: no coverage
#: The base salary ahead: no decree sets it, so the last one in force holds (premiums, subsidies and
#: money in đồng of that level); Law 51/2024's reference level, which replaces it in premiums from
#: 1 July 2025 until the government sets one, is taken equal to it (policy_parameters.csv).
BASE_SALARY_HELD = Fixed("base_salary_held", "the base salary after its last change in the data held for every "
                         "later year, and Law 51/2024's reference level (from 1 July 2025) taken equal to it",
                         document="51/2024", before="the base salary after its last change in the data held for "
                         "every later year")
FIXED = (*parameters.FIXED, MONEY, BASE_SALARY_HELD)
#: What a health run's coverage is a share of, as its records name it (`run --json`, `forecast --json`).
DENOMINATOR = "resident_population"
#: What a fit "as of" a year holds besides (the labour layer's fit of compliance saw every year).
AS_OF_FIXED = (compliance.AS_OF,)


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
    pull: np.ndarray | None = None  # (region, year): log-odds gap to the level above's targets
    enforcement: np.ndarray | None = None  # (year, region): the enforcement lever, log-odds of compliance
    mandate: np.ndarray | None = None  # (year, group): Law 25/2008's roadmap ramped in (inputs/mandates.py)
    figures_until: int | None = None  # the last year of census, survey and income figures used (known.py)
    known_on: object = None  # the day the policy is known by (an "as of" run's), None: everything
    last_figures: list | None = None  # each region's last year-end figure known (parameters.last_figures)

    def __post_init__(self):
        # A drive in a run that knows policy only before any national target gave it a unit changed
        # nothing yet was costed at its strength (an audit through the Python API, 2026-12-06; the
        # faces refuse it first, `planning.check_drive_known`): refused here too.
        if (self.known_on is not None and "drive" in self.pol and np.any(self.pol.drive.values)
                and drives.drive_unit(self.known_on) == 0.0):
            from ..errors import InputError

            raise InputError("policy", None, drives.no_unit_text(self.known_on), code="drive_unknown")

    @classmethod
    def build(cls, policy: Policy, regions: list[str], years: list[int]) -> "Prepared":
        last = known.last_year(policy.decided_by)  # an "as of" run knows the figures up to its origin
        demo = demography.build(regions, years, last)
        target = np.ascontiguousarray(
            membership.shares(regions, years, policy.decided_by).transpose("year", "region", "sex", "age", "group").values)
        pol = policy_arrays(policy, regions, years, last)
        newborn = GROUP_IDS.index("child_under6")
        active = [None] + [active_cells(target[k - 1], target[k], newborn) for k in range(1, len(years))]
        return cls(regions, years, pol, demo, target, net_price_pct(pol, last).values, active,
                   drives.target_gaps(regions, years, policy.decided_by),
                   compliance.enforcement(policy, regions, years),
                   mandates.mandate_ramp(years, policy.decided_by, parameters.ROADMAP_RAMP["years"]), last,
                   policy.decided_by, parameters.last_figures(regions, last))

    def with_policy(self, policy: Policy) -> "Prepared":
        """The same people under another policy: demography and membership do not depend on it, nor
        the incomes the premium is weighed against (the figures these people were built from)."""
        pol = policy_arrays(policy, self.regions, self.years, self.figures_until)
        return dataclasses.replace(self, pol=pol, price=net_price_pct(pol, self.figures_until).values,
                                   pull=drives.target_gaps(self.regions, self.years, policy.decided_by),
                                   enforcement=compliance.enforcement(policy, self.regions, self.years),
                                   mandate=mandates.mandate_ramp(self.years, policy.decided_by,
                                                                       parameters.ROADMAP_RAMP["years"]),
                                   known_on=policy.decided_by)

    def advance(self, params: xr.Dataset, seed: int, noise_from: int = DEFAULT_NOISE_FROM, by_age: bool = False,
                parallel: bool = True, progress: Callable[[int], None] | None = None,
                price: np.ndarray | None = None, outreach_shift: np.ndarray | None = None,
                keep_states: bool = False, resume: tuple[int, dict] | None = None,
                keep_from: int = 0) -> dict[str, np.ndarray]:
        """Run the kernel over every year: raw arrays with the draw last, as the kernel keeps them.

        `price` (region, group, year, draw) and `outreach_shift` (draw, region, year) replace the
        policy's net premium and add to its outreach draw by draw: a sensitivity analysis varies
        the levers across draws in one run.

        `keep_states` adds the kernel's state after every year (`states`), and `resume=(k, raw)`
        starts from such a run's state before year index `k`, taking its earlier years as they are:
        a policy that differs only from year k on costs only the years from k, bit for bit the
        same as a run from the start (same draws, same seed, same arithmetic). A state is ~6 MB
        at 200 draws, so `keep_from=k` keeps only those a resume at year index k or later needs
        (None in the others' places).
        """
        regions, years, target = self.regions, self.years, self.target
        D, R, G = params.sizes["draw"], len(regions), len(GROUP_IDS)
        A, S, T = demography.AGES.size, len(demography.SEXES), len(years)
        # Resuming at year index k0, only the years from k0 are computed (each year's enrolment
        # probabilities depend on that year's inputs alone).
        k0 = 0 if resume is None else resume[0]
        if resume is not None and (not 1 <= k0 < T or by_age or "states" not in resume[1]
                                   or resume[1]["pop"].shape != (T, R, G, D)
                                   or resume[1]["states"][k0 - 1] is None):
            raise ValueError("resume needs a year index within the run and a run of the same shape kept with "
                             "keep_states (and by_age off) that kept the state before that year")
        outreach = self.outreach(params, seed, noise_from)
        if outreach_shift is not None:
            outreach = outreach + outreach_shift
        join_all, lapse_all = enrolment_probabilities(params, np.asarray(years)[k0:],
                                                      (self.price if price is None else price)[:, :, k0:],
                                                      outreach[:, :, k0:], regions, self.households(k0),
                                                      None if self.mandate is None else self.mandate[k0:])
        employed(join_all, lapse_all, self.employer_compliance(params, seed, noise_from)[k0:])
        bands = band_of_age(demography.MAX_AGE)
        demo = self.demo
        q = np.ascontiguousarray(demo.death_probability.values)
        fert = np.ascontiguousarray(demo.fertility.values)
        mig = np.ascontiguousarray(demo.net_migration_rate.values)
        male_birth = np.ascontiguousarray(demo.male_birth_share.values)

        pop = np.zeros((T, R, G, D))
        ins = np.zeros((T, R, G, D))
        flows = np.zeros((T, R, 3, D))
        age_shape = (T, R, A, G, D) if by_age else (1, 1, 1, 1, 1)
        pop_age, ins_age = np.zeros(age_shape), np.zeros(age_shape)
        if resume is None:
            # Initial state: the start year's membership, enrolled at the equilibrium of its policy.
            # The kernel's layout keeps the draw innermost: X[region, sex, age, group, k, draw].
            moving = join_all[0] + lapse_all[0]
            settled = np.divide(join_all[0], moving, out=np.zeros_like(moving), where=moving > 0)
            people = demo.initial_population.values[:, :, :, None] * target[0]  # (region, sex, age, group)
            X = np.empty((R, S, A, G, 2, D))
            for b, (lo, hi) in enumerate(band_ages(A)):  # written in place: no state-sized temporaries
                np.multiply(people[:, :, lo:hi, :, None], settled[:, None, b, None], out=X[:, :, lo:hi, :, 1, :])
            np.subtract(people[..., None], X[:, :, :, :, 1, :], out=X[:, :, :, :, 0, :])
            women = np.broadcast_to(people[:, 1].sum(axis=-1)[..., None], (R, A, D)).copy()
            pop[0] = people.sum(axis=(1, 2))[..., None]
            ins[0] = X[:, :, :, :, 1, :].sum(axis=(1, 2))
            if by_age:
                pop_age[0] = people.sum(axis=1)[..., None]
                ins_age[0] = X[:, :, :, :, 1, :].sum(axis=1)
            states = [_kept(X, women, 0, keep_from)] if keep_states else None
            first = 1
        else:
            before = resume[1]
            X, women = (a.copy() for a in before["states"][k0 - 1])
            for name, arr in (("pop", pop), ("ins", ins), ("flows", flows)):
                arr[:k0] = before[name][:k0]
            states = ([None if s is None else _kept(*s, j, keep_from) for j, s in enumerate(before["states"][:k0])]
                      if keep_states else None)
            first = k0
        Y = np.empty_like(X)
        women_next = np.empty_like(women)
        step = kernel.advance if parallel else kernel.advance_serial
        block = kernel.block_width(D, numba.get_num_threads() if parallel else 1)
        newborn = GROUP_IDS.index("child_under6")
        scratch = np.zeros((1, 1, 1, 1))
        for k in range(first, T):
            step(X, Y, women, women_next, q[k], fert[k], mig[k], male_birth[k], target[k], self.active[k], join_all[k - k0],
                 lapse_all[k - k0], bands, newborn, pop[k], ins[k], flows[k],
                 pop_age[k] if by_age else scratch, ins_age[k] if by_age else scratch, by_age, block)
            X, Y = Y, X
            women, women_next = women_next, women
            if keep_states:
                states.append(_kept(X, women, k, keep_from))
            if progress is not None:
                progress(1)
        out = {"pop": pop, "ins": ins, "flows": flows, "pop_age": pop_age, "ins_age": ins_age}
        if keep_states:
            out["states"] = states
        return out

    def employer_compliance(self, params: xr.Dataset, seed: int, noise_from: int = DEFAULT_NOISE_FROM) -> np.ndarray:
        """Share of employees whose employer contributes, (year, region, draw): the labour layer's
        compliance for the same draws (`compliance.py`)."""
        lever = self.enforcement if self.enforcement is not None else np.zeros((len(self.years), len(self.regions)))
        return compliance.share(compliance.draws(params, seed, self.regions), seed, self.regions, self.years,
                                lever, noise_from)

    def households(self, k0: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(person weights by household size, each size's premium per member over the mean) from
        year index k0: the household group's whole-household decision (inputs/household.py)."""
        _, weights = household.person_weights(last=self.figures_until)
        size, mean = self.pol.household_size_factor.values, self.pol.household_factor.values[None, :]
        # every member free (all ladder ranks 0): each size pays the mean, nothing, not 0/0
        scale = np.divide(size, mean, out=np.ones(np.broadcast_shapes(size.shape, mean.shape)), where=mean > 0)
        return weights, scale[:, k0:]

    def outreach(self, params: xr.Dataset, seed: int, noise_from: int = DEFAULT_NOISE_FROM) -> np.ndarray:
        """The outreach log-odds over (draw, region, year) the run adds to joining: the policy's,
        the random walk ahead, the pull of the level above's targets and the drive lever."""
        outreach = self.pol.outreach.values[None] + outreach_walk(params, seed, self.regions, self.years, noise_from,
                                                                    self.figures_until, self.last_figures)
        outreach = outreach + target_pull(params, self.pull)
        if "drive" in self.pol and np.any(self.pol.drive.values):  # (the unit costs a tenth of a second)
            outreach = outreach + drive_effect(params, self.pol.drive.values, drives.drive_unit(self.known_on))
        return outreach

    def rerun(self, variant: "Prepared", params: xr.Dataset, seed: int, kept: dict[str, np.ndarray],
              noise_from: int = DEFAULT_NOISE_FROM, parallel: bool = True) -> dict[str, np.ndarray]:
        """`variant.advance(params, seed, …)` where `kept` is this policy's run on the same draws
        (with `keep_states`): only the years from the variant's first change are computed."""
        k = self.first_difference(variant)
        if k >= len(self.years):
            return kept
        if k == 0 or kept["states"][k - 1] is None:  # the initial state depends on the first year's policy;
            # a run that kept states only from a later year cannot resume before it
            return variant.advance(params, seed, noise_from, parallel=parallel)
        return variant.advance(params, seed, noise_from, parallel=parallel, resume=(k, kept))

    def first_difference(self, other: "Prepared") -> int:
        """The first year index at which `other`'s policy differs from this one's (len(years) if none)."""
        changed = np.zeros(len(self.years), dtype=bool)
        for name, arr in self.pol.data_vars.items():
            a, b = arr.values, other.pol[name].values
            changed |= (a != b).reshape(-1, a.shape[-1]).any(axis=0)
        changed |= (self.price != other.price).reshape(-1, len(self.years)).any(axis=0)
        if self.enforcement is not None and other.enforcement is not None:
            changed |= (self.enforcement != other.enforcement).any(axis=1)
        hit = np.flatnonzero(changed)
        return int(hit[0]) if hit.size else len(self.years)


def employed(join: np.ndarray, lapse: np.ndarray, share: np.ndarray) -> None:
    """Employees are insured as their employer declares them, whatever they were last year: every
    year each employee is insured with the compliance share (join = share, lapse = 1 - share), so
    the group's coverage is the compliance the labour layer has (in place; (year, region, draw))."""
    e = GROUP_IDS.index("employee")
    join[:, :, :, e, :] = share[:, :, None, :]
    lapse[:, :, :, e, :] = 1.0 - share[:, :, None, :]


def _kept(X: np.ndarray, women: np.ndarray, k: int, keep_from: int):
    """The state after year index k, as a run keeping states for resumes from `keep_from` on keeps it."""
    return (X.copy(), women.copy()) if k >= keep_from - 1 else None


def simulate(policy: Policy, regions: list[str], years: list[int], params: xr.Dataset, seed: int,
             by_age: bool = False, noise_from: int = DEFAULT_NOISE_FROM, parallel: bool = True,
             progress: Callable[[int], None] | None = None, prepared: Prepared | None = None) -> xr.Dataset:
    """The cohort model over `years` (the first is the initial state) for every draw in `params`."""
    prep = prepared or Prepared.build(policy, regions, years)
    raw = prep.advance(params, seed, noise_from, by_age, parallel, progress)
    return to_dataset(raw, prep, params, by_age)


def to_dataset(raw: dict[str, np.ndarray], prep: Prepared, params: xr.Dataset, by_age: bool = False) -> xr.Dataset:
    """The kernel's raw arrays as a labelled Dataset, with coverage and money flows."""
    regions, years = prep.regions, prep.years
    # Back to labelled arrays with the draw first.
    pop = raw["pop"].transpose(3, 0, 1, 2)
    ins = raw["ins"].transpose(3, 0, 1, 2)
    flows = raw["flows"].transpose(3, 0, 1, 2).copy()  # a copy: the raw arrays stay as the kernel left them
    flows[:, 0] = np.nan  # the initial state has no flows of its own
    coords = {"draw": params.draw.values, "year": years, "region": regions, "group": list(GROUP_IDS)}
    variables = {
        "population": (DIMS, pop, {"units": "persons"}),
        "insured": (DIMS, ins, {"units": "persons"}),
        "births": (("draw", "year", "region"), flows[..., 0], {"units": "persons/year"}),
        "deaths": (("draw", "year", "region"), flows[..., 1], {"units": "persons/year"}),
        "net_migration": (("draw", "year", "region"), flows[..., 2], {"units": "persons/year"}),
    }
    if by_age:
        variables["population_by_age"] = (("draw", "year", "region", "age", "group"),
                                          raw["pop_age"].transpose(4, 0, 1, 2, 3), {"units": "persons"})
        variables["insured_by_age"] = (("draw", "year", "region", "age", "group"),
                                       raw["ins_age"].transpose(4, 0, 1, 2, 3), {"units": "persons"})
        coords["age"] = demography.AGES
    variables.update(derived(pop, ins, prep.pol))  # policy_arrays has the run's years, regions and groups
    # One Dataset built once: adding variables one by one would re-align all of them each time.
    return xr.Dataset(variables, coords=coords)


def active_cells(before: np.ndarray, now: np.ndarray, newborn: int) -> np.ndarray:
    """Cells (region, sex, age, group) that can hold people after a year's step."""
    active = now > 0
    active[:, :, 1:] |= before[:, :, :-1] > 0
    active[:, :, -1] |= before[:, :, -1] > 0
    active[:, :, 0, newborn] = True
    return np.ascontiguousarray(active.astype(np.uint8))


DIMS = ("draw", "year", "region", "group")
COVERAGE_TOTAL = {"units": "1", "long_name": "insured / population, all groups"}


def add_derived(ds: xr.Dataset, pol: xr.Dataset) -> xr.Dataset:
    """Coverage and money flows from population and insured (the same numbers `to_dataset` gives)."""
    pop = ds.population.transpose(*DIMS).values
    ins = ds.insured.transpose(*DIMS).values
    return ds.assign(derived(pop, ins, pol.sel(year=ds.year, region=ds.region, group=ds.group)))


def derived(pop: np.ndarray, ins: np.ndarray, pol: xr.Dataset) -> dict[str, tuple]:
    """Coverage and money flows over (draw, year, region, group) from population and insured, under
    the policy `pol` over the same years, regions and groups (in that order)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = bounds.share(ins / np.where(pop > 0, pop, np.nan), "coverage by group")
    population_total, insured_total, overall = totals(pop, ins)

    # The premium per insured person over (year, region, group), by who pays on what base.
    groups = list(pol.group.values)
    yearly_base = 12.0 * pol.base_salary.values[:, None, None]
    rate = pol.premium_rate.values[:, None, None]
    factor = np.where(np.array(groups) == "household", pol.household_factor.values[:, None, None], 1.0)
    per_person = rate * yearly_base * factor
    per_person = np.broadcast_to(per_person, (len(pol.year), len(pol.region), len(groups))).copy()
    for name, value in (("employee", pol.employee_premium_rate.values * MONEY["wage"]),
                        ("pensioner", pol.premium_rate.values * MONEY["pension"])):
        if name in groups:
            per_person[:, :, groups.index(name)] = value[:, None] * yearly_base[:, :, 0]
    national = pol.state_share_national.transpose("year", "region", "group").values
    local = pol.state_share_local.transpose("year", "region", "group").values
    revenue = ins * per_person
    cost_national = revenue * national
    cost_local = revenue * local
    drive_cost = drive_costs(pop, pol, groups)
    cost_local = cost_local + drive_cost
    total = ("draw", "year", "region")
    return {
        "coverage": (DIMS, coverage, {"units": "1", "long_name": "insured / population"}),
        "population_total": (total, population_total, {"units": "persons"}),
        "insured_total": (total, insured_total, {"units": "persons"}),
        "coverage_total": (total, overall, dict(COVERAGE_TOTAL)),
        "premium_per_person": (("year", "region", "group"), per_person,
                               {"units": "VND/year", "long_name": "premium per insured person, all payers"}),
        "premium_revenue": (DIMS, revenue, {"units": "VND/year",
                                            "long_name": "fund premium revenue from the insured, all payers"}),
        "state_cost_national": (DIMS, cost_national, {"units": "VND/year",
                                                      "long_name": "state budget cost, national minimum share"}),
        "state_cost_local": (DIMS, cost_local, {"units": "VND/year",
                                                "long_name": "state budget cost, local top-up and drives"}),
        "drive_cost": (DIMS, drive_cost, {"units": "VND/year", "source": drives.COST_SOURCE,
                                          "long_name": "cost of the enrolment drive lever (local budget)"}),
        "state_cost": (DIMS, cost_national + cost_local, {"units": "VND/year", "long_name": "state budget cost"}),
        "state_share": (("region", "group", "year"), (pol.state_share_national + pol.state_share_local)
                        .transpose("region", "group", "year").values,
                        {"units": "1", "long_name": "state share of the premium in force (annual mean)"}),
        "base_salary": (("year",), pol.base_salary.values, dict(pol.base_salary.attrs)),
    }


def drive_costs(pop: np.ndarray, pol: xr.Dataset, groups: list[str]) -> np.ndarray:
    """What the drive lever costs the local budget over (draw, year, region, group): its strength
    times the assumed cost per person reached, for every person of the voluntary groups."""
    if "drive" not in pol:
        return np.zeros_like(pop)
    strength = pol.drive.transpose("year", "region").values[None, :, :, None]
    reached = np.array([BY_ID[g].voluntary for g in groups], dtype=float)
    return pop * strength * reached * drives.COST_PER_PERSON_REACHED


def totals(pop: np.ndarray, ins: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Population, insured and coverage over all groups (the last axis)."""
    population_total = group_sum(pop)
    insured_total = group_sum(ins)
    with np.errstate(divide="ignore", invalid="ignore"):
        return population_total, insured_total, bounds.share(insured_total / population_total, "coverage")


def coverage_total(raw: dict[str, np.ndarray], prep: Prepared, params: xr.Dataset) -> xr.DataArray:
    """`to_dataset(raw, prep, params).coverage_total`, the same numbers, without building the rest:
    what a first answer to a lever move needs."""
    _, _, cov = totals(raw["pop"].transpose(3, 0, 1, 2), raw["ins"].transpose(3, 0, 1, 2))
    return xr.DataArray(cov, dims=("draw", "year", "region"),
                        coords={"draw": params.draw.values, "year": prep.years, "region": prep.regions},
                        name="coverage_total", attrs=dict(COVERAGE_TOTAL))


def group_sum(values: np.ndarray) -> np.ndarray:
    """Sum over the last axis (groups), as xarray's NaN-skipping sum does it, bit for bit."""
    return np.sum(np.where(np.isnan(values), 0.0, values), axis=-1)


def run(scenario: Scenario, params: xr.Dataset | None = None, draws: int = 200, seed: int = 0,
        by_age: bool = False, noise_from: int = DEFAULT_NOISE_FROM, parallel: bool = True,
        progress: Callable[[int], None] | None = None, policy: Policy | None = None) -> xr.Dataset:
    """Simulate a health-insurance `scenario` for every parameter draw (from the priors when
    `params` is None). `simulator.run` picks this or another scheme's run by the scenario's scheme.

    A 2025 unit formed from several former provinces runs as those provinces side by side (under
    their own policy until 1 July 2025, the unit's after) and reports their sum (`merged.py`);
    `params` then covers the former provinces (their `region_offset`)."""
    members = run_members(scenario.region)
    regions = list(members) or [scenario.region]
    if params is None:
        params = sample_prior(draws, seed, regions)
        params_source = "prior"
    else:
        params_source = params.attrs.get("source", "given")
    pol = policy_as_run(scenario.policy(policy), scenario.region)  # a unit's, a former territory's
    ds = simulate(pol, regions, scenario.years, params, seed, by_age=by_age,
                  noise_from=noise_from, parallel=parallel, progress=progress)
    if members:
        ds = summed(ds, scenario.region)
    return stamp(ds, scenario, params, params_source, seed, noise_from, policy=policy)


def stamp(ds: xr.Dataset, scenario: Scenario, params: xr.Dataset, params_source: str, seed: int,
          noise_from: int, params_digest: str | None = None, policy: Policy | None = None) -> xr.Dataset:
    """What a run records so that it can be reproduced: scenario, data, code, draws and seed."""
    ds.attrs.update(provenance(scenario, params, params_source, seed, noise_from, params_digest, policy))
    return ds


def provenance(scenario: Scenario, params: xr.Dataset, params_source: str, seed: int, noise_from: int,
               params_digest: str | None = None, policy: Policy | None = None) -> dict:
    """The attributes `stamp` gives a health-insurance run, with the later changes of the policy in
    force (`policy`, else the shipped one) its reform replaces."""
    out = _provenance(scenario, params, params_source, seed, noise_from, BAND_LABELS, params_digest,
                      known=policy.decided_by if policy else None, scheme=scenario.scheme)
    out["supersedes"] = json.dumps(scenario.supersedes(policy), ensure_ascii=False)
    out["capped"] = json.dumps(scenario.capped(policy), ensure_ascii=False)  # top-ups that count for less
    out["below_national"] = json.dumps(scenario.below_national(policy), ensure_ascii=False)  # a national-policy test
    out["denominator"] = DENOMINATOR
    held = [str(params.attrs["compliance_held"])] if params.attrs.get("compliance_held") else []  # an as-of fit's
    members = run_members(scenario.region)
    shares = membership.held_text(list(members) or [scenario.region], policy.decided_by if policy else None)
    held += [shares] if shares else []  # an as-of run's group shares, held where later ones are not known
    day = policy.decided_by if policy else None  # a run as of a day holds no number of a later law
    out["fixed"] = json.dumps([f.text_on(day) for f in fixed.on(FIXED, day)] + held, ensure_ascii=False)
    out["denominator_note"] = (
        "coverage: insured / resident population (usual residents, as the census counts them, steered through "
        "census.csv); net migrants arrive with the insured share of the people of their age and group where they "
        "arrive; a registered (ho khau) population is not modelled (covsim check-data shows an assumed one)")
    return out


def bands(ds: xr.Dataset, var: str = "coverage_total", lo: float = 0.1, hi: float = 0.9) -> xr.Dataset:
    """Median and the lo/hi quantiles over draws: the band a result carries, in one call."""
    q = ds[var].quantile([lo, 0.5, hi], dim="draw")
    return xr.Dataset({"lo": q.sel(quantile=lo, drop=True), "median": q.sel(quantile=0.5, drop=True),
                       "hi": q.sel(quantile=hi, drop=True), "mean": ds[var].mean("draw")})
