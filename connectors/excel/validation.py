"""Drop-down lists (list data validations): which values a tracker's columns allow.

A PMO template says what a column may hold with a list validation: typed inline
(``"Open,Closed"``), as a range (``Definition!$O$3:$O$8``), as a defined name, or as a
table through ``INDIRECT("IssueStatus")`` (the RAID log in ../shared does this). The
sync writes labels in the list's own spelling, and reports a value the list does not
allow instead of writing it unseen.

Only lists whose items can be known without calculating are resolved; a list built by
any other formula (``OFFSET(...)``, ``INDIRECT(A1)``) is reported as unknown and not
enforced. Both the classic ``<dataValidations>`` and the x14 extension (a list on
another sheet, as older Excel writes it) are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .locate import TrackerLocation
from .package import NS_MAIN, Package
from .refs import CellRange, column_index
from .workbook import WorkbookView

_NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
_NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"
_QUOTED = re.compile(r'^"(.*)"$', re.DOTALL)
_INDIRECT = re.compile(r'^INDIRECT\(\s*"([^"]+)"\s*\)$', re.IGNORECASE)
_SHEET_RANGE = re.compile(
    r"^(?:(?:'((?:[^']|'')+)'|([^'!]+))!)?(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$"
)
_STRUCTURED = re.compile(r"^([A-Za-z_\\][\w.]*)(?:\[(?:\[?#Data\]?,\s*)?\[?([^\[\]]+)\]?\])?$")
MAX_ITEMS = 10_000  # a list this long is a lookup table, not a drop-down


@dataclass(frozen=True)
class ListRule:
    """One list validation: the cells it covers and the values it allows (None: the list
    is computed by a formula pmo-sync does not evaluate)."""

    ranges: tuple[CellRange, ...]
    source: str
    values: tuple[str, ...] | None

    def covers(self, row: int, col: int) -> bool:
        return any(r.contains(row, col) for r in self.ranges)


def list_rules(
    path: str | Path,
    sheet: str,
    *,
    view: WorkbookView | None = None,
    sheet_xml: bytes | None = None,
) -> list[ListRule]:
    """Every list validation on a sheet, with its items resolved where possible.

    `sheet_xml`: the sheet part's bytes when the caller has them already (the survey
    passes only the parts around sheetData, where validations live)."""
    view = view or WorkbookView(path)
    info = view.package.sheet(sheet)
    if info is None:
        return []
    root = _validation_blocks(view.sheet_bytes(info) if sheet_xml is None else sheet_xml)
    found: list[tuple[str, str]] = []
    for dv in root.iter(f"{{{NS_MAIN}}}dataValidation"):
        formula = dv.find(f"{{{NS_MAIN}}}formula1")
        if dv.get("type") == "list" and formula is not None and formula.text:
            found.append((dv.get("sqref", ""), formula.text))
    for dv in root.iter(f"{{{_NS_X14}}}dataValidation"):
        formula = dv.find(f"{{{_NS_X14}}}formula1/{{{_NS_XM}}}f")
        sqref = dv.find(f"{{{_NS_XM}}}sqref")
        if dv.get("type") == "list" and formula is not None and sqref is not None:
            found.append((sqref.text or "", formula.text or ""))
    rules = []
    for sqref, formula in found:
        ranges = tuple(CellRange.parse(part) for part in sqref.split() if part)
        rules.append(ListRule(ranges, formula, _items(view, sheet, formula.strip())))
    return rules


_BLOCK = re.compile(rb"<((?:\w+:)?)dataValidations\b.*?</\1dataValidations>", re.DOTALL)
_ROOT_START = re.compile(rb"<(?:\w+:)?worksheet\b[^>]*>")


def _validation_blocks(sheet_xml: bytes) -> etree._Element:
    """Only the sheet's validation blocks, parsed under the sheet's own namespace
    declarations: the rows before them (most of a large sheet) are never parsed."""
    blocks = [m.group(0) for m in _BLOCK.finditer(sheet_xml)]
    start = _ROOT_START.search(sheet_xml)
    if not blocks or start is None:
        return etree.Element("none")
    head = start.group(0)
    closing = b"</" + head[1:].split(b" ", 1)[0].split(b">", 1)[0] + b">"
    wrapped = head + b"".join(_with_x14_namespaces(b) for b in blocks) + closing
    return etree.fromstring(wrapped, etree.XMLParser(huge_tree=True, recover=True))


def _with_x14_namespaces(block: bytes) -> bytes:
    """An x14 block declares its prefixes on an ancestor (the ext element) we cut away."""
    if not block.startswith(b"<x14:"):
        return block
    tag_end = block.index(b">")
    extra = b' xmlns:x14="' + _NS_X14.encode() + b'" xmlns:xm="' + _NS_XM.encode() + b'"'
    head = block[:tag_end]
    if head.endswith(b"/"):
        head = head[:-1]
    return head + extra + block[tag_end:] if b"xmlns:x14" not in head else block


def column_lists(
    path: str | Path, location: TrackerLocation, headers: Iterable[str]
) -> dict[str, ListRule]:
    """Header -> the list rule of that column's data cells (the rule covering the first
    data row, else the one covering most of the column), for the headers that have one."""
    view = WorkbookView(path)
    rules = list_rules(path, location.sheet, view=view)
    if not rules:
        return {}
    out: dict[str, ListRule] = {}
    for header in headers:
        letter = location.column_for(header)
        if letter is None:
            continue
        rule = rule_for_column(
            rules, column_index(letter), location.first_data_row, location.last_data_row
        )
        if rule is not None:
            out[location.header_for(header) or header] = rule
    return out


def rule_for_column(rules: Iterable[ListRule], col: int, first: int, last: int) -> ListRule | None:
    """The list rule of a column's data rows first..last: the one covering the first data
    row, else the one covering most of those rows (None: the column has no list)."""
    last = max(last, first)
    rules = list(rules)
    covering = [r for r in rules if r.covers(first, col)]
    if not covering:
        covering = sorted(
            (r for r in rules if any(c.min_col <= col <= c.max_col for c in r.ranges)),
            key=lambda r: (
                -sum(
                    max(0, min(c.max_row, last) - max(c.min_row, first) + 1)
                    for c in r.ranges
                    if c.min_col <= col <= c.max_col
                )
            ),
        )
    return covering[0] if covering else None


def _items(view: WorkbookView, sheet: str, formula: str) -> tuple[str, ...] | None:
    if formula.startswith("="):
        formula = formula[1:]
    quoted = _QUOTED.match(formula)
    if quoted:  # an inline list: the file always separates items with commas
        return tuple(item.strip() for item in quoted.group(1).replace('""', '"').split(","))
    indirect = _INDIRECT.match(formula)
    target = indirect.group(1) if indirect else formula
    return _range_items(view, sheet, target.strip())


def _range_items(view: WorkbookView, sheet: str, target: str) -> tuple[str, ...] | None:
    package = view.package
    match = _SHEET_RANGE.match(target)
    if match:
        name = (match.group(1) or "").replace("''", "'") or match.group(2) or sheet
        return _cells(view, name, CellRange.parse(match.group(3)))
    names = _defined_names(package)
    if target.casefold() in names:
        return _range_items(view, sheet, names[target.casefold()])
    structured = _STRUCTURED.match(target)
    if structured:
        table = package.table(structured.group(1))
        if table is not None:
            column = structured.group(2)
            index = 0
            if column:
                titles = [c.name.casefold() for c in table.columns]
                if column.strip().casefold() not in titles:
                    return None
                index = titles.index(column.strip().casefold())
            col = table.ref.min_col + index
            body = CellRange(table.first_data_row, col, table.last_data_row, col)
            return _cells(view, table.sheet.name, body)
    return None


def _defined_names(package: Package) -> Mapping[str, str]:
    names = package.workbook_xml.find(f"{{{NS_MAIN}}}definedNames")
    if names is None:
        return {}
    return {
        str(el.get("name", "")).casefold(): (el.text or "").strip()
        for el in names
        if el.get("localSheetId") is None
    }


def _cells(view: WorkbookView, sheet: str, area: CellRange) -> tuple[str, ...] | None:
    info = view.package.sheet(sheet)
    if info is None or area.max_row - area.min_row >= MAX_ITEMS:
        return None
    columns = set(range(area.min_col, area.max_col + 1))
    items = []
    for _row, cells in view.rows(info, min_row=area.min_row, max_row=area.max_row, columns=columns):
        for col in sorted(cells):
            value = cells[col].value
            if value is None or value == "":
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            items.append(str(value))
    return tuple(items)
