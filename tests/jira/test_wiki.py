"""Jira wiki markup <-> plain text (connectors/jira/wiki.py).

The property: whatever a person types in a cell, ``from_plain`` gives markup that reads
back (``to_plain``) as exactly that text, for every text hypothesis can build, markup
characters, line starts, backslashes and entities included. The examples pin how each
construct of Atlassian's notation reads, and that ordinary prose is sent unchanged.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connectors.jira.fields import JiraField
from connectors.jira.wiki import from_plain, is_rich_text, to_plain

SPECIAL = [
    *"*_-+^~?{}[]|!#.\\&;:/ \t\n\r",
    "h1.",
    "bq.",
    "* ",
    "# ",
    "- ",
    "----",
    "--",
    "\\\\",
    "&#92;",
    "&amp;",
    "{code}",
    "{noformat}",
    "{quote}",
    "{color:red}",
    "{{",
    "}}",
    "[~bob]",
    "[a|http://x]",
    "!a.png!",
    "??",
    "||",
    "\r\n",
    "\u00a0",
]
pieces = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(alphabet="ab1 ", min_size=1, max_size=3),
    st.characters(blacklist_categories=()),
)
texts = st.lists(pieces, max_size=30).map("".join)
PROFILE = settings(
    max_examples=int(os.environ.get("PMO_SYNC_WIKI_EXAMPLES", "3000")),
    derandomize=bool(os.environ.get("CI")),
)


@PROFILE
@given(text=texts)
@example(text="Use *stars* and [brackets]")
@example(text="\\\\*x*")
@example(text="???x")
@example(text="&#38;amp;")
@example(text="  * indented list?\n h2. no")
def test_any_text_reads_back_as_typed(text: str) -> None:
    assert to_plain(from_plain(text)) == text


@given(text=st.text())
def test_any_unicode_text_reads_back_as_typed(text: str) -> None:
    assert to_plain(from_plain(text)) == text


@pytest.mark.parametrize(
    "prose",
    [
        "Vendor delay pushes the data migration past the freeze window.",
        "Costs rose 2*3 = 6% (see ALPHA-12); a - b, C++ and cost_center stay.",
        "Really?? Done! Email pmo@example.com, https://example.com/a_b?x=1.",
        "Line one\nLine two\r\n\n  indented, trailing spaces  ",
        "Two words* and x_ closers: nothing opens before them.",
    ],
)
def test_prose_is_sent_unchanged(prose: str) -> None:
    assert from_plain(prose) == prose


@pytest.mark.parametrize(
    ("text", "markup"),
    [
        ("Use *stars* and [brackets]", "Use \\*stars* and \\[brackets\\]"),
        ("_not italic_", "\\_not italic_"),
        ("-not struck- +not under+ ^sup^ ~sub~", "\\-not struck- \\+not under+ \\^sup^ \\~sub~"),
        ("{code} {{x}}", "\\{code\\} \\{\\{x\\}\\}"),
        (
            "* not a bullet\n# not a number\n- nor this",
            "\\* not a bullet\n\\# not a number\n\\- nor this",
        ),
        ("h1. not a heading\nbq. nor a quote", "h1\\. not a heading\nbq\\. nor a quote"),
        ("|not|a table|", "\\|not|a table|"),
        ("----", "\\-\\-\\--"),
        ("a -- b", "a \\-- b"),
        ("!not-an-image.png!", "\\!not-an-image.png!"),
        ("??not cited??", "\\??not cited??"),
        ("C:\\path\\*x", "C:\\path&#92;\\*x"),
        ("C:\\path\\*", "C:\\path&#92;*"),
        ("a\\\\b", "a&#92;\\b"),
        ("R&D &amp; co", "R&D &#38;amp; co"),
    ],
)
def test_escapes_only_where_markup_would_start(text: str, markup: str) -> None:
    assert from_plain(text) == markup
    assert to_plain(markup) == text


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        (
            "*bold* _italic_ -strike- +under+ ^sup^ ~sub~ ??cite??",
            "bold italic strike under sup sub cite",
        ),
        ("{{monospace}} and {color:red}red{color}", "monospace and red"),
        ("*_both_*", "both"),
        ("[title|http://url.example]", "title (http://url.example)"),
        ("[http://url.example]", "http://url.example"),
        ("[mailto:a@b.example]", "a@b.example"),
        ("[~accountid:5b10a2844c20165700ede21g] and [~bob]", "5b10a2844c20165700ede21g and bob"),
        ("[^report.pdf] [#anchor] [ALPHA-1]", "report.pdf anchor ALPHA-1"),
        ("!diagram.png! !http://x.example/a/pic.jpg|thumbnail!", "diagram.png pic.jpg"),
        ("h1. Heading\nh6. Small", "Heading\nSmall"),
        ("bq. quoted", "quoted"),
        ("* one\n* two\n** nested\n- dash", "• one\n• two\n  • nested\n• dash"),
        (
            "# one\n# two\n## two.a\n# three\ntext\n# again",
            "1. one\n2. two\n  1. two.a\n3. three\ntext\n1. again",
        ),
        ("||Head||Other||\n|cell *b*|[l|http://u]|", "Head | Other\ncell b | l (http://u)"),
        ("{code:python}\nx = *1*  # [not a link]\n{code}", "x = *1*  # [not a link]"),
        (
            "Before\n{noformat}\n_raw_ \\\\ text\n{noformat}\nAfter",
            "Before\n_raw_ \\\\ text\nAfter",
        ),
        ("{quote}\nsaid *this*\n{quote}", "said this"),
        ("{panel:title=Note}\ninside{panel}", "inside"),
        ("first\\\\second", "first\nsecond"),
        ("\\*not bold\\* \\[x\\] \\{y\\}", "*not bold* [x] {y}"),
        ("a -- b --- c", "a \u2013 b \u2014 c"),
        ("ALPHA-1 2*3 a - b", "ALPHA-1 2*3 a - b"),
        ("----", "----"),
        ("&amp; &#169; &unknown;", "& \u00a9 &unknown;"),
        ("C:\\temp\\new", "C:\\temp\\new"),
        ("{code}unclosed *b*", "{code}unclosed b"),
    ],
)
def test_markup_reads_as_the_text_jira_shows(markup: str, plain: str) -> None:
    assert to_plain(markup) == plain


def test_the_e2e_description_reads_as_plain_lines() -> None:
    markup = "h2. Plan\n* *bold* step\n* [site|https://example.com]"
    assert to_plain(markup) == "Plan\n• bold step\n• site (https://example.com)"


def _field(fid: str, custom_type: str | None) -> JiraField:
    return JiraField(fid, fid, fid.startswith("customfield"), "string", None, custom_type)


@pytest.mark.parametrize(
    ("field", "rich"),
    [
        (_field("description", None), True),
        (_field("environment", None), True),
        (
            _field("customfield_1", "com.atlassian.jira.plugin.system.customfieldtypes:textarea"),
            True,
        ),
        (
            _field("customfield_2", "com.atlassian.jira.plugin.system.customfieldtypes:textfield"),
            False,
        ),
        (_field("summary", None), False),
        (_field("customfield_3", None), False),
    ],
)
def test_rich_text_is_description_environment_and_textareas(field: JiraField, rich: bool) -> None:
    assert is_rich_text(field) is rich


@PROFILE
@given(markup=texts)
def test_any_markup_reads_without_failing(markup: str) -> None:
    """Whatever a Jira field holds (hand-written, half-closed, odd) reads as some text."""
    assert isinstance(to_plain(markup), str)


TEXTAREA = "com.atlassian.jira.plugin.system.customfieldtypes:textarea"
TEXTFIELD = "com.atlassian.jira.plugin.system.customfieldtypes:textfield"


def _converter() -> Any:
    from connectors.jira.users import UserDirectory
    from connectors.jira.values import ValueConverter

    return ValueConverter(UserDirectory(None, "cloud"))  # type: ignore[arg-type]


@pytest.mark.parametrize("field", [_field("description", None), _field("customfield_9", TEXTAREA)])
def test_the_converter_reads_and_writes_rich_text_as_plain_text(field: JiraField) -> None:
    from mappings.mapping import FieldMapping

    conv, mapped = _converter(), FieldMapping(name="x", jira=field.id)
    assert (
        conv.from_jira(field, "*Vendor* [late|http://x]", mapped, None) == "Vendor late (http://x)"
    )
    assert conv.from_jira(field, "{color:red}{color}", mapped, None) is None
    assert conv.to_jira(field, "Use *stars*", mapped, None) == "Use \\*stars*"
    assert conv.to_jira(field, "", mapped, None) is None


def test_single_line_text_is_never_converted() -> None:
    from mappings.mapping import FieldMapping

    conv = _converter()
    for field in (_field("summary", None), _field("customfield_8", TEXTFIELD)):
        mapped = FieldMapping(name="x", jira=field.id)
        assert conv.from_jira(field, "*kept* [as is]", mapped, None) == "*kept* [as is]"
        assert conv.to_jira(field, "*kept* [as is]", mapped, None) == "*kept* [as is]"
