"""Step 01_clean's entry: the processed data it writes, each valid against its contract (conftest.small_run
ran it on the default synthetic export); on conftest.hand_made() and the synthetic export: byte-identical
reruns, no personal data in any file, hostile text, every bad input refused in one line leaving the
earlier output untouched, a wave read through its own codebook (the cleaning itself:
tests/compute/clean/)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.base import contracts, io
from analysis.base.codebook import default_codebook
from analysis.base.errors import InputError
from analysis.base.waves import codebook_for
from analysis.compute import clean
from analysis.compute.clean.log import LOG_COLUMNS
from analysis.run.steps import clean as clean_step
from analysis.run.steps.inputs import written_by
from conftest import hand_made
from conftest import log_count as _log

CB = default_codebook()
H = {v.id: v.header for v in CB.variables}
SEED = 2019


@pytest.fixture
def result(hand_made_result):
    """The hand-made export cleaned (conftest.hand_made_result)."""
    return hand_made_result


def test_it_writes_the_processed_data_each_valid(small_run):
    P = small_run["sv"]
    for name in written_by("01_clean"):
        c = contracts.contract(name)
        if c.path.endswith(".json"):
            data = contracts.read_json(name, P["processed_dir"])
            assert data["counts"]["municipalities"] == 290 and data["synthetic"] is True
        else:
            assert isinstance(contracts.read_table(name, P["processed_dir"]), pd.DataFrame)


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


# ---------------------------------------------------------------------------------------------
# the default synthetic export (the generator of issue 3); no silent loss: every cell that
# becomes missing is in the log
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


# ---------------------------------------------------------------------------------------------
# a wave read through its own codebook
# ---------------------------------------------------------------------------------------------


def test_a_wave_is_read_through_its_own_codebook(register, synthetic_data, reference_dir, tmp_path):
    from analysis.run import params
    from analysis.run.steps import clean as clean_step

    raw, _ = synthetic_data.export(seed=SEED, wave=2023)
    path = io.write_export(raw, tmp_path / "raw" / "synthetic_skr_infosak_2023.csv")
    with pytest.raises(InputError) as err:  # the 2019 codebook does not know the 2023 headers
        clean.clean(io.read_export(path), register, codebook_for(2019), path)
    assert "1. Finns det en utsedd" in err.value.message and "missing from the header row" in err.value.message
    P = params.resolve(params.merge({"wave": 2023, "raw_path": str(path), "reference_dir": str(reference_dir),
                                     "processed_dir": str(tmp_path / "p"), "output_dir": str(tmp_path / "o"),
                                     "lang": "sv", "alpha": 0.05, "seed": SEED, "min_cell": 5, "compare_with": None}))
    res = clean_step.run(P)
    assert res.run_info["survey"] == "skr_infosak_2023" and res.run_info["synthetic"]
    assert int(res.analysis["responded"].sum()) == 255
    # "Ja, minst en gång per år" is the 2023 yes of leadership_informed
    assert res.analysis["leadership_informed"].sum() == (res.responses["leadership_informed"]
                                                         == "Ja, minst en gång per år").sum()
