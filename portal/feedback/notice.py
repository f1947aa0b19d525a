"""The notice on every feedback form that this is not a referral route. Admins set
the wording (with their front door and MASH numbers); a sensible default applies."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.errors import InvalidInput
from portal.models import User
from portal.pages import notices
from portal.sanitise import plain_text

KEY = "safeguarding_notice"
DEFAULT = (
    "This is not a way to report a concern about a child. If you think a child is at "
    "risk of harm, contact the children's services front door (MASH) now, or call 999 "
    "if a child is in immediate danger. Concerns about someone who works with "
    "children go to the LADO."
)


def current(session: Session) -> str:
    return notices.current(session, KEY, DEFAULT)


def change(session: Session, actor: User, text: str) -> None:
    text = plain_text(text)
    if not text:
        raise InvalidInput("Enter the notice text", field="text")
    notices.save_text(session, actor, KEY, text, DEFAULT)
