"""The cheapest subsidy mix that makes a coverage target likely.

Minimise the state budget's cost over the policy years subject to P(coverage in the target year
>= target) >= p, with each lever bounded to [its current level, its legal maximum]. Every
evaluation runs the same parameter draws and seed (common random numbers), so the probability
is a deterministic, monotone function of the levers and the optimiser sees policy, not noise.

The probability over draws is a step function; scipy's optimisers work on a smoothed version
(each draw's indicator replaced by a normal CDF a few tenths of a point wide), and every answer
is then checked, and if need be raised along the way to the upper bounds, on the exact share of
draws.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import xarray as xr
from scipy import optimize, stats

from ..schemes import health, labour, scheme as scheme_entry
from ..schemes.merged import summed
from ..inputs.merger import levels_at, policy_as_run
from ..inputs.regions import run_members
from . import planning
from ..errors import InputError
from ..inputs.levers import lever_of, schemes_with, solvable_paths
from ..inputs.policy import DatedValue, Series
from ..inputs.scenario import Scenario

#: Width of the smoothing of each draw's "reached the target" indicator (coverage points).
SMOOTHING = 0.003


@dataclass(frozen=True)
class Evaluation:
    levels: tuple[float, ...]
    probability: float  # exact share of draws at or above the target
    smooth: float  # smoothed probability the optimiser works on
    cost: float  # mean over draws of the state budget cost summed over start..year, VND
    cost_year: float  # mean state cost in the target year, VND
    insured_year: float  # mean insured in the target year
    median_coverage: float
    coverage: np.ndarray = field(repr=False, compare=False)  # per draw, in the target year
    # per draw, the state cost summed over start..year: the cost's interval, and the extra cost's
    # against another mix on the same draws (common random numbers)
    cost_draws: np.ndarray = field(repr=False, compare=False)
    # per draw, the target year's state cost and insured: the price of a person insured, per draw
    cost_year_draws: np.ndarray = field(repr=False, compare=False)
    insured_year_draws: np.ndarray = field(repr=False, compare=False)
    # mean over draws of the province's own part of `cost` (its shares, top-ups and drives)
    local_cost: float = 0.0


def interval80(draws: np.ndarray) -> dict:
    """`total_lo80`, `total_hi80`: the 10% and 90% quantiles over draws of a total (the money's
    uncertainty beside its mean, as every forecast gives one)."""
    lo, hi = planning.band80(draws)
    return {"total_lo80": lo, "total_hi80": hi}


def _per_insured_interval(best: Evaluation, current: Evaluation, insures: bool) -> dict:
    """`cost_per_additional_insured_lo80`, `_hi80`: the band of the price of a person insured in the
    target year, draw by draw against the current mix on the same draws (`planning.per_insured_band`)."""
    lo, hi = planning.per_insured_band(best.cost_year_draws - current.cost_year_draws,
                                       best.insured_year_draws - current.insured_year_draws)
    shown = (lambda v: float(v) if insures and np.isfinite(v) else None)
    return {"cost_per_additional_insured_lo80": shown(lo), "cost_per_additional_insured_hi80": shown(hi)}


class Problem:
    """One target, one region, fixed draws: evaluates lever levels, cached."""

    def __init__(self, scenario: Scenario, params: xr.Dataset, seed: int, target: float, year: int,
                 paths: list[str], start: int):
        self.scenario, self.params, self.seed = scenario, params, seed
        self.target, self.year, self.paths, self.start = target, year, paths, start
        self.years = list(range(scenario.start, year + 1))
        # A 2025 unit runs as its former provinces side by side, summed after (as `health.run`).
        self.members = run_members(scenario.region)
        self.policy = scheme_entry(scenario.scheme).policy(scenario)  # a labour run's rules too
        self._prepare()
        self.lo = np.array([planning.lever_value(scenario, p, start) for p in paths])
        self.hi = np.array([lever_of(p).hi for p in paths])
        # A local top-up counts up to what the national share leaves of the whole premium: above
        # that it is moot (`Scenario.capped`), and the search reported "→ 100%" where 50% counted.
        for k, path in enumerate(paths):
            parameter, region, group = scenario.key(path)
            if parameter == "local_top_up" and group:
                national, _ = self.policy.state_share(start, region, group)
                self.hi[k] = min(self.hi[k], 1.0 - national)
        self.hi = np.maximum(self.hi, self.lo)
        # Each lever's level in force from the start on: (date, level) at the start and at every later
        # change the policy has (read once: every evaluation floors the lever at these).
        first = date(start, 1, 1)
        self.enacted = {}
        regional = levels_at(self.policy, scenario.region)  # a 2025 unit's in force: its seat's under its policy
        for path in paths:
            parameter, region, group = scenario.key(path)
            policy = self.policy
            if region == scenario.region:
                policy, region = regional
            dates = [first] + [d for d in policy.change_dates(parameter, region, group) if d > first]
            self.enacted[path] = [(d, policy.level_on(parameter, d, region, group)) for d in dates]
        self._cache: dict[tuple, Evaluation] = {}

    def _prepare(self) -> None:
        self.prepared = health.Prepared.build(self._for_members(self.policy), list(self.members) or
                                              [self.scenario.region], self.years)
        # The scenario's own run with the kernel's state after every year: each evaluation reruns
        # only the years from the levers' start (the same numbers as a whole run, bit for bit).
        self.kept = self.prepared.advance(self.params, self.seed, keep_states=True)

    @property
    def evaluations(self) -> int:
        return len(self._cache)

    def levels(self, u: np.ndarray) -> np.ndarray:
        """Lever levels from the unit cube (0: current level, 1: the maximum)."""
        return self.lo + np.clip(u, 0.0, 1.0) * (self.hi - self.lo)

    def unit(self, levels) -> np.ndarray:
        """The unit cube's point of lever levels (`levels`' inverse; a lever that cannot move at 0)."""
        span = np.where(self.hi > self.lo, self.hi - self.lo, 1.0)
        return (np.asarray(levels, dtype=float) - self.lo) / span

    def scenario_at(self, levels: np.ndarray) -> Scenario:
        return planning.with_levers(self.scenario, dict(zip(self.paths, map(float, levels))), self.start)

    def _for_members(self, policy):
        """The policy as the scenario's run takes it (a 2025 unit's former provinces, a former
        province's territory: the unit's from the merger); any other region's as it is."""
        return policy_as_run(policy, self.scenario.region)

    def policy_at(self, levels: np.ndarray):
        """The scenario's policy with each lever at least its level from the start: where the policy
        in force rises above it later (Decree 188/2025's 50% for pupils from August 2025), the rise
        is kept. Solve only raises: its 'current' is the policy in force, never one frozen at the
        start year's level."""
        first = date(self.start, 1, 1)
        overrides = {}
        for path, level in zip(self.paths, map(float, levels)):
            key = self.scenario.key(path)
            kept = [v for v in (self.policy.overrides.get(key) or Series()).values if v.start < first]
            ref = f"solve: at least {level:g} from {self.start}"
            overrides[key] = Series(kept + [DatedValue(d, max(level, value), ref, "assumed")
                                            for d, value in self.enacted[path]])
        return self._for_members(self.policy.with_overrides(overrides))

    def later_rises(self, levels: np.ndarray) -> dict[str, list[dict]]:
        """Per lever, the later levels of the policy in force above the one chosen (kept): {from, value}."""
        out = {}
        for path, level in zip(self.paths, map(float, levels)):
            rises, last = [], level
            for d, value in self.enacted[path][1:]:
                if d.year > self.year:
                    break
                if value > level + 1e-12 and abs(value - last) > 1e-12:
                    rises.append({"from": d.isoformat(), "value": round(value, 6)})
                last = max(level, value)
            out[path] = rises
        return out

    def run(self, levels: np.ndarray) -> xr.Dataset:
        prep = self.prepared.with_policy(self.policy_at(levels))
        ds = health.to_dataset(self.prepared.rerun(prep, self.params, self.seed, self.kept), prep, self.params)
        return summed(ds, self.scenario.region) if self.members else ds

    @staticmethod
    def of(scenario: Scenario, *args) -> "Problem":
        """The problem for the scenario's scheme: health insurance's, or the labour layer's."""
        return (LabourProblem if scenario.scheme in labour.SCHEMES else Problem)(scenario, *args)

    def evaluate(self, u: np.ndarray) -> Evaluation:
        levels = self.levels(np.asarray(u, dtype=float))
        key = tuple(np.round(levels, 6))
        if key not in self._cache:
            ds = self.run(np.array(key))
            region = self.scenario.region
            cov = ds.coverage_total.sel(region=region, year=self.year)
            cost = planning.cumulative_state_cost(ds, region, self.start, self.year)
            cost_year = ds.state_cost.sel(region=region, year=self.year).sum("group")
            insured_year = ds.insured_total.sel(region=region, year=self.year)
            self._cache[key] = Evaluation(
                levels=key,
                probability=planning.probability(cov, self.target),
                smooth=float(stats.norm.cdf((cov.values - self.target) / SMOOTHING).mean()),
                cost=float(cost.mean()),
                cost_year=float(cost_year.mean()),
                insured_year=float(insured_year.mean()),
                median_coverage=float(cov.median()),
                coverage=cov.values,
                cost_draws=cost.values,
                cost_year_draws=cost_year.values,
                insured_year_draws=insured_year.values,
                local_cost=float(ds.state_cost_local.sel(region=region, year=slice(self.start, self.year))
                                 .sum(["group", "year"]).mean()) if "state_cost_local" in ds else 0.0,
            )
        return self._cache[key]

    def coverage_at(self, levels: tuple[float, ...]) -> np.ndarray:
        """Per draw, coverage in the target year at these lever levels (the same draws and seed; the
        evaluation's, run once)."""
        return self.evaluate(self.unit(levels)).coverage

    def lowest_on_ray(self, origin: np.ndarray, direction: np.ndarray, probability: float) -> Evaluation | None:
        """The cheapest point origin + t*direction, t in [0, 1], whose exact probability reaches p.

        Coverage rises with every state share on common draws, so the exact probability is a
        monotone step function of t: bracket it with brentq on the smoothed probability, then
        bisect on the exact one.
        """
        at = lambda t: self.evaluate(origin + t * direction)  # noqa: E731
        if at(1.0).probability < probability:
            return None
        if at(0.0).probability >= probability:
            return at(0.0)
        lo, hi = 0.0, 1.0
        if at(0.0).smooth < probability < at(1.0).smooth:
            guess = optimize.brentq(lambda t: at(t).smooth - probability, 0.0, 1.0, xtol=1e-3)
            if at(guess).probability >= probability:
                hi = guess
            else:
                lo = guess
        for _ in range(12):  # exact step function: bisection to 1/4096 of the remaining span
            mid = 0.5 * (lo + hi)
            if at(mid).probability >= probability:
                hi = mid
            else:
                lo = mid
        return at(hi)


