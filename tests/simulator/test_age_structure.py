"""The initial age structure is fitted to the census's age bands (issue 39, item 1)."""
from __future__ import annotations

import numpy as np

from covsim.simulator.inputs import datacheck, demography


def test_the_nation_meets_every_census_age_band_within_a_point():
    gaps = datacheck.age_gaps()
    national = [g for g in gaps if g["region"] == "vietnam"]
    assert {(g["year"], g["band"]) for g in national} >= {(2014, "65+"), (2019, "65+"), (2019, "0-14")}
    # the stable shape alone gave 11.2% aged 65+ in 2019 against the census's 7.6%
    assert all(abs(g["gap_points"]) < 1.0 for g in national), national


def test_a_forecast_as_of_2010_starts_from_the_2009_census_not_a_default():
    """The 2009 census's bands (24.5% under 15, 6.4% aged 65+) are known as of 2010: the starting
    structure is fitted to them; as of 2008 no band is known and the default stands in."""
    shape, how = demography.fitted_shape("vietnam", 2008, 2010)
    assert how.startswith("fitted to its census age bands")
    assert demography.fitted_shape("vietnam", 2008, 2008)[1].startswith("stable population at the default")
    demo = demography.build(["vietnam"], [2008, 2009, 2010], 2010)
    pop = demo.initial_population.sel(region="vietnam")
    aged = float(pop.sel(age=slice(65, None)).sum() / pop.sum())
    assert 0.05 < aged < 0.075  # the default stable population had 11.1% aged 65+ in 2010


def test_provinces_without_bands_take_the_nations_shape_and_say_so():
    demo = demography.build(["vietnam", "lai_chau"], [2008, 2009])
    how = demo.initial_population.attrs["age_shape"]
    assert "vietnam: fitted to its census age bands" in how
    assert "lai_chau: the nation's fitted shape (assumed" in how
    (growth, taper), _ = demography.fitted_shape("lai_chau", 2008)
    assert (growth, taper) == demography.fitted_shape("vietnam", 2008)[0]


def test_a_stronger_taper_leaves_fewer_old_people():
    q0 = np.stack([demography.mortality_for(70.0), demography.mortality_for(76.0)])
    old = [demography.initial_shape(q0, 0.5, 0.01, t)[:, 65:].sum() for t in (0.0, 0.02, 0.05, 0.1)]
    assert all(b < a for a, b in zip(old, old[1:]))
    assert np.allclose([demography.initial_shape(q0, 0.5, 0.01, t).sum() for t in (0.0, 0.1)], 1.0)


def test_an_age_band_that_is_not_one_is_named_by_file_row_and_column(copy, edit):
    from covsim.simulator.inputs import validate

    edit(copy / "census_structure.csv", "vietnam,2019,age,65+,", "vietnam,2019,age,65plus,")
    edit(copy / "census_structure.csv", "vietnam,2014,age,0-14,", "vietnam,2014,age,14-0,")
    found = [str(p) for p in validate.problems(copy)]
    assert any(p.startswith("census_structure.csv: row") and "column 'category'" in p
               and "'65plus' is not an age band" in p for p in found), found
    assert any("'14-0' is not an age band" in p for p in found), found
