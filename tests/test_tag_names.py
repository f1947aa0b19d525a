"""Each item's tag names, kept on it for the data export by triggers (migration
0026): renames reach every tagged item, a rebuild restores what a bulk load left
out, and on PostgreSQL two moderators tagging one item at once keep both tags.
(A random run of tagging and theme merges is checked in test_aggregates.py.)"""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from portal import db
from portal.models import (
    EngagementRound,
    Recommendation,
    RecommendationTag,
    Role,
    Submission,
    Theme,
    ThemeTag,
)
from portal.submissions import tag_names
from portal.submissions.aggregates import cells_maintained, cells_recounted, rebuild
from portal.tagging import codebook
from portal.tagging.service import Tags, set_tags
from tests.conftest import reload
from tests.factories import make_approved, make_user


def _names(session: Session, item: Submission) -> tuple[list[str], list[str]]:
    reload(session)
    return tag_names.kept(session)[item.id]


def test_tags_renames_and_merges_reach_the_item(
    session: Session, open_round: EngagementRound
) -> None:
    planner = make_user(session, Role.PLANNER)
    item = make_approved(session, open_round, "Supervision keeps getting cancelled")
    first, second = session.scalars(select(Recommendation).limit(2)).all()
    theme = codebook.save_theme(session, planner, name="Beta", description="",
                                parent_id=None)  # fmt: skip
    other = codebook.save_theme(session, planner, name="alpha", description="",
                                parent_id=None)  # fmt: skip
    session.commit()
    wanted = Tags(frozenset({first.id, second.id}), frozenset({theme.id, other.id}))
    set_tags(session, planner, item, wanted)
    session.commit()
    assert _names(session, item) == (sorted([first.code, second.code]),
                                     ["Beta", "alpha"])  # fmt: skip
    codebook.save_theme(session, planner, name="Gamma", description="",
                        parent_id=None, theme=theme)  # fmt: skip
    first.code = "R-renamed"
    session.commit()
    assert _names(session, item) == (sorted(["R-renamed", second.code]),
                                     ["Gamma", "alpha"])  # fmt: skip
    codebook.merge(session, planner, session.get(Theme, other.id),
                   session.get(Theme, theme.id))  # fmt: skip
    set_tags(session, planner, item, Tags(frozenset({second.id}),
                                          frozenset({theme.id})))  # fmt: skip
    session.commit()
    assert _names(session, item) == ([second.code], ["Gamma"])
    set_tags(session, planner, item, Tags(frozenset(), frozenset()))
    session.commit()
    assert _names(session, item) == ([], [])
    stored = session.execute(
        select(Submission.recommendation_codes, Submission.theme_names)
    ).one()
    assert tuple(stored) == (None, None), "no tags: nothing kept"


def test_a_tag_moved_to_another_item_leaves_the_first(
    session: Session, open_round: EngagementRound
) -> None:
    """Both items are rewritten when a tag changes item; in place (a merge of
    themes, tested above) only its own."""
    first = make_approved(session, open_round, "Agency staff")
    second = make_approved(session, open_round, "Court reports")
    rec = session.scalars(select(Recommendation)).first()
    assert rec is not None
    session.add(RecommendationTag(submission_id=first.id, recommendation_id=rec.id))
    session.commit()
    session.execute(
        update(RecommendationTag)
        .where(RecommendationTag.submission_id == first.id)
        .values(submission_id=second.id)
    )
    session.commit()
    assert _names(session, first) == ([], [])
    assert _names(session, second) == ([rec.code], [])


def test_rebuild_writes_the_names_a_bulk_load_left_out(
    session: Session, open_round: EngagementRound
) -> None:
    item = make_approved(session, open_round, "Caseloads")
    rec = session.scalars(select(Recommendation)).first()
    theme = Theme(name="Workload")
    session.add(theme)
    session.commit()
    session.add_all([
        RecommendationTag(submission_id=item.id, recommendation_id=rec.id),  # type: ignore[union-attr]
        ThemeTag(submission_id=item.id, theme_id=theme.id),
    ])  # fmt: skip
    session.commit()
    session.execute(update(Submission).values(recommendation_codes=None,
                                              theme_names="Stale"))  # fmt: skip
    session.commit()
    assert tag_names.kept(session) != tag_names.counted(session)
    rebuild(session)
    session.commit()
    assert tag_names.kept(session) == tag_names.counted(session)
    assert _names(session, item) == ([rec.code], ["Workload"])  # type: ignore[union-attr]


def _tag_at_once(app: Flask, item: Submission, first: int, second: int) -> None:
    """Two transactions add a tag each to ``item``: the second starts while the
    first has added its tag and not yet committed."""
    engine = db.writer(db.get_engine(app))
    tags = RecommendationTag.__table__
    tagged = threading.Event()
    failures: list[BaseException] = []

    def tag_second() -> None:
        try:
            tagged.wait(60)
            with engine.begin() as other:
                other.execute(tags.insert().values(  # type: ignore[attr-defined]
                    submission_id=item.id, recommendation_id=second,
                    from_suggestion=False))  # fmt: skip
        except BaseException as error:
            failures.append(error)

    racer = threading.Thread(target=tag_second)
    racer.start()
    with engine.begin() as mine:
        mine.execute(tags.insert().values(  # type: ignore[attr-defined]
            submission_id=item.id, recommendation_id=first,
            from_suggestion=False))  # fmt: skip
        tagged.set()
        # Commit only once the other insert has reached a lock and waits on it.
        assert _someone_waits(engine), "the second tag never waited"
    racer.join(60)
    assert not racer.is_alive() and not failures, failures


def _someone_waits(engine: Engine) -> bool:
    """Whether a connection to this database waits on a lock (polled for up to
    30 s: a bound on a busy machine, not a measure)."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    for _ in range(600):
        with engine.connect() as look:
            if look.scalar(waiting):
                return True
        time.sleep(0.05)
    return False


def _postgresql(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")


def test_two_moderators_tagging_one_item_at_once_keep_both_tags(
    app: Flask, session: Session, open_round: EngagementRound
) -> None:
    """The item is locked before its tags change: the second waits for the
    first to commit, then counts its tag too. Without the lock each wrote the
    list as its own snapshot saw it, and one tag was lost."""
    _postgresql(session)
    item = make_approved(session, open_round, "Handovers")
    first, second = session.scalars(select(Recommendation.id).limit(2)).all()
    # Already tagged: the two tags then share no maintained count, whose row
    # lock would otherwise make the second wait before it reached the item.
    theme = Theme(name="Handovers")
    session.add(theme)
    session.commit()
    session.add(ThemeTag(submission_id=item.id, theme_id=theme.id))
    session.commit()
    _tag_at_once(app, item, first, second)
    codes = session.scalars(select(Recommendation.code).where(
        Recommendation.id.in_([first, second]))).all()  # fmt: skip
    assert _names(session, item)[0] == sorted(codes)


def test_two_first_tags_at_once_count_the_item_analysed_once(
    app: Flask, session: Session, open_round: EngagementRound
) -> None:
    """Each first tag asks whether the item now has exactly one tag (0019's
    "analysed" coverage cell): without the lock both saw one, and the item was
    counted twice."""
    _postgresql(session)
    item = make_approved(session, open_round, "Chronologies")
    first, second = session.scalars(select(Recommendation.id).limit(2)).all()
    _tag_at_once(app, item, first, second)
    reload(session)
    assert cells_maintained(session) == cells_recounted(session)
