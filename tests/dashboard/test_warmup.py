"""Background warm-up never makes a user's request wait: it runs in a process of its own that takes
no lock a request needs, and it waits while a request is served. Deterministic: the warm-up's
build blocks on an event the test holds, no timing."""
from __future__ import annotations

import multiprocessing
import os
import threading
from collections import OrderedDict

import pytest

from covsim.dashboard import cache, callbacks, compute, warmup

DRAWS, SEED = 20, 0
GUARD = 120  # seconds: only against a hang, never a measure


@pytest.fixture
def shared(tmp_path, monkeypatch):
    """A shared cache of this test's own, as the server sets up for its jobs, and no kept runs."""
    monkeypatch.setattr(cache, "_KEPT", OrderedDict())
    monkeypatch.setattr(cache, "_SHARED", cache.open_cache(str(tmp_path / "runs")))
    monkeypatch.setattr(cache, "_OWNER", os.getpid())
    monkeypatch.setattr(warmup, "POLL", 0.05)
    return cache._SHARED


@pytest.fixture
def blocking(monkeypatch):
    """The warm-up's builds (in its own process) block until `release`; the test's own are real."""
    ctx = multiprocessing.get_context("fork")
    started, release, parent, real = ctx.Event(), ctx.Event(), os.getpid(), compute._new_variants

    def build(name, draws, seed):
        if os.getpid() == parent:
            return real(name, draws, seed)
        started.set()
        release.wait(GUARD)
        return f"warm {name}"

    monkeypatch.setattr(compute, "_new_variants", build)
    return started, release


def _served(call):
    """`call()` on a thread; its result, or a failure if it is still waiting after GUARD."""
    out = []
    worker = threading.Thread(target=lambda: out.append(call()), daemon=True)
    worker.start()
    worker.join(GUARD)
    assert out, "the request waited behind the warm-up"
    return out[0]


def test_a_request_is_served_while_the_warm_up_is_building_the_same_region(shared, blocking):
    started, release = blocking
    worker = warmup.start(["lai_chau"], DRAWS, SEED)
    try:
        assert started.wait(GUARD), "the warm-up never started"
        req = {"id": "r1", "scenario": "lai_chau", "scheme": "bhyt", "levers": {}, "start": 2025, "target": 95,
               "year": 2030, "compare": None}
        out = _served(lambda: callbacks.compute_request(req, DRAWS, SEED))
        assert "error" not in out, out
        assert out["region"] == "lai_chau" and 0 <= out["report"]["probability"] <= 1
        assert worker.is_alive() and not release.is_set()  # the warm-up is still mid-build
        assert cache.run_lock().acquire(blocking=False)  # and holds no lock of the server's
        cache.run_lock().release()
    finally:
        release.set()
        worker.join(GUARD)
    assert worker.exitcode == 0
    assert cache.load_shared(("variants",) + compute.kept_key("lai_chau", DRAWS, SEED)) == "warm lai_chau"


def test_the_warm_up_waits_while_a_request_is_served(shared, blocking):
    started, release = blocking
    yielding = multiprocessing.get_context("fork").Event()
    with cache.serving():
        worker = warmup.start(["lai_chau"], DRAWS, SEED, yielding=yielding)
        try:
            assert yielding.wait(GUARD), "the warm-up did not see the request"
            assert not started.is_set()  # nothing built while the request is served
        except BaseException:
            release.set()
            worker.join(GUARD)
            raise
    try:
        assert started.wait(GUARD), "the warm-up did not resume after the request"
    finally:
        release.set()
        worker.join(GUARD)
    assert worker.exitcode == 0
    assert not cache.requests_pending()


def test_a_dead_process_mark_does_not_hold_the_warm_up(shared):
    """A job Dash stopped mid-request leaves its mark: a dead process's mark is dropped."""
    proc = multiprocessing.get_context("fork").Process(target=lambda: None)
    proc.start()
    proc.join()
    shared.set(("serving", proc.pid, 0), 1)
    assert not cache.requests_pending()
    assert ("serving", proc.pid, 0) not in shared
    shared.set(("serving", os.getpid(), 1), 1)  # a live one holds it
    assert cache.requests_pending()


def test_warmed_ahead_the_default_region_and_the_calibrated_ones():
    warmed = compute.warmed_regions()
    assert warmed[0] == compute.REGIONS[0]
    assert set(warmed) <= set(compute.REGIONS)
    assert "lai_chau" in warmed  # it has its own posterior
    assert not any(r.endswith("_2025") for r in warmed)  # sums of former provinces: on request


def test_a_result_the_shared_cache_kept_from_other_code_is_not_served(shared, monkeypatch):
    """A cache folder kept for hours across an upgrade: the new code's server misses the old code's
    fits and runs (they are keyed by the code's version too) and makes its own."""
    from covsim.simulator.schemes.provenance import code_version

    assert cache._CODE == [code_version()]  # set as the dashboard's compute layer loads
    key = ("as_of_fit", "vinh_long", 2017, "None", DRAWS, SEED, "data")
    cache.publish(key, "made by this code")
    assert cache.is_shared(key) and cache.load_shared(key) == "made by this code"
    monkeypatch.setattr(cache, "_CODE", ["0.1.0+an_upgrade"])
    assert not cache.is_shared(key) and cache.load_shared(key) is None
    assert cache.shared(key, lambda: "made by the upgrade") == "made by the upgrade"
