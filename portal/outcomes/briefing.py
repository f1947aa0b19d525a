"""The "You said, we did" briefing as a Word document for team meetings, in the
house style (portal/documents.py), from a published (frozen) version."""

from __future__ import annotations

from typing import Any

from portal import documents
from portal.board import changes
from portal.board.quarters import Quarter
from portal.export_formats import xml_safe
from portal.timefmt import local_date


def to_docx(content: dict[str, Any], letterhead: documents.Letterhead) -> bytes:
    document = documents.word_document(letterhead)
    document.add_paragraph(xml_safe(letterhead.marking)).runs[0].bold = True
    document.add_heading(xml_safe(letterhead.title), level=0)
    document.add_paragraph(xml_safe(letterhead.council))
    progress = Quarter.parse(content["progress_quarter"]).label
    published, due = local_date(content["published_on"]), content["next_update_on"]
    document.add_paragraph(
        f"Published {published}. Progress is as the Health and Wellbeing Board saw "
        f"it for {progress}. The next update is due by {local_date(due)}."
    )
    document.add_paragraph(
        f"What staff said is shown only where at least {content['minimum']} items "
        "of approved input stand behind it, so nobody can be identified."
    )
    documents.contents(document, [a["title"] for a in content["areas"]])
    for area in content["areas"]:
        document.add_page_break()  # type: ignore[no-untyped-call]
        document.add_heading(xml_safe(area["title"]), level=1)
        for rec in area["recommendations"]:
            document.add_heading(xml_safe(f"{rec['code']}: {rec['text']}"), level=2)
            said = rec["said"]
            document.add_heading("You said", level=3)
            if said["total"] is None:
                document.add_paragraph(
                    "Too few items of input yet to show without identifying anyone."
                )
            else:
                themes = "; ".join(f"{name} ({n})" for name, n in said["themes"])
                document.add_paragraph(
                    xml_safe(f"{said['total']} items of approved input."
                             + (f" Themes: {themes}." if themes else ""))
                )  # fmt: skip
                for quote in said["quotes"]:
                    document.add_paragraph(xml_safe(f"“{quote}”"), style="Quote")
            document.add_heading("We are doing", level=3)
            if not rec["actions"]:
                document.add_paragraph("No action is in the plan yet.")
            for action in rec["actions"]:
                document.add_paragraph(
                    xml_safe(f"{action['action']} Lead: {action['lead_officer']}; "
                             f"by {local_date(action['target_date'])}. Progress: "
                             f"{changes.rag_label(action['rag'])}, "
                             f"{action['percent_complete']}% complete."),
                    style="List Bullet",
                )  # fmt: skip
            document.add_paragraph(f"Sign-off: {changes.phase_label(rec['phase'])}.")
    return documents.word_bytes(document)
