"""What the runner writes itself around the notebooks: each notebook's page, and after the last step
the workbook, the PDF and index.html (linking whatever of these exists).

The present layer's functions it calls: report.render_notebook_html, report.render_index,
exports.export_workbook and exports.print_pdf.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..base import io
from ..present import exports, report
from .dag import Step, page_path


def synthetic(P_run: dict) -> bool:
    """Whether this run's processed data came from a synthetic export (its run_info.json)."""
    return io.is_synthetic(io.read_json(Path(P_run["processed_dir"]) / "run_info.json"))


def render_html(step: Step, executed: Path, out_dir: Path, synthetic: bool) -> Path:
    """The analysts' HTML (with code) of an executed notebook: out_dir/notebooks/<step>.html."""
    import nbformat  # noqa: PLC0415 - heavy: only after a notebook ran

    nb = nbformat.read(executed, as_version=4)
    return io.write_text(report.render_notebook_html(nb, synthetic=synthetic),
                         page_path(out_dir, step))


def export_workbook(tables_dir: Path) -> Path:
    """tables_dir/tables.xlsx from the tables there (written while the last step runs)."""
    return exports.export_workbook(tables_dir)


def finish_report(P_run: dict, steps: tuple[Step, ...], pages: list[Future] = (),
                  workbook: Future | None = None) -> list[Path]:
    """After the last step: the workbook (unless `workbook`, being written, is given) and the PDF,
    then, once every notebook page (`pages`, being rendered) is written, the index, which links to
    whatever of these exists (so it is complete on the first build and after --force)."""
    out = Path(P_run["output_dir"])
    # Chromium prints the PDF (seconds, in its own processes) while this process writes the workbook
    # and the notebook pages are rendered
    with ThreadPoolExecutor(max_workers=1) as printer:
        printing = printer.submit(exports.print_pdf, out / "report.html", out / "report.pdf")
        paths = [workbook.result() if workbook is not None else exports.export_workbook(out / "tables")]
        for page in list(pages):
            page.result()
        pdf = printing.result()
    if pdf:
        paths.append(pdf)
    htmls = [page_path(out, s) for s in steps if page_path(out, s).is_file()]
    html = report.render_index(out, htmls, lang=P_run["lang"], wave=P_run["wave"], synthetic=synthetic(P_run),
                               has_pdf=(out / "report.pdf").is_file(),
                               has_workbook=(out / "tables" / "tables.xlsx").is_file())
    paths.append(io.write_text(html, out / "index.html"))
    return paths
