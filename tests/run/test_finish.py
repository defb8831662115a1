"""What the runner writes itself: whether the data are synthetic (every page says so), and a notebook
page at its place in output_dir."""

from __future__ import annotations

import json

import nbformat
import pytest

from analysis.run import dag, finish


@pytest.mark.parametrize("run_info, synthetic", [({"synthetic": True}, True), ({"synthetic": False}, False),
                                                 ({}, True)])  # unknown provenance counts as synthetic
def test_synthetic_is_read_from_run_info(tmp_path, run_info, synthetic):
    (tmp_path / "run_info.json").write_text(json.dumps(run_info))
    assert finish.synthetic({"processed_dir": str(tmp_path)}) is synthetic


def test_a_notebook_page_is_written_where_the_step_records_it(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Rensning"),
                                         nbformat.v4.new_code_cell("result = 1 + 1")],
                                  metadata={"papermill": {"parameters": {"lang": "sv", "wave": 2019}}})
    executed = tmp_path / "executed" / "01_clean.ipynb"
    executed.parent.mkdir()
    nbformat.write(nb, executed)
    step = dag.STEPS[0]
    page = finish.render_html(step, executed, tmp_path, synthetic=True)
    assert page == dag.page_path(tmp_path, step) == tmp_path / "notebooks" / "01_clean.html"
    html = page.read_text(encoding="utf-8")
    assert "Rensning" in html and "result" in html
