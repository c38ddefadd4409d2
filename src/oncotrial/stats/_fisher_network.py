"""Fisher's exact test for r x c tables by a network algorithm (Mehta & Patel 1983, 1986).

Why hand-written: scipy has no r x c Fisher test (``scipy.stats.fisher_exact`` is 2 x 2 only)
and R's FEXACT is Fortran-turned-C with fixed workspaces. This module follows the same
network idea, vectorised with numpy stage by stage.

The network
-----------
Columns are processed one at a time (the stages); a *node* at stage ``k`` is the multiset of
row totals still to be filled (sorted, because every quantity below is invariant to permuting
rows). Filling column ``k`` with ``x`` moves the node ``R`` to ``sort(R - x)`` and multiplies the
path by ``w(x) = prod_i 1 / x_i!``. With ``K = prod r_i! prod c_j! / N!`` a complete path is the
probability of one table, ``P(T) = K prod_j w(x_j)``. Every node carries three exact *futures*
over all its completions (computed backwards over the node graph):

* ``F_tot = N_R! / (prod R_i! prod_{j > k} c_j!)``, the sum of ``prod w`` (closed form);
* ``F_max`` and ``F_min``, the largest and smallest ``prod w`` (longest / shortest path).

A past path with value ``v`` arriving at a node is then settled at once when
``K v F_max <= P_obs e^tol`` (every completion is as or less likely than the observed table:
add ``v F_tot``) or when ``K v F_min > P_obs e^tol`` (none is: drop it). Only the rest is
expanded; past paths that reach the same node with the same value (equal to 1e-9 in log) are
merged and carry a multiplicity, as FEXACT's past-path hash tables do.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import gammaln

from oncotrial._errors import OncotrialValueError

__all__ = ["FEXACT_TOL", "MAX_LIVE", "fisher_rxc_network"]

#: R FEXACT's tolerance on the log scale: tables with ``log P <= log P_obs + FEXACT_TOL`` count.
FEXACT_TOL = 3.45254e-7

#: Largest number of live (node, past value) pairs kept at one stage before giving up.
MAX_LIVE = 2_000_000
#: Largest number of nodes of the network at one stage.
MAX_NODES = 500_000
_MERGE = 1e9  # past values are merged when equal after rounding log values to 1e-9


@lru_cache(maxsize=256)
def _compositions(total: int, parts: int) -> np.ndarray:
    """All vectors of ``parts`` non-negative integers summing to ``total`` (one per row).

    Examples
    --------
    >>> _compositions(2, 2).tolist()
    [[0, 2], [1, 1], [2, 0]]
    """
    if parts == 1:
        return np.array([[total]], dtype=np.int64)
    blocks = [np.column_stack([np.full(len(sub), a), sub])
              for a in range(total + 1) for sub in (_compositions(total - a, parts - 1),)]
    out = np.vstack(blocks)
    out.flags.writeable = False
    return out


def _encode(nodes: np.ndarray, base: int) -> np.ndarray:
    """One int64 key per sorted node row (mixed radix ``base``)."""
    key = nodes[:, -1].astype(np.int64)
    for i in range(nodes.shape[1] - 2, -1, -1):
        key = key * base + nodes[:, i]
    return key


def _sort_rows(a: np.ndarray) -> np.ndarray:
    """Sort each row of a narrow integer matrix (odd-even transposition network, in place).

    For the few columns of a contingency table this is several times faster than
    ``np.sort(axis=1)`` on many short rows.
    """
    r = a.shape[1]
    if r > 8:
        a.sort(axis=1)
        return a
    cols = [a[:, i].copy() for i in range(r)]
    for rnd in range(r):
        for i in range(rnd % 2, r - 1, 2):
            lo = np.minimum(cols[i], cols[i + 1])
            np.maximum(cols[i], cols[i + 1], out=cols[i + 1])
            cols[i] = lo
    return np.column_stack(cols)


@lru_cache(maxsize=256)
def _comp_logw(total: int, parts: int) -> np.ndarray:
    """``-sum_i log x_i!`` for every composition of :func:`_compositions`."""
    out = -gammaln(_compositions(total, parts) + 1.0).sum(axis=1)
    out.flags.writeable = False
    return out


def _build(rows: np.ndarray, cols: np.ndarray, lf: np.ndarray) -> list[dict[str, np.ndarray]]:
    """Forward node graph: for each stage, nodes and their transitions (CSR by node)."""
    r = rows.size
    base = int(rows.max()) + 1
    if r * np.log(base) >= np.log(2.0**62):
        raise OncotrialValueError(
            "`table` of `fisher_exact` is too large for the exact network algorithm "
            f"({r} rows with totals up to {base - 1}). Use `chi_square` or pool categories.")
    stages: list[dict[str, np.ndarray]] = []
    nodes = np.sort(rows)[None, :]
    for k in range(cols.size - 1):
        comp = _compositions(int(cols[k]), r)
        ok = comp[None, :, 0] <= nodes[:, 0:1]                       # (nodes, comps)
        for i in range(1, r):
            ok &= comp[None, :, i] <= nodes[:, i : i + 1]
        ni, ci = np.nonzero(ok)
        child = _sort_rows(nodes[ni] - comp[ci])
        keys = _encode(child, base)
        order = np.argsort(keys)
        sk = keys[order]
        brk = np.empty(sk.size, dtype=bool)
        brk[0] = True
        np.not_equal(sk[1:], sk[:-1], out=brk[1:])
        first = order[brk]                       # one transition per distinct child node
        cidx = np.empty(sk.size, dtype=np.intp)
        cidx[order] = np.cumsum(brk) - 1         # child node index of every transition
        if first.size > MAX_NODES:
            raise OncotrialValueError(
                f"`table` of `fisher_exact` leads to more than {MAX_NODES:,} network nodes at "
                "one stage; the exact test is too costly. Use `chi_square` or pool categories.")
        ptr = np.concatenate(([0], np.cumsum(ok.sum(axis=1))))
        stages.append({"nodes": nodes, "ptr": ptr,
                       "logw": _comp_logw(int(cols[k]), r)[ci], "child": cidx})
        nodes = child[first]
    stages.append({"nodes": nodes})  # last stage: the remaining column is forced
    return stages


def _futures(stages: list[dict[str, np.ndarray]], cols: np.ndarray, lf: np.ndarray) -> None:
    """Backward pass: log F_max, F_min, F_tot for every node of every stage (in place)."""
    last = stages[-1]
    fl = -lf[last["nodes"]].sum(axis=1)
    last["fmax"] = last["fmin"] = fl
    last["ftot"] = fl
    for k in range(len(stages) - 2, -1, -1):
        st, nxt = stages[k], stages[k + 1]
        starts = st["ptr"][:-1]
        st["fmax"] = np.maximum.reduceat(st["logw"] + nxt["fmax"][st["child"]], starts)
        st["fmin"] = np.minimum.reduceat(st["logw"] + nxt["fmin"][st["child"]], starts)
        nodes = st["nodes"]
        st["ftot"] = (lf[nodes.sum(axis=1)] - lf[nodes].sum(axis=1) - lf[cols[k:]].sum())


def _last_stage(st: dict[str, np.ndarray], last: dict[str, np.ndarray], node: np.ndarray,
                past: np.ndarray, mult: np.ndarray, thr: float) -> float:
    """Sum of the completions of live paths one column before the end (no expansion).

    Each transition of a node at the penultimate stage completes a table, of log value
    ``logw + F(child)``. Per node the values are sorted and their exponentials cumulated
    (row-wise on a padded matrix, so each node's partial sums are exact to rounding); a live
    path with value ``past`` adds ``mult exp(past) sum{exp(v) : v <= thr - past}``.
    """
    ptr = st["ptr"]
    deg = np.diff(ptr)
    nn, dmax = deg.size, int(deg.max())
    vals = st["logw"] + last["ftot"][st["child"]]
    tnode = np.repeat(np.arange(nn), deg)
    col = np.arange(vals.size) - ptr[tnode]
    mat = np.full((nn, dmax), np.inf)
    mat[tnode, col] = vals
    mat.sort(axis=1)
    top = st["fmax"]  # largest completion of each node: the scale of its partial sums
    csum = np.cumsum(np.exp(np.where(np.isfinite(mat), mat - top[:, None], -np.inf)), axis=1)
    bound = thr - past
    # count of values <= bound in each node's sorted row: one searchsorted on integer keys
    # node * span + value (rounded to 1e-9, far inside FEXACT's 3.5e-7 tolerance)
    finite = np.isfinite(mat)
    vmin = float(mat[finite].min())
    iv = np.where(finite, np.rint((np.where(finite, mat, vmin) - vmin) * 1e9), 0).astype(np.int64)
    span = int(iv.max()) + 2
    if span * (nn + 1) < 2**62:
        iv[~finite] = span - 1
        keys = (iv + np.arange(nn, dtype=np.int64)[:, None] * span).reshape(-1)
        qb = np.clip(np.rint((bound - vmin) * 1e9), -1, span - 2).astype(np.int64)
        cnt = np.searchsorted(keys, node * span + qb, side="right") - node * dmax
    else:  # pragma: no cover - astronomically wide value ranges: compare row by row
        cnt = np.concatenate([(mat[node[i : i + 4096]] <= bound[i : i + 4096, None]).sum(axis=1)
                              for i in range(0, node.size, 4096)])
    ok = cnt > 0
    u = node[ok]
    part = csum[u, cnt[ok] - 1]
    return float(np.sum(mult[ok] * np.exp(past[ok] + top[u]) * part))


def fisher_rxc_network(m: np.ndarray, log_tol: float = FEXACT_TOL) -> tuple[float, int]:
    """Two-sided Fisher p-value of an r x c table by the network algorithm.

    Returns ``(pvalue, n_nodes)``: the sum of ``P(T)`` over tables with the observed margins and
    ``log P(T) <= log P_obs + log_tol``, and the number of network nodes built.

    Examples
    --------
    >>> p, _ = fisher_rxc_network(np.array([[1, 2, 3], [2, 1, 4], [3, 0, 2]]))
    >>> round(p, 6)
    0.714109
    """
    m = np.asarray(m, dtype=np.int64)
    m = m[m.sum(axis=1) > 0][:, m.sum(axis=0) > 0]
    if m.shape[0] < 2 or m.shape[1] < 2:
        return 1.0, 0
    if m.shape[0] > m.shape[1]:
        m = m.T
    rows = m.sum(axis=1)
    cols = np.sort(m.sum(axis=0))  # small columns first: the big fan-out comes last
    n = int(rows.sum())
    lf = gammaln(np.arange(n + 1, dtype=float) + 1.0)
    logk = lf[rows].sum() + lf[cols].sum() - lf[n]
    thr = logk - lf[m].sum() + log_tol
    stages = _build(rows, cols, lf)
    _futures(stages, cols, lf)
    total = 0.0
    node = np.zeros(1, dtype=np.int64)
    past = np.array([logk])
    mult = np.ones(1)
    for k, st in enumerate(stages):
        hi = past + st["fmax"][node]
        done = hi <= thr
        if done.any():
            total += float(np.sum(mult[done] * np.exp(past[done] + st["ftot"][node[done]])))
        keep = ~done & (past + st["fmin"][node] <= thr)
        if k == len(stages) - 1 or not keep.any():
            break
        node, past, mult = node[keep], past[keep], mult[keep]
        if k == len(stages) - 2:  # the last column is forced: settle each path in one look-up
            total += _last_stage(st, stages[-1], node, past, mult, thr)
            break
        ptr = st["ptr"]
        deg = ptr[node + 1] - ptr[node]
        src = np.repeat(np.arange(node.size), deg)
        tr = np.arange(src.size) - np.repeat(np.cumsum(deg) - deg, deg) + ptr[node][src]
        cnode = st["child"][tr]
        cpast = past[src] + st["logw"][tr]
        cmult = mult[src]
        if cnode.size > MAX_LIVE:
            raise OncotrialValueError(
                f"`table` of `fisher_exact` needs more than {MAX_LIVE:,} live paths in the "
                "network; the exact test is too costly. Use `chi_square` or pool categories.")
        # merge equal past values at the same node
        key = np.rint((cpast - logk) * _MERGE).astype(np.int64)
        key -= key.min()
        span = int(key.max()) + 1
        if span * (int(cnode.max()) + 1) < 2**62:  # one int64 sort key: node, then value
            order = np.argsort(cnode * span + key)
        else:
            order = np.lexsort((key, cnode))
        cnode, key, cpast, cmult = cnode[order], key[order], cpast[order], cmult[order]
        brk = np.empty(cnode.size, dtype=bool)
        brk[0] = True
        brk[1:] = (cnode[1:] != cnode[:-1]) | (key[1:] != key[:-1])
        starts = np.flatnonzero(brk)
        node, past = cnode[starts], cpast[starts]
        mult = np.add.reduceat(cmult, starts)
    n_nodes = sum(int(st["nodes"].shape[0]) for st in stages)
    return min(total, 1.0), n_nodes
