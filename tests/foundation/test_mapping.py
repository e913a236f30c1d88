import pytest

from mappings import MappingFileError, builtin_mapping_names, load_mapping, parse_mapping

GOOD = """
name = "mine"
[[entity]]
type = "risk"
excel = { table = "Risks" }
jira = { issue_type = "Risk" }
field = [
  { name = "summary", excel = "Description", jira = "summary" },
  { name = "probability", excel = "Probability", jira = "Probability", value_map = "probability", jira_labels = { "4" = ["4 - High"] } },
]
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(MappingFileError) as caught:
        parse_mapping(text, "bad.toml")
    assert str(caught.value).startswith("bad.toml: mapping file is invalid")
    return [str(p) for p in caught.value.problems]


def test_builtin_mappings_load():
    assert builtin_mapping_names() == [
        "change_log",
        "lessons_log",
        "raid_log",
        "resource_plan",
        "status_tracker",
    ]
    raid = load_mapping("builtin:raid_log")
    assert [e.type for e in raid.entities] == ["risk", "raid_issue", "change_request"]
    tracker = load_mapping("builtin:status_tracker")
    assert tracker.entity("work_item").jira.issue_types == ("Epic", "Story", "Task")


def test_side_labels_apply_per_side():
    mapping = parse_mapping(GOOD, "good.toml")
    field = mapping.entity("risk").field("probability")
    assert mapping.value_map(field, "jira").to_label(4) == "4 - High"
    assert mapping.value_map(field, "excel").to_label(4) == "High"


def test_syntax_error_has_line_number():
    (problem,) = problems_of('name = "x"\n[[entity]\n')
    assert "(syntax)" in problem and "line 2" in problem


def test_schema_errors_are_all_reported_with_locations():
    problems = problems_of(
        """
name = "x"
[[entity]]
type = "risk"
excel = { table = "Risks", colour = "red" }
jira = { issue_type = "Risk" }
field = [
  { name = "summary", excel = "Description", direction = "sideways" },
  { excel = "Impact" },
]
"""
    )
    joined = "\n".join(problems)
    assert len(problems) == 3, joined
    assert "entity[0] (risk).excel.colour" in joined
    assert "entity[0] (risk).field[0] (summary).direction" in joined
    assert "entity[0] (risk).field[1].name" in joined


def test_semantic_errors_are_all_reported_with_locations():
    problems = problems_of(
        """
name = "x"
[[entity]]
type = "risk"
excel = { table = "Risks", sheet = "Risk Register" }
jira = { issue_type = "Risk" }
field = [
  { name = "summary", excel = "Description", jira = "summary" },
  { name = "colour", excel = "Colour" },
  { name = "category", excel = "description", jira = "customfield_10042" },
  { name = "score", excel = "Exposure" },
  { name = "impact", excel = "Impact", value_map = "sizes" },
  { name = "probability", excel = "Probability", value_map = "probability", excel_labels = { "9" = ["Nine"] } },
  { name = "mitigation" },
  { name = "trigger", excel = "Jira Key" },
]
[[entity]]
type = "benefit"
excel = { sheet = "Benefits" }
field = []
"""
    )
    joined = "\n".join(problems)
    expected = [
        "entity[0] (risk).excel: give exactly one of 'table' or 'sheet'",
        "field[1] (colour).name: not a field of risk",
        "field[2] (category).excel: column 'description' is also mapped to summary",
        "field[2] (category).jira: 'customfield_10042' is a site-specific id",
        "field[3] (score).direction: score is derived",
        "field[4] (impact).value_map: unknown value map 'sizes'",
        "field[5] (probability).excel_labels: '9' is not a canonical probability value",
        "field[6] (mitigation): maps to neither",
        "entity[0] (risk).excel: column 'Jira Key' is reserved",
        "entity[1] (benefit).type: unknown entity type",
    ]
    for fragment in expected:
        assert fragment in joined, f"{fragment!r} missing from:\n{joined}"


def test_label_collisions_are_reported():
    problems = problems_of(
        GOOD.replace('jira_labels = { "4" = ["4 - High"] }', 'excel_labels = { "4" = ["Low"] }')
    )
    assert any("maps to both" in p for p in problems)


def test_missing_files_and_unknown_builtins(tmp_path):
    with pytest.raises(MappingFileError, match="cannot read"):
        load_mapping(tmp_path / "nope.toml")
    with pytest.raises(MappingFileError, match="no built-in mapping 'nope'"):
        load_mapping("builtin:nope")
    (tmp_path / "m.toml").write_text(GOOD)
    assert load_mapping("m.toml", base_dir=tmp_path).name == "mine"


def test_a_mapping_saved_in_another_encoding_says_which_and_how_to_fix(tmp_path):
    from mappings.errors import MappingFileError
    from mappings.mapping import load_mapping

    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "Kategorie Größe"\n'.encode("latin-1"))
    with pytest.raises(MappingFileError, match=r"not UTF-8.*Save As"):
        load_mapping(path)
    path.write_bytes('name = "x"\n'.encode("utf-16"))
    with pytest.raises(MappingFileError, match="UTF-16"):
        load_mapping(path)
