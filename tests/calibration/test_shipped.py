"""Shipped posterior draws are found through the scheme registry: a scheme declares where its
posterior lives and which variables its runs read, and `draws_for` needs no edit for a new one."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xarray as xr

from covsim.calibration import shipped
from covsim.simulator import schemes


def test_a_scheme_declared_in_the_registry_gets_its_shipped_draws(tmp_path, monkeypatch):
    toy = dataclasses.replace(schemes.SCHEMES["bhxh"], id="toy", posterior="toy_{region}.nc", draw_stream=11,
                              reads=("toy_rate",), source_attr="toy_source")
    monkeypatch.setitem(schemes.SCHEMES, "toy", toy)
    monkeypatch.setattr(shipped, "shipped_dir", lambda: tmp_path)
    stored = np.arange(10.0)
    xr.Dataset({"toy_rate": ("draw", stored), "unread": ("draw", -stored)},
               coords={"draw": np.arange(10)}).to_netcdf(tmp_path / "toy_lai_chau.nc")

    out = shipped.draws_for("lai_chau", 4, seed=3)

    pick = np.random.default_rng([3, 11]).permutation(10)[:4]
    np.testing.assert_array_equal(out.toy_rate.values, stored[pick])
    assert out.toy_rate.draw.values.tolist() == [0, 1, 2, 3]
    assert "unread" not in out  # only the variables the scheme says its runs read
    assert out.attrs["toy_source"] == "posterior toy_lai_chau.nc"
    assert out.attrs["source"].startswith("prior")  # no health posterior in this shipped folder
    assert shipped.shipped_path("lai_chau", toy) == tmp_path / "toy_lai_chau.nc"


def test_the_shipped_files_are_those_the_registry_names():
    first, *others = schemes.posterior_layers()
    assert shipped.shipped_path("lai_chau").name == "lai_chau.nc" == first.posterior_file("lai_chau")
    assert [s.posterior_file("lai_chau") for s in others] == ["labour_lai_chau.nc"]
    out = shipped.draws_for("lai_chau", 5, 0)
    assert out.attrs["source"] == "posterior lai_chau.nc"
    assert out.attrs["labour_source"] == "posterior labour_lai_chau.nc"


def test_refreshing_the_labour_layer_writes_the_files_that_are_shipped(monkeypatch):
    """`python -m covsim.calibration.shipped` refits the later layers for the regions with a shipped
    health posterior, and every one of them ships its labour file: before, it wrote seven more
    (the former provinces of the 2025 units) that the project does not ship."""
    shipped_dir = shipped.shipped_dir()
    health = sorted(p.name[: -len(".nc")] for p in shipped_dir.glob("*.nc") if not p.name.startswith("labour_"))
    assert sorted(shipped.shipped_regions()) == health
    labour = sorted(p.name[len("labour_"): -len(".nc")] for p in shipped_dir.glob("labour_*.nc"))
    assert labour == health
    asked = []
    monkeypatch.setattr(shipped, "calibrate", lambda region, until, settings, scheme: asked.append(region) or region)
    monkeypatch.setattr(shipped, "write_netcdf", lambda post, path: path)
    shipped.ship()
    assert sorted(asked) == health * (len(schemes.posterior_layers()) - 1)


def test_the_refit_module_refuses_an_unknown_region_in_one_line(capsys, monkeypatch):
    """A maintainer's typo ends as the covsim command's bad input does: one line, exit 2, nothing fitted."""
    monkeypatch.setattr(shipped, "ship", lambda regions=None: pytest.fail("refitted on bad input"))
    with pytest.raises(SystemExit) as exc:
        shipped.main(["nowhere"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and len(err.strip().splitlines()) == 1
    assert "nowhere: no shipped health posterior; allowed: vietnam" in err



def test_draw_i_is_the_same_whatever_the_count():
    """Past the stored count the draws were resampled from scratch: draw 0 changed at 1,001 draws,
    and a long batch shared no draw with a short run. They now go on in further shuffled passes."""
    few = shipped.draws_for("vietnam", 200, 0)
    full = shipped.draws_for("vietnam", 2500, 0)
    for v in few.data_vars:
        np.testing.assert_array_equal(full[v].values[:200], few[v].values)
    post, _ = shipped.stored("vietnam", shipped.posterior_layers()[0])
    n = post.sizes["draw"]
    assert 2 * n <= 2500
    # which stored draw each is: the stored draws tagged by their index through the same picking
    tagged = shipped._pick(post.assign(index=("draw", np.arange(n))), 2500, 0, shipped.posterior_layers()[0])
    index = tagged["index"].values
    np.testing.assert_array_equal(np.sort(index[:n]), np.arange(n))  # each pass uses each stored draw once
    np.testing.assert_array_equal(np.sort(index[n:2 * n]), np.arange(n))
    np.testing.assert_array_equal(tagged.price_sensitivity.values, full.price_sensitivity.values)
