"""Recognise a tracker's header in rows of cells: the rules the survey and the sync share.

The survey (``survey.py``) finds trackers without knowing their headers; a mapping
written from it pins what was found (``header_row``, ``header_rows``, ``columns``) and
``locate.py`` must then find the same header texts and the same end of the tracker.
Both go through the functions here, so the two cannot drift apart.

The rules, each chosen to be explainable to the person whose sheet it is:

* **Header row**: a row whose non-empty cells are all text, with at least two of them,
  and that is at least half as wide as the widest of the (up to five) rows directly
  under it. A merged cell's text applies to every column it spans.
* **Title block**: up to six rows above the header (text, merged cells, blank rows), each
  narrower than that: a row with at most two items, or less than half as wide as what
  follows. A wider row above a header-like row means data, not a title.
* **Two-row header**: the row directly above a header row is its *group row* when it
  holds only text and either has a cell merged down into the header row, or has a cell
  merged across two or more of the header's columns that does not span all of them (a
  title would). A single merged cell starting at the header's first column is taken for
  a title, not a group. Each column's header is then ``"group / sub"``
  (``"Assessment / Probability"``); a column with only one of the two (an ``ID`` merged
  over both rows, a blank group cell) keeps that one text alone.
* **Data**: a header needs at least one row directly under it with two or more values,
  or three or more titles and nothing under it (an empty template).
* **End of a tracker** (``tracker_end``): a plain tracker runs down across blank rows
  unless the rows after a blank row start another tracker: a header (found by the rules
  above) that either repeats half the current header's texts, or has a title line above
  it, or titles a column whose values (in the first 200 rows) are mostly numbers or
  dates, and none of whose texts is such a value of the same column (that would be a
  data row).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from .cells import CellValue
from .headers import normalise_header
from .refs import CellRange, cell_ref

TITLE_MAX_ROWS = 6
LOOKAHEAD = 5
JOIN = " / "
PROFILE_VALUES = 200  # data rows whose values the end-of-tracker rules look at
BLOCK_WINDOW = TITLE_MAX_ROWS + 2 + LOOKAHEAD  # rows after a gap a new header may use
MAX_GAP_CHECKS = 200  # blank-row gaps per tracker tested for a tracker below

RowCells = Mapping[int, CellValue]


@dataclass(frozen=True)
class HeaderCell:
    """A column's header text and the cells it comes from ("F3" group, "F4" sub)."""

    text: str
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeaderFound:
    """A header: its row(s), the title rows above it in the same window, its columns."""

    rows: tuple[int, ...]
    title_rows: tuple[int, ...]
    headers: dict[int, HeaderCell]  # column -> header (every column first..last)
    data_rows: tuple[int, ...] = ()  # the rows directly under it that were looked at

    @property
    def first_col(self) -> int:
        return min(c for c, h in self.headers.items() if h.text)

    @property
    def last_col(self) -> int:
        return max(c for c, h in self.headers.items() if h.text)

    @property
    def last_row(self) -> int:
        return self.rows[-1]


class Grid:
    """Decoded rows of a region, with merged cells applied for header purposes.

    `span` limits every row to columns first..last (a tracker's columns, or a band of a
    sheet holding trackers side by side)."""

    def __init__(
        self,
        rows: Mapping[int, RowCells],
        merges: Sequence[CellRange] = (),
        span: tuple[int, int] | None = None,
    ) -> None:
        self.span = span
        lo, hi = span if span else (1, 16_384)
        self._rows = {
            r: {c: v for c, v in cells.items() if lo <= c <= hi} for r, cells in rows.items()
        }
        self._covered: dict[int, dict[int, CellRange]] = {}
        top, bottom = min(rows, default=0), max(rows, default=0)
        for m in merges:
            if m.max_row < top or m.min_row > bottom or m.max_col < lo or m.min_col > hi:
                continue
            if m.min_row == m.max_row and m.min_col == m.max_col:
                continue
            for r in range(max(m.min_row, top), min(m.max_row, bottom) + 1):
                row = self._covered.setdefault(r, {})
                for c in range(max(m.min_col, lo), min(m.max_col, hi) + 1):
                    row[c] = m

    @property
    def last_row(self) -> int:
        return max(self._rows, default=0)

    def cells(self, r: int) -> dict[int, CellValue]:
        """The row's own non-empty cells."""
        return self._rows.get(r, {})

    def blank(self, r: int) -> bool:
        return not self._rows.get(r)

    def merge_at(self, r: int, c: int) -> CellRange | None:
        return self._covered.get(r, {}).get(c)

    def text_at(self, r: int, c: int) -> HeaderCell | None:
        """The text shown at (r, c): the cell's own, or that of the merged cell over it."""
        m = self.merge_at(r, c)
        ar, ac = (m.min_row, m.min_col) if m is not None else (r, c)
        value = self._rows.get(ar, {}).get(ac)
        if value is None or value.kind != "text":
            return None
        text = str(value.value).strip()
        return HeaderCell(text, (cell_ref(ar, ac),)) if text else None

    def texts(self, r: int) -> dict[int, HeaderCell]:
        cols = set(self.cells(r)) | set(self._covered.get(r, {}))
        out = {}
        for c in sorted(cols):
            found = self.text_at(r, c)
            if found is not None:
                out[c] = found
        return out

    def all_text(self, r: int) -> bool:
        return all(v.kind == "text" for v in self.cells(r).values())

    def items(self, r: int) -> int:
        """Distinct things in the row: cells, a merged cell counted once."""
        seen = set()
        for c in self.cells(r):
            m = self.merge_at(r, c)
            seen.add((m.min_row, m.min_col) if m is not None else (r, c))
        for m in self._covered.get(r, {}).values():
            if self._rows.get(m.min_row, {}).get(m.min_col) is not None:
                seen.add((m.min_row, m.min_col))
        return len(seen)

    def width(self, r: int) -> int:
        return len(self.cells(r))

    def anchored_merges(self, r: int) -> list[CellRange]:
        found = {id(m): m for m in self._covered.get(r, {}).values() if m.min_row == r}
        return list(found.values())


