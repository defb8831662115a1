"""The runner's folders: marks, locks, staging copies and a swap that survives a crash.

The runner replaces processed_dir and output_dir whole, so it only ever touches folders that carry
its mark (MARK_NAME inside); every other existing folder is refused. Results are built in a marked
staging folder beside the final one (.<name>.staging-<pid>); a journal (.<name>.swap.json) is the
commit point, after which the swap is completed by this run or, after a crash, by the next one.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import shutil
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from ..base.sizes import megabytes

MARK_NAME = ".made-by-analysis-runner"
RUNNER_ENV = "ANALYSIS_RUN_ID"  # set to the run's id in the environment of every kernel the runner starts
FAILED_SUFFIX = ".failed"
MARK_TEXT = ("This folder is made and replaced whole by `python -m analysis run`.\n"
             "Do not keep your own files here: the next run replaces the folder.\n")
# Room kept free beyond the estimate of what a run writes (never fill a disk to the last byte).
FREE_RESERVE_BYTES = 64 << 20
MIN_OUTPUT_BYTES = 64 << 20  # the estimate of new results when there are no previous ones


class RunError(RuntimeError):
    """A failure shown to the user as one line. `saved`: where a failed notebook was kept."""

    def __init__(self, message: str, saved: Path | None = None):
        super().__init__(message)
        self.saved = saved


class FolderError(RunError):
    """A folder the runner must not or cannot use; nothing was changed."""


# ------------------------------------------------------------------------------------- marks
def mark(folder: Path, run_id: str) -> None:
    """Write the mark into `folder` (first thing in a new folder, last thing removed)."""
    (folder / MARK_NAME).write_text(f"run: {run_id}\n" + MARK_TEXT, encoding="utf-8")


def read_mark(folder: Path) -> str | None:
    """The run id in `folder`'s mark; "" for a mark without one; None when there is no mark."""
    try:
        first = (Path(folder) / MARK_NAME).read_text(encoding="utf-8").splitlines()[:1]
    except (OSError, UnicodeDecodeError):
        return None
    return first[0][5:].strip() if first and first[0].startswith("run: ") else ""


def is_marked(folder: str | Path) -> bool:
    """True when `folder` is a real folder (not a link) made by the runner."""
    folder = Path(folder)
    return folder.is_dir() and not folder.is_symlink() and (folder / MARK_NAME).is_file()


def remove_marked(folder: Path) -> None:
    """Delete a folder the runner made, its mark last: an interrupted removal leaves a marked
    folder that the next run can recognise and remove."""
    for entry in os.scandir(folder):
        if entry.name == MARK_NAME:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    (folder / MARK_NAME).unlink(missing_ok=True)
    os.rmdir(folder)


# ----------------------------------------------------------------------------------- checks
def check_target(folder: Path, key: str) -> bool:
    """Refuse, in one line, a target the runner must not replace; True when it holds previous
    results (an existing marked folder), False when it does not exist yet."""
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise FolderError(f"{key} {folder}: cannot be used ({exc.strerror})") from None
    parent = _existing_parent(folder, key)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FolderError(f"{key} {folder}: the folder {parent} is read-only; the runner needs to write "
                          "there (its results are built beside the final folder)")
    if st is None:
        return False
    import stat

    if stat.S_ISLNK(st.st_mode):
        raise FolderError(f"{key} {folder} is a symbolic link; the runner replaces that folder whole and "
                          f"does not follow links: name the real folder ({os.path.realpath(folder)}) instead")
    if not stat.S_ISDIR(st.st_mode):
        raise FolderError(f"{key} {folder} is a file, not a folder; move it away or choose another {key}")
    if not (folder / MARK_NAME).is_file():
        raise FolderError(f"{key} {folder} exists but was not made by this project's runner (it has no "
                          f"{MARK_NAME} inside); it is left untouched: choose a folder that does not exist yet, "
                          "or move this one away (an older run's folder: delete it)")
    for d, subdirs, _ in os.walk(folder):
        if not os.access(d, os.W_OK | os.X_OK):
            raise FolderError(f"{key} {folder}: {d} is read-only; the runner replaces the folder whole, so "
                              "make it writable or choose another folder")
    return True


def _existing_parent(folder: Path, key: str) -> Path:
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise FolderError(f"{key} {folder}: {parent} is a file, not a folder")
            return parent
    return Path(folder.anchor)


# ------------------------------------------------------------------------------------ locks
def lock_path(final: Path) -> Path:
    return final.parent / f".{final.name}.lock"


@contextmanager
def locked(finals: Iterable[Path]) -> Iterator[None]:
    """Hold an exclusive lock on each final folder (a lock file beside it holding our pid); a second
    run on any of them stops at once with one line naming the first run's pid. The lock goes with
    the process, so a killed run never leaves a folder locked."""
    held: list[tuple[Path, int]] = []
    try:
        for final in sorted(set(finals)):
            held.append((lock_path(final), _acquire(final)))
        yield
    finally:
        for path, fd in reversed(held):
            try:
                path.unlink()  # while still holding it: a waiting run then locks a fresh file
            except OSError:
                pass
            os.close(fd)


