"""Step 04_report's entry (conftest.small_run ran it): report.html and provenance.json written, the
provenance naming the run's files relative to the project root (the report itself: tests/test_report.py)."""

from __future__ import annotations

from pathlib import Path

from analysis.base import contracts


def test_it_writes_the_report_and_its_provenance(small_run):
    P = small_run["sv"]
    out = Path(P["output_dir"])
    assert (out / "report.html").stat().st_size > 10_000
    prov = contracts.read_json("provenance", out)
    assert prov["raw_file"].endswith("synthetic_skr_infosak_2019.csv")
    assert set(prov["processed_sha256"]) >= {"analysis.parquet", "run_info.json"}
    assert prov["params"]["lang"] == "sv" and prov["params"]["min_cell"] == 5
