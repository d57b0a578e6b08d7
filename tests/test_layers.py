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
