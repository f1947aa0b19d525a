"""Planners' narratives: a small, documented Markdown-style subset.

Planners type plain text with a few marks; it is stored as typed and converted to
HTML where it is shown or exported, then sanitised (portal/sanitise.py), so a
narrative can never carry markup of its own: anything that is not one of these
marks is shown exactly as typed, angle brackets included.

    **bold**              -> bold
    _emphasis_ or *this*  -> emphasis
    - item  (or * item)   -> a bulleted list, one item per line
    1. item               -> a numbered list
    [words](https://...)  -> a link (http, https or mailto only)
    a blank line          -> a new paragraph; a single line break is kept
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

from portal.sanitise import clean_html, cleaned_markup, plain_text

HINT = (
    "Formatting: **bold**, _emphasis_, a line starting with - for a bullet or 1. "
    "for a numbered list, and [link text](https://address) for a link. Leave a "
    "blank line between paragraphs. Anything else appears exactly as you type it."
)

_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(((?:https?://|mailto:)[^\s()<>\"]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# Emphasis marks only at word edges, so snake_case, emails and 2*3*4 stay as typed.
_EMPHASIS = re.compile(
    r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"
    r"|(?<![\w])_(?=\S)(.+?)(?<=\S)_(?!\w)"
)
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def narrative_html(source: str | None) -> str:
    """The stored narrative as sanitised HTML (empty if there is none)."""
    text = plain_text(source)
    if not text:
        return ""
    parts = [_block(block) for block in re.split(r"\n\s*\n", text) if block.strip()]
    return clean_html("".join(parts))


def narrative(source: str | None) -> Markup:
    """Template filter: a stored narrative, shown formatted."""
    return cleaned_markup(narrative_html(source))


def _block(block: str) -> str:
    """One paragraph's lines: runs of list items become lists, other runs a
    paragraph with line breaks."""
    out: list[str] = []
    run_kind, run = "", list[str]()
    for line in block.split("\n"):
        kind, content = _line_kind(line)
        if kind != run_kind and run:
            out.append(_run(run_kind, run))
            run = []
        run_kind = kind
        run.append(content)
    if run:
        out.append(_run(run_kind, run))
    return "".join(out)


def _line_kind(line: str) -> tuple[str, str]:
    for kind, pattern in (("ul", _BULLET), ("ol", _NUMBERED)):
        match = pattern.match(line)
        if match:
            return kind, match.group(1)
    return "p", line.strip()


def _run(kind: str, lines: list[str]) -> str:
    if kind == "p":
        return "<p>" + "<br>".join(_inline(line) for line in lines) + "</p>"
    items = "".join(f"<li>{_inline(line)}</li>" for line in lines)
    return f"<{kind}>{items}</{kind}>"


def _inline(text: str) -> str:
    """Escape everything, then turn the marks into tags. Links are set aside
    first so emphasis marks inside an address are left alone."""
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        label, address = match.group(1), match.group(2)
        words = _marks(html.escape(label, quote=False))
        links.append(f'<a href="{html.escape(address)}">{words}</a>')
        return f"\x00{len(links) - 1}\x00"

    text = _LINK.sub(keep_link, text.replace("\x00", ""))
    escaped = _marks(html.escape(text, quote=False))
    return _PLACEHOLDER.sub(lambda m: links[int(m.group(1))], escaped)


def _marks(escaped: str) -> str:
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    return _EMPHASIS.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", escaped)
