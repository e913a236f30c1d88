"""Reading the TOML files people edit (configurations, mappings) as UTF-8, with errors
that say which encoding a file was saved in and how to fix it."""

from __future__ import annotations

import codecs

_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16 (Notepad calls it 'Unicode' or 'UTF-16 LE')"),
    (codecs.BOM_UTF16_BE, "UTF-16 (Notepad calls it 'Unicode big endian' or 'UTF-16 BE')"),
)
_SAVE_AS_UTF8 = "save it as UTF-8 (in Notepad: File > Save As, Encoding: UTF-8) and try again"


def decode_text(data: bytes) -> str:
    """The text of a TOML file (a configuration or a mapping), which TOML requires to be UTF-8.

    Windows editors save other encodings under the same .toml name, so the error says
    which one it looks like and how to re-save; a UTF-8 byte-order mark (Notepad's
    "UTF-8 with BOM") is accepted, since the text itself is UTF-8.
    """
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise ValueError(f"the file is saved as {name}, not UTF-8; {_SAVE_AS_UTF8}")
    if b"\x00" in data:
        raise ValueError(
            f"the file holds NUL bytes, so it is saved as UTF-16 or UTF-32, not UTF-8; "
            f"{_SAVE_AS_UTF8}"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"the file is not UTF-8: byte 0x{data[exc.start]:02X} on line {line} is not valid "
            "UTF-8 (the file was probably saved as Windows-1252 or Latin-1, Notepad's "
            f"'ANSI'); {_SAVE_AS_UTF8}"
        ) from None
