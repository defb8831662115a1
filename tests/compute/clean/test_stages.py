"""compute/clean/stages: the stages in order, from a raw export to CleanResult (the package's facade), and
clean() as a whole on conftest.hand_made(), a hand-made export with known answers: exact expected values,
headers in any order or case, xlsx, time zones, the synthetic mark."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.base import io
from analysis.base.codebook import default_codebook
from analysis.base.errors import InputError
from analysis.compute import clean
from analysis.compute.clean import stages
from analysis.compute.clean.log import CleaningLog
from conftest import HAND_MADE_AREAS as AREAS
from conftest import hand_made
from conftest import log_count as _log

CB = default_codebook()
H = {v.id: v.header for v in CB.variables}


@pytest.fixture
def result(hand_made_result):
    """The hand-made export cleaned (conftest.hand_made_result)."""
    return hand_made_result


def _export(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Raw headers; every answer 'Nej' or its scale's first label unless a row says otherwise."""
    base = {v.id: next(iter(v.labels)) for v in CB.variables if v.is_coded}
    base.update(started_at="2019-03-01 09:00", ciso_share="", self_rating="", comment="", respondent_name="")
    out = [{**base, **r} for r in rows]
    return pd.DataFrame(out).rename(columns={v.id: v.header for v in CB.variables}).astype("str")


def test_the_facade_is_the_stages_clean():
    assert clean.clean is stages.clean and clean.CleanResult is stages.CleanResult


def test_receive_counts_the_rows_and_refuses_a_header_only():
    log = CleaningLog()
    got = stages.receive(pd.DataFrame({"a": ["1", "2"]}, index=[5, 9]), Path("dir/x.csv"), log)
    assert got.index.tolist() == [0, 1]
    assert log.frame()[["action", "count", "detail"]].values.tolist() == [["rows_read", 2, "data rows in x.csv"]]
    with pytest.raises(InputError, match="header only"):
        stages.receive(pd.DataFrame({"a": []}), Path("x.csv"), CleaningLog())


def test_three_rows_two_municipalities(register):
    raw = _export([
        {"response_id": "A", "submitted_at": "2019-03-02 10:00", "municipality_name": "Ale", "ciso": "Ja",
         "ciso_share": "40"},
        {"response_id": "B", "submitted_at": "2019-03-03 10:00", "municipality_name": "Ale kommun", "ciso": "Nej"},
        {"response_id": "C", "submitted_at": "", "municipality_name": "Bjuv", "respondent_name": "Anna Berg"},
    ])
    r = stages.clean(raw, register, CB, "export.csv", raw_sha256="abc")
    assert r.responses["raw_row"].tolist() == [3] and r.responses["kommunkod"].tolist() == ["1440"]
    assert r.run_info["counts"] == {"rows_read": 3, "rows_dropped": 2, "respondents": 1, "municipalities": 290,
                                    "non_respondents": 289}
    assert r.run_info["raw_sha256"] == "abc" and r.run_info["synthetic"] is False
    a = r.analysis.set_index("kommunkod")
    assert a.loc["1440", "ciso"] == False and a["responded"].sum() == 1  # noqa: E712  (the later submission)
    steps = list(dict.fromkeys(r.log["step"]))
    assert steps == ["read", "columns", "match", "dedup", "map", "result"]
    assert "Anna" not in r.log.to_csv() and "A" not in set(r.log["detail"])


# ---------------------------------------------------------------------------------------------
# the hand-made export: exact expected values
# ---------------------------------------------------------------------------------------------


def test_hand_made_dedup_and_kept_rows(result):
    r = result.responses
    # R01 superseded by R04 (Stockholm, later); R03 never submitted; R05 and R06 (Mönsterås)
    # were submitted at the same time, R06 was started later -> R06 kept.
    # responses are identified by their row in the raw file (R02 is row 3), never by their id
    assert r["raw_row"].tolist() == [3, 5, 7, 8]
    assert r["kommunkod"].tolist() == ["0114", "0180", "0861", "1256"]
    dropped = result.log[result.log["action"].str.startswith("row_dropped")]
    assert dropped["detail"].tolist() == [
        "row 2 (kommunkod 0180): superseded by the later complete submission row 5",
        "row 4 (kommunkod 0184): not submitted (no submission time); municipality has no complete submission",
        "row 6 (kommunkod 0861): superseded by the later complete submission row 7",
    ]
    assert not result.log.astype(str).apply(lambda c: c.str.contains(r"R0\d")).any().any()


