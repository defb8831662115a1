"""Tests of analysis.base.contracts.files: what is written is checked first, what is read is checked
after (a broken cell of a real run's table is refused in one line), and a missing file names the step that
writes it."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.base import contracts, io
from analysis.base.errors import ContractError

LOG = pd.DataFrame({"step": ["read", "match"], "action": ["rows_read", "dropped"], "column": [None, "Kommun"],
                    "count": [3, 1], "detail": ["", "=cmd()"]})


def test_a_table_round_trips_through_its_contract(tmp_path):
    path = contracts.write_table("cleaning_log", LOG, tmp_path)
    assert path == tmp_path / "cleaning_log.csv"
    assert path.read_bytes().startswith(b"step,action,column,count,detail\n")  # processed: no BOM
    back = contracts.read_table("cleaning_log", tmp_path)
    assert back["count"].tolist() == [3, 1] and str(back["count"].dtype) == "Int64"
    assert back["detail"].tolist()[1] == "'=cmd()"  # neutralised: a spreadsheet never runs it
    assert pd.isna(back["column"].iloc[0]) and pd.isna(back["detail"].iloc[0])  # "" reads as empty


def test_a_table_that_breaks_its_contract_is_not_written(tmp_path):
    bad = LOG.assign(count=[3, -1])
    with pytest.raises(ContractError, match=r"cleaning_log.csv, row 3, column 'count'"):
        contracts.write_table("cleaning_log", bad, tmp_path)
    assert not (tmp_path / "cleaning_log.csv").exists()


def test_a_missing_file_names_its_writer(tmp_path):
    with pytest.raises(ContractError, match=r"headline.csv: not found \(written by 02_describe; run it first\)"):
        contracts.read_table("headline", tmp_path)
    with pytest.raises(ContractError, match=r"run_info.json: not found \(written by 01_clean"):
        contracts.read_json("run_info", tmp_path)


def test_json_files_need_their_keys_and_are_written_strict(tmp_path):
    info = {"raw_file": "x.csv", "raw_sha256": "ab", "synthetic": True, "counts": {"rows": float("nan")}}
    contracts.write_json("run_info", info, tmp_path)
    assert contracts.read_json("run_info", tmp_path)["counts"] == {"rows": None}
    with pytest.raises(ContractError, match="missing keys raw_sha256, counts"):
        contracts.validate_json("run_info", {"raw_file": "x", "synthetic": True})
    with pytest.raises(ContractError, match="expected a JSON object"):
        contracts.validate_json("run_info", [1, 2])
    with pytest.raises(ValueError, match="use validate_json"):
        contracts.validate("run_info", LOG)
    io.write_text("[]", tmp_path / "run_info.json")
    with pytest.raises(ContractError, match="expected a JSON object"):
        contracts.read_json("run_info", tmp_path)


def test_a_broken_table_is_refused_in_one_line(small_run, tmp_path):
    import shutil

    from analysis.base.errors import ContractError

    P = small_run["sv"]
    out = tmp_path / "reports"
    shutil.copytree(P["output_dir"], out)
    head = pd.read_csv(out / "tables" / "headline.csv", encoding="utf-8-sig")
    head.loc[3, "share_weighted"] = 1.7  # a proportion above 1
    io.write_csv(head, out / "tables" / "headline.csv", excel=True)
    with pytest.raises(ContractError) as err:
        contracts.read_table("headline", out)
    msg = str(err.value)
    assert "\n" not in msg and "headline.csv" in msg and "row 5" in msg and "share_weighted" in msg
