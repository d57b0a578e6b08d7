"""Fixtures shared by the data tests: a writable copy of the shipped tables and an editor for it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from covsim.simulator.inputs import tables


@pytest.fixture
def copy(tmp_path) -> Path:
    """The shipped data folder copied, to break one row of it (a module may define its own)."""
    folder = tmp_path / "data"
    shutil.copytree(tables.data_dir(), folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}: the fixture no longer matches the shipped table"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def asked(monkeypatch):
    """`asked(owner, name)`: the set of parameters (each call's second argument: a policy's own, a
    region's) that `owner.name` is asked for from then on, the calls passed through unchanged."""
    def record(owner, name: str) -> set:
        seen: set = set()
        original = getattr(owner, name)

        def recorded(*args, **kwargs):
            seen.add(args[1])
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, recorded)
        return seen

    return record


@pytest.fixture
def edit():
    """Replace the first `old` with `new` in a copied table, failing if the table no longer holds it."""
    return _edit
