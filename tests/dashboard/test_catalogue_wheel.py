"""The catalogue ships: the wheel pip builds (as .ci/run installs the package) carries both .po
files beside `covsim/dashboard/catalogue.py`, and that installed module reads its words from them
(no compile step). Builds with pip's build isolation, as an install does (PyPI for setuptools)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_installed_package_finds_its_catalogue(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("covsim-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        for lang in ("vi", "en"):
            assert z.read(f"covsim/dashboard/locale/{lang}.po") == (ROOT / "dashboard/locale" / f"{lang}.po").read_bytes()
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    probe = (f"import sys; sys.path.insert(0, {str(target)!r}); from covsim.dashboard import catalogue as c; "
             "print(c.__file__); print(c.text('plotly', 'Zoom', 'vi')); print(c.text('scenario', 'baseline', 'en', "
             "region='X'))")
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True,
                         cwd=tmp_path).stdout.splitlines()
    assert out[0].startswith(str(target))  # the installed copy, not this checkout
    assert out[1:] == ["Phóng to vùng chọn", "Policy in force — X"]
