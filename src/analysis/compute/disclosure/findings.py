"""The audit of everything published: every disclosure problem in the cells read back from the files
(primary, shown in a suppressed row, shown elsewhere, derivable by linear bounds, inconsistent).

Published cells are read back by analysis.present.published: one record per shown or hidden cell,
with columns RECORD_COLUMNS; lo/hi bound the shown value (equal for an exact number, the rounding
interval for a rounded one, NaN when nothing is shown). The findings have columns FINDING_COLUMNS.
Which tables and columns are counts, shares and base counts of which measure is declared here, once.
"""

from __future__ import annotations

import functools
import math

import pandas as pd

from .linear import KINDS, LinearAudit, derivable, measure
from .primary import SUPPRESSED_CODE

RECORD_COLUMNS = ["source", "table", "grouping", "group", "item", "column", "lo", "hi", "row_suppressed", "text"]
FINDING_COLUMNS = ["kind", "source", "table", "grouping", "group", "item", "measure", "detail"]

# (table, column) -> the measure a shown count is a fact about
COUNT_COLUMNS = {("response", "respondents"): "responded", ("headline_by_group", "n_eligible"): "eligible",
                 ("headline", "n_eligible"): "eligible", ("headline", "n_yes"): "yes",
                 ("maturity_index", "n"): "complete", ("describe_summary", "n_respondents"): "responded",
                 ("describe_summary", "respondents"): "responded"}
# what a suppressed row of each table protects (see linear.PROTECTED), and the measure it rests on
PROTECTED_BY_TABLE = {"response": "responded", "headline_by_group": "yes", "headline": "yes", "maturity_index": "score"}
# (table, column) of a share or mean: (numerator, denominator, weighted)
RATIO_COLUMNS = {("headline_by_group", "share_weighted"): ("yes", "eligible", True),
                 ("headline", "share_weighted"): ("yes", "eligible", True),
                 ("headline", "share_unweighted"): ("yes", "eligible", False),
                 ("maturity_index", "mean"): ("score", "complete", True)}
# base counts on which the min_cell rule rests (a shown one below min_cell is a primary disclosure)
BASE_COLUMNS = {("headline_by_group", "n_eligible"), ("headline", "n_eligible"), ("maturity_index", "n")}
# columns a suppressed row may still show: its key, labels, public register counts, flags
SHOWN_WHEN_SUPPRESSED = {"grouping", "group", "item", "label_sv", "label_en", "name", "N", "suppressed",
                         "data_source", "published_share", "published_x_of_10", "ci_method"}
RATE = ("response", "rate")  # a share of the register's N: a count of respondents to within rounding


def finding(kind: str, rec: dict, measure_name: str = "", detail: str = "") -> dict:
    """One finding (FINDING_COLUMNS) about the record `rec`."""
    return {"kind": kind, "source": rec.get("source", ""), "table": rec.get("table", ""),
            "grouping": rec.get("grouping", ""), "group": rec.get("group", ""), "item": rec.get("item"),
            "measure": measure_name, "detail": detail}


