""" "You said, we did": per area and recommendation, what staff said (approved
themes and chosen quotes, with small groups suppressed), what the plan does about
it and how it is going (from the board's latest frozen quarter), and when the next
update is due. A planner publishes it once per frozen quarter; the publication is
JSON written once, and the database refuses to change it."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.audit.service import AuditAction, record
from portal.board import service as board
from portal.board.quarters import Quarter, in_order, today
from portal.errors import Conflict, InvalidInput, NotFound
from portal.models import Area, Recommendation, User, YouSaidPublication
from portal.summaries import service as summaries

Content = dict[str, Any]
QUOTES_SHOWN = 3


def _said(session: Session, rec: Recommendation, minimum: int) -> dict[str, Any]:
    """What staff said, or nothing at all below the minimum group size: a count,
    a theme or a quote from two people can point at them."""
    found = summaries.build(
        session,
        summaries.Subject("recommendation", rec.id, rec.code),
        [],
        count_minimum=minimum,
    )
    if found.total < minimum:
        return {"total": None, "themes": [], "quotes": []}
    return {
        "total": found.total,
        "themes": [[name, n] for name, n in found.related if n >= minimum],
        "quotes": found.quotes[:QUOTES_SHOWN],
    }


def build(session: Session, minimum: int) -> Content:
    """What would be published now."""
    frozen = board.snapshots(session)
    if not frozen:
        raise InvalidInput(
            "Freeze a quarter on the board first: the progress staff see is the "
            "board's frozen figures",
            field="next_update_on",
        )
    snapshot = frozen[-1]
    state = board.content_of(snapshot)
    progress = {rec["id"]: rec for rec in state["recommendations"]}
    areas = list(
        session.scalars(
            select(Area)
            .options(selectinload(Area.recommendations))
            .order_by(Area.inspection_id, Area.position)
        )
    )
    said: dict[int, dict[str, Any]] = {}

    def entry(rec: Recommendation) -> dict[str, Any]:
        if rec.id not in said:
            said[rec.id] = _said(session, rec, minimum)
        frozen_rec = progress.get(rec.id, {})
        return {
            "id": rec.id,
            "code": rec.code,
            "text": rec.text,
            "said": said[rec.id],
            "phase": frozen_rec.get("phase", 0),
            "actions": [
                {
                    key: a[key]
                    for key in (
                        "id",
                        "action",
                        "lead_officer",
                        "target_date",
                        "rag",
                        "percent_complete",
                    )
                }
                for a in frozen_rec.get("actions", [])
            ],  # fmt: skip
        }

    return {
        "progress_quarter": snapshot.quarter,
        "minimum": minimum,
        "areas": [
            {
                "id": area.id,
                "title": area.title,
                "recommendations": [
                    entry(r) for r in area.recommendations if r.retired_at is None
                ],
            }
            for area in areas
            if any(r.retired_at is None for r in area.recommendations)
        ],
    }


def publish(
    session: Session,
    actor: User,
    next_update_on: date | None,
    minimum: int,
) -> YouSaidPublication:
    if next_update_on is None or next_update_on <= today():
        raise InvalidInput(
            "Enter the date of the next update, in the future, like 31 3 2017",
            field="next_update_on",
        )
    content = build(session, minimum)
    quarter = content["progress_quarter"]
    if session.scalar(
        select(YouSaidPublication.id).where(YouSaidPublication.quarter == quarter)
    ):
        raise Conflict(
            f"{Quarter.parse(quarter).label} is already published: the next "
            "publication follows the board's next frozen quarter"
        )
    content["published_on"] = today().isoformat()
    content["next_update_on"] = next_update_on.isoformat()
    text = json.dumps(content, sort_keys=True, ensure_ascii=False)
    publication = YouSaidPublication(
        quarter=quarter,
        published_by_id=actor.id,
        next_update_on=next_update_on,
        content=text,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    session.add(publication)
    session.flush()
    record(session, actor, AuditAction.YOU_SAID_PUBLISHED, "publication",
           publication.id, after={"quarter": quarter,
                                  "sha256": publication.content_hash[:16]})  # fmt: skip
    return publication


def publications(session: Session) -> list[YouSaidPublication]:
    """Newest first."""
    return in_order(session.scalars(select(YouSaidPublication)), newest_first=True)


def get(session: Session, publication_id: int) -> YouSaidPublication:
    found = session.get(YouSaidPublication, publication_id)
    if found is None:
        raise NotFound("There is no such publication")
    return found


def default_next_update() -> date:
    """The end of next quarter: when the board's next figures are due."""
    return Quarter.containing(today()).next().last_day
