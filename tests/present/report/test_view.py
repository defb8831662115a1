"""present.report.view: the view model of a real small run holds every section the templates need, in
the report's order, each table with an id and every numeric cell tagged."""

from __future__ import annotations

from analysis.present.cells import Table
from analysis.present.report.sections.header import SECTIONS
from analysis.present.report.view import context


def _tables(value):
    if isinstance(value, Table):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _tables(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _tables(v)


def test_every_section_is_built_in_order_and_every_number_is_tagged(small_data):
    ctx = context(small_data["en"], {"params": {"lang": "en"}, "packages": {"pandas": "2"}})
    assert ctx["order"] == [s for s in SECTIONS if s != "change"] and ctx["change"] is None
    assert set(ctx["sections"]) == set(ctx["order"]) and ctx["lang"] == "en"
    tables = list(_tables(ctx))
    ids = [t.id for t in tables]
    assert len(ids) == len(set(ids)) and all(ids)
    assert {"table-headline", "table-groups", "table-models", "table-verdicts", "table-response"} <= set(ids)
    numeric = [c for t in tables for row in t.rows for c in row if c.num]
    assert len(numeric) > 300 and all(c.src and c.cols for c in numeric)
