"""What every run records so that it can be reproduced: scenario, data, code, draws and seed.

Built here once for every scheme; a scheme adds only its own fields (its denominator, say).
"""
from __future__ import annotations

import hashlib
import json
from datetime import date
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np
import xarray as xr

from ..inputs import tables
from ..inputs.regions import run_members
from ..inputs.regions import boundaries
from ..inputs.scenario import Scenario
from . import unverified


#: The parts of the package whose code makes a run's numbers: the model, its fits (which posterior
#: draws a run takes, how a forecast is fitted), and the two faces that set their options.
CODE_PACKAGES = ("simulator", "calibration", "cli", "dashboard")


@lru_cache(maxsize=1)
def code_version() -> str:
    """Package version plus a hash of the package's source (every part in CODE_PACKAGES, not only
    the simulator's: the draws a run takes are picked in calibration): identifies the code of a
    run (read once per process: the code a process runs does not change under it)."""
    from importlib.util import find_spec

    try:
        version = metadata.version("covsim")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    digest = hashlib.sha256()
    for part in CODE_PACKAGES:
        spec = find_spec(f"covsim.{part}")
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(list(spec.submodule_search_locations)[0])
        for path in sorted(root.rglob("*.py"), key=lambda p: p.relative_to(root).as_posix()):
            digest.update(f"{part}/{path.relative_to(root).as_posix()}".encode())
            digest.update(path.read_bytes())
    return f"{version}+{digest.hexdigest()[:12]}"


@lru_cache(maxsize=1)
def code_commit() -> str | None:
    """The git commit the code was run from where the package is a git checkout (an editable
    install), '+modified' where a file `code_version` hashes differs from it; None for an installed
    package. The hash names the code; this says where to find it (a hash of uncommitted edits
    names code no commit holds)."""
    import subprocess
    from importlib.util import find_spec

    spec = find_spec("covsim.simulator")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(list(spec.submodule_search_locations)[0]).parent.resolve()

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")  # the package's own checkout, not one it is installed inside
    if top is None or Path(top).resolve() != root:
        return None
    # the files code_version hashes: a data file or a stray note beside the code is not the code
    head = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--", *(f":(glob){part}/**/*.py" for part in CODE_PACKAGES))
    if head is None or status is None:
        return None
    return head + ("+modified" if status else "")


#: The libraries whose versions can move a run's numbers: the draws (numpy), the compiled kernel
#: (numba), the fits and solve's optimiser (scipy), the tables (pandas, xarray).
LIBRARIES = ("numpy", "numba", "scipy", "pandas", "xarray")


@lru_cache(maxsize=1)
def environment() -> dict:
    """Python's and those libraries' versions, as this process runs them."""
    import platform

    out = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def params_hash(params: xr.Dataset) -> str:
    digest = hashlib.sha256()
    for name in sorted(params.data_vars):
        if not np.issubdtype(params[name].dtype, np.number):
            continue
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(params[name].values, dtype=np.float64).tobytes())
    return digest.hexdigest()[:16]


