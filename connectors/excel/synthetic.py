"""Build synthetic tracker workbooks, XML part by XML part, like Excel writes them.

Tests, the benchmark and demos need workbooks with the features a real PMO tracker
has (an Excel table with a calculated column and cached values, data validation,
conditional formats incl. an x14 extension, dates, percentages, booleans, errors,
rich text, shared and inline strings, a summary sheet with structured references).
openpyxl cannot write cached formula values or x14 extensions, so the parts are
written directly.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from .refs import column_letter
from .values import to_serial

HEADERS = [
    "Key",
    "Summary",
    "Status",
    "Start",
    "Due",
    "Done %",
    "Estimate",
    "Cost",
    "Flag",
    "Total",
    "Note",
]
EXTRA_PREFIX = "Field "
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# cellXfs indexes used below
S_GENERAL, S_DATE, S_PERCENT, S_HEADER, S_ISO_DATE, S_MONEY, S_TITLE = 0, 1, 2, 3, 4, 5, 6

_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet {_NS}><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
    '<numFmt numFmtId="165" formatCode="&quot;£&quot;#,##0.00"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/>'
    '</font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="16"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border>'
    "<left/><right/><top/><bottom/><diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    '</cellStyleXfs><cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '</cellXfs><cellStyles count="1">'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="1">'
    '<dxf><font><color rgb="FF9C0006"/></font><fill><patternFill>'
    '<bgColor rgb="FFFFC7CE"/></patternFill></fill></dxf></dxfs>'
    '<tableStyles count="0" defaultTableStyle="TableStyleMedium2" '
    'defaultPivotStyle="PivotStyleLight16"/>'
    "</styleSheet>"
)


class _SST:
    RICH = 0  # index of the rich-text item ("Rich text" with a phonetic run)

    def __init__(self) -> None:
        self.items: list[str] = ["\x00rich"]
        self.index: dict[str, int] = {}
        self.refs = 0

    def add(self, text: str) -> int:
        self.refs += 1
        if text not in self.index:
            self.index[text] = len(self.items)
            self.items.append(text)
        return self.index[text]

    def xml(self) -> str:
        rich = (
            '<si><r><rPr><b/></rPr><t>Rich</t></r><r><t xml:space="preserve"> text</t>'
            '</r><rPh sb="0" eb="1"><t>IGNORED</t></rPh></si>'
        )
        body = rich + "".join(
            f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in self.items[1:]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<sst {_NS} count="{self.refs + 1}" uniqueCount="{len(self.items)}">{body}</sst>'
        )


def _row_values(i: int, base: dt.date) -> dict[str, object]:
    return {
        "Key": f"PMO-{i + 1}",
        "Summary": f"Task number {i + 1}",
        "Status": ("Open", "In Progress", "Done")[i % 3],
        "Start": base + dt.timedelta(days=i % 200),
        "Due": base + dt.timedelta(days=30 + i % 200),
        "Done %": (i % 5) * 0.25,
        "Estimate": (i % 13) + 1,
        "Cost": round(100.5 + i * 1.25, 2),
        "Flag": i % 2 == 0,
    }


def build_tracker_workbook(
    path: str | Path,
    *,
    rows: int = 12,
    extra_columns: int = 0,
    title_rows: bool = True,
    with_table: bool = True,
    xlsm: bool = False,
) -> Path:
    """Write a tracker workbook to `path` and return it.

    Sheet "Tracker": title in A1, headers on row 3 (row 1 without `title_rows`), table
    "Tasks" over the data, "Total" = Estimate*2 as a calculated column with cached
    values, data validation on Status, a cellIs conditional format on "Done %", an x14
    data bar on Estimate. Sheet "Summary": SUM(Tasks[Estimate]) with cached value.
    """
    path = Path(path)
    base = dt.date(2026, 1, 5)
    sst = _SST()
    headers = HEADERS + [f"{EXTRA_PREFIX}{n + 1}" for n in range(extra_columns)]
    ncols = len(headers)
    last_col = column_letter(ncols)
    header_row = 3 if title_rows else 1
    first = header_row + 1
    last = header_row + max(rows, 1)
    col = {h: column_letter(i + 1) for i, h in enumerate(headers)}
    out: list[str] = []
    if title_rows:
        out.append(
            f'<row r="1"><c r="A1" s="{S_TITLE}" t="s"><v>{sst.add("Project tracker")}</v>'
            "</c></row>"
        )
    cells = "".join(
        f'<c r="{col[h]}{header_row}" s="{S_HEADER}" t="s"><v>{sst.add(h)}</v></c>' for h in headers
    )
    out.append(f'<row r="{header_row}" spans="1:{ncols}">{cells}</row>')
    total_est = 0
    for i in range(rows):
        r = first + i
        vals = _row_values(i, base)
        total_est += int(vals["Estimate"])  # type: ignore[call-overload]
        c = [
            f'<c r="A{r}" t="s"><v>{sst.add(str(vals["Key"]))}</v></c>',
            (
                f'<c r="B{r}" t="s"><v>{_SST.RICH}</v></c>'
                if i == 1
                else f'<c r="B{r}" t="inlineStr"><is><t>{escape(str(vals["Summary"]))}</t></is></c>'
            ),
            f'<c r="C{r}" t="s"><v>{sst.add(str(vals["Status"]))}</v></c>',
            f'<c r="D{r}" s="{S_DATE}"><v>{to_serial(vals["Start"], date1904=False)}</v></c>',  # type: ignore[arg-type]
            f'<c r="E{r}" s="{S_ISO_DATE}"><v>{to_serial(vals["Due"], date1904=False)}</v></c>',  # type: ignore[arg-type]
            f'<c r="F{r}" s="{S_PERCENT}"><v>{vals["Done %"]}</v></c>',
            f'<c r="G{r}"><v>{vals["Estimate"]}</v></c>',
            f'<c r="H{r}" s="{S_MONEY}"><v>{vals["Cost"]}</v></c>',
            f'<c r="I{r}" t="b"><v>{1 if vals["Flag"] else 0}</v></c>',
            f'<c r="J{r}"><f>G{r}*2</f><v>{int(vals["Estimate"]) * 2}</v></c>',  # type: ignore[call-overload]
        ]
        if i == 2:
            c.append(f'<c r="K{r}" t="e"><v>#N/A</v></c>')
        for n in range(extra_columns):
            letter = column_letter(len(HEADERS) + n + 1)
            c.append(
                f'<c r="{letter}{r}"><v>{(i * 7 + n) % 1000}</v></c>'
                if n % 2
                else f'<c r="{letter}{r}" t="s"><v>{sst.add(f"v{(i + n) % 50}")}</v></c>'
            )
        out.append(f'<row r="{r}" spans="1:{ncols}">{"".join(c)}</row>')
    ref = f"A{header_row}:{last_col}{last}"
    x14 = (
        '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
        'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        "<x14:conditionalFormattings><x14:conditionalFormatting "
        'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:cfRule '
        'type="dataBar" id="{00000000-000E-0000-0000-000001000000}"><x14:dataBar '
        'minLength="0" maxLength="100" gradient="0"><x14:cfvo type="autoMin"/><x14:cfvo '
        'type="autoMax"/><x14:negativeFillColor rgb="FFFF0000"/><x14:axisColor '
        'rgb="FF000000"/></x14:dataBar></x14:cfRule><xm:sqref>'
        f"G{first}:G{last}</xm:sqref></x14:conditionalFormatting>"
        "</x14:conditionalFormattings></ext></extLst>"
    )
    sheet1 = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<worksheet {_NS} {_NS_R} "
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
        'mc:Ignorable="x14ac">'
        f'<dimension ref="A1:{last_col}{last}"/><sheetViews><sheetView tabSelected="1" '
        'workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15" '
        'x14ac:dyDescent="0.25"/><cols><col min="2" max="2" width="30" customWidth="1"/>'
        f"</cols><sheetData>{''.join(out)}</sheetData>"
        f'<conditionalFormatting sqref="F{first}:F{last}"><cfRule type="cellIs" dxfId="0" '
        'priority="1" operator="lessThan"><formula>0.5</formula></cfRule>'
        "</conditionalFormatting>"
        '<dataValidations count="1"><dataValidation type="list" allowBlank="1" '
        f'showErrorMessage="1" sqref="C{first}:C{last}"><formula1>"Open,In Progress,Done"'
        "</formula1></dataValidation></dataValidations>"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
        'footer="0.3"/>'
        + ('<tableParts count="1"><tablePart r:id="rId1"/></tableParts>' if with_table else "")
        + x14
        + "</worksheet>"
    )
    table_cols = "".join(
        f'<tableColumn id="{i + 1}" name="{escape(h)}"'
        + (
            "><calculatedColumnFormula>" + f"G{first}*2</calculatedColumnFormula></tableColumn>"
            if h == "Total"
            else "/>"
        )
        for i, h in enumerate(headers)
    )
    table1 = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table {_NS} id="1" name="Tasks" displayName="Tasks" ref="{ref}" '
        f'totalsRowShown="0"><autoFilter ref="{ref}"/><tableColumns count="{ncols}">'
        f'{table_cols}</tableColumns><tableStyleInfo name="TableStyleMedium2" '
        'showFirstColumn="0" showLastColumn="0" showRowStripes="1" showColumnStripes="0"/>'
        "</table>"
    )
    summary_formula = "SUM(Tasks[Estimate])" if with_table else f"SUM(Tracker!G{first}:G{last})"
    sheet2 = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet {_NS} {_NS_R}><dimension ref="A1:B2"/><sheetData>'
        f'<row r="1"><c r="A1" t="s"><v>{sst.add("Total estimate")}</v></c>'
        f'<c r="B1"><f>{summary_formula}</f><v>{total_est}</v></c></row>'
        f'<row r="2"><c r="A2" t="s"><v>{sst.add("Open count")}</v></c>'
        f'<c r="B2"><f>COUNTIF(Tracker!C{first}:C{last},"Open")</f>'
        f"<v>{sum(1 for i in range(rows) if i % 3 == 0)}</v></c></row>"
        "</sheetData></worksheet>"
    )
    ext = "xlsm" if xlsm else "xlsx"
    main_ct = (
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        if xlsm
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    )
    del ext
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        + (
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            if xlsm
            else ""
        )
        + f'<Override PartName="/xl/workbook.xml" ContentType="{main_ct}"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT_SHEET}"/>'
        f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{_CT_SHEET}"/>'
        + (
            '<Override PartName="/xl/tables/table1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.table+xml"/>'
            if with_table
            else ""
        )
        + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'sharedStrings+xml"/><Override PartName="/docProps/app.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>'
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"<workbook {_NS} {_NS_R}><workbookPr/><bookViews><workbookView/></bookViews><sheets>"
        '<sheet name="Tracker" sheetId="1" r:id="rId1"/>'
        '<sheet name="Summary" sheetId="2" r:id="rId2"/></sheets>'
        f'<definedNames><definedName name="TrackerKeys">Tracker!$A${first}:$A${last}'
        '</definedName></definedNames><calcPr calcId="191029"/></workbook>'
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId4" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        + (
            '<Relationship Id="rId5" Type="http://schemas.microsoft.com/office/2006/'
            'relationships/vbaProject" Target="vbaProject.bin"/>'
            if xlsm
            else ""
        )
        + "</Relationships>"
    )
    sheet_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/table" Target="../tables/table1.xml"/>'
        "</Relationships>"
    )
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
        'properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><Application>Microsoft Excel</Application><HeadingPairs><vt:vector '
        'size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>'
        "<vt:variant><vt:i4>2</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts>"
        '<vt:vector size="2" baseType="lpstr"><vt:lpstr>Tracker</vt:lpstr><vt:lpstr>Summary'
        "</vt:lpstr></vt:vector></TitlesOfParts></Properties>"
    )
    parts: list[tuple[str, str | bytes]] = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("docProps/app.xml", app),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", wb_rels),
        ("xl/worksheets/sheet1.xml", sheet1),
        ("xl/worksheets/sheet2.xml", sheet2),
        ("xl/styles.xml", _STYLES),
        ("xl/sharedStrings.xml", sst.xml()),
    ]
    if with_table:
        parts += [
            ("xl/worksheets/_rels/sheet1.xml.rels", sheet_rels),
            ("xl/tables/table1.xml", table1),
        ]
    if xlsm:
        parts.append(("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0FAKE-VBA-PROJECT" + bytes(range(256))))
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts:
            zf.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return path
