"""Narratives stored as typed: the HTML saved by earlier versions becomes the
Markdown-style subset planners now type (portal/formatting.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:30:00
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Self-contained on purpose: a migration must not change when the app's code does.
_BLOCK_TAGS = {"p": "\n\n", "ul": "\n\n", "ol": "\n\n"}
_MARK = {"strong": "**", "b": "**", "em": "_", "i": "_"}


class _ToMarkdown(HTMLParser):
    """Earlier versions stored bleach-cleaned HTML with only p, br, strong, em, b,
    i, ul, ol, li and a[href]; each has a mark in the subset."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[int]] = []  # [counter] per open list; -1 = bullets
        self.href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _MARK:
            self.out.append(_MARK[tag])
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("ul", "ol"):
            self.out.append("\n\n")
            self.lists.append([0 if tag == "ol" else -1])
        elif tag == "li":
            counter = self.lists[-1] if self.lists else [-1]
            if counter[0] >= 0:
                counter[0] += 1
                self.out.append(f"\n{counter[0]}. ")
            else:
                self.out.append("\n- ")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.out.append("[")
        elif tag == "p":
            self.out.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _MARK:
            self.out.append(_MARK[tag])
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.out.append("\n\n")
        elif tag == "a":
            href = self.href.pop() if self.href else None
            self.out.append(f"]({href})" if href else "]")
        elif tag == "p":
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def to_markdown(stored: str) -> str:
    if "<" not in stored:
        return unescape(stored)
    parser = _ToMarkdown()
    parser.feed(stored)
    parser.close()
    text = "".join(parser.out)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub(r"\n(\n- |\n\d+\. )", r"\1", text)  # list items stay together
    text = re.sub(r"(\n- [^\n]*|\n\d+\. [^\n]*)\n\n(?=- |\d+\. )", r"\1\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def upgrade() -> None:
    notes = sa.table(
        "summary_notes",
        sa.column("id", sa.Integer),
        sa.column("key_messages", sa.Text),
        sa.column("questions", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(notes.c.id, notes.c.key_messages, notes.c.questions)
    ).all()
    for note_id, key_messages, questions in rows:
        connection.execute(
            notes.update()
            .where(notes.c.id == note_id)
            .values(
                key_messages=to_markdown(key_messages or ""),
                questions=to_markdown(questions or ""),
            )
        )


def downgrade() -> None:
    # The typed text is kept: an older version shows it as plain text, marks and
    # all, which loses nothing.
    pass
