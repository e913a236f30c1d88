"""Rich text: Jira wiki markup (REST v2) <-> Atlassian Document Format (REST v3).

The sandbox stores rich text once, as ADF, and converts at the edge: v2 reads and writes wiki
markup, v3 reads and writes ADF, exactly as Jira Cloud presents one stored value both ways.
Supported: paragraphs, line breaks, headings, bold, italic, strikethrough, inline code, links,
bullet and numbered lists (nested), tables, code blocks, block quotes and rules. The conversion is
designed so wiki -> ADF -> wiki and ADF -> wiki -> ADF are stable for this subset.
"""

from __future__ import annotations

import json
import re
from typing import Any

Node = dict[str, Any]

_MARK_RANK = {"link": 0, "strong": 1, "em": 2, "strike": 3, "code": 4}

_SPECIAL = "*_-{}[]|"
_WIKI_BREAK = "\\\\"  # a forced line break in wiki markup: two backslashes
_INLINE = re.compile(
    r"(?P<br>\\\\)"
    r"|(?P<esc>\\(?P<esc_c>[*_\-{}\[\]|#.]))"
    r"|(?P<code>\{\{(?P<code_t>.+?)\}\})"
    r"|(?P<link>\[(?P<link_t>(?:\\.|[^\]|\\])*)\|(?P<link_u>[^\]]+)\])"
    r"|(?P<bare>\[(?P<bare_u>(?:https?|mailto|ftp):[^\]\s|]+)\])"
    r"|(?P<strong>(?<![\w*\\])\*(?=\S)(?P<strong_t>.+?)(?<=\S)(?<!\\)\*(?![\w*]))"
    r"|(?P<em>(?<![\w_\\])_(?=\S)(?P<em_t>.+?)(?<=\S)(?<!\\)_(?![\w_]))"
    r"|(?P<strike>(?<![\w\-\\])-(?=[^\s-])(?P<strike_t>.+?)(?<=[^\s-])(?<!\\)-(?![\w-]))"
)
_LIST_LINE = re.compile(r"^([*#]+|-)\s+(.*)$")
_HEADING = re.compile(r"^h([1-6])\.\s+(.*)$")
_CODE_OPEN = re.compile(r"^\{code(?::([^}]*))?\}(.*)$")
_QUOTE = "{quote}"


def empty_doc() -> Node:
    """An ADF document with no content."""
    return {"type": "doc", "version": 1, "content": []}


def is_adf(value: Any) -> bool:
    """True if ``value`` looks like an ADF document."""
    return isinstance(value, dict) and value.get("type") == "doc" and "content" in value


# ---------------------------------------------------------------------------------------
# wiki -> ADF
# ---------------------------------------------------------------------------------------
def wiki_to_adf(text: str | None) -> Node | None:
    """Convert a wiki-markup string to an ADF document (None for empty input)."""
    if text is None or text.strip() == "":
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return {"type": "doc", "version": 1, "content": _blocks(lines)}


