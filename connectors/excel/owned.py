"""Sheets pmo-sync owns (conflicts, sync log, dashboard): add or replace them whole.

Ownership marker: a hidden, sheet-scoped defined name `_PMOSYNC_OWNED` (value
"pmo-sync") on the sheet. Excel keeps a sheet-scoped name attached to its sheet when
sheets are renamed or reordered and deletes it with the sheet, it is invisible in the
grid (no cell, no comment), and a person copying the sheet copies the mark as well,
which is the right thing (the copy is generated content too). A sheet that exists
without the mark was made by a person and is never replaced.

Adding a sheet touches only what a new sheet needs: the new worksheet part,
workbook.xml (sheet list + the marker name), workbook.xml.rels, [Content_Types].xml and
docProps/app.xml titles; replacing an owned sheet changes only its worksheet part
(plus styles.xml when a quote-prefix or date style has to be added).
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .cellxml import cell_xml
from .errors import SheetNotOwned, WorkbookChanged, WorkbookLocked
from .fingerprint import Fingerprint
from .numfmt import DEFAULT_DATE_FORMAT_ID, DEFAULT_DATETIME_FORMAT_ID
from .package import NS_MAIN, NS_REL, REL_WORKSHEET, Package, rels_part_of
from .partedit import add_override, add_relationship
from .patch import PatchResult
from .planner import unstorable
from .refs import cell_ref, column_letter
from .safety import check_not_open
from .strings import UnstorableCharacter
from .styles import StyleEditor
from .values import fit_for_excel, looks_like_formula, to_serial
from .writer import commit_bytes
from .zipcopy import rewrite_package

OWNED_NAME = "_PMOSYNC_OWNED"
_CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_CONTROL_OR_UNSTORABLE = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_AFTER_DEFINED_NAMES = (
    b"calcPr", b"oleSize", b"customWorkbookViews", b"pivotCaches", b"smartTagPr",
    b"smartTagTypes", b"webPublishing", b"fileRecoveryPr", b"webPublishObjects", b"extLst",
)  # fmt: skip


def is_owned(package: Package, sheet_name: str) -> bool:
    """True when `sheet_name` carries pmo-sync's ownership marker."""
    info = package.sheet(sheet_name)
    if info is None:
        return False
    names = package.workbook_xml.find(f"{{{NS_MAIN}}}definedNames")
    for el in names if names is not None else []:
        if el.get("name") == OWNED_NAME and el.get("localSheetId") == str(info.index):
            return True
    return False


def _check_sheet_name(name: str) -> None:
    """Excel's rules for a sheet name, plus what workbook.xml can hold: a control
    character or an unstorable one would make the whole workbook unreadable."""
    if (
        not name
        or len(name.encode("utf-16-le", "surrogatepass")) > 62  # 31 UTF-16 units
        or _INVALID_SHEET_CHARS.search(name)
        or name.startswith("'")
        or name.endswith("'")
        or _CONTROL_OR_UNSTORABLE.search(name)
    ):
        raise ValueError(
            f"{name!r} is not a valid Excel sheet name (1-31 characters, none of []:*?/\\ "
            "or control characters, not starting or ending with an apostrophe)"
        )
    if name.casefold() == "history":
        raise ValueError("'History' is reserved by Excel")


def replace_owned_sheet(
    path: str | Path,
    sheet_name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    fingerprint: Fingerprint,
    backup_dir: str | Path | None = None,
    keep_backups: int = 10,
) -> PatchResult:
    """Create or replace the pmo-sync-owned sheet `sheet_name` with a table of values.

    Text is always literal (quote-prefixed when it looks like a formula), dates get a
    date format, numbers and booleans stay typed. Refuses (SheetNotOwned) to replace a
    sheet that exists without the ownership marker. No write when nothing changed.
    """
    _check_sheet_name(sheet_name)
    path = Path(path)
    check_not_open(path)
    data = path.read_bytes()
    if not Fingerprint.of_bytes(path, data).matches(fingerprint):
        raise WorkbookChanged(
            f"{path}: the workbook was saved by someone else after pmo-sync read it; the "
            f"{sheet_name!r} sheet was not written. Sync again.",
            path=path,
        )
    pkg = Package(path, data)
    styles = StyleEditor(pkg.read(pkg.styles_part)) if pkg.styles_part else None
    try:
        sheet_xml = _sheet_xml(header, rows, styles, date1904=pkg.date1904)
    except UnstorableCharacter as exc:
        raise unstorable(path, sheet_name, exc) from None
    replace: dict[str, bytes] = {}
    add: list[tuple[str, bytes]] = []
    existing = pkg.sheet(sheet_name)
    result = PatchResult(path=path)
    if existing is not None:
        if not is_owned(pkg, sheet_name):
            raise SheetNotOwned(
                f"{path}: a sheet named {existing.name!r} already exists and was not created by "
                "pmo-sync, so it is left alone. Rename or delete that sheet, or configure a "
                "different sheet name for pmo-sync's output.",
                path=path,
            )
        if pkg.read(existing.part) != sheet_xml:
            replace[existing.part] = sheet_xml
    else:
        part, wb_xml, rels_xml, ct_xml = _add_sheet(pkg, sheet_name)
        add.append((part, sheet_xml))
        replace[pkg.workbook_part] = wb_xml
        replace[rels_part_of(pkg.workbook_part)] = rels_xml
        replace["[Content_Types].xml"] = ct_xml
        if pkg.has("docProps/app.xml"):
            app = _app_titles(pkg.read("docProps/app.xml"), sheet_name)
            if app is not None:
                replace["docProps/app.xml"] = app
    if not replace and not add:
        return result
    if styles is not None and styles.changed:
        assert pkg.styles_part is not None
        replace[pkg.styles_part] = styles.render()
    new = rewrite_package(zipfile.ZipFile(io.BytesIO(data)), replace=replace, add=add)
    result.backup_path = commit_bytes(
        path, new, expected=fingerprint, backup_dir=backup_dir, keep_backups=keep_backups
    )
    result.wrote = True
    result.bytes_written = len(new)
    result.cells_written = len(header) + sum(1 for row in rows for v in row if v is not None)
    result.changed_parts = sorted(replace) + [f"+{p}" for p, _ in add]
    return result


