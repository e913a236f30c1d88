"""Issue type changes by PUT, comment visibility per user, rendered HTML; both modes."""

from __future__ import annotations

from typing import Any

import pytest
from jira import JIRAError

from sandbox.testing import call, make_jira

INVALID_TYPE = "The issue type selected is invalid."
DEVS = {"type": "role", "value": "Developers"}
ADMINS = {"type": "group", "value": "jira-administrators"}


def _search(server: Any, jql: str, user: str = "api", **params: Any) -> list[dict[str, Any]]:
    path = "search/jql" if server.mode == "cloud" else "search"
    params = {"fields": "key", **params}
    r = call(server, "GET", path, api="2", user=user, params={"jql": jql, **params})
    assert r.status_code == 200, r.text
    return r.json()["issues"]


# -- issue type change ------------------------------------------------------------------------
def test_changing_the_type_where_workflows_agree(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    issue = jira.issue("ALPHA-18")  # a Story in To Do; Task uses the same workflow
    before = issue.fields.updated
    issue.update(fields={"issuetype": {"name": "Task"}})
    again = jira.issue("ALPHA-18", expand="changelog")
    assert again.fields.issuetype.name == "Task" and again.fields.status.name == "To Do"
    assert again.fields.updated > before
    item = again.changelog.histories[-1].items[-1]
    types = {t.name: t.id for t in jira.issue_types()}
    assert (item.field, item.fromString, item.toString) == ("issuetype", "Story", "Task")
    assert (getattr(item, "from"), item.to) == (types["Story"], types["Task"])
    # Search sees the new type at once, under its name and its id.
    assert [i["key"] for i in _search(sandbox_any, "project = ALPHA AND issuetype = Task")] == [
        "ALPHA-18"
    ]
    assert "ALPHA-18" not in {
        i["key"] for i in _search(sandbox_any, "project = ALPHA AND issuetype = Story")
    }
    r = call(
        sandbox_any, "PUT", "issue/ALPHA-18", json={"fields": {"issuetype": {"id": types["Story"]}}}
    )
    assert r.status_code == 204 and jira.issue("ALPHA-18").fields.issuetype.name == "Story"


def test_a_type_change_can_come_with_other_fields(sandbox_any: Any) -> None:
    body = {"fields": {"issuetype": {"name": "Action"}, "summary": "now an action"}}
    r = call(sandbox_any, "PUT", "issue/BETA-12", api="2", json=body)  # a Dependency in To Do
    assert r.status_code == 204, r.text
    f = call(sandbox_any, "GET", "issue/BETA-12", api="2").json()["fields"]
    assert (f["issuetype"]["name"], f["summary"]) == ("Action", "now an action")


def test_setting_the_same_type_changes_nothing(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    history = len(jira.issue("ALPHA-1", expand="changelog").changelog.histories)
    r = call(sandbox_any, "PUT", "issue/ALPHA-1", json={"fields": {"issuetype": {"name": "Risk"}}})
    assert r.status_code == 204
    assert len(jira.issue("ALPHA-1", expand="changelog").changelog.histories) == history


@pytest.mark.parametrize(
    ("key", "target", "why"),
    [
        ("ALPHA-18", "Risk", "the Risk workflow has no To Do"),
        ("ALPHA-1", "Task", "Mitigating is not in the Task workflow"),
        ("ALPHA-6", "Risk", "Submitted is not in the Risk workflow"),
        ("ALPHA-18", "Epic", "a story cannot become an epic in place"),
        ("ALPHA-15", "Story", "nor an epic a story"),
        ("ALPHA-18", "No Such Type", "unknown type"),
    ],
)
def test_changes_that_need_a_migration_are_refused(
    sandbox_any: Any, key: str, target: str, why: str
) -> None:
    jira = make_jira(sandbox_any)
    before = jira.issue(key)
    with pytest.raises(JIRAError) as err:
        before.update(fields={"issuetype": {"name": target}, "summary": "not applied"})
    assert err.value.status_code == 400, why
    assert err.value.response.json() == {"errorMessages": [], "errors": {"issuetype": INVALID_TYPE}}
    after = jira.issue(key)
    assert after.fields.issuetype.name == before.fields.issuetype.name
    assert (after.fields.summary, after.fields.updated) == (
        before.fields.summary,
        before.fields.updated,
    )


def test_the_viewer_cannot_change_a_type(sandbox_any: Any) -> None:
    r = call(
        sandbox_any,
        "PUT",
        "issue/ALPHA-18",
        user="viewer",
        json={"fields": {"issuetype": {"name": "Task"}}},
    )
    assert r.status_code == 400 and "permission" in r.json()["errorMessages"][0]
    assert make_jira(sandbox_any).issue("ALPHA-18").fields.issuetype.name == "Story"


# -- comment visibility -----------------------------------------------------------------------
def _restricted_comments(server: Any) -> dict[str, str]:
    jira = make_jira(server)
    return {
        "devs": jira.add_comment("ALPHA-3", "developers only", visibility=DEVS).id,
        "admins": jira.add_comment("ALPHA-3", "admins only", visibility=ADMINS).id,
        "public": jira.add_comment("ALPHA-3", "everyone").id,
    }


def test_restricted_comments_keep_their_visibility(sandbox_any: Any) -> None:
    ids = _restricted_comments(sandbox_any)
    jira = make_jira(sandbox_any)
    got = {c.id: c.raw.get("visibility") for c in jira.comments("ALPHA-3")}
    assert got[ids["devs"]] == DEVS and got[ids["admins"]] == ADMINS
    assert got[ids["public"]] is None
    assert jira.comment("ALPHA-3", ids["devs"]).visibility.value == "Developers"
    v3 = call(sandbox_any, "GET", f"issue/ALPHA-3/comment/{ids['devs']}").json()
    assert v3["visibility"] == DEVS


def test_the_viewer_does_not_see_comments_restricted_to_others(sandbox_any: Any) -> None:
    ids = _restricted_comments(sandbox_any)
    viewer = make_jira(sandbox_any, user="viewer")
    assert [c.body for c in viewer.comments("ALPHA-3")] == ["everyone"]
    page = call(sandbox_any, "GET", "issue/ALPHA-3/comment", api="2", user="viewer").json()
    assert page["total"] == 1
    embedded = viewer.issue("ALPHA-3").fields.comment
    assert embedded.total == 1 and [c.id for c in embedded.comments] == [ids["public"]]
    for cid in (ids["devs"], ids["admins"]):
        r = call(sandbox_any, "GET", f"issue/ALPHA-3/comment/{cid}", user="viewer")
        assert r.status_code == 404, r.text
    [hit] = _search(sandbox_any, "key = ALPHA-3", user="viewer", fields="comment")
    assert hit["fields"]["comment"]["total"] == 1
    rendered = call(
        sandbox_any,
        "GET",
        "issue/ALPHA-3",
        api="2",
        user="viewer",
        params={"expand": "renderedFields", "fields": "comment"},
    ).json()["renderedFields"]["comment"]
    assert [c["id"] for c in rendered["comments"]] == [ids["public"]]
    # The API user (a Developer and an administrator) sees all three.
    assert make_jira(sandbox_any).issue("ALPHA-3").fields.comment.total == 3


def test_a_comment_can_be_restricted_and_opened_again_by_edit(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    viewer = make_jira(sandbox_any, user="viewer")
    comment = jira.add_comment("ALPHA-5", "open at first")
    assert [c.id for c in viewer.comments("ALPHA-5")] == [comment.id]
    r = call(
        sandbox_any,
        "PUT",
        f"issue/ALPHA-5/comment/{comment.id}",
        api="2",
        json={"body": "now for developers", "visibility": DEVS},
    )
    assert r.status_code == 200 and r.json()["visibility"] == DEVS
    assert viewer.comments("ALPHA-5") == []
    r = call(
        sandbox_any,
        "PUT",
        f"issue/ALPHA-5/comment/{comment.id}",
        api="2",
        json={"body": "still restricted"},
    )
    assert r.json()["visibility"] == DEVS  # leaving visibility out keeps it
    r = call(
        sandbox_any,
        "PUT",
        f"issue/ALPHA-5/comment/{comment.id}",
        api="2",
        json={"body": "open again", "visibility": None},
    )
    assert "visibility" not in r.json()
    assert [c.body for c in viewer.comments("ALPHA-5")] == ["open again"]


def test_restricted_worklogs_are_hidden_the_same_way(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    hidden = jira.add_worklog("ALPHA-3", timeSpent="1h", visibility=DEVS)
    shown = jira.add_worklog("ALPHA-3", timeSpent="2h")
    viewer = make_jira(sandbox_any, user="viewer")
    assert [w.id for w in viewer.worklogs("ALPHA-3")] == [shown.id]
    assert viewer.issue("ALPHA-3").fields.worklog.total == 1
    r = call(sandbox_any, "GET", f"issue/ALPHA-3/worklog/{hidden.id}", user="viewer")
    assert r.status_code == 404
    assert [w.id for w in jira.worklogs("ALPHA-3")] == [hidden.id, shown.id]


# -- rendered HTML ----------------------------------------------------------------------------
HOSTILE = "<script>alert('x')</script> & <b>bold?</b>"


def test_rendered_fields_escape_markup_in_text(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    jira.issue("ALPHA-3").update(summary=HOSTILE, description=f"Plan *firm* {HOSTILE}")
    issue = jira.issue("ALPHA-3", expand="renderedFields")
    assert issue.fields.summary == HOSTILE  # plain JSON text, returned as stored
    html = issue.renderedFields.description
    assert "<script>" not in html and "<b>bold?</b>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html and "&lt;b&gt;bold?&lt;/b&gt;" in html
    assert html.startswith("<p>") and "<b>firm</b>" in html  # wiki bold is real markup
    v3 = call(sandbox_any, "GET", "issue/ALPHA-3", params={"expand": "renderedFields"}).json()
    assert v3["renderedFields"]["description"] == html  # the same HTML from v3


def test_rendered_fields_only_render_rich_text(sandbox_any: Any) -> None:
    r = call(sandbox_any, "GET", "issue/ALPHA-3", api="2", params={"expand": "renderedFields"})
    rendered = r.json()["renderedFields"]
    plain = r.json()["fields"]
    assert "renderedFields" not in call(sandbox_any, "GET", "issue/ALPHA-3", api="2").json()
    assert rendered.get("summary") is None and rendered.get("labels") is None
    fields = {f["name"]: f["id"] for f in make_jira(sandbox_any).fields()}
    mitigation = fields["Mitigation"]
    assert plain[mitigation] == "Negotiated a *fixed price* for year one."  # seeded wiki
    assert rendered[mitigation] == "<p>Negotiated a <b>fixed price</b> for year one.</p>"


def test_rendered_comment_bodies(sandbox_any: Any) -> None:
    jira = make_jira(sandbox_any)
    jira.add_comment("ALPHA-3", f"Note: {HOSTILE}")
    [raw] = [c for c in jira.comments("ALPHA-3") if c.body.startswith("Note:")]
    assert raw.body == f"Note: {HOSTILE}"
    [c] = [c for c in jira.comments("ALPHA-3", expand="renderedBody") if c.id == raw.id]
    assert c.renderedBody.startswith("<p>Note: &lt;script&gt;")
    assert "<script>" not in c.renderedBody
    one = jira.comment("ALPHA-3", raw.id, expand="renderedBody")
    assert one.renderedBody == c.renderedBody
    assert not hasattr(jira.comment("ALPHA-3", raw.id), "renderedBody")
    page = call(
        sandbox_any,
        "GET",
        "issue/ALPHA-3",
        params={"expand": "renderedFields", "fields": "comment"},
    ).json()["renderedFields"]["comment"]
    [rendered] = [x for x in page["comments"] if x["id"] == raw.id]
    assert rendered["body"] == c.renderedBody


def test_rendered_html_shapes(sandbox_any: Any) -> None:
    wiki = "h2. Plan\n* one\n* two\n\n||a||b||\n|1|2|\n\n{code}x < y{code}\n[site|https://e.example/?a=1&b=2]"
    make_jira(sandbox_any).issue("ALPHA-3").update(description=wiki)
    r = call(sandbox_any, "GET", "issue/ALPHA-3", api="2", params={"expand": "renderedFields"})
    html = r.json()["renderedFields"]["description"]
    assert "<h2>Plan</h2>" in html
    assert '<ul class="alternate" type="disc"><li>one</li><li>two</li></ul>' in html
    assert "<th class='confluenceTh'>a</th>" in html and "<td class='confluenceTd'>1</td>" in html
    assert '<pre class="code-java">x &lt; y</pre>' in html
    assert 'href="https://e.example/?a=1&amp;b=2"' in html
