"""base/codebook: the codebooks load, and what they declare about each item (the numbers' rules and
units, the yes/no flags, optional and not-stored columns, the names column) is checked and obeyed; a
broken analysis plan is refused; the published shares equal the public record."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.base import codebook as codebook_mod
from analysis.base import contracts
from analysis.base.codebook import (
    BINARY_ITEMS,
    DEFAULT_PATH,
    HEADLINE_ITEMS,
    PARSE_RULES,
    CodebookError,
    default_codebook,
    load_codebook,
    normalise_label,
)
from analysis.base.errors import InputError
from analysis.base.waves import codebook_for, waves
from analysis.compute import clean


def _raw() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def _variable(raw: dict, vid: str) -> dict:
    return next(v for v in raw["variables"] if v["id"] == vid)


def _load(tmp_path: Path, raw: dict):
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_codebook(path)


@pytest.mark.parametrize("wave", sorted(waves()))
def test_each_wave_declares_the_numbers_rules_and_the_flags(wave):
    cb = codebook_for(wave)
    share, rating = cb["ciso_share"], cb["self_rating"]
    assert (share.parse, share.unit, share.min, share.max, share.stored_range) == ("share", "proportion", 0, 100,
                                                                                   (None, None))
    assert (rating.parse, rating.unit, rating.dtype, rating.stored_range) == ("integer", "count", "integer", (1, 5))
    assert [v.id for v in cb.flags] == list(BINARY_ITEMS)
    assert cb["resources"].flag == cb["collaboration"].flag == (1,)
    assert all(cb[i].flag == cb[i].headline.yes_codes for i in HEADLINE_ITEMS)
    assert {v.id for v in cb.variables if v.optional} == {"municipality_code", "synthetic_marker"}
    assert [v.id for v in cb.personal if v.holds_names] == ["respondent_name"]


def test_normalise_label():
    assert normalise_label("  Ja, VID behov ") == "ja, vid behov" and normalise_label(1) == "1"


def test_the_analysis_contract_takes_units_ranges_and_flags_from_the_codebook():
    assert contracts.unit("analysis", "ciso_share") == "proportion"
    assert contracts.unit("analysis", "self_rating") == "count"
    checks = [c.statistics for c in contracts.contract("analysis").schema.columns["self_rating"].checks]
    assert checks == [{"min_value": 1}, {"max_value": 5}]
    flags = [c for c in contracts.columns("analysis") if contracts.unit("analysis", c) == "flag"
             and not c.endswith("_dont_know") and c != "responded"]
    assert flags == list(BINARY_ITEMS)


def test_a_share_variable_without_the_share_rule_is_refused(tmp_path):
    raw = _raw()
    del _variable(raw, "ciso_share")["parse"]
    with pytest.raises(CodebookError, match="ciso_share: stored as a proportion but written up to 100: declare "
                                            "parse: share"):
        _load(tmp_path, raw)


@pytest.mark.parametrize("vid, change, message", [
    ("ciso_share", {"parse": "percentish"}, "unknown parse rule 'percentish'"),
    ("ciso_share", {"unit": "percent"}, "parse: share stores a fraction"),
    ("self_rating", {"parse": "number"}, "parse: integer and dtype: integer go together"),
    ("self_rating", {"unit": None}, None),
    ("ciso", {"flag": {"yes_codes": [1]}}, "`flag` is for a coded item that is not a headline item"),
    ("resources", {"flag": {"yes_codes": [7]}}, r"yes_codes \[7\] are not codes of its scale"),
    ("resources", {"flag": None}, "the yes/no items"),
    ("ciso", {"holds_names": True}, "only a personal column holds the respondents' names"),
])
def test_a_declaration_that_does_not_fit_is_refused(tmp_path, vid, change, message):
    raw = _raw()
    v = _variable(raw, vid)
    for k, value in change.items():
        if value is None:
            v.pop(k, None)
        else:
            v[k] = value
    with pytest.raises(CodebookError, match=message or "a numeric variable needs"):
        _load(tmp_path, raw)


def test_a_different_declared_rule_changes_what_is_parsed(tmp_path, register):
    """The same answers under `parse: share` (as shipped) and under `parse: number` stored in percent."""
    raw = _raw()
    _variable(raw, "ciso_share").update(parse="number", unit="percent")
    as_percent = _load(tmp_path, raw)
    shipped = codebook_for(2019)
    answers = {"Ale": "50", "Bjuv": "0,5", "Höör": "75"}
    export = pd.DataFrame([{v.header: next(iter(v.labels), "") for v in shipped.variables} for _ in answers])
    export[shipped["response_id"].header] = list("ABC")
    export[shipped["municipality_name"].header] = list(answers)
    export[shipped["municipality_code"].header] = ""
    export[shipped["submitted_at"].header] = "2019-03-01 10:00"
    export[shipped["started_at"].header] = "2019-03-01 09:00"
    export[shipped["self_rating"].header] = "3"
    export[shipped["ciso_share"].header] = list(answers.values())
    export = export.astype("str")
    def shares(cb) -> dict[str, float]:
        r = clean.clean(export, register, cb, "x.csv").responses
        return dict(zip(r["municipality_name"], r["ciso_share"].astype(float), strict=True))

    assert shares(shipped) == {"Ale": 0.5, "Bjuv": 0.5, "Höör": 0.75}
    assert shares(as_percent) == {"Ale": 50.0, "Bjuv": 0.5, "Höör": 75.0}
    log = clean.clean(export, register, as_percent, "x.csv").log
    assert log.loc[log["column"] == "ciso_share", "action"].tolist() == ["numbers_parsed", "blank"]
    export.loc[0, shipped["ciso_share"].header] = "50 %"  # a % sign means something only under the share rule
    with pytest.raises(InputError) as exc:
        clean.clean(export, register, as_percent, "x.csv")
    assert "expected a number from 0 to 100 (or blank); found '50 %'" in str(exc.value)
    assert clean.clean(export, register, shipped, "x.csv").responses["ciso_share"].notna().all()


def test_every_parse_rule_is_named_once():
    assert len(set(PARSE_RULES)) == len(PARSE_RULES) == 3


@pytest.mark.parametrize("change, message", [
    ("  primary: [leadership_informed, ciso]", "must be predictors"),
    ("  predictors: [leadership_informed, action_plans, resources, budget]", "not variables of the codebook"),
    ("  size_term: resources", "size_term names a computed term"),
    ("", "expected the keys"),
])
def test_a_broken_analysis_plan_is_refused(tmp_path, change, message):
    text = default_codebook().path.read_text(encoding="utf-8")
    key = change.split(":")[0] + ":" if change else "  self_rating_predictors:"
    lines = [(change if line.startswith(key) else line) for line in text.splitlines()]
    path = tmp_path / "codebook.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=message):
        codebook_mod.load_codebook(path).analysis_plan()


def test_codebooks_published_shares_equal_the_public_record(csv_rows):
    published = {(int(r["wave"]), r["item"]): float(r["share"]) for r in csv_rows
                 if r["share_is_rounded_to"] == "x_of_10"}
    for wave in (2019, 2023):
        shares = codebook_for(wave).published_shares()
        assert shares, wave
        for item, share in shares.items():
            assert published[(wave, item)] == share, (wave, item)
        assert {i for (w, i) in published if w == wave} == set(shares), wave
