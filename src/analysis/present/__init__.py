"""Presentation: the language catalogue (Swedish and English), number formatting from the declared
units, labels of codes, tagged cells and tables, figures, the report, the notebook pages and the exports.

Modules: catalogue, fmt, labels, cells (one model and emitter of tagged cells, for the report and the
notebooks), figures/, report/ (report.html, index.html, the notebook pages), notebook (what the step
notebooks show), nbhtml (their HTML exporter), shell (errors in IPython), published (what is published,
read back for the disclosure audit), exports (workbook, PDF).
"""
