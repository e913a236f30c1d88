def test_only_the_sync_id_column_is_hidden(tmp_path):
    """A workbook-only sheet (Projects, Resources) has no Sync ID: none of its columns,
    its last one included, is hidden."""
    from openpyxl import load_workbook

    from connectors.excel.template import write_template
    from mappings.mapping import load_mapping

    for name in ("builtin:status_tracker", "builtin:resource_plan", "builtin:raid_log"):
        path = tmp_path / f"{name.split(':')[1]}.xlsx"
        write_template(load_mapping(name), path)
        for sheet in load_workbook(path).worksheets:
            hidden = [k for k, d in sheet.column_dimensions.items() if d.hidden]
            headers = {c.column_letter: c.value for c in sheet[4] if c.value}
            assert [headers[k] for k in hidden] in ([], ["Sync ID"]), (name, sheet.title)
