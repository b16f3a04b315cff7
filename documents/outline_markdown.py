"""Outline Markdown: normalizing it on save, rendering it as safe HTML, reading its section tree.

An outline is `# Document title`, then one ATX heading per section (`##` = level 1, `###` =
level 2 …) with the section's text under it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import nh3
from django.core.cache import caches
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

# A closing run of #s only counts after a space (CommonMark), so "C#" keeps its "#".
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f]")
_LINE_BREAKING = re.compile("[\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")


def normalize_markdown(text: str) -> str:
    """The Markdown as the user wrote it, less the characters no reader types.

    Nothing that looks like markup is removed: `List<String>`, `a<b>c`, autolinks and code
    spans are the user's words. Markup is neutralised where it is shown (render_markdown shows
    raw HTML as text and refuses links other than http, https and mailto).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Control characters go (a .docx cannot hold them: the export failed), and the ones Python
    # counts as line breaks become spaces (a vertical tab split a heading in two).
    return _LINE_BREAKING.sub(" ", _CONTROL.sub("", text))


def _safe_link(url: str) -> bool:
    lowered = url.strip().lower()
    # Relative links and anchors are harmless; anything with another scheme (javascript:,
    # data:, vbscript: …) is not, and such a link shows as the text it was typed as.
    return lowered.startswith(_SAFE_SCHEMES) or not _SCHEME.match(lowered)


