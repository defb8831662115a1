"""The report's sections, one module per group: each builds its part of the view model (plain values,
Markup and present.cells tables) from a ReportData and its Formatter; report.view assembles them."""