def provenance(scenario: Scenario, params: xr.Dataset, params_source: str, seed: int, noise_from: int,
               band_labels: tuple[str, ...], params_digest: str | None = None, known: date | None = None,
               **scheme_fields) -> dict:
    """The attributes a run carries; `scheme_fields` (after the region) are the scheme's own; `known`:
    an as-of run's knowledge day (its policy's `decided_by`)."""
    out = dict(
        scenario=scenario.name,
        scenario_hash=scenario.hash,
        scenario_definition=json.dumps(scenario.resolved(), sort_keys=True),
        region=scenario.region,
        **scheme_fields,
        data_hash=tables.data_hash(),
        # the user's own files the data hash covers: which of them a colleague needs to rerun it
        user_data=json.dumps(tables.user_data_files()),
        data_dir=tables.data_override() or "",  # COVSIM_DATA_DIR's folder, where the tables were not the shipped
        code_version=code_version(),
        code_commit=code_commit() or "",
        environment=json.dumps(environment()),
        seed=int(seed),
        draws=int(params.sizes["draw"]),
        parameters=str(params_source),
        parameters_hash=params_digest or params_hash(params),
        noise_from=int(noise_from),
        age_bands=",".join(band_labels),
        assumptions=json.dumps(scenario.assumptions(), ensure_ascii=False),
        # the data rows no source here confirms that this run reads (schemes/unverified.py)
        unverified_data=json.dumps(unverified.rows_for(scenario, known), ensure_ascii=False),
        # as of a day: the later figures standing in where none of their series was known then
        **({"stand_ins": json.dumps(unverified.stand_ins_for(scenario, known), ensure_ascii=False)} if known else {}),
        idle=json.dumps(scenario.idle(), ensure_ascii=False),  # reform paths this scheme does not read
        # the boundaries each year is reported in (the 1 July 2025 change, once decided), whatever the scheme
        boundaries=json.dumps(boundaries(scenario.region, scenario.years, known), ensure_ascii=False),
        **calibration_attrs(params_source),
    )
    if params.attrs.get("unconverged"):  # draws of a fit written with --allow-unconverged
        out["unconverged"] = str(params.attrs["unconverged"])
    if params.attrs.get("learned"):  # what the fit's figures taught it (calibration/learned.py)
        out["learned"] = str(params.attrs["learned"])
    if params.attrs.get("unit_figures"):  # a 2025 unit's own figures its draws were weighed on
        out["unit_figures"] = str(params.attrs["unit_figures"])
    return out


def analysis_record(scenario: Scenario, params: xr.Dataset, seed: int, assumptions: list[str] = ()) -> dict:
    """What reproduces an analysis made of many runs of one scenario (`solve`, `sensitivity`), in
    `record`'s shape: scenario, data, code, seed, the parameter draws, every assumed number."""
    from . import scheme  # (the registry imports the schemes, which import this module)

    entry = scheme(scenario.scheme)
    learned = params.attrs.get(entry.learned_attr)
    learned = learned_without(learned, entry.unread) if learned and entry.unread else learned
    return {"scenario": scenario.name, "scenario_hash": scenario.hash,
            "scenario_definition": scenario.resolved(), "region": scenario.region,
            "scheme": scenario.scheme, "data_hash": tables.data_hash(), "user_data": tables.user_data_files(),
            "data_dir": tables.data_override(),
            "code_version": code_version(), "code_commit": code_commit(), "environment": environment(),
            "seed": int(seed), "draws": int(params.sizes["draw"]),
            "parameters": str(params.attrs.get(entry.source_attr) or params.attrs.get("source", "given")),
            "parameters_hash": params_hash(params),
            "assumptions": list(dict.fromkeys([*scenario.assumptions(), *assumptions])),
            # what every run of it holds fixed (assumed, not fitted), as its runs list it
            "fixed": list(entry.fixed_for(list(run_members(scenario.region)) or [scenario.region], scenario.end)),
            "unverified_data": unverified.rows_for(scenario),
            **({"learned": json.loads(learned)} if learned else {}),
            **({"unconverged": str(params.attrs["unconverged"])} if params.attrs.get("unconverged") else {}),
            **({"unit_figures": json.loads(params.attrs["unit_figures"])} if params.attrs.get("unit_figures") else {})}


def learned_without(text: str, names) -> str:
    """A fit's record of what its figures taught (calibration/learned.py) without the parameters
    `names`: those a scheme sharing the fit never reads."""
    rec = json.loads(text)
    rec["contraction"] = {k: v for k, v in rec.get("contraction", {}).items() if k not in names}
    for key in ("mostly_prior", "held"):
        rec[key] = [k for k in rec.get(key, []) if k not in names]
    return json.dumps(rec, ensure_ascii=False)


RECORD_KEYS = ("scenario", "scenario_hash", "region", "scheme", "data_hash", "code_version", "seed", "draws",
               "parameters", "parameters_hash", "calibrated", "noise_from", "former_provinces")


