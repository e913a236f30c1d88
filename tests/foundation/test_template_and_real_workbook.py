"""Generated templates, and the default mapping against the real RAID log made in Excel."""

import pytest
from openpyxl import load_workbook

from connectors.excel import locate_tracker
from connectors.excel.template import write_template
from mappings import load_mapping
from mappings.config import SyncPair
from pmo_sync.checks import check_workbook


@pytest.mark.parametrize("name", ["raid_log", "change_log", "status_tracker"])
def test_template_has_every_mapped_column_and_validations(tmp_path, name):
    mapping = load_mapping(f"builtin:{name}")
    path = write_template(mapping, tmp_path / f"{name}.xlsx")
    workbook = load_workbook(path)
    for entity in mapping.entities:
        location = locate_tracker(path, table=entity.excel.table, sheet=entity.excel.sheet)
        headers = [f.excel for f in entity.fields if f.excel]
        flag = [entity.excel.flag_column] if entity.excel.flag_column else []
        ids = [entity.excel.sync_id_column] if entity.jira else []  # workbook-only: none
        expected = [entity.excel.key_column, *headers, *flag, *ids]
        assert location.headers == expected
        assert location.header_row == 4
        sheet = workbook[location.sheet]
        lists = [dv.formula1 for dv in sheet.data_validations.dataValidation]
        for field in entity.fields:
            value_map = mapping.value_map(field, "excel")
            if field.excel and value_map:
                assert '"' + ",".join(value_map.preferred_labels) + '"' in lists


@pytest.mark.no_ooxml_check  # writes bytes that are not a workbook, on purpose
def test_template_never_overwrites(tmp_path):
    path = tmp_path / "w.xlsx"
    path.write_bytes(b"user data")
    with pytest.raises(FileExistsError):
        write_template(load_mapping("builtin:raid_log"), path)
    assert path.read_bytes() == b"user data"


def test_default_raid_mapping_finds_every_column_of_the_real_raid_log(raid_log):
    mapping = load_mapping("builtin:raid_log")
    pair = SyncPair(name="real", workbook=raid_log, projects=("ALPHA",))
    findings = list(check_workbook(raid_log, mapping, pair))
    errors = [f for f in findings if f.level == "error"]
    assert not errors, errors
    ok = {f.subject.split("[")[1].rstrip("]"): f.message for f in findings if f.level == "ok"}
    assert "table Risks on sheet 'Risk Register', header row 4" in ok["risk"]
    assert "table Issues" in ok["raid_issue"] and "table CRs" in ok["change_request"]
    warnings = [f.message for f in findings if f.level == "warning"]
    assert any("'Jira Key'" in w for w in warnings)  # the real log has no key column yet
