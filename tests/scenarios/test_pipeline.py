"""The runner on a tiny four-notebook DAG (tests/fakedag.py), in real kernels: order, skipping by content
hash, outputs changed behind the runner's back, failure, parallelism, marks, locks, leftovers, the
swap after a crash, and the kernels started ahead."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from analysis.base.io import write_json
from analysis.run import kernels as run_kernels
from analysis.run import pipeline, provenance, staging, swap
from analysis.run.errors import FolderError, RunError, StepFailed
from fakedag import make_project
from fakedag import params as _params
from fakedag import run as _run
from fakedag import runs as _runs


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A project after one complete run on raw "hello" (copied by each test that needs one)."""
    root = make_project(tmp_path_factory.mktemp("built"))
    assert set(_run(root, _params(root)).values()) == {"ran"}
    _runs(root)
    return root


@pytest.fixture()
def project(tmp_path):
    return make_project(tmp_path)


@pytest.fixture()
def done(built, tmp_path):
    """A fresh copy of the built project: everything up to date."""
    root = tmp_path / "proj"
    shutil.copytree(built, root, symlinks=True)
    return root


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


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


def test_a_copied_project_is_up_to_date(done):
    assert set(_run(done, _params(done)).values()) == {"up to date"}
    assert _runs(done) == []


def test_edit_reruns_step_and_dependents_only(done):
    P = _params(done)
    nb = nbformat.read(done / "notebooks/b.ipynb", as_version=4)
    nb.cells[2].source += "\n# edited"
    nbformat.write(nb, done / "notebooks/b.ipynb")
    status = _run(done, P)
    assert status == {"a": "up to date", "b": "ran", "c": "up to date", "d": "up to date"}
    # d's inputs (b.txt, c.txt) did not change content, so d is still up to date.
    assert _runs(done) == ["b"]
    # Changing only the language reruns only the last step.
    status = _run(done, _params(done, lang="en"))
    assert status == {"a": "up to date", "b": "up to date", "c": "up to date", "d": "ran"}
    assert (done / "out/d.txt").read_text().endswith("|en")
    # --force reruns everything.
    assert set(_run(done, P, force=True).values()) == {"ran"}


def test_changed_raw_reruns_everything(done):
    (done / "raw.txt").write_text("changed")
    assert set(_run(done, _params(done)).values()) == {"ran"}
    assert (done / "out/d.txt").read_text() == "CHANGED b|CHANGED c|sv"


def test_failure_keeps_previous_results_and_names_the_cell(done):
    P = _params(done)
    before = _files(done / "out")
    (done / "raw.txt").write_text("please fail")
    with pytest.raises(StepFailed) as exc:
        _run(done, P)
    assert str(exc.value) == "c.ipynb failed in cell 3: ValueError: raw file asks to fail"
    assert exc.value.saved == done / "out.failed" / "c.ipynb" and exc.value.saved.is_file()
    assert _files(done / "out") == before  # the previous run's results are intact
    assert (done / "processed/a.txt").read_text() == "HELLO"
    assert sorted(p.name for p in done.iterdir() if p.name.startswith(".")) == []  # no staging, no lock
    # The failed step (and the steps of the failed run) are not marked up to date.
    (done / "raw.txt").write_text("hello")
    _runs(done)
    assert set(_run(done, P).values()) == {"up to date"}
    assert not (done / "out.failed").exists()  # a later success removes the failed run's notebooks
    (done / "raw.txt").write_text("second")
    assert _run(done, P)["c"] == "ran"


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


def test_record_holds_hash_params_and_output_digests(done):
    rec = json.loads((done / "out/.pipeline/d.json").read_text())
    assert rec["params"] == {"lang": "sv"} and len(rec["hash"]) == 64
    assert rec["products"] == {
        "output_dir/d.txt": provenance_sha(done / "out/d.txt"),
        "output_dir/executed/d.ipynb": provenance_sha(done / "out/executed/d.ipynb"),
    }
    rec_a = json.loads((done / "processed/.pipeline/a.json").read_text())
    assert set(rec_a["products"]) == {"processed_dir/a.txt", "output_dir/executed/a.ipynb"}


def provenance_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------- 13.1: outputs changed by hand
def test_an_output_rewritten_by_hand_reruns_its_step(done, capsys):
    """Someone ran b by hand and rewrote b.txt: the runner says so, reruns b and restores b.txt;
    d read the restored bytes before, so it stays up to date."""
    P = _params(done)
    (done / "out/b.txt").write_text("HAND-MADE b")
    capsys.readouterr()
    status = _run(done, P)
    assert status == {"a": "up to date", "b": "ran", "c": "up to date", "d": "up to date"}
    assert "[b] output_dir/b.txt differs from what the runner wrote; running the step again" in capsys.readouterr().out
    assert (done / "out/b.txt").read_text() == "HELLO b"
    assert _runs(done) == ["b"]


