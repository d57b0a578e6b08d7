"""The policy of a 2025 unit's former provinces: each its own until 1 July 2025, the unit's after.

A merged province is run as its former provinces side by side (region is a dimension of the
engine's state), their states added afterwards. Before the merger each former province keeps its
own regional policy (local top-ups, outreach); from 1 July 2025 every one of them has the new
unit's: the unit's own rows where the data or the scenario give them, else those of the former
province whose name and code the unit keeps (`regions.seat`: HCMC's top-ups cover the merged city).
A scenario's reform of the unit, being the unit's policy, reaches the former provinces from the
merger on (its value in force on 1 July 2025, then its later steps).
"""
from __future__ import annotations

from dataclasses import replace

from . import decisions
from .policy import DatedValue, Key, Policy, Series
from .regions import MERGER_DATE, RESOLUTION, former_provinces, mergeable, seat, unit_of

#: A regional parameter's value where a province has none (policy.py reads them with these
#: defaults): a former province's own top-up or drive (the `drive` lever, and the retired
#: `outreach`) ends at the merger if the unit has none.
NONE_IN_FORCE = {"local_top_up": 0.0, "outreach": 0.0, "drive": 0.0}


def _spliced(own: Series | None, unit: Series | None, parameter: str) -> Series | None:
    """`own` before the merger, `unit` from it (None: nothing to say for this key)."""
    before = [v for v in (own.values if own else []) if v.start < MERGER_DATE]
    if unit is not None:
        now = unit.at(MERGER_DATE)
        after = ([DatedValue(MERGER_DATE, now.value, now.reference, now.kind, now.decided)] if now else [])
        after += [v for v in unit.values if v.start > MERGER_DATE]
    elif own is not None and parameter in NONE_IN_FORCE:
        after = [DatedValue(MERGER_DATE, NONE_IN_FORCE[parameter], f"{RESOLUTION} (merger): "
                            "the former province's own measure ends; the new unit has none", "assumed")]
    else:
        return own
    return Series(before + after) if before + after else None


def _rekeyed(table: dict[Key, Series], unit: str, members: tuple[str, ...], head: str) -> dict[Key, Series]:
    out = dict(table)
    pairs = {(p, g) for (p, r, g) in table if r in members or r == unit}
    for parameter, group in sorted(pairs):
        theirs = table.get((parameter, unit, group)) or table.get((parameter, head, group))
        for member in members:
            new = _spliced(table.get((parameter, member, group)), theirs, parameter)
            if new is not None:
                out[(parameter, member, group)] = new
    return out


def policy_of_members(policy: Policy, unit: str) -> Policy:
    """`policy` with every former province of `unit` under the unit's regional policy from 1 July 2025."""
    members, head = former_provinces(unit), seat(unit)
    # `replace` keeps what else the policy knows: an as-of run's decided_by, without which the targets
    # that pull a drive were every one shipped, later ones included
    return replace(policy, series=_rekeyed(policy.series, unit, members, head),
                   overrides=_rekeyed(policy.overrides, unit, members, head))


def merger_known(policy: Policy) -> bool:
    """Whether the 2025 reorganisation was decided by the day `policy` is known on: a run as of 2015
    keeps a former province's own policy to its end, as a planner in 2015 would have run it."""
    return policy.decided_by is None or decisions.policy_decided(RESOLUTION, MERGER_DATE) <= policy.decided_by


def policy_as_run(policy: Policy, region: str) -> Policy:
    """The policy a run of `region` takes: a 2025 unit's, as its former provinces run it (above). A
    former province run on its own is its territory, under the same rule: its own policy until
    1 July 2025, its unit's data policy from then on (Bình Dương's pupils get HCMC's 2026 top-up, as
    inside the unit; they kept only the national share), a scenario's own reform of it kept as set.
    Any other region's as it is, and a former province's as it is where the policy is known on a day
    before the reorganisation was decided (`merger_known`): then a unit's former provinces, run
    side by side as of a year (`calibration/unit_as_of.py`), each keep theirs too."""
    if region in mergeable():
        return policy_of_members(policy, region) if merger_known(policy) else policy
    unit = unit_of(region)
    if unit is None or not merger_known(policy):
        return policy
    return replace(policy, series=_rekeyed(policy.series, unit, former_provinces(unit), seat(unit)))


def levels_at(policy: Policy, region: str) -> tuple[Policy, str]:
    """The policy and the region `region`'s regional levels in force are read at, as its runs take
    them. A 2025 unit has no rows of its own: its levels are its seat's under the unit's policy
    (HCMC's pupils 100%, not the national 50%); a former province's are its territory's."""
    return policy_as_run(policy, region), seat(region) if region in mergeable() else region
