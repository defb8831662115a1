"""The cleaning step (issue 4): a hand-made export with known answers, every bad input, PII, reruns.

The synthetic default export is used where the generator exists (tests further down).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.base import io
from analysis.base.codebook import default_codebook
from analysis.base.errors import InputError
from analysis.compute import clean
from analysis.compute.clean.log import LOG_COLUMNS
from analysis.run.steps import clean as clean_step

CB = default_codebook()
H = {v.id: v.header for v in CB.variables}
AREAS = ["risk_management", "classification", "incident_management", "continuity", "awareness", "procurement",
         "follow_up"]
PEOPLE = {
    "R01": ("Anna Andersson", "anna.andersson@stockholm.se", "070-111 11 11", "CISO"),
    "R02": ("Bo Berg", "bo.berg@upplandsvasby.se", "08-222 22 22", "IT-chef"),
    "R03": ("Cecilia Ceder", "cecilia@solna.se", "073-333 33 33", "Säkerhetschef"),
    "R04": ("David Dahl", "david.dahl@stockholm.se", "070-444 44 44", "Informationssäkerhetssamordnare"),
    "R05": ("Eva Ek", "eva.ek@monsteras.se", "0499-555 55", "Kommundirektör"),
    "R06": ("Fredrik Fors", "fredrik.fors@monsteras.se", "0499-666 66", "Arkivarie"),
    "R07": ("Gun Gran", "gun.gran@ostragoinge.se", "044-777 77 77", "Utredare"),
}


def _row(rid, name, code, submitted, started="2019-03-01 09:00", ciso="Ja", share="50 %",
         informed="Ja, regelbundet", plans="Nej", res="Ja", collab="Nej",
         areas=("Etablerat",) * 7, rating="3", comment=""):
    person = PEOPLE[rid]
    d = {
        "response_id": rid, "started_at": started, "submitted_at": submitted,
        "municipality_name": name, "municipality_code": code,
        "respondent_name": person[0], "respondent_email": person[1], "respondent_phone": person[2],
        "respondent_title": person[3],
        "ciso": ciso, "ciso_share": share, "leadership_informed": informed, "action_plans": plans,
        "resources": res, "collaboration": collab, "self_rating": rating, "comment": comment,
    }
    d.update(zip(AREAS, areas, strict=True))
    return {H[k]: v for k, v in d.items()}


def hand_made() -> pd.DataFrame:
    """Seven submissions; the expected result of each is spelt out in test_hand_made_*."""
    rows = [
        _row("R01", "Stockholm", "0180", "2019-03-02 10:00", share="50 %"),
        _row("R02", "upplands-väsby  kommun", "114", "2019-03-02 11:00", ciso=" ja ", share="0,25",
             informed="JA, VID BEHOV", collab="Vet ej", rating="4",
             areas=("Inget arbetssätt", "Under uppbyggnad", "Delvis etablerat", "Etablerat",
                    "Etablerat och följs upp", "Vet ej", "Etablerat")),
        _row("R03", "Solna kommun", "", "", share="10"),
        _row("R04", "Stockholms kommun", "180", "2019-03-05 08:00", share="75", plans="Ja", rating="5",
             comment="Vi arbetar; med =SUM(A1) och <b>HTML</b>"),
        _row("R05", "Mönsterås", "0861", "2019-03-03 12:00", started="2019-03-01 08:00", share="1"),
        _row("R06", "MÖNSTERÅS KOMMUN", "", "2019-03-03 12:00", started="2019-03-01 09:30", share="",
             ciso="Nej", informed="Nej", res="", collab="Ja", rating="1",
             areas=("Etablerat och följs upp",) * 3 + ("", "Etablerat", "Etablerat", "Etablerat")),
        _row("R07", "Östra Göinge", "1256", "2019-03-04 09:00", ciso="Vet ej", share="", informed="Vet ej",
             plans="", rating="", areas=("",) * 7),
    ]
    return pd.DataFrame(rows).astype("str")


@pytest.fixture(scope="module")
def result(register):
    return clean.clean(hand_made(), register, CB, "hand_made.csv")


def _log(result, action, column=""):
    lg = result.log
    sel = lg[(lg["action"] == action) & ((lg["column"] == column) if column else True)]
    return int(sel["count"].sum())


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


# ---------------------------------------------------------------------------------------------
# files: run_step, rerun identity, PII, hostile text, bad input leaves nothing behind
# ---------------------------------------------------------------------------------------------


def _params(tmp_path, raw_path, reference_dir):
    return {"wave": 2019, "raw_path": str(raw_path), "reference_dir": str(reference_dir),
            "processed_dir": str(tmp_path / "processed")}


def _write(df: pd.DataFrame, path, sep=",", encoding="utf-8"):
    path.write_bytes(df.to_csv(index=False, sep=sep, lineterminator="\r\n").encode(encoding))
    return path


def _snapshot(d):
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())} if d.exists() else {}


def test_run_step_writes_contract_files_and_rerun_is_byte_identical(tmp_path, reference_dir, result):
    raw = _write(hand_made(), tmp_path / "hand.csv", sep=";", encoding="cp1252")
    raw_bytes = raw.read_bytes()
    P = _params(tmp_path, raw, reference_dir)
    clean_step.run(P)
    first = _snapshot(tmp_path / "processed")
    assert sorted(first) == ["analysis.parquet", "cleaning_log.csv", "responses.parquet", "run_info.json"]
    clean_step.run(P)
    assert _snapshot(tmp_path / "processed") == first
    assert raw.read_bytes() == raw_bytes
    info = json.loads(first["run_info.json"])
    assert info["raw_sha256"] == io.sha256_file(raw) and info["raw_file"] == "hand.csv"
    resp = pd.read_parquet(tmp_path / "processed" / "responses.parquet")
    assert resp["municipality_name"].tolist()[2] == "MÖNSTERÅS KOMMUN"  # cp1252 decoded, not mangled
    log = pd.read_csv(tmp_path / "processed" / "cleaning_log.csv", dtype={"count": "int64"}, keep_default_na=False)
    assert log.columns.tolist() == LOG_COLUMNS and len(log) == len(result.log)


def test_xlsx_export_gives_same_result(tmp_path, register, result):
    path = tmp_path / "hand.xlsx"
    hand_made().to_excel(path, index=False)
    r = clean.clean(io.read_export(path), register, CB, path)
    pd.testing.assert_frame_equal(r.analysis, result.analysis)
    pd.testing.assert_frame_equal(r.responses, result.responses)


def _pii_strings(raw: pd.DataFrame) -> set[str]:
    cols = [v.header for v in CB.personal if v.id != "respondent_title"]
    return {s for c in cols if c in raw.columns for s in raw[c] if str(s).strip()}


def _assert_no_pii(processed_dir, needles):
    assert needles
    for p in sorted(processed_dir.iterdir()):
        blobs = [p.read_bytes().decode("utf-8", errors="replace")]
        if p.suffix == ".parquet":
            blobs.append(pd.read_parquet(p).astype(str).to_csv())
        for blob in blobs:
            for needle in needles:
                assert needle not in blob, f"personal data found in {p.name}"


def test_no_personal_data_in_outputs_hand_made(tmp_path, reference_dir):
    raw = _write(hand_made(), tmp_path / "hand.csv")
    clean_step.run(_params(tmp_path, raw, reference_dir))
    _assert_no_pii(tmp_path / "processed", _pii_strings(hand_made()))


HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert('x')</script>",
    "=HYPERLINK(\"http://evil\",\"klick\")",
    "+46 =1+2; -3 @SUM",
    "nul\x00byte",
    "ÅÄÖ åäö \"citat\", semikolon; radbrytning\nny rad",
    "NA",
    "x" * 100_000,
]


def test_hostile_free_text_is_read_verbatim_and_not_stored(tmp_path, reference_dir):
    raw = hand_made()
    raw.loc[raw[H["response_id"]] == "R02", H["comment"]] = HOSTILE[4]
    raw.loc[raw[H["response_id"]] == "R04", H["comment"]] = HOSTILE[5]
    raw.loc[raw[H["response_id"]] == "R06", H["comment"]] = HOSTILE[7]
    raw.loc[raw[H["response_id"]] == "R07", H["comment"]] = " | ".join(HOSTILE[:4] + [HOSTILE[6]])
    path = _write(raw, tmp_path / "hostile.csv")
    assert io.read_export(path)[H["comment"]].tolist() == raw[H["comment"]].tolist()
    result = clean_step.run(_params(tmp_path, path, reference_dir))
    resp = pd.read_parquet(tmp_path / "processed" / "responses.parquet")
    assert "comment" not in resp.columns
    assert _log(result, "dropped_free_text", "comment") == 4  # the non-blank comments, counted
    _assert_no_pii(tmp_path / "processed", {"HYPERLINK", "onerror", "radbrytning", "x" * 100})


@pytest.fixture(scope="module")
def earlier_output(tmp_path_factory, reference_dir):
    """The processed folder of a good run of the step on the hand-made export, as {name: bytes}: made
    once, copied into each bad-input test's processed folder before its bad run."""
    d = tmp_path_factory.mktemp("earlier")
    clean_step.run(_params(d, _write(hand_made(), d / "good.csv"), reference_dir))
    return _snapshot(d / "processed")


