"""What the steps share: the files each writes (from the contracts), the data-source code, and the
processed data they read first."""

from __future__ import annotations

from analysis.base import contracts
from analysis.run.steps import inputs


def test_what_a_step_writes_is_read_from_the_contracts():
    assert inputs.written_by("05_compare") == ("change", "transitions", "trend", "compare_summary")
    assert inputs.tables_written_by("05_compare") == ("change", "transitions", "trend")
    assert inputs.tables_written_by("02_describe") == ("headline", "headline_by_group", "maturity_index",
                                                      "response", "nonresponse_model")
    assert set(inputs.tables_written_by("03_model")) == {"models", "reliability", "verdicts", "claim_tests",
                                                         "se_design"}
    for step in ("01_clean", "02_describe", "03_model", "05_compare", "04_report"):
        assert set(inputs.written_by(step)) == {n for n, c in contracts.CONTRACTS.items() if c.writer == step}
    assert inputs.written_by("99_none") == ()


def test_every_table_says_where_its_data_came_from():
    assert inputs.source(True) == "synthetic" and inputs.source(False) == "survey"


def test_the_processed_data_are_read_validated_with_their_source(tmp_path, register):
    from conftest import write_processed

    res = write_processed(register, tmp_path)
    analysis, synthetic = inputs.processed({"processed_dir": str(tmp_path)})
    assert synthetic is True and len(analysis) == len(res.analysis) == 290
    assert list(analysis.columns) == list(res.analysis.columns)