def record(attrs) -> dict:
    """A run's provenance as one JSON object, for the `--json` outputs built on it: scenario, data,
    code and seed (what reproduces it), the parameters used and every assumed number, from the
    attributes `provenance` gave the run."""
    out = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in attrs.items() if k in RECORD_KEYS}
    if attrs.get("scenario_definition"):  # what the scenario ran, whatever its file says later
        out["scenario_definition"] = json.loads(attrs["scenario_definition"])
    out["assumptions"] = json.loads(attrs.get("assumptions") or "[]")
    out["user_data"] = json.loads(attrs.get("user_data") or "[]")  # the user's files the data hash covers
    out["data_dir"] = attrs.get("data_dir") or None  # COVSIM_DATA_DIR's folder, null for the shipped tables
    out["code_commit"] = attrs.get("code_commit") or None  # where the code is, where it is a git checkout
    if attrs.get("environment"):  # the libraries' versions the numbers came from
        out["environment"] = json.loads(attrs["environment"])
    out["fixed"] = json.loads(attrs.get("fixed") or "[]")  # what the model holds fixed (assumed, not fitted)
    out["supersedes"] = json.loads(attrs.get("supersedes") or "[]")  # later changes in force the reform replaces
    out["capped"] = json.loads(attrs.get("capped") or "[]")  # local top-ups that count for less than they say
    out["below_national"] = json.loads(attrs.get("below_national") or "[]")  # shares under the national one
    out["idle"] = json.loads(attrs.get("idle") or "[]")  # the reform's paths this run's scheme does not read
    out["unverified_data"] = json.loads(attrs.get("unverified_data") or "[]")  # data rows no source confirms
    if "stand_ins" in attrs:  # an as-of run: figures of later years it read, none of their series known then
        out["stand_ins"] = json.loads(attrs["stand_ins"] or "[]")
    if attrs.get("unconverged"):
        out["unconverged"] = str(attrs["unconverged"])
    if attrs.get("learned"):  # the fitted parameters still mostly their priors, and every contraction
        out["learned"] = json.loads(attrs["learned"])
    if attrs.get("calibration_note"):  # draws on the priors, wholly or partly, or weighed from such draws
        out["calibration_note"] = str(attrs["calibration_note"])
    if attrs.get("unit_figures"):  # the unit's own figures (`covsim region observe`) its draws were weighed on
        out["unit_figures"] = json.loads(attrs["unit_figures"])
    return out


#: How a 2025 unit's draws (calibration/shipped.merged_draws) say that only some former provinces'
#: own parameters are on their priors, the shared ones from the seat's fit (a former province run
#: alone carries its unit's source inside its own).
PARTLY = "; the shared parameters from "
#: How a unit's weighed draws (calibration/shipped.weighed_draws) name the draws they were weighed
#: from: their source follows it (a source starting 'prior' where those were partly on the priors).
WEIGHED_BEFORE = "; before: "


def calibration_attrs(params_source: str) -> dict:
    """Whether a run's parameters are a calibrated posterior: never silently on the priors, nor
    said to be wholly on them where only some former provinces' own offsets are (a 2025 unit whose
    seat is fitted, or one of its former provinces run alone)."""
    source = str(params_source)
    calibrated = source.startswith("posterior")
    if source.startswith("prior") and PARTLY in source:
        note = ("this run is partly on the priors: the former provinces without a fit of their own take their own "
                "parameters (their offsets) from the priors, the shared ones from a calibrated posterior "
                "(parameters says which)")
    elif source.startswith("prior"):
        note = "this run samples the priors, not a calibrated posterior"
    elif calibrated and WEIGHED_BEFORE + "prior" in source:
        # a unit weighed on its own figures (`covsim region observe`) is calibrated to them, from draws
        # that were partly on the priors: the weighing taught what its figures could, no more
        note = ("these draws were weighed on the unit's own figures from draws partly on the priors: the former "
                "provinces without a fit of their own took their own parameters (their offsets) from the priors "
                "before the weighing (parameters says which)")
    else:
        note = ""
    return dict(calibrated=int(calibrated), calibration_note=note)
