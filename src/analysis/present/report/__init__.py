"""The report (report.html), the index page and the analysts' notebook pages.

The facade holds the two entry points the runner calls, `render_index` and `render_notebook_html`:
they import no pandas, jinja2, nbconvert or openpyxl themselves (the runner imports them on its no-op
path; pandas comes in only through analysis.base.contracts while that imports pandera at its top).
The report itself is `data.load` and `render.render`, which use pandas. Modules:

- data: the validated tables and summaries the report shows (`load` -> ReportData);
- formatter: numbers and texts of one report, formatted from the declared units, as tagged cells;
- sections/: one module per group of sections, each building its part of the view model;
- embed: the figures the report embeds, numbered and captioned;
- view: the whole view model (`context`);
- render: report.html (`render`);
- html: the Jinja2 environment, the allow-list sanitiser and the page frame (light);
- index: index.html (`render_index`);
- pages: the notebook pages (`render_notebook_html`, light).

The templates are in present/templates/.
"""

from .index import render_index
from .pages import render_notebook_html

__all__ = ["render_index", "render_notebook_html"]