class LabourProblem(Problem):
    """The same search on the labour layer, whose money is the state's support of voluntary BHXH
    contributions: each evaluation runs the layer whole (tens of milliseconds for 200 draws), on
    the same draws and seed."""

    def _prepare(self) -> None:
        pass

    def run(self, levels: np.ndarray) -> xr.Dataset:
        return labour.simulate(self.policy_at(levels), [self.scenario.region], self.years, self.params, self.seed,
                               self.scenario.scheme)


def _trim_each(problem: Problem, best: Evaluation, probability: float, keep_maxed: bool = False) -> Evaluation:
    """Each lever in turn as low as the probability allows, the others held (with `keep_maxed`,
    not those at their maximum)."""
    for k in range(len(best.levels)):
        u = problem.unit(best.levels)
        if keep_maxed and u[k] >= 1.0:
            continue
        floor = u.copy()
        floor[k] = 0.0
        found = problem.lowest_on_ray(floor, u - floor, probability)
        if found is not None and found.cost < best.cost:
            best = found
    return best


def _without_idle(problem: Problem, best: Evaluation) -> Evaluation:
    """Each lever back at its current level where that leaves coverage in the target year the same
    in every draw and costs no more: a raise that buys nothing (a local top-up beside a national
    share of 100%, which moots it) is not printed as part of the answer. Draw by draw, not by the
    share of draws reaching the target, which a raise of a tenth of a point need not move."""
    for k in range(len(best.levels)):
        u = problem.unit(best.levels)
        if u[k] <= 0.0:
            continue
        u[k] = 0.0
        back = problem.evaluate(u)
        if (back.cost <= best.cost + 1e-9 * max(abs(best.cost), 1.0)
                and np.max(np.abs(back.coverage - best.coverage)) <= 1e-12):
            best = back
    return best


