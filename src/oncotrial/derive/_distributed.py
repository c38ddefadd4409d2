"""Partitioned derive: the study split by subject, each part derived by :func:`derive_study`.

The result equals ``derive_study(study, ...)`` exactly -- rows, order, dtypes, derivation log
and data warnings (docs/derivations.md, "Partitioned derive on Dask"). How:

1. **Partitions.** The subject identifiers of every canonical table are sorted and cut into
   contiguous blocks; every row of every table goes with its subject, so a subject that is
   missing from the subject table (an orphan lesion or AE) is derived, and reported, exactly
   as in the whole study. Each block is a slice of each table (rows keep their order).
2. **Study-level quantities.** Every derivation step of :func:`derive_study` is per subject
   except the *set of evaluators* (``BOR``, ``PD``, ``DEATH``, ``MDIS`` and PFS are derived for
   every evaluator seen anywhere in the study) and a handful of *study-level data warnings*
   that count records over all subjects. A part whose evaluator sets differ from the
   study's is merged with its neighbour and derived again, until every part sees the study's
   sets (a part never needs more than its subjects: only the sets must agree). Study-level
   warnings are merged: counts added, the first rows of the message taken in study order.
3. **Order.** Each output table of :func:`derive_study` is a concatenation of stages (ADRS
   ``OVR`` rows, then ``BOR`` rows, ...); within a stage rows follow the subject order. The
   parts' rows are put back stage by stage, parts in subject order, which is the whole-study
   order.

Exactness needs the input tables ordered by subject (the stages that follow the input order
then agree with the sorted ones): :func:`read_sdtm` output of sorted SDTM is, and the check is
made here; a study whose tables are not is derived as one part (same result, no parallelism,
said in ``PartitionedDerivation.note``; :func:`sort_by_subject` gives an ordered copy). An
error in any part is raised again from ``derive_study`` on the whole study, so its message is
the one of the local derive.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from oncotrial._errors import OncotrialValueError, bad_value
from oncotrial.derive._checks import DerivationWarning
from oncotrial.derive._partition_merge import evaluator_sets, merge_parts
from oncotrial.derive._pipeline import StudyDerivation, derive_study

__all__ = ["TABLES", "derive_study_partitioned", "partition_study", "sort_by_subject"]

_FUNC = "derive_study_partitioned"

#: the canonical tables :func:`derive_study` reads, each keyed by ``subject_id``
TABLES = ("subjects", "lesions", "responses", "adverse_events", "exposure", "prior_therapy")

_NO_POST_BASELINE = "no subject has a post-baseline tumour assessment"


@dataclass(frozen=True)
class PartitionedDerivation:
    """How a partitioned derive ran (the result itself is a :class:`StudyDerivation`).

    Attributes
    ----------
    partitions : int
        Parts derived in the end (after merging parts that lacked a study-level evaluator).
    requested : int
        Parts asked for.
    rounds : int
        Derivation rounds (1 when no part had to be merged and derived again).
    note : str
        Why the study was derived as one part, when it was; else ''.
    """

    partitions: int
    requested: int
    rounds: int
    note: str = ""
    sizes: list[int] = field(default_factory=list)


def _tables(study: object) -> dict[str, pd.DataFrame | None]:
    out = {}
    for name in TABLES:
        t = getattr(study, name, None)
        out[name] = t if isinstance(t, pd.DataFrame) else None
    return out


def _unordered(tables: dict[str, pd.DataFrame | None]) -> str:
    """Why the tables are not in subject order ('' when they are)."""
    for name, t in tables.items():
        if t is None or not len(t):
            continue
        if "subject_id" not in t.columns:
            return f"`{name}` has no subject_id column"
        ids = t["subject_id"]
        if ids.isna().any():
            return f"`{name}` has a missing subject_id"
        idx = pd.Index(ids.astype(str).to_numpy(dtype=object))
        if not idx.is_monotonic_increasing:
            return f"`{name}` is not ordered by subject_id"
        if name == "subjects" and not idx.is_unique:
            return "`subjects` has a duplicate subject_id"
    return ""


def sort_by_subject(study: object) -> SimpleNamespace:
    """``study`` with every canonical table stably sorted by ``subject_id``.

    For studies whose tables are not in subject order (e.g. pooled by appending one database
    to another), which :func:`derive_study_partitioned` would derive as one part: derive the
    sorted study instead, locally or partitioned -- the two agree exactly. Rows of one subject
    keep their order; the outputs list subjects in sorted order.

    Examples
    --------
    >>> s = SimpleNamespace(subjects=pd.DataFrame({"subject_id": ["S2", "S1"]}))
    >>> sort_by_subject(s).subjects["subject_id"].tolist()
    ['S1', 'S2']
    """
    d = {k: v for k, v in _attributes(study).items() if not isinstance(v, pd.DataFrame)}
    for name, t in _tables(study).items():
        if t is not None and "subject_id" in t.columns:
            t = t.iloc[np.argsort(t["subject_id"].astype(str).to_numpy(dtype=object),
                                  kind="stable")]
        d[name] = t
    return SimpleNamespace(**d)


def partition_study(study: object, partitions: int) -> list[SimpleNamespace]:
    """Cut ``study`` into at most ``partitions`` parts by subject (contiguous in sorted order).

    Every row of each canonical table goes with its subject, including subjects missing from
    the subject table. Each part holds rows of every table the study has rows of
    (:func:`derive_study` treats an empty table as absent, a study-level choice), so blocks
    without are joined to their neighbour: fewer parts than asked for. The other attributes
    of ``study`` travel unchanged (DataFrames other than the canonical tables, e.g.
    ``mapping_log``, are left out: :func:`derive_study` does not read them). Tables must be
    ordered by ``subject_id`` (see the module notes).

    Examples
    --------
    >>> subj = pd.DataFrame({"subject_id": ["S1", "S2", "S3"]})
    >>> ae = pd.DataFrame({"subject_id": ["S1", "S3", "S4"], "ae_term": ["a", "b", "c"]})
    >>> parts = partition_study(SimpleNamespace(subjects=subj, adverse_events=ae), 2)
    >>> [p.subjects["subject_id"].tolist() for p in parts]
    [['S1', 'S2'], ['S3']]
    >>> [p.adverse_events["subject_id"].tolist() for p in parts]
    [['S1'], ['S3', 'S4']]
    >>> len(partition_study(SimpleNamespace(subjects=subj, adverse_events=ae[:1]), 3))
    1
    """
    tables = _tables(study)
    cols = {n: t["subject_id"].astype(str).to_numpy(dtype=object)
            for n, t in tables.items() if t is not None and len(t)}
    ids = np.unique(np.concatenate(list(cols.values()))) if cols else np.array([], dtype=object)
    other = {k_: v for k_, v in _attributes(study).items()
             if k_ not in TABLES and not isinstance(v, pd.DataFrame)}
    if not len(ids):  # no rows anywhere: one part, the study's tables as they are
        return [SimpleNamespace(**other, **tables)]
    k = max(1, min(int(partitions), len(ids)))
    blocks = [b for b in np.array_split(ids, k) if len(b)]
    # rows of block i of table n: bounds[n][i]:bounds[n][i + 1] (blocks are contiguous)
    bounds = {n: np.append(np.searchsorted(c, np.array([b[0] for b in blocks], dtype=object),
                                           side="left"), len(c)) for n, c in cols.items()}
    bounds = {n: np.concatenate([[0], b[1:]]) for n, b in bounds.items()}
    # derive_study treats an empty table as absent: every part gets rows of every table the
    # study has rows of (blocks without are joined to the next, the last to the previous)
    groups: list[list[int]] = []
    cur: list[int] = []
    for i in range(len(blocks)):
        cur.append(i)
        if all(b[cur[-1] + 1] > b[cur[0]] for b in bounds.values()):
            groups.append(cur)
            cur = []
    if cur:
        if groups:
            groups[-1].extend(cur)
        else:
            groups.append(cur)
    parts = []
    for g in groups:
        part = dict(other)
        for name, t in tables.items():
            if name in cols:
                part[name] = t.iloc[int(bounds[name][g[0]]):int(bounds[name][g[-1] + 1])]
            else:
                part[name] = t
        parts.append(SimpleNamespace(**part))
    return parts


def _attributes(study: object) -> dict[str, Any]:
    if hasattr(study, "__dict__"):
        return dict(vars(study))
    import dataclasses
    if dataclasses.is_dataclass(study):  # pragma: no cover - slotted dataclasses
        return {f.name: getattr(study, f.name) for f in dataclasses.fields(study)}
    return {n: getattr(study, n) for n in TABLES if hasattr(study, n)}  # pragma: no cover


def _derive_part(part: object, kwargs: dict[str, Any]) -> tuple[Any, list[str]]:
    """Derive one part (a top-level function: Dask pickles it). Errors come back as values."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = derive_study(part, **kwargs)
        except Exception as e:  # re-raised from the whole study by the caller
            return e, []
    return res, [str(w.message) for w in caught if issubclass(w.category, DerivationWarning)
                 and _NO_POST_BASELINE in str(w.message)]


