"""The provenance section: what the report was made from (provenance.json: git state, the raw file,
the processed files' digests, the parameters, the package versions), each value tagged with its place."""

from __future__ import annotations

from typing import Any

from ...cells import Cell, Table
from ..data import ReportData
from ..formatter import Formatter, head


def _value(path: str, text: Any) -> Cell:
    """A provenance value, tagged with its place in provenance.json (keys joined by |)."""
    return Cell("" if text is None else str(text), src="provenance", key={"path": path.split("|")}, cls="hash")


def _kv(pairs: list[tuple[str, Cell]], h1: str, h2: str, tid: str, caption: str) -> Table:
    return Table(tid, caption, [[head(h1), head(h2)]], [[Cell(k), v] for k, v in pairs], cls="kv")


def _general(data: ReportData, F: Formatter, prov: dict[str, Any]) -> list[tuple[str, Cell]]:
    unknown = F.t("provenance.unknown")
    dirty = prov.get("git_dirty")
    dirty_text = unknown if dirty is None else F.t("provenance.dirty_yes") if dirty else F.t("provenance.dirty_no")
    return [
        (F.t("provenance.commit"), _value("git_commit", prov.get("git_commit") or unknown)),
        (F.t("provenance.dirty"), Cell(dirty_text)),
        (F.t("provenance.synthetic"), Cell(F.t("report.word_yes") if data.synthetic else F.t("report.word_no"))),
        (F.t("provenance.raw"), _value("raw_file", prov.get("raw_file"))),
        (F.t("provenance.raw_sha"), _value("raw_sha256", prov.get("raw_sha256") or unknown)),
        (F.t("provenance.python"), _value("python", prov.get("python", unknown))),
        (F.t("provenance.environment"), _value("environment_sha256", prov.get("environment_sha256") or unknown)),
    ]


def _listed(prov: dict[str, Any], key: str) -> list[tuple[str, Cell]]:
    """The entries of one mapping of provenance.json, each value tagged with its place."""
    return [(str(k), _value(f"{key}|{k}", v)) for k, v in (prov.get(key) or {}).items()]


def section_provenance(data: ReportData, F: Formatter, prov: dict[str, Any]) -> dict[str, Any]:
    file_head = (F.t("provenance.file"), "SHA-256")
    tables = [_kv(_general(data, F, prov), F.t("provenance.item"), F.t("provenance.value"), "table-provenance", ""),
              _kv(_listed(prov, "processed_sha256"), *file_head, "table-provenance-files", F.t("provenance.processed"))]
    if prov.get("compared_sha256"):
        tables.append(_kv(_listed(prov, "compared_sha256"), *file_head, "table-provenance-compared",
                          F.t("provenance.compared", wave=prov.get("params", {}).get("compare_with"))))
    tables += [_kv(_listed(prov, "params"), F.t("provenance.param"), F.t("provenance.value"),
                   "table-provenance-params", F.t("provenance.params")),
               _kv(_listed(prov, "packages"), F.t("provenance.package"), F.t("provenance.version"),
                   "table-provenance-packages", F.t("provenance.packages"))]
    return {"intro": F.t("provenance.intro"), "tables": tables}
