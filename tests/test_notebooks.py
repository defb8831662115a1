"""Notebooks: committed without outputs, a tagged parameters cell equal to params/default.yaml."""

import ast
import subprocess

import nbformat
import pytest
import yaml

STEPS = ["01_clean", "02_describe", "03_model", "04_report", "05_compare"]


def _tracked_notebooks(root):
    out = subprocess.run(["git", "ls-files", "*.ipynb"], capture_output=True, text=True, cwd=root)
    return [root / p for p in out.stdout.split()] if out.returncode == 0 else sorted(root.glob("notebooks/*.ipynb"))


def test_every_step_notebook_exists(root):
    for s in STEPS:
        assert (root / "notebooks" / f"{s}.ipynb").is_file(), s


def test_notebooks_have_no_outputs(root):
    paths = set(_tracked_notebooks(root)) | set(root.glob("notebooks/*.ipynb"))
    assert paths
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                assert cell.outputs == [], f"{path.name} cell {i} has outputs"
                assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("step", STEPS)
def test_parameters_cell_matches_defaults(root, step):
    nb = nbformat.read(root / "notebooks" / f"{step}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    values = {}
    for node in ast.parse(tagged[0].source).body:
        assert isinstance(node, ast.Assign), "the parameters cell holds assignments only"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    assert values == yaml.safe_load((root / "params/default.yaml").read_text())
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