def _acquire(final: Path) -> int:
    path = lock_path(final)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FolderError(f"cannot create {path.parent}: {exc.strerror}") from None
    for _ in range(50):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise FolderError(f"cannot create the lock file {path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                pid = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            finally:
                os.close(fd)
            raise FolderError(f"another run (pid {pid}) is using {final}; wait until it has finished") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # the previous holder removed the file while we waited for it: lock the new one
    raise FolderError(f"cannot lock {final}: its lock file keeps changing")


# ----------------------------------------------------------------------------------- space
def _tree_bytes(folder: Path) -> int:
    total = 0
    for d, _, files in os.walk(folder):
        for f in files:
            try:
                total += os.lstat(os.path.join(d, f)).st_size
            except OSError:
                pass
    return total


def check_space(finals: Iterable[Path], copy: bool) -> None:
    """Refuse to start when a disk lacks room for the staging copy, new results the size of the
    previous ones (at least MIN_OUTPUT_BYTES in all) and FREE_RESERVE_BYTES to spare."""
    need: dict[int, int] = {}
    where: dict[int, Path] = {}
    prev_total = 0
    for final in finals:
        parent = _existing_parent(final, "folder")
        dev = os.stat(parent).st_dev
        size = _tree_bytes(final) if final.is_dir() else 0
        prev_total += size
        need[dev] = need.get(dev, 0) + (size if copy else 0) + size
        where.setdefault(dev, parent)
    first = next(iter(need))
    need[first] += max(0, MIN_OUTPUT_BYTES - prev_total)
    for dev, n in need.items():
        free = shutil.disk_usage(where[dev]).free
        if free < n + FREE_RESERVE_BYTES:
            raise FolderError(f"not enough free space for the run on the disk holding {where[dev]}: "
                              f"{megabytes(free)} free, the run needs about {megabytes(n + FREE_RESERVE_BYTES)} "
                              f"(results and their staging copy, plus {megabytes(FREE_RESERVE_BYTES)} kept free)")


# --------------------------------------------------------------------------------- staging
def staging_path(final: Path) -> Path:
    return final.parent / f".{final.name}.staging-{os.getpid()}"


def copy_file(src: str, dst: str) -> None:
    shutil.copy2(src, dst, follow_symlinks=False)


def stage(final: Path, run_id: str, copy: bool) -> Path:
    """A marked staging folder beside `final`: a copy of it (steps that are up to date keep their
    files) or empty (--force, or no previous results). On failure it is removed again."""
    staging = staging_path(final)
    if staging.exists():
        remove_marked(staging)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging.mkdir()
    try:
        mark(staging, run_id)
        if copy and final.is_dir():
            for d, subdirs, files in os.walk(final):
                rel = os.path.relpath(d, final)
                target = staging if rel == "." else staging / rel
                for s in subdirs:
                    os.mkdir(target / s)
                for f in files:
                    if rel == "." and f == MARK_NAME:
                        continue
                    copy_file(os.path.join(d, f), str(target / f))
    except BaseException as exc:
        _discard(staging)
        if isinstance(exc, OSError):
            raise RunError(f"could not copy the previous results {final} to {staging}: "
                           f"{exc.strerror or exc}; nothing was changed") from None
        raise
    return staging


def _discard(folder: Path) -> None:
    try:
        remove_marked(folder)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def discard(folder: Path) -> None:
    """Remove a staging folder of this run (after a failure)."""
    if folder.exists():
        _discard(folder)


# ------------------------------------------------------------------------------------ swap
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


def _swap_one(staging: Path, final: Path, run_id: str) -> None:
    """Put the staged folder in place of `final`; `final` is never absent if the system can
    exchange atomically, and absent only between two renames otherwise (the journal covers it)."""
    if read_mark(final) == run_id:
        old = staging if staging.exists() else None  # already swapped: staging holds the old folder
    elif not final.exists():
        os.rename(staging, final)
        old = None
    elif exchange(staging, final):
        old = staging
    else:
        old = final.parent / f".{final.name}.old-{os.getpid()}"
        os.rename(final, old)
        os.rename(staging, final)
    if old is not None and old.exists():
        remove_marked(old)


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
    from ..base.io import write_json

    with signals_deferred() as got:
        write_json({"run": run_id, "pairs": [[str(s), str(f)] for s, f in pairs]}, journal)
        for staging, final in pairs:
            _swap_one(staging, final, run_id)
        journal.unlink()
    return got


def recover(finals: list[Path], journal: Path) -> list[str]:
    """Finish what an interrupted run left: complete a committed swap, then remove staging and old
    folders and swap journals beside the final folders. Only call it while holding their locks."""
    notes = []
    finals_set = {Path(f) for f in finals}
    if journal.is_file():
        try:
            data = json.loads(journal.read_text(encoding="utf-8"))
            run_id, pairs = str(data["run"]), [(Path(s), Path(f)) for s, f in data["pairs"]]
        except (OSError, ValueError, KeyError, TypeError):
            run_id, pairs = "", []
        for staging, final in pairs:
            if final not in finals_set:
                continue
            if read_mark(final) != run_id and read_mark(staging) == run_id:
                _swap_one(staging, final, run_id)
                notes.append(f"completed the swap of {final} that an interrupted run had committed")
        journal.unlink()
    for final in finals:
        for entry in _leftovers(final):
            if not any(entry.iterdir()) or is_marked(entry):
                _discard(entry)
                notes.append(f"removed {entry.name}, left beside {final.name} by an interrupted run")
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


# ----------------------------------------------------------------------------------- failed
def failed_path(final_output: Path) -> Path:
    return final_output.parent / f"{final_output.name}{FAILED_SUFFIX}"


def keep_failed(executed: Path, final_output: Path, run_id: str) -> Path | None:
    """Move the executed notebooks of a failed run to <output_dir>.failed (replacing an earlier
    one the runner made); None when there is nothing to keep or the name is taken by other files."""
    target = failed_path(final_output)
    if not executed.is_dir():
        return None
    if target.exists() or target.is_symlink():
        if not is_marked(target):
            return None
        remove_marked(target)
    mark(executed, run_id)
    os.rename(executed, target)
    return target


def remove_failed(final_output: Path) -> bool:
    """After a successful run: remove a stale <output_dir>.failed that the runner made."""
    target = failed_path(final_output)
    if is_marked(target):
        remove_marked(target)
        return True
    return False
