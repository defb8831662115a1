"""JupyterLab in a real browser: exploring cannot change the official results, and saving leaves git clean.

A copy of the project (its files as in the work tree, its own git repository with the nbstripout
filter `make` installs, the project's .venv linked, official results from conftest.small_run) is
served by `python -m analysis lab` on 127.0.0.1 with a token. Debian's Chromium, driven by
Playwright with every request off 127.0.0.1 blocked, opens each notebook, runs all cells, checks
that no cell shows an error, that the figures and formulas render and the tables fit, and saves it;
02 is run once more with alpha = 0.10 and not saved. Then the official data and report must be
byte-identical to before, `git status` clean, and the scratch area must hold what the notebooks
wrote. The server is stopped by its PID. The saved notebooks are also rendered as the report's
notebook pages (present.report.render_notebook_html) and checked in the browser.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import select
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import needs_chromium

ROOT = Path(__file__).resolve().parents[1]
WAVE = 2019
# notebook -> figures it shows
NOTEBOOKS = {"01_clean": 0, "02_describe": 4, "03_model": 2, "04_report": 0, "05_compare": 0, "explore": 1}
START_TIMEOUT_S = 180
RUN_TIMEOUT_S = 300

pytestmark = [
    pytest.mark.browser,
    needs_chromium,  # the `browser` fixture is conftest's
]


def _digests(*folders: Path) -> dict[str, str]:
    out = {}
    for folder in folders:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _git(cwd: Path, *args: str) -> str:
    r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert r.returncode == 0, f"git {' '.join(args)}: {r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory, small_run) -> Path:
    """The project's files (tracked and new, as in the work tree) in a fresh git repository with the
    notebook filter, .venv linked, the reference data linked, and official results in place."""
    copy = tmp_path_factory.mktemp("lab") / "project"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy / rel)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    (copy / "data" / "external").mkdir(parents=True, exist_ok=True)
    for ref in (ROOT / "data" / "external").iterdir():
        if not ref.name.startswith("."):
            (copy / "data" / "external" / ref.name).symlink_to(ref.resolve())
    P = small_run["sv"]
    (copy / "data" / "raw").mkdir(parents=True, exist_ok=True)
    shutil.copy2(P["raw_path"], copy / "data" / "raw" / Path(P["raw_path"]).name)
    shutil.copytree(P["processed_dir"], copy / "data" / "processed" / str(WAVE))
    shutil.copytree(P["output_dir"], copy / "reports" / str(WAVE))
    _git(copy, "init", "-q")
    _git(copy, "config", "user.email", "lab-test@example.org")
    _git(copy, "config", "user.name", "lab test")
    # The filter exactly as `make` installs it (-o: never reinstall the linked environment).
    r = subprocess.run(["make", "-s", "-o", ".venv/.installed", "git-filter"], cwd=copy, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    _git(copy, "add", "-A")
    _git(copy, "commit", "-q", "-m", "copy of the project")
    assert _git(copy, "status", "--porcelain") == ""
    return copy


@pytest.fixture(scope="module")
def lab(project, tmp_path_factory):
    """`python -m analysis lab` in the copy (this interpreter's .venv), with Jupyter's own state in
    a temporary folder and autosave off; yields (base URL, token, process); stops it by its PID."""
    state = tmp_path_factory.mktemp("jupyter-state")
    settings = state / "settings"
    for plugin, values in {"@jupyterlab/docmanager-extension/plugin": {"autosave": False},
                           "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
                           "@jupyterlab/apputils-extension/notification": {"fetchNews": "false",
                                                                            "checkForUpdates": False}}.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    token = secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "ANALYSIS_"))}
    env.update(JUPYTER_TOKEN=token, PYTHONPATH=str(project / "src"), JUPYTER_CONFIG_DIR=str(state / "config"),
               JUPYTER_DATA_DIR=str(state / "data"), JUPYTER_RUNTIME_DIR=str(state / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
               PYTHONUNBUFFERED="1")
    from analysis.run.lab import free_port

    port = free_port(18888)
    log = (state / "lab.log").open("w")
    proc = subprocess.Popen([str(project / ".venv" / "bin" / "python"), "-m", "analysis", "lab", "--port", str(port)],
                            cwd=project, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        first = proc.stdout.readline() if ready else ""
        url = f"http://127.0.0.1:{port}/lab?token={token}"
        assert url in first and str(project) in first, f"`analysis lab` did not print its URL first: {first!r}"
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, f"JupyterLab exited: {(state / 'lab.log').read_text()[-2000:]}"
            assert time.monotonic() < deadline, "JupyterLab did not answer in time"
            time.sleep(0.5)
        yield {"base": base, "token": token, "proc": proc, "log": state / "lab.log"}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _page(browser, lab):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    blocked = []

    def route(r):
        url = r.request.url
        if url.startswith((lab["base"], "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.blocked = blocked
    return page


def _menu(page, menu: str, item: str) -> None:
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-content .lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).first.click()


def _wait_idle(page, timeout_s: float) -> None:
    page.locator("#jp-main-statusbar", has_text="Idle").wait_for(timeout=timeout_s * 1000)


def _run_all(page) -> dict:
    """Run All, wait until every code cell ran or one failed; return what the cells show."""
    _menu(page, "Run", "Run All Cells")
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        state = page.evaluate("""() => {
            const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'))
                .map(p => p.textContent.trim());
            const errors = Array.from(document.querySelectorAll(
                '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
                .map(e => e.textContent.slice(0, 300));
            return {prompts, errors};
        }""")
        ran = all(re.fullmatch(r"\[\d+\]:", p) for p in state["prompts"])
        if state["errors"] or (ran and state["prompts"]):
            break
        assert time.monotonic() < deadline, f"Run All did not finish: {state['prompts']}"
        time.sleep(0.5)
    _wait_idle(page, 60)
    page.wait_for_timeout(500)  # last outputs rendered (images decoded, MathJax typeset)
    return page.evaluate("""() => {
        const nb = document.querySelector('.jp-Notebook');
        const imgs = Array.from(nb.querySelectorAll('.jp-OutputArea-output img'))
            .map(i => i.complete && i.naturalWidth > 0);
        const wide = [];
        for (const t of nb.querySelectorAll('.jp-OutputArea-output table')) {
            const area = t.closest('.jp-OutputArea-output');
            if (t.getBoundingClientRect().width > area.getBoundingClientRect().width + 1)
                wide.push(t.querySelector('th') ? t.querySelector('th').textContent : '?');
        }
        const text = nb.innerText;
        const errors = Array.from(nb.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).map(e => e.innerText);
        return {imgs, wide, text, errors,
                math: nb.querySelectorAll('.jp-RenderedMarkdown mjx-container').length,
                raw_math: /\\$\\$|\\\\frac|\\\\sum/.test(
                    Array.from(nb.querySelectorAll('.jp-OutputArea .jp-RenderedMarkdown')).map(e => e.innerText).join('')),
                prompts: Array.from(nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')).map(p => p.textContent.trim())};
    }""")


def _open(browser, lab, name: str):
    page = _page(browser, lab)
    page.goto(f"{lab['base']}/lab/tree/notebooks/{name}.ipynb?reset&token={lab['token']}")
    page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=120_000)
    _wait_idle(page, 120)
    assert page.locator(".jp-Dialog").count() == 0, "opening the notebook asked for a kernel"
    return page


def _save(page) -> None:
    _menu(page, "File", "Save Notebook")
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(state="detached")
    page.wait_for_timeout(300)


def _shut_down_kernels(lab) -> None:
    req = urllib.request.Request(f"{lab['base']}/api/sessions?token={lab['token']}")
    with urllib.request.urlopen(req, timeout=10) as r:
        sessions = json.load(r)
    for s in sessions:
        urllib.request.urlopen(urllib.request.Request(
            f"{lab['base']}/api/sessions/{s['id']}?token={lab['token']}", method="DELETE"), timeout=30).close()


def test_lab_explores_without_touching_the_official_results(project, lab, browser, tmp_path):
    official = [project / "data" / "processed" / str(WAVE), project / "reports" / str(WAVE)]
    before = _digests(*official)
    assert before, "the prepared project has official results"

    # The file browser shows the project root.
    page = _page(browser, lab)
    page.goto(f"{lab['base']}/lab?reset&token={lab['token']}")
    page.locator(".jp-DirListing-content .jp-DirListing-itemText").first.wait_for(timeout=120_000)
    listed = set(page.locator(".jp-DirListing-content .jp-DirListing-itemText").all_inner_texts())
    assert {"data", "notebooks", "params", "reports", "src", "README.md"} <= listed, listed
    page.screenshot(path=str(tmp_path / "lab_root.png"))
    page.close()

    # A later notebook opened first says in one line what to run (04 reads the tables 02 and 03 write).
    page = _open(browser, lab, "04_report")
    got = _run_all(page)
    assert len(got["errors"]) == 1, got["errors"]
    assert re.fullmatch(r"MissingInput: scratch/2019/reports/tables/headline\.csv saknas \(skrivs av 02_describe\): "
                        r"kör notebooks/02_describe\.ipynb här först;[^\n]*", got["errors"][0].strip()), got["errors"]
    page.close()
    _shut_down_kernels(lab)

    shown = {}
    for name, n_figures in NOTEBOOKS.items():
        page = _open(browser, lab, name)
        got = _run_all(page)
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        assert not got["errors"] and all(re.fullmatch(r"\[\d+\]:", p) for p in got["prompts"]), \
            f"{name}: a cell failed or warned: {got['errors']}"
        assert got["imgs"].count(True) == n_figures and all(got["imgs"]), f"{name}: figures {got['imgs']}"
        assert not got["wide"], f"{name}: tables wider than the notebook: {got['wide']}"
        assert not got["raw_math"], f"{name}: a formula was not typeset"
        if name.startswith("0"):
            assert f"scratch/{WAVE}" in got["text"], f"{name}: no line saying that outputs go to scratch/"
        if name in ("02_describe", "03_model"):
            assert got["math"] > 0, f"{name}: no formula typeset"
        assert not page.blocked, f"{name}: requests off 127.0.0.1: {page.blocked}"
        shown[name] = got["text"]
        _save(page)
        page.close()
        _shut_down_kernels(lab)

    assert re.search(r"95\s%\sKI", shown["02_describe"])  # Babel's Swedish percent: a no-break space
    # Other parameters, not saved: 02 with alpha = 0.10 writes 90 % intervals to scratch only.
    page = _open(browser, lab, "02_describe")
    page.locator(".jp-Notebook .jp-Cell").first.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("alpha = 0.10")
    got = _run_all(page)
    assert not got["errors"] and re.search(r"90\s%\sKI", got["text"]), got["errors"] or got["text"][-800:]
    assert not re.search(r"95\s%\sKI", got["text"]), "a label still says 95 % with alpha = 0.10"
    summary = json.loads((project / "scratch" / str(WAVE) / "reports" / "describe_summary.json").read_text())
    assert summary["alpha"] == 0.10
    page.close()
    _shut_down_kernels(lab)

    # The server stops by its PID, with its kernels.
    pid = lab["proc"].pid
    os.kill(pid, signal.SIGTERM)
    lab["proc"].wait(timeout=60)

    assert _digests(*official) == before, "running notebooks in Lab changed the official results"
    assert _git(project, "status", "--porcelain") == "", "saving notebooks in Lab left git unclean"
    assert "outputs" in (project / "notebooks" / "02_describe.ipynb").read_text()  # saved with outputs
    scratch = project / "scratch" / str(WAVE)
    for rel in ("processed/analysis.parquet", "reports/tables/headline.csv", "reports/tables/models.csv",
                "reports/report.html"):
        assert (scratch / rel).is_file(), f"scratch/{WAVE}/{rel} missing"


def test_saved_notebooks_render_as_offline_pages(project, browser, tmp_path):
    """The notebooks Lab saved (with outputs) as the report's notebook pages: no request leaves the
    file, every formula is MathML, every in-page link has its target, tables fit the page."""
    import nbformat

    from analysis.present import report

    for name in ("01_clean", "02_describe", "03_model", "05_compare"):
        nb = nbformat.read(project / "notebooks" / f"{name}.ipynb", as_version=4)
        assert any(c.get("outputs") for c in nb.cells), f"{name} was not saved with outputs"
        html = tmp_path / f"{name}.html"
        html.write_text(report.render_notebook_html(nb, synthetic=True), encoding="utf-8")
        text = html.read_text(encoding="utf-8")
        assert "<script" not in text and "mathjax" not in text.lower()
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        external = []
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file://", "data:"))
                   else (external.append(r.request.url), r.abort()))
        page.goto(html.as_uri(), wait_until="load")
        got = page.evaluate("""() => ({
            math: document.querySelectorAll('math').length,
            dollars: /\\$\\$|\\\\frac/.test(document.body.innerText),
            broken: Array.from(document.querySelectorAll('a[href^="#"]')).map(a => a.getAttribute('href').slice(1))
                .filter(id => !document.getElementById(id) && !document.getElementById(decodeURIComponent(id))),
            wide: Array.from(document.querySelectorAll('table')).filter(t =>
                t.getBoundingClientRect().width > t.parentElement.getBoundingClientRect().width + 1).length,
            scroll: document.documentElement.scrollWidth > window.innerWidth + 1,
            narrative_code: Array.from(document.querySelectorAll('.celltag_narrative .jp-InputArea')).length,
        })""")
        page.close()
        assert not external, f"{name}: requests off the file: {external}"
        assert not got["broken"], f"{name}: links without a target: {got['broken']}"
        assert not got["dollars"], f"{name}: LaTeX left as source"
        assert got["wide"] == 0 and not got["scroll"], f"{name}: a table does not fit the page"
        assert got["narrative_code"] == 0, f"{name}: the code of narrative cells is shown"
        if name != "01_clean":
            assert got["math"] > 0, f"{name}: no MathML"
