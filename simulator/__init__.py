"""The cohort engine: load a scenario, resolve the policy in force, run, get an xarray Dataset.

Knows nothing of calibration, the CLI or the dashboard; they drive it through this API.
"""
from .engine import bands, code_version, run, simulate
from .errors import InputError
from .output import write_netcdf
from .parameters import sample_prior
from .policy import Policy
from .scenario import Scenario, for_region, load as load_scenario, shipped as shipped_scenarios

__all__ = ["InputError", "Policy", "Scenario", "bands", "code_version", "for_region", "load_scenario",
           "run", "sample_prior", "shipped_scenarios", "simulate", "write_netcdf"]
