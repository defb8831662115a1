"""Step 04_report's entry (conftest.small_run ran it): report.html and provenance.json written, the
provenance naming the run's files relative to the project root; its notebook is a thin shell around it
(the report itself: tests/present/report/ and tests/scenarios/test_report_page.py)."""

from __future__ import annotations

from pathlib import Path

import nbformat

from analysis.base import contracts


def test_it_writes_the_report_and_its_provenance(small_run):
    P = small_run["sv"]
    out = Path(P["output_dir"])
    assert (out / "report.html").stat().st_size > 10_000
    prov = contracts.read_json("provenance", out)
    assert prov["raw_file"].endswith("synthetic_skr_infosak_2019.csv")
    assert set(prov["processed_sha256"]) >= {"analysis.parquet", "run_info.json"}
    assert prov["params"]["lang"] == "sv" and prov["params"]["min_cell"] == 5


def test_report_notebook_is_thin(root):
    nb = nbformat.read(root / "notebooks" / "04_report.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert "scratch.notebook_params(" in code[1].source and any("report.run(P)" in c.source for c in code[1:])
    assert len(code) <= 3