def _blocks(lines: list[str]) -> list[Node]:
    out: list[Node] = []
    para: list[str] = []
    i = 0

    def flush() -> None:
        if para:
            out.append(_paragraph("\n".join(para)))
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        code = _CODE_OPEN.match(stripped)
        if code:
            flush()
            body: list[str] = []
            rest = code.group(2)
            if rest.endswith("{code}"):
                body.append(rest[: -len("{code}")])
                i += 1
            else:
                if rest:
                    body.append(rest)
                i += 1
                while i < len(lines) and not lines[i].rstrip().endswith("{code}"):
                    body.append(lines[i])
                    i += 1
                if i < len(lines):
                    last = lines[i].rstrip()[: -len("{code}")]
                    if last:
                        body.append(last)
                    i += 1
            node: Node = {"type": "codeBlock", "content": []}
            if code.group(1):
                node["attrs"] = {"language": code.group(1)}
            joined = "\n".join(body)
            if joined:
                node["content"] = [{"type": "text", "text": joined}]
            out.append(node)
            continue
        if stripped.startswith(_QUOTE):
            flush()
            inner: list[str] = []
            first = stripped[len(_QUOTE) :]
            i += 1
            if first.endswith(_QUOTE):
                inner.append(first[: -len(_QUOTE)])
            else:
                if first:
                    inner.append(first)
                while i < len(lines) and not lines[i].rstrip().endswith(_QUOTE):
                    inner.append(lines[i])
                    i += 1
                if i < len(lines):
                    last = lines[i].rstrip()[: -len(_QUOTE)]
                    if last:
                        inner.append(last)
                    i += 1
            out.append({"type": "blockquote", "content": _blocks(inner) or [_paragraph("")]})
            continue
        if stripped == "":
            flush()
            i += 1
            continue
        if stripped == "----":
            flush()
            out.append({"type": "rule"})
            i += 1
            continue
        heading = _HEADING.match(stripped)
        if heading:
            flush()
            out.append(
                {
                    "type": "heading",
                    "attrs": {"level": int(heading.group(1))},
                    "content": _inline(heading.group(2)),
                }
            )
            i += 1
            continue
        if stripped.startswith("|"):
            flush()
            rows: list[str] = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i].strip())
                i += 1
            out.append(_table(rows))
            continue
        if _LIST_LINE.match(stripped):
            flush()
            items: list[tuple[str, str]] = []
            while i < len(lines):
                m = _LIST_LINE.match(lines[i].strip())
                if not m:
                    break
                marker = "*" if m.group(1) == "-" else m.group(1)
                items.append((marker, m.group(2)))
                i += 1
            out.extend(_lists(items, 0))
            continue
        para.append(line)
        i += 1
    flush()
    return out


def _table(rows: list[str]) -> Node:
    """``||head||head||`` / ``|cell|cell|`` lines as an ADF table."""
    table_rows = []
    for row in rows:
        cells = []
        for header, text in _cells(row):
            cell_type = "tableHeader" if header else "tableCell"
            cells.append({"type": cell_type, "attrs": {}, "content": [_paragraph(text)]})
        table_rows.append({"type": "tableRow", "content": cells})
    return {
        "type": "table",
        "attrs": {"isNumberColumnEnabled": False, "layout": "default"},
        "content": table_rows,
    }


def _cells(row: str) -> list[tuple[bool, str]]:
    """Split a table row into (is header, text) cells, ignoring pipes in links and escapes."""
    cells: list[tuple[bool, str]] = []
    i, depth = 0, 0
    header, buf = False, []
    started = False
    while i < len(row):
        c = row[i]
        if c == "\\" and i + 1 < len(row):
            buf.append(row[i : i + 2])
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        elif c == "|" and depth == 0:
            if started:
                cells.append((header, "".join(buf).strip()))
            header = row.startswith("||", i)
            i += 2 if header else 1
            buf, started = [], True
            continue
        buf.append(c)
        i += 1
    if started and "".join(buf).strip():
        cells.append((header, "".join(buf).strip()))
    return cells


def _lists(items: list[tuple[str, str]], depth: int) -> list[Node]:
    """Build (nested) lists from ``(marker, text)`` pairs whose markers are >= depth+1 long."""
    out: list[Node] = []
    i = 0
    while i < len(items):
        marker, _ = items[i]
        kind = "orderedList" if marker[depth] == "#" else "bulletList"
        lst: Node = {"type": kind, "content": []}
        if kind == "orderedList":
            lst["attrs"] = {"order": 1}
        while i < len(items) and items[i][0][depth] == marker[depth]:
            m, text = items[i]
            if len(m) == depth + 1:
                lst["content"].append({"type": "listItem", "content": [_paragraph(text)]})
                i += 1
                continue
            j = i
            while j < len(items) and len(items[j][0]) > depth + 1:
                j += 1
            nested = _lists(items[i:j], depth + 1)
            if not lst["content"]:
                lst["content"].append({"type": "listItem", "content": [_paragraph("")]})
            lst["content"][-1]["content"].extend(nested)
            i = j
        out.append(lst)
    return out


def _paragraph(text: str) -> Node:
    content = _inline(text)
    node: Node = {"type": "paragraph", "content": content}
    return node


def _inline(text: str, marks: list[Node] | None = None) -> list[Node]:
    marks = marks or []
    out: list[Node] = []
    for line_no, line in enumerate(text.split("\n")):
        if line_no:
            out.append({"type": "hardBreak"})
        out.extend(_inline_line(line, marks))
    return _merge_text(out)


