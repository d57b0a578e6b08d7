"""The cohort step: one year of ageing, deaths, births, migration, group moves and enrolment.

One fused pass over the state (numba), so a year costs about as much memory traffic as reading
and writing the state once. No randomness here: every probability arrives as an input.

Memory layout: the draw is the innermost axis, X[region, sex, age, group, k, draw] with k = 0
uninsured, 1 insured (persons), so the same arithmetic runs over contiguous draws and vectorises;
every draw is computed on its own, in the same order, whatever block or thread it falls in.
Beside the state sit the women by age, women[region, age, draw], which next year's births need.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

BLOCK = 256  # the fewest draws worth a thread of their own


def block_width(draws: int, threads: int) -> int:
    """Draws per block: one block per thread (wider blocks vectorise better, so fewer is faster),
    but no block under BLOCK draws unless the run is smaller (a dashboard's 200 draws is one block:
    split in two, it ran slower). The numbers do not depend on it: each draw is computed on its own."""
    blocks = max(1, min(threads, draws // BLOCK))
    return max(1, -(-draws // blocks))


@njit(cache=True, nogil=True, error_model="numpy")
def _advance_block(X, Y, women, women_next, d0, d1, q, fert, mig, male_birth, target, active, join, lapse,
                   band_of_age, newborn_group, pop_out, ins_out, flows, pop_age, ins_age, by_age):
    R, S, A, G = X.shape[0], X.shape[1], X.shape[2], X.shape[3]
    W = d1 - d0
    n = np.empty((G, W))
    ins = np.empty((G, W))
    want = np.empty((G, W))
    births = np.empty(W)
    deaths = np.empty(W)
    moved = np.empty(W)
    total = np.empty(W)
    pool_n = np.empty(W)
    pool_i = np.empty(W)
    deficit = np.empty(W)
    for r in range(R):
        births[:] = 0.0
        deaths[:] = 0.0
        moved[:] = 0.0
        for a in range(A):
            f = fert[r, a]
            for j in range(W):
                births[j] += f * women[r, a, d0 + j]
                women_next[r, a, d0 + j] = 0.0
        for s in range(S):
            for a in range(A):
                # Ageing with survival: age a now holds last year's age a-1 (the open age keeps its
                # own survivors too); newborns enter age 0 in the under-6 group.
                if a == 0:
                    share = male_birth[r] if s == 0 else 1.0 - male_birth[r]
                    n[:, :] = 0.0
                    ins[:, :] = 0.0
                    for j in range(W):
                        n[newborn_group, j] = births[j] * share
                elif a < A - 1:
                    # Below the open age, ageing and net migration (below) in one pass per group:
                    # the same operations in the same order as the two passes, one fewer sweep.
                    qa = q[r, s, a - 1]
                    m = mig[r, s, a]
                    total[:] = 0.0
                    for g in range(G):
                        if not active[r, s, a, g]:
                            n[g, :] = 0.0
                            ins[g, :] = 0.0
                            continue
                        for j in range(W):
                            u0 = X[r, s, a - 1, g, 0, d0 + j]
                            i0 = X[r, s, a - 1, g, 1, d0 + j]
                            deaths[j] += (u0 + i0) * qa
                            nn = (u0 + i0) * (1.0 - qa)
                            moved[j] += nn * m
                            nn *= 1.0 + m
                            n[g, j] = nn
                            ins[g, j] = i0 * (1.0 - qa) * (1.0 + m)
                            total[j] += nn
                else:
                    qa = q[r, s, a - 1]
                    for g in range(G):
                        if not active[r, s, a, g]:
                            n[g, :] = 0.0
                            ins[g, :] = 0.0
                            continue
                        for j in range(W):
                            u0 = X[r, s, a - 1, g, 0, d0 + j]
                            i0 = X[r, s, a - 1, g, 1, d0 + j]
                            deaths[j] += (u0 + i0) * qa
                            n[g, j] = (u0 + i0) * (1.0 - qa)
                            ins[g, j] = i0 * (1.0 - qa)
                    qo = q[r, s, a]  # the open age keeps its own survivors too
                    for g in range(G):
                        if not active[r, s, a, g]:
                            continue
                        for j in range(W):
                            u0 = X[r, s, a, g, 0, d0 + j]
                            i0 = X[r, s, a, g, 1, d0 + j]
                            deaths[j] += (u0 + i0) * qo
                            n[g, j] += (u0 + i0) * (1.0 - qo)
                            ins[g, j] += i0 * (1.0 - qo)
                if a == 0 or a == A - 1:
                    # Net migration in proportion to those present (movers keep their status).
                    m = mig[r, s, a]
                    total[:] = 0.0
                    for g in range(G):
                        if not active[r, s, a, g]:
                            continue
                        for j in range(W):
                            moved[j] += n[g, j] * m
                            n[g, j] *= 1.0 + m
                            ins[g, j] *= 1.0 + m
                            total[j] += n[g, j]
                # Group moves: groups above their share release people into a pool, carrying
                # their own insured fraction; groups below take from the pool at its fraction.
                pool_n[:] = 0.0
                pool_i[:] = 0.0
                deficit[:] = 0.0
                for g in range(G):
                    if not active[r, s, a, g]:
                        continue
                    t = target[r, s, a, g]
                    for j in range(W):
                        w = total[j] * t
                        want[g, j] = w
                        nn = n[g, j]
                        excess = max(nn - w, 0.0)
                        # A group that empties takes all its insured with it: excess * ins / nn would
                        # leave a rounding residue of ±1e-11 insured among 0 people.
                        leaving = ins[g, j] if excess >= nn else excess * ins[g, j] / max(nn, 1e-300)
                        pool_n[j] += excess
                        pool_i[j] += leaving
                        n[g, j] = nn - excess
                        ins[g, j] -= leaving
                        deficit[j] += max(w - nn, 0.0)
                for j in range(W):
                    pool_i[j] = pool_i[j] / max(pool_n[j], 1e-300)  # the pool's insured fraction
                    pool_n[j] = pool_n[j] / max(deficit[j], 1e-300)  # pool per person short
                b = band_of_age[a]
                for g in range(G):
                    if not active[r, s, a, g]:
                        for j in range(W):
                            Y[r, s, a, g, 0, d0 + j] = 0.0
                            Y[r, s, a, g, 1, d0 + j] = 0.0
                        continue
                    for j in range(W):
                        take = pool_n[j] * max(want[g, j] - n[g, j], 0.0)
                        nn = n[g, j] + take
                        ii = ins[g, j] + take * pool_i[j]
                        # Enrolment: the insured lapse, the uninsured join.
                        i1 = ii * (1.0 - lapse[r, b, g, d0 + j]) + (nn - ii) * join[r, b, g, d0 + j]
                        Y[r, s, a, g, 0, d0 + j] = nn - i1
                        Y[r, s, a, g, 1, d0 + j] = i1
                        pop_out[r, g, d0 + j] += nn
                        ins_out[r, g, d0 + j] += i1
                        if s == 1:
                            women_next[r, a, d0 + j] += nn
                        if by_age:
                            pop_age[r, a, g, d0 + j] += nn
                            ins_age[r, a, g, d0 + j] += i1
        for j in range(W):
            flows[r, 0, d0 + j] = births[j]
            flows[r, 1, d0 + j] = deaths[j]
            flows[r, 2, d0 + j] = moved[j]


@njit(cache=True, nogil=True, error_model="numpy")
def _reset(X, pop_out, ins_out, pop_age, ins_age, by_age):
    """Zero the year's group totals before the blocks accumulate into them; the number of draws."""
    pop_out[:] = 0.0
    ins_out[:] = 0.0
    if by_age:
        pop_age[:] = 0.0
        ins_age[:] = 0.0
    return X.shape[-1]


@njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def advance(X, Y, women, women_next, q, fert, mig, male_birth, target, active, join, lapse, band_of_age,
            newborn_group, pop_out, ins_out, flows, pop_age, ins_age, by_age, block=BLOCK):
    """Advance every draw one year from X into Y; group totals accumulate into the outputs.

    `active[region, sex, age, group]` marks the cells that can hold anyone this year (a share
    this year, or people arriving from last year's age below); the rest are written as empty.
    """
    D = _reset(X, pop_out, ins_out, pop_age, ins_age, by_age)
    for blk in prange((D + block - 1) // block):
        _advance_block(X, Y, women, women_next, blk * block, min(D, blk * block + block), q, fert, mig, male_birth,
                       target, active, join, lapse, band_of_age, newborn_group, pop_out, ins_out, flows, pop_age,
                       ins_age, by_age)


@njit(cache=True, nogil=True, error_model="numpy")
def advance_serial(X, Y, women, women_next, q, fert, mig, male_birth, target, active, join, lapse,
                   band_of_age, newborn_group, pop_out, ins_out, flows, pop_age, ins_age, by_age, block=BLOCK):
    """As `advance`, on one thread: the same blocks in order, the same numbers."""
    D = _reset(X, pop_out, ins_out, pop_age, ins_age, by_age)
    for blk in range((D + block - 1) // block):  # as `advance`'s loop, serial
        _advance_block(X, Y, women, women_next, blk * block, min(D, blk * block + block), q, fert, mig, male_birth,
                       target, active, join, lapse, band_of_age, newborn_group, pop_out, ins_out, flows, pop_age,
                       ins_age, by_age)


@njit(cache=True, nogil=True, error_model="numpy")
def _first_same_band(age_shift, b, g):
    """The first band up to b with band b's age shift in group g: bands that share a shift share
    their probabilities, bit for bit, so each is computed once (most groups have no age shift)."""
    for b2 in range(b):
        if age_shift[b2, g] == age_shift[b, g]:
            return b2
    return b


@njit(cache=True, nogil=True, error_model="numpy")
def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


@njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def enrolment(join_base, lapse_base, common, drive, age_shift, sensitivity, price, lapse_price,
              lapse_outreach, join_out, lapse_out, skip_group, skip_years):
    """Yearly join and lapse probabilities over (year, region, band, group, draw).

    `price` is the net premium over (year, region, group, draw): a sensitivity analysis gives each
    draw its own policy.

    `drive` is over (year, group, draw): the laws' drives, which act on some groups only (Law
    46/2014's on the voluntary groups, Law 25/2008's roadmap group by group).

    Each is logistic in its log-odds (base + region offset + outreach + the group's drive
    + an age shift - sensitivity x net price); the two compete over the year:
    the chance of any move is 1 - (1 - join)(1 - lapse), shared between them in proportion, so
    their sum stays below one and enrolment settles at join / (join + lapse) without overshooting.

    Lapse has no age shift, so it is computed once for every band; group `skip_group` is left
    unwritten in the years `skip_years` marks (`enrolment_mix` writes it there).
    """
    T, R, B, G, D = join_out.shape
    for t in prange(T):
        c = np.empty(D)
        pl = np.empty(D)
        for r in range(R):
            for g in range(G):
                if g == skip_group and skip_years[t]:
                    continue
                for d in range(D):
                    c[d] = common[t, r, d] + drive[t, g, d]
                    pl[d] = _logistic(lapse_base[g, d] - lapse_outreach * c[d]
                                      + lapse_price * sensitivity[d] * price[t, r, g, d])
                for b in range(B):
                    same = _first_same_band(age_shift, b, g)
                    if same < b:
                        join_out[t, r, b, g, :] = join_out[t, r, same, g, :]
                        lapse_out[t, r, b, g, :] = lapse_out[t, r, same, g, :]
                        continue
                    shift = age_shift[b, g]
                    for d in range(D):
                        pj = _logistic(join_base[g, d] + c[d] + shift - sensitivity[d] * price[t, r, g, d])
                        moved = 1.0 - (1.0 - pj) * (1.0 - pl[d])
                        join_out[t, r, b, g, d] = moved * pj / (pj + pl[d])
                        lapse_out[t, r, b, g, d] = moved * pl[d] / (pj + pl[d])


@njit(cache=True, nogil=True, parallel=True, error_model="numpy")
def enrolment_mix(join_base, lapse_base, common, drive, age_shift, sensitivity, price, lapse_price,
                  lapse_outreach, g, years, weights, scale, join_out, lapse_out):
    """Group g's join and lapse in `years` (indices) as the mix, weighted by `weights`, of
    `enrolment`'s probabilities at each price scale (`scale[size, year]` times the price): a
    household of each size decides as one at its own premium per member. Written into group g of
    `join_out`/`lapse_out`; the same arithmetic as `enrolment` size by size, summed in size
    order from zero."""
    T, R, B, G, D = join_out.shape
    K = weights.size
    for i in prange(years.size):
        t = years[i]
        c = np.empty(D)
        pr = np.empty((K, D))
        pl = np.empty((K, D))
        for r in range(R):
            for d in range(D):
                c[d] = common[t, r, d] + drive[t, g, d]
            for k in range(K):
                for d in range(D):
                    pr[k, d] = price[t, r, g, d] * scale[k, t]
                    pl[k, d] = _logistic(lapse_base[g, d] - lapse_outreach * c[d]
                                         + lapse_price * sensitivity[d] * pr[k, d])
            for b in range(B):
                same = _first_same_band(age_shift, b, g)
                if same < b:
                    join_out[t, r, b, g, :] = join_out[t, r, same, g, :]
                    lapse_out[t, r, b, g, :] = lapse_out[t, r, same, g, :]
                    continue
                shift = age_shift[b, g]
                join_out[t, r, b, g, :] = 0.0
                lapse_out[t, r, b, g, :] = 0.0
                for k in range(K):
                    w = weights[k]
                    for d in range(D):
                        pj = _logistic(join_base[g, d] + c[d] + shift - sensitivity[d] * pr[k, d])
                        moved = 1.0 - (1.0 - pj) * (1.0 - pl[k, d])
                        join_out[t, r, b, g, d] += w * (moved * pj / (pj + pl[k, d]))
                        lapse_out[t, r, b, g, d] += w * (moved * pl[k, d] / (pj + pl[k, d]))
