"""Any text a cell can hold comes back exactly as written: through our reader, through
openpyxl, and (slow) through LibreOffice.

Cell text is an ST_Xstring: characters XML 1.0 cannot carry are written ``_xHHHH_``,
and an underscore that would start such a sequence is written ``_x005F_``. Text that
merely looks like an escape (``_x0041_``) must therefore come back as itself, not as
"A" and not as ``_x005Fx0041_`` (what the writer produced before this was fixed).
Characters no workbook can store (NUL, lone surrogates, U+FFFE, U+FFFF) are refused
with an error naming the cell, never an lxml or codec traceback.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
import tempfile
import zipfile
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl.utils.escape import unescape as openpyxl_unescape

from connectors.excel import Fingerprint, WorkbookPatch, apply_patch, read_tracker, strings
from connectors.excel.cellxml import cell_xml
from connectors.excel.fastsheet import fast_rows
from connectors.excel.strings import escape_ooxml, unescape_ooxml
from connectors.excel.synthetic import build_tracker_workbook
from connectors.excel.values import fit_for_excel
from connectors.excel.workbook import WorkbookView

MAX_UNITS = 32_767  # Excel's cell limit, in UTF-16 code units
FIRST_ROW = 4  # the synthetic tracker's first data row (headers on row 3)
COLUMNS = ("Note", "Summary")
UNSTORABLE = re.compile("[\x00\ud800-\udfff\ufffe\uffff]")
CONTROLS = [chr(c) for c in range(1, 32) if c not in (9, 10, 13)]

# Every character XML 1.0 can carry (lone surrogates, NUL, U+FFFE and U+FFFF cannot).
xml_char = st.characters(
    min_codepoint=1,
    max_codepoint=0x10FFFF,
    exclude_categories=("Cs",),
    exclude_characters="\ufffe\uffff",
)
HEX = "0123456789abcdefABCDEF"
hex4 = st.text(HEX, min_size=4, max_size=4)
short_hex = st.sampled_from(["0", "1F", "5F", "05f", "00", "A", "9", "000"])
EDGES = [
    "_x", "_", "x", "_x005F_", "_x005f_", "_X0041_", "x0041_", "\r", "\n", "\r\n", "\t", " ",
    "  ", "\u00a0", "😀", "\U0010fffd", "\U0001fffe", "&", "<", ">", "]]>", "&#13;", "&amp;",
    "\u2028", "\x85", "\ufeff", "=", "-", "@", "+", "'", '"', *CONTROLS,
]  # fmt: skip
fragment = st.one_of(
    st.sampled_from(EDGES),
    hex4.map(lambda h: f"_x{h}_"),  # a lookalike of an escape
    short_hex.map(lambda h: f"_x{h}_"),  # LibreOffice decodes these too
    st.tuples(hex4, st.sampled_from(CONTROLS)).map(lambda t: f"_x{t[0]}{t[1]}"),
    st.text(xml_char, max_size=6),
)
short_text = st.lists(fragment, max_size=12).map("".join)


def stored(text: str) -> str:
    """What the writer is asked to store: `fit_for_excel` cuts a text whose stored
    (escaped) form is longer than Excel's cell limit; everything else is the text."""
    value, _note = fit_for_excel(text, "test")
    assert isinstance(value, str)
    return value


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def cut_to_units(text: str, units: int) -> str:
    """The longest prefix of `text` that fits `units` UTF-16 code units."""
    out, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            break
        out.append(ch)
    return "".join(out)


