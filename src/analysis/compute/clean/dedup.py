"""De-duplicate: per municipality its latest complete submission; every other row is logged as dropped
by its row in the raw file (never by its id, which may hold personal data).

Sorting is done by pyarrow (a stable multi-key sort and a dense rank of the ids), quicker than numpy's
lexsort and `pd.factorize(sort=True)` on a million rows and the same order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc

from .log import CleaningLog


def as_int64(t: pd.Series) -> np.ndarray:
    """Datetimes as sortable int64 (NaT smallest); times with a time zone compare in UTC."""
    if isinstance(t.dtype, pd.DatetimeTZDtype):
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    a = t.to_numpy(dtype="datetime64[us]").astype(np.int64)
    return np.where(t.isna().to_numpy(), np.iinfo(np.int64).min, a)


def rank(ids: pd.Series) -> np.ndarray:
    """`pd.factorize(ids, sort=True)[0]`: each id's position among the distinct ids in sorted order
    (by pyarrow when every id is text)."""
    try:
        arr = arrow.array(ids, type=arrow.large_string(), from_pandas=True)
    except (arrow.ArrowException, TypeError, ValueError):
        arr = None
    if arr is None or arr.null_count:
        return pd.factorize(ids, sort=True)[0]
    return pc.rank(arr, sort_keys="ascending", tiebreaker="dense").to_numpy(zero_copy_only=False).astype(np.int64) - 1


def stable_order(*keys: np.ndarray) -> np.ndarray:
    """`np.lexsort(keys[::-1])`: row positions sorted by the first key, then the next, ...; ties kept
    in row order (pyarrow's stable multi-key sort, quicker than lexsort on a million rows)."""
    table = arrow.table({f"k{i}": np.asarray(k, dtype=np.int64) for i, k in enumerate(keys)})
    order = pc.sort_indices(table, sort_keys=[(f"k{i}", "ascending") for i in range(len(keys))])
    return order.to_numpy().astype(np.intp)


def deduplicate(ids: pd.Series, position: np.ndarray, kommunkod: np.ndarray, submitted: pd.Series,
                started: pd.Series, log: CleaningLog) -> np.ndarray:
    """Boolean mask of the rows kept: per municipality the latest complete submission.

    Complete = submitted_at present. Latest by submitted_at, then started_at, then response id.
    Every dropped row is logged by its row in the raw file (never by its id, which may hold
    personal data), sorted by code and id.
    """
    n = len(ids)
    complete = submitted.notna().to_numpy()
    id_rank = rank(ids)
    # incomplete rows sort before every complete row of their municipality, so the last row of
    # each municipality is its latest complete submission if it has one
    order = stable_order(position * 2 + complete, as_int64(submitted), as_int64(started), id_rank)
    pos_sorted = position[order]
    last = np.ones(n, dtype=bool)
    last[:-1] = pos_sorted[:-1] != pos_sorted[1:]
    winner_rows = order[last & complete[order]]
    keep = np.zeros(n, dtype=bool)
    keep[winner_rows] = True
    dropped = order[~keep[order]]
    if len(dropped):
        dropped = dropped[np.argsort(position[dropped] * n + id_rank[dropped], kind="stable")]  # municipality, id
        winner_row = np.full(len(kommunkod), -1, dtype=np.int64)
        winner_row[position[winner_rows]] = winner_rows
        _log_dropped(dropped, position, ~complete[dropped], winner_row, kommunkod, log)
    return keep


def _log_dropped(dropped: np.ndarray, position: np.ndarray, incomplete: np.ndarray, winner_row: np.ndarray,
                 kommunkod: np.ndarray, log: CleaningLog) -> None:
    """One log row per dropped row ("row N (kommunkod K): reason"), in the order of `dropped`.

    The text after "row N" depends only on the municipality and on whether the row was incomplete:
    built once per such pair, then joined to the row numbers by pyarrow."""
    pair, inverse = np.unique(position[dropped] * 2 + incomplete, return_inverse=True)

    def tail(p: int) -> str:
        pos, inc = divmod(int(p), 2)
        kept = f"row {winner_row[pos] + 2}" if winner_row[pos] >= 0 else ""
        if not inc:
            reason = "superseded by the later complete submission " + kept
        elif kept:
            reason = "not submitted (no submission time); kept " + kept
        else:
            reason = "not submitted (no submission time); municipality has no complete submission"
        return f" (kommunkod {kommunkod[pos]}): {reason}"

    detail = pc.binary_join_element_wise(
        "row ", arrow.array(dropped + 2).cast(arrow.string()),
        arrow.array([tail(p) for p in pair], type=arrow.string()).take(arrow.array(inverse.ravel())), "")
    log.add_many(pd.DataFrame({
        "step": "dedup",
        "action": pd.array(arrow.array(["row_dropped_duplicate", "row_dropped_incomplete"]).take(
            arrow.array(incomplete.astype(np.int8))), dtype="str"),
        "column": "raw_row", "count": 1, "detail": pd.array(detail, dtype="str"),
    }))