@pytest.fixture
def bad(tmp_path, reference_dir, earlier_output):
    """bad(name, data=None, df=None): run the step on a bad file over a processed folder holding a
    good run's output; check that output is untouched and no temp file is left; return the message."""
    processed = tmp_path / "processed"
    processed.mkdir()
    for fname, blob in earlier_output.items():
        (processed / fname).write_bytes(blob)
    before = _snapshot(processed)
    assert sorted(before) == ["analysis.parquet", "cleaning_log.csv", "responses.parquet", "run_info.json"]

    def run(name, data: bytes | None = None, df: pd.DataFrame | None = None):
        path = tmp_path / name
        if df is not None:
            _write(df, path)
        else:
            path.write_bytes(data)
        with pytest.raises(InputError) as exc:
            clean_step.run(_params(tmp_path, path, reference_dir))
        assert _snapshot(processed) == before, "earlier processed data changed"
        assert not [p for p in processed.iterdir() if p.name.startswith(".")], "temp files left"
        msg = str(exc.value)
        assert str(path) in msg and "\n" not in msg and len(msg) < 400, msg
        return msg

    return run


def _edit(rid, header_id, value):
    df = hand_made()
    df.loc[df[H["response_id"]] == rid, H[header_id]] = value
    return df


def test_bad_empty_file(bad):
    assert "empty file" in bad("e.csv", b"")


