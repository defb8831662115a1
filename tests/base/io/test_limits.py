"""Tests of analysis.base.io.limits: the reading limits are the parameters' defaults, and a refusal
names the limit, its parameter and what was found."""

from __future__ import annotations

import pytest

from analysis.base import io
from analysis.base.errors import InputError
from analysis.base.io import limits


def test_limits_default_to_the_parameters(root):
    import yaml

    defaults = yaml.safe_load((root / "params" / "default.yaml").read_text())
    assert defaults["max_rows"] == io.DEFAULT_MAX_ROWS and defaults["max_input_mb"] == io.DEFAULT_MAX_INPUT_MB


def test_refusals_name_the_limit_its_parameter_and_what_was_found(tmp_path):
    p = tmp_path / "x.csv"
    limits.check_size(p, 2_000_000, 2, "CSV text")  # at the limit: fine
    with pytest.raises(InputError) as exc:
        limits.check_size(p, 2_000_001, 2, "CSV text")
    assert str(exc.value) == f"{p}: expected at most 2 MB of CSV text (parameter max_input_mb); found 2.0 MB"
    limits.check_rows(p, 10, 10)
    with pytest.raises(InputError, match=r"at most 10 data rows \(parameter max_rows\); found 1,234 data rows"):
        limits.check_rows(p, 1234, 10)
    with pytest.raises(InputError, match="found more than 10 data rows"):
        limits.check_rows(p, 11, 10, exact=False)
