"""The swap of staged results into place, surviving a crash: a journal (.<name>.swap.json) is the
commit point, after which the swap is completed by this run or, after a crash, by the next one.

The folders are exchanged atomically where the system can (Linux renameat2), else by two renames.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..base.io import write_json
from . import staging

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _load_renameat2():
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _load_renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two folders (Linux renameat2 RENAME_EXCHANGE); False when the system
    or file system cannot, so that the caller falls back to two renames."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def journal_path(final_output: Path) -> Path:
    return final_output.parent / f".{final_output.name}.swap.json"


def swap_one(staged: Path, final: Path, run_id: str) -> None:
    """Put the staged folder in place of `final`; `final` is never absent if the system can
    exchange atomically, and absent only between two renames otherwise (the journal covers it)."""
    if staging.read_mark(final) == run_id:
        old = staged if staged.exists() else None  # already swapped: staging holds the old folder
    elif not final.exists():
        os.rename(staged, final)
        old = None
    elif exchange(staged, final):
        old = staged
    else:
        old = final.parent / f".{final.name}.old-{os.getpid()}"
        os.rename(final, old)
        os.rename(staged, final)
    if old is not None and old.exists():
        staging.remove_marked(old)


@contextmanager
def signals_deferred() -> Iterator[list[int]]:
    """Hold SIGINT and SIGTERM back (main thread only) while a short critical section (the swap,
    the clean-up after a failure) completes; yields the list of signals that arrived."""
    got: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield got
        return
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in saved:
        signal.signal(s, lambda signum, frame: got.append(signum))
    try:
        yield got
    finally:
        for s, h in saved.items():
            signal.signal(s, h)


def commit(pairs: list[tuple[Path, Path]], journal: Path, run_id: str) -> list[int]:
    """Swap every staged folder into place. The journal written first is the commit point: from
    then on a crash is completed by `recover` in the next run. Returns signals held back."""
    with signals_deferred() as got:
        write_json({"run": run_id, "pairs": [[str(s), str(f)] for s, f in pairs]}, journal)
        for staged, final in pairs:
            swap_one(staged, final, run_id)
        journal.unlink()
    return got


def recover(finals: list[Path], journal: Path) -> list[str]:
    """Finish what an interrupted run left: complete a committed swap, then remove staging and old
    folders and swap journals beside the final folders. Only call it while holding their locks."""
    notes = _complete(journal, {Path(f) for f in finals}) if journal.is_file() else []
    for final in finals:
        for entry in _leftovers(final):
            if not any(entry.iterdir()) or staging.is_marked(entry):
                staging.discard(entry)
                notes.append(f"removed {entry.name}, left beside {final.name} by an interrupted run")
    return notes


def _complete(journal: Path, finals: set[Path]) -> list[str]:
    """Complete the swap the journal committed (for the final folders given), then remove it."""
    notes = []
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
        run_id, pairs = str(data["run"]), [(Path(s), Path(f)) for s, f in data["pairs"]]
    except (OSError, ValueError, KeyError, TypeError):
        run_id, pairs = "", []
    for staged, final in pairs:
        if final in finals and staging.read_mark(final) != run_id and staging.read_mark(staged) == run_id:
            swap_one(staged, final, run_id)
            notes.append(f"completed the swap of {final} that an interrupted run had committed")
    journal.unlink()
    return notes


def _leftovers(final: Path) -> list[Path]:
    if not final.parent.is_dir():
        return []
    out = []
    for prefix in (f".{final.name}.staging-", f".{final.name}.old-"):
        for entry in final.parent.glob(f"{_glob_escape(prefix)}*"):
            if entry.name[len(prefix):].isdigit() and entry.is_dir() and not entry.is_symlink():
                out.append(entry)
    return sorted(out)


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)
