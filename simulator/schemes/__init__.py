"""The schemes' models, one registry keyed by scheme id: `run` picks the scenario's.

Every scheme's model module offers the same small set: `Prepared.build(policy, regions, years)`
does what does not depend on the draws, `Prepared.advance(params, seed, noise_from, by_age, ...)`
the years, `to_dataset(raw, prepared, params, by_age, ...)` labels the result, `sample_prior(draws,
seed, regions)` draws its parameters, `BAND_LABELS` names its age bands, and `run` does all of it
and stamps the run's provenance (built once, in `provenance.py`).
Health insurance (BHYT) is `health`; social and unemployment insurance (BHXH, BHTN) share the
labour-force layer `labour`.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Callable

import xarray as xr

from ..inputs.policy import Policy
from ..inputs.scenario import SCHEMES as SCHEME_IDS, Scenario
from . import health, labour
from .parameters import DEFAULT_NOISE_FROM


@dataclass(frozen=True)
class Scheme:
    id: str
    model: ModuleType  # Prepared, to_dataset, sample_prior, run, BAND_LABELS
    denominator: str  # what coverage_total is a share of

    def run(self, scenario: Scenario, *args, **kwargs) -> xr.Dataset:
        return self.model.run(scenario, *args, **kwargs)

    def sample_prior(self, draws: int, seed: int, regions: list[str]) -> xr.Dataset:
        return self.model.sample_prior(draws, seed, regions)


SCHEMES: dict[str, Scheme] = {
    "bhyt": Scheme("bhyt", health, "population"),
    "bhxh": Scheme("bhxh", labour, "labour_force"),
    "bhtn": Scheme("bhtn", labour, "labour_force"),
}
assert tuple(SCHEMES) == SCHEME_IDS, "every scheme a scenario may name has a model"


def scheme(scheme_id: str) -> Scheme:
    return SCHEMES[scheme_id]


def run(scenario: Scenario, params: xr.Dataset | None = None, draws: int = 200, seed: int = 0,
        by_age: bool = False, noise_from: int = DEFAULT_NOISE_FROM, parallel: bool = True,
        progress: Callable[[int], None] | None = None, policy: Policy | None = None) -> xr.Dataset:
    """Simulate `scenario` under its scheme's model for every parameter draw (from the scheme's
    priors when `params` is None)."""
    return SCHEMES[scenario.scheme].run(scenario, params, draws, seed, by_age, noise_from, parallel, progress, policy)
