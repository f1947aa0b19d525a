"""The quarterly digest: for named contributors who opted in, how many of their
own items were used and where to look. Content-free about others, never about
anonymous input (nothing links it to anyone), sent once per published quarter."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.service import AuditAction, record
from portal.board.quarters import Quarter, in_order
from portal.feedback.changes import named_by
from portal.mailer import Message
from portal.models import (
    DigestSent,
    Submission,
    User,
    YouSaidPublication,
    plan_evidence,
)
from portal.submissions.lifecycle import counts_as_staff_input


@dataclass(frozen=True)
class Digest:
    user_id: int
    quarter: str
    message: Message


def set_choice(session: Session, actor: User, wanted: bool) -> None:
    if actor.digest_opt_in == wanted:
        return
    actor.digest_opt_in = wanted
    session.flush()
    record(session, actor, AuditAction.DIGEST_CHOICE_CHANGED, "user", actor.id,
           after={"digest": wanted})  # fmt: skip


def _own_counts(session: Session, user: User) -> tuple[int, int, int]:
    """(given, used, cited): the user's named items, those approved, and those
    the plan cites as evidence."""
    own = named_by(user)
    given = session.scalar(select(func.count()).select_from(Submission).where(*own))
    counted = [*own, counts_as_staff_input()]
    used = session.scalar(select(func.count()).select_from(Submission).where(*counted))
    cited = session.scalar(
        select(func.count(func.distinct(Submission.id)))
        .join(plan_evidence, plan_evidence.c.submission_id == Submission.id)
        .where(*counted)
    )
    return int(given or 0), int(used or 0), int(cited or 0)


def due(session: Session, service_name: str, base_url: str) -> list[Digest]:
    """The digests owed for the latest publication, one per opted-in person with
    named input who has not had this quarter's."""
    published = in_order(session.scalars(select(YouSaidPublication)))
    if not published:
        return []
    latest = published[-1]
    sent = set(
        session.scalars(
            select(DigestSent.user_id).where(DigestSent.quarter == latest.quarter)
        )
    )
    label = Quarter.parse(latest.quarter).short
    digests = []
    for user in session.scalars(
        select(User)
        .where(User.digest_opt_in.is_(True), User.disabled_at.is_(None))
        .order_by(User.id)
    ):
        if user.id in sent:
            continue
        given, used, cited = _own_counts(session, user)
        if not given:
            continue
        body = (
            f"{service_name}: your quarterly digest for {label}.\n\n"
            f"Of the {given} {'item' if given == 1 else 'items'} you gave with your "
            f"name, {used} {'is' if used == 1 else 'are'} used as staff input and "
            f"{cited} {'is' if cited == 1 else 'are'} cited in the improvement plan."
            f"\n\nSee what became of each: {base_url}/feedback/mine\n"
            f"You said, we did: {base_url}/you-said\n\n"
            "This email says nothing about anyone else's input, and nothing about "
            "input you gave anonymously. To stop it: "
            f"{base_url}/account/digest\n"
        )
        digests.append(
            Digest(
                user.id,
                latest.quarter,
                Message(user.email, f"{service_name}: your quarterly digest", body),
            )
        )
    return digests


def mark_sent(session: Session, digests: list[Digest]) -> None:
    for digest in digests:
        session.add(DigestSent(user_id=digest.user_id, quarter=digest.quarter))
    session.flush()
    if digests:
        after = {"quarter": digests[0].quarter, "count": len(digests)}
        record(
            session, None, AuditAction.DIGESTS_SENT, "publication", None, after=after
        )
