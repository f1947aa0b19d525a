"""The seminar pack: one section per recommendation, built from the same summaries
as the screen (so the two can never disagree), written as Word, Markdown or a
print-ready page. User text is escaped for each format; breakdowns are suppressed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser

from docx.document import Document as DocxDocument
from docx.shared import Mm, Pt
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import charts, documents
from portal.export_formats import xml_safe
from portal.formatting import narrative_html
from portal.models import EngagementRound, Recommendation
from portal.summaries import service
from portal.summaries.suppression import Breakdown

# Only what would change the meaning in CommonMark: inline markers anywhere, and
# block markers (#, >, -, +, "1.") at the start of a line.
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#>+\-]|\d+[.)])(?=\s|$)")


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


def to_docx(pack: Pack, marking: str) -> bytes:
    """Cover, a one-page overview with coverage by recommendation, one section per
    recommendation with input, and a closing page listing those without."""
    letterhead = documents.Letterhead(
        council=pack.council,
        marking=marking,
        title=f"{pack.title}: improvement-planning seminar pack",
        subject="Staff input on the Ofsted areas for improvement",
    )
    document = documents.word_document(letterhead)
    with_input = [s for s in pack.sections if s.total]
    without = [s for s in pack.sections if not s.total]
    _cover(document, pack, marking)
    documents.contents(
        document,
        ["Overview", *(s.subject.title for s in with_input),
         "Recommendations with no input yet"],
    )  # fmt: skip
    document.add_page_break()  # type: ignore[no-untyped-call]
    _overview(document, pack, with_input)
    for section in with_input:
        document.add_page_break()  # type: ignore[no-untyped-call]
        _section(document, section, pack.minimum)
    document.add_page_break()  # type: ignore[no-untyped-call]
    document.add_heading("Recommendations with no input yet", level=1)
    if without:
        document.add_paragraph(
            "No approved staff input is tagged to these yet, so they have no section:"
        )
        for section in without:
            document.add_paragraph(xml_safe(section.subject.title), style="List Bullet")
    else:
        document.add_paragraph("Every recommendation has staff input.")
    return documents.word_bytes(document)


def _cover(document: DocxDocument, pack: Pack, marking: str) -> None:
    document.add_paragraph(xml_safe(marking)).runs[0].bold = True
    document.add_heading(xml_safe(pack.title), level=0)
    document.add_paragraph("Improvement-planning seminar pack")
    document.add_paragraph(xml_safe(pack.council))
    document.add_paragraph(f"{pack.made_on:%-d %B %Y}")
    document.add_paragraph(xml_safe("Rounds: " + ("; ".join(pack.rounds) or "all")))
    document.add_paragraph(
        "Only approved input is counted; breakdowns of fewer than "
        f"{pack.minimum} items are not shown, so nobody can be identified."
    )


def _overview(
    document: DocxDocument, pack: Pack, with_input: list[service.Summary]
) -> None:
    document.add_heading("Overview", level=1)
    total = sum(s.total for s in pack.sections)
    document.add_paragraph(
        f"{len(with_input)} of {len(pack.sections)} recommendations have staff input."
        f" Items are counted once per recommendation they are tagged to ({total} in"
        " all)."
    )
    grid = documents.table(document, ["Code", "Recommendation", "Items"])
    for section in pack.sections:
        code, _, text = section.subject.title.partition(": ")
        cells = grid.add_row().cells
        cells[0].text, cells[2].text = xml_safe(code), str(section.total)
        cells[1].text = xml_safe(text if len(text) <= 70 else text[:69] + "…")
    documents.size_columns(grid, [Mm(28), Mm(112), Mm(30)], Pt(9))
    coverage = [(s.subject.title.split(":")[0], s.total) for s in pack.sections]
    most = max(pack.sections, key=lambda s: s.total, default=None)
    documents.chart(
        document,
        charts.bar_chart(coverage),
        "Bar chart of approved items per recommendation, the same figures as the "
        "table above"
        + (f"; most input is on {most.subject.title.split(':')[0]} ({most.total})."
           if most and most.total else "."),
        width_mm=110,  # with the table, the overview stays on one page
    )  # fmt: skip


def _section(document: DocxDocument, section: service.Summary, minimum: int) -> None:
    document.add_heading(xml_safe(section.subject.title), level=1)
    document.add_paragraph(xml_safe(_counts(section)))
    document.add_heading("How much improving this would help", level=2)
    grid = documents.table(document, ["Rating", *(str(p) for p in range(1, 6))])
    cells = grid.add_row().cells
    cells[0].text = "Items"
    for p in range(1, 6):
        cells[p].text = str(section.priorities.get(p, 0))
    documents.chart(
        document, charts.bar_chart(section.rating_rows), section.rating_summary
    )
    document.add_paragraph(xml_safe(section.rating_summary))
    _docx_part(document, "Key messages", blocks(narrative_html(section.key_messages)))
    _docx_part(document, "Quotes", [("quote", q) for q in section.quotes])
    _docx_part(
        document,
        "Phrases that recur in suggestions for change",
        [("li", f"{p.text} ({p.items} items)") for p in section.recurring_phrases],
    )
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
            [("li", line) for line in _breakdown_lines(breakdown, minimum)],
        )
    _docx_part(
        document, "Questions for discussion", blocks(narrative_html(section.questions))
    )


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
    """User text as literal Markdown, one line: escaped only where CommonMark
    would read it as markup, so it still reads as plain text."""
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", " ".join(text.split()))
    return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


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
    with_input = [s for s in pack.sections if s.total]
    lines += [f"{n}. {_md(s.subject.title)}" for n, s in enumerate(with_input, 1)]
    for section in with_input:
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
    without = [s for s in pack.sections if not s.total]
    lines += ["## Recommendations with no input yet", ""]
    lines += [f"- {_md(s.subject.title)}" for s in without] or ["None."]
    return "\n".join(lines) + "\n"
