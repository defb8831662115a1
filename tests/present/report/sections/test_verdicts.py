"""present.report.sections.verdicts: one row per claim of verdicts.csv with the verdict's label and an
explanation whose numbers are tagged spans of verdicts.csv or claim_tests.csv; Table 4 lists each claim's
tests under its heading."""

from __future__ import annotations

from analysis.present import catalogue
from analysis.present.cells import read_tagged
from analysis.present.report.formatter import Formatter
from analysis.present.report.sections.verdicts import claims_table, verdicts_table


def test_one_row_per_claim_with_its_verdict_and_tagged_numbers(small_data):
    data = small_data["en"]
    table = verdicts_table(data, Formatter(data))
    ver = data.tables["verdicts"]
    assert len(table.rows) == len(ver)
    for row, (_, r) in zip(table.rows, ver.iterrows(), strict=True):
        assert row[0].text == catalogue.label("claims", r["claim"], "en")
        assert row[1].text == catalogue.label("verdicts", r["verdict"], "en") and row[1].cls == "verdict"
        tags = read_tagged(str(row[2].html()))
        assert {t.src for t in tags} <= {"verdicts", "claim_tests"} and tags
        assert all(t.key["claim"] == r["claim"] for t in tags)
        assert catalogue.text("verdict_text.caveat", "en") in str(row[2].text)


def test_table_4_groups_the_tests_under_each_claim(small_data):
    data = small_data["sv"]
    table = claims_table(data, Formatter(data))
    ct = data.tables["claim_tests"]
    headings = [r[0] for r in table.rows if r[0].header]
    assert [h.text for h in headings] == [catalogue.label("claims_short", c, "sv") for c in dict.fromkeys(ct["claim"])]
    assert len(table.rows) == len(ct) + len(headings)
    assert all(h.colspan == 6 and h.cls == "group-row" for h in headings)
