"""The package's layers, as pyproject.toml's import-linter contracts declare them: cli above
dashboard above calibration above simulator; inside the simulator inputs below schemes below
analysis; no import cycle between sibling modules anywhere."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_import_contracts_hold(capsys):
    from importlinter.cli import lint_imports

    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "4 kept, 0 broken" in out


def test_no_dead_code():
    """Vulture finds nothing unused in the package, its tests, benchmarks and docs scripts (Dash
    callbacks are used by their decorator; tests/vulture_whitelist.py names what libraries read)."""
    import vulture

    finder = vulture.Vulture(ignore_decorators=["@app.callback", "@app.clientside_callback", "@*.callback"])
    finder.scavenge([str(ROOT / d) for d in ("simulator", "calibration", "cli", "dashboard", "tests",
                                             "benchmarks", "docs")])
    unused = [f"{item.filename}:{item.first_lineno} {item.message}"
              for item in finder.get_unused_code(min_confidence=60)]
    assert not unused, "\n".join(unused)


def test_the_dashboard_contract_covers_every_dashboard_module():
    """The rule that the dashboard reaches the model only through dashboard.compute lists its modules
    by hand: a new module outside the list could import the model and the rule stay kept."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"]
                    if c["name"] == "the dashboard reaches the model only through dashboard.compute")
    modules = {f"covsim.dashboard.{p.stem}" for p in (root / "dashboard").glob("*.py")
               if p.stem not in ("__init__", "compute")}
    assert set(contract["source_modules"]) == modules


def test_the_top_level_is_the_layout_the_brief_fixes():
    """Only the design brief's folders and files are tracked at the top (a helper's scratch output
    was once committed there by accident)."""
    import shutil
    import subprocess

    import pytest

    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    top = {line.split("/")[0] for line in tracked.splitlines() if line}
    allowed = {"simulator", "scenarios", "calibration", "dashboard", "tests", "pyproject.toml", "cli", "README.md",
               "benchmarks", "docs", ".ci", "tools", "LICENSE", ".gitignore"}
    assert top <= allowed, sorted(top - allowed)
