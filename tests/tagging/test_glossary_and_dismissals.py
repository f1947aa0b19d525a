"""Tag suggestions read staff abbreviations through an admin-kept glossary, say
how confident they are in words that mean the same on every item, say so when
nothing is confident, and remember "Not this one" for every planner."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    AuditEvent,
    EngagementRound,
    GlossaryTerm,
    Recommendation,
    Role,
    SuggestionDismissal,
)
from portal.tagging.suggestions import build_index, suggest
from tests.conftest import reload, sign_in_as
from tests.factories import make_approved as approved
from tests.factories import make_user


def rec_id(session: Session, code: str) -> int:
    found = session.scalar(select(Recommendation.id).where(Recommendation.code == code))
    assert found is not None
    return found


def test_abbreviations_are_read_as_what_they_stand_for(
    session: Session, framework: None
) -> None:
    text = "Nobody from the FJB has ever asked us what delays we see."
    ranked = [s.candidate.id for s in suggest(build_index(session), text, floor=0)]
    assert ranked[0] == rec_id(session, "LSCB-R4"), "FJB: family justice board"
    term = session.scalar(
        select(GlossaryTerm).where(GlossaryTerm.abbreviation == "FJB")
    )
    assert term is not None
    session.delete(term)
    session.commit()
    without = [s.candidate.id for s in suggest(build_index(session), text, floor=0)]
    assert rec_id(session, "LSCB-R4") not in without[:1]


def test_admins_keep_the_glossary_and_it_is_audited(
    client: FlaskClient, session: Session, framework: None
) -> None:
    sign_in_as(client, make_user(session, Role.PLANNER))
    assert client.get("/admin/glossary").status_code == 403
    sign_in_as(client, make_user(session, Role.ADMIN))
    page = client.get("/admin/glossary").text
    assert "RHI" in page and "return home interview" in page
    added = client.post(
        "/admin/glossary",
        data={"abbreviation": "qz9", "expansion": "FEMALE GENITAL mutilation"},
    )
    assert added.status_code == 302
    reload(session)
    term = session.scalar(
        select(GlossaryTerm).where(GlossaryTerm.abbreviation == "QZ9")
    )
    assert term is not None and term.expansion == "female genital mutilation"
    best = suggest(build_index(session), "QZ9 training for school nurses", floor=0)[0]
    assert best.candidate.id == rec_id(session, "LSCB-R7")
    clash = client.post(
        "/admin/glossary", data={"abbreviation": "RHI", "expansion": "x y"}
    )
    assert (
        clash.status_code in (400, 409)
        and "RHI is already in the glossary" in clash.text
    )
    bad = client.post(
        "/admin/glossary", data={"abbreviation": "no spaces", "expansion": "a b"}
    )
    assert bad.status_code == 400
    changed = client.post(
        f"/admin/glossary/{term.id}",
        data={"abbreviation": "QZ9", "expansion": "neglect"},
    )
    assert changed.status_code == 302
    term_id = term.id
    assert client.post(f"/admin/glossary/{term_id}/delete").status_code == 302
    session.expunge(term)
    reload(session)
    assert session.get(GlossaryTerm, term_id) is None
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "glossary_changed")
    ).all()
    assert len(events) == 3 and all(e.subject_id == str(term_id) for e in events)


def test_confidence_is_in_words_and_weak_first_choices_are_not_shown(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    strong = approved(
        session, open_round, "We need an FGM strategy: training for midwives, "
        "school nurses and teachers on female genital mutilation and FGM risk."
    )  # fmt: skip
    vague = approved(session, open_round, "Things could be better around here.")
    sign_in_as(client, make_user(session, Role.PLANNER))
    page = client.get(f"/tagging/items/{strong.id}").text
    assert "Strong match" in page and "match 100%" not in page
    nothing = client.get(f"/tagging/items/{vague.id}").text
    assert "No suggestion is confident enough for this item" in nothing
    assert 'name="key"' not in nothing


def test_not_this_one_is_stored_shared_and_learned_from(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    text = "The board needs a performance framework with agreed data and a scorecard."
    item = approved(session, open_round, text)
    first, second = make_user(session, Role.PLANNER), make_user(session, Role.PLANNER)
    sign_in_as(client, first)
    page = client.get(f"/tagging/items/{item.id}").text
    keys = re.findall(r'name="key" value="(rec:\d+)"', page)
    assert keys
    target = int(keys[0].split(":")[1])
    before = {
        s.candidate.id: s.raw for s in suggest(build_index(session), text, floor=0)
    }
    for _ in range(2):  # a double click stores one dismissal
        answer = client.post(
            f"/tagging/items/{item.id}/suggestions",
            data={"key": keys[0], "action": "dismiss"},
        )
        assert answer.status_code == 302
    reload(session)
    assert len(session.scalars(select(SuggestionDismissal)).all()) == 1
    client.post("/sign-out")
    sign_in_as(client, second)
    again = client.get(f"/tagging/items/{item.id}").text
    assert f'value="{keys[0]}"' not in again, "hidden for another planner too"
    after = {
        s.candidate.id: s.raw for s in suggest(build_index(session), text, floor=0)
    }
    assert after.get(target, 0) < before[target], "the dismissal counts against it"
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "suggestion_dismissed")
    )
    assert event is not None and event.subject_id == item.id
