"""Framework rules: importing, viewing and editing inspections, areas for improvement
and recommendations. Recommendations are retired, never deleted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.audit.service import AuditAction, record, wording
from portal.errors import Conflict, InvalidInput, NotFound
from portal.framework.importer import MAX_EXAMPLE_LENGTH, MAX_EXAMPLES, FrameworkFile
from portal.models import Addressee, Area, Inspection, Recommendation, User, utcnow
from portal.sanitise import plain_text, single_line


@dataclass
class ImportSummary:
    inspection_created: bool = False
    areas_created: int = 0
    areas_updated: int = 0
    recommendations_created: int = 0
    recommendations_updated: int = 0

    @property
    def changed(self) -> bool:
        return any(
            (
                self.inspection_created,
                self.areas_created,
                self.areas_updated,
                self.recommendations_created,
                self.recommendations_updated,
            )
        )

    def describe(self) -> str:
        return (
            f"areas: {self.areas_created} added, {self.areas_updated} updated; "
            f"recommendations: {self.recommendations_created} added, "
            f"{self.recommendations_updated} updated"
        )


def _upsert_inspection(
    session: Session, framework: FrameworkFile, summary: ImportSummary
) -> Inspection:
    inspection = session.scalar(
        select(Inspection).where(Inspection.key == framework.inspection_key)
    )
    data = framework.inspection
    if data is None:
        if inspection is None:
            raise NotFound(
                f"There is no inspection with key '{framework.inspection_key}'"
            )
        return inspection
    if inspection is None:
        inspection = Inspection(key=data.key)
        session.add(inspection)
        summary.inspection_created = True
    for name in (
        "name",
        "local_authority",
        "judgement",
        "inspected_from",
        "inspected_to",
        "published_on",
        "source",
    ):
        setattr(inspection, name, getattr(data, name))
    session.flush()
    return inspection


def import_framework(
    session: Session, actor: User | None, framework: FrameworkFile
) -> ImportSummary:
    """Create or update by code; nothing absent from the file is removed. Running
    the same file twice changes nothing the second time."""
    summary = ImportSummary()
    inspection = _upsert_inspection(session, framework, summary)
    areas = {a.code: a for a in inspection.areas}
    for position, area_data in enumerate(framework.areas, 1):
        area = areas.get(area_data.code)
        values = (
            area_data.title,
            area_data.description,
            area_data.addressed_to,
            position,
            "\n".join(area_data.examples),
        )
        if area is None:
            area = Area(inspection=inspection, code=area_data.code)
            session.add(area)
            areas[area_data.code] = area
            summary.areas_created += 1
        elif (
            area.title,
            area.description,
            area.addressed_to,
            area.position,
            area.examples,
        ) != values:
            summary.areas_updated += 1
        (area.title, area.description, area.addressed_to, area.position,
         area.examples) = values  # fmt: skip
    missing = {c for r in framework.recommendations for c in r.areas} - set(areas)
    if missing:
        raise InvalidInput(
            "The framework file was not imported. Unknown area codes: "
            + ", ".join(sorted(missing))
        )
    existing = {r.code: r for r in inspection.recommendations}
    next_position = max((r.position for r in existing.values()), default=0)
    for data in framework.recommendations:
        rec = existing.get(data.code)
        linked = [areas[c] for c in data.areas]
        if rec is None:
            next_position += 1
            rec = Recommendation(
                inspection=inspection, code=data.code, position=next_position
            )
            session.add(rec)
            summary.recommendations_created += 1
        elif (
            rec.text,
            rec.addressed_to,
            rec.is_placeholder,
            {a.code for a in rec.areas},
        ) != (data.text, data.addressed_to, data.placeholder, set(data.areas)):
            summary.recommendations_updated += 1
        rec.text, rec.addressed_to = data.text, data.addressed_to
        rec.is_placeholder = data.placeholder
        rec.areas = linked
    session.flush()
    if summary.changed:
        record(
            session,
            actor,
            AuditAction.FRAMEWORK_IMPORTED,
            "inspection",
            inspection.id,
            after={"key": inspection.key, "summary": summary.describe()},
        )
    return summary


def list_inspections(session: Session) -> list[Inspection]:
    """Inspections with their areas and recommendations loaded for display."""
    return list(
        session.scalars(
            select(Inspection)
            .options(
                selectinload(Inspection.areas).selectinload(Area.recommendations),
                selectinload(Inspection.recommendations).selectinload(
                    Recommendation.areas
                ),
            )
            .order_by(Inspection.published_on.desc(), Inspection.id)
        )
    )


def get_area(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound("There is no such area for improvement")
    return area


def get_recommendation(session: Session, recommendation_id: int) -> Recommendation:
    rec = session.get(Recommendation, recommendation_id)
    if rec is None:
        raise NotFound("There is no such recommendation")
    return rec


def update_area(
    session: Session,
    actor: User,
    area: Area,
    *,
    title: str,
    description: str,
    about_management: bool = False,
    examples: str | None = None,
) -> None:
    """Reword an area, change its example comments, or mark it as about management
    (its anonymous input then goes only to independent moderators)."""
    title, description = single_line(title), plain_text(description)
    if not title:
        raise InvalidInput("Enter a title", field="title")
    lines = area.examples if examples is None else _example_lines(examples)
    before = {"title": wording(area.title),
              "description": wording(area.description),
              "examples": wording(area.examples),
              "about_management": area.about_management}  # fmt: skip
    after = {"title": wording(title), "description": wording(description),
             "examples": wording(lines),
             "about_management": about_management}  # fmt: skip
    if before == after:
        return
    area.title, area.description, area.examples = title, description, lines
    area.about_management = about_management
    session.flush()
    record(
        session,
        actor,
        AuditAction.AREA_UPDATED,
        "area",
        area.id,
        before=before,
        after=after,
    )


def _example_lines(text: str) -> str:
    """One example comment per line, each a short plain text."""
    lines = [single_line(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > MAX_EXAMPLES:
        raise InvalidInput(
            f"Enter at most {MAX_EXAMPLES} example comments", field="examples"
        )
    if any(len(line) > MAX_EXAMPLE_LENGTH for line in lines):
        raise InvalidInput(
            f"Each example comment must be {MAX_EXAMPLE_LENGTH} characters or fewer",
            field="examples",
        )
    return "\n".join(lines)


def _areas_for(
    session: Session, inspection_id: int, area_ids: Iterable[int]
) -> list[Area]:
    wanted = set(area_ids)
    if not wanted:
        raise InvalidInput("Select at least one area for improvement", field="area_ids")
    found = list(
        session.scalars(
            select(Area)
            .where(Area.id.in_(wanted), Area.inspection_id == inspection_id)
            .order_by(Area.position)
        )
    )
    if len(found) != len(wanted):
        raise InvalidInput("Select areas from this inspection", field="area_ids")
    return found


def _clean_recommendation(code: str, text: str, addressed_to: str) -> tuple[str, str]:
    code, text = single_line(code), plain_text(text)
    if not code:
        raise InvalidInput("Enter a code", field="code")
    if not text:
        raise InvalidInput("Enter the recommendation's text", field="text")
    if addressed_to not in {a.value for a in Addressee}:
        raise InvalidInput(
            "Select who the recommendation is addressed to", "addressed_to"
        )
    return code, text


def _code_taken(
    session: Session, inspection_id: int, code: str, except_id: int | None
) -> bool:
    query = select(Recommendation.id).where(
        Recommendation.inspection_id == inspection_id,
        func.lower(Recommendation.code) == code.lower(),
    )
    if except_id is not None:
        query = query.where(Recommendation.id != except_id)
    return session.scalar(query) is not None


def create_recommendation(
    session: Session,
    actor: User,
    inspection: Inspection,
    *,
    code: str,
    text: str,
    addressed_to: str,
    area_ids: Iterable[int],
    is_placeholder: bool = False,
) -> Recommendation:
    code, text = _clean_recommendation(code, text, addressed_to)
    if _code_taken(session, inspection.id, code, None):
        raise Conflict("A recommendation with this code already exists", field="code")
    position = session.scalar(
        select(func.coalesce(func.max(Recommendation.position), 0)).where(
            Recommendation.inspection_id == inspection.id
        )
    )
    rec = Recommendation(
        inspection=inspection,
        code=code,
        text=text,
        addressed_to=addressed_to,
        is_placeholder=is_placeholder,
        position=int(position or 0) + 1,
        areas=_areas_for(session, inspection.id, area_ids),
    )
    session.add(rec)
    session.flush()
    record(
        session,
        actor,
        AuditAction.RECOMMENDATION_CREATED,
        "recommendation",
        rec.id,
        after=_snapshot(rec),
    )
    return rec


def _snapshot(rec: Recommendation) -> dict[str, object]:
    return {
        "code": rec.code,
        "text": wording(rec.text),
        "addressed_to": rec.addressed_to,
        "placeholder": rec.is_placeholder,
        "areas": [a.code for a in rec.areas],
    }


def update_recommendation(
    session: Session,
    actor: User,
    rec: Recommendation,
    *,
    code: str,
    text: str,
    addressed_to: str,
    area_ids: Iterable[int],
    is_placeholder: bool,
) -> None:
    """Reword or relink. Rewording keeps the same row, so input tagged to it stays
    tagged to it."""
    code, text = _clean_recommendation(code, text, addressed_to)
    if _code_taken(session, rec.inspection_id, code, rec.id):
        raise Conflict("A recommendation with this code already exists", field="code")
    areas = _areas_for(session, rec.inspection_id, area_ids)
    before = _snapshot(rec)
    rec.code, rec.text, rec.addressed_to = code, text, addressed_to
    rec.is_placeholder = is_placeholder
    rec.areas = areas
    after = _snapshot(rec)
    if before == after:
        return
    session.flush()
    record(
        session,
        actor,
        AuditAction.RECOMMENDATION_UPDATED,
        "recommendation",
        rec.id,
        before=before,
        after=after,
    )


def set_retired(
    session: Session,
    actor: User,
    rec: Recommendation,
    *,
    retired: bool,
    reason: str = "",
) -> None:
    """Retire (hide from new tagging) or reinstate. Links are never removed."""
    if retired == (rec.retired_at is not None):
        return
    reason = single_line(reason)
    if retired and not reason:
        raise InvalidInput("Enter why the recommendation is being retired", "reason")
    rec.retired_at = utcnow() if retired else None
    # The reason is free text, so it lives on the row, not in the audit trail.
    rec.retired_reason = reason if retired else None
    session.flush()
    action = (
        AuditAction.RECOMMENDATION_RETIRED
        if retired
        else AuditAction.RECOMMENDATION_REINSTATED
    )
    record(session, actor, action, "recommendation", rec.id)
