"""compute/clean/log: the cleaning log's rows and the spreadsheet rows that messages name."""

from __future__ import annotations

import pandas as pd

from analysis.base import contracts
from analysis.compute.clean.log import LOG_COLUMNS, CleaningLog, spreadsheet_rows


def test_the_log_has_the_contracts_columns_and_types():
    log = CleaningLog()
    log.add("read", "rows_read", "", 7, "data rows in x.csv")
    log.add_many(pd.DataFrame({"step": "dedup", "action": ["a", "b"], "column": "raw_row", "count": 1,
                               "detail": ["row 2", "row 3"], "ignored": 0}))
    frame = log.frame()
    assert LOG_COLUMNS == contracts.columns("cleaning_log") == frame.columns.tolist()
    assert frame["count"].tolist() == [7, 1, 1] and str(frame["count"].dtype) == "int64"
    assert frame["detail"].tolist() == ["data rows in x.csv", "row 2", "row 3"]
    contracts.validate("cleaning_log", frame)


def test_spreadsheet_rows_count_the_header_as_row_1():
    assert spreadsheet_rows([3, 0, 3]) == [2, 5]
    assert spreadsheet_rows([]) == []