def _adjacent_below(rows: Sequence[int], i: int) -> list[int]:
    out = []
    for r in rows[i + 1 :]:
        if r != rows[i] + len(out) + 1 or len(out) == LOOKAHEAD:
            break
        out.append(r)
    return out


def header_like(grid: Grid, r: int, below: Sequence[int]) -> bool:
    """At least two text cells, only text, at least half as wide as the rows below."""
    if not grid.all_text(r) or grid.items(r) < 2:
        return False
    widest = max((grid.width(b) for b in below[:LOOKAHEAD]), default=0)
    return len(grid.texts(r)) * 2 >= widest


def title_like(grid: Grid, r: int, below: Sequence[int]) -> bool:
    widest = max((grid.width(b) for b in below[:LOOKAHEAD]), default=0)
    return grid.items(r) <= 2 or grid.items(r) * 2 < widest


def group_row(grid: Grid, g: int, r: int) -> bool:
    """Row g is the group row of header row r (see the module docstring)."""
    if grid.blank(g) or not grid.all_text(g):
        return False
    cols = set(grid.texts(r))
    if len(cols) < 2:
        return False
    lo, hi = min(cols), max(cols)
    for m in grid.anchored_merges(g):
        if grid.text_at(g, m.min_col) is None:
            continue
        spanned = {c for c in cols if m.min_col <= c <= m.max_col}
        if m.max_row >= r and spanned:
            return True
        partial = len(spanned) >= 2 and not (m.min_col <= lo and m.max_col >= hi)
        if partial and (grid.items(g) >= 2 or m.min_col != lo):
            return True
    return False


def header_cells(grid: Grid, rows: tuple[int, ...]) -> dict[int, HeaderCell]:
    """Column -> header for a one- or two-row header (the joining rule), every column
    from the first to the last titled one ("" for a blank header cell between)."""
    if len(rows) == 1:
        found = grid.texts(rows[0])
    else:
        g, r = rows
        found = {}
        for c in sorted(set(grid.texts(g)) | set(grid.texts(r))):
            top, sub = grid.text_at(g, c), grid.text_at(r, c)
            if top is not None and sub is not None:
                if top.cells == sub.cells or normalise_header(top.text) == normalise_header(
                    sub.text
                ):
                    found[c] = sub
                else:
                    found[c] = HeaderCell(f"{top.text}{JOIN}{sub.text}", top.cells + sub.cells)
            elif sub is not None or top is not None:
                found[c] = sub or top  # type: ignore[assignment]
    if not found:
        return {}
    return {c: found.get(c, HeaderCell("")) for c in range(min(found), max(found) + 1)}


