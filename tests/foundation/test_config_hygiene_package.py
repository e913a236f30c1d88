"""What a file given as a workbook really is (issue 13, part G).

A Word document saved with an .xlsx name used to be reported as "the workbook uses the
'Strict Open XML' format", sending the user after the wrong fix. The packages here are
built part by part as Word, PowerPoint and LibreOffice write them (content types,
package relationships, main part), since only those parts decide the verdict.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.excel import locate_tracker
from connectors.excel.errors import WorkbookUnreadable
from connectors.excel.template import write_template
from mappings.mapping import load_mapping
from pmo_sync.cli import app, render_config

pytestmark = pytest.mark.no_ooxml_check  # these files are foreign or broken on purpose

CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
STRICT_OFFICE_DOC = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
WORD_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SLIDES_MAIN = "http://schemas.openxmlformats.org/presentationml/2006/main"
TRANSITIONAL_SHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_SHEET = "http://purl.oclc.org/ooxml/spreadsheetml/main"


def office_package(
    path: Path,
    main_part: str,
    main_xml: str,
    content_type: str | None,
    *,
    rel_type: str = OFFICE_DOC,
    extra: dict[str, str] | None = None,
) -> Path:
    """A minimal OPC package: [Content_Types].xml, _rels/.rels and its main part."""
    override = (
        f'<Override PartName="/{main_part}" ContentType="{content_type}"/>' if content_type else ""
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{CT}">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{override}</Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" Type="{rel_type}" '
            f'Target="{main_part}"/></Relationships>',
        )
        zf.writestr(main_part, main_xml)
        for name, body in (extra or {}).items():
            zf.writestr(name, body)
    return path


def word_document(path: Path, content_type: str | None = None) -> Path:
    return office_package(
        path,
        "word/document.xml",
        f'<w:document xmlns:w="{WORD_MAIN}"><w:body><w:p><w:r><w:t>Risk register'
        "</w:t></w:r></w:p></w:body></w:document>",
        content_type
        or "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    )


def strict_workbook(path: Path, source: Path) -> Path:
    """An Excel workbook in the Strict Open XML flavour: the same parts, the ISO
    namespaces (as Excel writes when saving as 'Strict Open XML Spreadsheet')."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                body = body.replace(TRANSITIONAL_SHEET.encode(), STRICT_SHEET.encode())
            if info.filename == "_rels/.rels":
                body = body.replace(OFFICE_DOC.encode(), STRICT_OFFICE_DOC.encode())
            dst.writestr(info, body)
    return path


def refusal(path: Path) -> str:
    with pytest.raises(WorkbookUnreadable) as caught:
        locate_tracker(path, table="Risks")
    return str(caught.value)


def test_a_renamed_word_document_is_named_while_a_strict_workbook_stays_strict(tmp_path):
    message = refusal(word_document(tmp_path / "raid.xlsx"))
    assert "this is a Word document, not an Excel workbook" in message
    assert "word/document.xml" in message and ".docx" in message
    assert "Strict" not in message
    template = write_template(load_mapping("builtin:raid_log"), tmp_path / "template.xlsx")
    strict = refusal(strict_workbook(tmp_path / "strict.xlsx", template))
    assert "the workbook uses the 'Strict Open XML' format" in strict


@pytest.mark.parametrize(
    ("content_type", "what"),
    [
        ("application/vnd.ms-word.document.macroEnabled.main+xml", "a Word document"),
        ("application/vnd.ms-word.template.macroEnabledTemplate.main+xml", "a Word document"),
        (
            "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            "a PowerPoint presentation",
        ),
        ("application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml", "a PowerPoint"),
        ("application/vnd.ms-visio.drawing.main+xml", "a Visio drawing"),
    ],
)
def test_other_office_formats_are_named_by_their_content_type(tmp_path, content_type, what):
    message = refusal(word_document(tmp_path / "tracker.xlsx", content_type))
    assert f"this is {what}" in message and "not an Excel workbook" in message


def test_without_a_content_type_the_main_parts_namespace_tells(tmp_path):
    slides = office_package(
        tmp_path / "deck.xlsx",
        "ppt/presentation.xml",
        f'<p:presentation xmlns:p="{SLIDES_MAIN}"/>',
        None,
    )
    assert "this is a PowerPoint presentation, not an Excel workbook" in refusal(slides)


def test_a_word_document_without_an_office_document_relationship_is_named(tmp_path):
    path = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{CT}"><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
            "/></Types>",
        )
        zf.writestr("word/document.xml", f'<w:document xmlns:w="{WORD_MAIN}"/>')
    assert "this is a Word document, not an Excel workbook" in refusal(path)


def test_an_unknown_office_package_is_not_called_strict(tmp_path):
    path = office_package(tmp_path / "x.xlsx", "main.xml", '<thing xmlns="urn:example"/>', None)
    message = refusal(path)
    assert "not an Excel workbook: its main part main.xml holds <thing> from urn:example" in message
    assert "Strict" not in message


@pytest.mark.parametrize(
    ("mimetype", "what"),
    [
        ("application/vnd.oasis.opendocument.spreadsheet", "an OpenDocument spreadsheet (.ods)"),
        ("application/vnd.oasis.opendocument.text", "an OpenDocument text document (.odt)"),
    ],
)
def test_an_opendocument_file_is_named(tmp_path, mimetype, what):
    path = tmp_path / "budget.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored first, uncompressed
        zf.writestr("content.xml", "<office:document-content/>")
        zf.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    message = refusal(path)
    assert f"this is {what}, not an Excel workbook" in message
    assert "save it as an Excel Workbook (.xlsx)" in message


def test_a_folder_is_not_read_as_a_workbook(tmp_path):
    (tmp_path / "raid.xlsx").mkdir()
    assert "is a folder, not a workbook" in refusal(tmp_path / "raid.xlsx")


def test_check_reports_the_renamed_word_document(tmp_path, monkeypatch):
    import keyring

    monkeypatch.setattr(keyring, "get_password", lambda *_: None)
    word_document(tmp_path / "raid.xlsx")
    config = tmp_path / "pmo-sync.toml"
    config.write_text(
        render_config(
            url="http://127.0.0.1:9",
            email=None,
            workbook="raid.xlsx",
            mapping="builtin:raid_log",
            projects=["ALPHA"],
            pair="alpha",
        ),
        "utf-8",
    )
    result = CliRunner().invoke(app, ["check", "--config", str(config), "--offline"])
    assert result.exit_code == 2, result.output
    assert "this is a Word document, not an Excel workbook" in result.output
    assert "Strict" not in result.output