def test_bad_header_only(bad):
    header = ",".join(f'"{c}"' for c in hand_made().columns).encode() + b"\r\n"
    assert "header only" in bad("h.csv", header)


def test_bad_required_column_missing(bad):
    df = hand_made().drop(columns=[H["classification"]])
    msg = bad("m.csv", df=df)
    assert "row 1" in msg and "'7b. Klassning av informationstillgångar'" in msg and "required column" in msg


def test_bad_unknown_label(bad):
    msg = bad("l.csv", df=_edit("R03", "ciso", "Kanske"))
    assert "row 4" in msg and H["ciso"] in msg and "one of: Ja, Nej, Vet ej" in msg and "'Kanske'" in msg


def test_bad_unknown_label_several_rows_and_columns(bad):
    df = _edit("R03", "continuity", "Klart")
    df.loc[df[H["response_id"]] == "R06", H["continuity"]] = "Nja"
    df.loc[df[H["response_id"]] == "R01", H["resources"]] = "Kanske"
    msg = bad("l2.csv", df=df)
    # the first problem column in codebook order is reported in full, the others named
    assert "rows 2" not in msg and "row 2" in msg and H["resources"] in msg
    assert H["continuity"] in msg


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # pyarrow echoing the bad row
def test_bad_encoding(bad):
    data = hand_made().to_csv(index=False).encode("utf-8") + b"R99,\x81\x8d\x90\n"
    assert "UTF-8 or Windows-1252" in bad("enc.csv", data)


