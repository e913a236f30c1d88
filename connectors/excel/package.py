"""Open an xlsx/xlsm package and find its parts: workbook, sheets, tables, styles.

The file is read into memory once, so the fingerprint taken at read time describes
exactly the bytes that were parsed (no window between hashing and reading), and a
broken, encrypted or non-xlsx file is diagnosed before anything else touches it.

Every Office file is a zip with a [Content_Types].xml, so a Word document or a
PowerPoint presentation renamed to .xlsx gets this far. What the file really is comes
from the content type of its main part (the target of the package's officeDocument
relationship), so the user is told "this is a Word document", not a guess about an
exotic workbook format.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO

from lxml import etree

from .errors import WorkbookEncrypted, WorkbookUnreadable
from .fingerprint import Fingerprint
from .refs import CellRange

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_OFFICE_DOC = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
REL_SST = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
REL_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
REL_CALCCHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"

NS_STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


# What a main part's content type (or, without one, its root namespace) says the file
# is, for the Office formats that are not workbooks, checked in this order.
_NOT_WORKBOOKS = (
    (("wordprocessingml", "ms-word."), "a Word document", ".docx"),
    (("presentationml", "ms-powerpoint."), "a PowerPoint presentation", ".pptx"),
    (("ms-visio.",), "a Visio drawing", ".vsdx"),
    (("ms-xpsdocument", "oxps"), "an XPS document", ".xps"),
)
_ODF_KINDS = {
    "spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "text": "an OpenDocument text document (.odt)",
    "presentation": "an OpenDocument presentation (.odp)",
}


def _not_a_workbook(hint: str) -> tuple[str, str] | None:
    """(what it is, its usual extension) when a content type or namespace is another
    Office format's, else None."""
    folded = hint.casefold()
    for markers, what, extension in _NOT_WORKBOOKS:
        if any(marker in folded for marker in markers):
            return what, extension
    return None


