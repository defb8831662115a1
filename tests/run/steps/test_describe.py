"""Step 02_describe's entry (conftest.small_run ran it in both languages): its tables valid against their
contracts, each carrying the data source, and the figures its summary lists drawn in the run's language only."""

from __future__ import annotations

from pathlib import Path

from analysis.base import contracts
from analysis.run.steps import describe


def test_its_tables_carry_the_data_source(small_run):
    P = small_run["sv"]
    for name in describe.TABLES:
        assert set(contracts.read_table(name, P["output_dir"])["data_source"]) == {"synthetic"}, name


def test_its_figures_are_drawn_in_the_runs_language(small_run):
    for lang, P in small_run.items():
        figures = contracts.read_json("describe_summary", P["output_dir"])["figures"]
        assert figures and all(f.endswith(f"_{lang}.png") for f in figures)
        assert all((Path(P["output_dir"]) / f).is_file() for f in figures)