def owned_sheet_shows(
    path: str | Path, sheet_name: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> bool:
    """True when the workbook's pmo-sync-owned sheet already holds exactly this table (the
    writer's own comparison: the worksheet part it would write against the one there).
    A workbook open in Excel cannot be written, but one that already shows the table
    needs no write either: callers use this to stay quiet then."""
    path = Path(path)
    pkg = Package(path, path.read_bytes())
    existing = pkg.sheet(sheet_name)
    if existing is None or not is_owned(pkg, sheet_name):
        return False
    styles = StyleEditor(pkg.read(pkg.styles_part)) if pkg.styles_part else None
    try:
        wanted = _sheet_xml(header, rows, styles, date1904=pkg.date1904)
    except ValueError:
        return False
    return pkg.read(existing.part) == wanted


def refresh_owned_sheet(
    path: str | Path,
    sheet_name: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    keep_backups: int = 10,
) -> int:
    """The owned sheet made to show this table, for sheets refreshed every cycle; bytes
    written (0 when nothing changed).

    A workbook open in Excel cannot be written, but one whose sheet already shows the
    table needs no write either: then 0, not WorkbookLocked, so a quiet cycle does not
    warn while a person works. Otherwise raises what replace_owned_sheet raises, and
    writes nothing then."""
    try:
        written = replace_owned_sheet(
            path,
            sheet_name,
            header,
            rows,
            fingerprint=Fingerprint.of_file(Path(path)),
            keep_backups=keep_backups,
        )
    except WorkbookLocked:
        if owned_sheet_shows(path, sheet_name, header, rows):
            return 0
        raise
    return written.bytes_written


def _sheet_xml(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    styles: StyleEditor | None,
    *,
    date1904: bool,
) -> bytes:
    body: list[bytes] = []
    widths = [min(max(len(str(h)), 8), 60) for h in header]
    for r, values in enumerate([list(header), *map(list, rows)], start=1):
        cells = []
        for c, value in enumerate(values, start=1):
            if value is None:
                continue
            ref = cell_ref(r, c)
            style = 0
            if isinstance(value, Decimal):
                value = float(value)
            value, _note = fit_for_excel(value, ref)
            if isinstance(value, dt.datetime | dt.date):
                dated = isinstance(value, dt.datetime) and value.time() != dt.time()
                fmt = DEFAULT_DATETIME_FORMAT_ID if dated else DEFAULT_DATE_FORMAT_ID
                style = styles.with_number_format(0, fmt) if styles else 0
                value = to_serial(value, date1904=date1904)
            elif not isinstance(value, bool | int | float):
                value = str(value)
                if looks_like_formula(value) and styles is not None:
                    style = styles.quote_prefixed(0)
            if c <= len(widths):
                widths[c - 1] = min(max(widths[c - 1], len(str(value)) + 2), 60)
            cells.append(cell_xml(ref, value, style=style))
        body.append(f'<row r="{r}">'.encode() + b"".join(cells) + b"</row>")
    ncols = max([1, len(header), *(len(r) for r in rows)])
    nrows = len(rows) + 1
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w + 1}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    dim = f"A1:{column_letter(max(ncols, 1))}{nrows}"
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><dimension ref="{dim}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>"
    )
    tail = (
        "</sheetData>"
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
        + ('header="0.3" footer="0.3"/></worksheet>')
    )
    return head.encode() + b"".join(body) + tail.encode()


