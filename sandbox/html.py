"""Rendered HTML of rich text, as Jira returns it in ``renderedFields`` and ``renderedBody``.

Jira renders wiki markup to HTML for display (``<p>``, ``<b>``, ``<em>``, ``<del>``, ``<tt>``,
Confluence-style tables and code panels). The sandbox renders its stored ADF the same way,
escaping all text, so a client that shows or scrapes the HTML sees Jira's shapes.
"""

from __future__ import annotations

from html import escape
from typing import Any

Node = dict[str, Any]

_MARKS = {"strong": "b", "em": "em", "strike": "del", "code": "tt", "underline": "ins"}


def adf_to_html(doc: Node | None) -> str | None:
    """HTML for an ADF document (None for no document, "" for an empty one)."""
    if doc is None:
        return None
    return "\n".join(_block(n) for n in doc.get("content") or [] if isinstance(n, dict))


def _block(node: Node) -> str:
    kind = node.get("type")
    content = [n for n in node.get("content") or [] if isinstance(n, dict)]
    if kind == "paragraph":
        return f"<p>{_inline(content)}</p>"
    if kind == "heading":
        level = min(6, max(1, int((node.get("attrs") or {}).get("level", 1))))
        return f"<h{level}>{_inline(content)}</h{level}>"
    if kind in ("bulletList", "orderedList"):
        tag, cls = ("ul", "alternate") if kind == "bulletList" else ("ol", None)
        items = "".join(f"<li>{_list_item(i)}</li>" for i in content)
        attr = f' class="{cls}" type="disc"' if cls else ""
        return f"<{tag}{attr}>{items}</{tag}>"
    if kind == "codeBlock":
        code = escape("".join(str(n.get("text", "")) for n in content))
        return (
            '<div class="code panel" style="border-width: 1px;"><div class="codeContent '
            f'panelContent"><pre class="code-java">{code}</pre></div></div>'
        )
    if kind == "blockquote":
        return "<blockquote>" + "\n".join(_block(n) for n in content) + "</blockquote>"
    if kind == "rule":
        return "<hr />"
    if kind == "table":
        rows = "".join(_row(r) for r in content)
        table = f"<table class='confluenceTable'><tbody>{rows}</tbody></table>"
        return f"<div class='table-wrap'>{table}</div>"
    return _inline(content) if content else escape(str(node.get("text", "")))


def _list_item(item: Node) -> str:
    parts = []
    for child in item.get("content") or []:
        if child.get("type") == "paragraph":
            parts.append(_inline(child.get("content") or []))
        else:
            parts.append(_block(child))
    return "".join(parts)


def _row(row: Node) -> str:
    cells = []
    for cell in row.get("content") or []:
        tag = "th" if cell.get("type") == "tableHeader" else "td"
        cls = "confluenceTh" if tag == "th" else "confluenceTd"
        inner = " ".join(
            _inline(p.get("content") or []) if p.get("type") == "paragraph" else _block(p)
            for p in cell.get("content") or []
        )
        cells.append(f"<{tag} class='{cls}'>{inner}</{tag}>")
    return "<tr>" + "".join(cells) + "</tr>"


def _inline(nodes: list[Node]) -> str:
    out = []
    for n in nodes:
        if n.get("type") == "hardBreak":
            out.append("<br/>\n")
            continue
        text = escape(str(n.get("text", "")))
        for mark in reversed(n.get("marks") or []):
            kind = mark.get("type")
            if kind == "link":
                href = escape(str((mark.get("attrs") or {}).get("href", "")), quote=True)
                text = f'<a href="{href}" class="external-link" rel="nofollow">{text}</a>'
            elif kind in _MARKS:
                text = f"<{_MARKS[kind]}>{text}</{_MARKS[kind]}>"
        out.append(text)
    return "".join(out)


def rendered_fields(
    issue: Any, chosen: list[str], rendered: dict[str, Any], ctx: Any
) -> dict[str, Any]:
    """``renderedFields``: HTML for the chosen rich-text fields, comment bodies and worklog
    comments."""
    out: dict[str, Any] = {}
    for fid in chosen:
        fd = ctx.catalog.fields[fid]
        if fd.kind == "richtext":
            out[fid] = adf_to_html(issue.fields.get(fid))
        elif fd.kind == "comment" and isinstance(rendered.get(fid), dict):
            page = dict(rendered[fid])
            bodies = {c.id: c.body for c in issue.comments}
            page["comments"] = [
                {**c, "body": adf_to_html(bodies.get(c["id"])) or ""} for c in page["comments"]
            ]
            out[fid] = page
        elif fd.kind == "worklog" and isinstance(rendered.get(fid), dict):
            out[fid] = _rendered_worklogs(issue, rendered[fid])
    return out


def _rendered_worklogs(issue: Any, page: dict[str, Any]) -> dict[str, Any]:
    """The ``worklog`` page with each worklog's comment as HTML (worklogs without one keep
    having no ``comment``, as in ``fields``)."""
    comments = {r["id"]: r.get("comment") for r in issue.fields.get("worklog") or ()}
    shown = []
    for w in page["worklogs"]:
        w = dict(w)
        if "comment" in w:
            w["comment"] = adf_to_html(comments.get(w["id"])) or ""
        shown.append(w)
    return {**page, "worklogs": shown}
