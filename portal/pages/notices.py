"""Council-editable parts of the privacy notice and the accessibility statement.
What the software does (what it keeps, for how long, who sees what) is written by
the portal itself from its settings, so it stays true; the council adds who it
is, how to reach its data protection officer and how to complain, and anything
local. Stored as admin-edited settings in the planners' narrative subset
(bold, emphasis, lists, links; portal/formatting.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.audit.service import AuditAction, record
from portal.errors import InvalidInput
from portal.models import Setting, User, utcnow
from portal.sanitise import plain_text

DEFAULTS = {
    "privacy_contact": (
        "Contact the council's data protection officer through the council's "
        "website, or by writing to the council's main office, marked for the "
        "attention of the data protection officer."
    ),
    "privacy_extra": "",
    "accessibility_contact": (
        "If you find a problem not listed here, or need information in a different "
        "format, contact the council's digital team. We aim to reply within 5 "
        "working days."
    ),
    "accessibility_extra": "",
}
LABELS = {
    "privacy_contact": "Privacy notice: how to contact the data protection officer",
    "privacy_extra": "Privacy notice: anything else the council wants to say",
    "accessibility_contact": "Accessibility statement: how to report a problem",
    "accessibility_extra": "Accessibility statement: anything else",
}


def current(session: Session, key: str, default: str) -> str:
    setting = session.get(Setting, key)
    return setting.value if setting else default


def texts(session: Session) -> dict[str, str]:
    return {key: current(session, key, default) for key, default in DEFAULTS.items()}


def save_text(session: Session, actor: User, key: str, text: str, default: str) -> None:
    """Save one admin-edited text, audited by its length (never its words)."""
    setting = session.get(Setting, key)
    before = setting.value if setting else default
    if before == text:
        return
    if setting is None:
        session.add(Setting(key=key, value=text))
    else:
        setting.value, setting.updated_at = text, utcnow()
    session.flush()
    record(session, actor, AuditAction.SETTING_CHANGED, "setting", key,
           before={"characters": len(before)},
           after={"characters": len(text)})  # fmt: skip


def change(session: Session, actor: User, values: dict[str, str]) -> None:
    for key in ("privacy_contact", "accessibility_contact"):
        if not plain_text(values.get(key)):
            raise InvalidInput("Enter how people can contact the council", field=key)
    for key, default in DEFAULTS.items():
        save_text(session, actor, key, plain_text(values.get(key)), default)
