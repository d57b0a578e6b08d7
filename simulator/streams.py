"""Random streams keyed by (seed, component name, draw index).

Draw i of a component gets the same numbers whatever chunk, scheduler or scenario it runs in, so
scenarios share their draws (common random numbers) and a batch split over workers reproduces a
single run bit for bit. A component's stream is seeded from its name, as Starsim does.
"""
from __future__ import annotations

import zlib

import numpy as np

BLOCK = 64  # draws generated together; a block's numbers never depend on which draws are asked


def _component(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def _by_block(seed: int, name: str, draws: np.ndarray, shape: tuple, block_of) -> np.ndarray:
    """(len(draws), *shape): each draw's numbers from its block's generator, `block_of(rng)` giving
    the block's (BLOCK, *shape) numbers."""
    draws = np.asarray(draws, dtype=np.int64)
    out = np.empty((draws.size, *shape))
    if out.size == 0:
        return out
    key = _component(name)
    blocks = draws // BLOCK
    for b in np.unique(blocks):
        block = block_of(np.random.default_rng([int(seed), key, int(b)]))
        mask = blocks == b
        out[mask] = block[draws[mask] % BLOCK]
    return out


def normal(seed: int, name: str, draws: np.ndarray, shape: tuple = ()) -> np.ndarray:
    """Standard normal numbers of `shape` for each draw index in `draws`: (len(draws), *shape)."""
    return _by_block(seed, name, draws, shape, lambda rng: rng.standard_normal((BLOCK, *shape)))


def normal_path(seed: int, name: str, draws: np.ndarray, steps: int) -> np.ndarray:
    """Standard normal numbers along a path of `steps` years for each draw index: (len(draws), steps).

    A step's numbers do not depend on how many steps follow it (a block is generated step by step,
    each step for all of its draws), so a forecast to 2025 and one to 2030 share their years, and a
    backtest's first years do not move with its horizon."""
    return _by_block(seed, name, draws, (steps,), lambda rng: rng.standard_normal((steps, BLOCK)).T)


def generator(seed: int, name: str) -> np.random.Generator:
    """A component's own generator for numbers not tied to a draw index (a resampling's picks)."""
    return np.random.default_rng([int(seed), _component(name)])
