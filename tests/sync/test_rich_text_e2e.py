"""Rich text end to end: Jira's wiki markup reaches the workbook as the text Jira shows,
an untouched description is never rewritten, and text typed in a cell reaches Jira so
that it renders as typed.

The sandbox stores rich text as ADF and serves it over API v2 as wiki markup (its own
converter, sandbox/richtext.py, shares no code with connectors/jira/wiki.py), so the
text of the ADF it stored is an independent oracle of what Jira renders.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.jira.transport import JiraHttp
from connectors.jira.wiki import to_plain

MAPPING = """
name = "rich"

[[entity]]
type = "risk"
excel = { sheet = "Risks" }
jira = { issue_type = "Risk" }
field = [
  { name = "summary", excel = "Risk", jira = "summary", required = true },
  { name = "description", excel = "Description", jira = "description" },
  { name = "probability", excel = "Probability", jira = "Probability", value_map = "probability" },
]
"""
MARKUP = "h2. Plan\n* *bold* step\n* [site|https://example.com]"
SHOWN = "Plan\n\n• bold step\n• site (https://example.com)"  # the sandbox adds the blank line


def _empty_tracker(path: Any) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Risks"
    sheet.append(["Jira Key", "Sync ID", "Risk", "Description", "Probability"])
    book.save(path)


@pytest.fixture
def puts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every PUT pmo-sync sends, with its body."""
    sent: list[tuple[str, Any]] = []
    real = JiraHttp.put

    def recording(self: JiraHttp, path: str, body: Any, **kwargs: Any) -> Any:
        sent.append((path, body))
        return real(self, path, body, **kwargs)

    monkeypatch.setattr(JiraHttp, "put", recording)
    return sent


def _raw(world: Any, key: str) -> Any:
    """The description as Jira serves it over REST v2, read with the `jira` client."""
    from sandbox.testing import make_jira

    return make_jira(world.server).issue(key, fields="description").raw["fields"]["description"]


def _stored(world: Any, key: str) -> str:
    """The description as the sandbox stores it (ADF), serialised for byte comparison."""
    return json.dumps(world.server.store.get(key).fields.get("description"), sort_keys=True)


def _rendered(world: Any, key: str) -> str:
    """The text Jira renders for the description: the sandbox's own reading of its ADF."""
    from sandbox.richtext import plain_text

    return plain_text(world.server.store.get(key).fields.get("description"))


def _cell(world: Any, key: str) -> Any:
    """The Description cell as python-calamine (no pmo-sync code) reads it."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(world.workbook)).get_sheet_by_name("Risks").to_python()
    return next(row[3] for row in rows[1:] if row[0] == key)


def _carrying_description(puts: list[tuple[str, Any]], key: str) -> list[Any]:
    return [b for p, b in puts if p.endswith(key) and "description" in b.get("fields", {})]


def test_rich_text_round_trip(mapped_world: Any, puts: list[tuple[str, Any]]) -> None:
    with mapped_world(MAPPING, _empty_tracker, name="risks.xlsx") as world:
        assert world.cycle().outcome == "ok"
        key = world.rows("risk").rows[0].record.key
        world.server.store.human_edit(key, {"description": MARKUP})
        raw_before, stored_before = _raw(world, key), _stored(world, key)

        # Jira -> Excel: the cell holds the text Jira shows, not the markup.
        first = world.cycle()
        assert first.outcome == "ok", first.all_errors
        assert _cell(world, key) == to_plain(raw_before) == SHOWN

        # Another field edited in Excel: the description is not rewritten, nor sent.
        probability = world.row("risk", key).record.probability
        world.edit_row("risk", key, probability=1 if probability != 1 else 2)
        puts.clear()
        edited = world.cycle()
        assert edited.outcome == "ok", edited.all_errors
        assert any(p.endswith(key) for p, _ in puts)  # the probability went out
        assert _carrying_description(puts, key) == []
        assert _raw(world, key) == raw_before and _stored(world, key) == stored_before
        assert world.cycle().counts == {}

        # A markup-only change in Jira (bold added): the text is the same, nothing flaps.
        world.server.store.human_edit(key, {"description": MARKUP.replace("Plan", "*Plan*")})
        marked = _stored(world, key)
        assert marked != stored_before
        puts.clear()
        quiet = world.cycle()
        assert quiet.outcome == "ok", quiet.all_errors
        assert puts == [] and _stored(world, key) == marked
        assert _cell(world, key) == SHOWN
        assert world.cycle().counts == {}

        # Excel -> Jira: typed text with markup characters renders exactly as typed.
        typed = "Use *stars* and [brackets]"
        world.edit_row("risk", key, description=typed)
        sent = world.cycle()
        assert sent.outcome == "ok", sent.all_errors
        (body,) = _carrying_description(puts, key)
        assert body["fields"]["description"] == "Use \\*stars* and \\[brackets\\]"
        raw = _raw(world, key)
        assert to_plain(raw) == typed and "\\*" in raw and "\\[" in raw
        assert _rendered(world, key) == typed  # the sandbox's own renderer agrees
        assert _cell(world, key) == typed
        puts.clear()
        assert world.cycle().counts == {} and puts == []