def _add_sheet(pkg: Package, name: str) -> tuple[str, bytes, bytes, bytes]:
    wb_part = pkg.workbook_part
    folder = posixpath.dirname(wb_part)
    numbers = [
        int(m.group(1))
        for n in pkg.names
        if (m := re.match(re.escape(folder) + r"/worksheets/sheet(\d+)\.xml$", n))
    ]
    part = f"{folder}/worksheets/sheet{max(numbers, default=0) + 1}.xml"
    rels_part = rels_part_of(wb_part)
    rels = pkg.read(rels_part)
    rid_numbers = [int(x) for x in re.findall(rb'Id="rId(\d+)"', rels)]
    rid = f"rId{max(rid_numbers, default=0) + 1}"
    rels = add_relationship(rels, rid, REL_WORKSHEET, posixpath.relpath(part, folder))
    wb = pkg.read(wb_part)
    sheet_ids = [int(x) for x in re.findall(rb'<(?:\w+:)?sheet\b[^>]*?sheetId="(\d+)"', wb)]
    sheet_count = len(re.findall(rb"<(?:\w+:)?sheet\b", wb))
    m = re.search(rb"<(\w+:)?sheets\b", wb)
    prefix = (m.group(1) or b"") if m else b""
    # The relationships prefix is declared on the element itself: producers differ in
    # where they declare it (Excel on the root, openpyxl on each <sheet>).
    new_sheet = (
        b"<" + prefix + b"sheet xmlns:r=\"" + NS_REL.encode() + b"\" name="
        + quoteattr(name).encode() + b' sheetId="'
        + str(max(sheet_ids, default=0) + 1).encode() + b'" r:id="' + rid.encode() + b'"/>'
    )  # fmt: skip
    close_sheets = wb.find(b"</" + prefix + b"sheets>")
    wb = wb[:close_sheets] + new_sheet + wb[close_sheets:]
    marker = (
        b"<" + prefix + b"definedName name=\"" + OWNED_NAME.encode() + b'" localSheetId="'
        + str(sheet_count).encode() + b'" hidden="1">"pmo-sync"</' + prefix + b"definedName>"
    )  # fmt: skip
    empty_names = re.search(rb"<" + re.escape(prefix) + rb"definedNames\s*/>", wb)
    close_names = wb.find(b"</" + prefix + b"definedNames>")
    if empty_names:
        block = b"<" + prefix + b"definedNames>" + marker + b"</" + prefix + b"definedNames>"
        wb = wb[: empty_names.start()] + block + wb[empty_names.end() :]
    elif close_names >= 0:
        wb = wb[:close_names] + marker + wb[close_names:]
    else:
        block = b"<" + prefix + b"definedNames>" + marker + b"</" + prefix + b"definedNames>"
        pos = -1
        for tag in _AFTER_DEFINED_NAMES:
            pos = wb.find(b"<" + prefix + tag)
            if pos >= 0:
                break
        if pos < 0:
            pos = wb.rfind(b"</" + prefix + b"workbook>")
        wb = wb[:pos] + block + wb[pos:]
    ct = add_override(pkg.read("[Content_Types].xml"), part, _CT_WORKSHEET)
    return part, wb, rels, ct


def _app_titles(app: bytes, name: str) -> bytes | None:
    """docProps/app.xml with the new sheet in TitlesOfParts; None if its shape is unusual."""
    pairs = re.search(rb"<HeadingPairs>(.*?)</HeadingPairs>", app, re.S)
    titles = re.search(rb"(<TitlesOfParts>\s*<vt:vector\b[^>]*?size=\")(\d+)(\"[^>]*>)(.*?)"
                       rb"(</vt:vector>\s*</TitlesOfParts>)", app, re.S)  # fmt: skip
    if not pairs or not titles:
        return None
    variants = re.findall(
        rb"<vt:variant>\s*<vt:(lpstr|i4)>([^<]*)</vt:(?:lpstr|i4)>\s*</vt:variant>", pairs.group(1)
    )
    offset = 0
    sheets_at = None
    for i in range(0, len(variants) - 1, 2):
        label, count = variants[i][1], variants[i + 1][1]
        if label in (b"Worksheets", b"Arbeitsbl\xc3\xa4tter") and sheets_at is None:
            sheets_at = (offset, int(count), i)
        offset += int(count)
    if sheets_at is None:
        return None
    start, count, _ = sheets_at
    items = re.findall(rb"<vt:lpstr>.*?</vt:lpstr>|<vt:lpstr/>", titles.group(4), re.S)
    if len(items) != int(titles.group(2)):
        return None
    items.insert(start + count, b"<vt:lpstr>" + escape(name).encode() + b"</vt:lpstr>")
    new_titles = (
        titles.group(1) + str(len(items)).encode() + titles.group(3) + b"".join(items)
        + titles.group(5)
    )  # fmt: skip
    app = app[: titles.start()] + new_titles + app[titles.end() :]
    return re.sub(
        rb"(<vt:lpstr>Worksheets</vt:lpstr>\s*</vt:variant>\s*<vt:variant>\s*<vt:i4>)(\d+)",
        lambda m: m.group(1) + str(int(m.group(2)) + 1).encode(),
        app,
        count=1,
    )
