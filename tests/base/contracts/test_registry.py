"""Tests of analysis.base.contracts.registry: every file's contract, the lookups the presentation formats
from, and that reading the contracts costs no pandas or pandera (the runner's no-op path)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analysis.base import contracts
from analysis.base.contracts import registry


def test_the_runner_reads_every_contract_without_pandas_or_pandera():
    code = ("import sys\nfrom analysis.base import contracts, io\n"
            "files = [c.path for c in contracts.CONTRACTS.values() if c.writer == '02_describe']\n"
            "cols = [contracts.columns(n) for n, c in contracts.CONTRACTS.items() if c.spec is not None]\n"
            "heavy = [m for m in ('pandas', 'pandera', 'pyarrow', 'numpy', 'openpyxl') if m in sys.modules]\n"
            "print(len(files), len(cols), heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["6", "16", "[]"]  # 5 tables + describe_summary; 16 tables in all


def test_lookups_give_the_declared_unit_digits_and_order():
    assert contracts.columns("response") == ["grouping", "group", "N", "respondents", "name", "rate", "suppressed",
                                             "data_source"]
    assert contracts.columns("cleaning_log", without=("detail", "column")) == ["step", "action", "count"]
    assert contracts.unit("headline", "se") == "proportion"
    assert contracts.digits("headline", "se") == 2  # its own
    assert contracts.digits("headline", "share_weighted") == 1  # its unit's
    assert contracts.digits("verdicts", "test_alpha") == 4 and contracts.digits("models", "odds_ratio") == 2
    assert contracts.meta("headline", "se") == {"unit": "proportion", "digits": 2}
    assert contracts.meta("headline", "item") == {"unit": "code"}


def test_unknown_names_are_refused_with_what_is_known():
    with pytest.raises(KeyError, match="no contract named 'headlines'; known: analysis, responses"):
        contracts.contract("headlines")
    with pytest.raises(KeyError, match="contract 'headline' has no column 'share'"):
        contracts.unit("headline", "share")
    with pytest.raises(ValueError, match="is a JSON file"):
        contracts.columns("run_info")


def test_every_contract_has_a_home_a_writer_and_keys_among_its_columns():
    for name, c in contracts.CONTRACTS.items():
        assert c.name == name and c.home in ("processed", "output") and c.writer and c.readers
        assert (c.spec is None) == bool(c.json_keys), name  # a table or a JSON file, not both
        if c.table is not None:
            assert set(c.key) <= set(c.table.fields), name


def test_the_codebook_built_table_is_built_once_when_first_asked():
    c = registry.CONTRACTS["analysis"]
    assert callable(c.spec)
    assert c.table is c.table and c.schema is c.schema  # cached
    assert c.table.unique == ["kommunkod"] and not c.table.ordered


def test_every_table_column_declares_a_known_unit():
    for c in contracts.CONTRACTS.values():
        if c.schema is None:
            continue
        for name, col in c.schema.columns.items():
            assert (col.metadata or {}).get("unit") in contracts.UNITS, (c.path, name)