@st.composite
def long_text(draw: st.DrawFn) -> str:
    """A text of up to Excel's limit: a drawn pattern repeated to a drawn length."""
    pattern = draw(short_text.filter(bool))
    units = draw(st.integers(1, MAX_UNITS))
    return cut_to_units(pattern * (units // max(1, len(pattern)) + 1), units)


cell_text = st.one_of(short_text, short_text, short_text, long_text())


@cache
def _base_workbook() -> bytes:
    folder = Path(tempfile.mkdtemp(prefix="pmo-text-"))
    try:
        return build_tracker_workbook(folder / "t.xlsx", rows=8).read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write(path: Path, texts: list[str]) -> None:
    """Each text into its own table cell (Note, then Summary, row by row)."""
    patch = WorkbookPatch()
    for i, text in enumerate(texts):
        patch.set("Tracker", FIRST_ROW + i // 2, COLUMNS[i % 2], text)
    apply_patch(path, patch, expected=Fingerprint.of_file(path), live=False)


def _cells(texts: list[str]) -> list[tuple[int, str]]:
    return [(FIRST_ROW + i // 2, COLUMNS[i % 2]) for i in range(len(texts))]


def _read_ours(path: Path, texts: list[str]) -> list[object]:
    """Through read_tracker (the streaming lxml reader for a table this small) and
    through the regex fast path, which must agree."""
    rows = {r.row_number: r for r in read_tracker(path, table="Tasks").rows}
    slow = [rows[row].cells[col].value for row, col in _cells(texts)]
    view = WorkbookView(path)
    sheet = view.package.sheet("Tracker")
    assert sheet is not None
    fast_view = fast_rows(view.sheet_bytes(sheet), view.decoder)
    assert fast_view is not None, "the fast path refused the sheet the writer made"
    fast = dict(fast_view)
    letters = {"Summary": 2, "Note": 11}
    assert [fast[row][letters[col]].value for row, col in _cells(texts)] == slow
    return slow


def _read_openpyxl(path: Path, texts: list[str]) -> list[object]:
    """openpyxl parses the cell but does not decode ST_Xstring escapes in cell text;
    its own decoder (openpyxl.utils.escape.unescape, used for table names and headers)
    does, so that is applied to what it read."""
    sheet = openpyxl.load_workbook(path)["Tracker"]
    letters = {"Summary": "B", "Note": "K"}
    out = []
    for row, col in _cells(texts):
        value = sheet[f"{letters[col]}{row}"].value
        out.append(openpyxl_unescape(value) if isinstance(value, str) else value)
    return out


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(cell_text, min_size=1, max_size=6))
def test_any_storable_text_reads_back_exactly(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="pmo-text-") as folder:
        path = Path(folder) / "t.xlsx"
        path.write_bytes(_base_workbook())
        _write(path, texts)
        want = [stored(text) for text in texts]
        assert _read_ours(path, texts) == want
        assert _read_openpyxl(path, texts) == want


def test_text_that_looks_like_an_escape_stays_literal(tmp_path: Path) -> None:
    """The example of issue 13: Excel and openpyxl showed "_x005Fx0041_ and ..."."""
    text = "_x0041_ and _x005F_"
    assert escape_ooxml(text) == "_x005F_x0041_ and _x005F_x005F_"
    path = build_tracker_workbook(tmp_path / "t.xlsx", rows=3)
    _write(path, [text])
    with zipfile.ZipFile(path) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert ">_x005F_x0041_ and _x005F_x005F_</t>" in sheet
    assert _read_ours(path, [text]) == [text]
    assert _read_openpyxl(path, [text]) == [text]


def test_overlapping_lookalikes_and_controls_after_them() -> None:
    """Two lookalikes sharing an underscore, and a control character right after
    "_xHHHH" (its own escape supplies the closing underscore of a lookalike)."""
    for text in ["_x005F_x0041_", "_x0041\x01", "_x0041_x0042_", "__x0041__", "_x00_x0041_",
                 "_x1F_", "_x0\x01", "_x_x0001_"]:  # fmt: skip
        assert unescape_ooxml(escape_ooxml(text)) == text
        assert openpyxl_unescape(escape_ooxml(text)) == text
    assert escape_ooxml("_x0041\x01") == "_x005F_x0041_x0001_"


@pytest.mark.parametrize(
    ("text", "code"),
    [("a\x00b", "U+0000"), ("x\ud800", "U+D800"), ("\udfff", "U+DFFF"), ("\ufffe", "U+FFFE"),
     ("ok \uffff", "U+FFFF")],
)  # fmt: skip
def test_characters_no_workbook_can_store_are_refused_naming_the_cell(text: str, code: str) -> None:
    with pytest.raises(
        strings.UnstorableCharacter, match=re.escape(f"cell K7: the text holds {code} at")
    ):
        cell_xml("K7", text, style=0)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=40))
def test_no_text_crashes_the_cell_writer(text: str) -> None:
    """Any Python string: well-formed XML that decodes to the text, or the one error."""
    try:
        xml = cell_xml("B2", text, style=3)
    except strings.UnstorableCharacter as exc:
        assert UNSTORABLE.search(text) and exc.cell == "B2"
        assert text[exc.position] == chr(exc.code_point)
        return
    assert not UNSTORABLE.search(text)
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    cell = etree.fromstring(xml.replace(b"<c ", f"<c {ns} ".encode(), 1))
    assert unescape_ooxml("".join(cell.itertext())) == text


# -- LibreOffice: one workbook holding a batch of texts, converted once -----------------


def _batch(seed: int = 13) -> list[str]:
    """Hand-picked edge cases, then seeded random texts over the same alphabet."""
    rng = random.Random(seed)
    picked = [
        "_x0041_ and _x005F_", "_x005F_x0041_", "_x0041\x01", "__x0041__", "_x00_x0041_",
        "a\x01b\x1fc", "\x0b\x0c", "\r", "\r\n", "line\nnext", "\ttab", " lead", "trail ",
        "  both  ", "😀 emoji 𝄞", "\U0010fffd", "<&>]]>", "&#13;", "=1+1", "-2", "@x",
        "\u2028\x85\ufeff", "_x", "_", "x0041_", "_x005f_x0041_", "_x00_", "_x1F_", "_x5f_",
        "a_x0_b", "_x0\x01", "_x\x01", "\r\r\n", "a\rb", "\n\r",
    ]  # fmt: skip
    alphabet = [*CONTROLS, "_", "x", "0", "4", "1", "F", "_x", "\r", "\n", " ", "é", "😀"]
    out = list(picked)
    for _ in range(200):
        parts = []
        for _ in range(rng.randrange(1, 12)):
            if rng.random() < 0.6:
                parts.append(rng.choice(alphabet))
            else:
                cp = rng.randrange(0x20, 0x10FFFF)
                ch = chr(cp)
                parts.append(ch if not UNSTORABLE.match(ch) else "?")
        out.append("".join(parts))
    return out


LONG_PLAIN = cut_to_units("a long text 😀 ✓ " * 3000, MAX_UNITS)  # exactly the limit
LONG_ESCAPED = cut_to_units("x\x01\r\n_x0041_" * 4000, MAX_UNITS)


def libreoffice_view(text: str) -> str:
    """What LibreOffice shows for a text: in a text with a line feed, each CR LF, LF CR,
    LF or CR is one line break (its cells hold paragraphs); a text without a line feed
    keeps its CRs. Measured with LibreOffice 7.4 on hand-written XML, so it is the
    spreadsheet's own reading, not something our writer does."""
    return re.sub("\r\n|\n\r|\r|\n", "\n", text) if "\n" in text else text


def _libreoffice_column(csv_path: Path, header: str) -> list[str]:
    """The cells under `header` in LibreOffice's CSV export (CR and LF inside quoted
    fields kept as they are: the file is read without newline translation)."""
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if rows and rows[0] and rows[0][0].startswith("\ufeff"):
        rows[0][0] = rows[0][0][1:]
    top = next(i for i, row in enumerate(rows) if header in row)
    col = rows[top].index(header)
    return [row[col] if col < len(row) else "" for row in rows[top + 1 :]]


@pytest.mark.slow
def test_libreoffice_reads_every_text_back(tmp_path: Path, libreoffice) -> None:
    texts = _batch()
    path = build_tracker_workbook(tmp_path / "texts.xlsx", rows=len(texts) + 1)
    patch = WorkbookPatch()
    for i, text in enumerate([*texts, LONG_PLAIN]):
        patch.set("Tracker", FIRST_ROW + i, "Note", text)
    apply_patch(path, patch, expected=Fingerprint.of_file(path))
    # A text of 32,767 characters whose escapes make it longer as stored: cut to fit.
    escaped = build_tracker_workbook(tmp_path / "long_escapes.xlsx", rows=1)
    apply_patch(escaped, WorkbookPatch().set("Tracker", FIRST_ROW, "Note", LONG_ESCAPED),
                expected=Fingerprint.of_file(escaped))  # fmt: skip
    csv_out = libreoffice([path, escaped], "csv:Text - txt - csv (StarCalc):44,34,76")
    got = _libreoffice_column(csv_out[0], "Note")
    want = [*texts, LONG_PLAIN]
    seen = [libreoffice_view(w) for w in want]
    mismatches = [(i, w, g) for i, (w, g) in enumerate(zip(seen, got, strict=False)) if w != g]
    assert not mismatches and len(got) >= len(want), mismatches[:5]
    assert stored(LONG_ESCAPED) != LONG_ESCAPED
    assert _libreoffice_column(csv_out[1], "Note")[0] == libreoffice_view(stored(LONG_ESCAPED))
    ours = {r.row_number: r.cells["Note"].value for r in read_tracker(path, table="Tasks").rows}
    assert [ours[FIRST_ROW + i] for i in range(len(want))] == want
