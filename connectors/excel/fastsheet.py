"""Fast path for reading a whole worksheet: one C-level regex pass over the sheet XML.

Measured on 10,000 x 20 cells (see bench/excel_bench.py): lxml iterparse with a
Python callback per cell spends most of its time in the callbacks, openpyxl read-only
even more, and python-calamine, though fastest for bare values, gives neither formulas
nor style indexes. Excel, LibreOffice and openpyxl write cells in one canonical shape
(<c r=".." s=".." t="..">, then <f>, <v>, <is>), so a single compiled pattern extracts
every field in C and the Python loop only types the values. Anything unusual (namespace
prefixes, cells without addresses, extra child elements) makes the cell count disagree
with the match count, and the caller falls back to the streaming lxml reader.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape as _entities

from lxml import etree

from .cells import CellDecoder, CellValue
from .formulas import shift_formula
from .numfmt import FormatKind
from .package import NS_MAIN
from .refs import column_index, column_letter, parse_cell
from .strings import rich_text, unescape_ooxml
from .values import from_serial

_CELL = re.compile(
    r'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?([^>]*?)'
    r"(?:/>|>(<f\b[^>]*?(?:/>|>[^<]*</f>))?(?:<v>([^<]*)</v>|<v/>)?(?:<is>(.*?)</is>)?</c>)",
    re.S,
)
_ATTR_S = re.compile(r'\ss="(\d+)"')
_ATTR_T = re.compile(r'\st="(\w+)"')
_F_PARTS = re.compile(r"<f\b([^>]*?)(?:/>|>([^<]*)</f>)")
_F_ATTR = re.compile(r'\s(t|si|ref)="([^"]*)"')
_T_TEXT = re.compile(r"<t(?:\s[^>]*)?>([^<]*)</t>|<t/>")


def _text(s: str) -> str:
    if "&" in s:
        s = _entities(s)
    return unescape_ooxml(s) if "_x" in s else s


def _inline(xml: str) -> str:
    if xml.count("<t") == 1 and xml.startswith("<t") and xml.endswith("</t>"):
        body = xml[xml.index(">") + 1 : -4]
        return _text(body) if ("&" in body or "_x" in body) else body
    if "<rPh" in xml:
        el = etree.fromstring(f'<is xmlns="{NS_MAIN}">{xml}</is>')
        return rich_text(el)
    return _text("".join(m.group(1) or "" for m in _T_TEXT.finditer(xml)))


def fast_rows(
    data: bytes,
    decoder: CellDecoder,
    *,
    min_row: int = 1,
    max_row: int | None = None,
    columns: set[int] | None = None,
) -> list[tuple[int, dict[int, CellValue]]] | None:
    """All stored rows >= min_row as (row, {col: CellValue}); None if the sheet's shape
    is not the canonical one (the caller then uses the streaming reader)."""
    text = data.decode("utf-8")
    at = text.find("sheetData")
    if at < 1 or text[at - 1] != "<":  # absent, or namespace-prefixed (<x:sheetData>)
        return None
    matches = _CELL.findall(text)
    if len(matches) != text.count("<c ") + text.count("<c>") + text.count("<c/>"):
        return None
    styles = decoder.styles
    xfs = styles.xfs
    n_xfs = len(xfs)
    sst = decoder.sst
    date1904 = decoder.date1904
    # per style: (format code, kind name for numbers, date kind or None)
    fmt_info = [
        (x.format_code, "percent" if x.kind is FormatKind.PERCENT else "number",
         x.kind.value if x.kind in (FormatKind.DATE, FormatKind.DATETIME, FormatKind.TIME)
         else None)
        for x in xfs
    ]  # fmt: skip
    default_info = ("General", "number", None)
    wanted = {column_letter(c) for c in columns} if columns is not None else None
    shared: dict[str, tuple[str, int, int]] = {}
    out: list[tuple[int, dict[int, CellValue]]] = []
    cur: dict[int, CellValue] = {}
    cur_digits = ""
    skip_row = False
    new = tuple.__new__
    col_of: dict[str, int] = {}
    dates: dict[tuple[str, str], tuple[object, str]] = {}
    for letters, digits, s, t, rest, fpart, v, inline in matches:
        formula = None
        if fpart:
            formula = _formula(fpart, letters, digits, shared)
        if digits != cur_digits:
            cur_digits = digits
            row = int(digits)
            if max_row is not None and row > max_row:
                break
            skip_row = row < min_row
            if not skip_row:
                cur = {}
                out.append((row, cur))
        if skip_row or (wanted is not None and letters not in wanted):
            continue
        if rest:
            if not s:
                ms = _ATTR_S.search(rest)
                s = ms.group(1) if ms else ""
            if not t:
                mt = _ATTR_T.search(rest)
                t = mt.group(1) if mt else ""
        si = int(s) if s else 0
        info = fmt_info[si] if si < n_xfs else default_info
        error = None
        if not t or t == "n":
            if v:
                number: int | float = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
                if info[2] is not None:
                    hit = dates.get((v, info[2]))  # trackers repeat the same dates a lot
                    if hit is None:
                        try:
                            serial_value = from_serial(float(number), date1904=date1904,
                                                       kind=info[2])  # fmt: skip
                            kind = "datetime" if serial_value.__class__ is datetime else info[2]
                            hit = (serial_value, kind)
                        except (OverflowError, ValueError):
                            hit = (number, "number")
                        dates[(v, info[2])] = hit
                    value, kind = hit
                else:
                    if (
                        number.__class__ is float
                        and number.is_integer()
                        and "." in v
                        and (v.split(".", 1)[1].strip("0") == "")
                    ):
                        number = int(number)
                    value, kind = number, info[1]
            else:
                value, kind = None, "empty"
        elif t == "s":
            if v:
                idx = int(v)
                value = sst[idx] if idx < len(sst) else None
                kind = "text"
            else:
                value, kind = None, "empty"
        elif t == "inlineStr":
            value, kind = (_inline(inline), "text") if inline is not None else (None, "empty")
        elif t == "str":
            if v or "<v" in (rest or "") or fpart:
                value, kind = _text(v), "text"
            else:
                value, kind = None, "empty"
        elif t == "b":
            value, kind = (v.strip() in ("1", "true"), "bool") if v else (None, "empty")
        elif t == "e":
            value, kind, error = None, "error", (_text(v) or "#N/A")
        else:  # t="d" (ISO dates) and anything rare: the general decoder handles it
            return None
        col = col_of.get(letters)
        if col is None:
            col = col_of[letters] = column_index(letters)
        cur[col] = new(
            CellValue,
            (value, letters + digits, fpart != "", formula, info[0], kind, error, si),
        )
    return out


def _formula(
    fpart: str, letters: str, digits: str, shared: dict[str, tuple[str, int, int]]
) -> str | None:
    if fpart.startswith("<f>"):  # the common case: a plain formula
        body = fpart[3:-4]
        return _text(body) if ("&" in body or "_x" in body) else body
    m = _F_PARTS.match(fpart)
    if m is None:
        return None
    attrs = dict(_F_ATTR.findall(m.group(1)))
    body = m.group(2)
    if body is not None:
        body = _text(body)
    if attrs.get("t") == "shared":
        si = attrs.get("si", "")
        if body and attrs.get("ref"):
            r, c = parse_cell(attrs["ref"].split(":", 1)[0])
            shared[si] = (body, r, c)
            return body
        if not body and si in shared:
            text, mr, mc = shared[si]
            return shift_formula(text, int(digits) - mr, column_index(letters) - mc)
    return body
