"""What every scheme's fit shares: a free parameter with its normal prior, and the log prior.

Each scheme's fit (`health_fit`, `labour_fit`) lists its free parameters and how they become the
engine's parameters; `fit.calibrate` samples any of them the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from covsim.simulator.inputs.regions import NATIONAL  # noqa: F401  (re-exported: the fits use it)


@dataclass(frozen=True)
class Free:
    name: str
    mean: float
    sd: float
    doc: str


class LogPrior:
    """The independent normal priors of `self.frees`, vectorised over walkers."""

    frees: tuple[Free, ...]

    def log_prior(self, theta: np.ndarray) -> np.ndarray:
        means = np.array([f.mean for f in self.frees])
        sds = np.array([f.sd for f in self.frees])
        return -0.5 * (((theta - means) / sds) ** 2).sum(axis=1)