def trimmed(problem: Problem, best: Evaluation, probability: float, passes: int = 3) -> Evaluation:
    """Lower each lever of a mix in turn as far as the probability allows, then trade: a lever cut
    to its current level and each other raised just enough, kept where it costs less; then push: a
    lever raised to its maximum and the others trimmed back (a lever that buys probability cheaply
    is best used to its bound, a corner the other moves step round). The optimiser works on a
    smoothed probability and can stop short of a cheaper corner; every point here is checked on
    the exact share of draws."""
    K = len(best.levels)
    for _ in range(passes):
        before = best.cost
        best = _trim_each(problem, best, probability)  # trim
        for k in range(K):  # trade: lever k at its current level, one other (or all) raised to make up
            for j in [*range(K), None]:
                u = problem.unit(best.levels)
                if j == k or u[k] == 0.0:
                    continue
                origin = u.copy()
                origin[k] = 0.0
                direction = 1.0 - origin
                direction[k] = 0.0
                if j is not None:
                    direction = np.where(np.arange(K) == j, direction, 0.0)
                found = problem.lowest_on_ray(origin, direction, probability)
                if found is not None and j is None:  # all raised: then trim each back
                    found = trimmed(problem, found, probability, passes=1) if passes > 1 else found
                if found is not None and found.cost < best.cost:
                    best = found
        for j in range(K):  # push: lever j at its maximum, the others below theirs trimmed back
            u = problem.unit(best.levels)
            if K == 1 or u[j] >= 1.0:
                continue
            u[j] = 1.0
            pushed = problem.evaluate(u)
            if pushed.probability >= probability:
                found = _trim_each(problem, pushed, probability, keep_maxed=True)
                if found.cost < best.cost:
                    best = found
        if best.cost >= before - 1e-6 * max(abs(before), 1.0):
            break
    return best


