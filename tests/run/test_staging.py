"""The runner's folders: its mark, the targets it refuses, the lock of a final folder, the free-space
check, the staging copy and the failed run's notebooks."""

from __future__ import annotations

import os
import shutil
from collections import namedtuple
from pathlib import Path

import pytest

from analysis.run import staging
from analysis.run.errors import FolderError, RunError


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_marked_folder_is_accepted(tmp_path):
    (tmp_path / "out").mkdir()
    staging.mark(tmp_path / "out", "x")
    assert staging.check_target(tmp_path / "out", "output_dir") is True
    assert staging.check_target(tmp_path / "new", "output_dir") is False


def test_the_mark_carries_the_run_id(tmp_path):
    staging.mark(tmp_path, "run-1")
    assert staging.read_mark(tmp_path) == "run-1" and staging.is_marked(tmp_path)
    (tmp_path / staging.MARK_NAME).write_text("written by hand\n")
    assert staging.read_mark(tmp_path) == ""  # a mark, but no run named in it
    assert staging.read_mark(tmp_path / "nowhere") is None and not staging.is_marked(tmp_path / "nowhere")


def test_a_link_to_a_marked_folder_is_not_the_runners(tmp_path):
    (tmp_path / "real").mkdir()
    staging.mark(tmp_path / "real", "x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert not staging.is_marked(tmp_path / "link")
    with pytest.raises(FolderError, match="is a symbolic link"):
        staging.check_target(tmp_path / "link", "output_dir")


def test_unmarked_folders_and_files_are_refused_and_left_alone(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.txt").write_text("years of work")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(FolderError, match="not made by this project's runner"):
        staging.check_target(tmp_path / "mine", "output_dir")
    with pytest.raises(FolderError, match="is a file, not a folder"):
        staging.check_target(tmp_path / "afile", "output_dir")
    with pytest.raises(FolderError, match=r"afile/out: cannot be used \(Not a directory\)"):
        staging.check_target(tmp_path / "afile" / "out", "output_dir")  # its would-be parent is a file
    assert (tmp_path / "mine" / "thesis.txt").read_text() == "years of work"


def test_removing_a_marked_folder_removes_its_mark_last(tmp_path, monkeypatch):
    folder = tmp_path / "out"
    (folder / "tables").mkdir(parents=True)
    (folder / "tables" / "a.csv").write_text("1")
    (folder / "b.txt").write_text("2")
    staging.mark(folder, "x")
    real_rmtree, seen = shutil.rmtree, []

    def rmtree(path, *a, **kw):
        seen.append((Path(path).name, (folder / staging.MARK_NAME).exists()))
        real_rmtree(path, *a, **kw)

    monkeypatch.setattr(staging.shutil, "rmtree", rmtree)
    staging.remove_marked(folder)
    assert not folder.exists() and seen == [("tables", True)]


def test_a_second_lock_on_a_folder_names_the_first_holder(tmp_path):
    final = tmp_path / "out"
    with staging.locked([final]):
        assert staging.lock_path(final).read_text().strip() == str(os.getpid())
        with pytest.raises(FolderError) as exc, staging.locked([final]):
            pass
        assert str(exc.value) == f"another run (pid {os.getpid()}) is using {final}; wait until it has finished"
    assert not staging.lock_path(final).exists()
    with staging.locked([final]):  # released: a later run locks it again
        pass


def test_a_disk_without_room_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.bin").write_bytes(b"0" * 1000)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(staging.shutil, "disk_usage", lambda p: usage(0, 0, staging.MIN_OUTPUT_BYTES))
    with pytest.raises(FolderError, match="not enough free space") as exc:
        staging.check_space([tmp_path / "out"], copy=True)
    assert "MB free" in str(exc.value) and "\n" not in str(exc.value)
    monkeypatch.setattr(staging.shutil, "disk_usage", lambda p: usage(0, 0, 10 * staging.MIN_OUTPUT_BYTES))
    staging.check_space([tmp_path / "out"], copy=True)  # room enough: no error


def test_a_staging_copy_is_the_previous_results_beside_the_final_folder(tmp_path):
    final = tmp_path / "out"
    (final / "tables").mkdir(parents=True)
    (final / "tables" / "a.csv").write_text("1")
    staging.mark(final, "old-run")
    staged = staging.stage(final, "new-run", copy=True)
    assert staged == staging.staging_path(final) and staged.parent == final.parent
    assert staging.read_mark(staged) == "new-run"
    assert {k: v for k, v in _files(staged).items() if k != staging.MARK_NAME} == {"tables/a.csv": b"1"}
    assert staging.stage(final, "forced-run", copy=False) == staged  # again: an empty one, marked
    assert _files(staged) == {staging.MARK_NAME: (staged / staging.MARK_NAME).read_bytes()}
    staging.discard(staged)
    assert not staged.exists() and (final / "tables" / "a.csv").read_text() == "1"


def test_a_copy_that_fails_leaves_no_staging_folder(tmp_path, monkeypatch):
    final = tmp_path / "out"
    final.mkdir()
    (final / "a.csv").write_text("1")

    def full(src, dst):
        raise OSError(28, "No space left on device", dst)

    monkeypatch.setattr(staging, "copy_file", full)
    with pytest.raises(RunError, match="could not copy the previous results .* No space left on device; nothing"):
        staging.stage(final, "run", copy=True)
    assert not staging.staging_path(final).exists()


def test_a_failed_runs_notebooks_are_kept_then_removed_after_a_success(tmp_path):
    final = tmp_path / "out"
    executed = tmp_path / ".out.staging-1" / "executed"
    executed.mkdir(parents=True)
    (executed / "c.ipynb").write_text("{}")
    kept = staging.keep_failed(executed, final, "run-1")
    assert kept == tmp_path / "out.failed" and (kept / "c.ipynb").is_file() and staging.is_marked(kept)
    assert staging.remove_failed(final) is True and not kept.exists()
    assert staging.remove_failed(final) is False
    (tmp_path / "out.failed").mkdir()  # somebody else's folder of that name: never touched
    executed.mkdir()
    assert staging.keep_failed(executed, final, "run-2") is None and (tmp_path / "out.failed").is_dir()
