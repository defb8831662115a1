"""Step 01_clean's entry (conftest.small_run ran it on the default synthetic export): the processed data
it writes, each valid against its contract (the cleaning itself: tests/test_clean.py)."""

from __future__ import annotations

import pandas as pd

from analysis.base import contracts
from analysis.run.steps.inputs import written_by


def test_it_writes_the_processed_data_each_valid(small_run):
    P = small_run["sv"]
    for name in written_by("01_clean"):
        c = contracts.contract(name)
        if c.path.endswith(".json"):
            data = contracts.read_json(name, P["processed_dir"])
            assert data["counts"]["municipalities"] == 290 and data["synthetic"] is True
        else:
            assert isinstance(contracts.read_table(name, P["processed_dir"]), pd.DataFrame)
