"""The report (report.html), the index page and the analysts' notebook pages.

Light at import: this package's `__init__` imports nothing, so the runner can import the page
modules without pandas. Modules:

- data: the validated tables and summaries the report shows (`load` -> ReportData);
- formatter: numbers and texts of one report, formatted from the declared units, as tagged cells;
- sections/: one module per group of sections, each building its part of the view model;
- embed: the figures the report embeds, numbered and captioned;
- view: the whole view model (`context`);
- render: report.html (`render`);
- html: the Jinja2 environment, the allow-list sanitiser and the page frame (light);
- index: index.html (`render_index`, light);
- pages: the notebook pages (`render_notebook_html`, light).

The templates are in present/templates/.
"""
