"""Policy variants of one scenario that share its years before their first change.

A planner moving a lever from 2026, or an optimiser trying a subsidy mix, changes the policy only
from some year on; the years before are the scenario's own, on the same draws and seed. Keeping the
kernel's state after every year of the scenario's run lets each variant start where it first
differs, so a variant costs only the years it changes and gives the same numbers, bit for bit, as a
run from the start. A kept state is ~6 MB at 200 draws, so a caller who knows how early its
variants start (the dashboard's levers move from the year after the last observation) keeps only
the states from there (`keep_from`); an earlier variant then runs whole, with the same numbers.
A 2025 unit run as the sum of its former provinces keeps their states side by side and adds them
when labelled (as `health.run` does).
"""
from __future__ import annotations

import xarray as xr

from .health import Prepared, coverage_total, provenance, stamp, to_dataset
from .merged import summed
from .provenance import params_hash
from .parameters import DEFAULT_NOISE_FROM
from ..inputs.merger import policy_as_run
from ..inputs.regions import run_members
from ..inputs.scenario import Scenario


class Variants:
    """The health-insurance (BHYT) run of `scenario` on `params`, ready to rerun under variants."""

    def __init__(self, scenario: Scenario, params: xr.Dataset, seed: int = 0,
                 noise_from: int = DEFAULT_NOISE_FROM, parallel: bool = True, keep_from: int | None = None):
        from . import SCHEMES

        if not SCHEMES[scenario.scheme].variants:
            raise ValueError(f"policy variants need a health-insurance scenario, not scheme '{scenario.scheme}'")
        self.scenario, self.params, self.seed = scenario, params, int(seed)
        self.noise_from, self.parallel = noise_from, parallel
        self.source = str(params.attrs.get("source", "given"))
        self.params_digest = params_hash(params)
        self.members = run_members(scenario.region)
        self.prepared = Prepared.build(self._policy(scenario), list(self.members) or [scenario.region],
                                       scenario.years)
        years = list(scenario.years)
        if keep_from is not None and not years[0] <= keep_from <= years[-1]:
            raise ValueError(f"keep_from {keep_from} is outside the run's years {years[0]}-{years[-1]}")
        self.keep_from = years[0] if keep_from is None else int(keep_from)
        self.raw = self.prepared.advance(params, seed, noise_from, parallel=parallel, keep_states=True,
                                         keep_from=years.index(self.keep_from))

    def baseline(self) -> xr.Dataset:
        """The scenario's own run, as `simulator.run` gives it."""
        return self.dataset(self.scenario, self.prepared, self.raw)

    def first_year(self, variant: Scenario) -> int | None:
        """The first year the variant's policy differs from the scenario's (None: it does not)."""
        k = self.prepared.first_difference(self._prepare(variant))
        return None if k == len(self.scenario.years) else self.scenario.years[k]

    def run(self, variant: Scenario, parallel: bool | None = None) -> xr.Dataset:
        """`simulator.run(variant, params, seed=seed)`, computing only the years from its first change
        (`parallel` overrides the instance's choice of numba's parallel or serial kernel)."""
        return self.dataset(variant, *self.rerun(variant, parallel))

    def rerun(self, variant: Scenario, parallel: bool | None = None) -> tuple[Prepared, dict]:
        """The kernel's raw run of the variant (the years from its first change): `dataset` labels
        it, `coverage` gives its overall coverage alone."""
        parallel = self.parallel if parallel is None else parallel
        prep = self._prepare(variant)
        return prep, self.prepared.rerun(prep, self.params, self.seed, self.raw, self.noise_from, parallel)

    def dataset(self, variant: Scenario, prep: Prepared, raw: dict) -> xr.Dataset:
        """A raw rerun as `simulator.run` labels and stamps it."""
        ds = to_dataset(raw, prep, self.params)
        if self.members:
            ds = summed(ds, variant.region)
        return stamp(ds, variant, self.params, self.source, self.seed, self.noise_from, self.params_digest)

    def coverage(self, variant: Scenario, prep: Prepared, raw: dict) -> xr.DataArray:
        """The region's overall coverage over (draw, year) of a raw rerun, with the run's stamp in its
        attributes: the same numbers as `dataset(…).coverage_total`, in a fraction of the time."""
        if self.members:  # the unit's coverage is that of its former provinces' sums
            cov = to_dataset(raw, prep, self.params).pipe(summed, variant.region).coverage_total
            cov = cov.sel(region=variant.region).copy()
            cov.attrs = {}
        else:
            cov = coverage_total(raw, prep, self.params).sel(region=variant.region)
        cov.attrs.update(provenance(variant, self.params, self.source, self.seed, self.noise_from,
                                    self.params_digest))
        return cov

    def _prepare(self, variant: Scenario) -> Prepared:
        sc = self.scenario
        if (variant.region, variant.scheme, list(variant.years)) != (sc.region, sc.scheme, list(sc.years)):
            raise ValueError(f"'{variant.name}' is not a variant of '{sc.name}': region, scheme and years must match")
        return self.prepared.with_policy(self._policy(variant))

    def _policy(self, scenario: Scenario):
        """The scenario's policy as its run takes it (`merger.policy_as_run`): a 2025 unit's former
        provinces, or a former province's territory, under the unit's from the merger."""
        return policy_as_run(scenario.policy(), scenario.region)