def _inline_line(text: str, marks: list[Node]) -> list[Node]:
    out: list[Node] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append(_text(text[pos : m.start()], marks))
        kind = m.lastgroup
        if m.group("code"):
            out.append(_text(m.group("code_t"), [*marks, {"type": "code"}]))
        elif m.group("link"):
            label = m.group("link_t") or m.group("link_u")
            link = {"type": "link", "attrs": {"href": m.group("link_u").strip()}}
            out.extend(_inline_line(label, [*marks, link]))
        elif m.group("bare"):
            url = m.group("bare_u")
            out.append(_text(url, [*marks, {"type": "link", "attrs": {"href": url}}]))
        elif m.group("strong"):
            out.extend(_inline_line(m.group("strong_t"), [*marks, {"type": "strong"}]))
        elif m.group("em"):
            out.extend(_inline_line(m.group("em_t"), [*marks, {"type": "em"}]))
        elif m.group("strike"):
            out.extend(_inline_line(m.group("strike_t"), [*marks, {"type": "strike"}]))
        elif m.group("br"):
            out.append({"type": "hardBreak"})
        elif m.group("esc"):
            out.append(_text(m.group("esc_c"), marks))
        else:  # pragma: no cover - every alternative is named above
            raise AssertionError(kind)
        pos = m.end()
    if pos < len(text):
        out.append(_text(text[pos:], marks))
    return out


def _text(text: str, marks: list[Node]) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = sorted(marks, key=lambda mk: _MARK_RANK.get(mk["type"], 9))
    return node


def _merge_text(nodes: list[Node]) -> list[Node]:
    """Join neighbouring text nodes that carry the same marks."""
    out: list[Node] = []
    for n in nodes:
        if n["type"] == "text" and n["text"] == "":
            continue
        if (
            out
            and n["type"] == "text"
            and out[-1]["type"] == "text"
            and out[-1].get("marks") == n.get("marks")
        ):
            out[-1] = {**out[-1], "text": out[-1]["text"] + n["text"]}
            continue
        out.append(n)
    return out


# ---------------------------------------------------------------------------------------
# ADF -> wiki
# ---------------------------------------------------------------------------------------
def adf_to_wiki(doc: Node | None) -> str | None:
    """Convert an ADF document to wiki markup (None for None)."""
    if doc is None:
        return None
    blocks = [b for b in (_block_wiki(n) for n in doc.get("content", [])) if b is not None]
    return "\n\n".join(blocks)


def _block_wiki(node: Node, list_prefix: str = "") -> str | None:
    t = node.get("type")
    content = node.get("content", [])
    if t == "paragraph":
        return "\n".join(_guard_line(line) for line in _inline_wiki(content).split("\n"))
    if t == "heading":
        return f"h{node.get('attrs', {}).get('level', 1)}. {_inline_wiki(content)}"
    if t in ("bulletList", "orderedList"):
        return "\n".join(_list_wiki(node, list_prefix))
    if t == "codeBlock":
        lang = node.get("attrs", {}).get("language")
        head = f"{{code:{lang}}}" if lang else "{code}"
        body = "".join(c.get("text", "") for c in content)
        return f"{head}\n{body}\n{{code}}"
    if t == "blockquote":
        inner = "\n\n".join(b for b in (_block_wiki(c) for c in content) if b is not None)
        return f"{_QUOTE}\n{inner}\n{_QUOTE}"
    if t == "rule":
        return "----"
    if t == "table":
        return "\n".join(_row_wiki(row) for row in content)
    text = plain_text({"type": "doc", "content": [node]})
    return text or None


def _list_wiki(node: Node, prefix: str) -> list[str]:
    marker = prefix + ("#" if node["type"] == "orderedList" else "*")
    lines: list[str] = []
    for item in node.get("content", []):
        texts: list[str] = []
        nested: list[str] = []
        for child in item.get("content", []):
            if child.get("type") in ("bulletList", "orderedList"):
                nested.extend(_list_wiki(child, marker))
            else:
                block = _block_wiki(child)
                if block is not None:
                    texts.append(block.replace("\n", "\\\\"))
        lines.append(f"{marker} {' '.join(texts)}".rstrip() if texts or not nested else marker)
        lines.extend(nested)
    return lines


_BLOCK_START = re.compile(r"^(?:[*#]+\s|-\s|h[1-6]\.\s|\||----\s*$)")


