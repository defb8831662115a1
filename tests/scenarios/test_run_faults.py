"""Faults injected into real runner processes (the fake DAG of tests/fakedag.py run as a script):
SIGKILL of the process group at each stage, Ctrl-C, SIGTERM, a second run, a dying kernel, a
read-only folder and a full disk. After each: one line on stderr, the previous results intact or
the new ones complete, nothing left behind, no child process alive."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil
import pytest

from analysis.run import staging
from fakedag import make_project
from fakedag import params as fake_params
from fakedag import run as run_inprocess
from fakedag import runs as executed

FAKEDAG = Path(__file__).resolve().parents[1] / "fakedag.py"
OLD = "HELLO"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("faults"))
    run_inprocess(root, fake_params(root))
    executed(root)
    return root


@pytest.fixture()
def done(built, tmp_path):
    root = tmp_path / "proj"
    shutil.copytree(built, root, symlinks=True)
    return root


class Runner:
    """`python tests/fakedag.py ROOT ...` in a session of its own, its children tagged through the
    environment so that the test can find every process it started, wherever they were reparented."""

    def __init__(self, root: Path, *args: str, env: dict | None = None):
        self.tag = uuid.uuid4().hex
        self.proc = subprocess.Popen([sys.executable, str(FAKEDAG), str(root), *args],
                                     env={**os.environ, "FAKEDAG_TAG": self.tag, **(env or {})},
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.out.append(line)
            self.lines.put(line)

    def wait_for_line(self, text: str, timeout: float = 120) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if text in self.lines.get(timeout=0.5):
                    return
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
        raise AssertionError(f"{text!r} not seen; stdout: {''.join(self.out)}; "
                             f"stderr: {self.proc.stderr.read() if self.proc.poll() is not None else ''}")

    def finish(self, timeout: float = 120) -> tuple[int, str]:
        rc = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return rc, self.proc.stderr.read()

    def alive(self) -> list[str]:
        return tagged_alive(self.tag)


def tagged_alive(tag: str) -> list[str]:
    found = []
    for p in psutil.process_iter(["name", "status"]):
        try:
            if p.info["status"] != psutil.STATUS_ZOMBIE and p.environ().get("FAKEDAG_TAG") == tag:
                found.append(f"{p.pid} {p.info['name']}")
        except psutil.Error:
            continue
    return found


def none_alive(runner: Runner, within: float = 10) -> list[str]:
    end = time.monotonic() + within
    while runner.alive() and time.monotonic() < end:
        time.sleep(0.2)
    return runner.alive()


def wait_for_sleeping_step(root: Path, runner: Runner, timeout: float = 120) -> None:
    log = root / "runs.log"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if log.exists() and "c-sleeping" in log.read_text():
            return
        assert runner.proc.poll() is None, f"runner ended early: {runner.finish()}"
        time.sleep(0.2)
    raise AssertionError("step c never started")


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(FAKEDAG), str(root), *args], check=False, capture_output=True, text=True,
                          timeout=300)


def generation(root: Path) -> tuple[str | None, str | None]:
    """(word in processed, word in out) when each folder holds one complete generation of results;
    None for a folder that is missing or mixed."""
    a = root / "processed" / "a.txt"
    proc = a.read_text() if a.is_file() and staging.is_marked(root / "processed") else None
    out = None
    if staging.is_marked(root / "out"):
        texts = {n: (root / "out" / n).read_text() for n in ("b.txt", "c.txt", "d.txt") if (root / "out" / n).is_file()}
        if len(texts) == 3:
            word = texts["b.txt"].removesuffix(" b")
            if texts == {"b.txt": f"{word} b", "c.txt": f"{word} c", "d.txt": f"{word} b|{word} c|sv"}:
                out = word
    return proc, out


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()
                  if p.name.startswith(".") or p.name.endswith(staging.FAILED_SUFFIX))


# ---------------------------------------------------------------------- SIGKILL at each stage
# stage -> what each folder must hold right after the kill (processed, out)
STAGES = {
    "step": (OLD, OLD),        # a notebook is running
    "copy": (OLD, OLD),        # the previous results are being copied to staging
    "journal": (OLD, OLD),     # committed (journal written), nothing swapped yet
    "between": ("WORLD", OLD),  # processed swapped, output not yet
    "old": ("WORLD", "WORLD"),  # both swapped, the old output half deleted
}


@pytest.mark.parametrize("stage", list(STAGES))
def test_sigkill_of_the_process_group_at_each_stage_then_the_next_run_recovers(done, stage):
    (done / "raw.txt").write_text("slow world" if stage == "step" else "world")
    runner = Runner(done, *([] if stage == "step" else ["--pause-at", stage]))
    if stage == "step":
        wait_for_sleeping_step(done, runner)
    else:
        runner.wait_for_line(f"PAUSED {stage}")
    os.killpg(runner.proc.pid, signal.SIGKILL)
    runner.finish()
    assert none_alive(runner) == [], "a child outlived the killed runner"
    # Right after the kill each folder holds complete results, old or new.
    assert generation(done) == STAGES[stage]
    executed(done)

    (done / "raw.txt").write_text("world")
    r = cli(done)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr == ""
    assert generation(done) == ("WORLD", "WORLD")
    assert leftovers(done) == []
    if stage in ("journal", "between"):
        assert "completed the swap" in r.stdout and executed(done) == []  # rolled forward, nothing rerun
    if stage == "old":
        assert executed(done) == []
    again = cli(done)
    assert again.returncode == 0 and again.stdout.count("up to date") == 4, again.stdout


# --------------------------------------------------------------------- Ctrl-C and SIGTERM
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupt_stops_at_once_in_one_line_and_keeps_the_previous_results(done, how):
    before = generation(done)
    (done / "raw.txt").write_text("slow world")
    runner = Runner(done)
    wait_for_sleeping_step(done, runner)
    t0 = time.monotonic()
    if how == "ctrl-c":
        os.killpg(runner.proc.pid, signal.SIGINT)  # what a terminal sends to the foreground group
    else:
        runner.proc.send_signal(signal.SIGTERM)
    rc, err = runner.finish()
    assert rc == 130 and time.monotonic() - t0 < 30
    assert err == f"interrupted: previous results in {done / 'out'} are unchanged\n"
    assert none_alive(runner) == []
    assert generation(done) == before == (OLD, OLD)
    assert leftovers(done) == []


def test_interrupting_a_first_run_says_nothing_was_written(project_tmp):
    root = project_tmp
    (root / "raw.txt").write_text("slow")
    runner = Runner(root)
    wait_for_sleeping_step(root, runner)
    os.killpg(runner.proc.pid, signal.SIGINT)
    rc, err = runner.finish()
    assert rc == 130 and err == "interrupted: nothing was written\n"
    assert not (root / "out").exists() and not (root / "processed").exists()
    assert leftovers(root) == [] and none_alive(runner) == []


@pytest.fixture()
def project_tmp(tmp_path):
    return make_project(tmp_path)


# -------------------------------------------------------------------------- a second run
def test_a_concurrent_run_stops_in_one_line_naming_the_first(done):
    (done / "raw.txt").write_text("slow world")
    first = Runner(done)
    wait_for_sleeping_step(done, first)
    second = cli(done)
    assert second.returncode == 1
    lines = second.stderr.splitlines()
    assert lines[0] == (f"error: another run (pid {first.proc.pid}) is using {done / 'out'}; "
                        "wait until it has finished")
    assert "Traceback" not in second.stderr and "running" not in second.stdout
    os.killpg(first.proc.pid, signal.SIGINT)
    assert first.finish()[0] == 130
    (done / "raw.txt").write_text("world")
    assert cli(done).returncode == 0 and generation(done) == ("WORLD", "WORLD")


# -------------------------------------------------------------- failures: one line, no noise
def test_a_successful_run_writes_nothing_on_stderr(done):
    r = cli(done, "--force")
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.count("done in") == 4


def test_what_a_kernel_prints_outside_its_notebook_stays_off_stderr(done):
    """A kernel's own prints (a library's assertion at exit, say) go to a file, not the terminal;
    the run mentions them in one note."""
    (done / "raw.txt").write_text("exitnoise")
    r = cli(done)
    assert r.returncode == 0 and r.stderr == ""
    assert ("note: [b] its kernel printed outside the notebook: "
            "Assertion failed: pfd.revents & POLLIN (src/signaler.cpp:238)") in r.stdout.splitlines()


@pytest.mark.parametrize("raw, reason", [("fail", "ValueError: raw file asks to fail"),
                                         ("die", "the kernel died (SIGKILL, out of memory?)")], ids=["cell", "kernel"])
def test_a_failing_cell_or_a_dying_kernel_is_one_line_and_nothing_else(done, raw, reason):
    (done / "raw.txt").write_text(raw)
    r = cli(done)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        f"error: c.ipynb failed in cell 3: {reason}",
        f"the failed notebook is saved at {done / 'out.failed' / 'c.ipynb'}",
        f"previous results in {done / 'out'} are unchanged",
    ]
    assert generation(done) == (OLD, OLD) and leftovers(done) == ["out.failed"]


def test_without_previous_results_no_claim_about_them(project_tmp):
    (project_tmp / "raw.txt").write_text("fail")
    r = cli(project_tmp)
    assert r.returncode == 1 and "unchanged" not in r.stderr
    assert r.stderr.splitlines()[0] == "error: c.ipynb failed in cell 3: ValueError: raw file asks to fail"
    assert not (project_tmp / "out").exists() and not (project_tmp / "processed").exists()


def test_the_runner_asks_kernels_to_shut_down_without_sigint(tmp_path):
    """jupyter_client interrupts (SIGINT) a kernel before asking it to shut down; landing while the
    kernel sends its last reply, the signal printed "KeyboardInterrupt caught in kernel" and zmq
    tracebacks. The runner's manager shuts down over the control channel only."""
    import asyncio

    from analysis.run import kernels

    sent = []

    async def go():
        km = kernels.kernel_manager_class("test-run")()
        await km.start_kernel()
        real = km.provisioner.send_signal

        async def record(signum):
            sent.append(signum)
            await real(signum)

        km.provisioner.send_signal = record
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        kc.execute("import os; env = os.environ['ANALYSIS_RUN_ID']")
        reply = await kc.get_shell_msg(timeout=30)
        kc.stop_channels()
        process = km.runner_process
        await km.shutdown_kernel()
        return reply["content"]["status"], process.returncode

    status, code = asyncio.run(go())
    assert status == "ok"  # the kernel had the run id in its environment
    assert signal.SIGINT not in sent
    assert code == 0  # it exited by itself, on the shutdown request


