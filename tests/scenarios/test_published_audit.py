"""Disclosure control of everything published (issue 14, points 5 and 6), on the outputs of a real small
run of every step (conftest.small_run): the audit of the default outputs finds nothing, planted leaks in a
notebook page and the report are caught, and a derivable cell stops the report step.

The audit's parts are tested in tests/compute/disclosure/ (linear bounds, suppression, findings) and
tests/present/test_published.py (cells read back from the files).
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.present import published
from analysis.run.steps import report as report_step


def _units_of(a: pd.DataFrame) -> pd.DataFrame:
    return a[["kommungrupp", "huvudgrupp", "lan_kod"]]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_audit_of_the_default_outputs_finds_nothing(small_run, tmp_path, lang):
    from analysis.base import contracts
    from analysis.present import exports

    P = small_run[lang]
    out = tmp_path / "out"
    shutil.copytree(P["output_dir"], out)
    exports.export_workbook(out / "tables")  # what the runner adds after 04
    recs = published.records(out, lang)
    sources = set(recs["source"])
    assert {"tables/response.csv", "tables.xlsx:response", "report.html", "describe_summary.json"} <= sources
    assert recs["row_suppressed"].any()  # there is something to protect
    units = _units_of(contracts.read_table("analysis", P["processed_dir"]))
    found = published.audit_folder(out, units, P["min_cell"], lang)
    assert found.empty, found.to_string()


def test_audit_catches_a_hidden_cell_shown_in_a_notebook_page_and_the_report(small_run, tmp_path):
    from analysis.base import contracts

    P = small_run["sv"]
    out = tmp_path / "out"
    shutil.copytree(P["output_dir"], out)
    a = contracts.read_table("analysis", P["processed_dir"])
    # a notebook page showing SKR group A1 on its own (the issue: 01's page did)
    resp = a["responded"].astype(bool)
    naive = pd.DataFrame([{"grouping": "kommungrupp", "group": g, "N": len(s), "respondents": int(s.sum())}
                          for g, s in resp.groupby(a["kommungrupp"].astype(str))])
    (out / "notebooks").mkdir(exist_ok=True)
    (out / "notebooks" / "01_clean.html").write_text(f"<html><body>{naive.to_html()}</body></html>", encoding="utf-8")
    # report.html showing Gotland's hidden count
    html = (out / "report.html").read_text(encoding="utf-8")
    html = html.replace("</body>", '<span data-src="response" data-cols="respondents" '
                                   'data-key=\'{"grouping": "lan_kod", "group": "09"}\'>1</span></body>')
    (out / "report.html").write_text(html, encoding="utf-8")
    found = published.audit_folder(out, _units_of(a), 5, "sv")
    kinds = set(zip(found["kind"], found["group"], strict=True))
    assert ("primary", "A1") in kinds
    assert ("shown_elsewhere", "09") in kinds or ("primary", "09") in kinds
    assert "notebooks/01_clean.html" in set(found["source"])


def test_the_report_step_refuses_to_publish_a_derivable_cell(small_run, tmp_path):
    from analysis.base import contracts
    from analysis.base.errors import ContractError

    P = {**small_run["sv"], "output_dir": str(tmp_path / "out")}
    shutil.copytree(small_run["sv"]["output_dir"], P["output_dir"])
    (tmp_path / "out" / "report.html").unlink()
    resp = contracts.read_table("response", P["output_dir"])
    hidden = resp.index[resp["suppressed"] & (resp["grouping"] == "lan_kod")]
    a = contracts.read_table("analysis", P["processed_dir"])
    # undo the complementary suppression of one county: the other becomes derivable
    j = next(i for i in hidden if resp.loc[i, "group"] != "09")
    n = int(a.loc[a["lan_kod"].astype(str) == resp.loc[j, "group"], "responded"].sum())
    resp.loc[j, ["respondents", "rate", "suppressed"]] = [n, n / resp.loc[j, "N"], False]
    contracts.write_table("response", resp, P["output_dir"])
    with pytest.raises(ContractError) as exc:
        report_step.run(P)
    msg = str(exc.value)
    assert "disclosure audit (derivable): response lan_kod 09" in msg and "\n" not in msg
    assert not (tmp_path / "out" / "report.html").exists()
