"""The cohort engine: load a scenario, resolve the policy in force, run, get an xarray Dataset.

Knows nothing of calibration, the CLI or the dashboard; they drive it through this API.
"""
from .errors import InputError
from .inputs.policy import Policy
from .inputs.scenario import Scenario, for_region, load as load_scenario, shipped as shipped_scenarios
from .output import write_netcdf
from .schemes import run
from .schemes.health import bands, simulate
from .schemes.parameters import sample_prior
from .schemes.provenance import code_version

__all__ = ["InputError", "Policy", "Scenario", "bands", "code_version", "for_region", "load_scenario",
           "run", "sample_prior", "shipped_scenarios", "simulate", "write_netcdf"]