# --------------------------------------------------------------------------- running


def _run_local(parts: list[object], kwargs: dict[str, Any], on_done: Callable[[], None]
               ) -> list[tuple[Any, list[str]]]:
    out = []
    for p in parts:
        out.append(_derive_part(p, kwargs))
        on_done()
    return out


def _run_dask(client: Any, parts: list[object], kwargs: dict[str, Any],
              on_done: Callable[[], None]) -> list[tuple[Any, list[str]]]:
    from oncotrial._dask import import_distributed

    as_completed = import_distributed(_FUNC).as_completed
    futs = client.map(_derive_part, parts, [kwargs] * len(parts), pure=False)
    index = {f.key: i for i, f in enumerate(futs)}
    out: list[Any] = [None] * len(parts)
    for done in as_completed(futs).batches():
        for f, res in zip(done, client.gather(done), strict=True):
            out[index[f.key]] = res
            on_done()
    return out


def derive_study_partitioned(study: object, *, partitions: int | None = None,
                             backend: str = "dask", workers: int = 2, scheduler: Any = None,
                             progress: bool | None = None,
                             **derive_kwargs: Any) -> StudyDerivation:
    """:func:`derive_study`, split by subject and run part by part, locally or on Dask.

    .. versionadded:: 0.2

    The result is identical to ``derive_study(study, **derive_kwargs)``: the same rows in the
    same order with the same dtypes in every table, the same derivation log (study-level
    data warnings included). See the module notes and docs/derivations.md.

    Parameters
    ----------
    study : StudyData
        As for :func:`derive_study` (e.g. ``oncotrial.io.read_sdtm(path)``).
    partitions : int, optional
        Parts to cut the subjects into (contiguous in sorted subject order); default two per
        worker thread. At most one per subject; parts without rows of a table the study has
        rows of, or lacking one of the study's evaluators, are joined to a neighbour.
    backend : {'dask', 'local'}, default='dask'
        ``'dask'``: ``dask.distributed`` -- a LocalCluster of ``workers`` single-threaded
        processes started and closed for the call, or the cluster at ``scheduler``.
        ``'local'``: the parts one after the other in this process (for checks).
    workers : int, default=2
        LocalCluster workers (``backend='dask'`` without ``scheduler``).
    scheduler : str or distributed.Client, optional
        ``'tcp://HOST:8786'`` or a connected client (``backend='dask'`` only).
    progress : bool or None, default None
        Progress bar (parts done) on stderr; ``None``: when stderr is a terminal.
    **derive_kwargs
        Every keyword of :func:`derive_study` (``conventions``, ``reference``, ``irecist``,
        ...), passed to each part unchanged.

    Returns
    -------
    StudyDerivation
        With ``settings`` those of :func:`derive_study`; how the run was split is in the
        module attribute ``oncotrial.derive._distributed.partition_info``
        (:class:`PartitionedDerivation`, the last call in this process).

    Examples
    --------
    >>> subj = pd.DataFrame({"subject_id": ["S1", "S2"], "first_dose_date": ["2014-01-03"] * 2})
    >>> les = pd.DataFrame({"subject_id": ["S1"] * 3 + ["S2"] * 3, "lesion_id": "T1",
    ...     "lesion_class": "TARGET", "assessment_date": ["2014-01-02", "2014-02-14",
    ...     "2014-03-28"] * 2, "diameter": [40, 26, 24, 40, 50, 60]})
    >>> study = SimpleNamespace(subjects=subj, lesions=les)
    >>> res = derive_study_partitioned(study, partitions=2, backend="local")
    >>> res.adrs.query("PARAMCD == 'BOR'")[["USUBJID", "AVALC"]].values.tolist()
    [['S1', 'PR'], ['S2', 'PD']]
    >>> pd.testing.assert_frame_equal(res.adrs, derive_study(study).adrs)
    """
    if backend not in ("local", "dask"):
        raise bad_value("backend", _FUNC, "'local' or 'dask'", backend,
                        "Use 'local' (this process) or 'dask' (a LocalCluster, or scheduler).")
    if scheduler is not None and backend != "dask":
        raise bad_value("scheduler", _FUNC, "None unless backend='dask'", scheduler,
                        "Pass backend='dask' to use a Dask scheduler.")
    if not isinstance(workers, int | np.integer) or isinstance(workers, bool) or workers < 1:
        raise bad_value("workers", _FUNC, "a positive integer", workers)
    if partitions is not None and (not isinstance(partitions, int | np.integer)
                                   or isinstance(partitions, bool) or partitions < 1):
        raise bad_value("partitions", _FUNC, "a positive integer", partitions)
    allowed = set(inspect.signature(derive_study).parameters) - {"study"}
    unknown = sorted(set(derive_kwargs) - allowed)
    if unknown:
        raise bad_value(unknown[0], _FUNC, f"a keyword of derive_study ({sorted(allowed)})",
                        derive_kwargs[unknown[0]])
    if backend == "local":
        return _orchestrate(study, partitions or 2 * workers, derive_kwargs, progress, None)
    from oncotrial._dask import dask_client

    with dask_client(workers, scheduler, func=_FUNC) as client:
        threads = sum(client.nthreads().values()) or workers
        return _orchestrate(study, partitions or 2 * threads, derive_kwargs, progress, client)


