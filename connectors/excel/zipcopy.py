"""Rewrite a zip package, copying unchanged entries' compressed bytes verbatim.

Python's zipfile can only re-compress, which changes the bytes of every part (and
costs time). A workbook is the PMO's system of record, so untouched parts are copied
byte for byte from the source: their compressed data, CRC and sizes are reused and only
the headers are written anew (without data descriptors or extra fields).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LIMIT = 0xFFFFFFFF
_DOS_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass
class _Entry:
    name: bytes
    flags: int
    method: int
    dostime: int
    dosdate: int
    crc: int
    csize: int
    usize: int
    external_attr: int
    data: bytes


def _dos(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    y = max(y, 1980)
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def raw_entry_data(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of an entry, exactly as stored."""
    fp = zf.fp
    assert fp is not None
    fp.seek(info.header_offset)
    head = fp.read(30)
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    return fp.read(info.compress_size)


def _compress(data: bytes) -> tuple[int, bytes]:
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    out = comp.compress(data) + comp.flush()
    return zipfile.ZIP_DEFLATED, out


def rewrite_package(
    source: zipfile.ZipFile,
    *,
    replace: Mapping[str, bytes] | None = None,
    add: Iterable[tuple[str, bytes]] = (),
    remove: Iterable[str] = (),
) -> bytes:
    """New package bytes: `source` with parts replaced, added (at the end) and removed."""
    replace = dict(replace or {})
    removed = set(remove)
    entries: list[_Entry] = []
    for info in source.infolist():
        if info.filename in removed:
            continue
        name = info.filename.encode("utf-8")
        flags = 0x800 if not info.filename.isascii() else 0
        if info.filename in replace:
            data = replace.pop(info.filename)
            entries.append(_new_entry(name, flags, data, info.date_time, info.external_attr))
            continue
        if info.compress_size >= _LIMIT or info.file_size >= _LIMIT:
            raise ValueError(f"zip64 entry {info.filename} is not supported")
        dostime, dosdate = _dos(info.date_time)
        entries.append(
            _Entry(
                name=name,
                flags=(info.flag_bits & ~0x8) & 0xFFFF,
                method=info.compress_type,
                dostime=dostime,
                dosdate=dosdate,
                crc=info.CRC,
                csize=info.compress_size,
                usize=info.file_size,
                external_attr=info.external_attr,
                data=raw_entry_data(source, info),
            )
        )
    for name, data in [*replace.items(), *add]:
        flags = 0 if name.isascii() else 0x800
        entries.append(_new_entry(name.encode("utf-8"), flags, data, _DOS_EPOCH, 0))
    return _assemble(entries)


def _new_entry(
    name: bytes, flags: int, data: bytes, date_time: tuple[int, ...], external_attr: int
) -> _Entry:
    method, comp = _compress(data)
    dostime, dosdate = _dos(date_time)  # type: ignore[arg-type]
    return _Entry(
        name=name,
        flags=flags,
        method=method,
        dostime=dostime,
        dosdate=dosdate,
        crc=zlib.crc32(data) & 0xFFFFFFFF,
        csize=len(comp),
        usize=len(data),
        external_attr=external_attr,
        data=comp,
    )


def _assemble(entries: list[_Entry]) -> bytes:
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for e in entries:
        local = _LOCAL.pack(
            0x04034B50,
            20,
            e.flags,
            e.method,
            e.dostime,
            e.dosdate,
            e.crc,
            e.csize,
            e.usize,
            len(e.name),
            0,
        )
        chunks += [local, e.name, e.data]
        central.append(
            _CENTRAL.pack(
                0x02014B50,
                20,
                20,
                e.flags,
                e.method,
                e.dostime,
                e.dosdate,
                e.crc,
                e.csize,
                e.usize,
                len(e.name),
                0,
                0,
                0,
                0,
                e.external_attr,
                offset,
            )
            + e.name
        )
        offset += len(local) + len(e.name) + len(e.data)
        if offset >= _LIMIT:
            raise ValueError("package too large for a non-zip64 archive")
    cd = b"".join(central)
    end = _END.pack(0x06054B50, 0, 0, len(entries), len(entries), len(cd), offset, 0)
    return b"".join(chunks) + cd + end