def find_header(grid: Grid, rows: Sequence[int]) -> HeaderFound | None:
    """The first header in `rows` (non-blank row numbers, ascending, gaps allowed for a
    title block), with the title rows above it; None when the rows start with data."""
    if not rows:
        return None
    start = rows[0]
    for i, r in enumerate(rows):
        if r - start > TITLE_MAX_ROWS + 1:
            return None
        below = _adjacent_below(rows, i)
        if not header_like(grid, r, below):
            if title_like(grid, r, below):
                continue
            return None
        head: tuple[int, ...] = (r,)
        if i > 0 and rows[i - 1] == r - 1 and group_row(grid, r - 1, r):
            head = (r - 1, r)
        elif below and header_like(grid, below[0], below[1:]) and group_row(grid, r, below[0]):
            head = (r, below[0])
            below = below[1:]
        headers = header_cells(grid, head)
        titled = sum(1 for h in headers.values() if h.text)
        if below and not any(grid.items(b) >= 2 for b in below):
            continue
        if not below and titled < 3:
            continue
        titles = tuple(t for t in rows[:i] if t < head[0])
        return HeaderFound(head, titles, headers, tuple(below))
    return None


@dataclass
class TrackerProfile:
    """What the end-of-tracker rules know about the tracker so far: its header texts and
    the values of its first PROFILE_VALUES data rows, per column (a bounded look, so a
    100,000-row tracker costs no more to profile than a 200-row one)."""

    headers: dict[int, str]
    values: dict[int, list[CellValue]] = field(default_factory=dict)
    rows: int = 0

    def add(self, cells: RowCells) -> None:
        if self.rows >= PROFILE_VALUES:
            return
        self.rows += 1
        for c, v in cells.items():
            self.values.setdefault(c, []).append(v)


def starts_tracker(
    grid: Grid, rows: Sequence[int], profile: TrackerProfile | None
) -> HeaderFound | None:
    """The header of another tracker starting at rows[0] (after a blank row), or None
    when these rows continue the current tracker (see the module docstring)."""
    found = find_header(grid, rows)
    if found is None or profile is None:
        return found
    texts = {c: h.text for c, h in found.headers.items() if h.text}
    current = {normalise_header(t) for t in profile.headers.values() if t}
    same = sum(1 for t in texts.values() if normalise_header(t) in current)
    if same >= max(2, (len(texts) + 1) // 2):
        return found
    for c, t in texts.items():
        seen = {normalise_header(v.value) for v in profile.values.get(c, ()) if v.kind == "text"}
        if normalise_header(t) in seen:
            return None
    if found.title_rows:
        return found
    for c in texts:
        values = profile.values.get(c, [])
        if values and sum(v.kind != "text" for v in values) >= 0.8 * len(values):
            return found
    return None


class _Peekable:
    def __init__(self, items: Iterable[tuple[int, RowCells | None]]) -> None:
        self._it = iter(items)
        self._buf: list[tuple[int, RowCells | None]] = []

    def __iter__(self) -> Iterator[tuple[int, RowCells | None]]:
        return self

    def __next__(self) -> tuple[int, RowCells | None]:
        if self._buf:
            return self._buf.pop(0)
        return next(self._it)

    def upto(self, last: int) -> list[tuple[int, RowCells | None]]:
        """The buffered-ahead rows numbered <= last (not consumed)."""
        while not self._buf or self._buf[-1][0] <= last:
            try:
                self._buf.append(next(self._it))
            except StopIteration:
                break
        return [item for item in self._buf if item[0] <= last]


def tracker_end(
    rows: Iterable[tuple[int, RowCells | None]],
    *,
    after: int,
    merges: Sequence[CellRange],
    span: tuple[int, int],
    profile: TrackerProfile,
    stop: int | None = None,
) -> tuple[int, int | None]:
    """(last data row, first row of the tracker below or None) of a plain tracker.

    `rows` are the rows after row `after` (the header), ascending, with their cells in
    `span`; rows absent or without cells are blank. A row given with None stands for
    the end of a run of rows that hold values but were not decoded (taken as data).
    `stop` is where something else begins (a table below)."""
    last = after
    prev = after
    gap = False
    checks = 0
    feed = _Peekable(rows)
    for n, cells in feed:
        if stop is not None and n >= stop:
            return last, stop
        if cells is None:  # the end of a run of rows with values, not decoded: data
            last = prev = n
            gap = False
            continue
        if n > prev + 1:
            gap = True
        prev = n
        if not cells:
            gap = True
            continue
        if gap and checks < MAX_GAP_CHECKS:
            checks += 1
            ahead = [(n, cells), *feed.upto(n + BLOCK_WINDOW)]
            block = {r: c for r, c in ahead if c and (stop is None or r < stop)}
            grid = Grid(block, merges, span)
            if starts_tracker(grid, sorted(block), profile) is not None:
                return last, n
        gap = False
        last = n
        profile.add(cells)
    return last, None


__all__ = [
    "JOIN",
    "TITLE_MAX_ROWS",
    "Grid",
    "HeaderCell",
    "HeaderFound",
    "TrackerProfile",
    "find_header",
    "header_cells",
    "starts_tracker",
    "tracker_end",
]
