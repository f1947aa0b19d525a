"""The seminar pack: one section per recommendation, built from the same summaries
as the screen (so the two can never disagree), written as Word, Markdown or a
print-ready page. User text is escaped for each format; breakdowns are suppressed."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Pt
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.export_formats import xml_safe
from portal.formatting import narrative_html
from portal.models import EngagementRound, Recommendation
from portal.summaries import service
from portal.summaries.suppression import Breakdown

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


@dataclass(frozen=True)
class Pack:
    title: str
    council: str
    made_on: date
    rounds: list[str]
    sections: list[service.Summary]
    minimum: int


def build_pack(
    session: Session, round_ids: list[int], *, council: str, minimum: int, today: date
) -> Pack:
    rounds = [
        r.title
        for r in session.scalars(
            select(EngagementRound).order_by(EngagementRound.opens_at)
        )
        if not round_ids or r.id in round_ids
    ]
    recommendations = session.scalars(
        select(Recommendation)
        .where(Recommendation.retired_at.is_(None))
        .order_by(Recommendation.inspection_id, Recommendation.position)
    )
    sections = [
        service.build(
            session,
            service.Subject("recommendation", rec.id, f"{rec.code}: {rec.text}"),
            round_ids,
            count_minimum=minimum,
        )
        for rec in recommendations
    ]
    return Pack(
        "What frontline staff told us", council, today, rounds, sections, minimum
    )


class _Blocks(HTMLParser):
    """Sanitised narrative HTML to (kind, text) blocks: "p" or "li"."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self._kind = "p"
        self._text: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            self.blocks.append((self._kind, text))
        self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "li", "br", "ul", "ol"):
            self._flush()
            self._kind = "li" if tag == "li" else "p"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li"):
            self._flush()
            self._kind = "p"

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def blocks(html: str) -> list[tuple[str, str]]:
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    parser._flush()
    return parser.blocks


def _counts(section: service.Summary) -> str:
    return (
        f"{section.total} approved items: {section.named} named, {section.anonymous} "
        f"anonymous, {section.facilitated} from staff sessions "
        f"({section.attendees} people attended)."
    )


def _breakdown_lines(breakdown: Breakdown | None, minimum: int) -> list[str]:
    if breakdown is None or breakdown.total == 0:
        return ["No approved input yet."]
    if breakdown.suppressed:
        return [f"Fewer than {minimum} items in all, so no breakdown is shown."]
    return [f"{c.label}: {c.shown(minimum)}" for c in breakdown.cells]


def to_docx(pack: Pack) -> bytes:
    document = Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(xml_safe(pack.title), level=0)
    document.add_paragraph(xml_safe(f"{pack.council} · {pack.made_on:%-d %B %Y}"))
    document.add_paragraph(xml_safe("Rounds: " + ("; ".join(pack.rounds) or "all")))
    document.add_heading("Contents", level=1)
    for section in pack.sections:
        document.add_paragraph(xml_safe(section.subject.title), style="List Number")
    for section in pack.sections:
        document.add_page_break()  # type: ignore[no-untyped-call]
        document.add_heading(xml_safe(section.subject.title), level=1)
        document.add_paragraph(xml_safe(_counts(section)))
        ratings = ", ".join(f"{p}: {section.priorities.get(p, 0)}" for p in range(1, 6))
        document.add_paragraph(
            f"How much improving this would help (1 to 5): {ratings}."
        )
        _docx_part(
            document, "Key messages", blocks(narrative_html(section.key_messages))
        )
        _docx_part(document, "Quotes", [("quote", q) for q in section.quotes])
        _docx_part(
            document,
            "Themes that recur",
            [("li", f"{name} ({n})") for name, n in section.related],
        )
        for caption, breakdown in (
            ("By team or service", section.teams),
            ("By role", section.roles),
        ):
            _docx_part(
                document,
                caption,
                [("li", line) for line in _breakdown_lines(breakdown, pack.minimum)],
            )
        _docx_part(
            document,
            "Questions for discussion",
            blocks(narrative_html(section.questions)),
        )
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _docx_part(
    document: DocxDocument, heading: str, items: list[tuple[str, str]]
) -> None:
    if not items:
        return
    document.add_heading(heading, level=2)
    for kind, text in items:
        if kind == "li":
            document.add_paragraph(xml_safe(text), style="List Bullet")
        elif kind == "quote":
            paragraph = document.add_paragraph(style="Quote")
            paragraph.add_run(xml_safe(f"“{text}”")).italic = True
        else:
            document.add_paragraph(xml_safe(text))


def _md(text: str) -> str:
    """User text as literal Markdown: specials escaped, one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def to_markdown(pack: Pack) -> str:
    lines = [
        f"# {_md(pack.title)}",
        "",
        f"{_md(pack.council)} · {pack.made_on:%-d %B %Y}",
        "",
        f"Rounds: {_md('; '.join(pack.rounds) or 'all')}",
        "",
        "## Contents",
        "",
    ]
    lines += [f"{n}. {_md(s.subject.title)}" for n, s in enumerate(pack.sections, 1)]
    for section in pack.sections:
        lines += ["", f"## {_md(section.subject.title)}", "", _md(_counts(section)), ""]
        for heading, items in (
            ("Key messages", blocks(narrative_html(section.key_messages))),
            ("Quotes", [("quote", q) for q in section.quotes]),
            ("Themes that recur", [("li", f"{n} ({c})") for n, c in section.related]),
            (
                "By team or service",
                [("li", x) for x in _breakdown_lines(section.teams, pack.minimum)],
            ),
            (
                "By role",
                [("li", x) for x in _breakdown_lines(section.roles, pack.minimum)],
            ),
            ("Questions for discussion", blocks(narrative_html(section.questions))),
        ):
            if not items:
                continue
            lines += [f"### {heading}", ""]
            for kind, text in items:
                prefix = {"li": "- ", "quote": "> "}.get(kind, "")
                lines.append(prefix + _md(text))
            lines.append("")
    return "\n".join(lines) + "\n"