def audit(records: pd.DataFrame, units: pd.DataFrame, min_cell: int, areas: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every disclosure problem in the published cells `records` (RECORD_COLUMNS), as FINDING_COLUMNS:

    - primary: a shown count rests on fewer than `min_cell` municipalities (or respondents);
    - shown_in_suppressed_row: a suppressed row shows a value beyond its key and public counts;
    - shown_elsewhere: a cell hidden in one place is shown in another;
    - derivable: the linear bounds of what a hidden row protects (who responded, how many said
      yes, how many areas are established; PROTECTED_BY_TABLE) leave a single whole number, while
      the row has someone to protect (its base count may be above 0) and the national totals alone
      do not already say it (when all 290 responded, every group did);
    - inconsistent: the published numbers contradict each other (no solution).
    An empty frame means no suppressed cell can be worked out from what is published.
    """
    recs = records.reset_index(drop=True)
    hidden = recs["row_suppressed"].astype(bool)
    findings = [*shown_in_suppressed_rows(recs[hidden]), *shown_elsewhere(recs, hidden)]
    county_kinds = tuple(sorted(published_by_county(recs[recs["grouping"] == "lan_kod"])))
    lp = LinearAudit(units, areas, county_kinds)
    shown = recs[recs["lo"].notna()]
    facts = published_facts(shown, lp, min_cell, findings)
    constrain(lp, facts, known_weights(shown, lp), findings)

    @functools.cache
    def totals_only() -> LinearAudit:  # what the national totals say about everyone (e.g. all 290 responded)
        national = LinearAudit(units, areas, county_kinds)
        for key, (lo, hi, _) in facts.items():
            if key[0] == "count" and key[2] == "all":
                national.count(key[1], "all", "all", lo, hi)
        return national

    for (m, grouping, group), rec in protected_targets(recs[hidden]).items():
        found = derivable_finding(lp, totals_only, m, grouping, group, rec)
        if found:
            findings.append(found)
    return pd.DataFrame(findings, columns=FINDING_COLUMNS)


def shown_in_suppressed_rows(hidden: pd.DataFrame) -> list[dict]:
    """A suppressed row that shows a value beyond its key and public counts (or an interval code)."""
    out = []
    for rec in hidden[hidden["text"] != ""].to_dict("records"):
        col = rec["column"]
        if col not in SHOWN_WHEN_SUPPRESSED or (col == "ci_method" and rec["text"] != SUPPRESSED_CODE):
            out.append(finding("shown_in_suppressed_row", rec, col, f"{col} = {rec['text']} is shown in a "
                                                                    "suppressed row"))
    return out


def shown_elsewhere(recs: pd.DataFrame, hidden: pd.Series) -> list[dict]:
    """A row hidden in one place and its numbers shown in another."""
    key = ["table", "grouping", "group", "item"]
    hidden_rows = {tuple(str(r[c]) for c in key): r for r in recs[hidden].to_dict("records")}
    out = []
    for rec in recs[~hidden & recs["lo"].notna()].to_dict("records"):
        row_key = tuple(str(rec[c]) for c in key)
        if row_key in hidden_rows and rec["column"] not in SHOWN_WHEN_SUPPRESSED:
            out.append(finding("shown_elsewhere", rec, rec["column"],
                               f"{rec['column']} = {rec['text']} of a row hidden in {hidden_rows[row_key]['source']}"))
    return out


def published_by_county(county: pd.DataFrame) -> set[str]:
    """The measures published for some county (the LP keeps those by county, the others by SKR group)."""
    cells = set(zip(county["table"], county["column"], strict=True))
    kinds = {k for tc, k in COUNT_COLUMNS.items() if tc in cells}
    for t in set(county["table"]):
        k = PROTECTED_BY_TABLE.get(t)
        kinds |= {k, KINDS.get(k)} - {None} if k else set()
    kinds |= {m for tc, (y, e, _) in RATIO_COLUMNS.items() for m in (y, e) if tc in cells}
    if RATE in cells:
        kinds.add("responded")
    if kinds & {"score", "complete", "eligible", "yes"}:
        kinds.add("responded")
    return kinds


def known_weights(shown: pd.DataFrame, lp: LinearAudit) -> dict[str, float]:
    """The design weights an attacker knows: the published ones, and N_h / n_h where n_h is shown exactly."""
    known: dict[str, float] = {}
    for rec in shown[(shown["table"] == "describe_summary") & (shown["column"] == "weight")].to_dict("records"):
        known[str(rec["group"])] = float(rec["lo"])
    exact_resp = shown[(shown["table"] == "response") & (shown["column"] == "respondents")
                       & (shown["grouping"] == "kommungrupp") & (shown["hi"] - shown["lo"] < 1)]
    for rec in exact_resp.to_dict("records"):
        g = str(rec["group"])
        if "+" not in g and rec["lo"] > 0:
            known.setdefault(g, lp.domain_size("kommungrupp", g) / float(rec["lo"]))
    return known


def primary(rec: dict, kind: str | None, n: int, lo: float, hi: float, min_cell: int) -> list[dict]:
    """The shown cell `rec` (of a domain of n municipalities, value in [lo, hi]) rests on fewer than min_cell."""
    cell = (rec["table"], rec["column"])
    out = []
    if cell == ("response", "respondents") and n < min_cell:
        out.append(finding("primary", rec, "responded", f"respondents of a domain of {n} < {min_cell} "
                                                        "municipalities are shown"))
    if cell == RATE and n < min_cell:
        out.append(finding("primary", rec, "responded", f"the response rate of a domain of {n} < "
                                                        f"{min_cell} municipalities is shown"))
    if cell in BASE_COLUMNS and 0 < hi < min_cell:  # 0: nobody whose answers could show
        out.append(finding("primary", rec, kind, f"{rec['column']} = {rec['text'] or lo:} < {min_cell} is shown"))
    return out


def published_facts(shown: pd.DataFrame, lp: LinearAudit, min_cell: int, findings: list[dict]) -> dict:
    """What the shown cells say, one constraint per cell however often it is shown (the tightest
    interval, with its first record): key -> (lo, hi, record). Appends unknown groups and primary
    disclosures to `findings`. A key is ("count", measure, grouping, group) or
    ("ratio", (table, column), item, grouping, group)."""
    facts: dict[tuple, tuple[float, float, dict]] = {}
    for rec in shown.to_dict("records"):
        table, col, grouping, group = rec["table"], rec["column"], rec["grouping"], str(rec["group"])
        try:
            n = lp.domain_size(grouping, group)
        except KeyError as exc:
            findings.append(finding("unknown_group", rec, detail=str(exc)))
            continue
        if rec["row_suppressed"]:
            continue  # shown_in_suppressed_rows checks these
        lo, hi = float(rec["lo"]), float(rec["hi"])
        kind = COUNT_COLUMNS.get((table, col))
        if (table, col) == RATE:
            kind, lo, hi = "responded", lo * n - 1e-6, hi * n + 1e-6
        findings += primary(rec, kind, n, lo, hi, min_cell)
        if kind is not None:
            key = ("count", measure(kind, rec["item"]), grouping, group)
        elif (table, col) in RATIO_COLUMNS:
            key = ("ratio", (table, col), rec["item"], grouping, group)
        else:
            continue
        old_lo, old_hi, first = facts.get(key, (-math.inf, math.inf, rec))
        facts[key] = (max(old_lo, lo), min(old_hi, hi), first)
    return facts


def constrain(lp: LinearAudit, facts: dict, weights: dict[str, float], findings: list[dict]) -> None:
    """Every fact added to `lp` (shares weighted with the known `weights`); a fact shown with values
    that contradict each other is a finding instead."""
    for key, (lo, hi, rec) in facts.items():
        if lo > hi + 1e-6:
            findings.append(finding("inconsistent", rec, rec["column"],
                                    "shown with different values in different places"))
            continue
        if key[0] == "count":
            lp.count(key[1], key[2], key[3], lo, hi)
            continue
        _, table_col, item, grouping, group = key
        num, den, weighted = RATIO_COLUMNS[table_col]
        w = weights if weighted else dict.fromkeys(map(str, lp.strata), 1.0)
        lp.ratio(measure(num, item), measure(den, item), grouping, group, lo - 1e-9, hi + 1e-9, w)


def protected_targets(hidden: pd.DataFrame) -> dict[tuple, dict]:
    """(measure, grouping, group) -> first record of every hidden row's protected count."""
    targets: dict[tuple, dict] = {}
    for rec in hidden.to_dict("records"):
        if rec["table"] in PROTECTED_BY_TABLE:
            m = measure(PROTECTED_BY_TABLE[rec["table"]], rec["item"])
            targets.setdefault((m, rec["grouping"], str(rec["group"])), rec)
    return targets


def derivable_finding(lp: LinearAudit, totals_only, m, grouping: str, group: str, rec: dict) -> dict | None:
    """The finding about a hidden count m of a domain, if any: derivable (while the row has someone
    to protect, and the national totals alone do not say it: `totals_only()`), inconsistent, or an
    unknown group; None when it is safe."""
    name = m[0] if m[1] is None else f"{m[0]}:{m[1]}"
    try:
        b = lp.bounds(m, grouping, group)
    except KeyError as exc:
        return finding("unknown_group", rec, name, str(exc))
    if b is None:
        return finding("inconsistent", rec, name, "the published numbers contradict each other")
    if not derivable(b):
        return None
    base = KINDS[m[0]]
    if base is not None:  # nobody to protect when the row's base count can only be 0
        bb = lp.bounds(measure(base, m[1]), grouping, group)
        if bb is not None and bb[1] < 1 - 1e-6:  # a count below 1 is 0
            return None
    if derivable(totals_only().bounds(m, grouping, group)):
        return None
    return finding("derivable", rec, name, f"the published numbers give exactly {round(b[0])}")