def _asked(probability: float) -> str:
    """The probability asked as given: 80%, or 99.9% (not rounded to 100%, which no draw set reaches)."""
    whole = round(100 * probability)
    return f"{whole}%" if abs(100 * probability - whole) < 1e-9 else f"{100 * probability:.4g}%"


#: The band of probabilities another seed could give: this many Monte Carlo standard errors each side.
MC_ERRORS = 2.0


def _monte_carlo(problem: Problem, current: Evaluation, best: Evaluation, probability: float,
                 feasible: bool) -> dict:
    """The probability's Monte Carlo standard error over the draws, sqrt(p (1 - p) / n), and the
    cheapest mixes found for p - 2 se (from the answer's levers scaled down towards their current
    levels) and p + 2 se (from them raised towards their maxima), each trimmed as the answer is:
    where the probability moves little with the levers, a small error is a wide range of answers,
    and another seed or number of draws lands inside it."""
    n = int(problem.params.sizes["draw"])
    se = planning.monte_carlo_se(probability, n)
    band = [max(0.0, probability - MC_ERRORS * se), min(1.0, probability + MC_ERRORS * se)]
    out = {"draws": n, "probability_se": round(se, 6), "errors": MC_ERRORS,
           "band": [round(b, 6) for b in band], "low": None, "high": None}
    if not feasible or best.levels == current.levels or se == 0.0:
        return out
    u = problem.unit(best.levels)
    alone = _alone(len(u))
    low = _cheapest_for(problem, band[0], [(np.zeros_like(u), u), *alone])  # the answer scaled down, or one lever
    high = _cheapest_for(problem, band[1], [(u, 1.0 - u), *alone])  # raised towards the maxima, or one lever

    def point(e: Evaluation | None) -> dict | None:
        if e is None:
            return None
        return {"probability": round(e.probability, 6),
                "levers": {p: round(float(v), 6) for p, v in zip(problem.paths, e.levels)},
                "extra_state_cost": e.cost - current.cost}

    out["low"], out["high"] = point(low), point(high)
    return out