@pytest.mark.parametrize("name, code", [("Stokholm", "0180"), ("Solna", "0180"), ("Solna", "9999"),
                                        ("", ""), ("Sthlm", ""), ("Solna", "18x")])
def test_bad_municipality(bad, name, code):
    df = _edit("R03", "municipality_name", name)
    df.loc[df[H["response_id"]] == "R03", H["municipality_code"]] = code
    df.loc[df[H["response_id"]] == "R05", H["municipality_name"]] = "Mönsterås-Kalmar"
    msg = bad("k.csv", df=df)
    assert "rows 4, 6" in msg and "columns Kommun, Kommunkod" in msg and "register" in msg
    assert "'Mönsterås-Kalmar'/'0861'" in msg


def test_bad_duplicate_response_id(bad):
    msg = bad("d.csv", df=_edit("R05", "response_id", "R02"))
    assert "rows 3, 6" in msg and "Svars-ID" in msg and "unique" in msg
    assert "R02" not in msg  # ids are never echoed (they may hold personal data)


def test_bad_blank_response_id(bad):
    msg = bad("b.csv", df=_edit("R05", "response_id", " "))
    assert "row 6" in msg and "Svars-ID" in msg and "non-blank" in msg


@pytest.mark.parametrize("name, data, fragment", [
    ("x.pdf", b"%PDF-1.4 ...", ".csv or .xlsx"),
    ("x.csv", b"%PDF-1.4\n...", "PDF"),
    ("x.csv", b"PK\x03\x04" + bytes(100), "zip"),
    ("x.csv", bytes(range(256)) * 4, "UTF-8 or Windows-1252"),
    ("x.xlsx", b"not a workbook", "xlsx"),
    ("x.json", b"{}", ".csv or .xlsx"),
])
def test_bad_not_csv_or_xlsx(bad, name, data, fragment):
    assert fragment in bad(name, data)


@pytest.mark.parametrize("var, value, expected", [
    ("ciso_share", "150", "a number from 0 to 100"),
    ("ciso_share", "-5 %", "a number from 0 to 100"),
    ("ciso_share", "hälften", "a number from 0 to 100"),
    ("self_rating", "6", "an integer from 1 to 5"),
    ("self_rating", "0", "an integer from 1 to 5"),
    ("self_rating", "3,5", "an integer from 1 to 5"),
    ("submitted_at", "igår", "ISO 8601"),
])
def test_bad_numeric_out_of_range(bad, var, value, expected):
    msg = bad("n.csv", df=_edit("R07", var, value))
    assert "row 8" in msg and H[var] in msg and expected in msg


def test_ragged_row_and_cp1252_body_with_ascii_header(tmp_path, bad):
    df = hand_made()
    df.loc[0, H["comment"]] = "Svår fråga, blåbär"
    path = _write(df, tmp_path / "w.csv", encoding="cp1252")
    assert io.read_export(path)[H["comment"]][0] == "Svår fråga, blåbär"
    ragged = path.read_bytes() + b"R99,x\r\n"
    msg = bad("rag.csv", ragged)
    assert "different number of fields" in msg


def test_clean_is_pure_and_raises_on_header_only(register):
    with pytest.raises(InputError, match="header only"):
        clean.clean(hand_made().iloc[:0], register, CB, "x.csv")


# ---------------------------------------------------------------------------------------------
# the default synthetic export (the generator of issue 3)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory, reference_dir, synthetic_data):
    d = tmp_path_factory.mktemp("synthetic")
    raw, _truth = synthetic_data.export(seed=2019)
    path = d / "synthetic_skr_infosak_2019.csv"
    io.write_export(raw, path, "csv")
    P = {"wave": 2019, "raw_path": str(path), "reference_dir": str(reference_dir),
         "processed_dir": str(d / "processed")}
    result = clean_step.run(P)
    return raw, path, P, result


