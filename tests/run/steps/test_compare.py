"""Step 05_compare's entry: its tables come from the contracts, and with no earlier wave it writes
nothing and removes what an earlier comparison left (the comparison itself: tests/compute/compare/,
against R: tests/scenarios/test_r_change.py)."""

from __future__ import annotations

from analysis.run.steps import compare


def test_its_tables_are_the_contracts_of_05():
    assert compare.TABLES == ("change", "transitions", "trend")


def test_without_an_earlier_wave_a_stale_comparison_is_removed(tmp_path):
    out = tmp_path / "out"
    stale = [out / "tables" / "change.csv", out / "tables" / "trend.csv", out / "compare_summary.json",
             out / "figures" / "trend_sv.png", out / "figures" / "trend_en.svg"]
    kept = [out / "tables" / "headline.csv", out / "figures" / "headline_shares_sv.png"]
    for f in stale + kept:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("x")
    assert compare.run({"output_dir": str(out), "compare_with": None}) == {"compared": False}
    assert [f for f in stale if f.exists()] == [] and all(f.exists() for f in kept)