def parse_xml(data: bytes, *, path: Path, part: str) -> etree._Element:
    """Parse a part's XML or raise WorkbookUnreadable naming the part."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise WorkbookUnreadable(
            f"{path}: part {part} is not well-formed XML ({exc}). The workbook is damaged; "
            "open it in Excel, let Excel repair it, save it, and try again.",
            path=path,
        ) from exc


def resolve_target(source_part: str, target: str) -> str:
    """Resolve a relationship target against the part that owns the .rels file."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def rels_part_of(part: str) -> str:
    """ "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels"."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


@dataclass(frozen=True)
class Relationship:
    rid: str
    type: str
    target: str  # resolved part name, or the raw target when external
    external: bool


@dataclass(frozen=True)
class SheetInfo:
    """A worksheet listed in workbook.xml."""

    name: str
    sheet_id: int
    rid: str
    part: str
    index: int  # 0-based position in the workbook's sheet list
    state: str = "visible"


@dataclass(frozen=True)
class TableColumnInfo:
    name: str
    calculated_formula: str | None = None
    calculated_is_array: bool = False


@dataclass(frozen=True)
class TableInfo:
    """An Excel table (ListObject) and where it lives."""

    name: str
    display_name: str
    part: str
    sheet: SheetInfo
    ref: CellRange
    header_row_count: int
    totals_row_count: int
    columns: tuple[TableColumnInfo, ...] = field(default_factory=tuple)
    insert_row: bool = False

    @property
    def header_row(self) -> int | None:
        return self.ref.min_row if self.header_row_count else None

    @property
    def first_data_row(self) -> int:
        return self.ref.min_row + self.header_row_count

    @property
    def last_data_row(self) -> int:
        return self.ref.max_row - self.totals_row_count


class Package:
    """Read-only view of a workbook package held in memory."""

    def __init__(self, path: str | Path, data: bytes | None = None) -> None:
        self.path = Path(path)
        if data is None:
            try:
                data = self.path.read_bytes()
            except FileNotFoundError as exc:
                raise WorkbookUnreadable(
                    f"{self.path}: file not found. Check the workbook path in the configuration.",
                    path=self.path,
                ) from exc
            except OSError as exc:  # a folder (Windows says "permission denied"), no access
                what = (
                    "is a folder, not a workbook"
                    if self.path.is_dir()
                    else f"cannot be read ({exc.strerror or exc})"
                )
                raise WorkbookUnreadable(
                    f"{self.path}: {what}. Give the path of an .xlsx or .xlsm file this user "
                    "can read.",
                    path=self.path,
                ) from exc
        self.data = data
        self.fingerprint = Fingerprint.of_bytes(self.path, data)
        _check_magic(self.path, data)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
            raise WorkbookUnreadable(
                f"{self.path}: not a valid xlsx package (corrupt zip: {exc}). "
                "Restore it from a backup or re-save it from Excel.",
                path=self.path,
            ) from exc
        self.names = {info.filename for info in self.zip.infolist()}
        if "[Content_Types].xml" not in self.names:
            odf = self._opendocument_kind()
            if odf is not None:
                raise WorkbookUnreadable(
                    f"{self.path}: this is {odf}, not an Excel workbook. Open it (e.g. in "
                    "LibreOffice or Excel) and save it as an Excel Workbook (.xlsx).",
                    path=self.path,
                )
            raise WorkbookUnreadable(
                f"{self.path}: zip file without [Content_Types].xml, so not an Excel workbook. "
                "Point pmo-sync at an .xlsx or .xlsm file.",
                path=self.path,
            )
        part = self.workbook_part
        if part.endswith(".bin") or "binary" in (self.content_type(part) or ""):
            raise WorkbookUnreadable(
                f"{self.path}: this is a binary workbook (.xlsb), which pmo-sync cannot edit "
                "without losing content. Save it as an Excel Workbook (.xlsx) or .xlsm.",
                path=self.path,
            )
        self._refuse_other_office_formats(part)
        if self.workbook_xml.tag == f"{{{NS_STRICT_MAIN}}}workbook":
            raise WorkbookUnreadable(
                f"{self.path}: the workbook uses the 'Strict Open XML' format "
                f"({NS_STRICT_MAIN}). Save it as an Excel Workbook (.xlsx), the transitional "
                "format, and try again.",
                path=self.path,
            )
        if self.workbook_xml.tag != f"{{{NS_MAIN}}}workbook":
            raise WorkbookUnreadable(
                f"{self.path}: not an Excel workbook: its main part {part} holds "
                f"<{etree.QName(self.workbook_xml).localname}> from "
                f"{etree.QName(self.workbook_xml).namespace or 'no namespace'}, not a "
                "workbook. Point pmo-sync at an .xlsx or .xlsm file saved by Excel.",
                path=self.path,
            )

    # -- what the file is -------------------------------------------------------------
    @cached_property
    def content_types(self) -> tuple[dict[str, str], dict[str, str]]:
        """[Content_Types].xml as (extension -> type, part name -> type); part names
        without the leading slash and, like extensions, case-folded (OPC compares them
        case-insensitively)."""
        root = self.xml("[Content_Types].xml")
        defaults: dict[str, str] = {}
        overrides: dict[str, str] = {}
        for el in root:
            if el.tag == f"{{{NS_CT}}}Default":
                defaults[el.get("Extension", "").casefold()] = el.get("ContentType", "")
            elif el.tag == f"{{{NS_CT}}}Override":
                name = el.get("PartName", "").lstrip("/").casefold()
                overrides[name] = el.get("ContentType", "")
        return defaults, overrides

    def content_type(self, part: str) -> str | None:
        """The declared content type of a part, or None when none is declared."""
        defaults, overrides = self.content_types
        folded = part.casefold()
        if folded in overrides:
            return overrides[folded]
        return defaults.get(posixpath.splitext(folded)[1].lstrip("."))

    def _refuse_other_office_formats(self, part: str) -> None:
        """A Word, PowerPoint, Visio or XPS file with its extension changed to .xlsx."""
        declared = self.content_type(part) or ""
        found = _not_a_workbook(declared)
        spreadsheet = any(m in declared.casefold() for m in ("spreadsheetml", "ms-excel."))
        if found is None and not spreadsheet and self.has(part):
            # Declared only as generic XML (or not at all): the root element tells.
            found = _not_a_workbook(etree.QName(self.workbook_xml).namespace or "")
        if found is None:
            return
        what, extension = found
        raise WorkbookUnreadable(
            f"{self.path}: this is {what}, not an Excel workbook (its main part is {part}; "
            f"it was probably saved as {extension} and renamed). Point pmo-sync at the "
            "tracker workbook (.xlsx or .xlsm).",
            path=self.path,
        )

    def _opendocument_kind(self) -> str | None:
        """An OpenDocument file names its kind in a 'mimetype' member."""
        if "mimetype" not in self.names:
            return None
        try:
            mimetype = self.zip.read("mimetype")[:200].decode("ascii", "replace")
        except (zipfile.BadZipFile, OSError, EOFError):
            return None
        prefix = "application/vnd.oasis.opendocument."
        if not mimetype.startswith(prefix):
            return None
        kind = mimetype.removeprefix(prefix).split("-")[0].strip()
        return _ODF_KINDS.get(kind, f"an OpenDocument file ({mimetype.strip()})")

    # -- raw access -------------------------------------------------------------------
    def has(self, part: str) -> bool:
        return part in self.names

    def stream(self, part: str) -> IO[bytes]:
        """A part as a stream decompressed while it is read (the head of a large sheet
        without inflating all of it)."""
        try:
            return self.zip.open(part)
        except KeyError:
            self.read(part)  # raises the damaged-workbook message
            raise

    def read(self, part: str) -> bytes:
        try:
            return self.zip.read(part)
        except KeyError as exc:
            raise WorkbookUnreadable(
                f"{self.path}: part {part} is missing. The workbook is damaged; open it in "
                "Excel, let it repair the file, save it, and try again.",
                path=self.path,
            ) from exc
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise WorkbookUnreadable(
                f"{self.path}: part {part} cannot be decompressed ({exc}). The workbook is "
                "damaged; restore it from a backup.",
                path=self.path,
            ) from exc

    def xml(self, part: str) -> etree._Element:
        return parse_xml(self.read(part), path=self.path, part=part)

    def rels(self, part: str) -> list[Relationship]:
        rels_part = rels_part_of(part)
        if not self.has(rels_part):
            return []
        out = []
        for el in self.xml(rels_part):
            if el.tag != f"{{{NS_PKG_REL}}}Relationship":
                continue
            external = el.get("TargetMode") == "External"
            target = el.get("Target", "")
            out.append(
                Relationship(
                    rid=el.get("Id", ""),
                    type=el.get("Type", ""),
                    target=target if external else resolve_target(part, target),
                    external=external,
                )
            )
        return out

    # -- workbook structure -------------------------------------------------------------
    @cached_property
    def workbook_part(self) -> str:
        for rel in self.rels(""):
            is_doc = rel.type == REL_OFFICE_DOC or rel.type.endswith("/officeDocument")
            if is_doc and self.has(rel.target):
                return rel.target
        if self.has("xl/workbook.xml"):
            return "xl/workbook.xml"
        _, overrides = self.content_types
        for name, declared in overrides.items():
            found = _not_a_workbook(declared)
            if found is not None:
                raise WorkbookUnreadable(
                    f"{self.path}: this is {found[0]}, not an Excel workbook (it holds {name}). "
                    "Point pmo-sync at the tracker workbook (.xlsx or .xlsm).",
                    path=self.path,
                )
        raise WorkbookUnreadable(
            f"{self.path}: no workbook part found; this is an Office file but not an Excel "
            "workbook. Point pmo-sync at an .xlsx or .xlsm file.",
            path=self.path,
        )

    @cached_property
    def workbook_xml(self) -> etree._Element:
        return self.xml(self.workbook_part)

    @cached_property
    def workbook_rels(self) -> list[Relationship]:
        return self.rels(self.workbook_part)

    def workbook_rel_of_type(self, rel_type: str) -> str | None:
        for rel in self.workbook_rels:
            if rel.type == rel_type and not rel.external:
                return rel.target
        return None

    @cached_property
    def date1904(self) -> bool:
        pr = self.workbook_xml.find(f"{{{NS_MAIN}}}workbookPr")
        return pr is not None and pr.get("date1904") in ("1", "true")

    @cached_property
    def sheets(self) -> list[SheetInfo]:
        by_id = {r.rid: r for r in self.workbook_rels}
        out: list[SheetInfo] = []
        sheets_el = self.workbook_xml.find(f"{{{NS_MAIN}}}sheets")
        for index, el in enumerate(sheets_el if sheets_el is not None else []):
            rid = el.get(f"{{{NS_REL}}}id", "")
            rel = by_id.get(rid)
            if rel is None or rel.type != REL_WORKSHEET:
                continue  # chartsheets, dialog sheets: not trackers
            out.append(
                SheetInfo(
                    name=el.get("name", ""),
                    sheet_id=int(el.get("sheetId", "0")),
                    rid=rid,
                    part=rel.target,
                    index=index,
                    state=el.get("state", "visible"),
                )
            )
        return out

    def sheet(self, name: str) -> SheetInfo | None:
        for info in self.sheets:
            if info.name == name:
                return info
        folded = name.strip().casefold()
        for info in self.sheets:
            if info.name.strip().casefold() == folded:
                return info
        return None

    @cached_property
    def tables(self) -> list[TableInfo]:
        out: list[TableInfo] = []
        for sheet in self.sheets:
            for rel in self.rels(sheet.part):
                if rel.type != REL_TABLE or rel.external or not self.has(rel.target):
                    continue
                out.append(self._table_info(rel.target, sheet))
        return out

    def table(self, name: str) -> TableInfo | None:
        folded = name.casefold()
        for info in self.tables:
            if folded in (info.name.casefold(), info.display_name.casefold()):
                return info
        return None

    def tables_on(self, sheet: SheetInfo) -> list[TableInfo]:
        return [t for t in self.tables if t.sheet.part == sheet.part]

    def _table_info(self, part: str, sheet: SheetInfo) -> TableInfo:
        root = self.xml(part)
        cols = []
        for col in root.iter(f"{{{NS_MAIN}}}tableColumn"):
            calc = col.find(f"{{{NS_MAIN}}}calculatedColumnFormula")
            cols.append(
                TableColumnInfo(
                    name=col.get("name", ""),
                    calculated_formula=calc.text if calc is not None else None,
                    calculated_is_array=calc is not None and calc.get("array") in ("1", "true"),
                )
            )
        return TableInfo(
            name=root.get("name", ""),
            display_name=root.get("displayName", root.get("name", "")),
            part=part,
            sheet=sheet,
            ref=CellRange.parse(root.get("ref", "A1")),
            header_row_count=int(root.get("headerRowCount", "1")),
            totals_row_count=int(root.get("totalsRowCount", "0")),
            columns=tuple(cols),
            insert_row=root.get("insertRow") in ("1", "true"),
        )

    @cached_property
    def styles_part(self) -> str | None:
        return self.workbook_rel_of_type(REL_STYLES)

    @cached_property
    def shared_strings_part(self) -> str | None:
        return self.workbook_rel_of_type(REL_SST)


def _check_magic(path: Path, data: bytes) -> None:
    if data.startswith(_OLE_MAGIC):
        raise WorkbookEncrypted(
            f"{path}: this is an OLE compound file, i.e. a password-protected (encrypted) "
            "workbook or a legacy .xls file. pmo-sync cannot read it. Remove the password "
            "(File > Info > Protect Workbook) or save it as .xlsx, then try again.",
            path=path,
        )
    if not data.startswith(_ZIP_MAGIC):
        what = "an empty file" if not data else "not a zip package"
        raise WorkbookUnreadable(
            f"{path}: {what}, so not an .xlsx/.xlsm workbook. Point pmo-sync at an Excel "
            "workbook saved as .xlsx or .xlsm.",
            path=path,
        )
