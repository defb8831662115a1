"""present.report.data: the tables the report reads come from the contracts (those of 05_compare apart),
every table and summary is read validated, and summaries made with another alpha or min_cell are refused."""

from __future__ import annotations

import shutil

import pytest

from analysis.base import contracts
from analysis.base.errors import ContractError
from analysis.present.report import data


def test_compare_tables_are_the_tables_05_compare_writes():
    written = {n for n, c in contracts.CONTRACTS.items() if c.writer == "05_compare" and c.schema is not None}
    assert set(data.COMPARE_TABLES) == written == {"change", "transitions", "trend"}


def test_output_tables_are_the_other_tables_the_report_reads():
    assert set(data.OUTPUT_TABLES).isdisjoint(data.COMPARE_TABLES)
    for name in data.OUTPUT_TABLES:
        c = contracts.contract(name)
        assert c.home == "output" and "04_report" in c.readers and c.writer in ("02_describe", "03_model")
    assert {"headline", "models", "verdicts", "se_design"} <= set(data.OUTPUT_TABLES)


def test_a_single_wave_is_read_without_a_comparison(small_data):
    d = small_data["sv"]
    assert set(d.tables) == set(data.OUTPUT_TABLES) and not d.has_change and d.compare is None
    assert d.synthetic and d.lang == "sv" and d.level == "95\u00a0%"
    assert d.codebook["ciso"].headline is not None


def test_summaries_made_with_other_parameters_are_refused(small_run):
    P = small_run["sv"]
    with pytest.raises(ContractError, match="min_cell = 5"):
        data.load(dict(P, min_cell=7))
    with pytest.raises(ContractError, match="alpha"):
        data.load(dict(P, alpha=0.10))


def test_a_missing_table_names_the_step_that_writes_it(small_run, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(small_run["sv"]["output_dir"], out)
    (out / "tables" / "verdicts.csv").unlink()
    with pytest.raises(ContractError, match="verdicts.csv.*03_model"):
        data.load(dict(small_run["sv"], output_dir=str(out)))
