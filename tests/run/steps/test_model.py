"""Step 03_model's entry (conftest.small_run ran it): every table it writes is valid and free of
identifying columns, and its summary lists the figures it drew (the models: tests/compute/models/; the
step as a whole, both languages and its notebook: tests/scenarios/test_model_step.py)."""

from __future__ import annotations

from pathlib import Path

from analysis.base import contracts
from analysis.compute import models
from analysis.run.steps.inputs import tables_written_by


def test_its_tables_hold_no_identifying_column(small_run):
    P = small_run["en"]
    for name in tables_written_by("03_model"):
        df = contracts.read_table(name, P["output_dir"])
        assert not set(df.columns) & set(models.IDENTIFYING), name
        assert len(df) > 0, name


def test_its_summary_lists_the_figures_it_drew(small_run):
    P = small_run["en"]
    summary = contracts.read_json("model_summary", P["output_dir"])
    assert summary["not_estimable"] == [] and summary["figures"]
    assert all(f.endswith("_en.png") and (Path(P["output_dir"]) / f).is_file() for f in summary["figures"])
