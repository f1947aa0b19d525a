"""Evidence for a recommendation: text, a link, a file, or a round's staff voice.
Each has an effective date (when it is true of practice) apart from when it was
added, and a kind, which the Phase 2 sign-off rule reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal import privacy, uploads
from portal.audit.service import AuditAction, record
from portal.board.quarters import today
from portal.errors import InvalidInput, NotFound
from portal.models import (
    BoardEvidence,
    EngagementRound,
    EvidenceKind,
    PlanAction,
    Recommendation,
    RoundStatus,
    User,
)
from portal.sanitise import plain_text, single_line

_UNKEPT = "portal.board.unkept_files"


@dataclass(frozen=True)
class EvidenceDetails:
    kind: str
    title: str
    description: str
    link: str
    effective_on: date | None
    action_id: int | None = None
    round_id: int | None = None


@dataclass(frozen=True)
class Upload:
    name: str
    declared_type: str | None
    data: bytes


@dataclass(frozen=True)
class Storage:
    instance_path: str
    limit: int

    @classmethod
    def from_config(cls, instance_path: str, config: Any) -> Storage:
        return cls(instance_path, int(config["EVIDENCE_MAX_BYTES"]))


def _checked_link(value: str) -> str | None:
    link = single_line(value)
    if not link:
        return None
    parts = urlsplit(link)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(link) > 2000:
        raise InvalidInput(
            "Enter a link starting with https://, like https://intranet.example/report",
            field="link",
        )
    return link


def _check_date(effective_on: date | None) -> None:
    if effective_on is None:
        raise InvalidInput(
            "Enter the date the evidence is about, like 30 6 2016", field="effective_on"
        )
    if effective_on > today():
        raise InvalidInput(
            "The date the evidence is about must be today or in the past",
            field="effective_on",
        )


def _action_of(
    session: Session, recommendation: Recommendation, action_id: int | None
) -> PlanAction | None:
    if action_id is None:
        return None
    action = session.get(PlanAction, action_id)
    if action is None or action.recommendation_id != recommendation.id:
        raise InvalidInput("Choose an action of this recommendation", field="action_id")
    return action


def _round_of(session: Session, details: EvidenceDetails) -> EngagementRound:
    """Staff voice is a round's input: the round must exist and have opened."""
    round_ = session.get(EngagementRound, details.round_id or 0)
    if round_ is None or round_.status == RoundStatus.DRAFT:
        raise InvalidInput(
            "Choose the engagement round whose staff input this is", field="round_id"
        )
    return round_


def add_evidence(
    session: Session,
    actor: User,
    recommendation: Recommendation,
    details: EvidenceDetails,
    upload: Upload | None,
    *,
    storage: Storage,
    settings: privacy.PrivacySettings,
    confirmed: bool,
) -> BoardEvidence:
    if details.kind not in {k.value for k in EvidenceKind}:
        raise InvalidInput("Choose the kind of evidence", field="kind")
    title = single_line(details.title)
    if not title:
        raise InvalidInput("Enter a title for the evidence", field="title")
    _check_date(details.effective_on)
    description = plain_text(details.description)
    link = _checked_link(details.link)
    action = _action_of(session, recommendation, details.action_id)
    round_ = (
        _round_of(session, details)
        if details.kind == EvidenceKind.STAFF_VOICE
        else None
    )
    if round_ is None and not (description or link or upload):
        raise InvalidInput(
            "Describe the evidence, give a link to it or attach a file",
            field="description",
        )
    checked = None
    if upload is not None:
        checked = uploads.check(
            upload.name, upload.declared_type, upload.data, storage.limit
        )
    privacy.refuse_unconfirmed(
        {"title": title, "description": description}, settings, confirmed
    )
    evidence = BoardEvidence(
        recommendation_id=recommendation.id,
        action_id=action.id if action else None,
        kind=details.kind,
        title=title,
        description=description,
        link=link,
        round_id=round_.id if round_ else None,
        effective_on=details.effective_on,
        added_by_id=actor.id,
    )
    if checked is not None and upload is not None:
        evidence.file_name = checked.name
        evidence.content_type = checked.content_type
        evidence.size_bytes = checked.size
        evidence.sha256 = checked.sha256
        # Written last, once nothing else can refuse; removed again if the
        # transaction does not commit (see _remove_unkept).
        evidence.stored_name = uploads.store(storage.instance_path, upload.data)
        session.info.setdefault(_UNKEPT, []).append(
            uploads.path_of(storage.instance_path, evidence.stored_name)
        )
    session.add(evidence)
    session.flush()
    record(
        session,
        actor,
        AuditAction.EVIDENCE_ADDED,
        "evidence",
        evidence.id,
        after={
            "recommendation": recommendation.code,
            "kind": details.kind,
            "file": checked.extension if checked else None,
        },
    )
    return evidence


@event.listens_for(Session, "after_commit")
def _keep_files(session: Session) -> None:
    session.info.pop(_UNKEPT, None)


@event.listens_for(Session, "after_rollback")
def _remove_unkept(session: Session) -> None:
    """A file whose row never committed (a lock retry, a failed commit) must not
    stay on disk with nothing pointing at it."""
    for path in session.info.pop(_UNKEPT, []):
        Path(path).unlink(missing_ok=True)


def for_recommendation(session: Session, recommendation_id: int) -> list[BoardEvidence]:
    return list(
        session.scalars(
            select(BoardEvidence)
            .where(BoardEvidence.recommendation_id == recommendation_id)
            .order_by(BoardEvidence.effective_on.desc(), BoardEvidence.id.desc())
        )
    )


def get_file(
    session: Session, evidence_id: int, instance_path: str
) -> tuple[BoardEvidence, Path]:
    evidence = session.get(BoardEvidence, evidence_id)
    if evidence is None or not evidence.stored_name:
        raise NotFound("There is no such file")
    path = uploads.path_of(instance_path, evidence.stored_name)
    if not path.is_file():
        raise NotFound("The file is missing from storage: tell the administrator")
    return evidence, path


def download_name(evidence: BoardEvidence) -> str:
    """The name offered for the download: ours, from the id and the checked type,
    never the uploaded name (which could carry quotes or header tricks)."""
    extension = (evidence.file_name or "").rpartition(".")[2].lower()
    extension = uploads.ALIASES.get(extension, extension)
    return (
        f"evidence-{evidence.id}.{extension if extension in uploads.TYPES else 'bin'}"
    )