def test_hand_made_log_counts(result):
    assert _log(result, "rows_read") == 7
    assert _log(result, "respondents_kept") == 4
    assert _log(result, "rows_dropped") == 3
    assert _log(result, "row_dropped_duplicate") == 2
    assert _log(result, "row_dropped_incomplete") == 1
    # every raw row is accounted for
    assert _log(result, "rows_read") == _log(result, "respondents_kept") + (
        _log(result, "row_dropped_duplicate") + _log(result, "row_dropped_incomplete"))
    assert _log(result, "codes_repaired") == 2  # 114, 180
    assert _log(result, "names_repaired") == 2  # "upplands-väsby  kommun", "MÖNSTERÅS KOMMUN"
    assert _log(result, "matched_by_code") == 5
    assert _log(result, "matched_by_name") == 2
    # "Vet ej" and blank kept apart (kept rows only)
    assert _log(result, "dont_know", "ciso") == 1 and _log(result, "blank", "ciso") == 0
    assert _log(result, "dont_know", "collaboration") == 1 and _log(result, "blank", "collaboration") == 0
    assert _log(result, "dont_know", "resources") == 0 and _log(result, "blank", "resources") == 1
    assert _log(result, "dont_know", "procurement") == 1 and _log(result, "blank", "procurement") == 1
    assert _log(result, "blank", "continuity") == 2
    assert _log(result, "labels_mapped", "ciso") == 3
    assert _log(result, "blank", "ciso_share") == 2
    assert _log(result, "percent_no_sign", "ciso_share") == 1  # 75
    assert _log(result, "fraction", "ciso_share") == 1  # 0,25
    assert _log(result, "blank", "self_rating") == 1
    for pid in ("respondent_name", "respondent_email", "respondent_phone", "respondent_title"):
        assert _log(result, "dropped_personal", pid) == 7
    assert result.log.columns.tolist() == ["step", "action", "column", "count", "detail"]


def test_hand_made_mapped_values(result):
    r = result.responses.set_index(result.responses["raw_row"].map({3: "R02", 5: "R04", 7: "R06", 8: "R07"}))
    assert r.loc["R02", "ciso"] == "Ja"
    assert r.loc["R02", "leadership_informed"] == "Ja, vid behov"
    assert r.loc["R02", "risk_management"] == "Inget arbetssätt"
    assert r.loc["R02", "awareness"] == "Etablerat och följs upp"
    assert pd.isna(r.loc["R02", "collaboration"])
    assert r["ciso_share"].tolist()[:2] == [0.25, 0.75]
    assert r["ciso_share"].isna().tolist() == [False, False, True, True]
    assert r["self_rating"].tolist()[:3] == [4, 5, 1] and pd.isna(r.loc["R07", "self_rating"])
    informed = ["Nej", "Ja, vid behov", "Ja, regelbundet"]
    assert r["leadership_informed"].dtype == pd.CategoricalDtype(informed, ordered=True)
    assert r["ciso"].dtype == pd.CategoricalDtype(["Nej", "Ja"], ordered=False)
    assert r.loc["R04", "submitted_at"] == pd.Timestamp("2019-03-05 08:00")
    assert not set(r.columns) & {v.id for v in CB.personal}
    # free text, ids and the synthetic mark never reach processed data
    assert not set(r.columns) & {"comment", "response_id", "synthetic_marker"}


def test_hand_made_analysis(result, register):
    a = result.analysis
    assert len(a) == 290 and a["kommunkod"].tolist() == sorted(register["kommunkod"])
    assert a["responded"].sum() == 4
    s = a.set_index("kommunkod")
    assert s.loc["0114", "ciso"] == True and s.loc["0861", "ciso"] == False  # noqa: E712
    assert pd.isna(s.loc["1256", "ciso"]) and s.loc["1256", "ciso_dont_know"]
    assert pd.isna(s.loc["0184", "ciso"]) and not s.loc["0184", "ciso_dont_know"]  # non-respondent
    assert s.loc["0114", "leadership_informed"] == False and s.loc["0114", "leadership_informed_level"] == 1  # noqa: E712
    assert s.loc["0180", "leadership_informed"] == True and s.loc["0180", "action_plans"] == True  # noqa: E712
    assert s.loc["0114", "collaboration_dont_know"] and pd.isna(s.loc["0114", "collaboration"])
    assert s.loc["0861", "collaboration"] == True and pd.isna(s.loc["0861", "resources"])  # noqa: E712
    assert not s.loc["0861", "resources_dont_know"]
    assert [s.loc["0114", f"{x}_level"] for x in AREAS[:5]] == [0, 1, 2, 3, 4]
    assert pd.isna(s.loc["0114", "procurement_level"]) and s.loc["0114", "procurement_dont_know"]
    # maturity index: only where all seven areas answered
    assert s.loc["0180", "maturity_index"] == 7
    assert pd.isna(s.loc["0114", "maturity_index"]) and pd.isna(s.loc["0861", "maturity_index"])
    assert s.loc["0114", "ciso_share"] == 0.25 and s.loc["0180", "ciso_share"] == 0.75
    assert s.loc["0180", "self_rating"] == 5
    dtypes = a.dtypes.astype(str).to_dict()
    assert dtypes["kommunkod"] == "str" and dtypes["lan_kod"] == "str" and dtypes["folkmangd"] == "int64"
    assert dtypes["kommungrupp"] == "category" and dtypes["responded"] == "bool"
    for item in ["ciso", "leadership_informed", "action_plans", *AREAS, "resources", "collaboration"]:
        assert dtypes[item] == "boolean", item
    assert dtypes["ciso_share"] == "Float64" and dtypes["self_rating"] == "Int8" and dtypes["maturity_index"] == "Int8"
    assert dtypes["leadership_informed_level"] == "Int8" and dtypes["ciso_dont_know"] == "bool"
    assert "comment" not in a.columns
    assert not a.columns.duplicated().any()


