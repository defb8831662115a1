"""compute.models.matrix: the design matrix's columns, reference levels and indicator values, and the
counts behind each group's row."""

from __future__ import annotations

import pandas as pd

from analysis.compute.models.matrix import design_matrix, group_counts


def _frame():
    return pd.DataFrame({"t": [1.0, 0.0, 1.0, 0.0, 1.0], "huvudgrupp": list("ABCCB"),
                         "kommungrupp": ["B3", "C6", "C6", "C6", "B3"]})


def test_columns_reference_level_and_values():
    X = design_matrix(_frame(), ("t",), "huvudgrupp")
    assert list(X.columns) == ["const", "t", "huvudgrupp_B", "huvudgrupp_C"]  # A is the reference
    assert X["huvudgrupp_B"].tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]
    assert X["huvudgrupp_C"].tolist() == [0.0, 0.0, 1.0, 1.0, 0.0] and (X["const"] == 1.0).all()
    # another grouping: the level with most rows is the reference; or the one given
    assert list(design_matrix(_frame(), ("t",), "kommungrupp").columns) == ["const", "t", "kommungrupp_B3"]
    assert list(design_matrix(_frame(), (), "kommungrupp", reference="B3", const=False).columns) == ["kommungrupp_C6"]
    assert list(design_matrix(_frame(), ("t",), None).columns) == ["const", "t"]


def test_group_counts():
    X = design_matrix(_frame(), ("t",), "huvudgrupp")
    assert group_counts(X) == {"huvudgrupp_B": 2, "huvudgrupp_C": 2}
