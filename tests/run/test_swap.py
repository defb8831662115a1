"""The swap of staged results into place: atomic where the system can, committed by its journal, and
completed (or cleaned up) by the next run after a crash."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from analysis.base.io import write_json
from analysis.run import staging, swap


def _results(folder: Path, run_id: str, word: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "d.txt").write_text(word)
    staging.mark(folder, run_id)
    return folder


def test_exchange_is_atomic_on_this_system(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("a")
    (b / "x").write_text("b")
    assert swap.exchange(a, b) is True  # Linux ext4/tmpfs/xfs/btrfs: one system call
    assert (a / "x").read_text() == "b" and (b / "x").read_text() == "a"


def test_commit_puts_every_staged_folder_in_place_and_removes_the_old(tmp_path):
    finals = [_results(tmp_path / "processed", "old", "OLD"), _results(tmp_path / "out", "old", "OLD")]
    pairs = [(_results(staging.staging_path(f), "new", "NEW"), f) for f in finals]
    journal = swap.journal_path(finals[1])
    assert swap.commit(pairs, journal, "new") == []
    for final in finals:
        assert (final / "d.txt").read_text() == "NEW" and staging.read_mark(final) == "new"
    assert not journal.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["out", "processed"]


def test_two_renames_where_the_system_cannot_exchange(tmp_path, monkeypatch):
    monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    final = _results(tmp_path / "out", "old", "OLD")
    swap.swap_one(_results(staging.staging_path(final), "new", "NEW"), final, "new")
    assert (final / "d.txt").read_text() == "NEW" and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_swap_already_done_is_not_done_twice(tmp_path):
    """After a crash between the exchange and the removal, the final folder holds the new results
    and the staging name the old ones: completing the swap only removes the old ones."""
    final = _results(tmp_path / "out", "new", "NEW")
    old = _results(staging.staging_path(final), "old", "OLD")
    swap.swap_one(old, final, "new")
    assert (final / "d.txt").read_text() == "NEW" and not old.exists()


def test_the_next_run_completes_a_committed_swap(tmp_path):
    final = _results(tmp_path / "out", "old", "OLD")
    staged = _results(staging.staging_path(final), "run-x", "NEW")
    journal = swap.journal_path(final)
    write_json({"run": "run-x", "pairs": [[str(staged), str(final)]]}, journal)
    notes = swap.recover([final], journal)
    assert (final / "d.txt").read_text() == "NEW" and not journal.exists()
    assert notes == [f"completed the swap of {final} that an interrupted run had committed"]


def test_a_broken_journal_is_dropped_and_leftovers_of_dead_runs_removed(tmp_path):
    final = _results(tmp_path / "out", "old", "OLD")
    journal = swap.journal_path(final)
    journal.write_text("{not json")
    _results(tmp_path / ".out.staging-999", "dead", "HALF")
    (tmp_path / ".out.old-998").mkdir()  # killed between mkdir and mark
    alien = tmp_path / ".out.staging-123"
    alien.mkdir()
    (alien / "notes.txt").write_text("not the runner's")
    notes = swap.recover([final], journal)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.staging-123", "out"]
    assert (final / "d.txt").read_text() == "OLD" and len(notes) == 2
    assert "removed .out.old-998, left beside out by an interrupted run" in notes


def test_signals_are_held_back_during_a_critical_section():
    before = signal.getsignal(signal.SIGTERM)
    with swap.signals_deferred() as got:
        os.kill(os.getpid(), signal.SIGTERM)
    assert got == [signal.SIGTERM] and signal.getsignal(signal.SIGTERM) is before


def test_the_journal_names_every_pair(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(swap, "swap_one", lambda s, f, r: seen.append(json.loads(journal.read_text())))
    journal = swap.journal_path(tmp_path / "out")
    swap.commit([(tmp_path / "a", tmp_path / "out")], journal, "r")
    assert seen == [{"run": "r", "pairs": [[str(tmp_path / "a"), str(tmp_path / "out")]]}]