def test_a_processed_file_rewritten_by_hand_reruns_the_first_step(done):
    """01 run by hand on another raw file rewrote the processed data: a reruns and restores it."""
    P = _params(done)
    (done / "processed/a.txt").write_text("OTHER RAW FILE")
    assert _run(done, P)["a"] == "ran"
    assert (done / "processed/a.txt").read_text() == "HELLO"
    assert (done / "out/d.txt").read_text() == "HELLO b|HELLO c|sv"


def test_a_deleted_executed_notebook_reruns_its_step(done, capsys):
    (done / "out/executed/c.ipynb").unlink()
    capsys.readouterr()
    assert _run(done, _params(done))["c"] == "ran"
    assert "[c] output_dir/executed/c.ipynb is missing; running the step again" in capsys.readouterr().out
    assert (done / "out/executed/c.ipynb").is_file()


def test_files_a_step_no_longer_writes_are_removed_when_it_reruns(done):
    P = _params(done)
    (done / "raw.txt").write_text("big:1")
    _run(done, P)
    assert (done / "out/big.bin").stat().st_size == 1 << 20
    (done / "raw.txt").write_text("small")
    _run(done, P)
    assert not (done / "out/big.bin").exists()
    assert (done / "out/c.txt").read_text() == "SMALL c"


def test_an_upgraded_package_reruns_every_step(done, monkeypatch, tmp_path):
    """The installed package set is part of every step's hash: a distribution with another version
    in the interpreter's site-packages changes the digest, and the run reruns everything."""
    site = tmp_path / "site"
    dist = site / "somepkg-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: somepkg\nVersion: 1.0\n")
    real = provenance.site_paths()
    monkeypatch.setattr(provenance, "site_paths", lambda: [*real, str(site)])
    assert provenance.installed_packages()["somepkg"] == "1.0"
    P = _params(done)
    assert set(_run(done, P).values()) == {"ran"}  # a package was added
    assert set(_run(done, P).values()) == {"up to date"}
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: somepkg\nVersion: 1.1\n")
    dist.rename(site / "somepkg-1.1.dist-info")
    assert set(_run(done, P).values()) == {"ran"}  # it was upgraded


# ------------------------------------------------------------------- 14.1: marks and locks
def test_results_folders_carry_the_mark(done):
    for folder in ("out", "processed"):
        assert staging.is_marked(done / folder)
        assert "python -m analysis run" in (done / folder / staging.MARK_NAME).read_text()


@pytest.mark.parametrize("force", [False, True])
def test_an_existing_folder_without_the_mark_is_refused_and_untouched(project, tmp_path, force):
    mine = tmp_path / "my_documents"
    (mine / "sub").mkdir(parents=True)
    (mine / "thesis.txt").write_text("years of work")
    (mine / "sub" / "data.csv").write_text("1,2")
    before = _files(mine)
    for key in ("output_dir", "processed_dir"):
        with pytest.raises(FolderError) as exc:
            _run(project, _params(project, **{key: str(mine)}), force=force)
        msg = str(exc.value)
        assert "\n" not in msg and str(mine) in msg and "not made by this project's runner" in msg
        assert _files(mine) == before and sorted(p.name for p in mine.iterdir()) == ["sub", "thesis.txt"]
    assert _runs(project) == []  # refused before any notebook ran
    assert not list(tmp_path.glob(".my_documents*"))  # no lock or staging beside it


def test_an_empty_folder_without_the_mark_is_refused(project, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FolderError, match="not made by this project's runner"):
        _run(project, _params(project, output_dir=str(tmp_path / "empty")))
    assert list((tmp_path / "empty").iterdir()) == []


def test_output_path_that_is_a_file_or_a_symlink_is_refused(done, tmp_path):
    P = _params(done)
    target = done / "out"
    before = _files(target)
    (tmp_path / "file").write_text("x")
    with pytest.raises(FolderError, match="is a file, not a folder"):
        _run(done, _params(done, output_dir=str(tmp_path / "file")))
    assert (tmp_path / "file").read_text() == "x"
    link = tmp_path / "link"
    link.symlink_to(target)  # even a link to the runner's own marked folder
    with pytest.raises(FolderError, match="is a symbolic link"):
        _run(done, _params(done, output_dir=str(link)))
    assert link.is_symlink() and _files(target) == before
    assert set(_run(done, P).values()) == {"up to date"}


