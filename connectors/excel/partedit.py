"""Small byte-level edits of package-level parts: workbook.xml, rels, content types, tables.

These parts are edited in place (one attribute or one element) instead of being
re-serialised, so unknown extensions and formatting are preserved exactly.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from .refs import CellRange

_CALCPR = re.compile(rb"<((?:\w+:)?)calcPr\b([^>]*?)(/?)>")
_FULLCALC = re.compile(rb'\sfullCalcOnLoad\s*=\s*"([^"]*)"')
# Elements that follow calcPr in CT_Workbook: a missing calcPr goes before the first.
_AFTER_CALCPR = (
    b"oleSize",
    b"customWorkbookViews",
    b"pivotCaches",
    b"smartTagPr",
    b"smartTagTypes",
    b"webPublishing",
    b"fileRecoveryPr",
    b"webPublishObjects",
    b"extLst",
)


def set_full_calc_on_load(workbook_xml: bytes) -> bytes:
    """workbook.xml with calcPr fullCalcOnLoad="1" (unchanged if already set)."""
    m = _CALCPR.search(workbook_xml)
    if m:
        attrs = m.group(2)
        fm = _FULLCALC.search(attrs)
        if fm and fm.group(1) in (b"1", b"true"):
            return workbook_xml
        if fm:
            attrs = attrs[: fm.start()] + b' fullCalcOnLoad="1"' + attrs[fm.end() :]
        else:
            attrs = attrs + b' fullCalcOnLoad="1"'
        tag = b"<" + m.group(1) + b"calcPr" + attrs + m.group(3) + b">"
        return workbook_xml[: m.start()] + tag + workbook_xml[m.end() :]
    prefix = _root_prefix(workbook_xml, b"workbook")
    new = b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>'
    for name in _AFTER_CALCPR:
        pos = workbook_xml.find(b"<" + prefix + name)
        if pos >= 0:
            return workbook_xml[:pos] + new + workbook_xml[pos:]
    pos = workbook_xml.rfind(b"</" + prefix + b"workbook>")
    return workbook_xml[:pos] + new + workbook_xml[pos:]


def _root_prefix(data: bytes, local: bytes) -> bytes:
    m = re.search(rb"<(\w+:)?" + local + rb"\b", data)
    return (m.group(1) or b"") if m else b""


def remove_relationship(rels_xml: bytes, target_suffix: str) -> bytes:
    """Drop the Relationship whose Target ends with `target_suffix`."""
    pat = re.compile(
        rb"<(?:\w+:)?Relationship\b[^>]*?Target\s*=\s*\"[^\"]*"
        + re.escape(target_suffix.encode())
        + rb"\"[^>]*?/>"
    )
    return pat.sub(b"", rels_xml, count=1)


def remove_override(content_types: bytes, part: str) -> bytes:
    pat = re.compile(
        rb"<(?:\w+:)?Override\b[^>]*?PartName\s*=\s*\"/" + re.escape(part.encode()) + rb"\"[^>]*?/>"
    )
    return pat.sub(b"", content_types, count=1)


def add_override(content_types: bytes, part: str, content_type: str) -> bytes:
    if f'PartName="/{part}"'.encode() in content_types:
        return content_types
    el = f"<Override PartName={quoteattr('/' + part)} ContentType={quoteattr(content_type)}/>"
    pos = content_types.rfind(b"</Types>")
    return content_types[:pos] + el.encode() + content_types[pos:]


def add_relationship(rels_xml: bytes, rid: str, rel_type: str, target: str) -> bytes:
    el = (
        f"<Relationship Id={quoteattr(rid)} Type={quoteattr(rel_type)} Target={quoteattr(target)}/>"
    )
    pos = rels_xml.rfind(b"</Relationships>")
    return rels_xml[:pos] + el.encode() + rels_xml[pos:]


_TABLE_REF = re.compile(rb'(<(?:\w+:)?table\b[^>]*?\sref\s*=\s*")([^"]*)(")', re.S)
_AUTOFILTER_REF = re.compile(rb'(<(?:\w+:)?autoFilter\b[^>]*?\sref\s*=\s*")([^"]*)(")')
_INSERT_ROW = re.compile(rb'\sinsertRow\s*=\s*"[^"]*"')


def extend_table(
    table_xml: bytes,
    new_last_row: int,
    *,
    clear_insert_row: bool,
    autofilter_last: int | None = None,
) -> bytes:
    """Table part with ref ending on `new_last_row` and its autoFilter on
    `autofilter_last` (the last data row; it differs when there is a totals row)."""

    def grower(last: int):
        def grow(m: re.Match[bytes]) -> bytes:
            rng = CellRange.parse(m.group(2).decode())
            if rng.max_row >= last:
                return m.group(0)
            return m.group(1) + str(rng.with_max_row(last)).encode() + m.group(3)

        return grow

    out = _TABLE_REF.sub(grower(new_last_row), table_xml, count=1)
    af_last = autofilter_last if autofilter_last is not None else new_last_row
    out = _AUTOFILTER_REF.sub(grower(af_last), out, count=1)
    if clear_insert_row:
        m = re.search(rb"<(?:\w+:)?table\b[^>]*>", out)
        if m:
            out = out[: m.start()] + _INSERT_ROW.sub(b"", m.group(0)) + out[m.end() :]
    return out
