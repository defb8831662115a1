"""Notebooks: stored without outputs (the nbstripout git filter), a tagged parameters cell equal to
params/default.yaml, the venv's kernel; the filter makes Run All + save in JupyterLab leave git clean."""

import ast
import json
import re
import shlex
import subprocess

import nbformat
import pytest
import yaml

STEPS = ["01_clean", "02_describe", "03_model", "04_report", "05_compare"]
FIX = ("fix: run `make setup` (it installs the nbstripout git filter), then "
       "`git add --renormalize notebooks/` to store the notebooks stripped")


def _git(root, *args, check=True):
    r = subprocess.run(["git", *args], capture_output=True, cwd=root, check=False)
    if check and r.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {r.stderr.decode()}")
    return r


def _in_git(root) -> bool:
    return subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], capture_output=True, cwd=root,
                          check=False).returncode == 0


def _stored_notebooks(root):
    """(name, text) of every notebook as git stores it (the index, i.e. after the clean filter);
    outside git, the files themselves."""
    if not _in_git(root):
        return [(p.relative_to(root).as_posix(), p.read_text(encoding="utf-8"))
                for p in sorted(root.glob("notebooks/*.ipynb"))]
    names = _git(root, "ls-files", "*.ipynb").stdout.decode().split()
    return [(n, _git(root, "show", f":{n}").stdout.decode("utf-8")) for n in names]


def test_every_step_notebook_exists(root):
    for s in STEPS:
        assert (root / "notebooks" / f"{s}.ipynb").is_file(), s


def test_stored_notebooks_have_no_outputs(root):
    stored = _stored_notebooks(root)
    assert {f"notebooks/{s}.ipynb" for s in STEPS} <= {n for n, _ in stored}
    for name, text in stored:
        nb = nbformat.reads(text, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                assert cell.outputs == [], f"{name}: cell {i + 1} is stored with outputs; {FIX}"
                assert cell.execution_count is None, f"{name}: cell {i + 1} is stored with an execution count; {FIX}"
        assert "language_info" not in nb.metadata, f"{name}: stored with language_info; {FIX}"


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


def test_notebooks_name_the_kernel_make_installs(root):
    """The kernelspec stored is the one `make` registers, so Lab opens the notebooks without a kernel
    dialog and saving does not change their metadata."""
    m = re.search(r'ipykernel install --sys-prefix --name (\S+) --display-name "([^"]+)"',
                  (root / "Makefile").read_text())
    assert m, "the Makefile registers the venv's kernel"
    for path in sorted(root.glob("notebooks/*.ipynb")):
        spec = nbformat.read(path, as_version=4).metadata.get("kernelspec", {})
        assert (spec.get("name"), spec.get("display_name")) == (m[1], m[2]), path.name


def _lab_saved(nb):
    """What JupyterLab writes after Run All + save: outputs, counts, language_info, widget state,
    timing metadata (cell ids and the kernelspec stay)."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata["language_info"] = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                                    "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                                    "pygments_lexer": "ipython3", "version": "3.11.99"}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    for n, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = n + 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x\n"),
                        nbformat.v4.new_output("execute_result", data={"text/plain": "1"}, execution_count=n + 1)]
        cell.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    return nb


def test_git_filter_makes_a_saved_notebook_clean(root, tmp_path):
    """The clean filter `make` installs turns a notebook as Lab saves it back into the stored bytes."""
    if not _in_git(root):
        pytest.skip("not a git work tree: there is no filter to check")
    attr = _git(root, "check-attr", "filter", "notebooks/02_describe.ipynb").stdout.decode()
    assert attr.strip().endswith("nbstripout"), f".gitattributes does not route notebooks through nbstripout: {attr}"
    clean = _git(root, "config", "filter.nbstripout.clean", check=False).stdout.decode().strip()
    assert clean, "the nbstripout git filter is not installed; fix: run `make setup`"
    assert "--keep-id" in clean, f"the filter must keep cell ids: {clean}"
    for step in STEPS:
        stored = _git(root, "show", f":notebooks/{step}.ipynb").stdout
        saved = tmp_path / f"{step}.ipynb"
        nbformat.write(_lab_saved(nbformat.reads(stored.decode(), as_version=4)), saved)
        with open(saved, "rb") as fh:
            out = subprocess.run(shlex.split(clean), stdin=fh, capture_output=True, cwd=root, check=False)
        assert out.returncode == 0, out.stderr.decode()
        assert out.stdout == stored, f"{step}: the filter does not give back the stored notebook; {FIX}"


def test_saving_outputs_in_lab_leaves_git_status_clean(root, tmp_path):
    """git lists a notebook saved with outputs as modified (its size changed) although the filter
    stores the same content; Lab's post-save hook (run.lab.after_save) refreshes git's record then,
    and leaves a real change listed and unstaged."""
    import shutil

    from analysis.run import lab

    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    (repo / ".venv").symlink_to(root / ".venv")
    for name in (".gitattributes", "Makefile", "notebooks/04_report.ipynb"):
        shutil.copy(root / name, repo / name)
    for args in (["init", "-q"], ["config", "user.email", "t@example.org"], ["config", "user.name", "t"]):
        _git(repo, *args)
    made = subprocess.run(["make", "-s", "-o", ".venv/.installed", "git-filter"], cwd=repo, capture_output=True,
                          check=False)
    assert made.returncode == 0, made.stderr.decode()
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "init")
    path = repo / "notebooks" / "04_report.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.write(_lab_saved(nb), path)
    assert _git(repo, "status", "--porcelain").stdout.decode().strip() == "M notebooks/04_report.ipynb"
    assert lab.after_save({"type": "notebook"}, str(path))
    assert _git(repo, "status", "--porcelain").stdout == b""
    nb.cells[-1].source += "\n# an edit"
    nbformat.write(_lab_saved(nb), path)
    assert not lab.after_save({"type": "notebook"}, str(path))
    assert _git(repo, "status", "--porcelain").stdout.decode().strip() == "M notebooks/04_report.ipynb"
    assert _git(repo, "diff", "--cached", "--name-only").stdout == b""  # nothing staged behind the user's back
