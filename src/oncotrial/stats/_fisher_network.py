"""Fisher's exact test for r x c tables by a network algorithm (Mehta & Patel 1983, 1986).

Why hand-written: scipy has no r x c Fisher test (``scipy.stats.fisher_exact`` is 2 x 2 only),
R's FEXACT is Fortran-turned-C with fixed workspaces, and the PyPI wrappers of it are neither
widely used nor kept up (none is among PyPI's 15,000 most downloaded packages). This module
follows the same network idea with every stage one batch of numpy operations.

The network
-----------
The table is transposed so that ``r <= c``; rows are the node coordinates and columns, sorted
by total (smallest first), are the stages. A *node* at stage ``k`` is the multiset of row totals
still to be filled, stored sorted (every quantity below is invariant to permuting rows). Filling
column ``k`` with ``x`` moves node ``R`` to ``sort(R - x)`` and multiplies the path by
``w(x) = prod_i 1 / x_i!``. With ``K = prod r_i! prod c_j! / N!`` a complete path is the
probability of one table, ``P(T) = K prod_j w(x_j)``.

1. *Build* (forward, once per table): for every stage, all node -> child transitions (CSR by
   node). Children are sorted by a small sorting network on the ``r`` coordinate arrays and
   named by a mixed-radix key of their ``r - 1`` smallest coordinates (the largest follows from
   the stage's sum), which indexes a dense look-up table: no hashing, no sort.
2. *Futures* (backward): every node's exact longest and shortest path to the end (``F_max``,
   ``F_min``, the largest and smallest ``prod w`` over its completions) by one
   ``maximum/minimum.reduceat`` per stage, and the total ``F_tot = N_R! / (prod R_i! prod_{j>k}
   c_j!)`` in closed form (log-factorials pre-computed once per process).
3. *Past paths* (forward): live ``(node, past value, multiplicity)`` triples. A past path with
   value ``v`` is settled at once when ``K v F_max <= P_obs e^tol`` (every completion counts: add
   ``v F_tot``) or dropped when ``K v F_min > P_obs e^tol`` (none does), as FEXACT's
   shortest/longest-path tests; the rest are expanded one column, and past paths that reach the
   same node with the same value (equal to 1e-9 in log) are merged, as FEXACT's past-path hash
   tables do.
4. *Last two columns* (meet in the middle): the last column is forced, so each node of the
   penultimate stage has a finite list of completion values. These are sorted per node and
   cumulated once (a padded matrix, so every node's partial sums are exact to rounding), and
   each live past path is settled by one ``searchsorted``: it adds ``mult * exp(past) *
   sum{exp(v) : v <= thr - past}``.

Speed and its limit
-------------------
On the three tables of ../shared/BENCHMARKS.md (3 x 4 N = 70, 2 x 8 N = 120, 5 x 5 N = 30; golden
tables 3 x 4 N = 71, 2 x 8 N = 119, 5 x 5 N = 28) the work is a few thousand to ~15,000 moves or
live paths, which numpy does in microseconds; what remains is the fixed cost of some 30-40
numpy calls per stage (about 1-2 microseconds each, plus Python between them). Measured in one
run with R (``benchmarks/bench_fisher.py``, docs/stats.md), 3 x 4 takes ~0.2x R's time and
2 x 8 and 5 x 5 0.6-1.1x, i.e. within noise of R: an 8-column table has a floor of roughly
0.2-0.3 ms before any arithmetic, where FEXACT is one C loop. Going below that needs compiled
code (numba or a C extension), which the project does not take on for one test. The
BENCHMARKS.md anchors (0.4, 0.1, 0.8 ms) are far below R's own time on these tables here.
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
_MERGE = 1e9  # log values are compared and merged after rounding to 1e-9
#: Below this many live paths, bound checks cost more numpy calls than they save (and below
#: 8 times as many, merging): both only save work, the p-value is the same without them.
_SMALL = 32

#: Sorting networks (lists of compare-exchange pairs) for 2-6 coordinates (Knuth TAOCP 5.3.4;
#: optimal sizes 1, 3, 5, 9, 12); checked on every 0/1 input in the tests (0-1 principle).
SORTING_NETWORKS: dict[int, tuple[tuple[int, int], ...]] = {
    1: (),
    2: ((0, 1),),
    3: ((0, 2), (0, 1), (1, 2)),
    4: ((0, 1), (2, 3), (0, 2), (1, 3), (1, 2)),
    5: ((0, 3), (1, 4), (0, 2), (1, 3), (0, 1), (2, 4), (1, 2), (3, 4), (2, 3)),
    6: ((0, 5), (1, 3), (2, 4), (1, 2), (3, 4), (0, 3), (2, 5), (0, 1), (2, 3), (4, 5),
        (1, 2), (3, 4)),
}

_LOG_FACTORIALS = gammaln(np.arange(1024, dtype=float) + 1.0)


def _log_factorials(n: int) -> np.ndarray:
    """``log k!`` for ``k = 0..n`` (at least), from a table kept for the process."""
    global _LOG_FACTORIALS
    if _LOG_FACTORIALS.size <= n:
        _LOG_FACTORIALS = gammaln(np.arange(max(n + 1, 2 * _LOG_FACTORIALS.size),
                                            dtype=float) + 1.0)
    return _LOG_FACTORIALS


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


@lru_cache(maxsize=256)
def _column_moves(total: int, parts: int) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Compositions of :func:`_compositions` as one contiguous array per coordinate, and
    ``log w = -sum_i log x_i!`` of each."""
    comp = _compositions(total, parts)
    coords = tuple(np.ascontiguousarray(comp[:, i]) for i in range(parts))
    logw = -gammaln(comp + 1.0).sum(axis=1)
    for a in (*coords, logw):
        a.flags.writeable = False
    return coords, logw


