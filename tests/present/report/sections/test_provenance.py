"""present.report.sections.provenance: each value of a hand-made provenance.json is shown as recorded and
tagged with its place in the file; the compared wave's files only when there are any."""

from __future__ import annotations

from analysis.present import catalogue
from analysis.present.report.formatter import Formatter
from analysis.present.report.sections.provenance import section_provenance

PROV = {"git_commit": "abc123", "git_dirty": True, "raw_file": "raw.csv", "raw_sha256": None, "python": "3.11.9",
        "environment_sha256": "e" * 64, "processed_sha256": {"analysis.parquet": "f" * 64},
        "params": {"lang": "en", "min_cell": 5, "compare_with": None}, "packages": {"pandas": "2.2.3"}}


def _values(table) -> dict:
    return {r[0].text: r[1] for r in table.rows}


def test_values_are_shown_as_recorded_and_tagged_with_their_place(make_data):
    data = make_data("en")
    tables = section_provenance(data, Formatter(data), PROV)["tables"]
    assert [t.id for t in tables] == ["table-provenance", "table-provenance-files", "table-provenance-params",
                                      "table-provenance-packages"]
    general = _values(tables[0])
    commit = general[catalogue.text("provenance.commit", "en")]
    assert (commit.text, commit.src, commit.key) == ("abc123", "provenance", {"path": ["git_commit"]})
    assert general[catalogue.text("provenance.raw_sha", "en")].text == catalogue.text("provenance.unknown", "en")
    assert general[catalogue.text("provenance.dirty", "en")].text == catalogue.text("provenance.dirty_yes", "en")
    files = _values(tables[1])["analysis.parquet"]
    assert files.key == {"path": ["processed_sha256", "analysis.parquet"]} and files.text == "f" * 64
    assert _values(tables[2])["compare_with"].text == ""  # null shown as nothing
    assert _values(tables[3])["pandas"].key == {"path": ["packages", "pandas"]}


def test_the_compared_waves_files_are_listed_when_there_are_any(make_data):
    data = make_data("sv")
    prov = {**PROV, "compared_sha256": {"analysis.parquet": "0" * 64}, "params": {"compare_with": 2019}}
    tables = section_provenance(data, Formatter(data), prov)["tables"]
    assert tables[2].id == "table-provenance-compared"
    assert tables[2].caption == catalogue.text("provenance.compared", "sv", wave=2019)
