"""The section on the change since the earlier wave (05_compare): the lead sentence, Table C1 (change),
C2 (transitions), C3 (the public record) and the notes of items whose wording changed."""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from ....base.codebook import HEADLINE_ITEMS
from ....base.waves import item_map
from ... import catalogue, fmt
from ...cells import Cell, Table
from ...labels import item_label
from ..data import ReportData
from ..formatter import Formatter, head, signed


def _lead(data: ReportData, F: Formatter, change: pd.DataFrame) -> Markup | None:
    """The lead sentence: the change of the first headline item compared (the codebook's order), else
    of the first row."""
    shown = [i for i in HEADLINE_ITEMS if (change["item"] == i).any()]
    first = change[change["item"] == shown[0]] if shown else change.head(1)
    if not len(first) or fmt.isna(first.iloc[0]["change"]):
        return None
    r = first.iloc[0]

    def n(col: str) -> Markup:
        return F.number("change", r, col)

    return F.fill("change.lead", label=item_label(r["item"], data.lang), wave_from=int(data.compare["wave_from"]),
                  wave_to=int(data.compare["wave_to"]), level=data.level, share_from=n("share_from"),
                  share_to=n("share_to"),
                  change=F.span("change", r, ("change",), signed(F.value("change", r, "change"), r["change"])),
                  low=n("ci_low"), high=n("ci_high"), low_ind=n("ci_low_independent"),
                  high_ind=n("ci_high_independent"))


def _change_table(data: ReportData, F: Formatter, change: pd.DataFrame) -> tuple[Table, bool]:
    """Table C1, and whether any item's wording changed."""
    lang, level = data.lang, data.level
    w_from, w_to = int(data.compare["wave_from"]), int(data.compare["wave_to"])
    head_row = [head(F.t("columns.item")), head(F.t("columns.share_wave", wave=w_from), True),
                head(F.t("columns.share_wave", wave=w_to), True), head(F.t("columns.change"), True),
                head(F.t("columns.interval_independent", level=level), True),
                head(F.t("columns.interval_panel", level=level), True), head(F.t("columns.n_both"), True),
                head(F.t("columns.comparability"))]
    rows = []
    for _, r in change.iterrows():
        c = F.num("change", r, "change")
        c.text = signed(c.text, r["change"])
        rows.append([Cell(item_label(r["item"], lang)), F.num("change", r, "share_from"),
                     F.num("change", r, "share_to"), c,
                     F.num("change", r, ("ci_low_independent", "ci_high_independent"), style="interval"),
                     F.num("change", r, ("ci_low", "ci_high"), style="interval"), F.num("change", r, "n_both"),
                     Cell(catalogue.label("comparability", r["comparability"], lang))])
    links = item_map(w_from, w_to)
    changed = [links[str(i)] for i in change["item"] if links[str(i)].comparability != "same"]
    notes = [F.t("change.item_note", label=item_label(link.item_from, lang), note=getattr(link, f"note_{lang}"))
             for link in changed]
    table = Table("table-change", F.t("change.change_caption", wave_from=w_from, wave_to=w_to, level=level),
                  [head_row], rows, notes, cls="compact change")
    return table, bool(changed)


def _transitions_table(data: ReportData, F: Formatter) -> Table:
    tr = data.tables["transitions"]
    head_row = [head(F.t("columns.item")), head(F.t("columns.n_both"), True), head(F.t("columns.kept_yes"), True),
                head(F.t("columns.lost"), True), head(F.t("columns.gained"), True),
                head(F.t("columns.kept_no"), True), head(F.t("columns.mcnemar"), True)]
    rows, any_supp = [], False
    for _, r in tr.iterrows():
        supp = bool(r["suppressed"])
        any_supp |= supp
        rows.append([Cell(item_label(r["item"], data.lang)), F.num("transitions", r, "n_both")]
                    + [F.num("transitions", r, col, suppressed=supp)
                       for col in ("kept_yes", "lost", "gained", "kept_no", "p_value")])
    caption = F.t("change.transitions_caption", wave_from=int(data.compare["wave_from"]),
                  wave_to=int(data.compare["wave_to"]))
    notes = [F.t("change.suppressed_note", min_cell=data.P["min_cell"])] if any_supp else []
    return Table("table-transitions", caption, [head_row], rows, notes, cls="compact change")


def _record_row(data: ReportData, F: Formatter, r: pd.Series) -> list[Cell]:
    """One published figure: 'x of n' (Clopper-Pearson) or 'x in 10', its interval and method, its
    comparability and SKR's note, the source."""
    lang = data.lang
    if r["interval"] == "clopper_pearson":
        figure = F.fill("change.of", x=F.number("trend", r, "numerator"), n=F.number("trend", r, "denominator"))
    else:
        figure = F.fill("change.x_of_10", x=F.number("trend", r, "x_of_10"))
    ci = F.num("trend", r, ("ci_low", "ci_high"), style="interval")
    ci.text = Markup("{}<br><small>{}</small>").format(ci.text, catalogue.label("intervals", r["interval"], lang))
    comp = Markup("{}<br><small>{}</small>").format(catalogue.label("comparability", r["comparability"], lang),
                                                     F.t("change.source_note", note=r["note"]))
    return [Cell(item_label(r["item"], lang)), Cell(str(r["wave"])), Cell(r["publisher"]), Cell(figure), ci,
            Cell(comp), Cell(r["source_url"], cls="url")]


def _record_table(data: ReportData, F: Formatter) -> Table:
    trend = data.tables["trend"]
    head_row = [head(F.t("columns.item")), head(F.t("columns.wave")), head(F.t("columns.publisher")),
                head(F.t("columns.published_figure")), head(F.t("columns.interval", level=data.level), True),
                head(F.t("columns.comparability")), head(F.t("columns.source"))]
    rows = [_record_row(data, F, r) for _, r in trend[trend["kind"] == "published"].iterrows()]
    return Table("table-record", F.t("change.record_caption", wave_to=int(data.compare["wave_to"])), [head_row],
                 rows, cls="compact record")


def section_change(data: ReportData, F: Formatter) -> dict[str, Any]:
    """Change since the earlier wave (05_compare): the lead sentence, the change, transition and
    public-record tables, and the notes of items whose wording changed."""
    w_from, w_to = int(data.compare["wave_from"]), int(data.compare["wave_to"])
    change = data.tables["change"]
    t1, reworded = _change_table(data, F, change)
    return {"lead": _lead(data, F, change), "intro": F.t("change.intro", wave_from=w_from, wave_to=w_to),
            "caveat": F.t("change.caveat"), "comparability": F.t("change.comparability_intro") if reworded else None,
            "tables": [t1, _transitions_table(data, F), _record_table(data, F)],
            "transitions_intro": F.t("change.transitions_intro"),
            "record_intro": F.t("change.record_intro", wave_to=w_to)}
