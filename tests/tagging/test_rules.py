"""Tagging rules: approved input only, themes and recommendations in use, merge keeps
links, provenance and audit rows; suggestions rank sensibly and learn."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.errors import Conflict, InvalidInput
from portal.models import (
    AuditEvent,
    EngagementRound,
    Quote,
    Recommendation,
    RecommendationTag,
    Role,
    ThemeTag,
    User,
    utcnow,
)
from portal.moderation.redaction import Redaction, redact
from portal.privacy import PrivacySettings
from portal.tagging import codebook, service
from portal.tagging.suggestions import build_index, suggest, suggest_for
from tests.factories import make_approved as approved
from tests.factories import make_submission, make_user

SETTINGS = PrivacySettings()


@pytest.fixture
def tagger(session: Session) -> User:
    return make_user(session, Role.PLANNER)


def test_only_approved_input_is_tagged(
    session: Session, open_round: EngagementRound, tagger: User
) -> None:
    item = make_submission(session, make_user(session, Role.CONTRIBUTOR), open_round)
    rec = session.scalar(select(Recommendation))
    assert rec is not None
    with pytest.raises(Conflict, match="Only approved input"):
        service.set_tags(
            session, tagger, item, service.Tags(frozenset({rec.id}), frozenset())
        )


def test_tags_carry_provenance_and_removals_are_audited(
    session: Session, open_round: EngagementRound, tagger: User
) -> None:
    item = approved(session, open_round, "Supervision is always cancelled.")
    rec = session.scalar(select(Recommendation))
    theme = codebook.save_theme(
        session, tagger, name="Supervision", description="", parent_id=None
    )
    added, removed = service.set_tags(
        session,
        tagger,
        item,
        service.Tags(frozenset({rec.id}), frozenset({theme.id})),
        from_suggestion=[f"rec:{rec.id}"],
    )
    session.commit()
    assert (added, removed) == (2, 0)
    rec_tag = session.scalar(select(RecommendationTag))
    theme_tag = session.scalar(select(ThemeTag))
    assert (
        rec_tag is not None
        and rec_tag.from_suggestion
        and rec_tag.applied_by_id == tagger.id
    )
    assert theme_tag is not None and not theme_tag.from_suggestion
    service.set_tags(session, tagger, item, service.Tags(frozenset(), frozenset()))
    session.commit()
    actions = list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == item.id)
            .order_by(AuditEvent.id)
        )
    )
    assert actions.count("tag_added") == 2 and actions.count("tag_removed") == 2


def test_retired_tags_are_not_offered_but_old_links_stay(
    session: Session, open_round: EngagementRound, tagger: User
) -> None:
    item = approved(session, open_round, "Text")
    other = approved(session, open_round, "More text")
    rec = session.scalar(select(Recommendation))
    assert rec is not None
    service.set_tags(
        session, tagger, item, service.Tags(frozenset({rec.id}), frozenset())
    )
    rec.retired_at = utcnow()
    session.commit()
    with pytest.raises(InvalidInput, match="in use"):
        service.set_tags(
            session, tagger, other, service.Tags(frozenset({rec.id}), frozenset())
        )
    session.rollback()
    # Tagging something else on the first item keeps its retired link.
    theme = codebook.save_theme(
        session, tagger, name="Drift", description="", parent_id=None
    )
    service.set_tags(
        session, tagger, item, service.Tags(frozenset({rec.id}), frozenset({theme.id}))
    )
    session.commit()
    assert service.current_tags(session, item).recommendation_ids == {rec.id}


def test_two_levels_and_merge_keeps_links(
    session: Session, open_round: EngagementRound, tagger: User
) -> None:
    top = codebook.save_theme(
        session, tagger, name="Workforce", description="", parent_id=None
    )
    child = codebook.save_theme(
        session, tagger, name="Agency staff", description="", parent_id=top.id
    )
    with pytest.raises(InvalidInput, match="two levels"):
        codebook.save_theme(
            session, tagger, name="Too deep", description="", parent_id=child.id
        )
    with pytest.raises(Conflict, match="already exists"):
        codebook.save_theme(
            session, tagger, name="workforce", description="", parent_id=None
        )
    old = codebook.save_theme(
        session, tagger, name="Staff turnover", description="", parent_id=None
    )
    a = approved(session, open_round, "Turnover is high.")
    b = approved(session, open_round, "Agency staff leave.")
    service.set_tags(session, tagger, a, service.Tags(frozenset(), frozenset({old.id})))
    service.set_tags(
        session, tagger, b, service.Tags(frozenset(), frozenset({old.id, child.id}))
    )
    moved = codebook.merge(session, tagger, old, child)
    session.commit()
    assert moved == 1
    assert old.retired_at is not None and old.merged_into_id == child.id
    assert service.current_tags(session, a).theme_ids == {child.id}
    assert service.current_tags(session, b).theme_ids == {child.id}
    with pytest.raises(Conflict, match="merged"):
        codebook.set_retired(session, tagger, old, False)


def test_bulk_tagging_and_quotes(
    session: Session, open_round: EngagementRound, tagger: User
) -> None:
    items = [
        approved(session, open_round, f"Supervision point {n} about drift.")
        for n in range(3)
    ]
    rec = session.scalar(select(Recommendation))
    assert rec is not None
    added = service.add_to_many(
        session, tagger, [i.id for i in items], recommendation_id=rec.id, theme_id=None
    )
    again = service.add_to_many(
        session, tagger, [i.id for i in items], recommendation_id=rec.id, theme_id=None
    )
    session.commit()
    assert (added, again) == (3, 0)
    quote = service.add_quote(
        session,
        tagger,
        items[0],
        "obstacles",
        "point 0 about drift",
        settings=SETTINGS,
        confirmed=False,
    )
    with pytest.raises(InvalidInput, match="exactly"):
        service.add_quote(
            session,
            tagger,
            items[0],
            "obstacles",
            "not in the text",
            settings=SETTINGS,
            confirmed=True,
        )
    session.commit()
    assert quote.text == "point 0 about drift"


def test_redaction_drops_quotes_it_would_leak(
    session: Session, open_round: EngagementRound, tagger: User
) -> None:
    item = approved(session, open_round, "Mrs Okonkwo rang twice about the plan.")
    service.add_quote(
        session,
        tagger,
        item,
        "obstacles",
        "Mrs Okonkwo rang twice",
        settings=SETTINGS,
        confirmed=True,
    )
    service.add_quote(
        session,
        tagger,
        item,
        "obstacles",
        "about the plan",
        settings=SETTINGS,
        confirmed=True,
    )
    session.commit()
    moderator = make_user(session, Role.MODERATOR)
    redact(
        session,
        moderator,
        item,
        Redaction("family", [], "obstacles", "Okonkwo"),
        PrivacySettings(),
    )
    session.commit()
    quotes = [q.text for q in session.scalars(select(Quote))]
    assert quotes == ["about the plan"]


def test_suggestions_rank_the_right_recommendation_first(
    session: Session, framework: None
) -> None:
    index = build_index(session)
    best = suggest(index, "We should have an FGM strategy for schools and midwives.")[0]
    assert best.candidate.label.startswith("LSCB-R7")
    assert best.confidence == "Strong match"
    court = suggest(
        index, "Delays in the family court and care proceedings hurt children."
    )
    assert court[0].candidate.label.startswith("LSCB-R4")
    assert suggest(index, "zzz qqq") == []


def test_suggestions_learn_from_tags(
    session: Session, open_round: EngagementRound, tagger: User
) -> None:
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LSCB-R2"))
    assert rec is not None
    text = "The trampoline budget keeps getting cut."
    before = [
        s.candidate.id
        for s in suggest_for(session, approved(session, open_round, text))
    ]
    assert rec.id not in before
    teacher = approved(session, open_round, "Trampoline budget cuts again.")
    service.set_tags(
        session, tagger, teacher, service.Tags(frozenset({rec.id}), frozenset())
    )
    session.commit()
    after = suggest_for(session, approved(session, open_round, text))
    assert after[0].candidate.id == rec.id
    count = session.scalar(select(func.count()).select_from(RecommendationTag))
    assert count == 1


def test_an_areas_example_comments_seed_suggestions_before_anything_is_tagged(
    session: Session, framework: None
) -> None:
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LSCB-R2"))
    assert rec is not None
    text = "The trampoline budget keeps shrinking."
    before = [s.candidate.id for s in suggest(build_index(session), text)]
    assert rec.id not in before
    area = rec.areas[0]
    area.examples += "\nThe trampoline budget for our children's homes keeps shrinking."
    session.flush()
    after = suggest(build_index(session), text)
    assert after[0].candidate.id == rec.id
    assert session.scalar(select(func.count()).select_from(RecommendationTag)) == 0


def test_many_examples_do_not_inflate_a_candidates_score(
    session: Session, framework: None
) -> None:
    """Only the best few examples count, so an area with many examples does not
    outscore one with few on a text both match equally."""
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LSCB-R2"))
    assert rec is not None
    area = rec.areas[0]
    text = "The trampoline budget keeps shrinking."
    area.examples = "The trampoline budget is shrinking."
    session.flush()
    one = {s.candidate.id: s.raw for s in suggest(build_index(session), text)}
    area.examples = "\n".join(["The trampoline budget is shrinking."] * 40)
    session.flush()
    many = {s.candidate.id: s.raw for s in suggest(build_index(session), text)}
    assert many[rec.id] <= one[rec.id] * 3
