"""Link fields without a server: which side of a link type a phrase means, which keys an
issue's ``issuelinks`` list on that side, and what a cell may say."""

from __future__ import annotations

import pytest

from connectors.jira.links import (
    LinkSide,
    LinkTypes,
    UnknownLinkType,
    keys_text,
    linked,
    parse_keys,
)
from mappings.mapping import parse_mapping

TYPES = [
    {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
    {"id": "10001", "name": "Relates", "inward": "relates to", "outward": "relates to"},
]


class _Http:
    """Answers GET issueLinkType as a site with the two types above (counted)."""

    def __init__(self) -> None:
        self.calls = 0

    def get(self, path: str, **_: object) -> dict:
        assert path == "issueLinkType"
        self.calls += 1
        return {"issueLinkTypes": TYPES}


def _types() -> tuple[LinkTypes, _Http]:
    http = _Http()
    return LinkTypes(http), http  # type: ignore[arg-type]


def test_a_phrase_says_the_type_and_the_side():
    types, http = _types()
    assert types.side("is blocked by") == LinkSide("Blocks", "inward", "is blocked by")
    assert types.side("Blocks").side == "outward"
    assert types.side("BLOCKS ").side == "outward"
    assert types.side("relates to").both_ways
    assert http.calls == 1  # the site's link types are asked once


def test_an_unknown_phrase_lists_what_the_site_has():
    types, _ = _types()
    with pytest.raises(UnknownLinkType, match="'is blocked by'"):
        types.side("depends on")


ISSUELINKS = [
    {"id": "1", "type": TYPES[0], "inwardIssue": {"key": "BETA-7"}},
    {"id": "2", "type": TYPES[0], "outwardIssue": {"key": "GAMMA-1"}},
    {"id": "3", "type": TYPES[0], "inwardIssue": {"key": "BETA-10"}},
    {"id": "4", "type": TYPES[1], "outwardIssue": {"key": "DELTA-2"}},
]


def test_only_the_links_of_the_side_are_the_fields_value():
    types, _ = _types()
    blocked_by = linked(ISSUELINKS, types.side("is blocked by"))
    assert [(x.key, x.link_id) for x in blocked_by] == [("BETA-7", "1"), ("BETA-10", "3")]
    assert keys_text([x.key for x in blocked_by]) == "BETA-7, BETA-10"  # numeric order
    assert [x.key for x in linked(ISSUELINKS, types.side("blocks"))] == ["GAMMA-1"]
    assert [x.key for x in linked(ISSUELINKS, types.side("relates to"))] == ["DELTA-2"]
    assert keys_text([]) is None


def test_a_cell_lists_issue_keys_and_nothing_else():
    assert parse_keys("beta-7; BETA-10,BETA-7", "depends_on") == ["BETA-7", "BETA-10"]
    assert parse_keys(None, "depends_on") == []
    with pytest.raises(ValueError, match="'Vendor' is not a Jira issue key"):
        parse_keys("BETA-7, Vendor", "depends_on")


def _mapping(field: str) -> str:
    return f"""
name = "t"
[[entity]]
type = "dependency"
excel = {{sheet = "Dependencies"}}
jira = {{issue_type = "Dependency"}}
field = [
  {{name = "summary", excel = "Dependency", jira = "summary"}},
  {field},
]
"""


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ('{name = "depends_on", excel = "On", jira = "issuelinks"}', 'needs link = "..."'),
        ('{name = "depends_on", excel = "On", jira = "summary", link = "blocks"}', "needs jira"),
        (
            '{name = "depends_on", excel = "On", jira = "labels", create_missing = true}',
            "create_missing applies to",
        ),
    ],
)
def test_a_link_or_create_missing_in_the_wrong_place_is_refused(field, message):
    from mappings.errors import MappingFileError

    with pytest.raises(MappingFileError, match=message):
        parse_mapping(_mapping(field), "t.toml")


def test_a_link_field_loads():
    spec = parse_mapping(
        _mapping(
            '{name = "depends_on", excel = "On", jira = "issuelinks", link = "is blocked by"}'
        ),
        "t.toml",
    )
    assert spec.entity("dependency").field("depends_on").link == "is blocked by"