def test_synthetic_default_counts(synthetic_run):
    raw, _path, P, result = synthetic_run
    assert result.run_info["synthetic"] is True
    assert len(result.responses) == 264
    a = pd.read_parquet(f"{P['processed_dir']}/analysis.parquet")
    assert len(a) == 290 and a["responded"].sum() == 264
    c = result.run_info["counts"]
    assert c["rows_read"] == len(raw) == c["respondents"] + c["rows_dropped"]
    lg = result.log
    dropped = int(lg.loc[lg["action"].str.startswith("row_dropped"), "count"].sum())
    assert int(lg.loc[lg["action"] == "rows_read", "count"].sum()) == 264 + dropped


def test_synthetic_no_personal_data(synthetic_run):
    raw, _path, P, _ = synthetic_run
    from pathlib import Path

    _assert_no_pii(Path(P["processed_dir"]), _pii_strings(raw))


def test_synthetic_rerun_byte_identical(synthetic_run, tmp_path):
    _raw, _path, P, _ = synthetic_run
    from pathlib import Path

    first = _snapshot(Path(P["processed_dir"]))
    clean_step.run({**P, "processed_dir": str(tmp_path / "again")})
    assert _snapshot(tmp_path / "again") == first
    assert np.all([len(b) > 0 for b in first.values()])


def test_renamed_synthetic_export_is_still_marked_synthetic(register):
    from analysis.synthetic import generator as synthetic

    raw, _ = synthetic.generate(register, seed=3)
    assert clean.clean(raw, register, CB, "export_2019.csv").run_info["synthetic"] is True
    real = raw.drop(columns=[CB["synthetic_marker"].header])
    assert clean.clean(real, register, CB, "export_2019.csv").run_info["synthetic"] is False
    assert clean.clean(real, register, CB, "synthetic_x.csv").run_info["synthetic"] is True


# ---------------------------------------------------------------------------------------------
# no silent loss: every cell that becomes missing is in the log; times with UTC offsets
# ---------------------------------------------------------------------------------------------


def test_log_accounts_for_every_missing_cell(synthetic_run):
    """Each column of responses.parquet: its missing cells equal what the log says was set missing."""
    _raw, _path, P, result = synthetic_run
    resp, lg = result.responses, result.log
    kept = len(resp)
    missing_actions = {"dont_know", "blank", "column_absent"}
    checked = 0
    for col in resp.columns:
        if col in ("raw_row", "kommunkod"):
            continue
        rows = lg[lg["column"] == col]
        logged_missing = int(rows.loc[rows["action"].isin(missing_actions), "count"].sum())
        assert int(resp[col].isna().sum()) == logged_missing, col
        if CB[col].is_coded:
            logged = rows.loc[rows["action"].isin({"labels_mapped", "dont_know", "blank"}), "count"].sum()
            assert logged == kept, col
        checked += 1
    assert checked == len(resp.columns) - 2
    assert int(lg.loc[lg["action"] == "dont_know", "count"].sum()) > 0  # the synthetic export has "Vet ej"


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


def test_xlsx_answers_as_formulas_without_saved_values_stop_the_run(tmp_path, reference_dir, synthetic_data):
    """The issue's case: 134 CISO answers written as formulas by a program that saves no results
    were read as blanks and the run succeeded; now the step stops naming the rows and the column."""
    from openpyxl import load_workbook

    raw, _ = synthetic_data.export(seed=2019)
    path = io.write_export(raw, tmp_path / "export.xlsx", "xlsx")
    wb = load_workbook(path)
    ws = wb.active
    col = [c.value for c in ws[1]].index(H["ciso"]) + 1
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, col).value == "Ja"][:134]
    for r in rows:
        ws.cell(r, col).value = '=IF(TRUE,"Ja","Nej")'
    wb.save(path)
    with pytest.raises(InputError) as exc:
        clean_step.run(_params(tmp_path, path, reference_dir))
    msg = str(exc.value)
    assert f"rows {rows[0]}, {rows[1]}" in msg and f"column {H['ciso']!r}" in msg
    assert "134 formula cell(s) without a saved result" in msg and "\n" not in msg
    assert not (tmp_path / "processed").exists()