def _alone(k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each of `k` levers raised alone from the policy in force (origin, direction in the unit cube):
    where the answer's search starts, and its Monte Carlo band's."""
    return [(np.zeros(k), e) for e in np.eye(k)]


def _cheapest_for(problem: Problem, probability: float, rays: list[tuple[np.ndarray, np.ndarray]]) -> Evaluation | None:
    """The cheapest mix found reaching `probability` along `rays` (origin, direction in the unit
    cube), trimmed and with its idle raises dropped as the answer's are: an end of the Monte Carlo
    band printed 'drive 1.52, near_poor 74.9%, top-up 100%' for +89.8 bn where the drive alone
    reached it for +84.5 bn."""
    found = [e for e in (problem.lowest_on_ray(o, d, probability) for o, d in rays) if e is not None]
    if not found:
        return None
    return _without_idle(problem, trimmed(problem, min(found, key=lambda e: e.cost), probability, passes=1))


def _drive_effect(problem: Problem, current: Evaluation, best: Evaluation) -> dict | None:
    """Coverage in the target year with the answer's drive against the same mix with the drive at
    its current level, draw by draw (points), and the fitted pull it scales with; None where the
    answer does not raise the drive."""
    if "drive" not in problem.paths:
        return None
    k = problem.paths.index("drive")
    if best.levels[k] <= current.levels[k] + 1e-9:
        return None
    without = list(best.levels)
    without[k] = current.levels[k]
    gain = 100.0 * (best.coverage - problem.coverage_at(tuple(without)))
    pull = problem.params.target_pull.values
    q = lambda v: {"median": round(float(np.median(v)), 4), "lo80": round(float(np.quantile(v, 0.1)), 4),  # noqa: E731
                   "hi80": round(float(np.quantile(v, 0.9)), 4)}
    return {"year": int(problem.year), "level": round(float(best.levels[k]), 6),
            "from_level": round(float(current.levels[k]), 6), "points": q(gain),
            "target_pull": q(pull), "no_effect_share": round(float((pull <= 0.0).mean()), 6)}


def solve(scenario: Scenario, params: xr.Dataset, seed: int, target: float, year: int, probability: float,
          levers: list[str], start: int | None = None) -> dict:
    """The cheapest lever levels (within [current, max]) reaching the target with the probability."""
    planning.check_target(target, "solve")
    planning.check_probability(probability)
    planning.check_year(scenario, year)
    if scenario.scheme not in schemes_with("solvable"):
        raise InputError("solve", "--scenario", f"scenario '{scenario.name}' is {scenario.scheme}; solve works on "
                                                f"levers with a cost (premium shares, drives, voluntary BHXH support);"
                                                f" allowed: a scenario of scheme {', '.join(schemes_with('solvable'))}"
                                                f" (the region's baseline, '{scenario.region}', is one)")
    paths = list(dict.fromkeys(planning.parse_lever(p) for p in levers))
    if not paths:
        raise InputError("solve", "--levers", "name at least one lever, e.g. near_poor,pupil_student")
    allowed = sorted({p.partition(".")[0] + (".GROUP" if "." in p else "") for p in solvable_paths()})
    for p in paths:
        if p not in solvable_paths():
            raise InputError("solve", p, f"solve does not move this lever; allowed: {' or '.join(allowed)} "
                                         "(or a bare group name)")
        if scenario.scheme not in lever_of(p).schemes:  # it would change nothing while the answer priced it
            mine = sorted({q.partition(".")[0] + (".GROUP" if "." in q else "") for q in solvable_paths()
                           if scenario.scheme in lever_of(q).schemes})
            raise InputError("solve", p, f"acts on {', '.join(lever_of(p).schemes)} only, not on this "
                                         f"{scenario.scheme} run; allowed: {' or '.join(mine)}")
    for p in paths:  # a province's share sets the whole the state pays: a top-up beside it is moot
        parameter, _, group = p.partition(".")
        if parameter == "local_top_up" and f"state_share.{group}" in paths:
            raise InputError("solve", "--levers", f"names both state_share.{group} and {p}: a province's state share "
                                                  f"of a group is the whole the state pays, so a top-up beside it "
                                                  f"changes nothing and the answer would price it at 0; allowed: one "
                                                  f"of the two")
    given = start is not None
    start = planning.lever_start(scenario, year) if start is None else int(start)
    if not scenario.start < start <= year:
        raise InputError("solve", "--from", f"{start} is outside {scenario.start + 1}..{year}")
    planning.check_unit_start(scenario, start, paths, given=given)
    problem = Problem.of(scenario, params, seed, target, year, paths, start)
    K = len(paths)
    zero, one = np.zeros(K), np.ones(K)
    current, ceiling = problem.evaluate(zero), problem.evaluate(one)

    if ceiling.probability < probability:
        best = _without_idle(problem, ceiling)
        feasible = False
        idle = [p for p, v, top in zip(paths, best.levels, ceiling.levels) if v < top - 1e-9]
        but = f" but {', '.join(idle)}, which adds nothing there," if idle else ""
        message = (f"no combination of {', '.join(paths)} within [current, maximum] from {start} reaches "
                   f"{100 * target:.1f}% in {year} with probability {_asked(probability)}: the best found, every lever "
                   f"at its maximum{but} reaches it with probability {planning.probability_text(ceiling.probability)} "
                   f"(median coverage {100 * ceiling.median_coverage:.1f}%)")
    elif current.probability >= probability:
        best, feasible = current, True
        message = f"the current policy already reaches the target with probability {planning.probability_text(current.probability)}"
    else:
        feasible = True
        # Candidates: each lever alone, and all together, each at its cheapest level on the way up.
        candidates = [problem.lowest_on_ray(o, d, probability) for o, d in [*_alone(K), (zero, one)]]
        start_point = min((c for c in candidates if c is not None), key=lambda c: c.cost)
        # Then the mix: minimise cost subject to the smoothed probability, from the best start.
        scale = max(ceiling.cost, 1.0)
        u0 = problem.unit(start_point.levels)
        if K > 1:
            result = optimize.minimize(
                lambda u: problem.evaluate(u).cost / scale, u0, method="SLSQP", bounds=[(0.0, 1.0)] * K,
                constraints=[{"type": "ineq", "fun": lambda u: problem.evaluate(u).smooth - probability}],
                options={"maxiter": 30, "ftol": 1e-4, "eps": 1e-2})
            u = np.clip(result.x, 0.0, 1.0)
            repaired = problem.lowest_on_ray(u, one - u, probability)
            candidates.append(repaired)
        best = min((c for c in candidates if c is not None), key=lambda c: c.cost)
        best = _without_idle(problem, trimmed(problem, best, probability))
        message = (f"cheapest mix found reaches {100 * target:.1f}% in {year} with probability "
                   f"{planning.probability_text(best.probability)} (asked {_asked(probability)})")

    monte_carlo = _monte_carlo(problem, current, best, probability, feasible)
    effect = _drive_effect(problem, current, best)
    later = problem.later_rises(np.array(best.levels))
    extra_insured = best.insured_year - current.insured_year
    extra_cost_year = best.cost_year - current.cost_year
    return {
        "region": scenario.region,
        "scenario": scenario.name,
        "year": int(year),
        "target": float(target),
        "probability_required": float(probability),
        "feasible": feasible,
        "from": int(start),
        # each lever at least `value` from `from`; `later`: rises of the policy in force above it, kept
        "levers": [{"lever": p, "current": round(float(lo), 6), "value": round(float(v), 6), "max": float(hi),
                    "later": later[p]}
                   for p, lo, v, hi in zip(paths, problem.lo, best.levels, problem.hi)],
        "probability": round(best.probability, 6),
        "best_probability": round(ceiling.probability if not feasible else best.probability, 6),
        "median_coverage": round(best.median_coverage, 6),
        # `local`, `national`: who pays the total (the province's budget pays its own shares, top-ups
        # and drives; a planner asks what falls on it)
        "state_cost": {"total": best.cost, "year": best.cost_year, "from": int(start), "to": int(year),
                       **interval80(best.cost_draws), "local": best.local_cost,
                       "national": best.cost - best.local_cost, "units": "VND"},
        "extra_state_cost": {"total": best.cost - current.cost, "year": extra_cost_year,
                             **interval80(best.cost_draws - current.cost_draws),
                             "local": best.local_cost - current.local_cost,
                             "national": (best.cost - best.local_cost) - (current.cost - current.local_cost),
                             "units": "VND"},
        "cost_per_additional_insured": (extra_cost_year / extra_insured) if extra_insured > 0.5 else None,
        # its 10% and 90% quantiles over draws (null where the mean is, or where a bound is unbounded)
        **_per_insured_interval(best, current, extra_insured > 0.5),
        "current_probability": round(current.probability, 6),
        "evaluations": problem.evaluations,
        "draws": int(params.sizes["draw"]),
        "seed": int(seed),
        "message": message,
        # How far the answer moves within the probability's Monte Carlo error: another seed or
        # number of draws lands within it (`low` / `high`: the mix asked p -/+ 2 standard errors)
        "monte_carlo": monte_carlo,
        # What the drive adds where the answer raises it: coverage in the target year with and
        # without it, draw by draw, and the fitted pull its effect scales with
        "drive_effect": effect,
        # Assumed numbers the answer rests on: the scenario's own and, where a drive is set, its cost.
        "assumptions": problem.scenario_at(np.array(best.levels)).assumptions(),
    }
