"""The runner's orchestration without kernels: the no-op run (every step up to date: nothing staged,
nothing started), a refused folder before anything runs, and the one line an abandoned run shows.
The runs that start kernels are tests/scenarios/test_pipeline.py."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from analysis.base.io import write_json
from analysis.run import dag, pipeline, provenance, staging
from analysis.run.errors import Cancelled, FolderError, RunError, StepFailed


@pytest.fixture()
def ran(tmp_path):
    """A project whose one step ran: its output and record in marked folders."""
    root = tmp_path / "proj"
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks" / "x.ipynb").write_text("{}")
    (root / "raw.txt").write_text("hello")
    P = {"processed_dir": str(root / "processed"), "output_dir": str(root / "out"), "raw_path": str(root / "raw.txt"),
         "reference_dir": str(root / "ref"), "lang": "sv"}
    step = dag.Step("x", "notebooks/x.ipynb", "output", (), ("lang",), lambda P: [Path(P["raw_path"])],
                    lambda P: [Path(P["output_dir"]) / "x.txt"])
    for folder in ("processed", "out"):
        (root / folder).mkdir()
        staging.mark(root / folder, "earlier-run")
    (root / "out" / "x.txt").write_text("X")
    finals = (root / "processed", root / "out")
    digest = dag.step_hash(step, dag.logical(P, root), P, root, dag.code_digest(root),
                           provenance.git_state(root, finals))
    write_json({"step": "x", "hash": digest, "products": dag.products_digest(step, P, render=False)},
               dag.record_path(P, step))
    return root, P, (step,)


def _names(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


def test_the_no_op_run_stages_nothing_and_starts_no_kernel(ran, capsys, monkeypatch):
    root, P, steps = ran
    monkeypatch.setattr(pipeline.kernels, "Warmer", None)  # a kernel would need it
    before = _names(root)
    assert pipeline.run(P, root=root, steps=steps, progress=False) == {"x": "up to date"}
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "[x] up to date" and out[-1].endswith("s (nothing to do)")
    assert _names(root) == before  # no staging folder, no lock left
    assert staging.read_mark(root / "out") == "earlier-run"  # nothing swapped


def test_a_stale_failed_folder_is_removed_by_a_run_that_succeeds(ran, capsys):
    root, P, steps = ran
    (root / "out.failed").mkdir()
    staging.mark(root / "out.failed", "failed-run")
    pipeline.run(P, root=root, steps=steps, progress=False)
    assert not (root / "out.failed").exists()
    assert "note: removed out.failed (a failed run's notebooks; this run succeeded)" in capsys.readouterr().out


def test_a_folder_the_runner_did_not_make_is_refused_before_anything(ran, tmp_path):
    root, P, steps = ran
    (tmp_path / "mine").mkdir()
    with pytest.raises(FolderError, match="not made by this project's runner"):
        pipeline.run(dict(P, output_dir=str(tmp_path / "mine")), root=root, steps=steps, progress=False)
    assert list((tmp_path / "mine").iterdir()) == [] and not list(tmp_path.glob(".mine*"))


def test_an_abandoned_run_says_why_in_one_line():
    failed = StepFailed("c.ipynb failed in cell 3: ValueError: no", Path("/x/c.ipynb"))
    assert pipeline._error_for(failed) is failed
    assert str(pipeline._error_for(KeyboardInterrupt())) == "interrupted"
    assert str(pipeline._error_for(Cancelled("b cancelled"))) == "interrupted"
    full = OSError(errno.ENOSPC, "No space left on device", "/data/.out.staging-12/tables/a.csv")
    assert str(pipeline._error_for(full)) == ("the runner could not write the results: No space left on device "
                                              "(/data/out/tables/a.csv)")  # the staging folder by its final name
    bug = pipeline._error_for(ValueError("x"))
    assert type(bug) is RunError and str(bug) == "the run failed outside the notebooks: ValueError: x"
