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
    """A scheme's model and what it offers, so callers ask the entry rather than test its id.

    `posterior`: the file name of a region's shipped posterior draws; `reads`: the variables a run
    takes from it (None: all); `draw_stream`: the seed stream its draws are picked with;
    `source_attr`: the attribute that says where its draws came from, `learned_attr` the one that
    carries what its fit learned (calibration/learned.py). `budget`: a run has premium
    money flows, so the CLI and dashboard report the state's cost against the baseline; `variants`:
    a run can be kept and rerun from a year (`variants.Variants`, the dashboard's lever moves);
    `target_gaps`: what each plan target would need, for a scheme whose runs report it; `unread`:
    the fitted parameters and numbers held fixed (by key) of a shared fit this scheme never reads.
    `support_cost`: a run's only money is the state's support of contributions (voluntary BHXH),
    which the dashboard and the briefing show against the baseline as they show health's budget.
    `held_texts`: what a run of regions holds besides its FIXED numbers, by what it knows (a day,
    None: everything) and its last year (a labour run past the last required_share row carries it on
    at its last rows' slope);
    `held_items`: the whole-record part of it as (key, values), for the faces to word.
    `as_of_fixed`: what its fit "as of" a year holds fixed besides (`fixed.Fixed`), tried as the others are.
    """

    id: str
    model: ModuleType  # Prepared, to_dataset, sample_prior, run, BAND_LABELS
    denominator: str  # what coverage_total is a share of, as its runs' `denominator` attribute names it
    posterior: str
    draw_stream: int
    reads: tuple[str, ...] | None = None
    source_attr: str = "source"
    learned_attr: str = "learned"
    budget: bool = False
    variants: bool = False
    target_gaps: Callable | None = None
    unread: tuple[str, ...] = ()
    support_cost: bool = False  # its `state_cost` is the state's support of contributions, no premium flows
    held_texts: Callable | None = None
    held_items: Callable | None = None
    as_of_fixed: tuple = ()
    unit: str = ""  # the data's unit of its coverage figures and targets, if not share_of_<denominator>

    @property
    def target_unit(self) -> str:
        """The unit of the scheme's coverage figures and targets in the data (coverage.csv, targets.csv)."""
        return self.unit or f"share_of_{self.denominator}"

    @property
    def fixed(self) -> tuple[str, ...]:
        """What a run of the scheme holds fixed, assumed and not fitted (its model's FIXED), in English."""
        return tuple(str(f) for f in self.fixed_items)

    def fixed_for(self, regions: list[str], to: int) -> tuple[str, ...]:
        """`fixed` and what a whole-record run of `regions` to `to` holds besides (a labour run past
        the labour force table's last row holds the share required to join there), as its run lists it."""
        return self.fixed + tuple(self.held_texts(regions, None, to) if self.held_texts else ())

    def held_items_for(self, regions: list[str], to: int) -> tuple[tuple[str, dict], ...]:
        """What `fixed_for` adds to `fixed`, as (key, values), for a face that words it itself."""
        return tuple(self.held_items(regions, to) if self.held_items else ())

    @property
    def fixed_items(self) -> tuple:
        """The same as declared (`schemes/fixed.py`): key and values, for a face that words them itself."""
        return tuple(f for f in self.model.FIXED if f.key not in self.unread)

    def policy(self, scenario: Scenario, known=None):
        """The policy a run of this scheme reads under the scenario: a labour run adds the dated
        rules of labour_policy.csv (the 2024 law's voluntary support) to the shipped policy; with
        `known` (a day), only what was decided by then, as a run "as of" it reads it."""
        base = getattr(self.model, "base_policy", None)
        base = base() if base else None
        if known is not None:
            from ..inputs.policy import Policy

            base = (base or Policy.from_table()).known_on(known)
        return scenario.policy(base)

    def posterior_file(self, region: str) -> str:
        return self.posterior.format(region=region)

    def run(self, scenario: Scenario, *args, **kwargs) -> xr.Dataset:
        return self.model.run(scenario, *args, **kwargs)

    def sample_prior(self, draws: int, seed: int, regions: list[str]) -> xr.Dataset:
        return self.model.sample_prior(draws, seed, regions)


_LABOUR = dict(model=labour, denominator="labour_force", posterior="labour_{region}.nc", draw_stream=7920,
               reads=tuple(labour.PRIORS) + tuple(labour.REGION_PRIORS), source_attr="labour_source",
               learned_attr="labour_learned",
               target_gaps=labour.target_gaps, held_texts=labour.held_texts, held_items=labour.held_items)
SCHEMES: dict[str, Scheme] = {
    # its runs are of the resident population; the data name the unit of its figures share_of_population
    "bhyt": Scheme("bhyt", health, health.DENOMINATOR, unit="share_of_population", posterior="{region}.nc",
                   draw_stream=7919, budget=True, variants=True, as_of_fixed=health.AS_OF_FIXED),
    "bhxh": Scheme("bhxh", unread=labour.UNREAD["bhxh"], support_cost=True, **_LABOUR),
    "bhtn": Scheme("bhtn", unread=labour.UNREAD["bhtn"], **_LABOUR),
}
assert tuple(SCHEMES) == SCHEME_IDS, "every scheme a scenario may name has a model"


def scheme(scheme_id: str) -> Scheme:
    return SCHEMES[scheme_id]


def posterior_layers() -> list[Scheme]:
    """One entry per posterior file kind (schemes sharing a model share its draws), the first the
    one a region's draws start from; the others' draws are added beside it."""
    layers: dict[str, Scheme] = {}
    for entry in SCHEMES.values():
        layers.setdefault(entry.posterior, entry)
    return list(layers.values())


def run(scenario: Scenario, params: xr.Dataset | None = None, draws: int = 200, seed: int = 0,
        by_age: bool = False, noise_from: int = DEFAULT_NOISE_FROM, parallel: bool = True,
        progress: Callable[[int], None] | None = None, policy: Policy | None = None) -> xr.Dataset:
    """Simulate `scenario` under its scheme's model for every parameter draw (from the scheme's
    priors when `params` is None)."""
    return SCHEMES[scenario.scheme].run(scenario, params, draws, seed, by_age, noise_from, parallel, progress, policy)
