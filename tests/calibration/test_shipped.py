"""Shipped posterior draws are found through the scheme registry: a scheme declares where its
posterior lives and which variables its runs read, and `draws_for` needs no edit for a new one."""
from __future__ import annotations

import dataclasses

import numpy as np
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
