"""Benchmark of the workbook survey behind ``pmo-sync map`` (not a timed test).

Generates a workbook of 50 sheets holding 100,000 data rows in total, written part by
part as Excel writes it (shared strings, styles, dimension, tables), with the layouts
people make: an Excel table, a plain range under a title block, two trackers stacked,
two side by side, a two-row header with merged group cells. Then surveys it
(``survey_workbook``) and reports the median time and whether every tracker was found
where it was written. Two shapes: the rows spread over the sheets (2,000 each), and one
sheet holding almost all of them (the survey must not decode it).

    python -m bench.map_bench [--sheets 50] [--rows 100000] [--reps 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from connectors.excel.refs import column_letter
from connectors.excel.survey import survey_workbook
from mapper.propose import preview, propose

RESULTS_DIR = Path(__file__).resolve().parent / "results"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
HEADERS = ["ID", "Title", "Probability", "Impact", "Owner", "Status", "Raised", "Due",
           "Cost", "Done %"]  # fmt: skip
_STATUS = ["Open", "Closed", "Mitigating", "On Hold"]
_OWNERS = ["Alice", "Bob", "Carla", "Dev", "Erin"]
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/>'
    '<name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/>'
    '</fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border>'
    '<left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" '
    'fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="9" fontId="0" '
    'fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" '
    'fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle '
    'name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def __call__(self, text: str) -> int:
        self.count += 1
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> str:
        items = "".join(f"<si><t>{escape(t)}</t></si>" for t in self.index)
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {_NS} '
            f'count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>'
        )


def _text(sst: _Strings, ref: str, text: str, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="s"><v>{sst(text)}</v></c>'


def _block(
    sst: _Strings, top: int, left: int, rows: int, seed: int, *, first_header: int = 0
) -> list[tuple[int, str]]:
    """A header at `top` from column `left` (from its `first_header`th title on) and
    `rows` data rows under it: [(row, cells xml)]."""
    out = [(top, "".join(_text(sst, f"{column_letter(left + j)}{top}", h, 3)
                         for j, h in enumerate(HEADERS) if j >= first_header))]  # fmt: skip
    for i in range(rows):
        r = top + 1 + i
        n = seed + i
        c = [column_letter(left + j) for j in range(len(HEADERS))]
        out.append((r, (
            f'{_text(sst, f"{c[0]}{r}", f"R-{n + 1}")}<c r="{c[1]}{r}" t="inlineStr"><is><t>'
            f"Risk number {n + 1}</t></is></c>"
            f'<c r="{c[2]}{r}"><v>{n % 5 + 1}</v></c><c r="{c[3]}{r}"><v>{(n * 3) % 5 + 1}</v></c>'
            f'{_text(sst, f"{c[4]}{r}", _OWNERS[n % 5])}{_text(sst, f"{c[5]}{r}", _STATUS[n % 4])}'
            f'<c r="{c[6]}{r}" s="1"><v>{46000 + n % 400}</v></c>'
            f'<c r="{c[7]}{r}" s="1"><v>{46030 + n % 400}</v></c>'
            f'<c r="{c[8]}{r}"><v>{100 + n * 1.5}</v></c>'
            f'<c r="{c[9]}{r}" s="2"><v>{(n % 4) * 0.25}</v></c>'
        )))  # fmt: skip
    return out


def _sheet(sst: _Strings, index: int, rows: int) -> tuple[str, str | None, int]:
    """(sheet xml, table xml or None, trackers written) for layout index % 5."""
    kind = index % 5
    cells: list[tuple[int, str]] = []
    merges: list[str] = []
    table = None
    trackers = 1
    width = len(HEADERS)
    if kind == 0:  # an Excel table under a title
        cells.append((1, _text(sst, "A1", f"Register {index}")))
        cells += _block(sst, 3, 1, rows, index)
        ref = f"A3:{column_letter(width)}{3 + rows}"
        cols = "".join(f'<tableColumn id="{j + 1}" name="{h}"/>' for j, h in enumerate(HEADERS))
        table = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<table {_NS} '
            f'id="{index + 1}" name="T{index}" displayName="T{index}" ref="{ref}" '
            f'totalsRowShown="0"><autoFilter ref="{ref}"/><tableColumns count="{width}">{cols}'
            '</tableColumns><tableStyleInfo name="TableStyleMedium2" showRowStripes="1"/></table>'
        )
    elif kind == 1:  # a plain range under a three-row title block, merged title
        cells.append((1, _text(sst, "A1", f"Project {index} risk log")))
        cells.append((2, _text(sst, "A2", "Owner: PMO")))
        merges.append(f"A1:{column_letter(width)}1")
        cells += _block(sst, 4, 1, rows, index)
    elif kind == 2:  # two trackers stacked
        upper = rows // 2
        cells.append((1, _text(sst, "A1", "Risks")))
        cells += _block(sst, 2, 1, upper, index)
        top = 2 + upper + 3
        cells.append((top, _text(sst, f"A{top}", "Issues")))
        cells += _block(sst, top + 1, 1, rows - upper, index)
        trackers = 2
    elif kind == 3:  # two trackers side by side
        left = _block(sst, 2, 1, rows // 2, index)
        right = dict(_block(sst, 2, width + 2, rows - rows // 2, index))
        merged = {r: x for r, x in left}
        for r, x in right.items():
            merged[r] = merged.get(r, "") + x
        cells += sorted(merged.items())
        trackers = 2
    else:  # a two-row header: a group cell merged over Probability and Impact
        cells.append((1, _text(sst, "A1", "Assessment log")))
        group = _text(sst, "C3", "Assessment", 3)
        cells.append((3, _text(sst, "A3", "ID", 3) + _text(sst, "B3", "Title", 3) + group))
        merges += ["A3:A4", "B3:B4", "C3:D3"]
        cells += _block(sst, 4, 1, rows, index, first_header=2)
    cells.sort(key=lambda item: item[0])
    rows_xml = "".join(f'<row r="{r}">{x}</row>' for r, x in cells)
    last_row = cells[-1][0]
    last_col = column_letter(2 * width + 1 if kind == 3 else width)
    merge_xml = (
        f'<mergeCells count="{len(merges)}">'
        + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        + "</mergeCells>"
        if merges
        else ""
    )
    parts = '<tableParts count="1"><tablePart r:id="rId1"/></tableParts>' if table else ""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} {_NS_R}>'
        f'<dimension ref="A1:{last_col}{last_row}"/><sheetData>{rows_xml}</sheetData>'
        f"{merge_xml}{parts}</worksheet>"
    )
    return xml, table, trackers


def write_workbook(
    path: Path, *, sheets: int = 50, rows: int = 100_000, one_big: bool = False
) -> int:
    """Write the benchmark workbook; returns how many trackers it holds."""
    sst = _Strings()
    if one_big:
        small = 20
        counts = [rows - small * (sheets - 1)] + [small] * (sheets - 1)
    else:
        counts = [rows // sheets] * sheets
        counts[0] += rows - sum(counts)
    parts: list[tuple[str, str]] = []
    overrides = []
    trackers = 0
    sheet_list, wb_rels = [], []
    for i, count in enumerate(counts):
        xml, table, found = _sheet(sst, i, count)
        trackers += found
        parts.append((f"xl/worksheets/sheet{i + 1}.xml", xml))
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
                         f'ContentType="{_CT}.worksheet+xml"/>')  # fmt: skip
        sheet_list.append(f'<sheet name="Sheet {i + 1}" sheetId="{i + 1}" r:id="rId{i + 1}"/>')
        wb_rels.append(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" '
                       f'Target="worksheets/sheet{i + 1}.xml"/>')  # fmt: skip
        if table:
            parts.append((f"xl/tables/table{i + 1}.xml", table))
            overrides.append(f'<Override PartName="/xl/tables/table{i + 1}.xml" '
                             f'ContentType="{_CT}.table+xml"/>')  # fmt: skip
            parts.append((f"xl/worksheets/_rels/sheet{i + 1}.xml.rels", (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{_REL}/table" Target="../tables/table{i + 1}.xml"/>'
                "</Relationships>"
            )))  # fmt: skip
    n = len(counts)
    wb_rels += [f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>',
                f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" '
                'Target="sharedStrings.xml"/>']  # fmt: skip
    rels_head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    )
    parts += [
        ("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://'
            'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
            'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{_CT}.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
            f'ContentType="{_CT}.styles+xml"/><Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{_CT}.sharedStrings+xml"/>{"".join(overrides)}</Types>'
        )),
        ("_rels/.rels", rels_head + f'<Relationship Id="rId1" Type="{_REL}/officeDocument" '
                                    'Target="xl/workbook.xml"/></Relationships>'),
        ("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} {_NS_R}>'
            f'<sheets>{"".join(sheet_list)}</sheets></workbook>'
        )),
        ("xl/_rels/workbook.xml.rels", rels_head + "".join(wb_rels) + "</Relationships>"),
        ("xl/styles.xml", _STYLES),
        ("xl/sharedStrings.xml", sst.xml()),
    ]  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts:
            zf.writestr(name, text)
    return trackers


def run(
    *, sheets: int = 50, rows: int = 100_000, reps: int = 3, out_dir: Path | None = None
) -> dict[str, Any]:
    """Generate, survey `reps` times per shape, and save the results as JSON."""
    results: dict[str, Any] = {"sheets": sheets, "rows": rows, "shapes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for shape, one_big in (("spread", False), ("one_big_sheet", True)):
            path = Path(tmp) / f"{shape}.xlsx"
            start = time.perf_counter()
            expected = write_workbook(path, sheets=sheets, rows=rows, one_big=one_big)
            generated = time.perf_counter() - start
            times = []
            survey = None
            for _ in range(reps):
                start = time.perf_counter()
                survey = survey_workbook(path)
                times.append(time.perf_counter() - start)
            assert survey is not None
            found_rows = sum(t.rows for t in survey.trackers)
            start = time.perf_counter()
            proposal = propose(path)  # survey + every tracker's guesses + labels (offline)
            proposed = time.perf_counter() - start
            start = time.perf_counter()
            preview(proposal)  # the chosen trackers' rows read through the proposed mapping
            previewed = time.perf_counter() - start
            results["shapes"][shape] = {
                "file_bytes": path.stat().st_size,
                "generate_seconds": round(generated, 2),
                "survey_seconds": round(statistics.median(times), 3),
                "trackers_expected": expected,
                "trackers_found": len(survey.trackers),
                "data_rows_found": found_rows,
                "propose_seconds": round(proposed, 3),
                "preview_seconds": round(previewed, 3),
                "trackers_chosen": len(proposal.chosen),
            }
    out = out_dir or RESULTS_DIR
    out.mkdir(parents=True, exist_ok=True)
    target = out / "map_bench.json"
    target.write_text(json.dumps(results, indent=2))
    results["output_file"] = str(target)
    return results


def report(results: dict[str, Any]) -> str:
    lines = [f"survey of {results['sheets']} sheets, {results['rows']:,} data rows in total:"]
    for shape, r in results["shapes"].items():
        lines.append(
            f"  {shape:14} {r['survey_seconds']:.2f} s (median), {r['file_bytes'] / 1e6:.1f} MB, "
            f"trackers found {r['trackers_found']}/{r['trackers_expected']}, data rows "
            f"{r['data_rows_found']:,}"
        )
        lines.append(
            f"  {'':14} pmo-sync map: {r['propose_seconds'] + r['preview_seconds']:.2f} s "
            f"(proposal {r['propose_seconds']:.2f} s for {r['trackers_found']} trackers, "
            f"preview {r['preview_seconds']:.2f} s of the {r['trackers_chosen']} chosen; "
            "goal: seconds)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=50)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    print(report(run(sheets=args.sheets, rows=args.rows, reps=args.reps)))


if __name__ == "__main__":
    main()
