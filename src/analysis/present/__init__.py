"""Presentation: figures, the language catalogue (Swedish and English), number formatting from the
declared units, the report's Jinja2 templates and the exports (workbook, PDF).

Modules: catalogue, fmt, figures, report, exports, notebook (what the step notebooks show),
nbhtml (their HTML pages).
"""
