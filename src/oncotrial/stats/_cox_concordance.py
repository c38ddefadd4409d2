"""Harrell's concordance of a Cox model, with R's infinitesimal-jackknife standard error.

Private helper of :func:`oncotrial.stats.cox_ph`; reproduces ``fit$concordance`` of R
``coxph`` (``concordancefit(y, lp, strata, reverse=TRUE, timewt="n")``, survival 3.x) [1]_ [2]_.

Rules
-----
A pair (i, j) in the same stratum is *comparable* when the shorter time ends in an event:
``t_i < t_j`` with ``event_i``, or ``t_i == t_j`` with ``event_i`` and ``j`` censored (the
censored subject is taken to live longer). Two events at one time are ``tied.y`` (``tied.xy``
when their linear predictors are also equal) and are not comparable. A comparable pair is
concordant when the earlier event has the larger linear predictor (higher risk), discordant
when it has the smaller one and ``tied.x`` when both are equal (exact float equality, as R's
``match``). With C, D, T those counts and N = C + D + T,

.. math::  \\hat c = (C + T/2) / N, \\qquad \\text{Somers' } d = (C - D)/N.

The standard error is R's infinitesimal jackknife: with :math:`C_k, D_k, T_k` the numbers of
pairs of each kind that involve subject k,
:math:`\\partial d/\\partial w_k = (C_k - D_k)/N - d\\,(C_k + D_k + T_k)/N` and
:math:`\\widehat{\\mathrm{se}}(\\hat c) = \\tfrac12 \\sqrt{\\sum_k (\\partial d/\\partial w_k)^2}`.

Counting is :math:`O(n \\log n)` and loop-free over subjects: a wavelet-tree sweep over the
bits of the ranks of the linear predictor (see :func:`_pair_counts`).

References
----------
.. [1] Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA (1982). Evaluating the yield of
       medical tests. JAMA 247:2543-2546.
.. [2] Therneau TM, Watson E (2017). The concordance statistic and the Cox model. Vignette
       "concordance" of R package survival.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class ConcordanceCounts:
    """Pair counts and per-subject influence counts (internal)."""

    concordant: float
    discordant: float
    tied_x: float
    tied_y: float
    tied_xy: float
    influence: np.ndarray  # (n, 3): concordant, discordant, tied.x pairs involving each subject


def _pair_counts(v: np.ndarray, wl: np.ndarray) -> tuple[np.ndarray, ...]:
    """For positions i < j of non-negative integer values ``v``, return per position

    ``below_after[i] = #{j > i: v_j < v_i}``, ``equal_after[i] = #{j > i: v_j == v_i}``,
    ``above_before[j] = sum_{i < j, v_i > v_j} wl_i``, ``equal_before[j] = sum_{i<j, v_i==v_j} wl_i``.

    A wavelet-tree sweep: one pass per bit of ``v`` (most significant first) stably partitions
    every segment of equal higher bits by the current bit; an element with bit 1 is larger than
    every bit-0 element of its segment, so prefix sums of the bits give the counts. All counts
    are exact integers held in float64 (exact below 2**53).

    Examples
    --------
    >>> [a.tolist() for a in _pair_counts(np.array([2, 0, 1, 2]), np.ones(4))]
    [[2.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
    """
    n = len(v)
    # every array below is indexed by the current slot; all are permuted together per level
    below = np.zeros(n)
    above = np.zeros(n)
    idx = np.arange(n)                  # original position of the element in each slot
    cv = v.astype(np.int64)
    cw = np.asarray(wl, dtype=float)
    pos = np.arange(n)
    seg_start = np.zeros(n, np.int64)
    seg_end = np.full(n, n, np.int64)
    p0 = np.zeros(n + 1, np.int64)
    pw1 = np.zeros(n + 1)
    nbits = int(cv.max()).bit_length() if n else 0
    for b in range(nbits - 1, -1, -1):
        one = ((cv >> b) & 1).astype(bool)
        np.cumsum(~one, out=p0[1:])                       # zeros before each slot
        np.cumsum(cw * one, out=pw1[1:])                  # weighted ones before each slot
        p0_start = p0[seg_start]
        p0_end = p0[seg_end]
        zeros_before = p0[:-1] - p0_start
        below += np.where(one, p0_end - p0[1:], 0)       # bit-0 (smaller) elements after
        above += np.where(one, 0.0, pw1[:-1] - pw1[seg_start])  # bit-1 (larger) before
        split = seg_start + (p0_end - p0_start)
        newpos = np.where(one, split + (pos - seg_start) - zeros_before, seg_start + zeros_before)
        order = np.empty(n, np.int64)
        order[newpos] = pos
        one_o = one[order]
        split_o = split[order]
        seg_start = np.where(one_o, split_o, seg_start[order])
        seg_end = np.where(one_o, seg_end[order], split_o)
        idx, cv, cw = idx[order], cv[order], cw[order]
        below, above = below[order], above[order]
    pw = np.zeros(n + 1)
    np.cumsum(cw, out=pw[1:])
    below_after = np.empty(n)
    above_before = np.empty(n)
    equal_after = np.empty(n)
    equal_before = np.empty(n)
    below_after[idx] = below
    above_before[idx] = above
    equal_after[idx] = seg_end - pos - 1
    equal_before[idx] = pw[:-1] - pw[seg_start]
    return below_after, equal_after, above_before, equal_before


def concordance_counts(time: np.ndarray, event: np.ndarray, lp: np.ndarray) -> ConcordanceCounts:
    """Concordance pair counts of one stratum (reverse orientation: high ``lp`` = early event).

    Examples
    --------
    >>> c = concordance_counts(np.array([1., 2., 3.]), np.array([True, True, False]),
    ...                        np.array([3., 1., 2.]))
    >>> c.concordant, c.discordant, c.tied_x
    (2.0, 1.0, 0.0)
    """
    n = len(time)
    if n == 0 or not event.any():
        return ConcordanceCounts(0.0, 0.0, 0.0, 0.0, 0.0, np.zeros((n, 3)))
    v = np.unique(lp, return_inverse=True)[1].reshape(-1)
    # time ascending; events before censored at one time; lp ascending inside an event block
    o1 = np.argsort(time)  # order inside equal keys is irrelevant: such rows are exchangeable
    ts = time[o1]
    tgrp = np.concatenate([[0], np.cumsum(ts[1:] != ts[:-1])])
    m = int(v.max()) + 1
    order = o1[np.argsort((tgrp * 2 + ~event[o1]) * m + v[o1])]
    t, e, vv = time[order], event[order], v[order]
    ef = e.astype(float)
    below_a, equal_a, above_b, equal_b = _pair_counts(vv, ef)

    # event blocks (same time, events) and runs of equal lp inside them
    blk_new = np.ones(n, bool)
    blk_new[1:] = (t[1:] != t[:-1]) | (e[1:] != e[:-1])
    blk_id = np.cumsum(blk_new) - 1
    blk_start = np.flatnonzero(blk_new)
    blk_end = np.append(blk_start[1:], n)  # exclusive
    run_new = blk_new.copy()
    run_new[1:] |= vv[1:] != vv[:-1]
    run_start = np.flatnonzero(run_new)
    run_len = np.diff(np.append(run_start, n))
    run_id = np.cumsum(run_new) - 1
    pos = np.arange(n)
    run_before = np.where(e, pos - run_start[run_id], 0)
    run_after = np.where(e, run_start[run_id] + run_len[run_id] - 1 - pos, 0)

    # subject as the earlier (event) member: comparable partners are all rows after its block
    n_later = n - blk_end[blk_id]
    conc_early = np.where(e, below_a, 0.0)
    tied_early = np.where(e, equal_a - run_after, 0.0)
    disc_early = np.where(e, n_later - conc_early - tied_early, 0.0)
    # subject as the later member: partners are earlier events outside its own event block
    events_before = np.cumsum(ef) - ef
    own_block_before = np.where(e, pos - blk_start[blk_id], 0)
    n_earlier = events_before - own_block_before
    conc_late = above_b
    tied_late = equal_b - run_before
    disc_late = n_earlier - conc_late - tied_late

    infl = np.empty((n, 3))
    infl[order, 0] = conc_early + conc_late
    infl[order, 1] = disc_early + disc_late
    infl[order, 2] = tied_early + tied_late
    ev_blocks = blk_start[e[blk_start]]
    m = (blk_end[blk_id[ev_blocks]] - ev_blocks).astype(float)
    tied_y_all = float((m * (m - 1) / 2).sum())
    rl = run_len[e[run_start]].astype(float)
    tied_xy = float((rl * (rl - 1) / 2).sum())
    return ConcordanceCounts(
        float(conc_early.sum()), float(disc_early.sum()), float(tied_early.sum()),
        tied_y_all - tied_xy, tied_xy, infl,
    )


def concordance(time: np.ndarray, event: np.ndarray, lp: np.ndarray,
                strata: np.ndarray | None) -> tuple[ConcordanceCounts, float, float]:
    """Concordance over strata: counts, estimate and infinitesimal-jackknife standard error.

    Examples
    --------
    >>> c, est, se = concordance(np.array([1., 2., 3.]), np.array([True, True, False]),
    ...                          np.array([3., 1., 2.]), None)
    >>> round(float(est), 6)
    0.666667
    """
    n = len(time)
    groups = [np.arange(n)] if strata is None else [
        np.flatnonzero(strata == s) for s in np.unique(strata)]
    infl = np.zeros((n, 3))
    tot = np.zeros(5)
    for idx in groups:
        c = concordance_counts(time[idx], event[idx], lp[idx])
        tot += (c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy)
        infl[idx] = c.influence
    npair = tot[0] + tot[1] + tot[2]
    counts = ConcordanceCounts(*tot.tolist(), influence=infl)
    if npair == 0:
        return counts, float("nan"), float("nan")
    somer = (tot[0] - tot[1]) / npair
    dfbeta = (infl[:, 0] - infl[:, 1]) / npair - (somer / npair) * infl.sum(axis=1)
    return counts, float((somer + 1) / 2), float(np.sqrt((dfbeta**2).sum() / 4))