def _image_as_link(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    # An outline shows no remote images (they would let an image host see who reads it): the
    # image is a link with its alt text, so no word of it is lost.
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or token.attrGet("src")
    return f'<a href="{escapeHtml(str(token.attrGet("src")))}">{escapeHtml(alt)}</a>'


def _title(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    # An outline's "# title" sits in a page whose own <h1> names the document: one <h1> per page,
    # so the title is a level-2 heading that looks like a title (styles.css: .md-title).
    token = tokens[idx]
    if token.tag != "h1":
        return self.renderToken(tokens, idx, options, env)
    return '<div role="heading" aria-level="2" class="md-title">' if token.nesting == 1 else "</div>\n"


# CommonMark (linear time: markdown-it's parsers never rescan, unlike Python-Markdown's link
# pattern, 11 s on 12 KB of "![") with tables and strikethrough; raw HTML is text.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_MARKDOWN.validateLink = _safe_link
_MARKDOWN.add_render_rule("image", _image_as_link)
_MARKDOWN.add_render_rule("heading_open", _title)
_MARKDOWN.add_render_rule("heading_close", _title)
_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "strong", "em", "s", "code", "pre",
    "blockquote", "a", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
# Rendering a short text is quicker than a cache round trip.
_CACHE_FROM_CHARS = 1_000


def render_markdown(text: str) -> str:
    """Outline Markdown as HTML safe to put in a page.

    Raw HTML shows as the text it was typed as; links go only to http, https and mailto (or are
    relative). nh3 then allows only the tags above, a second wall should the first ever fail.
    """
    if len(text) < _CACHE_FROM_CHARS:
        return _render(text)
    key = "md:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    cache = caches["markdown"]
    html = cache.get(key)
    if html is None:
        html = _render(text)
        cache.set(key, html)
    return html


def _render(text: str) -> str:
    return nh3.clean(
        _MARKDOWN.render(text),
        tags=_TAGS | {"div"},
        attributes={"a": {"href"}, "div": {"role", "aria-level", "class"}},
        url_schemes={"http", "https", "mailto"},
    )


def markdown_plain(text: str) -> str:
    """One line of inline Markdown as the plain text a reader sees (for the .docx export):
    emphasis and code marks go, a link is "text (url)", an image its alt text."""
    out: list[str] = []
    links: list[tuple[str, int]] = []  # an open link's target and where its text starts
    for block in _MARKDOWN.parseInline(text):
        for token in block.children or []:
            if token.type in ("text", "code_inline", "text_special"):
                out.append(token.content)
            elif token.type in ("softbreak", "hardbreak"):
                out.append(" ")
            elif token.type == "image":
                out.append("".join(child.content for child in token.children or []))
            elif token.type == "link_open":
                links.append((str(token.attrGet("href")), len(out)))
            elif token.type == "link_close" and links:
                href, start = links.pop()
                label = "".join(out[start:])
                del out[start:]
                # An autolink's text is its address already.
                out.append(label if href.removeprefix("mailto:") == label else f"{label} ({href})")
    return "".join(out)


# What makes Markdown of plain text: emphasis, code, HTML, entities, tables, a heading's closing
# run of #s. A title from a document is text, so each of these is escaped where it enters an
# outline ("poi__stress008" showed as a bold "stress008"), and unescaped where a heading is read.
# Not brackets: the streaming pane's renderer reads "\[" as the start of a LaTeX block (a bracket
# alone is text in Markdown anyway; a whole "[text](url)" in a title stays a link).
_SIGNIFICANT = re.compile(r"([\\`*_<>~&|#])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def markdown_text(text: str) -> str:
    """Plain text (a document's title, a section's heading) as Markdown that shows exactly it."""
    # One line (a heading cannot hold a line break); other spacing stays, so the title read back
    # is the document's own, which is how sections are matched (revisions, sources, regenerate).
    return _SIGNIFICANT.sub(r"\\\1", re.sub(r"[\r\n]+", " ", text))


def heading(level: int, title: str) -> str:
    """An outline heading: `#` for the title (level 0), `##` for a level-1 section, and so on."""
    return f"{'#' * min(level + 1, 6)} {markdown_text(title)}\n\n"


def _headings(lines: list[str]) -> list[tuple[int, int, str, bool]]:
    """(line number, level, heading, is_title) for each ATX heading outside code fences; the
    first `#` heading before any other is the document title, the rest are sections."""
    found: list[tuple[int, int, str, bool]] = []
    in_fence = False
    for number, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match is None:
            continue
        hashes, text = match.groups()
        is_title = len(hashes) == 1 and not found
        found.append((number, max(len(hashes) - 1, 1), _ESCAPED.sub(r"\1", text), is_title))
    return found


def parse_sections(markdown: str) -> tuple[str | None, list[dict[str, Any]]]:
    """(document title, sections) where each section is {"level", "title", "text"}.

    The first `#` heading is the title; `##`… headings are sections at level (hashes - 1).
    """
    lines = markdown.splitlines()
    headings = _headings(lines)
    title = headings[0][2] if headings and headings[0][3] else None
    starts = [h for h in headings if not h[3]]
    sections = []
    for position, (number, level, heading, _) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        sections.append(
            {"level": level, "title": heading, "text": "\n".join(lines[number + 1 : end]).strip()}
        )
    return title, sections


def attach_source_indexes(sections: list[dict[str, Any]], structure_sections: list[dict[str, Any]]) -> None:
    """Give each outline section the `source_index` of the document section it came from,
    matching titles in order (renamed or added sections get None)."""
    remaining = list(structure_sections)
    for section in sections:
        match = next((s for s in remaining if s.get("title") == section["title"]), None)
        section["source_index"] = match.get("source_index") if match else None
        if match is not None:
            remaining = remaining[remaining.index(match) + 1 :]


def replace_section_text(markdown: str, index: int, text: str) -> str:
    """The outline with the body of section `index` (0-based, in parse_sections order) replaced."""
    lines = markdown.splitlines()
    heading_lines = [number for number, _, _, is_title in _headings(lines) if not is_title]
    if not 0 <= index < len(heading_lines):
        raise IndexError(index)
    start = heading_lines[index] + 1
    end = heading_lines[index + 1] if index + 1 < len(heading_lines) else len(lines)
    body = ["", text.strip(), ""] if text.strip() else [""]
    return "\n".join(lines[:start] + body + lines[end:]).rstrip("\n") + "\n"


def build_markdown(title: str, sections: list[dict[str, Any]]) -> str:
    parts = [heading(0, title)]
    for section in sections:
        parts.append(heading(section["level"], section["title"]))
        if section.get("text", "").strip():
            parts.append(section["text"].strip() + "\n\n")
    return "".join(parts)


def _title_opcodes(old_titles: list[str], new_titles: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes turning one sequence of section titles into another.

    The common head and tail are matched in linear time; the matcher (quadratic on repeated
    titles: 26 s for 12,000 equal headings) only sees what lies between, and MAX_SECTIONS bounds
    that (0.3 s at 2,000 equal titles changed at both ends).
    """
    import difflib

    head = 0
    while head < min(len(old_titles), len(new_titles)) and old_titles[head] == new_titles[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(old_titles), len(new_titles)) - head and old_titles[-1 - tail] == new_titles[-1 - tail]
    ):
        tail += 1
    matcher = difflib.SequenceMatcher(
        a=old_titles[head : len(old_titles) - tail],
        b=new_titles[head : len(new_titles) - tail],
        autojunk=False,
    )
    opcodes = [
        (op, a1 + head, a2 + head, b1 + head, b2 + head) for op, a1, a2, b1, b2 in matcher.get_opcodes()
    ]
    if head:
        opcodes.insert(0, ("equal", 0, head, 0, head))
    if tail:
        opcodes.append(
            ("equal", len(old_titles) - tail, len(old_titles), len(new_titles) - tail, len(new_titles))
        )
    return opcodes


def locate_section(old_markdown: str, index: int, new_markdown: str) -> int | None:
    """Where section `index` of `old_markdown` is in `new_markdown`: a section is the same one
    when its title lines up in the two sequences of titles (sections inserted, removed or moved
    around it shift its index, not its identity). None when it was removed or renamed."""
    old_titles = [s["title"] for s in parse_sections(old_markdown)[1]]
    new_titles = [s["title"] for s in parse_sections(new_markdown)[1]]
    if not 0 <= index < len(old_titles):
        return None
    for op, a1, a2, b1, _b2 in _title_opcodes(old_titles, new_titles):
        if op == "equal" and a1 <= index < a2:
            return b1 + index - a1
    return None


def diff_structures(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """How a revised document's sections compare with the previous revision's, in the new order
    (removed ones where they were): [{"title", "level", "status": added|removed|changed|unchanged}]."""
    opcodes = _title_opcodes([s["title"] for s in old], [s["title"] for s in new])
    result: list[dict[str, Any]] = []
    for op, a1, a2, b1, b2 in opcodes:
        if op == "equal":
            for before, after in zip(old[a1:a2], new[b1:b2], strict=True):
                same = (before.get("text") or "") == (after.get("text") or "") and before["level"] == after[
                    "level"
                ]
                status = "unchanged" if same else "changed"
                result.append({"title": after["title"], "level": after["level"], "status": status})
        else:
            result.extend({"title": s["title"], "level": s["level"], "status": "removed"} for s in old[a1:a2])
            result.extend({"title": s["title"], "level": s["level"], "status": "added"} for s in new[b1:b2])
    return result


def rebase_outline(markdown: str, diff: list[dict[str, Any]]) -> str:
    """The outline re-shaped to a revised document: the user's text is kept for every section
    that is still there (their edits survive), added sections come in empty (to generate),
    removed ones go."""
    title, sections = parse_sections(markdown)
    texts: dict[str, list[str]] = {}
    for section in sections:
        texts.setdefault(section["title"], []).append(section["text"])
    rebased = []
    for entry in diff:
        if entry["status"] == "removed":
            continue
        kept = texts.get(entry["title"])
        rebased.append(
            {"level": entry["level"], "title": entry["title"], "text": kept.pop(0) if kept else ""}
        )
    return build_markdown(title or "", rebased)


# ----------------------------------------------------------------------------- three-way merge


def _blocks(markdown: str) -> tuple[str, list[tuple[str, str]]]:
    """(head, [(key, block)]): the head is everything before the first section heading (the
    title and any text under it); each block is a section, its heading line included. A key is
    the heading line with its occurrence ("## 总则#2" for the second one), so equal titles stay
    apart and a changed level or title is another section."""
    lines = normalize_markdown(markdown).splitlines()
    starts = [number for number, _, _, is_title in _headings(lines) if not is_title]
    head = "\n".join(lines[: starts[0]] if starts else lines).strip()
    seen: dict[str, int] = {}
    blocks = []
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        line = lines[start].strip()
        seen[line] = seen.get(line, 0) + 1
        blocks.append((f"{line}#{seen[line]}", "\n".join(lines[start:end]).strip()))
    return head, blocks


def _join(head: str, blocks: list[str]) -> str:
    return "\n\n".join(part for part in [head, *blocks] if part) + "\n"


def _title_of(key: str) -> str:
    match = _HEADING.match(key.rsplit("#", 1)[0])
    return _ESCAPED.sub(r"\1", match.group(2)) if match else key


def merge_outlines(base: str, mine: str, theirs: str) -> dict[str, Any]:
    """Three-way merge of two edits of one outline, section by section, against the version both
    started from: a section only one side changed (or added, or removed) takes that side's
    change; one both changed differently is a conflict, merged as `mine` until the user chooses.

    Returns {"markdown": merged, "conflicts": [{"key", "title", "mine", "theirs", "mine_removed",
    "theirs_removed"}] (the two texts without their heading line),
    "changes": [{"title", "by": "mine"|"theirs", "status": "changed"|"added"|"removed"}]}.
    Sections are in `theirs`' order, with the ones only `mine` added after the section they
    follow there. Linear in the texts' length (dictionaries by key; no pairwise matching)."""
    base_head, base_list = _blocks(base)
    mine_head, mine_list = _blocks(mine)
    theirs_head, theirs_list = _blocks(theirs)
    base_blocks, mine_blocks, theirs_blocks = dict(base_list), dict(mine_list), dict(theirs_list)
    conflicts: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []

    def pick(key: str, b: str | None, m: str | None, t: str | None) -> str | None:
        if m == t:
            return m
        if m == b:  # only they changed it (or removed it)
            changes.append({"title": _title_of(key), "by": "theirs", "status": _status(b, t)})
            return t
        if t == b:  # only I did
            changes.append({"title": _title_of(key), "by": "mine", "status": _status(b, m)})
            return m
        conflicts.append(
            {"key": key, "title": _title_of(key) if key else "", "mine": _body(key, m),
             "theirs": _body(key, t), "mine_removed": m is None, "theirs_removed": t is None}
        )  # fmt: skip
        return m  # the editor holds this side's text (or its removal) until the user chooses

    head = pick("", base_head, mine_head, theirs_head) or ""
    merged: dict[str, str | None] = {}
    for key, _block in theirs_list:
        merged[key] = pick(key, base_blocks.get(key), mine_blocks.get(key), theirs_blocks[key])
    order = [key for key, _ in theirs_list]
    # Sections that only I have (added, or kept where they removed them): after the section they
    # follow in my text, or first.
    placed = set(order)
    after: str | None = None
    insert_at: dict[str | None, list[str]] = {}
    for key, _block in mine_list:
        if key in placed:
            after = key
            continue
        merged[key] = pick(key, base_blocks.get(key), mine_blocks[key], None)
        insert_at.setdefault(after, []).append(key)
        after = key
        placed.add(key)
    final = insert_at.get(None, [])
    for key in order:
        final.append(key)
        final.extend(insert_at.get(key, []))
    blocks = [text for key in final if (text := merged.get(key))]
    return {"markdown": _join(head, blocks), "conflicts": conflicts, "changes": changes}


def _body(key: str, block: str | None) -> str:
    """A section's text without its heading line (the head as it is), for showing side by side."""
    if not block or not key:
        return block or ""
    return block.partition("\n")[2].strip()


def _status(before: str | None, after: str | None) -> str:
    return "added" if before is None else "removed" if after is None else "changed"


def take_theirs(markdown: str, theirs: str, keys: set[str]) -> str:
    """`markdown` with the sections named by `keys` (merge_outlines' conflict keys; "" is the
    head) as they are in `theirs`: the user's answers to the conflicts. A key `theirs` lacks
    removes the section (they removed it)."""
    head, blocks = _blocks(markdown)
    theirs_head, theirs_list = _blocks(theirs)
    theirs_blocks = dict(theirs_list)
    if "" in keys:
        head = theirs_head
    merged = {key: theirs_blocks.get(key, "") if key in keys else block for key, block in blocks}
    # A section this side removed and the user wants back: after the section it follows in theirs.
    present = set(merged)
    inserts: dict[str | None, list[str]] = {}
    previous: str | None = None
    for key, block in theirs_list:
        if key in keys and key not in present:
            inserts.setdefault(previous, []).append(key)
            merged[key] = block
        elif key in present:
            previous = key
    order = inserts.get(None, [])
    for key, _block in blocks:
        order.append(key)
        order.extend(inserts.get(key, []))
    return _join(head, [merged[key] for key in order if merged[key]])
