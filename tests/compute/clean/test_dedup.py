"""compute/clean/dedup: per municipality the latest complete submission; every other row logged by its row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.compute.clean import dedup
from analysis.compute.clean.log import CleaningLog


def test_latest_complete_submission_kept_and_the_others_logged_by_row():
    # municipality 0: rows 0 (earlier), 1 (latest), 2 (not submitted); municipality 1: row 3 only, not
    # submitted; municipality 2: rows 4 and 5 submitted at the same time, 5 started later -> 5 kept
    ids = pd.Series(["b", "a", "c", "d", "e", "f"], dtype="str")
    position = np.array([0, 0, 0, 1, 2, 2])
    submitted = pd.Series(pd.to_datetime(["2019-03-01", "2019-03-02", None, None, "2019-03-03", "2019-03-03"]))
    started = pd.Series(pd.to_datetime(["2019-03-01", "2019-03-01", "2019-03-05", None, "2019-03-01", "2019-03-02"]))
    log = CleaningLog()
    keep = dedup.deduplicate(ids, position, np.array(["0114", "0180", "0861"], dtype=object), submitted, started, log)
    assert keep.tolist() == [False, True, False, False, False, True]
    lg = log.frame()
    assert lg["detail"].tolist() == [
        "row 2 (kommunkod 0114): superseded by the later complete submission row 3",
        "row 4 (kommunkod 0114): not submitted (no submission time); kept row 3",
        "row 5 (kommunkod 0180): not submitted (no submission time); municipality has no complete submission",
        "row 6 (kommunkod 0861): superseded by the later complete submission row 7",
    ]
    assert lg["action"].tolist() == ["row_dropped_duplicate", "row_dropped_incomplete", "row_dropped_incomplete",
                                     "row_dropped_duplicate"]


def test_times_with_a_time_zone_compare_in_utc():
    t = pd.Series(pd.to_datetime(["2019-03-31T03:30+02:00", "2019-03-31T02:45+01:00", None], utc=True))
    a = dedup.as_int64(t)
    assert a[1] > a[0] and a[2] == np.iinfo(np.int64).min


def test_rank_of_ids_equals_sorted_factorize():
    ids = pd.Series(["R10", "R2", "r1", "Å1", "R2", "R10 ", "Z", "É"], dtype="str")
    np.testing.assert_array_equal(dedup.rank(ids), pd.factorize(ids, sort=True)[0])
    with_na = pd.Series(["b", None, "a"], dtype=object)  # NA: the factorize path
    np.testing.assert_array_equal(dedup.rank(with_na), pd.factorize(with_na, sort=True)[0])


def test_stable_order_equals_lexsort():
    rng = np.random.default_rng(5)
    keys = [rng.integers(0, 4, 5000), rng.integers(-3, 3, 5000), np.full(5000, np.iinfo(np.int64).min)]
    keys[2][::3] = rng.integers(0, 2, len(keys[2][::3]))  # many ties left: row order must decide them
    np.testing.assert_array_equal(dedup.stable_order(*keys), np.lexsort(keys[::-1]))
