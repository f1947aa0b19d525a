"""Words for what the audit viewer shows: people by name, reasons and subjects in
plain English (the trail itself stores ids and codes)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, User

SUBJECTS = {
    "submission": "Staff input",
    "user": "Account",
    "team": "Team",
    "role_group": "Role",
    "theme": "Theme",
    "glossary_term": "Glossary abbreviation",
    "recommendation": "Recommendation",
    "area": "Area for improvement",
    "inspection": "Inspection",
    "round": "Engagement round",
    "plan_action": "Plan action",
    "evidence": "Board evidence",
    "sign_off": "Sign-off",
    "risk": "Risk",
    "report_request": "Request for a report",
    "quarter": "Quarterly snapshot",
    "publication": "You said, we did",
    "setting": "Setting",
    "export": "Export",
    "audit": "Audit trail",
    "retention": "Retention purge",
    "erasure_request": "Request to erase input",
}


@lru_cache(maxsize=1)
def _reasons_by_action() -> dict[str, dict[str, str]]:
    """Built once: every reason code the portal records, per action."""
    from portal.moderation.redaction import REDACTION_REASONS
    from portal.moderation.safeguarding import ACTIONS
    from portal.moderation.service import PERSONAL_DATA_REASONS, REJECT_REASONS

    return {
        "input_redacted": {k: f"Redacted: {v}" for k, v in REDACTION_REASONS.items()},
        "input_rejected": REJECT_REASONS,
        "safeguarding_action": ACTIONS,
        "safeguarding_released": ACTIONS,
        "approved_with_personal_data": PERSONAL_DATA_REASONS,
    }


def reason_label(action: str, reason: str | None) -> str:
    """The words a reason code was chosen by, for the action it was recorded with
    (codes such as "other" mean different things for different actions)."""
    if not reason:
        return ""
    known = _reasons_by_action().get(action, {})
    return known.get(reason, reason.replace("_", " ").capitalize())


def actor_names(session: Session, events: list[AuditEvent]) -> dict[int, str]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    return {
        user.id: f"{user.display_name} ({user.email})"
        for user in session.scalars(select(User).where(User.id.in_(ids)))
    }