# ------------------------------------------------------------------ read-only and full disks
def _in_private_mount(script: str) -> subprocess.CompletedProcess:
    """Run a shell script in a mount namespace of its own (root, or an unprivileged user
    namespace), so that it can mount a tmpfs or a read-only bind mount that nobody else sees."""
    base = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--mount", "--map-root-user"]
    probe = subprocess.run([*base, "true"], check=False, capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a mount namespace here ({probe.stderr.strip()}); needs root or user namespaces")
    return subprocess.run([*base, "sh", "-euc", script], check=False, capture_output=True, text=True, timeout=600)


def test_a_read_only_output_folder_is_one_line_and_unchanged(done):
    before = generation(done)
    py, out = sys.executable, done / "out"
    r = _in_private_mount(f"""
mount --bind {out} {out}
mount -o remount,ro,bind {out}
{py} {FAKEDAG} {done} -p lang=en > {done}/stdout.txt 2> {done}/stderr.txt || echo "rc=$?" > {done}/rc.txt
""")
    assert r.returncode == 0, r.stderr
    assert (done / "rc.txt").read_text().strip() == "rc=1"
    err = (done / "stderr.txt").read_text().splitlines()
    assert err[0] == (f"error: output_dir {out}: {out} is read-only; the runner replaces the folder whole, "
                      "so make it writable or choose another folder")
    assert len(err) == 2 and err[1] == f"previous results in {out} are unchanged"
    assert "running" not in (done / "stdout.txt").read_text()
    assert generation(done) == before
    assert leftovers(done) == []


def test_a_full_disk_is_refused_before_staging_and_a_disk_filled_mid_run_is_cleaned(done, tmp_path):
    """On a 100 MB disk the run needs more than is free: one line, nothing written. On a 150 MB
    disk with previous results, a notebook that writes 200 MB fails with ENOSPC in one line; the
    staging folder goes, the disk is as free as before and the previous results are intact."""
    py, disk = sys.executable, tmp_path / "disk"
    disk.mkdir()
    report = tmp_path / "report.txt"
    args = f"-p processed_dir={disk}/processed -p output_dir={disk}/out"
    r = _in_private_mount(f"""
mount -t tmpfs -o size=100m tmpfs {disk}
{py} {FAKEDAG} {done} {args} > {tmp_path}/small_out.txt 2> {tmp_path}/small_err.txt || echo "small rc=$?" >> {report}
ls -A {disk} > {tmp_path}/small_ls.txt
umount {disk}
mount -t tmpfs -o size=150m tmpfs {disk}
{py} {FAKEDAG} {done} {args} > /dev/null 2>&1 && echo "first rc=0" >> {report}
df -B1 --output=avail {disk} | tail -1 > {tmp_path}/free_before.txt
echo "BIG:200" > {done}/raw.txt
{py} {FAKEDAG} {done} {args} > {tmp_path}/big_out.txt 2> {tmp_path}/big_err.txt || echo "big rc=$?" >> {report}
df -B1 --output=avail {disk} | tail -1 > {tmp_path}/free_after.txt
ls -A {disk} > {tmp_path}/big_ls.txt
cat {disk}/out/d.txt > {tmp_path}/d.txt
""")
    assert r.returncode == 0, r.stderr
    assert report.read_text().splitlines() == ["small rc=1", "first rc=0", "big rc=1"]
    small = (tmp_path / "small_err.txt").read_text().splitlines()
    assert len(small) == 1
    assert small[0].startswith(f"error: not enough free space for the run on the disk holding {disk}")
    assert (tmp_path / "small_ls.txt").read_text() == ""  # no staging copy, no folder, no lock file
    big = (tmp_path / "big_err.txt").read_text().splitlines()
    # The cell's write fails, and so does the next write of whoever comes first (papermill saving
    # the notebook that records the error, or the runner saving another step's): one line.
    assert len(big) == 2 and big[0].startswith("error: ") and "No space left on device" in big[0], big
    assert big[1] == f"previous results in {disk}/out are unchanged"
    assert (tmp_path / "big_ls.txt").read_text().split() == ["out", "processed"]
    before, after = (int((tmp_path / f).read_text()) for f in ("free_before.txt", "free_after.txt"))
    assert abs(before - after) < 1 << 20  # the 200 MB attempt left nothing behind
    assert (tmp_path / "d.txt").read_text() == "HELLO b|HELLO c|sv"


# ------------------------------------------------------------------------------- Chromium
def test_chromium_dies_with_the_process_that_started_it(tmp_path):
    from analysis.present import exports

    if exports.find_chromium() is None:
        pytest.skip("chromium is not installed (CI installs Debian's chromium)")
    html = tmp_path / "page.html"
    html.write_text("<html><body><p>never loads</p><script>while (true) {}</script></body></html>")  # hangs
    tag = uuid.uuid4().hex
    code = ("from analysis.present import exports; from pathlib import Path; import time; "
            f"exports.print_pdf(Path({str(html)!r}), Path({str(tmp_path / 'x.pdf')!r})); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "FAKEDAG_TAG": tag},
                            start_new_session=True)
    end = time.monotonic() + 60
    while not any("chrom" in p for p in tagged_alive(tag)) and time.monotonic() < end:
        time.sleep(0.05)
    assert any("chrom" in p for p in tagged_alive(tag)), "chromium never started"
    assert proc.poll() is None  # still printing (the page never finishes loading)
    proc.kill()  # the parent alone, not its group: Chromium must still go
    proc.wait()
    end = time.monotonic() + 10
    while tagged_alive(tag) and time.monotonic() < end:
        time.sleep(0.2)
    assert tagged_alive(tag) == []