def test_a_second_run_on_the_same_folder_stops_with_the_first_runs_pid(done):
    P = _params(done)
    with staging.locked([Path(P["output_dir"])]):
        lock = staging.lock_path(Path(P["output_dir"]))
        assert lock.read_text().strip() == str(os.getpid())
        with pytest.raises(FolderError) as exc:
            _run(done, P)
    assert str(exc.value) == f"another run (pid {os.getpid()}) is using {P['output_dir']}; wait until it has finished"
    assert _runs(done) == []
    assert not lock.exists()  # released and removed
    assert set(_run(done, P).values()) == {"up to date"}


def test_leftovers_of_interrupted_runs_are_removed(done, capsys):
    """Staging and old folders of dead runs (marked, or empty), and a stale .failed folder, are
    removed by the next run; a look-alike folder without the mark is left alone."""
    P = _params(done)
    for name in (".out.staging-999999", ".out.old-999998", ".processed.staging-999997"):
        d = done / name
        (d / "tables").mkdir(parents=True)
        (d / "tables" / "x.csv").write_text("1")
        staging.mark(d, "dead-run")
    (done / ".out.staging-999996").mkdir()  # killed between mkdir and mark
    alien = done / ".out.staging-123"
    alien.mkdir()
    (alien / "notes.txt").write_text("not the runner's")
    failed = done / "out.failed"
    failed.mkdir()
    staging.mark(failed, "dead-run")
    (done / "raw.txt").write_text("new")  # a run that succeeds
    _run(done, P)
    left = sorted(p.name for p in done.iterdir() if p.name.startswith(".") or p.name.endswith(".failed"))
    assert left == [".out.staging-123"]
    assert (alien / "notes.txt").read_text() == "not the runner's"
    out = capsys.readouterr().out
    assert "removed .out.staging-999999, left beside out by an interrupted run" in out


def test_a_committed_swap_is_completed_by_the_next_run(done):
    """The journal is the commit point: staged folders named in it replace the final ones at
    the next run, even when the process died right after writing it."""
    P = _params(done)
    (done / "raw.txt").write_text("new")
    finals = [Path(P["processed_dir"]), Path(P["output_dir"])]
    # Build new results in staging exactly as a run would, then "die" after the journal.
    stages = {}
    for f in finals:
        stages[f] = staging.stage(f, "run-x", copy=True)
    (stages[finals[0]] / "a.txt").write_text("NEW")
    (stages[finals[1]] / "d.txt").write_text("NEW d")
    journal = swap.journal_path(finals[1])
    write_json({"run": "run-x", "pairs": [[str(stages[f]), str(f)] for f in finals]}, journal)
    notes = swap.recover(finals, journal)
    assert (done / "processed/a.txt").read_text() == "NEW" and (done / "out/d.txt").read_text() == "NEW d"
    assert staging.read_mark(done / "out") == "run-x" and not journal.exists()
    assert notes and not [p for p in done.iterdir() if ".staging-" in p.name]


def test_swap_without_atomic_exchange_also_recovers(done, monkeypatch):
    """On a system without renameat2's exchange the swap is two renames; a crash between them
    leaves no final folder, and the journal lets the next run put the new one in place."""
    monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    P = _params(done)
    (done / "raw.txt").write_text("two renames")
    assert set(_run(done, P).values()) == {"ran"}
    assert (done / "out/d.txt").read_text() == "TWO RENAMES b|TWO RENAMES c|sv"
    final = Path(P["output_dir"])
    new = staging.stage(final, "run-y", copy=True)
    os.rename(final, final.parent / f".{final.name}.old-1")  # the crash: old moved away, new not yet in place
    journal = swap.journal_path(final)
    write_json({"run": "run-y", "pairs": [[str(new), str(final)]]}, journal)
    swap.recover([final], journal)
    assert staging.read_mark(final) == "run-y" and (final / "d.txt").is_file()
    assert not [p for p in done.iterdir() if ".old-" in p.name or ".staging-" in p.name]


def test_a_disk_that_fills_while_copying_leaves_no_staging_copy(done, monkeypatch):
    """The free-space check passed but the disk filled while the previous results were copied:
    one line, the partial copy removed, nothing else changed."""
    import errno

    calls = []

    def full(src, dst):
        calls.append(src)
        if len(calls) > 2:
            raise OSError(errno.ENOSPC, "No space left on device", dst)
        shutil.copy2(src, dst)

    monkeypatch.setattr(staging, "copy_file", full)
    before = _files(done / "out")
    (done / "raw.txt").write_text("new")
    with pytest.raises(RunError) as exc:
        _run(done, _params(done))
    assert str(exc.value).startswith("could not copy the previous results")
    assert "No space left on device" in str(exc.value)
    assert "\n" not in str(exc.value)
    assert sorted(p.name for p in done.iterdir() if p.name.startswith(".")) == []
    assert _files(done / "out") == before and _runs(done) == []