#: rounds of merging parts before the study is derived as one (a part that keeps failing)
MAX_ROUNDS = 8

#: how the last call of :func:`derive_study_partitioned` in this process was split
partition_info: PartitionedDerivation | None = None


def _orchestrate(study: object, n: int, kwargs: dict[str, Any], progress: bool | None,
                 client: Any) -> StudyDerivation:
    global partition_info
    partition_info = None
    note = _unordered(_tables(study))
    parts = partition_study(study, 1 if note else n)
    requested = n
    bar = _progress(progress)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if bar is not None:
            bar.update(bar.task_ids[0], completed=done[0])

    def run(ps: list[object]) -> list[tuple[Any, list[str]]]:
        if bar is not None:
            bar.update(bar.task_ids[0], total=done[0] + len(ps))
        if client is None:
            return _run_local(ps, kwargs, tick)
        return _run_dask(client, ps, kwargs, tick)

    try:
        out = run(parts)
        rounds = 1
        while True:
            failed = [i for i, (r, _) in enumerate(out) if isinstance(r, BaseException)]
            if (len(parts) == 1 and failed) or rounds > MAX_ROUNDS or any(
                    isinstance(out[i][0], OncotrialValueError) for i in failed):
                # a data error (or a part that still fails): the whole study's message
                res = derive_study(study, **kwargs)
                partition_info = PartitionedDerivation(
                    partitions=1, requested=requested, rounds=rounds + 1,
                    note="derived whole in this process: a part failed", sizes=[])
                return res
            sets = {i: evaluator_sets(r) for i, (r, _) in enumerate(out) if i not in failed}
            union = tuple(frozenset().union(*(s[k] for s in sets.values()))
                          for k in range(len(next(iter(sets.values()))))) if sets else ()
            bad = sorted(failed + [i for i, s in sets.items() if s != union])
            if not bad:
                break
            merged = _groups(bad, len(parts))
            new_parts, new_out, todo = [], [], []
            for g in merged:
                if len(g) == 1:
                    new_parts.append(parts[g[0]])
                    new_out.append(out[g[0]])
                else:
                    new_parts.append(_join([parts[k] for k in g]))
                    new_out.append(None)
                    todo.append(len(new_parts) - 1)
            redone = run([new_parts[k] for k in todo])
            for k, r in zip(todo, redone, strict=True):
                new_out[k] = r
            parts, out = new_parts, new_out
            rounds += 1
    finally:
        if bar is not None:
            bar.stop()
    no_post = all(w for _, w in out)
    res = merge_parts([r for r, _ in out], no_post)
    if no_post:
        warnings.warn(out[0][1][0], DerivationWarning, stacklevel=3)
    partition_info = PartitionedDerivation(
        partitions=len(parts), requested=requested, rounds=rounds,
        note=f"derived as one part: {note}" if note else "",
        sizes=[len(p.subjects) if isinstance(getattr(p, "subjects", None), pd.DataFrame)
               else 0 for p in parts])
    return res


def _groups(bad: list[int], n: int) -> list[list[int]]:
    """Contiguous groups of parts: each part in ``bad`` joins its right (last: left) neighbour.

    Examples
    --------
    >>> _groups([1, 4], 5)
    [[0], [1, 2], [3, 4]]
    """
    out: list[list[int]] = []
    i = 0
    while i < n:
        if i in bad and i + 1 < n:
            out.append([i, i + 1])
            i += 2
            continue
        if i in bad and out:
            out[-1].append(i)
        else:
            out.append([i])
        i += 1
    return out


def _join(parts: list[SimpleNamespace]) -> SimpleNamespace:
    """Adjacent parts as one (tables concatenated in subject order)."""
    d = dict(vars(parts[0]))
    for name in TABLES:
        ts = [getattr(p, name) for p in parts]
        if all(isinstance(t, pd.DataFrame) for t in ts):
            d[name] = pd.concat(ts) if len(ts) > 1 else ts[0]
    return SimpleNamespace(**d)


def _progress(enabled: bool | None) -> Any:
    import sys

    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("deriving"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("parts"), console=Console(stderr=True), transient=False)
    bar.start()
    bar.add_task("deriving", total=0)
    return bar
