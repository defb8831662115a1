"""The runner on a tiny four-notebook DAG: order, skipping by content hash, failure, parallelism."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from analysis.run import params as params_mod
from analysis.run import pipeline

PARAMS_SRC = "\n".join(f"{k} = {v!r}" for k, v in {
    "wave": 2019, "raw_path": "raw.txt", "reference_dir": "ref", "processed_dir": "processed",
    "output_dir": "out", "lang": "sv", "alpha": 0.05, "seed": 1, "min_cell": 5, "max_rows": 100000,
    "max_input_mb": 200}.items())

BODIES = {
    # a: processed/a.txt = upper-cased raw file; logs each execution in runs.log (outside outputs)
    "a": "from pathlib import Path\nPath(processed_dir, 'a.txt').write_text(Path(raw_path).read_text().upper())",
    "b": "from pathlib import Path\nPath(output_dir).mkdir(exist_ok=True)\n"
         "Path(output_dir, 'b.txt').write_text(Path(processed_dir, 'a.txt').read_text() + ' b')",
    "c": "from pathlib import Path\nPath(output_dir).mkdir(exist_ok=True)\n"
         "text = Path(processed_dir, 'a.txt').read_text()\n"
         "if 'FAIL' in text:\n    raise ValueError('raw file asks to fail')\n"
         "Path(output_dir, 'c.txt').write_text(text + ' c')",
    "d": "from pathlib import Path\n"
         "Path(output_dir, 'd.txt').write_text(Path(output_dir, 'b.txt').read_text() + '|' + "
         "Path(output_dir, 'c.txt').read_text() + '|' + lang)",
}
LOG = "import time, os\nopen(os.path.join({root!r}, 'runs.log'), 'a').write('{name}\\n')"


def _make_project(tmp: Path) -> Path:
    root = tmp / "proj"
    (root / "notebooks").mkdir(parents=True)
    (root / "params").mkdir()
    (root / "pyproject.toml").write_text("[project]\nname='x'\n")
    (root / "raw.txt").write_text("hello")
    for name, body in BODIES.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        p = nbformat.v4.new_code_cell(PARAMS_SRC)
        p.metadata["tags"] = ["parameters"]
        nb.cells = [p, nbformat.v4.new_code_cell(LOG.format(root=str(root), name=name)),
                    nbformat.v4.new_code_cell(body)]
        nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")
    return root


def _steps(root: Path):
    def out(P, *names, home="output_dir"):
        return [Path(P[home]) / n for n in names]

    return (
        pipeline.Step("a", "notebooks/a.ipynb", "processed", (), ("raw_path",),
                      lambda P: [Path(P["raw_path"])], lambda P: out(P, "a.txt", home="processed_dir")),
        pipeline.Step("b", "notebooks/b.ipynb", "output", ("a",), ("wave",),
                      lambda P: pipeline._files_under(Path(P["processed_dir"])), lambda P: out(P, "b.txt")),
        pipeline.Step("c", "notebooks/c.ipynb", "output", ("a",), ("wave",),
                      lambda P: pipeline._files_under(Path(P["processed_dir"])), lambda P: out(P, "c.txt")),
        pipeline.Step("d", "notebooks/d.ipynb", "output", ("b", "c"), ("lang",),
                      lambda P: [*out(P, "b.txt", "c.txt")], lambda P: out(P, "d.txt")),
    )


def _params(root: Path, **kw) -> dict:
    base = {"wave": 2019, "raw_path": "raw.txt", "reference_dir": "ref", "processed_dir": "processed",
            "output_dir": "out", "lang": "sv", "alpha": 0.05, "seed": 1, "min_cell": 5, "max_rows": 100000,
            "max_input_mb": 200}
    base.update(kw)
    return params_mod.resolve(params_mod.merge(base), root)


def _runs(root: Path) -> list[str]:
    log = root / "runs.log"
    runs = log.read_text().split() if log.exists() else []
    log.unlink(missing_ok=True)
    return sorted(runs)


@pytest.fixture()
def project(tmp_path):
    return _make_project(tmp_path)


def _run(root, P, **kw):
    return pipeline.run(P, root=root, steps=_steps(root), render=False, progress=False, **kw)


def test_runs_in_order_then_skips_unchanged(project):
    P = _params(project)
    status = _run(project, P)
    assert status == {k: "ran" for k in "abcd"}
    assert (project / "out/d.txt").read_text() == "HELLO b|HELLO c|sv"
    assert _runs(project) == ["a", "b", "c", "d"]
    # Nothing changed: no notebook executes.
    assert _run(project, P) == {k: "up to date" for k in "abcd"}
    assert _runs(project) == []
    # A touched file (same content) is not a change; executed notebooks were saved.
    (project / "raw.txt").write_text("hello")
    assert set(_run(project, P).values()) == {"up to date"}
    assert (project / "out/executed/a.ipynb").is_file()


def test_edit_reruns_step_and_dependents_only(project):
    P = _params(project)
    _run(project, P)
    _runs(project)
    nb = nbformat.read(project / "notebooks/b.ipynb", as_version=4)
    nb.cells[2].source += "\n# edited"
    nbformat.write(nb, project / "notebooks/b.ipynb")
    status = _run(project, P)
    assert status == {"a": "up to date", "b": "ran", "c": "up to date", "d": "up to date"}
    # d's inputs (b.txt, c.txt) did not change content, so d is still up to date.
    assert _runs(project) == ["b"]
    # Changing only the language reruns only the last step.
    status = _run(project, _params(project, lang="en"))
    assert status == {"a": "up to date", "b": "up to date", "c": "up to date", "d": "ran"}
    assert (project / "out/d.txt").read_text().endswith("|en")
    # --force reruns everything.
    assert set(_run(project, P, force=True).values()) == {"ran"}


def test_changed_raw_reruns_everything(project):
    P = _params(project)
    _run(project, P)
    (project / "raw.txt").write_text("changed")
    assert set(_run(project, P).values()) == {"ran"}
    assert (project / "out/d.txt").read_text() == "CHANGED b|CHANGED c|sv"


def test_failure_keeps_previous_results_and_names_the_cell(project):
    P = _params(project)
    _run(project, P)
    before = {p: p.read_bytes() for p in (project / "out").rglob("*") if p.is_file()}
    (project / "raw.txt").write_text("please fail")
    with pytest.raises(pipeline.StepFailed) as exc:
        _run(project, P)
    msg = str(exc.value)
    assert msg == "c.ipynb failed in cell 3: ValueError: raw file asks to fail"
    assert exc.value.saved == project / "out.failed" / "c.ipynb" and exc.value.saved.is_file()
    after = {p: p.read_bytes() for p in (project / "out").rglob("*") if p.is_file()}
    assert after == before  # the previous run's results are intact
    assert (project / "processed/a.txt").read_text() == "HELLO"
    assert not list(project.glob(".*staging*"))
    # The failed step (and the steps of the failed run) are not marked up to date.
    (project / "raw.txt").write_text("hello")
    _runs(project)
    assert set(_run(project, P).values()) == {"up to date"}
    (project / "raw.txt").write_text("second")
    status = _run(project, P)
    assert status["c"] == "ran"


def test_parallel_equals_sequential(project, tmp_path):
    P1 = _params(project, output_dir=str(tmp_path / "seq_out"), processed_dir=str(tmp_path / "seq_proc"))
    P2 = _params(project, output_dir=str(tmp_path / "par_out"), processed_dir=str(tmp_path / "par_proc"))
    _run(project, P1, jobs=1)
    _run(project, P2, jobs=4)
    for sub in ("seq_out", "seq_proc"):
        a = {p.relative_to(tmp_path / sub): p.read_bytes() for p in (tmp_path / sub).rglob("*.txt")}
        b = {p.relative_to(tmp_path / sub.replace("seq", "par")): p.read_bytes()
             for p in (tmp_path / sub.replace("seq", "par")).rglob("*.txt")}
        assert a == b and a


def test_record_holds_hash_and_params(project):
    P = _params(project)
    _run(project, P)
    rec = json.loads((project / "out/.pipeline/d.json").read_text())
    assert rec["params"] == {"lang": "sv"} and len(rec["hash"]) == 64


def test_kernels_get_private_socket_paths():
    """Two kernels must never share ipc sockets (the old default 'kernel-ipc' in the cwd raced)."""
    K = pipeline._kernel_manager_class()
    a, b = K(), K()
    assert a.transport == b.transport == "ipc"
    assert Path(a.ip).is_absolute() and a.ip != b.ip