def sort_coordinates(coords: list[np.ndarray]) -> list[np.ndarray]:
    """Sort ``r`` equal-length arrays element-wise across the arrays (``out[0] <= out[1] ...``).

    A sorting network on whole arrays for ``r <= 6`` (two ufunc calls per compare-exchange on
    contiguous data); ``np.sort`` along the coordinate axis beyond that.

    Examples
    --------
    >>> [a.tolist() for a in sort_coordinates([np.array([3, 0]), np.array([1, 2]),
    ...                                        np.array([2, 1])])]
    [[1, 0], [2, 1], [3, 2]]
    """
    net = SORTING_NETWORKS.get(len(coords))
    if net is None:
        s = np.sort(np.stack(coords), axis=0)
        return list(s)
    out = list(coords)
    for i, j in net:
        lo = np.minimum(out[i], out[j])
        out[j] = np.maximum(out[i], out[j])
        out[i] = lo
    return out


def argsort_keys(keys: np.ndarray) -> np.ndarray:
    """``np.argsort`` of non-negative int64 keys (ties in any order).

    When the keys leave room, each index is packed into the low bits of its key and the packed
    array is sorted by value: numpy's vectorised sort is several times faster than its argsort.

    Examples
    --------
    >>> argsort_keys(np.array([5, 1, 3])).tolist()
    [1, 2, 0]
    """
    bits = max(int(keys.size - 1).bit_length(), 1)
    if keys.size and int(keys.max()) < 1 << (62 - bits):
        packed = (keys << bits) | np.arange(keys.size)
        packed.sort()
        return packed & ((1 << bits) - 1)
    return np.argsort(keys)


class _Stage:
    """One stage of the network: its nodes and their transitions (CSR by node)."""

    __slots__ = ("child", "fmax", "fmin", "ftot", "logw", "nodes", "ptr", "tnode")

    def __init__(self, nodes: list[np.ndarray]) -> None:
        self.nodes = nodes                     # r sorted coordinate arrays, one value per node
        self.ptr = self.tnode = self.child = self.logw = np.empty(0)
        self.fmax = self.fmin = self.ftot = np.empty(0)

    @property
    def size(self) -> int:
        return int(self.nodes[0].size)


