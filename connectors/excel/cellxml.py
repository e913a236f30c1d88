"""Serialise one cell as worksheet XML bytes.

Text is always written as an inline string (t="inlineStr"): it is literal by
construction (never a formula), and it leaves sharedStrings.xml byte-identical, which
keeps the package diff to the edited sheet. Excel converts inline strings to shared
strings on its next save. The quote-prefix style is chosen by the caller.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from .strings import UnstorableCharacter, escape_ooxml
from .values import number_text

_KEEP_ATTR = re.compile(rb'\s([\w:]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_DROP = {b"r", b"s", b"t", b"cm", b"vm"}


def kept_attributes(cell_xml: bytes | None) -> bytes:
    """Attributes of an existing cell worth keeping when its value is replaced (e.g. ph)."""
    if not cell_xml:
        return b""
    head = cell_xml.split(b">", 1)[0]
    out = [
        b" " + k + b"=" + v
        for k, v in _KEEP_ATTR.findall(head)
        if k not in _DROP and not k.startswith(b"xmlns")
    ]
    return b"".join(out)


def cell_xml(
    ref: str,
    value: object,
    *,
    style: int,
    prefix: bytes = b"",
    extra: bytes = b"",
) -> bytes:
    """<c> element for `value` (None, bool, int/float, str; dates already serials).

    Raises UnstorableCharacter (a ValueError naming the cell) for text holding a
    character no workbook can store; nothing else about a string can fail here."""
    head = b"<" + prefix + b'c r="' + ref.encode() + b'"'
    if style:
        head += b' s="' + str(style).encode() + b'"'
    head += extra
    close = b"</" + prefix + b"c>"
    if value is None:
        return head + b"/>"
    if isinstance(value, bool):
        return (
            head
            + b' t="b"><'
            + prefix
            + b"v>"
            + (b"1" if value else b"0")
            + b"</"
            + prefix
            + (b"v>" + close)
        )
    if isinstance(value, int | float):
        v = number_text(value).encode()
        return head + b"><" + prefix + b"v>" + v + b"</" + prefix + b"v>" + close
    try:
        escaped = escape_ooxml(str(value))
    except UnstorableCharacter as exc:
        raise exc.at(ref) from None
    # CR as a character reference: a literal CR would be turned into LF by XML parsers.
    text = escape(escaped, {"\r": "&#13;"}).encode("utf-8")
    return (
        head
        + b' t="inlineStr"><'
        + prefix
        + b"is><"
        + prefix
        + b't xml:space="preserve">'
        + text
        + b"</"
        + prefix
        + b"t></"
        + prefix
        + b"is>"
        + close
    )


def formula_cell_xml(
    ref: str,
    formula: str,
    *,
    style: int,
    prefix: bytes = b"",
    f_attrs: bytes = b"",
    extra: bytes = b"",
) -> bytes:
    """<c> with a formula and no cached value, so the spreadsheet computes it on load."""
    head = b"<" + prefix + b'c r="' + ref.encode() + b'"'
    if style:
        head += b' s="' + str(style).encode() + b'"'
    head += extra
    f = escape(formula).encode("utf-8")
    return (
        head
        + b"><"
        + prefix
        + b"f"
        + f_attrs
        + b">"
        + f
        + b"</"
        + prefix
        + b"f></"
        + prefix
        + b"c>"
    )
