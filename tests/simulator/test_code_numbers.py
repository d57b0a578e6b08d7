"""The numbers declared in the code, not in a table, are listed in docs/data.md ("Numbers in the
code") with the values the code holds: a number held fixed declared without a row there, or a row
whose value the code no longer holds, fails here."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from covsim.simulator.schemes import health, labour, parameters

DATA_MD = Path(__file__).resolve().parents[2] / "docs" / "data.md"
MODULES = {"demography": "covsim.simulator.inputs.demography", "parameters": "covsim.simulator.schemes.parameters",
           "labour_fit": "covsim.calibration.labour_fit", "price_evidence": "covsim.calibration.price_evidence",
           "labour": "covsim.simulator.schemes.labour", "compliance": "covsim.simulator.schemes.compliance",
           "drives": "covsim.simulator.inputs.drives"}


def _section() -> str:
    text = DATA_MD.read_text(encoding="utf-8")
    start = text.index("## Numbers in the code (assumed)")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def _rows() -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in _section().splitlines() if line.startswith("| `")]


def test_every_number_held_fixed_has_its_row():
    declared = {f.key for m in (parameters, health, labour) for f in m.FIXED} | {f.key for f in health.AS_OF_FIXED}
    listed = {row[0].strip("`") for row in _rows() if "." not in row[0]}
    assert declared == listed


@pytest.mark.parametrize("row", [r for r in _rows() if "." in r[0]], ids=lambda r: r[0].strip("`"))
def test_each_code_number_listed_is_the_value_the_code_holds(row):
    module, name = row[0].strip("`").split(".")
    value = getattr(importlib.import_module(MODULES[module]), name)
    if isinstance(value, dict):
        listed = dict(re.findall(r"(\w+) ([-\d.]+)", row[1]))
        assert {k: float(v) for k, v in listed.items()} == pytest.approx(value)
    else:
        assert float(row[1]) == pytest.approx(value)


def test_each_held_number_s_row_names_the_alternatives_tried():
    rows = {row[0].strip("`"): row[3] for row in _rows() if "." not in row[0]}
    for f in (*(f for m in (parameters, health, labour) for f in m.FIXED), *health.AS_OF_FIXED):
        labels = [a.label.replace("x", "\u00d7") if a.label.startswith("x") else a.label for a in f.alternatives]
        assert rows[f.key] == (", ".join(labels) if labels else "none"), f.key


def test_the_held_fixed_rows_give_the_values_in_force():
    """The table's value column for a few held numbers against what a run prints."""
    rows = {row[0].strip("`"): row[1] for row in _rows()}
    assert "0.98" in rows["required_cap"] and labour.CAP["cap"] == 0.98
    shift = ", ".join(f"{v:g}" for v in parameters.VOLUNTARY_AGE_SHIFT).replace("-", "−")
    assert shift in rows["voluntary_age_shift"]
    assert str(parameters.RAMP_YEARS) + " years" in rows["roadmap_ramp"]


def test_the_join_levels_alternatives_reach_the_prior_draws_and_the_fit_and_only_the_voluntary_groups():
    """`voluntary_join_levels` is read where parameters are made (the priors, the fit's draws):
    under an alternative only the four voluntary groups' join levels move, by the spread's scale."""
    import numpy as np

    from covsim.calibration import health_fit
    from covsim.simulator.inputs.groups import GROUP_IDS

    fixed = parameters.JOIN_LEVELS
    base = parameters.sample_prior(50, 0, ["vietnam"])
    theta = np.array([[f.mean for f in health_fit.SHARED]])
    fitted = health_fit.to_params(theta, health_fit.SHARED, ["vietnam"], 0)
    voluntary = list(parameters.VOLUNTARY_JOIN)
    for alternative, factor in zip(fixed.alternatives, (0.5, 1.5)):
        with fixed.held_at(alternative):
            moved = parameters.sample_prior(50, 0, ["vietnam"])
            refit = health_fit.to_params(theta, health_fit.SHARED, ["vietnam"], 0)
        for ds, at in ((base, moved), (fitted, refit)):
            shift = (at.join_logit - ds.join_logit).mean("draw").to_series()
            assert (shift.drop(voluntary) == 0).all()
            mean = np.mean(list(parameters.VOLUNTARY_JOIN.values()))
            expected = {g: (factor - 1) * (v - mean) for g, v in parameters.VOLUNTARY_JOIN.items()}
            assert shift[voluntary].to_dict() == pytest.approx(expected)
            assert (at.lapse_logit == ds.lapse_logit).all()
    assert set(voluntary) < set(GROUP_IDS)


def test_the_walk_ahead_starts_the_year_after_the_last_national_figure_shipped():
    """`DEFAULT_NOISE_FROM` is written as a year: a later national figure added to the data must
    move it, or a run's walk would start inside the observed years."""
    from covsim.calibration.health_fit import last_national_year

    assert parameters.DEFAULT_NOISE_FROM == last_national_year() + 1
