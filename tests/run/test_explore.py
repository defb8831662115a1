"""`analysis.load(2019)`: one wave's validated tables and summaries for exploring, what to run when
something is missing, and figures in the language the run drew them in."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis.base import contracts
from analysis.base.errors import ContractError
from analysis.run import explore
from analysis.run.explore import Wave


def test_load_gives_the_validated_tables_and_summaries(small_run):
    P = small_run["sv"]
    w = Wave(P, "official")
    pd.testing.assert_frame_equal(w.headline, contracts.read_table("headline", P["output_dir"]))
    pd.testing.assert_frame_equal(w.analysis, contracts.read_table("analysis", P["processed_dir"]))
    assert len(w.analysis) == 290 and int(w.analysis["responded"].sum()) == w.run_info["counts"]["respondents"]
    assert w.describe_summary["alpha"] == 0.05
    # a single wave: everything but 05_compare's files (nothing to compare with)
    assert set(w.available) == {n for n, c in contracts.CONTRACTS.items() if c.writer != "05_compare"}
    assert "present:" in repr(w) and "missing" not in repr(w)
    with pytest.raises(AttributeError, match="headline"):
        w.no_such_table  # noqa: B018 - the attribute access is what raises


def test_load_names_what_to_run(small_run, tmp_path):
    with pytest.raises(ContractError, match=r"no processed data for wave 1999 \(run `make`"):
        analysis.load(1999)
    only_processed = Wave(dict(small_run["sv"], output_dir=str(tmp_path)), "official")
    with pytest.raises(ContractError, match=r"tables/models.csv: not found \(written by 03_model; run `make`"):
        only_processed.models  # noqa: B018 - the attribute access is what raises


def test_a_figure_in_a_language_the_run_did_not_draw_is_refused_in_one_line(small_run):
    """A run draws its figures in its own language only (issue 16): asking for the other names the one drawn."""
    P = small_run["sv"]
    w = Wave(P, "official")
    assert w.figure("headline_shares").filename.endswith("headline_shares_sv.png")
    assert not (Path(P["output_dir"]) / "figures" / "headline_shares_en.png").exists()
    with pytest.raises(ContractError, match=r"headline_shares_en\.png: not drawn; the run drew its figures in sv"):
        w.figure("headline_shares", lang="en")
    with pytest.raises(ContractError, match="no such figure"):
        w.figure("no_such_figure")


def test_analysis_load_is_explores_and_loads_on_first_use():
    assert analysis.load is explore.load and "load" in dir(analysis)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        analysis.nothing  # noqa: B018 - the attribute access is what raises


def test_the_path_of_a_file_comes_from_its_contract(small_run):
    P = small_run["sv"]
    w = Wave(P, "official")
    assert w.path("analysis") == Path(P["processed_dir"]) / contracts.contract("analysis").path
    assert w.path("headline") == Path(P["output_dir"]) / contracts.contract("headline").path
    assert "analysis" in dir(w) and w.exists("headline") and not w.exists("change")
    assert Wave(P, "scratch").hint().startswith("run its notebook in JupyterLab")
