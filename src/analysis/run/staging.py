"""The runner's folders: marks, checks, locks, free space, staging copies and a failed run's notebooks.

The runner replaces processed_dir and output_dir whole, so it only ever touches folders that carry
its mark (MARK_NAME inside); every other existing folder is refused. Results are built in a marked
staging folder beside the final one (.<name>.staging-<pid>) and swapped into place by run/swap.py.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ..base.sizes import megabytes
from .errors import FolderError, RunError

MARK_NAME = ".made-by-analysis-runner"
FAILED_SUFFIX = ".failed"
MARK_TEXT = ("This folder is made and replaced whole by `python -m analysis run`.\n"
             "Do not keep your own files here: the next run replaces the folder.\n")
# Room kept free beyond the estimate of what a run writes (never fill a disk to the last byte).
FREE_RESERVE_BYTES = 64 << 20
MIN_OUTPUT_BYTES = 64 << 20  # the estimate of new results when there are no previous ones


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
    if stat.S_ISLNK(st.st_mode):
        raise FolderError(f"{key} {folder} is a symbolic link; the runner replaces that folder whole and "
                          f"does not follow links: name the real folder ({os.path.realpath(folder)}) instead")
    if not stat.S_ISDIR(st.st_mode):
        raise FolderError(f"{key} {folder} is a file, not a folder; move it away or choose another {key}")
    if not (folder / MARK_NAME).is_file():
        raise FolderError(f"{key} {folder} exists but was not made by this project's runner (it has no "
                          f"{MARK_NAME} inside); it is left untouched: choose a folder that does not exist yet, "
                          "or move this one away (an older run's folder: delete it)")
    for d, _, _ in os.walk(folder):
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
            with suppress(OSError):
                path.unlink()  # while still holding it: a waiting run then locks a fresh file
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
            with suppress(OSError):
                total += os.lstat(os.path.join(d, f)).st_size
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
        discard(staging)
        if isinstance(exc, OSError):
            raise RunError(f"could not copy the previous results {final} to {staging}: "
                           f"{exc.strerror or exc}; nothing was changed") from None
        raise
    return staging


def discard(folder: Path) -> None:
    """Remove a folder the runner made (a staging folder after a failure, a leftover of a dead
    run): its mark last, or at any cost when that fails."""
    if not folder.exists():
        return
    try:
        remove_marked(folder)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


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