def _guard_line(line: str) -> str:
    """Escape a paragraph line that would otherwise read as a list, heading, table or rule."""
    body = line.lstrip()
    if not _BLOCK_START.match(body):
        return line
    indent = line[: len(line) - len(body)]
    if body[0] in "h":
        return f"{indent}{body[:2]}\\{body[2:]}"
    return f"{indent}\\{body}"


def _row_wiki(row: Node) -> str:
    parts: list[str] = []
    last = "|"
    for cell in row.get("content", []):
        last = "||" if cell.get("type") == "tableHeader" else "|"
        texts = [
            _inline_wiki(p.get("content", []), in_table=True)
            for p in cell.get("content", [])
            if p.get("type") == "paragraph"
        ]
        parts.append(last + (_WIKI_BREAK.join(texts) or " "))
    return "".join(parts) + last


def _inline_wiki(nodes: list[Node], in_table: bool = False) -> str:
    parts: list[str] = []
    for n in _merge_text(list(nodes)):
        t = n.get("type")
        if t == "hardBreak":
            parts.append(_WIKI_BREAK if in_table else "\n")
        elif t == "text":
            parts.append(_marked(n["text"], n.get("marks", []), in_table))
        elif t == "mention":
            parts.append(n.get("attrs", {}).get("text", ""))
        elif t == "emoji":
            parts.append(n.get("attrs", {}).get("text", n.get("attrs", {}).get("shortName", "")))
        elif t == "inlineCard":
            url = n.get("attrs", {}).get("url", "")
            parts.append(f"[{url}]")
        else:
            parts.append(plain_text({"type": "doc", "content": [n]}))
    return "".join(parts)


def _escape(text: str) -> str:
    """Backslash-escape the characters that could start or end markup, wherever they stand.

    ``{ } [ ]`` always (code and links need no word boundary). ``* _ -`` only where they
    could open (no word character before, text after) or close (text before, no word
    character after) a span, so ``ALPHA-1``, ``cost_center`` and ``a - b`` stay readable.
    """
    out: list[str] = []
    for i, c in enumerate(text):
        if c in "{}[]":
            out.append("\\" + c)
            continue
        if c in "*_-":
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            opens = not before.isalnum() and not after.isspace()
            closes = not before.isspace() and not after.isalnum()
            if opens or closes:
                out.append("\\" + c)
                continue
        out.append(c)
    return "".join(out)


def _marked(text: str, marks: list[Node], in_table: bool = False) -> str:
    kinds = {m["type"]: m for m in marks}
    if "code" in kinds:
        out = f"{{{{{text}}}}}"
    else:
        out = _escape(text)
        if in_table:
            out = out.replace("|", "\\|")
        if "strike" in kinds:
            out = f"-{out}-"
        if "em" in kinds:
            out = f"_{out}_"
        if "strong" in kinds:
            out = f"*{out}*"
    if "link" in kinds:
        href = kinds["link"].get("attrs", {}).get("href", "")
        label = out.replace("|", "\\|").replace("]", "\\]")
        out = f"[{href}]" if text == href and out == text else f"[{label}|{href}]"
    return out


def plain_text(doc: Node | None) -> str:
    """The bare text of an ADF document, used for JQL ``~`` matching and sorting."""
    if doc is None:
        return ""
    parts: list[str] = []

    def walk(n: Node) -> None:
        if n.get("type") == "text":
            parts.append(n.get("text", ""))
        elif n.get("type") == "hardBreak":
            parts.append("\n")
        for c in n.get("content", []) or []:
            walk(c)
        if n.get("type") in ("paragraph", "heading", "listItem", "codeBlock"):
            parts.append("\n")

    walk(doc)
    return "".join(parts).strip()


def normalise_adf(doc: Node | None) -> Node | None:
    """Canonical form of an ADF document (mark order, merged text) for comparisons."""
    if doc is None:
        return None

    def norm(n: Node) -> Node:
        out = {k: v for k, v in n.items() if k != "content"}
        if "marks" in out:
            out["marks"] = sorted(out["marks"], key=lambda mk: _MARK_RANK.get(mk["type"], 9))
        if "content" in n:
            children = [norm(c) for c in n["content"]]
            out["content"] = _merge_text(children)
        return out

    return json.loads(json.dumps(norm(doc)))