def _node_ids(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys (ascending) and the index of every key among them."""
    if size <= 4 * keys.size + 4096:  # dense look-up table: two passes, no sort
        seen = np.zeros(size, dtype=bool)
        seen[keys] = True
        uniq = seen.nonzero()[0]
        rank = np.empty(size, dtype=np.intp)
        rank[uniq] = np.arange(uniq.size)
        return uniq, rank[keys]
    uniq, inv = np.unique(keys, return_inverse=True)
    return uniq, inv


def _build(rows: np.ndarray, cols: np.ndarray) -> list[_Stage]:
    """Forward node graph: for each stage, nodes and their transitions (CSR by node)."""
    r = rows.size
    base = int(rows.max()) + 1
    if (r - 1) * np.log(base) >= np.log(2.0**62):
        raise OncotrialValueError(
            "`table` of `fisher_exact` is too large for the exact network algorithm "
            f"({r} rows with totals up to {base - 1}). Use `chi_square` or pool categories.")
    radix = [base**i for i in range(r - 1)]
    remaining = int(rows.sum())
    srt = np.sort(rows)
    stages = [_Stage([srt[i : i + 1].copy() for i in range(r)])]
    for k in range(cols.size - 1):
        st = stages[-1]
        nodes = st.nodes
        comp, logw = _column_moves(int(cols[k]), r)
        ok = comp[0][None, :] <= nodes[0][:, None]                    # (nodes, moves)
        for i in range(1, r):
            ok &= comp[i][None, :] <= nodes[i][:, None]
        deg = ok.sum(axis=1)
        ni = np.arange(deg.size).repeat(deg)  # np.nonzero on 2-D is several times slower
        ci = ok.ravel().nonzero()[0] - ni * ok.shape[1]
        child = sort_coordinates([nodes[i][ni] - comp[i][ci] for i in range(r)])
        remaining -= int(cols[k])
        if r == 1:  # pragma: no cover - a 1-row table never reaches the network
            keys = np.zeros(ni.size, dtype=np.int64)
        else:
            keys = child[0].copy()
            for i in range(1, r - 1):
                keys += child[i] * radix[i]
        uniq, cid = _node_ids(keys, base ** (r - 1))
        if uniq.size > MAX_NODES:
            raise OncotrialValueError(
                f"`table` of `fisher_exact` leads to more than {MAX_NODES:,} network nodes at "
                "one stage; the exact test is too costly. Use `chi_square` or pool categories.")
        st.ptr = np.zeros(deg.size + 1, dtype=np.intp)
        deg.cumsum(out=st.ptr[1:])
        st.tnode, st.child, st.logw = ni, cid, logw[ci]
        nxt = [(uniq // radix[i]) % base for i in range(r - 1)]
        nxt.append(remaining - sum(nxt) if nxt else np.full(uniq.size, remaining))
        stages.append(_Stage(nxt))
    return stages


def _futures(stages: list[_Stage], cols: np.ndarray, lf: np.ndarray) -> np.ndarray:
    """Backward pass: log F_max, F_min, F_tot of every node (in place).

    Returns the log value of every transition of the penultimate stage (``log w`` plus the
    forced last column), which the meet-in-the-middle step sorts.
    """
    last = stages[-1]
    fl = -sum(lf[x] for x in last.nodes)
    last.fmax = last.fmin = last.ftot = fl
    pen = stages[-2]
    vals = pen.logw + fl[pen.child]
    starts = pen.ptr[:-1]
    pen.fmax = np.maximum.reduceat(vals, starts)
    pen.fmin = np.minimum.reduceat(vals, starts)
    tail = np.concatenate((np.cumsum(lf[cols][::-1])[::-1], [0.0]))  # sum_{j >= k} log c_j!
    for k in range(len(stages) - 2, -1, -1):
        st = stages[k]
        if k < len(stages) - 2:
            nxt = stages[k + 1]
            starts = st.ptr[:-1]
            st.fmax = np.maximum.reduceat(st.logw + nxt.fmax[st.child], starts)
            st.fmin = np.minimum.reduceat(st.logw + nxt.fmin[st.child], starts)
        nodes = st.nodes
        st.ftot = lf[sum(nodes)] - sum(lf[x] for x in nodes) - tail[k]
    return vals


def _last_two_columns(st: _Stage, vals: np.ndarray, node: np.ndarray, past: np.ndarray,
                      mult: np.ndarray, thr: float) -> float:
    """Sum of the completions of live paths at the penultimate stage (meet in the middle).

    ``vals`` holds the log value of each transition (a complete table tail). Per node these
    are sorted and their exponentials, scaled by the node's largest, cumulated on a padded
    matrix (row-wise: each node's partial sums are exact to rounding). A live path with value
    ``past`` adds ``mult exp(past) sum{exp(v) : v <= thr - past}``; its count of qualifying
    values is one ``searchsorted`` on integer keys ``node * span + round(1e9 v)``.
    """
    ptr, tnode = st.ptr, st.tnode
    nn = st.size
    vmin = float(vals.min())
    q = np.rint((vals - vmin) * _MERGE).astype(np.int64)
    span = int(q.max()) + 2
    if span * (nn + 1) >= 2**62:  # pragma: no cover - astronomically wide value ranges
        return _last_two_columns_slow(st, vals, node, past, mult, thr)
    keys = q + tnode * span
    order = argsort_keys(keys)  # node is the major key, so sorted rows stay grouped by node
    keys = keys[order]
    top = st.fmax
    dmax = int((ptr[1:] - ptr[:-1]).max())
    flat = tnode * (dmax + 1) + (np.arange(tnode.size) - ptr[tnode]) + 1
    mat = np.zeros(nn * (dmax + 1))
    mat[flat] = np.exp(vals[order] - top[tnode])
    csum = mat.reshape(nn, dmax + 1).cumsum(axis=1).reshape(-1)  # column 0 is the empty sum
    qb = np.rint((thr - past - vmin) * _MERGE).clip(-1, span - 2).astype(np.int64) + 1
    qk = qb + node * span
    qo = argsort_keys(qk)  # searchsorted is several times faster on sorted queries
    node, past, mult = node[qo], past[qo], mult[qo]
    cnt = np.searchsorted(keys, qk[qo] - 1, side="right") - ptr[node]
    part = csum[node * (dmax + 1) + cnt]
    return float((mult * np.exp(past + top[node]) * part).sum())  # no BLAS: its threads


def _last_two_columns_slow(st: _Stage, vals: np.ndarray, node: np.ndarray, past: np.ndarray,
                           mult: np.ndarray, thr: float) -> float:
    """Path by path version of :func:`_last_two_columns` (for value ranges too wide to key)."""
    total = 0.0
    for u, a, w in zip(node.tolist(), past.tolist(), mult.tolist(), strict=True):
        v = vals[st.ptr[u] : st.ptr[u + 1]]
        sel = v[np.rint((v - thr + a) * _MERGE) <= 0]
        total += w * float(np.exp(a + sel).sum())
    return total


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
    rs, cs = m.sum(axis=1), m.sum(axis=0)
    if not (rs.all() and cs.all()):
        m = m[rs > 0][:, cs > 0]
    if m.shape[0] < 2 or m.shape[1] < 2:
        return 1.0, 0
    if m.shape[0] > m.shape[1]:
        m = m.T
    rows = m.sum(axis=1)
    cols = np.sort(m.sum(axis=0))  # small columns first: the big fan-out comes last
    n = int(rows.sum())
    lf = _log_factorials(n)
    logk = float(lf[rows].sum() + lf[cols].sum() - lf[n])
    thr = logk - float(lf[m].sum()) + log_tol  # log P_obs + tol; paths carry log(K prod w)
    stages = _build(rows, cols)
    vals = _futures(stages, cols, lf)
    pen = len(stages) - 2
    total = 0.0
    node = np.zeros(1, dtype=np.intp)
    past = np.full(1, logk)
    mult = np.ones(1)
    for k in range(pen + 1):
        st = stages[k]
        if k == pen or node.size >= _SMALL:  # settle or drop sub-networks by path bounds
            done = past + st.fmax[node] <= thr
            if done.any():
                total += float((mult[done] * np.exp(past[done] + st.ftot[node[done]])).sum())
            keep = ~done & (past + st.fmin[node] <= thr)
            if not keep.all():
                node, past, mult = node[keep], past[keep], mult[keep]
            if node.size == 0:
                return min(total, 1.0), _n_nodes(stages)
        if k == pen:
            break
        ptr = st.ptr
        start = ptr[node]
        deg = ptr[node + 1] - start
        tot = int(deg.sum())
        if tot > MAX_LIVE:
            raise OncotrialValueError(
                f"`table` of `fisher_exact` needs more than {MAX_LIVE:,} live paths in the "
                "network; the exact test is too costly. Use `chi_square` or pool categories.")
        src = np.arange(node.size).repeat(deg)
        tr = np.arange(tot) + (start - (deg.cumsum() - deg)).repeat(deg)
        cnode = st.child[tr]
        cpast = past[src] + st.logw[tr]
        cmult = mult[src]
        if cnode.size < 8 * _SMALL or (k + 1 == pen and cnode.size <= 4 * stages[pen].tnode.size):
            # merging does not pay: few paths, or few enough for the meet-in-the-middle step
            node, past, mult = cnode, cpast, cmult
            continue
        # merge equal past values at the same node (FEXACT's past-path hash table)
        q = np.rint(cpast * _MERGE).astype(np.int64)
        q -= q.min()
        span = int(q.max()) + 1
        if span * (int(cnode.max()) + 1) < 2**62:
            key = cnode * span + q
            order = argsort_keys(key)
            key = key[order]
            brk = np.empty(key.size, dtype=bool)
            brk[0] = True
            np.not_equal(key[1:], key[:-1], out=brk[1:])
        else:  # pragma: no cover - astronomically wide value ranges
            order = np.lexsort((q, cnode))
            qs, ns = q[order], cnode[order]
            brk = np.empty(qs.size, dtype=bool)
            brk[0] = True
            brk[1:] = (qs[1:] != qs[:-1]) | (ns[1:] != ns[:-1])
        starts = brk.nonzero()[0]
        first = order[starts]
        node, past = cnode[first], cpast[first]
        mult = np.add.reduceat(cmult[order], starts)
    total += _last_two_columns(stages[pen], vals, node, past, mult, thr)
    return min(total, 1.0), _n_nodes(stages)


def _n_nodes(stages: list[_Stage]) -> int:
    return sum(st.size for st in stages)