def test_run_info(result):
    info = result.run_info
    assert info["raw_file"] == "hand_made.csv" and info["synthetic"] is False
    assert info["counts"] == {"rows_read": 7, "rows_dropped": 3, "respondents": 4, "municipalities": 290,
                              "non_respondents": 286}


def test_columns_order_and_extra_columns(register, result):
    raw = hand_made()
    raw = raw[list(reversed(raw.columns))]
    raw.insert(3, "Extra fråga", "x")
    raw.columns = [f"  {c} " for c in raw.columns]
    r = clean.clean(raw, register, CB, "x.csv")
    base = result  # the same export as it came (the source's name reaches only the log's text and run_info)
    pd.testing.assert_frame_equal(r.responses, base.responses)
    pd.testing.assert_frame_equal(r.analysis, base.analysis)
    assert _log(r, "dropped_extra", "Extra fråga") == 7


def test_headers_match_ignoring_case(register, result):
    raw = hand_made()
    raw.columns = [c.upper() if i % 2 else c.lower() for i, c in enumerate(raw.columns)]
    r = clean.clean(raw, register, CB, "x.csv")
    pd.testing.assert_frame_equal(r.analysis, result.analysis)


def test_xlsx_export_gives_same_result(tmp_path, register, result):
    path = tmp_path / "hand.xlsx"
    hand_made().to_excel(path, index=False)
    r = clean.clean(io.read_export(path), register, CB, path)
    pd.testing.assert_frame_equal(r.analysis, result.analysis)
    pd.testing.assert_frame_equal(r.responses, result.responses)


def test_clean_is_pure_and_raises_on_header_only(register):
    with pytest.raises(InputError, match="header only"):
        clean.clean(hand_made().iloc[:0], register, CB, "x.csv")


# ---------------------------------------------------------------------------------------------
# the synthetic mark; times with UTC offsets
# ---------------------------------------------------------------------------------------------


def test_renamed_synthetic_export_is_still_marked_synthetic(register):
    from analysis.synthetic import generator as synthetic

    raw, _ = synthetic.generate(register, seed=3)
    assert clean.clean(raw, register, CB, "export_2019.csv").run_info["synthetic"] is True
    real = raw.drop(columns=[CB["synthetic_marker"].header])
    assert clean.clean(real, register, CB, "export_2019.csv").run_info["synthetic"] is False
    assert clean.clean(real, register, CB, "synthetic_x.csv").run_info["synthetic"] is True


def test_times_across_a_daylight_saving_change_are_compared_in_utc(register):
    raw = hand_made()
    # Mönsterås: R05 and R06, submitted on either side of the change of 31 March 2019 (02:00 CET ->
    # 03:00 CEST). R05's local clock reads later, but R06 was submitted later in UTC.
    for rid, sub in (("R05", "2019-03-31T03:30:00+02:00"), ("R06", "2019-03-31T02:45:00+01:00")):
        raw.loc[raw[H["response_id"]] == rid, H["submitted_at"]] = sub
    for rid in ("R01", "R02", "R04", "R07"):
        t = raw.loc[raw[H["response_id"]] == rid, H["submitted_at"]].iloc[0]
        raw.loc[raw[H["response_id"]] == rid, H["submitted_at"]] = t.replace(" ", "T") + ":00+01:00"
    r = clean.clean(raw, register, CB, "tz.csv")
    kept = r.responses.set_index("kommunkod")
    assert kept.loc["0861", "raw_row"] == 7  # R06: 01:45 UTC is later than R05's 01:30 UTC
    assert kept.loc["0861", "submitted_at"] == pd.Timestamp("2019-03-31 01:45", tz="UTC")
    assert str(r.responses["submitted_at"].dtype) == "datetime64[us, UTC]"
    assert "UTC offsets converted to UTC" in " ".join(r.log.loc[r.log["column"] == "submitted_at", "detail"])
