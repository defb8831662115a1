"""Fixtures of the report's tests: a ReportData made by hand (for the view model's unit tests) and the
report data of conftest.small_run."""

from __future__ import annotations

import pytest

from analysis.present.report.data import ReportData, load


@pytest.fixture()
def make_data(tmp_path):
    """make_data(lang, tables, **P): a ReportData of hand-made tables (output_dir a fresh folder)."""
    def make(lang: str = "sv", tables: dict | None = None, *, describe: dict | None = None, model: dict | None = None,
             compare: dict | None = None, synthetic: bool = True, **P) -> ReportData:
        params = {"lang": lang, "alpha": 0.05, "min_cell": 5, "wave": 2019, "output_dir": str(tmp_path), **P}
        return ReportData(P=params, tables=tables or {}, describe=describe or {"n_municipalities": 290},
                          model=model or {}, run_info={"synthetic": synthetic}, compare=compare)
    return make


@pytest.fixture(scope="module")
def small_data(small_run):
    """{"sv": ReportData, "en": ReportData} of small_run's outputs."""
    return {lang: load(P) for lang, P in small_run.items()}