# ------------------------------------------------------------------------ kernels started ahead
@pytest.fixture()
def kernels(monkeypatch):
    """Every kernel manager the runner makes during the test (started ahead or not)."""
    made = []
    real = run_kernels.kernel_manager_class

    def recorded(*args, **kwargs):
        K = real(*args, **kwargs)

        class Recorded(K):
            def __init__(self, *a, **kw):
                super().__init__(*a, **kw)
                made.append(self)

        return Recorded

    monkeypatch.setattr(run_kernels, "kernel_manager_class", recorded)
    return made


def _left_behind(kernels) -> list[str]:
    """Kernel processes still running, and their socket or connection files still on disk."""
    left = []
    for km in kernels:
        proc = getattr(km, "runner_process", None)
        if proc is not None and proc.poll() is None:
            left.append(f"process {proc.pid}")
        left += [str(p) for p in Path(km.ip).parent.glob(Path(km.ip).name + "-*")]
        if km.connection_file and Path(km.connection_file).exists():
            left.append(km.connection_file)
    return left


def test_kernels_started_for_steps_that_turn_out_up_to_date_are_closed(done, kernels):
    # raw "Hello": a reruns and writes the same a.txt, so b, c and d, expected to run, are up to date
    (done / "raw.txt").write_text("Hello")
    status = _run(done, _params(done), jobs=2)
    assert status == {"a": "ran", "b": "up to date", "c": "up to date", "d": "up to date"}
    assert _runs(done) == ["a"]
    assert len(kernels) >= 3  # a's, and b's and c's started ahead (jobs + 1 at once)
    assert _left_behind(kernels) == []


def test_kernels_started_ahead_are_closed_when_a_step_fails(done, kernels):
    (done / "raw.txt").write_text("fail")
    with pytest.raises(StepFailed, match="c.ipynb failed in cell 3"):
        _run(done, _params(done), jobs=2)
    assert "d" not in _runs(done)
    assert len(kernels) >= 3
    assert _left_behind(kernels) == []


def test_the_warm_up_leaves_no_trace_in_the_executed_notebooks(project):
    """Each kernel imports its step's modules before the notebook starts; what that prints, and a
    module that does not exist, show nowhere in the notebook, whose cells are its own, counted from 1."""
    import dataclasses

    import fakedag

    (project / "notebooks" / "warm_noise.py").write_text(
        "import sys\nprint('WARM-UP OUTPUT')\nprint('WARM-UP ERROR', file=sys.stderr)\n"
        "open('../runs.log', 'a').write('warm\\n')\n")
    steps = tuple(dataclasses.replace(s, warm=("warm_noise", "no_such_module")) for s in fakedag.steps())
    pipeline.run(_params(project), root=project, steps=steps, render=False, progress=False)
    assert _runs(project) == sorted([*"abcd", *["warm"] * 4])  # imported once in each step's kernel
    for name in "abcd":
        source = nbformat.read(project / "notebooks" / f"{name}.ipynb", as_version=4)
        nb = nbformat.read(project / "out" / "executed" / f"{name}.ipynb", as_version=4)
        text = nbformat.writes(nb)
        for trace in ("WARM-UP", "warm_noise", "_analysis_warm_up", "no_such_module"):
            assert trace not in text
        own = [c.source for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
        assert own == [c.source for c in source.cells]
        assert [c.execution_count for c in nb.cells] == list(range(1, len(nb.cells) + 1))


def test_a_kernel_that_fails_to_start_is_replaced_once(done, kernels, monkeypatch, capsys):
    real, failed = run_kernels.start_kernel, []

    def start(step, *args, **kwargs):
        if step.name == "b" and not failed:
            failed.append(step.name)
            raise RuntimeError("no kernel today")
        return real(step, *args, **kwargs)

    monkeypatch.setattr(run_kernels, "start_kernel", start)
    assert set(_run(done, _params(done), force=True).values()) == {"ran"}
    assert failed == ["b"] and _runs(done) == ["a", "b", "c", "d"]
    assert "[b] the kernel did not start (RuntimeError: no kernel today); retrying once" in capsys.readouterr().out
    assert _left_behind(kernels) == []
