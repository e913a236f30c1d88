"""Compare two workbook packages: which parts changed, and which cells of a sheet.

Fidelity is the connector's promise, so tests (and users investigating what pmo-sync
did to a file) need a precise answer: parts added/removed/changed byte-wise, and for a
worksheet the cells whose stored form (type, style, value, formula) differs.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .package import NS_MAIN

_C = f"{{{NS_MAIN}}}c"


@dataclass
class PackageDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    raw_identical: list[str] = field(default_factory=list)  # compressed bytes identical

    def __str__(self) -> str:
        return f"added={self.added} removed={self.removed} changed={self.changed}"


def _raw_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    fp = zf.fp
    assert fp is not None
    fp.seek(info.header_offset + 26)
    head = fp.read(4)
    name_len = int.from_bytes(head[:2], "little")
    extra_len = int.from_bytes(head[2:], "little")
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    return fp.read(info.compress_size)


def package_diff(a: str | Path, b: str | Path) -> PackageDiff:
    """Part-level difference between two packages."""
    out = PackageDiff()
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        ia = {i.filename: i for i in za.infolist()}
        ib = {i.filename: i for i in zb.infolist()}
        out.added = sorted(set(ib) - set(ia))
        out.removed = sorted(set(ia) - set(ib))
        for name in sorted(set(ia) & set(ib)):
            if za.read(name) != zb.read(name):
                out.changed.append(name)
            elif _raw_entry(za, ia[name]) == _raw_entry(zb, ib[name]):
                out.raw_identical.append(name)
    return out


def sheet_cells(data: bytes) -> dict[str, tuple[str | None, ...]]:
    """{address: (t, s, cm, v, f text, f attrs, inline text)} of a sheet part."""
    root = etree.fromstring(data)
    cells: dict[str, tuple[str | None, ...]] = {}
    for c in root.iter(_C):
        v = c.find(f"{{{NS_MAIN}}}v")
        f = c.find(f"{{{NS_MAIN}}}f")
        inline = c.find(f"{{{NS_MAIN}}}is")
        cells[c.get("r", "?")] = (
            c.get("t"),
            c.get("s"),
            c.get("cm"),
            None if v is None else (v.text or ""),
            None if f is None else (f.text or ""),
            None if f is None else repr(sorted(f.attrib.items())),
            None if inline is None else "".join(inline.itertext()),
        )
    return cells


def cell_diff(a: bytes, b: bytes) -> dict[str, tuple[object, object]]:
    """{address: (before, after)} for cells whose stored form differs."""
    ca, cb = sheet_cells(a), sheet_cells(b)
    return {k: (ca.get(k), cb.get(k)) for k in sorted(set(ca) | set(cb)) if ca.get(k) != cb.get(k)}
