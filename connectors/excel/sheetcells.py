"""Stream the cells of a worksheet part without building a workbook model.

This is the fast read path: lxml's iterparse over the sheet XML, row by row, keeping
only the requested rows and columns and freeing each row once it is read. It was
measured against openpyxl read-only and python-calamine (see bench/excel_bench.py): it
is the only one of the fast options that also sees formulas and style indexes, which
the caller needs (formula cells are marked, number formats decide dates/percentages).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

from .formulas import shift_formula
from .package import NS_MAIN
from .refs import column_index, parse_cell
from .strings import BytesSource, rich_text

_ROW = f"{{{NS_MAIN}}}row"
_C = f"{{{NS_MAIN}}}c"
_V = f"{{{NS_MAIN}}}v"
_F = f"{{{NS_MAIN}}}f"
_IS = f"{{{NS_MAIN}}}is"


@dataclass(slots=True)
class RawCell:
    """A cell as stored: type attribute, style index, value text, formula."""

    row: int
    col: int
    t: str | None
    s: int
    v: str | None
    formula: str | None
    is_formula: bool
    formula_type: str | None = None


def _split_ref(ref: str) -> tuple[int, int]:
    i = 0
    n = len(ref)
    while i < n and ref[i].isalpha():
        i += 1
    return int(ref[i:]), column_index(ref[:i])


def iter_sheet_rows(
    data: bytes | BinaryIO,
    *,
    min_row: int = 1,
    max_row: int | None = None,
    columns: set[int] | None = None,
) -> Iterator[tuple[int, list[RawCell]]]:
    """Yield (row number, cells) for rows in [min_row, max_row], in file order.

    ``data`` may be a stream (a zip member being decompressed): reading the first rows
    of a large sheet then decompresses only its beginning."""
    shared: dict[str, tuple[str, int, int]] = {}
    row_num = 0
    context = etree.iterparse(
        data if hasattr(data, "read") else BytesSource(data),  # type: ignore[arg-type]
        events=("end",),
        tag=(_ROW, _F),
        huge_tree=True,
        resolve_entities=False,
    )
    for _event, el in context:
        if el.tag == _F:
            # Record shared-formula masters even in rows we skip: children need them.
            if el.get("t") == "shared" and el.text and el.get("ref"):
                anchor = el.get("ref", "").split(":", 1)[0]
                r, c = parse_cell(anchor)
                shared[el.get("si", "")] = (el.text, r, c)
            continue
        r_attr = el.get("r")
        row_num = int(r_attr) if r_attr else row_num + 1
        if max_row is not None and row_num > max_row:
            break
        if row_num < min_row:
            _free(el)
            continue
        cells: list[RawCell] = []
        col = 0
        for c in el.iterchildren(_C):
            ref = c.get("r")
            if ref:
                _r, col = _split_ref(ref)
            else:
                col += 1
            if columns is not None and col not in columns:
                continue
            cells.append(_raw_cell(c, row_num, col, shared))
        _free(el)
        yield row_num, cells


def _raw_cell(
    c: etree._Element, row: int, col: int, shared: dict[str, tuple[str, int, int]]
) -> RawCell:
    t = c.get("t")
    s_attr = c.get("s")
    v_text: str | None = None
    formula: str | None = None
    is_formula = False
    f_type: str | None = None
    for child in c:
        tag = child.tag
        if tag == _V:
            v_text = child.text if child.text is not None else ""
        elif tag == _F:
            is_formula = True
            f_type = child.get("t")
            formula = child.text
            if formula is None and f_type == "shared":
                master = shared.get(child.get("si", ""))
                if master is not None:
                    text, mr, mc = master
                    formula = shift_formula(text, row - mr, col - mc)
        elif tag == _IS:
            v_text = rich_text(child)
    return RawCell(row, col, t, int(s_attr) if s_attr else 0, v_text, formula, is_formula, f_type)


def _free(el: etree._Element) -> None:
    el.clear()
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]
