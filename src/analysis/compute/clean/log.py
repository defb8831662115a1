"""The cleaning log (cleaning_log.csv): one row per action of a stage, in the order the stages act,
so that every raw row and every cell that becomes missing is accounted for.

The log names rows by their row in the raw file (`spreadsheet_rows`), never by a response id, and any
text someone typed (an extra column's header) only as `scrub.Scrubber` shows it.
"""

from __future__ import annotations

import pandas as pd

from ...base import contracts

LOG_COLUMNS = contracts.columns("cleaning_log")  # step, action, column, count, detail


class CleaningLog:
    """The log's rows, collected stage by stage; `frame()` gives cleaning_log.csv's table."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, step: str, action: str, column: str, count: int, detail: str = "") -> None:
        self.parts.append(pd.DataFrame([[step, action, column, int(count), detail]], columns=LOG_COLUMNS))

    def add_many(self, df: pd.DataFrame) -> None:
        """Many rows at once (a frame with the log's columns)."""
        self.parts.append(df[LOG_COLUMNS])

    def frame(self) -> pd.DataFrame:
        out = pd.concat(self.parts, ignore_index=True)
        out["count"] = out["count"].astype("int64")
        for c in ("step", "action", "column", "detail"):
            out[c] = out[c].astype("str")
        return out


def spreadsheet_rows(index) -> list[int]:
    """0-based data-row positions -> 1-based spreadsheet rows (the header is row 1), sorted, once each."""
    return sorted({int(i) + 2 for i in index})
