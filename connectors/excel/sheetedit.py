"""Surgical edits of a worksheet part's XML, as bytes.

Parsing a sheet into a tree and serialising it back reorders namespace declarations,
changes quoting and can drop content; so instead the rows and cells that change are
located with anchored patterns and spliced. Every byte outside the touched cells (and
the touched rows' start tags when their spans grow) is kept as it was.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from lxml import etree

from .errors import UnsupportedEdit
from .refs import CellRange, column_index
from .sheetcells import RawCell, _raw_cell

_ATTR_R = re.compile(rb'\sr\s*=\s*"([A-Za-z]*)(\d+)"')
_ATTR_SPANS = re.compile(rb'(\sspans\s*=\s*")(\d+):(\d+)(")')
_NS_DECL = re.compile(rb'\sxmlns(?::\w+)?\s*=\s*"[^"]*"')
_DIMENSION = re.compile(rb'(<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*")([^"]*)(")')


@dataclass
class _Row:
    number: int
    start: int
    end: int
    open_end: int  # end of the start tag
    self_closing: bool
    cells: dict[int, tuple[int, int]] | None = None  # col -> (start, end) absolute


@dataclass
class SheetEditor:
    """Collects cell replacements for one sheet part and renders the new bytes."""

    data: bytes
    edits: dict[int, dict[int, bytes]] = field(default_factory=dict)
    new_row_attrs: dict[int, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        m = re.search(rb"<((?:\w+:)?)sheetData\b[^>]*?(/?)>", self.data)
        if m is None:
            raise UnsupportedEdit("worksheet part has no sheetData element")
        self.prefix = m.group(1)
        if m.group(2):
            self._sd_open_end = m.start()  # '<sheetData/>' is replaced as a whole
            self._sd_close = m.end()
            self._sd_self_closing = True
            self._sd_tag = m.group(0)
        else:
            self._sd_open_end = m.end()
            close = self.data.find(b"</" + self.prefix + b"sheetData>", m.end())
            if close < 0:
                raise UnsupportedEdit("worksheet part has an unterminated sheetData")
            self._sd_close = close
            self._sd_self_closing = False
            self._sd_tag = m.group(0)
        self._rows: list[_Row] | None = None
        self._by_number: dict[int, _Row] = {}
        root_tag = re.search(rb"<(?:\w+:)?worksheet\b[^>]*>", self.data)
        decls = _NS_DECL.findall(root_tag.group(0)) if root_tag else []
        self._wrapper_open = b"<w" + b"".join(decls) + b">"

    # -- index ---------------------------------------------------------------------------
    @property
    def rows(self) -> list[_Row]:
        if self._rows is None:
            self._index_rows()
        assert self._rows is not None
        return self._rows

    def _index_rows(self) -> None:
        rows: list[_Row] = []
        if not self._sd_self_closing:
            pat = re.compile(rb"<" + re.escape(self.prefix) + rb"row\b([^>]*?)(/?)>")
            close_tag = b"</" + self.prefix + b"row>"
            pos = self._sd_open_end
            last = 0
            while True:
                m = pat.search(self.data, pos, self._sd_close)
                if m is None:
                    break
                r = re.search(rb'\sr\s*=\s*"(\d+)"', m.group(1))
                number = int(r.group(1)) if r else last + 1
                if m.group(2):
                    end = m.end()
                else:
                    end = self.data.find(close_tag, m.end(), self._sd_close)
                    if end < 0:
                        raise UnsupportedEdit("worksheet part has an unterminated row")
                    end += len(close_tag)
                rows.append(_Row(number, m.start(), end, m.end(), bool(m.group(2))))
                last = number
                pos = end
        self._rows = rows
        self._by_number = {r.number: r for r in rows}
        self._numbers = [r.number for r in rows]

    def row(self, number: int) -> _Row | None:
        _ = self.rows
        return self._by_number.get(number)

    @property
    def last_row_number(self) -> int:
        return self.rows[-1].number if self.rows else 0

    def _cells_of(self, row: _Row) -> dict[int, tuple[int, int]]:
        if row.cells is None:
            cells: dict[int, tuple[int, int]] = {}
            if not row.self_closing:
                pat = re.compile(
                    rb"<"
                    + re.escape(self.prefix)
                    + rb"c\b([^>]*?)(?:/>|>.*?</"
                    + re.escape(self.prefix)
                    + rb"c>)",
                    re.S,
                )
                col = 0
                for m in pat.finditer(self.data, row.open_end, row.end):
                    r = _ATTR_R.search(m.group(1))
                    if r is None:
                        raise UnsupportedEdit(
                            f"row {row.number} has cells without addresses; open and save the "
                            "workbook in Excel once so pmo-sync can edit it"
                        )
                    col = column_index(r.group(1).decode())
                    cells[col] = (m.start(), m.end())
            row.cells = cells
        return row.cells

    def cell_xml(self, row_number: int, col: int) -> bytes | None:
        """The stored bytes of a cell (pending edits not included), or None."""
        row = self.row(row_number)
        if row is None:
            return None
        span = self._cells_of(row).get(col)
        return None if span is None else self.data[span[0] : span[1]]

    def raw_cell(self, row_number: int, col: int) -> RawCell | None:
        """The stored cell parsed into a RawCell (for comparisons), or None."""
        xml = self.cell_xml(row_number, col)
        if xml is None:
            return None
        wrapped = self._wrapper_open + xml + b"</w>"
        el = etree.fromstring(wrapped)[0]
        return _raw_cell(el, row_number, col, {})

    def row_attrs(self, row_number: int) -> bytes | None:
        row = self.row(row_number)
        if row is None:
            return None
        tag = self.data[row.start : row.open_end]
        m = re.match(rb"<(?:\w+:)?row\b(.*?)/?>$", tag, re.S)
        return m.group(1) if m else b""

    def row_cells(self, row_number: int) -> dict[int, bytes]:
        row = self.row(row_number)
        if row is None:
            return {}
        return {c: self.data[s:e] for c, (s, e) in self._cells_of(row).items()}

    # -- edits --------------------------------------------------------------------------
    def set_cell(self, row_number: int, col: int, xml: bytes) -> None:
        self.edits.setdefault(row_number, {})[col] = xml

    def ensure_row(self, row_number: int, attrs: bytes) -> None:
        """Create row `row_number` with start-tag attributes `attrs` if it does not exist."""
        if self.row(row_number) is None:
            self.new_row_attrs[row_number] = attrs
        self.edits.setdefault(row_number, {})

    # -- render -------------------------------------------------------------------------
    def render(self) -> bytes:
        if not self.edits:
            return self.data
        out: list[bytes] = []
        pos = 0
        _ = self.rows
        pending_new = sorted(n for n in self.edits if self.row(n) is None)
        if self._sd_self_closing:
            out.append(self.data[: self._sd_open_end])
            tag = self._sd_tag[:-2].rstrip() + b">"
            out.append(tag)
            out.extend(self._new_row(n) for n in pending_new)
            out.append(b"</" + self.prefix + b"sheetData>")
            out.append(self.data[self._sd_close :])
            return self._fix_dimension(b"".join(out))
        new_iter = iter(pending_new)
        next_new = next(new_iter, None)
        for number in sorted(n for n in self.edits if self.row(n) is not None):
            row = self._by_number[number]
            while next_new is not None and next_new < number:
                insert_at = self._insert_position(next_new)
                out.append(self.data[pos:insert_at])
                out.append(self._new_row(next_new))
                pos = insert_at
                next_new = next(new_iter, None)
            out.append(self.data[pos : row.start])
            out.append(self._rewrite_row(row))
            pos = row.end
        while next_new is not None:
            insert_at = self._insert_position(next_new)
            out.append(self.data[pos:insert_at])
            out.append(self._new_row(next_new))
            pos = insert_at
            next_new = next(new_iter, None)
        out.append(self.data[pos:])
        return self._fix_dimension(b"".join(out))

    def _insert_position(self, number: int) -> int:
        i = bisect.bisect_left(self._numbers, number)
        if i < len(self.rows):
            return self.rows[i].start
        return self._sd_close

    def _new_row(self, number: int) -> bytes:
        attrs = self.new_row_attrs.get(number, b"")
        cells = self.edits.get(number, {})
        attrs = _with_spans(attrs, cells)
        body = b"".join(cells[c] for c in sorted(cells))
        p = self.prefix
        head = b"<" + p + b'row r="' + str(number).encode() + b'"' + attrs
        if not body:
            return head + b"/>"
        return head + b">" + body + b"</" + p + b"row>"

    def _rewrite_row(self, row: _Row) -> bytes:
        edits = self.edits[row.number]
        existing = self._cells_of(row)
        open_tag = self.data[row.start : row.open_end]
        cols = sorted(set(existing) | set(edits))
        lo, hi = (min(cols), max(cols)) if cols else (1, 1)
        m = _ATTR_SPANS.search(open_tag)
        if m and (lo < int(m.group(2)) or hi > int(m.group(3))):
            new_lo, new_hi = min(lo, int(m.group(2))), max(hi, int(m.group(3)))
            open_tag = (
                open_tag[: m.start()]
                + m.group(1)
                + f"{new_lo}:{new_hi}".encode()
                + m.group(4)
                + open_tag[m.end() :]
            )
        if row.self_closing:
            open_tag = open_tag[:-2].rstrip() + b">"
            body_start = body_end = row.open_end
            close = b"</" + self.prefix + b"row>"
        else:
            body_start = row.open_end
            close_start = row.end - len(b"</" + self.prefix + b"row>")
            body_end = close_start
            close = self.data[close_start : row.end]
        # Keep everything between cells (rare: extLst inside rows) in place.
        out = [open_tag]
        pos = body_start
        pending = sorted(c for c in edits if c not in existing)
        pi = 0
        for col in sorted(existing):
            start, end = existing[col]
            while pi < len(pending) and pending[pi] < col:
                out.append(self.data[pos:start])
                pos = start
                out.append(edits[pending[pi]])
                pi += 1
            out.append(self.data[pos:start])
            out.append(edits.get(col, self.data[start:end]))
            pos = end
        tail_cells = b"".join(edits[c] for c in pending[pi:])
        out.append(tail_cells)
        out.append(self.data[pos:body_end])
        out.append(close)
        return b"".join(out)

    def _fix_dimension(self, data: bytes) -> bytes:
        m = _DIMENSION.search(data)
        if m is None:
            return data
        try:
            dim = CellRange.parse(m.group(2).decode())
        except ValueError:
            return data
        max_row, max_col = dim.max_row, dim.max_col
        min_row, min_col = dim.min_row, dim.min_col
        for number, cells in self.edits.items():
            for col in cells:
                max_row, max_col = max(max_row, number), max(max_col, col)
                min_row, min_col = min(min_row, number), min(min_col, col)
        new = CellRange(min_row, min_col, max_row, max_col)
        if new == dim:
            return data
        return data[: m.start(2)] + str(new).encode() + data[m.end(2) :]


def _with_spans(attrs: bytes, cells: dict[int, bytes]) -> bytes:
    if not cells:
        return attrs
    lo, hi = min(cells), max(cells)
    m = _ATTR_SPANS.search(attrs)
    if m is None:
        return attrs
    new_lo, new_hi = min(lo, int(m.group(2))), max(hi, int(m.group(3)))
    return (
        attrs[: m.start()]
        + m.group(1)
        + f"{new_lo}:{new_hi}".encode()
        + m.group(4)
        + attrs[m.end() :]
    )
