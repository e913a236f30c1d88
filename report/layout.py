"""What every sheet of the report shares: the safe cell writer, headers, widths, print setup.

Text from Jira is written as literal text: anything that looks like a formula gets a
quote prefix, never evaluated (formula injection), and it is escaped the way the
lossless writer escapes it (``put``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from connectors.excel.strings import escape_ooxml
from connectors.excel.values import fit_for_excel, looks_like_formula
from report import palette
from report.strings import Strings


def font(**kwargs: object) -> Font:
    """A font of the report: the workbook's typeface, body text colour unless given."""
    return Font(**{"name": palette.FONT, "color": palette.TEXT, **kwargs})  # type: ignore[arg-type]


BOLD = font(bold=True)
TITLE = font(bold=True, size=16, color=palette.HEADER.fill)
SUBTITLE = font(size=10, color=palette.MUTED)
SECTION = font(bold=True, size=12, color=palette.HEADER.fill)
HEADER_FONT = palette.HEADER.font(bold=True)
THIN = Side(style="thin", color=palette.GRID)
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="bottom", wrap_text=True)


def put(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    """Text is never a formula: a leading '=' (or +, -, @, a leading tab or line break,
    the same test the lossless writer applies) is shown, not evaluated; an empty text is
    an empty cell (openpyxl would write an inline string without text,
    which Excel repairs).

    Text from Jira can hold anything: a control character (openpyxl refuses those), a
    character no workbook can store, text past Excel's cell limit, or text that looks
    like an OOXML escape ("_x0041_", which Excel would show as "A"). openpyxl writes
    text as it is given, so it is given the text already escaped the way the lossless
    writer escapes it (unstorable characters replaced, over-long text cut)."""
    cell = sheet.cell(row, column)
    if isinstance(value, str):
        value, _note = fit_for_excel(value, f"{sheet.title}!{cell.coordinate}")
        value = escape_ooxml(str(value)) if value else None
    cell.value = value
    if isinstance(value, str) and looks_like_formula(value):
        cell.data_type = "s"  # openpyxl would otherwise store it as a formula
        cell.quotePrefix = True
    return cell


def title(sheet: Worksheet, text: str, subtitle: str | None = None) -> None:
    put(sheet, 1, 1, text).font = TITLE
    sheet.row_dimensions[1].height = 24
    if subtitle:
        put(sheet, 2, 1, subtitle).font = SUBTITLE


def header_row(
    sheet: Worksheet,
    row: int,
    names: Sequence[str],
    start: int = 1,
    numeric: Iterable[int] = (),
) -> None:
    """A table's header: bold white on navy, wrapped; the headers of numeric columns
    (positions in ``names``) right-aligned, so they sit over their (right-aligned)
    values."""
    right = set(numeric)
    for offset, name in enumerate(names):
        cell = put(sheet, row, start + offset, name)
        cell.font = HEADER_FONT
        cell.fill = palette.HEADER.pattern()
        cell.border = BOX
        cell.alignment = RIGHT if offset in right else Alignment(vertical="bottom", wrap_text=True)


def widths(sheet: Worksheet, values: Sequence[float], start: int = 1) -> None:
    for offset, width in enumerate(values):
        sheet.column_dimensions[get_column_letter(start + offset)].width = width


def fit_height(sheet: Worksheet, row: int, text: str, width: float, points: float = 15) -> None:
    """Make a row tall enough for ``text`` wrapped in a column ``width`` characters wide
    (neither Excel nor LibreOffice grows a row for wrapped text written by openpyxl)."""
    lines = sum(max(1, math.ceil(len(part) / max(1.0, width * 0.95))) for part in
                text.split("\n"))  # fmt: skip
    if lines > 1:
        current = sheet.row_dimensions[row].height or points
        sheet.row_dimensions[row].height = max(current, lines * points)


def print_setup(
    sheet: Worksheet,
    strings: Strings,
    as_of: str,
    *,
    title_rows: str | None = None,
    one_page: bool = False,
) -> None:
    """Printed (and PDF) pages: landscape A4, every column on one page width and as many
    pages down as the rows need (``one_page`` for the dashboard, which is laid out to
    fit one page), the header row repeated on every page, and a header and footer
    naming the report, the date, the sheet and the page."""
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 1 if one_page else 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(
        left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.25, footer=0.25
    )
    sheet.print_options.horizontalCentered = True
    if title_rows:
        sheet.print_title_rows = title_rows
    escape = _header_text
    sheet.oddHeader.left.text = escape(strings("report_title"))
    sheet.oddHeader.left.size = 9
    sheet.oddHeader.right.text = escape(strings("as_of", date=as_of))
    sheet.oddHeader.right.size = 9
    sheet.oddFooter.left.text = "&A"  # the sheet's name
    sheet.oddFooter.left.size = 9
    sheet.oddFooter.right.text = strings("page_of")
    sheet.oddFooter.right.size = 9


def _header_text(text: str) -> str:
    """A literal text in a page header: '&' starts a header code, '&&' is an ampersand."""
    return text.replace("&", "&&")
