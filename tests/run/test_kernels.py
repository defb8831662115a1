"""The runner's kernels, without starting one: this interpreter on private sockets, the runner's marks
in their environment, and what a kernel printed outside its notebook summed up in one line."""

from __future__ import annotations

import tempfile
from pathlib import Path

from analysis.run import dag, kernels, params


def test_the_runner_marks_its_kernels():
    km = kernels.kernel_manager_class()()
    assert km.kernel_spec.env == {params.RUNNER_ENV: "1"}
    tagged = kernels.kernel_manager_class("run-7")()
    assert tagged.kernel_spec.env == {params.RUNNER_ENV: "1", params.RUN_ID_ENV: "run-7"}


def test_kernels_get_private_socket_paths():
    """Two kernels must never share ipc sockets (the old default 'kernel-ipc' in the cwd raced)."""
    K = kernels.kernel_manager_class()
    a, b = K(), K()
    assert a.transport == b.transport == "ipc"
    assert Path(a.ip).is_absolute() and a.ip != b.ip


def _output(text: str):
    f = tempfile.TemporaryFile()  # noqa: SIM115 - handed to kernels.printed, as a kernel's output file is
    f.write(text.encode())
    return f


def test_what_a_kernel_printed_is_its_fatal_line_else_its_last():
    noise = "\x1b[31mWARNING\x1b[0m: something\n----------\n"
    fatal = _output(noise + "Fatal Python error: Segmentation fault\nThread 0x1 (most recent call first):\n  x.py\n")
    assert kernels.printed(fatal) == "Fatal Python error: Segmentation fault"
    assert kernels.printed(_output(noise + "last words\n\n====\n")) == "last words"
    assert kernels.printed(_output("")) == ""
    closed = _output("x")
    closed.close()
    assert kernels.printed(closed) == ""


def test_meaningful_lines_drop_colours_rules_and_blanks():
    assert kernels.meaningful_lines("\x1b[1;31mError\x1b[0m\n  \n-----\n^^^^\n  kept  \n") == ["Error", "kept"]


def test_a_note_names_what_a_closed_kernel_printed(capsys):
    step = dag.Step("b", "notebooks/b.ipynb", "output", (), (), lambda P: [], lambda P: [])
    quiet, noisy = kernels.Kernel(None, None), kernels.Kernel(None, None)
    noisy.printed = "Assertion failed: pfd.revents & POLLIN"
    kernels.note_printed(step, quiet)
    kernels.note_printed(step, noisy)
    assert capsys.readouterr().out == ("note: [b] its kernel printed outside the notebook: "
                                       "Assertion failed: pfd.revents & POLLIN\n")
